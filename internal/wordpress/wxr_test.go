package wordpress_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/broadsheet/broadsheet/internal/wordpress"
	"github.com/broadsheet/broadsheet/internal/wordpress/wxrtest"
)

// sample is a channel and items with what a Broadsheet export carries and
// what trips a hand-written XML writer: "]]>" in CDATA, characters XML
// cannot carry, markup in titles, escaped slugs.
func sample() (*wordpress.Channel, []*wordpress.Item) {
	c := &wordpress.Channel{
		Title: "Harbour <Times> & Co", Link: "https://new.example.org", Description: "News of ports",
		PubDate: "Wed, 01 Jan 2025 00:00:00 +0000", Language: "en", Version: "1.2",
		BaseSiteURL: "https://new.example.org", BaseBlogURL: "https://new.example.org", Generator: wordpress.Generator,
		Authors: []wordpress.Author{{ID: 1, Login: "editor", Email: "ed@example.org", DisplayName: "The Editor"},
			{ID: 7, Login: "jane-doe", DisplayName: "Jane Doe", FirstName: "Jane", LastName: "Doe"}},
		Categories: []wordpress.Term{{ID: 3, Domain: "category", Slug: "world", Name: "World"},
			{ID: 4, Domain: "category", Slug: wordpress.EscapeSlug("łódź"), Parent: "world", Name: "Łódź", Desc: "A city"}},
		Tags:      []wordpress.Term{{ID: 9, Domain: "post_tag", Slug: "shipping", Name: "Shipping & trade", Desc: "Boats"}},
		Redirects: []wordpress.Redirect{{Path: "/old/", Target: "/new/"}}, TimeZone: "Africa/Lagos",
	}
	items := []*wordpress.Item{{
		Title: "port.jpg", Link: "https://new.example.org/media/2024/05/port.jpg", PubDate: "Fri, 31 May 2024 08:00:00 +0000",
		GUID: "https://old.example.org/wp-content/uploads/2024/05/port.jpg", Excerpt: "The port at dawn",
		PostID: 12, PostDate: "2024-05-31 08:00:00", PostDateGMT: "2024-05-31 08:00:00", PostName: "port",
		Status: "inherit", PostType: "attachment", AttachmentURL: "https://new.example.org/media/2024/05/port.jpg", CommentStatus: "closed",
		Meta: []wordpress.Meta{{Key: wordpress.MetaAttachedFile, Value: "2024/05/port.jpg"}, {Key: wordpress.MetaAttachmentAlt, Value: "Cranes"}},
	}, {
		Title: "Republished: “Ports & people” <analysis>", Link: "https://new.example.org/2024/06/01/ports/",
		PubDate: "Sat, 01 Jun 2024 12:30:00 +0000", Creator: "editor", GUID: "https://new.example.org/?p=1000",
		Content: "<p>Intro</p>\n<!--more-->\n<blockquote>With ]]> inside, and a \x01 control</blockquote>",
		Excerpt: "Why ports matter.", PostID: 1000, PostDate: "2024-06-01 12:30:00", PostDateGMT: "2024-06-01 12:30:00",
		Modified: "2024-06-02 09:00:00", ModifiedGMT: "2024-06-02 09:00:00",
		PostName: wordpress.EscapeSlug("ports-and-people"), Status: "publish", PostType: "post", ParentID: 0, MenuOrder: 0, Sticky: true,
		Terms: []wordpress.Term{{Domain: "category", Slug: "world", Name: "World", External: true},
			{Domain: "post_tag", Slug: "shipping", Name: "Shipping & trade", External: true}},
		Meta: []wordpress.Meta{{Key: wordpress.MetaCoauthor, Value: "jane-doe"}, {Key: wordpress.MetaSourceURL, Value: "https://example.com/ports?a=1&b=2"},
			{Key: wordpress.MetaMarkdown, Value: "Intro\n\n<!--more-->\n\n> With ]]> inside\n"}},
		CommentStatus: "open",
		Comments: []wordpress.Comment{{ID: 3, Author: "Ngozi & Co", AuthorEmail: "n@example.org", AuthorURL: "https://n.example/?a=1&b=2",
			AuthorIP: "192.0.2.1", Date: "2024-06-02 10:00:00", DateGMT: "2024-06-02 09:00:00", Content: "<p>Yes ]]> indeed</p>",
			Approved: "1"}, {ID: 4, Author: "Blog", Content: "[…]", Approved: "0", Type: "pingback", Parent: 3, UserID: 2,
			Date: "2024-06-03 10:00:00", DateGMT: "2024-06-03 09:00:00"}},
	}, {
		Title: "About", Link: "https://new.example.org/about/", Creator: "jane-doe", GUID: "https://new.example.org/?page_id=5",
		PostID: 5, PostDate: "0000-00-00 00:00:00", PostDateGMT: "0000-00-00 00:00:00", PostName: "about",
		Status: "draft", PostType: "page", ParentID: 4, MenuOrder: 3, CommentStatus: "closed",
	}}
	return c, items
}

