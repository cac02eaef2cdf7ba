package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"
)

// JSONFeedVersion is the JSON Feed version written.
const JSONFeedVersion = "https://jsonfeed.org/version/1.1"

type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url"`
	FeedURL     string       `json:"feed_url"`
	Description string       `json:"description,omitempty"`
	Icon        string       `json:"icon,omitempty"`
	Favicon     string       `json:"favicon,omitempty"`
	Language    string       `json:"language,omitempty"`
	Authors     []jsonAuthor `json:"authors,omitempty"`
	Hubs        []jsonHub    `json:"hubs,omitempty"`
	Items       []struct{}   `json:"items"` // always empty: items are written each on its own
}

type jsonAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type jsonHub struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// JSON writes f as a JSON Feed 1.1. A republished item carries the
// original as external_url and in full under _broadsheet.source.
func JSON(f *Feed) (*Doc, error) {
	doc := jsonFeed{
		Version: JSONFeedVersion, Title: f.Title, HomePageURL: f.HomeURL, FeedURL: f.JSONURL,
		Description: f.Description, Icon: f.Logo, Favicon: f.Icon, Language: f.Language,
		Items: []struct{}{},
	}
	if f.Publisher != "" {
		doc.Authors = []jsonAuthor{{Name: f.Publisher, URL: f.HomeURL}}
	}
	if f.Hub != "" {
		doc.Hubs = []jsonHub{{Type: "WebSub", URL: f.Hub}}
	}
	b, err := encodeJSON(doc, "")
	if err != nil {
		return nil, err
	}
	if len(f.Items) == 0 {
		return &Doc{parts: [][]byte{b}, size: len(b)}, nil
	}
	// The items are written each on its own (see Item.Keep) into the
	// list that closes the feed.
	const empty = "  \"items\": []\n}\n"
	head, ok := bytes.CutSuffix(b, []byte(empty))
	if !ok {
		return nil, errors.New("feed: the JSON feed does not end as expected")
	}
	d := &Doc{parts: make([][]byte, 0, 2+2*len(f.Items))}
	d.add(append(head, jsonOpen...))
	for i := range f.Items {
		item, err := f.Items[i].encoded(formatJSON, jsonItemBytes)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			d.add(jsonSep)
		}
		d.add(item)
	}
	d.add(jsonClosing)
	return d, nil
}

var jsonOpen, jsonSep, jsonClosing = []byte("  \"items\": [\n    "), []byte(",\n    "), []byte("\n  ]\n}\n")

// jsonItemBytes writes an item as it stands in a feed's list of items:
// by hand, byte for byte as encoding/json wrote it indented at that depth
// (see TestItemsWrittenAsEncodingXMLAndJSON), without encoding/json's
// reflection and second pass to indent, with which a JSON item cost four
// times what an RSS item written by hand does.
func jsonItemBytes(it *Item) ([]byte, error) {
	const in, in2, in3 = "\n      ", "\n        ", "\n          "
	b := make([]byte, 0, encodedSize(it))
	b = append(b, '{')
	b = appendMember(b, in, "id", it.ID, false)
	b = appendMember(b, in, "url", it.URL, true)
	if it.Source != nil && it.Source.URL != "" {
		b = appendMember(b, in, "external_url", it.Source.URL, true)
	}
	b = appendMember(b, in, "title", it.Title, true)
	b = appendMember(b, in, "content_html", it.ContentHTML, true)
	if it.Summary != "" {
		b = appendMember(b, in, "summary", it.Summary, true)
	}
	b = appendMember(b, in, "date_published", atomDate(it.Published), true)
	b = appendMember(b, in, "date_modified", atomDate(later(it.Published, it.Updated)), true)
	if len(it.Authors) > 0 {
		b = append(b, ","+in+`"authors": [`...)
		for i, a := range it.Authors {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, in2+"{"...)
			b = appendMember(b, in3, "name", a.Name, false)
			if a.URL != "" {
				b = appendMember(b, in3, "url", a.URL, true)
			}
			b = append(b, in2+"}"...)
		}
		b = append(b, in+"]"...)
	}
	if len(it.Categories) > 0 {
		b = append(b, ","+in+`"tags": [`...)
		for i, c := range it.Categories {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, in2...)
			b = appendJSONText(b, c.Name)
		}
		b = append(b, in+"]"...)
	}
	// Broadsheet's extension to JSON Feed (extensions start with an
	// underscore, as the spec asks): the original of a republished item.
	if s := it.Source; s != nil {
		b = append(b, ","+in+`"_broadsheet": {`...)
		b = appendMember(b, in2, "about", GeneratorURI, false)
		b = append(b, ","+in2+`"source": {`...)
		n := 0
		for _, m := range [...]struct{ name, value string }{
			{"name", s.Name}, {"url", s.URL}, {"author", s.Author}, {"date_published", publishedDate(s.Published)},
		} {
			if m.value != "" {
				b = appendMember(b, in3, m.name, m.value, n > 0)
				n++
			}
		}
		if n > 0 {
			b = append(b, in2...)
		}
		b = append(b, '}')
		b = append(b, in+"}"...)
	}
	return append(b, "\n    }"...), nil
}

// publishedDate is t as JSON Feed writes dates, or "" when unknown.
func publishedDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return atomDate(t)
}

// appendMember appends a member of an object on its own line: a comma
// first unless it is the first, the indent, then "name": "value".
func appendMember(b []byte, indent, name, value string, comma bool) []byte {
	if comma {
		b = append(b, ',')
	}
	b = append(b, indent...)
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, `": `...)
	return appendJSONText(b, value)
}

// appendJSONText appends s as a JSON string as encoding/json writes it
// without escaping HTML's characters: quote and backslash escaped, control
// characters as \b, \f, \n, \r, \t or \u00XX, bytes that are not UTF-8 as
// \ufffd, and U+2028 and U+2029 as \u2028 and \u2029.
func appendJSONText(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += w
			continue
		}
		i += w
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// encodeJSON writes v indented as it is at the depth prefix stands for.
func encodeJSON(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// A feed is not embedded in HTML, so <, > and & need no \u escapes;
	// literal characters keep the file readable and decode the same.
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
