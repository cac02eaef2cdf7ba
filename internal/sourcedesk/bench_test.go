package sourcedesk_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/mmcdole/gofeed"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// bigFeed is an RSS feed of n items with full content, like an agency's.
func bigFeed(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire</title><link>https://wire.example/</link>`)
	para := strings.Repeat("Leaders gathered on Wednesday for a summit on trade and security. ", 8)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<item><title>Story number %d about the summit</title><link>/2026/01/story-%d.html?utm_source=rss</link><guid>wire-%d</guid>
<pubDate>Wed, 14 Jan 2026 09:%02d:00 +0000</pubDate><description>%s</description><content:encoded><![CDATA[<p>%s</p><p>%s</p><script>x()</script>]]></content:encoded></item>`,
			i, i, i, i%60, para[:200], para, para)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

// BenchmarkParseFeed compares the desk's feed reading (parse, resolve
// links, plain-text titles and summaries, sanitise content) with the bare
// gofeed parse it builds on, on a 100-item feed.
func BenchmarkParseFeed(b *testing.B) {
	feed := bigFeed(100)
	b.Run("baseline=gofeed-parse", func(b *testing.B) {
		b.SetBytes(int64(len(feed)))
		for b.Loop() {
			if _, err := gofeed.NewParser().Parse(bytes.NewReader(feed)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("desk-ParseFeed", func(b *testing.B) {
		d := &sourcedesk.Desk{}
		b.SetBytes(int64(len(feed)))
		for b.Loop() {
			if _, _, err := d.ParseFeed(feed, "https://wire.example/feed.xml"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkExtract compares the desk's extraction (readability, sanitising,
// splitting into blocks) with readability alone, on the cluttered article.
func BenchmarkExtract(b *testing.B) {
	page, err := os.ReadFile("testdata/article.html")
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse("https://wire.example/2026/01/14/summit.html")
	b.Run("baseline=readability", func(b *testing.B) {
		for b.Loop() {
			if _, err := readability.FromReader(bytes.NewReader(page), u); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("desk-Extract", func(b *testing.B) {
		for b.Loop() {
			if _, err := sourcedesk.Extract(page, u.String()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPoll measures one poll of a source whose 100-item feed the
// inbox already holds (the steady state: every item checked for
// duplicates, none added), beside fetching and parsing the same feed
// without touching the database.
func BenchmarkPoll(b *testing.B) {
	feed := bigFeed(100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(feed) // no validators: every poll reads the whole feed
	}))
	defer srv.Close()
	client := fetch.New(fetch.Options{AllowPrivate: true})
	d := &sourcedesk.Desk{}
	b.Run("baseline=fetch+parse", func(b *testing.B) {
		for b.Loop() {
			resp, err := client.Get(b.Context(), fetch.Request{URL: srv.URL + "/feed.xml"})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := d.ParseFeed(resp.Body, resp.URL); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, engine := range storetest.Engines(b) {
		b.Run("desk-PollNow/"+engine, func(b *testing.B) {
			db := storetest.Open(b, engine)
			desk := &sourcedesk.Desk{DB: db, Fetch: client}
			o := &content.Outlet{Name: "Wire", Feeds: []content.Feed{{URL: srv.URL + "/feed.xml"}}}
			if err := desk.AddOutlet(b.Context(), o); err != nil {
				b.Fatal(err)
			}
			if r, err := desk.PollNow(b.Context(), o.ID); err != nil || r.Added != 100 {
				b.Fatalf("first poll: %+v %v", r, err)
			}
			t := db.Now()
			for b.Loop() {
				t = t.Add(time.Hour)
				db.Now = func() time.Time { return t }
				r, err := desk.PollNow(b.Context(), o.ID)
				if err != nil || r.Duplicates != 100 {
					b.Fatalf("poll: %+v %v", r, err)
				}
			}
			if _, n, _ := db.FindItems(b.Context(), store.ItemFilter{}); n != 100 {
				b.Fatalf("inbox holds %d", n)
			}
		})
	}
}
