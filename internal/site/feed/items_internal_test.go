package feed

import (
	"bytes"
	"encoding/xml"
	"math/rand/v2"
	"testing"
	"time"
)

// The items as encoding/xml and encoding/json wrote them before they were
// written by hand: the oracles the hand-written items must equal.
type oracleRSSItem struct {
	Title       string           `xml:"title"`
	Link        string           `xml:"link"`
	GUID        oracleRSSGUID    `xml:"guid"`
	PubDate     string           `xml:"pubDate"`
	Creators    []string         `xml:"dc:creator"`
	Categories  []string         `xml:"category"`
	Description string           `xml:"description,omitempty"`
	Content     string           `xml:"content:encoded"`
	Source      *oracleRSSSource `xml:"source"`
}

type oracleRSSGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type oracleRSSSource struct {
	URL  string `xml:"url,attr"`
	Name string `xml:",chardata"`
}

type oracleAtomEntry struct {
	ID         string               `xml:"id"`
	Title      atomText             `xml:"title"`
	Links      []atomFeedLnk        `xml:"link"`
	Published  string               `xml:"published"`
	Updated    string               `xml:"updated"`
	Authors    []atomPerson         `xml:"author"`
	Categories []oracleAtomCategory `xml:"category"`
	Summary    *atomText            `xml:"summary"`
	Content    atomText             `xml:"content"`
	Source     *oracleAtomSource    `xml:"source"`
}

type oracleAtomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
}

type oracleAtomSource struct {
	ID      string        `xml:"id,omitempty"`
	Title   *atomText     `xml:"title"`
	Links   []atomFeedLnk `xml:"link"`
	Author  *atomPerson   `xml:"author"`
	Updated string        `xml:"updated,omitempty"`
}

type oracleJSONItem struct {
	ID            string         `json:"id"`
	URL           string         `json:"url"`
	ExternalURL   string         `json:"external_url,omitempty"`
	Title         string         `json:"title"`
	ContentHTML   string         `json:"content_html"`
	Summary       string         `json:"summary,omitempty"`
	DatePublished string         `json:"date_published"`
	DateModified  string         `json:"date_modified"`
	Authors       []jsonAuthor   `json:"authors,omitempty"`
	Tags          []string       `json:"tags,omitempty"`
	Broadsheet    *oracleJSONExt `json:"_broadsheet,omitempty"`
}

type oracleJSONExt struct {
	About  string            `json:"about"`
	Source *oracleJSONSource `json:"source,omitempty"`
}

type oracleJSONSource struct {
	Name          string `json:"name,omitempty"`
	URL           string `json:"url,omitempty"`
	Author        string `json:"author,omitempty"`
	DatePublished string `json:"date_published,omitempty"`
}

func oracleJSON(it *Item) ([]byte, error) {
	ji := oracleJSONItem{
		ID: it.ID, URL: it.URL, Title: it.Title, ContentHTML: it.ContentHTML, Summary: it.Summary,
		DatePublished: atomDate(it.Published), DateModified: atomDate(later(it.Published, it.Updated)),
	}
	for _, a := range it.Authors {
		ji.Authors = append(ji.Authors, jsonAuthor(a))
	}
	for _, c := range it.Categories {
		ji.Tags = append(ji.Tags, c.Name)
	}
	if s := it.Source; s != nil {
		ji.ExternalURL = s.URL
		js := &oracleJSONSource{Name: s.Name, URL: s.URL, Author: s.Author}
		if !s.Published.IsZero() {
			js.DatePublished = atomDate(s.Published)
		}
		ji.Broadsheet = &oracleJSONExt{About: GeneratorURI, Source: js}
	}
	b, err := encodeJSON(ji, "    ")
	return bytes.TrimSuffix(b, []byte("\n")), err
}

func oracleRSS(it *Item) ([]byte, error) {
	ri := oracleRSSItem{
		Title: it.Title, Link: it.URL, GUID: oracleRSSGUID{IsPermaLink: it.IDIsURL, Value: it.ID},
		PubDate: rssDate(it.Published), Description: textHTML(it.Summary), Content: it.ContentHTML,
	}
	for _, a := range it.Authors {
		ri.Creators = append(ri.Creators, a.Name)
	}
	for _, c := range it.Categories {
		ri.Categories = append(ri.Categories, c.Name)
	}
	if s := it.Source; s != nil && (s.Feed != "" || s.URL != "") {
		url := s.Feed
		if url == "" {
			url = s.URL
		}
		ri.Source = &oracleRSSSource{URL: url, Name: sourceName(s)}
	}
	return oracleElement(ri, "item", "    ")
}

