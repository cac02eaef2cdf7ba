package sourcedesk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
)

// PollResult is what one poll of one source did.
type PollResult struct {
	Outlet *content.Outlet
	// Skipped is true when another process had claimed the source.
	Skipped     bool
	Feeds       int // feeds asked
	NotModified int // feeds that answered 304
	Added       int // new inbox items
	Duplicates  int // items already in the inbox (by guid, URL or title)
	// Pending counts the items of the feeds not read this time because
	// one poll brings in at most MaxItems new items a feed: they come in
	// with the next polls, which follow at once.
	Pending int
	// Warnings say what was read only in part (a feed cut off mid-item:
	// its complete items were added); the source keeps them until its
	// next poll.
	Warnings []string
	// Err is why the poll failed, in full; nil when every feed was read.
	Err        error
	NextPollAt time.Time
}

// PollDue polls, once, every source that is due, several at a time: at
// most Parallel sources at once, and at most PerHost requests at once to
// any one host, so a source that stalls holds up only itself. A source
// another process has claimed is left to it. One source's failure is
// recorded on that source and never stops the others; the error returned
// is only for the database failing. Results are in the order the sources
// were due.
func (d *Desk) PollDue(ctx context.Context) ([]PollResult, error) {
	now := d.now()
	due, err := d.DB.FindDueOutlets(ctx, now)
	if err != nil {
		return nil, err
	}
	claimFor := d.ClaimFor
	if claimFor <= 0 {
		claimFor = DefaultClaimFor
	}
	parallel := d.Parallel
	if parallel <= 0 {
		parallel = DefaultParallel
	}
	results := make([]PollResult, len(due))
	polled := make([]bool, len(due))
	errs := make([]error, len(due))
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	var claimErr error
	for i, o := range due {
		if ctx.Err() != nil {
			break
		}
		ok, err := d.DB.ClaimOutlet(ctx, o.ID, now, now.Add(claimFor))
		if err != nil {
			claimErr = err
			break
		}
		polled[i] = true
		if !ok {
			results[i] = PollResult{Outlet: o, Skipped: true}
			continue
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			polled[i] = false
		}
		if !polled[i] {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			results[i], errs[i] = d.poll(ctx, o)
		}()
	}
	wg.Wait()
	out := make([]PollResult, 0, len(due))
	for i := range due {
		if polled[i] {
			out = append(out, results[i])
		}
	}
	if claimErr != nil {
		return out, claimErr
	}
	return out, errors.Join(errs...)
}

// PollNow polls one source at once, whether due or not, claiming it as
// PollDue does so no other process polls it at the same time.
func (d *Desk) PollNow(ctx context.Context, id int64) (PollResult, error) {
	now := d.now()
	if err := d.DB.Update(ctx, func(tx *store.Tx) error { return tx.SetOutletDue(ctx, id, now) }); err != nil {
		return PollResult{}, err
	}
	o, err := d.DB.FindOutletByID(ctx, id)
	if err != nil {
		return PollResult{}, err
	}
	claimFor := d.ClaimFor
	if claimFor <= 0 {
		claimFor = DefaultClaimFor
	}
	ok, err := d.DB.ClaimOutlet(ctx, id, now, now.Add(claimFor))
	if err != nil {
		return PollResult{}, err
	}
	if !ok {
		return PollResult{Outlet: o, Skipped: true}, nil
	}
	return d.poll(ctx, o)
}

