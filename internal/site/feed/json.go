package feed

import (
	"bytes"
	"encoding/json"
	"errors"
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
	Items       []jsonItem   `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type jsonHub struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url"`
	ExternalURL   string       `json:"external_url,omitempty"`
	Title         string       `json:"title"`
	ContentHTML   string       `json:"content_html"`
	Summary       string       `json:"summary,omitempty"`
	DatePublished string       `json:"date_published"`
	DateModified  string       `json:"date_modified"`
	Authors       []jsonAuthor `json:"authors,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
	Broadsheet    *jsonExt     `json:"_broadsheet,omitempty"`
}

// jsonExt is Broadsheet's extension to JSON Feed items (extensions start
// with an underscore, as the spec asks).
type jsonExt struct {
	About  string      `json:"about"`
	Source *jsonSource `json:"source,omitempty"`
}

type jsonSource struct {
	Name          string `json:"name,omitempty"`
	URL           string `json:"url,omitempty"`
	Author        string `json:"author,omitempty"`
	DatePublished string `json:"date_published,omitempty"`
}

// JSON writes f as a JSON Feed 1.1. A republished item carries the
// original as external_url and in full under _broadsheet.source.
func JSON(f *Feed) (*Doc, error) {
	doc := jsonFeed{
		Version: JSONFeedVersion, Title: f.Title, HomePageURL: f.HomeURL, FeedURL: f.JSONURL,
		Description: f.Description, Icon: f.Logo, Favicon: f.Icon, Language: f.Language,
		Items: []jsonItem{},
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

// jsonItemBytes writes an item as it stands in a feed's list of items.
func jsonItemBytes(it *Item) ([]byte, error) {
	ji := jsonItem{
		ID: it.ID, URL: it.URL, Title: it.Title, ContentHTML: it.ContentHTML, Summary: it.Summary,
		DatePublished: atomDate(it.Published), DateModified: atomDate(later(it.Published, it.Updated)),
	}
	for _, a := range it.Authors {
		ji.Authors = append(ji.Authors, jsonAuthor{Name: a.Name, URL: a.URL})
	}
	for _, c := range it.Categories {
		ji.Tags = append(ji.Tags, c.Name)
	}
	if s := it.Source; s != nil {
		ji.ExternalURL = s.URL
		js := &jsonSource{Name: s.Name, URL: s.URL, Author: s.Author}
		if !s.Published.IsZero() {
			js.DatePublished = atomDate(s.Published)
		}
		ji.Broadsheet = &jsonExt{About: GeneratorURI, Source: js}
	}
	b, err := encodeJSON(ji, "    ")
	return bytes.TrimSuffix(b, []byte("\n")), err
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
