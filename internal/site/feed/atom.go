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

func atomDate(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Atom writes f as an Atom 1.0 feed (RFC 4287).
func Atom(f *Feed) (*Doc, error) {
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
	const in, in2 = "\n    ", "\n      "
	b := make([]byte, 0, encodedSize(it))
	b = append(b, "  <entry>"...)
	b = appendElem(b, in, "id", it.ID)
	b = append(b, in+`<title type="text">`...)
	b = appendXMLText(b, it.Title)
	b = append(b, "</title>"...)
	b = appendLink(b, in, it.URL, "alternate", "text/html", "")
	if s := it.Source; s != nil && s.URL != "" {
		b = appendLink(b, in, s.URL, "via", "text/html", s.Name)
	}
	b = appendElem(b, in, "published", atomDate(it.Published))
	b = appendElem(b, in, "updated", atomDate(later(it.Published, it.Updated)))
	for _, a := range it.Authors {
		b = append(b, in+"<author>"...)
		b = appendElem(b, in2, "name", a.Name)
		if a.URL != "" {
			b = appendElem(b, in2, "uri", a.URL)
		}
		b = append(b, in+"</author>"...)
	}
	for _, c := range it.Categories {
		b = append(b, in+"<category"...)
		b = appendAttr(b, "term", c.Name)
		if c.URL != "" {
			b = appendAttr(b, "scheme", c.URL)
		}
		b = append(b, "></category>"...)
	}
	if it.Summary != "" {
		b = append(b, in+`<summary type="text">`...)
		b = appendXMLText(b, it.Summary)
		b = append(b, "</summary>"...)
	}
	b = append(b, in+`<content type="html">`...)
	b = appendXMLText(b, it.ContentHTML)
	b = append(b, "</content>"...)
	if s := it.Source; s != nil {
		b = append(b, in+"<source>"...)
		children := len(b)
		// The source is the outlet's feed when known: its id (its
		// address: an RSS feed has no other), its title and its link.
		if s.Feed != "" {
			b = appendElem(b, in2, "id", s.Feed)
		}
		title := s.Name
		if s.Feed != "" && s.FeedTitle != "" {
			title = s.FeedTitle
		}
		if title != "" {
			b = append(b, in2+`<title type="text">`...)
			b = appendXMLText(b, title)
			b = append(b, "</title>"...)
		}
		switch {
		case s.Feed != "":
			b = appendLink(b, in2, s.Feed, "self", "", "")
		case s.URL != "":
			b = appendLink(b, in2, s.URL, "alternate", "text/html", "")
		}
		if s.Author != "" {
			b = append(b, in2+"<author>"...)
			b = appendElem(b, "\n        ", "name", s.Author)
			b = append(b, in2+"</author>"...)
		}
		if !s.Published.IsZero() {
			b = appendElem(b, in2, "updated", atomDate(s.Published))
		}
		if len(b) > children { // an empty element closes on its line
			b = append(b, in...)
		}
		b = append(b, "</source>"...)
	}
	return append(b, "\n  </entry>"...), nil
}

// appendLink appends an Atom link element; type and title may be empty.
func appendLink(b []byte, indent, href, rel, typ, title string) []byte {
	b = append(b, indent+"<link"...)
	b = appendAttr(b, "href", href)
	b = appendAttr(b, "rel", rel)
	if typ != "" {
		b = appendAttr(b, "type", typ)
	}
	if title != "" {
		b = appendAttr(b, "title", title)
	}
	return append(b, "></link>"...)
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