// PollAndLog polls every due source once, as PollDue does, and logs each
// outcome; serve runs it as a background job on every tick.
func (d *Desk) PollAndLog(ctx context.Context) error {
	results, err := d.PollDue(ctx)
	for _, r := range results {
		switch {
		case r.Skipped:
		case r.Err != nil:
			d.log().Warn("source desk: poll failed", "source", r.Outlet.Name, "err", r.Err, "next", r.NextPollAt)
		default:
			d.log().Info("source desk: polled", "source", r.Outlet.Name, "added", r.Added, "duplicates", r.Duplicates)
			for _, w := range r.Warnings {
				d.log().Warn("source desk: feed read in part", "source", r.Outlet.Name, "warning", w)
			}
			if r.Pending > 0 {
				d.log().Info("source desk: more items come in with the next poll", "source", r.Outlet.Name, "pending", r.Pending)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("source desk: poll: %w", err)
	}
	return nil
}

// Backoff is the wait before the next poll of a source on its interval
// after failures failed polls in a row: the interval, doubled for each
// failure, at most MaxBackoff (or the interval, if longer).
func Backoff(interval time.Duration, failures int) time.Duration {
	limit := max(MaxBackoff, interval)
	d := interval
	for i := 0; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// poll reads every feed of a claimed source, stores what is new and
// records the outcome on the source.
func (d *Desk) poll(ctx context.Context, o *content.Outlet) (PollResult, error) {
	res := PollResult{Outlet: o}
	var errs []string
	feeds := o.Feeds
	if len(feeds) == 0 && o.Homepage != "" {
		urls, err := d.Discover(ctx, o.Homepage)
		if err != nil {
			errs = append(errs, content.ErrorMessage(err))
		}
		for _, u := range urls {
			feeds = append(feeds, content.Feed{URL: u})
		}
		if len(feeds) > 0 {
			o.Feeds = feeds
			if err := d.DB.Update(ctx, func(tx *store.Tx) error { return tx.UpdateOutlet(ctx, o) }); err != nil {
				return res, err
			}
			feeds = o.Feeds
		}
	}
	for _, f := range feeds {
		res.Feeds++
		fp, err := d.pollFeed(ctx, o, f)
		res.Added += fp.added
		res.Duplicates += fp.dups
		res.Pending += fp.pending
		if fp.notModified {
			res.NotModified++
		}
		if fp.warning != "" {
			res.Warnings = append(res.Warnings, fp.warning)
		}
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			errs = append(errs, err.Error())
		}
	}
	now := d.now()
	failures := 0
	lastErr := ""
	if len(errs) > 0 {
		lastErr = strings.Join(errs, "; ")
		res.Err = errors.New(lastErr)
		failures = o.Failures + 1
	}
	res.NextPollAt = now.Add(Backoff(o.Interval, failures))
	if res.Pending > 0 && failures == 0 {
		res.NextPollAt = now // the rest of the feed, on the next round
	}
	warning := strings.Join(res.Warnings, "; ")
	err := d.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.RecordPoll(ctx, o.ID, lastErr, failures, res.NextPollAt); err != nil {
			return err
		}
		if warning == "" {
			return nil
		}
		return tx.RecordPollWarning(ctx, o.ID, warning)
	})
	o.LastError, o.LastWarning, o.Failures, o.NextPollAt = lastErr, warning, failures, res.NextPollAt
	return res, err
}

// feedPoll is what one poll of one feed did.
type feedPoll struct {
	added, dups, pending int
	notModified          bool
	// warning says what was read only in part; "" when all was read.
	warning string
}

