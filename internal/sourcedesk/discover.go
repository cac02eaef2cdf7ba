package sourcedesk

import (
	"bytes"
	"context"
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
	resp, err := d.get(ctx, fetch.Request{URL: homepage, Accept: "text/html, " + acceptFeed})
	if err != nil {
		return nil, content.FieldError("homepage", "could not read the homepage to find its feeds: %v", err)
	}
	if gofeed.DetectFeedType(bytes.NewReader(resp.Body)) != gofeed.FeedTypeUnknown {
		return []string{resp.URL}, nil
	}
	feeds := FeedLinks(resp.Body, resp.URL)
	if len(feeds) == 0 {
		return nil, content.FieldError("feeds",
			"%s announces no feed (no <link rel=\"alternate\"> to RSS, Atom or JSON Feed); give the feed's address", homepage)
	}
	return feeds, nil
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
