package sourcedesk

import (
	"mime"
	"regexp"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// pageUTF8 returns an HTML page in UTF-8, decoded from the encoding it was
// served in: a byte-order mark, else the charset of its HTTP Content-Type,
// else its <meta charset> or http-equiv declaration, else, with nothing
// declared, UTF-8 when the bytes are valid UTF-8 and Windows-1252 (what
// browsers assume) when they are not.
func pageUTF8(page []byte, contentType string) []byte {
	enc, name, certain := charset.DetermineEncoding(page, contentType)
	if !certain && utf8.Valid(page) {
		// Undeclared, or declared in the page only: bytes that are valid
		// UTF-8 are UTF-8 (text in a legacy encoding almost never is).
		name = "utf-8"
	}
	if name == "utf-8" || enc == nil {
		return trimUTF8BOM(page)
	}
	out, err := enc.NewDecoder().Bytes(page)
	if err != nil {
		return page
	}
	return out
}

func trimUTF8BOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

// xmlEncodingDecl finds the encoding declared in an XML declaration.
var xmlEncodingDecl = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']`)

// feedUTF8 returns a feed's body as the feed parser reads it best. A feed
// that declares its encoding in its XML declaration is left to the parser;
// one that does not, served with a charset in its HTTP Content-Type (a
// Latin-1 feed whose server says so), is decoded from that charset when
// its bytes are not UTF-8 already.
func feedUTF8(body []byte, contentType string) []byte {
	if xmlEncodingDecl.Match(body) || utf8.Valid(body) {
		return body
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["charset"] == "" {
		return body
	}
	enc, name := charset.Lookup(params["charset"])
	if enc == nil || name == "utf-8" {
		return body
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body
	}
	return out
}
