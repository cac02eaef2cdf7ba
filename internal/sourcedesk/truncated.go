package sourcedesk

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// completeItems returns a feed cut off in the middle (a connection
// dropped, a server that stopped writing) as the feed of its complete
// items: the body up to the end of its last whole <item> or <entry>, with
// the elements still open there closed. It returns ok false when body is
// not an XML feed that ends early (a feed that is whole, or broken in
// another way, is not guessed at) or holds no complete item.
func completeItems(body []byte) (fixed []byte, ok bool) {
	if !cutShort(body) {
		return nil, false
	}
	end := -1
	for _, tag := range []string{"item>", "entry>"} {
		// The closing tag, with or without a namespace prefix.
		for i := len(body); ; {
			j := bytes.LastIndex(body[:i], []byte(tag))
			if j < 0 {
				break
			}
			k := bytes.LastIndexByte(body[:j], '<')
			if k >= 0 && k+1 < len(body) && body[k+1] == '/' && isXMLName(body[k+2:j]) {
				end = max(end, j+len(tag))
				break
			}
			i = j
		}
	}
	if end < 0 {
		return nil, false
	}
	open, err := openElements(body[:end])
	if err != nil || len(open) == 0 {
		return nil, false
	}
	out := append([]byte(nil), body[:end]...)
	for i := len(open) - 1; i >= 0; i-- {
		out = append(out, "</"+open[i]+">"...)
	}
	return out, true
}

// isXMLName reports whether b is empty or a namespace prefix and its
// colon ("atom:"), as may stand before a closing tag's local name.
func isXMLName(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	if b[len(b)-1] != ':' {
		return false
	}
	for _, c := range b[:len(b)-1] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// newRawDecoder reads XML tokens as written, in any encoding its
// declaration names.
func newRawDecoder(b []byte) *xml.Decoder {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = false
	dec.CharsetReader = charset.NewReaderLabel
	return dec
}

// cutShort reports whether body is XML that ends before its root element
// closes.
func cutShort(body []byte) bool {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '<' && !bytes.HasPrefix(trimmed, []byte("\xef\xbb\xbf<")) {
		return false // not XML (a JSON Feed)
	}
	open, err := openElements(body)
	if err != nil {
		var se *xml.SyntaxError
		return errors.As(err, &se) && strings.Contains(se.Msg, "unexpected EOF")
	}
	return len(open) > 0
}

// openElements returns the names (with their prefixes) of the elements
// still open at the end of b, outermost first.
func openElements(b []byte) ([]string, error) {
	dec := newRawDecoder(b)
	var stack []string
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return stack, nil
		}
		if err != nil {
			return stack, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, rawName(t.Name))
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != rawName(t.Name) {
				return stack, &xml.SyntaxError{Msg: "element <" + rawName(t.Name) + "> closed out of place"}
			}
			stack = stack[:len(stack)-1]
		}
	}
}

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}