// pollFeed fetches and parses one feed and adds its items, in one
// transaction: a feed that fails adds nothing and removes nothing. At most
// MaxItems new items are added, oldest first; the items after them are
// pending, and the feed's validators are not kept, so that the next poll
// reads the whole feed again and brings them in. A feed cut off mid-item
// gives its complete items, with a warning, and its validators are not
// kept either, so that the next poll reads it whole.
func (d *Desk) pollFeed(ctx context.Context, o *content.Outlet, f content.Feed) (fp feedPoll, err error) {
	resp, err := d.get(ctx, fetch.Request{URL: f.URL, Accept: acceptFeed, ETag: f.ETag, LastModified: f.LastModified})
	if err != nil {
		return fp, err
	}
	if resp.NotModified {
		fp.notModified = true
		return fp, nil
	}
	body := feedUTF8(resp.Body, resp.ContentType)
	items, title, err := d.ParseFeed(body, resp.URL)
	partial := false
	if err != nil {
		fixed, ok := completeItems(body)
		if !ok {
			return fp, fmt.Errorf("%s: %w", f.URL, err)
		}
		if items, title, err = d.ParseFeed(fixed, resp.URL); err != nil {
			return fp, fmt.Errorf("%s: %w", f.URL, err)
		}
		partial = true
		fp.warning = fmt.Sprintf("%s: the feed ends in the middle of an item (cut off after %d bytes); its %d complete items were read, and the next poll reads it again.",
			f.URL, len(resp.Body), len(items))
	}
	limit := d.MaxItems
	if limit <= 0 {
		limit = DefaultMaxItems
	}
	err = d.DB.Update(ctx, func(tx *store.Tx) error {
		fp.added, fp.dups, fp.pending = 0, 0, 0
		for i, it := range items {
			if fp.added == limit {
				fp.pending = len(items) - i
				break
			}
			it.OutletID, it.OutletName, it.FeedURL = o.ID, o.Name, f.URL
			dup, err := tx.AddItem(ctx, it)
			if err != nil {
				return err
			}
			if dup != "" {
				fp.dups++
			} else {
				fp.added++
			}
		}
		f.Title = title
		if fp.pending == 0 && !partial {
			f.ETag, f.LastModified = resp.ETag, resp.LastModified
		} else {
			f.ETag, f.LastModified = "", ""
		}
		return tx.SaveFeedState(ctx, f)
	})
	return fp, err
}

// ParseFeed reads an RSS, Atom or JSON feed fetched from feedURL into inbox
// items, oldest first, with links made absolute, titles as plain text,
// summaries as plain text and full content sanitised.
func (d *Desk) ParseFeed(body []byte, feedURL string) ([]*content.Item, string, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, "", feedError(body, err)
	}
	base, _ := url.Parse(feedURL)
	if feed.Link != "" {
		if l, err := base.Parse(feed.Link); err == nil && (l.Scheme == "http" || l.Scheme == "https") {
			base = l
		}
	}
	var items []*content.Item
	for _, fi := range feed.Items {
		it := &content.Item{
			GUID:    strings.TrimSpace(fi.GUID),
			Title:   plainText(fi.Title),
			Summary: Truncate(plainText(fi.Description), 600),
		}
		u := itemAddress(fi, base)
		if u == nil {
			continue // nothing to republish
		}
		// Players embedded in the full text are kept as the page's are.
		it.Content = markup.Sanitize(prepareEmbedsHTML(fi.Content, u))
		it.URL = u.String()
		if it.Title == "" {
			it.Title = Truncate(it.Summary, 120)
		}
		if it.Summary == "" && it.Content != "" {
			it.Summary = Truncate(plainText(it.Content), 600)
		}
		switch {
		case fi.Author != nil && fi.Author.Name != "":
			it.Author = strings.TrimSpace(fi.Author.Name)
		case len(fi.Authors) > 0 && fi.Authors[0] != nil:
			it.Author = strings.TrimSpace(fi.Authors[0].Name)
		}
		switch {
		case fi.PublishedParsed != nil:
			it.PublishedAt = fi.PublishedParsed.UTC()
		case fi.UpdatedParsed != nil:
			it.PublishedAt = fi.UpdatedParsed.UTC()
		}
		if it.GUID == "" {
			it.GUID = it.URL
		}
		it.ImageURL = itemImage(fi, u, it.Content)
		// A feed may carry what no database column can hold (a JSON Feed's
		// "\u0000", a byte that is not UTF-8): such characters show nothing
		// to a reader, so they are dropped (NUL) or marked U+FFFD rather
		// than the whole feed refused; the editor reads every item before
		// republishing it.
		for _, f := range []*string{&it.GUID, &it.URL, &it.Title, &it.Summary, &it.Content, &it.Author} {
			*f, _ = content.CleanText(*f)
		}
		items = append(items, it)
	}
	// Oldest first, so that when a feed repeats a story the earlier
	// telling is the one kept.
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	return items, plainText(feed.Title), nil
}