func write(t testing.TB, c *wordpress.Channel, items []*wordpress.Item) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := wordpress.NewWriter(&buf)
	if err := w.WriteChannel(c); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := w.WriteItem(it); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func read(t testing.TB, doc []byte) (*wordpress.Channel, []*wordpress.Item) {
	t.Helper()
	p := wordpress.NewParser(bytes.NewReader(doc))
	var items []*wordpress.Item
	for {
		it, err := p.Next()
		if err == io.EOF {
			return p.Channel(), items
		}
		if err != nil {
			t.Fatalf("reading what the writer wrote: %v", err)
		}
		items = append(items, it)
	}
}

// TestRoundTrip reads back what the writer wrote: the same channel and
// items, but for the characters XML cannot carry, which the writer drops.
func TestRoundTrip(t *testing.T) {
	c, items := sample()
	gotC, gotItems := read(t, write(t, c, items))
	items[1].Content = strings.ReplaceAll(items[1].Content, "\x01", "")
	if diff := cmp.Diff(c, gotC, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("channel (-written +read):\n%s", diff)
	}
	if diff := cmp.Diff(items, gotItems, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(wordpress.Item{}, "Line")); diff != "" {
		t.Errorf("items (-written +read):\n%s", diff)
	}
	for i, it := range gotItems {
		if it.Line == 0 {
			t.Errorf("item %d has no line", i)
		}
	}
}

// TestWriterKeepsTheFirstError stops writing at the first failed write and
// says so from then on.
func TestWriterKeepsTheFirstError(t *testing.T) {
	c, items := sample()
	w := wordpress.NewWriter(failingWriter{})
	w.WriteChannel(c)
	for _, it := range items {
		w.WriteItem(it)
	}
	if err := w.Close(); !errors.Is(err, errDiskFull) {
		t.Errorf("Close = %v, want the write's error", err)
	}
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestParseErrors(t *testing.T) {
	c, items := sample()
	good := string(write(t, c, items))
	for _, tt := range []struct {
		name, src, wantMsg string
		wantLine           int
	}{
		{"truncated", good[:strings.Index(good, "<![CDATA[About]]>")+40], "truncated export", 0},
		{"HTML page", "<!DOCTYPE html>\n<html><body>Not an export</body></html>", "root element is <html>", 2},
		{"empty file", "", "no <rss> element", 1},
		{"plain RSS feed", `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</title></item></channel></rss>`, "no <wp:wxr_version>", 1},
		{"unknown version", strings.Replace(good, "<wp:wxr_version>1.2<", "<wp:wxr_version>9.0<", 1), `WXR version "9.0"`, 0},
		{"mismatched tag", strings.Replace(good, "</wp:post_name>", "</wp:post_nom>", 1), "invalid XML", 0},
	} {
		p := wordpress.NewParser(strings.NewReader(tt.src))
		var err error
		for err == nil {
			_, err = p.Next()
		}
		var pe *wordpress.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want a *ParseError", tt.name, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantMsg) || !strings.Contains(err.Error(), "line ") {
			t.Errorf("%s: error %q does not say %q and a line", tt.name, err, tt.wantMsg)
		}
		if tt.wantLine != 0 && pe.Line != tt.wantLine {
			t.Errorf("%s: line %d, want %d", tt.name, pe.Line, tt.wantLine)
		}
	}
}

func FuzzParser(f *testing.F) {
	c, items := sample()
	f.Add(string(write(f, c, items)))
	f.Add(`<rss><channel><wp:wxr_version>1.1</wp:wxr_version><item><title>x</title></item></channel></rss>`)
	f.Fuzz(func(t *testing.T, src string) {
		p := wordpress.NewParser(strings.NewReader(src))
		for i := 0; i < 10000; i++ {
			_, err := p.Next()
			if err != nil {
				var pe *wordpress.ParseError
				if err.Error() != "EOF" && !errors.As(err, &pe) {
					t.Fatalf("error %T %v is not a ParseError", err, err)
				}
				return
			}
		}
	})
}

// BenchmarkParse reads a generated export of 500 posts and 100
// attachments, nothing more: the baseline of the importer's benchmarks.
func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	if err := wxrtest.Generate(&buf, wxrtest.Spec{Posts: 500, Attachments: 100, Categories: 20, Tags: 100, Authors: 5}); err != nil {
		b.Fatal(err)
	}
	doc := buf.Bytes()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		p := wordpress.NewParser(bytes.NewReader(doc))
		for {
			if _, err := p.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
