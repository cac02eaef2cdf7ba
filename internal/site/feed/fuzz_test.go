package feed_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/site/feed"
)

// xmlChar reports whether XML 1.0 allows r in a document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// FuzzFeeds: whatever an editor types into a title, a name or a body, every
// format stays well-formed, and text XML can carry comes back unchanged.
func FuzzFeeds(f *testing.F) {
	f.Add(trickyTitle, "<p>]]></p>", "Zoë")
	f.Add("\x00\x07\uFFFE", "&amp;&", "<name>")
	f.Add("line\r\nbreak", "<![CDATA[x]]>", "a\"b'c")
	f.Fuzz(func(t *testing.T, title, body, name string) {
		fd := sample()
		fd.Items[0].Title, fd.Items[0].ContentHTML, fd.Items[0].Authors[0].Name = title, body, name
		for _, write := range []func(*feed.Feed) (*feed.Doc, error){feed.RSS, feed.Atom} {
			b, err := whole(write(fd))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Titles []string `xml:"channel>item>title"`
				Entry  []string `xml:"entry>title"`
			}
			if err := xml.Unmarshal(b, &doc); err != nil {
				t.Fatalf("not well-formed: %v\n%s", err, b)
			}
			got := append(doc.Titles, doc.Entry...)
			clean := utf8.ValidString(title) && strings.IndexFunc(title, func(r rune) bool { return !xmlChar(r) }) < 0
			if clean && got[0] != title {
				t.Errorf("title %q came back as %q", title, got[0])
			}
		}
		b, err := whole(feed.JSON(fd))
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			t.Fatalf("invalid JSON:\n%s", b)
		}
		var doc struct{ Items []struct{ Title string } }
		if err := json.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if utf8.ValidString(title) && doc.Items[0].Title != title {
			t.Errorf("JSON title %q came back as %q", title, doc.Items[0].Title)
		}
	})
}
