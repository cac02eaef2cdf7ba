package site

import "strings"

// escapeHTML writes s as html/template writes a string in HTML text or a
// quoted attribute's value: NUL becomes U+FFFD, and " & ' + < > their
// character references. Bytes that are not UTF-8 pass as they are, as
// there.
func escapeHTML(b *strings.Builder, s string) {
	written := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b.WriteString(s[written:i])
		b.WriteString(repl)
		written = i + 1
	}
	b.WriteString(s[written:])
}

// escapeURL writes s as html/template writes a string that is a whole
// URL attribute's value (href="…"): an address of another scheme than
// http, https or mailto becomes "#ZgotmplZ"; bytes a URL may not hold as
// they are are percent-encoded, escapes already there kept; then it is
// escaped as an attribute's value (escapeHTML).
func escapeURL(b *strings.Builder, s string) {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		b.WriteString("#ZgotmplZ")
		return
	}
	const hex = "0123456789abcdef"
	var norm strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0:
			continue // unreserved, or reserved and kept as it is
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		}
		if written == 0 {
			norm.Grow(len(s) + 16)
		}
		norm.WriteString(s[written:i])
		norm.WriteByte('%')
		norm.WriteByte(hex[c>>4])
		norm.WriteByte(hex[c&15])
		written = i + 1
	}
	if written > 0 {
		norm.WriteString(s[written:])
		s = norm.String()
	}
	escapeHTML(b, s)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
