package feed

import (
	"unicode/utf8"
)

// The feeds' items are written by hand rather than with encoding/xml,
// whose reflection and buffering made them a fifth of what a static
// export spent on feeds, for elements known in advance. What is written
// is byte for byte what encoding/xml writes for the same elements,
// indented as in the whole document (see
// TestItemsWrittenAsEncodingXMLAndJSON).

// appendElem appends a newline and indent, then <name>text</name>.
func appendElem(b []byte, indent, name, text string) []byte {
	b = append(b, indent...)
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = appendXMLText(b, text)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

// appendAttr appends ` name="value"`.
func appendAttr(b []byte, name, value string) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, `="`...)
	b = appendXMLText(b, value)
	return append(b, '"')
}

// appendXMLText appends s escaped as encoding/xml escapes text and
// attributes' values: the five markup characters, tab, newline and
// carriage return as character references, and what XML cannot hold
// (other control characters, bytes that are not UTF-8) as U+FFFD.
func appendXMLText(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		width := 1
		switch {
		case c >= 0x80:
			r, w := utf8.DecodeRuneInString(s[i:])
			width = w
			if !(r == utf8.RuneError && w == 1) && isXMLChar(r) {
				i += w
				continue
			}
			esc = "\uFFFD"
		case c == '"':
			esc = "&#34;"
		case c == '\'':
			esc = "&#39;"
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '\t':
			esc = "&#x9;"
		case c == '\n':
			esc = "&#xA;"
		case c == '\r':
			esc = "&#xD;"
		case c < 0x20:
			esc = "\uFFFD"
		default:
			i++
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		i += width
		last = i
	}
	return append(b, s[last:]...)
}

// isXMLChar reports whether XML 1.0 may hold r, for r of 0x80 and above.
func isXMLChar(r rune) bool {
	return r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