// itemAddress is where a feed item's article is read, absolute: its link,
// else another of its links (an RSS feed's a10:link or atom:link among
// them), else its guid or Atom id when that is a web address; nil when the
// item names no http(s) address at all.
func itemAddress(fi *gofeed.Item, base *url.URL) *url.URL {
	cands := append([]string{fi.Link}, fi.Links...)
	for _, byPrefix := range fi.Extensions {
		for _, e := range byPrefix["link"] {
			if rel := e.Attrs["rel"]; rel == "" || rel == "alternate" {
				cands = append(cands, e.Attrs["href"], e.Value)
			}
		}
	}
	for _, c := range cands {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if u, err := base.Parse(c); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return u
		}
	}
	// A permalink guid or an Atom id that is an address stands for the
	// link; one that is not an absolute address (a tag: URI, a number)
	// does not.
	if u, err := url.Parse(strings.TrimSpace(fi.GUID)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return u
	}
	return nil
}

// itemImage is the lead image a feed item names, absolute against the
// item's address: its image, an image enclosure, a Media RSS content or
// thumbnail, else the first image of its content; "" when none is an
// http(s) address.
func itemImage(fi *gofeed.Item, base *url.URL, body string) string {
	var cands []string
	if fi.Image != nil {
		cands = append(cands, fi.Image.URL)
	}
	for _, e := range fi.Enclosures {
		if e != nil && strings.HasPrefix(e.Type, "image/") {
			cands = append(cands, e.URL)
		}
	}
	for _, name := range []string{"content", "thumbnail", "group"} {
		for _, e := range fi.Extensions["media"][name] {
			if name == "group" {
				for _, c := range e.Children["content"] {
					if m := c.Attrs["medium"]; m == "" || m == "image" {
						cands = append(cands, c.Attrs["url"])
					}
				}
				continue
			}
			if m := e.Attrs["medium"]; m == "" || m == "image" {
				cands = append(cands, e.Attrs["url"])
			}
		}
	}
	if m := firstImgSrc.FindStringSubmatch(body); m != nil {
		cands = append(cands, html.UnescapeString(m[1]))
	}
	for _, c := range cands {
		u, err := base.Parse(strings.TrimSpace(c))
		if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return u.String()
		}
	}
	return ""
}

// firstImgSrc finds the address of the first image in sanitised HTML.
var firstImgSrc = regexp.MustCompile(`<img\b[^>]*?\ssrc="([^"]+)"`)

// feedError explains why a body is not a feed.
func feedError(body []byte, err error) error {
	head := strings.ToLower(string(body[:min(len(body), 2048)]))
	switch {
	case errors.Is(err, gofeed.ErrFeedTypeNotDetected) && (strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html")):
		if links := FeedLinks(body, ""); len(links) > 0 {
			return fmt.Errorf("the address answers an HTML page, not a feed; the page points to %s", strings.Join(links, ", "))
		}
		return errors.New("the address answers an HTML page, not a feed (RSS, Atom or JSON Feed)")
	case errors.Is(err, gofeed.ErrFeedTypeNotDetected):
		return errors.New("the answer is not a feed (RSS, Atom or JSON Feed)")
	}
	return fmt.Errorf("the feed could not be read: %v", err)
}

// plainText turns a feed's text field, which may hold markup or entities,
// into plain text.
func plainText(s string) string {
	s = html.UnescapeString(markup.StripTags(s))
	return strings.Join(strings.Fields(s), " ")
}

// Truncate cuts plain text to at most n characters, at a word when one
// ends in the second half, with an ellipsis when it cut.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := strings.LastIndexByte(string(r), ' ')
	if cut > n/2 {
		return string(r)[:cut] + "…"
	}
	return string(r) + "…"
}
