package feed

import (
	"encoding/xml"
	"strings"
	"time"
)

type atomFeed struct {
	XMLName   xml.Name      `xml:"feed"`
	NS        string        `xml:"xmlns,attr"`
	Lang      string        `xml:"xml:lang,attr,omitempty"`
	ID        string        `xml:"id"`
	Title     atomText      `xml:"title"`
	Subtitle  *atomText     `xml:"subtitle"`
	Updated   string        `xml:"updated"`
	Links     []atomFeedLnk `xml:"link"`
	Author    *atomPerson   `xml:"author"`
	Generator atomGenerator `xml:"generator"`
	Icon      string        `xml:"icon,omitempty"`
	Logo      string        `xml:"logo,omitempty"`
	Entries   []atomEntry   `xml:"entry"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type atomFeedLnk struct {
	Href  string `xml:"href,attr"`
	Rel   string `xml:"rel,attr"`
	Type  string `xml:"type,attr,omitempty"`
	Title string `xml:"title,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomGenerator struct {
	URI   string `xml:"uri,attr"`
	Value string `xml:",chardata"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Links      []atomFeedLnk  `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary"`
	Content    atomText       `xml:"content"`
	Source     *atomSource    `xml:"source"`
}

// atomSource is RFC 4287's atom:source: metadata of where the entry
// first appeared.
type atomSource struct {
	Title   *atomText     `xml:"title"`
	Links   []atomFeedLnk `xml:"link"`
	Author  *atomPerson   `xml:"author"`
	Updated string        `xml:"updated,omitempty"`
}

func atomDate(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Atom writes f as an Atom 1.0 feed (RFC 4287).
func Atom(f *Feed) ([]byte, error) {
	doc := atomFeed{
		NS: "http://www.w3.org/2005/Atom", Lang: languageTag(f.Language), ID: f.AtomURL,
		Title: atomText{Type: "text", Value: f.Title}, Updated: atomDate(f.Updated),
		Links: []atomFeedLnk{
			{Href: f.AtomURL, Rel: "self", Type: "application/atom+xml"},
			{Href: f.HomeURL, Rel: "alternate", Type: "text/html"},
		},
		Author:    &atomPerson{Name: f.Publisher, URI: f.HomeURL},
		Generator: atomGenerator{URI: GeneratorURI, Value: Generator},
		Icon:      f.Icon, Logo: f.Logo,
	}
	if f.Description != "" {
		doc.Subtitle = &atomText{Type: "text", Value: f.Description}
	}
	if f.Hub != "" {
		doc.Links = append(doc.Links, atomFeedLnk{Href: f.Hub, Rel: "hub"})
	}
	// The entries are written each on its own (see Item.Keep) where the
	// feed closes: they are its last elements.
	return withItems(doc, "\n</feed>\n", f.Items, formatAtom, atomEntryXML)
}

// atomEntryXML writes an item as an Atom entry, at its depth in a feed.
func atomEntryXML(it *Item) ([]byte, error) {
	e := atomEntry{
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
		e.Categories = append(e.Categories, atomCategory{Term: c.Name, Scheme: c.URL})
	}
	if s := it.Source; s != nil {
		if s.URL != "" {
			e.Links = append(e.Links, atomFeedLnk{Href: s.URL, Rel: "via", Type: "text/html", Title: s.Name})
		}
		src := &atomSource{}
		if s.Name != "" {
			src.Title = &atomText{Type: "text", Value: s.Name}
		}
		if s.URL != "" {
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
	return elementXML(e, "entry", "  ")
}

// later returns the later of two times; an update before publication (a
// post scheduled after its last edit) is reported as the publication.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// languageTag returns lang when it has the shape of a language tag (RFC
// 4287's atomLanguageTag), else "": a language setting typed as "English"
// must not make the feed invalid.
func languageTag(lang string) string {
	parts := strings.Split(lang, "-")
	for i, p := range parts {
		if len(p) < 1 || len(p) > 8 {
			return ""
		}
		for _, r := range p {
			alpha := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
			if !alpha && (i == 0 || r < '0' || r > '9') {
				return ""
			}
		}
	}
	return lang
}
