package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
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

// textHTML is plain text as the HTML that shows it. RSS 2.0's
// descriptions are HTML, escaped once more as XML, and readers render
// them: text written there as it is would have a "<" in it taken for a
// tag, and an excerpt such as <img src=x onerror=…> run in the reader.
// Only "&", "<" and ">" mean anything in HTML's text; quotes are left as
// they are, so the feed stays readable.
var textHTML = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// rssDate is RFC 822's date as RSS 2.0 wants it, with a four-digit year.
func rssDate(t time.Time) string { return t.UTC().Format("Mon, 02 Jan 2006 15:04:05 +0000") }

// RSS writes f as RSS 2.0 with the content, Dublin Core and Atom modules.
func RSS(f *Feed) (*Doc, error) {
	ch := rssChannel{
		Title: f.Title, Link: f.HomeURL, Description: textHTML(f.Description), Language: languageTag(f.Language),
		LastBuildDate: rssDate(f.Updated), Generator: Generator,
		Links: []atomLink{{Href: f.RSSURL, Rel: "self", Type: "application/rss+xml"}},
	}
	if f.Hub != "" {
		ch.Links = append(ch.Links, atomLink{Href: f.Hub, Rel: "hub"})
	}
	if f.Icon != "" {
		ch.Image = &rssImage{URL: f.Icon, Title: f.Title, Link: f.HomeURL}
	}
	doc := rssDoc{
		Version: "2.0", NSContent: "http://purl.org/rss/1.0/modules/content/",
		NSDC: "http://purl.org/dc/elements/1.1/", NSAtom: "http://www.w3.org/2005/Atom", Channel: ch,
	}
	// The channel is written without its items, which are written each on
	// its own (see Item.Keep) where the channel closes: items are the
	// channel's last elements.
	return withItems(doc, "\n  </channel>\n</rss>\n", f.Items, formatRSS, rssItemXML)
}

// rssItemXML writes an item as RSS does inside its channel, at its depth.
func rssItemXML(it *Item) ([]byte, error) {
	const in = "\n      "
	b := make([]byte, 0, encodedSize(it))
	b = append(b, "    <item>"...)
	b = appendElem(b, in, "title", it.Title)
	b = appendElem(b, in, "link", it.URL)
	b = append(b, in+`<guid isPermaLink="`...)
	if it.IDIsURL {
		b = append(b, `true">`...)
	} else {
		b = append(b, `false">`...)
	}
	b = appendXMLText(b, it.ID)
	b = append(b, "</guid>"...)
	b = appendElem(b, in, "pubDate", rssDate(it.Published))
	for _, a := range it.Authors {
		b = appendElem(b, in, "dc:creator", a.Name)
	}
	for _, c := range it.Categories {
		b = appendElem(b, in, "category", c.Name)
	}
	if it.Summary != "" {
		b = appendElem(b, in, "description", textHTML(it.Summary))
	}
	b = appendElem(b, in, "content:encoded", it.ContentHTML)
	if it.Source != nil && (it.Source.Feed != "" || it.Source.URL != "") {
		// RSS's source names the channel the item came from: the outlet's
		// feed when known, else (a post attributed by hand) the original.
		url := it.Source.Feed
		if url == "" {
			url = it.Source.URL
		}
		b = append(b, in+"<source"...)
		b = appendAttr(b, "url", url)
		b = append(b, '>')
		b = appendXMLText(b, sourceName(it.Source))
		b = append(b, "</source>"...)
	}
	return append(b, "\n    </item>"...), nil
}

// sourceName is the outlet's name, else the original's host-bearing URL.
func sourceName(s *Source) string {
	if s.Name != "" {
		return s.Name
	}
	return s.URL
}

// withItems writes doc, whose items are left out, and puts the items,
// each as encode writes it, before closing, the end of what doc writes.
func withItems(doc any, closing string, items []Item, format int, encode func(*Item) ([]byte, error)) (*Doc, error) {
	b, err := marshalXML(doc)
	if err != nil {
		return nil, err
	}
	head, ok := bytes.CutSuffix(b, []byte(closing))
	if !ok {
		return nil, errors.New("feed: the document does not end as expected")
	}
	d := &Doc{parts: make([][]byte, 0, 2+2*len(items))}
	d.add(head)
	for i := range items {
		item, err := items[i].encoded(format, encode)
		if err != nil {
			return nil, err
		}
		d.add(newline)
		d.add(item)
	}
	d.add([]byte(closing))
	return d, nil
}

var newline = []byte("\n")

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
