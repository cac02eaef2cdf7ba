package feed

import (
	"bytes"
	"encoding/xml"
	"time"
)

type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string     `xml:"title"`
	Link          string     `xml:"link"`
	Description   string     `xml:"description"`
	Language      string     `xml:"language,omitempty"`
	LastBuildDate string     `xml:"lastBuildDate"`
	Generator     string     `xml:"generator"`
	Links         []atomLink `xml:"atom:link"`
	Image         *rssImage  `xml:"image"`
	Items         []rssItem  `xml:"item"`
}

// atomLink is an atom:link inside RSS, where the prefix is declared on
// the root; encoding/xml writes a prefixed name as it is spelled.
type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type rssImage struct {
	URL   string `xml:"url"`
	Title string `xml:"title"`
	Link  string `xml:"link"`
}

type rssItem struct {
	Title       string     `xml:"title"`
	Link        string     `xml:"link"`
	GUID        rssGUID    `xml:"guid"`
	PubDate     string     `xml:"pubDate"`
	Creators    []string   `xml:"dc:creator"`
	Categories  []string   `xml:"category"`
	Description string     `xml:"description,omitempty"`
	Content     string     `xml:"content:encoded"`
	Source      *rssSource `xml:"source"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type rssSource struct {
	URL  string `xml:"url,attr"`
	Name string `xml:",chardata"`
}

// rssDate is RFC 822's date as RSS 2.0 wants it, with a four-digit year.
func rssDate(t time.Time) string { return t.UTC().Format("Mon, 02 Jan 2006 15:04:05 +0000") }

// RSS writes f as RSS 2.0 with the content, Dublin Core and Atom modules.
func RSS(f *Feed) ([]byte, error) {
	ch := rssChannel{
		Title: f.Title, Link: f.HomeURL, Description: f.Description, Language: languageTag(f.Language),
		LastBuildDate: rssDate(f.Updated), Generator: Generator,
		Links: []atomLink{{Href: f.RSSURL, Rel: "self", Type: "application/rss+xml"}},
	}
	if f.Hub != "" {
		ch.Links = append(ch.Links, atomLink{Href: f.Hub, Rel: "hub"})
	}
	if f.Icon != "" {
		ch.Image = &rssImage{URL: f.Icon, Title: f.Title, Link: f.HomeURL}
	}
	for _, it := range f.Items {
		ri := rssItem{
			Title: it.Title, Link: it.URL, GUID: rssGUID{IsPermaLink: it.IDIsURL, Value: it.ID},
			PubDate: rssDate(it.Published), Description: it.Summary, Content: it.ContentHTML,
		}
		for _, a := range it.Authors {
			ri.Creators = append(ri.Creators, a.Name)
		}
		for _, c := range it.Categories {
			ri.Categories = append(ri.Categories, c.Name)
		}
		if it.Source != nil && it.Source.URL != "" {
			ri.Source = &rssSource{URL: it.Source.URL, Name: sourceName(it.Source)}
		}
		ch.Items = append(ch.Items, ri)
	}
	doc := rssDoc{
		Version: "2.0", NSContent: "http://purl.org/rss/1.0/modules/content/",
		NSDC: "http://purl.org/dc/elements/1.1/", NSAtom: "http://www.w3.org/2005/Atom", Channel: ch,
	}
	return marshalXML(doc)
}

// sourceName is the outlet's name, else the original's host-bearing URL.
func sourceName(s *Source) string {
	if s.Name != "" {
		return s.Name
	}
	return s.URL
}

func marshalXML(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
