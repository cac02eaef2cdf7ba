// Package feed writes syndication feeds: RSS 2.0, Atom 1.0 (RFC 4287) and
// JSON Feed 1.1, from one description of a feed. It knows nothing of the
// store or of HTTP: the site fills a Feed and serves the bytes, so every
// format says the same thing and each can be golden-tested on its own.
package feed

import (
	"sync"
	"time"
)

// Generator names the software in every feed.
const Generator = "Broadsheet"

// GeneratorURI is the generator's home.
const GeneratorURI = "https://github.com/broadsheet/broadsheet"

// Content types of the three formats.
const (
	TypeRSS  = "application/rss+xml; charset=utf-8"
	TypeAtom = "application/atom+xml; charset=utf-8"
	TypeJSON = "application/feed+json; charset=utf-8"
)

// Feed is a list of the latest items of a site or of one of its archives.
type Feed struct {
	Title string // plain text
	// Description is plain text; RSS writes it as the HTML that shows
	// it, Atom and JSON Feed as text.
	Description string
	Language    string // BCP 47
	// HomeURL is the HTML page the feed follows (the front page or the
	// archive), absolute.
	HomeURL string
	// RSSURL, AtomURL and JSONURL are the feed's own addresses in each
	// format, absolute; each format names itself as "self".
	RSSURL, AtomURL, JSONURL string
	// Hub is the WebSub hub to advertise; empty for none.
	Hub string
	// Publisher is who stands behind the feed when an item names no
	// author (Atom requires an author for every entry).
	Publisher string
	// Icon is an absolute URL of a square image, Logo of a wide one.
	Icon, Logo string
	// Updated is the latest change among the items; a feed with no items
	// should set a fixed time, so that its bytes depend only on its state.
	Updated time.Time
	Items   []Item
}

// Item is one article in a feed.
type Item struct {
	// ID never changes for the article: its import guid when it came from
	// another system, else an address made from its number.
	ID string
	// IDIsURL tells RSS readers that ID is the article's address.
	IDIsURL bool
	URL     string // the article on the site, absolute
	Title   string // plain text
	// Summary is plain text; RSS writes it as the HTML that shows it,
	// Atom and JSON Feed as text.
	Summary string
	// ContentHTML is the article, or its teaser, as sanitised HTML with
	// absolute links.
	ContentHTML string
	Published   time.Time
	Updated     time.Time
	Authors     []Person
	Categories  []Category
	// Source attributes a republished article; nil for our own.
	Source *Source

	kept *keptItem // see Keep
}

// Keep declares the item final: each format then encodes it once, however
// many feeds it is put in, for callers that keep items between feeds. The
// item's copies share what is encoded, so none may be changed after.
func (it *Item) Keep() { it.kept = &keptItem{} }

// encodedSize is about the bytes an item takes encoded, to write it in one
// allocation.
func encodedSize(it *Item) int {
	n := 512 + len(it.ID) + len(it.URL) + len(it.Title) + len(it.Summary) + len(it.ContentHTML)*11/10
	for _, a := range it.Authors {
		n += 64 + len(a.Name) + len(a.URL)
	}
	for _, c := range it.Categories {
		n += 64 + len(c.Name) + len(c.URL)
	}
	if s := it.Source; s != nil {
		n += 256 + len(s.Name) + 2*len(s.URL) + len(s.Author) + 2*len(s.Feed) + len(s.FeedTitle)
	}
	return n
}

// keptItem is an item as each format writes it, made on first use.
type keptItem struct {
	once [formats]sync.Once
	b    [formats][]byte
	err  [formats]error
}

// The formats, as indexes of keptItem.
const (
	formatRSS = iota
	formatAtom
	formatJSON
	formats
)

// encoded returns the item as encode writes it for the format, once per
// format when the item is kept.
func (it *Item) encoded(format int, encode func(*Item) ([]byte, error)) ([]byte, error) {
	k := it.kept
	if k == nil {
		return encode(it)
	}
	k.once[format].Do(func() { k.b[format], k.err[format] = encode(it) })
	return k.b[format], k.err[format]
}

// Doc is a feed as the pieces it is written from, one after the other:
// its head, its items, each as its format encoded it (once, when the item
// is kept, for every feed it is in), and its end. They are not joined into
// one slice: feeds are a hundred kilobytes or more, and whoever sends one
// writes its pieces where they go.
type Doc struct {
	parts [][]byte
	size  int
}

func (d *Doc) add(b []byte) {
	d.parts = append(d.parts, b)
	d.size += len(b)
}

// Len is the document's size in bytes.
func (d *Doc) Len() int { return d.size }

// Parts are the document's pieces, in order; they must not be changed.
func (d *Doc) Parts() [][]byte { return d.parts }

// Bytes is the whole document in one slice.
func (d *Doc) Bytes() []byte {
	b := make([]byte, 0, d.size)
	for _, p := range d.parts {
		b = append(b, p...)
	}
	return b
}

// Person is an author.
type Person struct {
	Name string
	URL  string // their archive, absolute; may be empty
}

// Category is a category or tag of an item.
type Category struct {
	Name string
	URL  string // its archive, absolute
}

// Source is the outlet an item was first published by.
type Source struct {
	Name      string
	URL       string // the original article
	Author    string
	Published time.Time // zero when unknown
	// Feed is the address of the outlet's feed that carried the original,
	// and FeedTitle that feed's title; empty when unknown.
	Feed, FeedTitle string
}
