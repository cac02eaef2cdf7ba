package feed_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/broadsheet/broadsheet/internal/site/feed"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// trickyTitle has every character XML and CDATA treat specially.
const trickyTitle = `Rates & risks: is 5 < 6? The “]]>” test – São Tomé’s view`

// whole is a written feed in one slice, which must be as long as the
// feed says.
func whole(d *feed.Doc, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	b := d.Bytes()
	if d.Len() != len(b) {
		return nil, fmt.Errorf("the feed's length is %d, its bytes %d", d.Len(), len(b))
	}
	return b, nil
}

func sample() *feed.Feed {
	pub := time.Date(2025, 12, 20, 18, 0, 0, 0, time.UTC)
	return &feed.Feed{
		Title: "Broadsheet – Africa", Description: "News & commentary", Language: "en-GB",
		HomeURL: "https://news.example/category/africa/",
		RSSURL:  "https://news.example/category/africa/feed/", AtomURL: "https://news.example/category/africa/feed/atom/",
		JSONURL: "https://news.example/category/africa/feed/json/", Hub: "https://hub.example/",
		Publisher: "Broadsheet", Logo: "https://news.example/static/logo.png", Updated: pub.Add(time.Hour),
		Items: []feed.Item{
			{
				ID: "https://news.example/?p=2", URL: "https://news.example/2025/12/20/tricky/", Title: trickyTitle,
				Summary: "A summary with <angle> & ampersand.", ContentHTML: "<p>Body with ]]&gt; and “quotes”.</p>",
				Published: pub, Updated: pub.Add(time.Hour),
				Authors:    []feed.Person{{Name: "Zoë Ångström", URL: "https://news.example/author/zoe/"}},
				Categories: []feed.Category{{Name: "Africa", URL: "https://news.example/category/africa/"}},
				Source: &feed.Source{Name: "Xinhua", URL: "https://xinhua.example/2025/12/19/a.html?x=1&y=2",
					Author: "Li Wei", Published: pub.Add(-24 * time.Hour),
					Feed: "https://xinhua.example/feeds/world.xml", FeedTitle: "Xinhua – World"},
			},
			{
				ID: "https://news.example/?p=1", URL: "https://news.example/2025/12/19/plain/", Title: "Plain",
				ContentHTML: "<p>Plain.</p>", Published: pub.Add(-time.Hour), Updated: pub.Add(-time.Hour),
			},
		},
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(*feed.Feed) (*feed.Doc, error)
	}{{"rss.xml", feed.RSS}, {"atom.xml", feed.Atom}, {"feed.json", feed.JSON}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := whole(tc.write(sample()))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run with -update if the change is meant):\n%s", tc.name, path, got)
			}
		})
	}
}

// TestParsedByIndependentReader reads every format back with gofeed and
// finds the same items, in order, with their text intact.
func TestParsedByIndependentReader(t *testing.T) {
	for _, write := range []func(*feed.Feed) (*feed.Doc, error){feed.RSS, feed.Atom, feed.JSON} {
		b, err := whole(write(sample()))
		if err != nil {
			t.Fatal(err)
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("gofeed cannot parse the feed: %v\n%s", err, b)
		}
		t.Run(f.FeedType, func(t *testing.T) {
			if f.Title != "Broadsheet – Africa" {
				t.Errorf("title = %q", f.Title)
			}
			if len(f.Items) != 2 {
				t.Fatalf("got %d items, want 2", len(f.Items))
			}
			it := f.Items[0]
			if it.Title != trickyTitle {
				t.Errorf("title = %q, want %q", it.Title, trickyTitle)
			}
			if !strings.Contains(it.Content, "]]&gt; and “quotes”") {
				t.Errorf("content = %q", it.Content)
			}
			if len(it.Authors) != 1 || it.Authors[0].Name != "Zoë Ångström" {
				t.Errorf("authors = %+v", it.Authors)
			}
			if it.PublishedParsed == nil || !it.PublishedParsed.Equal(time.Date(2025, 12, 20, 18, 0, 0, 0, time.UTC)) {
				t.Errorf("published = %v", it.PublishedParsed)
			}
			if f.Items[1].Title != "Plain" {
				t.Errorf("second item = %q", f.Items[1].Title)
			}
		})
	}
}