func oracleAtom(it *Item) ([]byte, error) {
	e := oracleAtomEntry{
		ID: it.ID, Title: atomText{Type: "text", Value: it.Title},
		Links:     []atomFeedLnk{{Href: it.URL, Rel: "alternate", Type: "text/html"}},
		Published: atomDate(it.Published), Updated: atomDate(later(it.Published, it.Updated)),
		Content: atomText{Type: "html", Value: it.ContentHTML},
	}
	if it.Summary != "" {
		e.Summary = &atomText{Type: "text", Value: it.Summary}
	}
	for _, a := range it.Authors {
		e.Authors = append(e.Authors, atomPerson{Name: a.Name, URI: a.URL})
	}
	for _, c := range it.Categories {
		e.Categories = append(e.Categories, oracleAtomCategory{Term: c.Name, Scheme: c.URL})
	}
	if s := it.Source; s != nil {
		if s.URL != "" {
			e.Links = append(e.Links, atomFeedLnk{Href: s.URL, Rel: "via", Type: "text/html", Title: s.Name})
		}
		src := &oracleAtomSource{ID: s.Feed}
		title := s.Name
		if s.Feed != "" && s.FeedTitle != "" {
			title = s.FeedTitle
		}
		if title != "" {
			src.Title = &atomText{Type: "text", Value: title}
		}
		if s.Feed != "" {
			src.Links = []atomFeedLnk{{Href: s.Feed, Rel: "self"}}
		} else if s.URL != "" {
			src.Links = []atomFeedLnk{{Href: s.URL, Rel: "alternate", Type: "text/html"}}
		}
		if s.Author != "" {
			src.Author = &atomPerson{Name: s.Author}
		}
		if !s.Published.IsZero() {
			src.Updated = atomDate(s.Published)
		}
		e.Source = src
	}
	return oracleElement(e, "entry", "  ")
}

func oracleElement(v any, name, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	enc.Indent(prefix, "  ")
	if err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: name}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// awkward are the pieces random texts are made of: markup characters,
// white space XML escapes, control characters and bytes it cannot hold,
// a real U+FFFD, characters of each UTF-8 length and the edges of the
// ranges XML allows.
var awkward = []string{
	"", "a", "Zoë", " ", "&", "<", ">", `"`, "'", "\t", "\n", "\r", "\x00", "\x01", "\x1f", "\x7f",
	"\x80", "\xff", "\xc3", "\xed\xa0\x80", "\uFFFD", "\uFFFE", "\uD7FF", "\uE000", "\U00010000",
	"\U0010FFFF", "“", "São Tomé", "]]>", "&amp;", "<p>Body</p>", "https://news.example/a?x=1&y=2",
	"\\", "\b", "\f", "\u2028", "\u2029", "\u007f", "/",
}

func randomText(r *rand.Rand) string {
	var b []byte
	for range r.IntN(6) {
		b = append(b, awkward[r.IntN(len(awkward))]...)
	}
	return string(b)
}

func randomItem(r *rand.Rand) *Item {
	t := time.Date(2000+r.IntN(30), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), 0, 0, 0, time.UTC)
	it := &Item{
		ID: randomText(r), IDIsURL: r.IntN(2) == 0, URL: randomText(r), Title: randomText(r),
		Summary: randomText(r), ContentHTML: randomText(r), Published: t,
		Updated: t.Add(time.Duration(r.IntN(96)-48) * time.Hour),
	}
	for range r.IntN(3) {
		it.Authors = append(it.Authors, Person{Name: randomText(r), URL: randomText(r)})
	}
	for range r.IntN(4) {
		it.Categories = append(it.Categories, Category{Name: randomText(r), URL: randomText(r)})
	}
	if r.IntN(3) > 0 {
		it.Source = &Source{Name: randomText(r), URL: randomText(r), Author: randomText(r)}
		if r.IntN(2) == 0 {
			it.Source.Published = t.Add(-time.Hour)
		}
		if r.IntN(2) == 0 {
			it.Source.Feed, it.Source.FeedTitle = randomText(r), randomText(r)
		}
	}
	return it
}

// TestItemsWrittenAsEncodingXMLAndJSON compares the hand-written RSS
// items and Atom entries with what encoding/xml writes for the same
// elements, and JSON Feed items with what encoding/json writes.
func TestItemsWrittenAsEncodingXMLAndJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	items := []*Item{
		{}, // every text empty, no authors, terms or source
		{Source: &Source{}},
		{Source: &Source{URL: "https://a.example/"}},
		{Source: &Source{Author: "Li Wei"}},
	}
	for range 5000 {
		items = append(items, randomItem(r))
	}
	for i, it := range items {
		for _, f := range []struct {
			name          string
			write, oracle func(*Item) ([]byte, error)
		}{{"RSS item", rssItemXML, oracleRSS}, {"Atom entry", atomEntryXML, oracleAtom}, {"JSON item", jsonItemBytes, oracleJSON}} {
			got, err := f.write(it)
			if err != nil {
				t.Fatal(err)
			}
			want, err := f.oracle(it)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s %d, %+v:\n got %q\nwant %q", f.name, i, *it, got, want)
			}
		}
	}
}
