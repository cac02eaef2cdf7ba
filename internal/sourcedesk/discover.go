package sourcedesk

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/fetch"
)

// feedTypes are the autodiscovery link types of feeds.
var feedTypes = map[string]bool{
	"application/rss+xml": true, "application/atom+xml": true, "application/feed+json": true,
	"application/json": true, "application/rdf+xml": true, "text/xml": true, "application/xml": true,
}

const acceptFeed = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"

// Discover returns the feeds of a homepage: the homepage itself when it is
// a feed, else the targets of its <link rel="alternate"> autodiscovery
// links, in page order.
func (d *Desk) Discover(ctx context.Context, homepage string) ([]string, error) {
	s, err := d.Suggest(ctx, homepage)
	return s.Feeds, err
}

// Suggestion is what a homepage says of its outlet.
type Suggestion struct {
	// Name is the outlet's name as the homepage gives it (og:site_name,
	// else the publisher or site named in its JSON-LD); "" when it names
	// none.
	Name  string
	Feeds []string // as Discover finds them
}

// Suggest reads a homepage for the source to be made of it: its feeds, as
// Discover finds them, and the outlet's name. Finding no feed is an error
// naming the homepage; the name found so far is returned with it.
func (d *Desk) Suggest(ctx context.Context, homepage string) (Suggestion, error) {
	resp, err := d.get(ctx, fetch.Request{URL: homepage, Accept: "text/html, " + acceptFeed})
	if err != nil {
		return Suggestion{}, content.FieldError("homepage", "could not read the homepage to find its feeds: %v", err)
	}
	if gofeed.DetectFeedType(bytes.NewReader(resp.Body)) != gofeed.FeedTypeUnknown {
		s := Suggestion{Feeds: []string{resp.URL}}
		if _, title, err := d.ParseFeed(feedUTF8(resp.Body, resp.ContentType), resp.URL); err == nil {
			s.Name = title
		}
		return s, nil
	}
	page := pageUTF8(resp.Body, resp.ContentType)
	s := Suggestion{Name: Truncate(SiteName(page), 199), Feeds: FeedLinks(page, resp.URL)}
	if len(s.Feeds) == 0 {
		return s, content.FieldError("feeds",
			"%s announces no feed (no <link rel=\"alternate\"> to RSS, Atom or JSON Feed); give the feed's address", homepage)
	}
	return s, nil
}

// SiteName is the name a page gives its publication: its og:site_name,
// else the publisher of its JSON-LD, else the name of a WebSite or news
// organisation its JSON-LD describes; "" when it names none.
func SiteName(page []byte) string {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return ""
	}
	var og string
	var ld []any
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Meta:
				if og == "" && (strings.EqualFold(attr(n, "property"), "og:site_name") || strings.EqualFold(attr(n, "name"), "og:site_name")) {
					og = strings.TrimSpace(attr(n, "content"))
				}
			case atom.Script:
				if strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") && n.FirstChild != nil {
					var v any
					if json.Unmarshal([]byte(n.FirstChild.Data), &v) == nil {
						ld = append(ld, v)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if og != "" {
		return plainText(og)
	}
	var publisher, site string
	var look func(v any)
	look = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				look(x)
			}
		case map[string]any:
			if p, ok := v["publisher"]; ok && publisher == "" {
				switch p := p.(type) {
				case map[string]any:
					publisher, _ = p["name"].(string)
				case []any:
					if len(p) > 0 {
						if m, ok := p[0].(map[string]any); ok {
							publisher, _ = m["name"].(string)
						}
					}
				}
			}
			if name, ok := v["name"].(string); ok && site == "" && siteTypes[ldType(v["@type"])] {
				site = name
			}
			for k, x := range v {
				if k != "publisher" {
					look(x)
				}
			}
		}
	}
	look(ld)
	if strings.TrimSpace(publisher) != "" {
		return plainText(publisher)
	}
	return plainText(site)
}

// siteTypes are the schema.org types whose name is the publication's.
var siteTypes = map[string]bool{"WebSite": true, "NewsMediaOrganization": true, "Organization": true}

// ldType is a JSON-LD @type, the first of a list.
func ldType(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		if len(v) > 0 {
			s, _ := v[0].(string)
			return s
		}
	}
	return ""
}

// FeedLinks returns the absolute URLs of the feed autodiscovery links in an
// HTML page fetched from pageURL, honouring <base href>.
func FeedLinks(page []byte, pageURL string) []string {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil
	}
	var (
		out  []string
		seen = map[string]bool{}
		walk func(*html.Node)
	)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Base {
			if b, err := base.Parse(attr(n, "href")); err == nil && attr(n, "href") != "" {
				base = b
			}
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Link {
			rels := strings.Fields(strings.ToLower(attr(n, "rel")))
			typ := strings.ToLower(strings.TrimSpace(strings.Split(attr(n, "type"), ";")[0]))
			if contains(rels, "alternate") && feedTypes[typ] && attr(n, "href") != "" {
				if u, err := base.Parse(strings.TrimSpace(attr(n, "href"))); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
					if s := u.String(); !seen[s] {
						seen[s] = true
						out = append(out, s)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