// TestWellFormedWithControlCharacters: a stray control character in a
// title (pasted from a word processor) must not make the XML unreadable.
func TestWellFormedWithControlCharacters(t *testing.T) {
	f := sample()
	f.Items[0].Title = "Bell\x07 and form feed\x0c"
	for _, write := range []func(*feed.Feed) (*feed.Doc, error){feed.RSS, feed.Atom} {
		b, err := whole(write(f))
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(bytes.NewReader(b))
		for {
			_, err := d.Token()
			if err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("not well-formed: %v", err)
				}
				break
			}
		}
	}
}

// TestJSONFeedRequiredFields checks what JSON Feed 1.1 requires: version,
// title and items at the top; id and content on every item; authors as
// objects; and that the original of a republished item is named.
func TestJSONFeedRequiredFields(t *testing.T) {
	b, err := whole(feed.JSON(sample()))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["version"] != "https://jsonfeed.org/version/1.1" {
		t.Errorf("version = %v", doc["version"])
	}
	if _, ok := doc["title"].(string); !ok {
		t.Error("no title")
	}
	items, ok := doc["items"].([]any)
	if !ok || len(items) != 2 {
		t.Fatalf("items = %v", doc["items"])
	}
	for i, raw := range items {
		it := raw.(map[string]any)
		if id, _ := it["id"].(string); id == "" {
			t.Errorf("item %d has no id", i)
		}
		_, html := it["content_html"].(string)
		_, text := it["content_text"].(string)
		if !html && !text {
			t.Errorf("item %d has neither content_html nor content_text", i)
		}
	}
	first := items[0].(map[string]any)
	if first["external_url"] != "https://xinhua.example/2025/12/19/a.html?x=1&y=2" {
		t.Errorf("external_url = %v", first["external_url"])
	}
	src := first["_broadsheet"].(map[string]any)["source"].(map[string]any)
	if src["name"] != "Xinhua" || src["author"] != "Li Wei" {
		t.Errorf("_broadsheet.source = %v", src)
	}
	if hubs := doc["hubs"].([]any); hubs[0].(map[string]any)["type"] != "WebSub" {
		t.Errorf("hubs = %v", hubs)
	}
}

func TestLanguageOnlyWhenATag(t *testing.T) {
	for lang, want := range map[string]bool{"en-GB": true, "pt": true, "zh-Hant-TW": true, "English (UK)": false, "en_GB": false, "": false} {
		f := sample()
		f.Language = lang
		b, err := whole(feed.Atom(f))
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(b, []byte(`xml:lang="`)); got != want {
			t.Errorf("language %q: xml:lang written %v, want %v", lang, got, want)
		}
	}
}

// TestKeptItemsWriteTheSameFeeds: items kept (each format encodes them
// once, for every feed they are put in) write the bytes items not kept
// write, in every format, with or without items.
func TestKeptItemsWriteTheSameFeeds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(*feed.Feed) (*feed.Doc, error)
	}{{"rss", feed.RSS}, {"atom", feed.Atom}, {"json", feed.JSON}} {
		for _, n := range []int{0, 1, 2} {
			plain := sample()
			plain.Items = plain.Items[:n]
			want, err := whole(tc.write(plain))
			if err != nil {
				t.Fatal(err)
			}
			kept := sample()
			kept.Items = kept.Items[:n]
			for i := range kept.Items {
				kept.Items[i].Keep()
			}
			for round := range 2 {
				got, err := whole(tc.write(kept))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s, %d items, round %d: kept items write\n%s\nwant\n%s", tc.name, n, round, got, want)
				}
			}
		}
	}
}
