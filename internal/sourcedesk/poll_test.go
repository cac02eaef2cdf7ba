package sourcedesk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

func TestParseFeedShapes(t *testing.T) {
	o := newOutlets(t)
	d := &sourcedesk.Desk{}
	type want struct{ title, url, author, published string }
	tests := []struct {
		file, path string
		feedTitle  string
		items      []want // oldest first
	}{
		{"rss2.xml", "/agency/feed.xml", "Agency Wire — World", []want{
			{"Grain exports reach a record", "/agency/2026/01/13/grain.html", "", "2026-01-13T16:00:00Z"},
			{"Leaders meet at the summit in Addis Ababa", "/agency/2026/01/14/summit.html?utm_source=rss&utm_medium=feed", "Lin Wei", "2026-01-14T09:30:00Z"},
		}},
		{"atom.xml", "/institute/atom.xml", "The Institute: Analysis", []want{
			{"Brief: shipping rates", "/institute/briefs/7", "", "2026-01-12T12:00:00Z"},
			{"Why the corridor matters now", "/institute/analysis/42-corridor", "Dr Marina Zhang", "2026-01-14T07:45:00Z"},
		}},
		{"feed.json", "/ministry/feed.json", "Ministry Press Releases", []want{
			{"Minister visits the port", "/ministry/press/2026-002.html", "", "2026-01-12T10:00:00Z"},
			{"Statement on the ceasefire talks", "/ministry/press/2026-003.html", "Press Office", "2026-01-14T05:00:00Z"},
		}},
		{"latin1.xml", "/quotidien/rss.xml", "Le Quotidien", []want{
			{"Réforme des retraites : le débat reprend à l'Assemblée", "/quotidien/2026/01/reforme.html", "", "2026-01-14T06:00:00Z"},
		}},
		{"entities.xml", "/think/rss.xml", "Think & Tank", []want{
			{"Café diplomacy – a review", "/think/cafe", "", "2026-01-12T05:00:00Z"},
			{`Trade & growth: "a turning point"`, "/think/turning-point", "", "2026-01-13T05:00:00Z"},
			{"China’s “new path” & the Global South", "/think/new-path", "", "2026-01-14T05:00:00Z"},
		}},
		{"rss1.rdf", "/journal/index.rdf", "The Journal", []want{
			{"Sanctions and their costs", "/journal/a1", "A. Author", "2026-01-10T09:00:00Z"},
		}},
		{"rss091.xml", "/bulletin/rss.xml", "Old Bulletin", []want{
			{"Bulletin number one", "/bulletin/1", "", ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			items, title, err := d.ParseFeed(o.file(tt.file), o.URL(tt.path))
			if err != nil {
				t.Fatal(err)
			}
			if title != tt.feedTitle {
				t.Errorf("feed title = %q, want %q", title, tt.feedTitle)
			}
			if len(items) != len(tt.items) {
				t.Fatalf("%d items, want %d", len(items), len(tt.items))
			}
			for i, w := range tt.items {
				it := items[i]
				pub := ""
				if !it.PublishedAt.IsZero() {
					pub = it.PublishedAt.Format(time.RFC3339)
				}
				got := want{it.Title, strings.TrimPrefix(it.URL, o.srv.URL), it.Author, pub}
				if got != w {
					t.Errorf("item %d = %+v, want %+v", i, got, w)
				}
				if it.GUID == "" {
					t.Errorf("item %d has no guid", i)
				}
			}
		})
	}
	// Full text is sanitised; summaries are plain text.
	items, _, _ := d.ParseFeed(o.file("rss2.xml"), o.URL("/agency/feed.xml"))
	summit := items[1]
	if strings.Contains(summit.Content, "<script") || strings.Contains(summit.Content, "onclick") ||
		!strings.Contains(summit.Content, "The talks focused on trade.") {
		t.Errorf("content not sanitised: %q", summit.Content)
	}
	if summit.Summary != "African Union leaders gathered on Wednesday to discuss trade and security." {
		t.Errorf("summary = %q", summit.Summary)
	}
}

func TestAddSourceDiscoversFeeds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		src := &content.Outlet{Name: "Agency Wire", Homepage: o.URL("/agency/")}
		if err := d.AddOutlet(ctx, src); err != nil {
			t.Fatal(err)
		}
		got, _ := db.FindOutletByID(ctx, src.ID)
		if len(got.Feeds) != 2 || got.Feeds[0].URL != o.URL("/agency/feed.xml") || got.Feeds[1].URL != o.URL("/institute/atom.xml") {
			t.Errorf("discovered feeds = %+v", got.Feeds)
		}
		// A homepage that is itself a feed.
		self := &content.Outlet{Name: "Ministry", Homepage: o.URL("/ministry/feed.json")}
		if err := d.AddOutlet(ctx, self); err != nil || len(self.Feeds) != 1 {
			t.Errorf("feed as homepage: %v, %+v", err, self.Feeds)
		}
		// A homepage that announces nothing: a clear error, nothing stored.
		none := &content.Outlet{Name: "Quiet", Homepage: o.URL("/nofeeds/")}
		err := d.AddOutlet(ctx, none)
		if content.ErrorCode(err) != content.EInvalid || !strings.Contains(err.Error(), "announces no feed") {
			t.Errorf("no feeds: %v", err)
		}
		if all, _ := db.FindOutlets(ctx); len(all) != 2 {
			t.Errorf("%d sources stored, want 2", len(all))
		}
	})
}

func TestPollFillsInboxOnceAndConditionally(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		// Of sources polled at once, the one whose items land first keeps
		// a story they share: one at a time here, so the agency's does.
		d.Parallel = 1
		agency := &content.Outlet{Name: "Agency Wire", Homepage: o.URL("/agency/"), Feeds: []content.Feed{{URL: o.URL("/agency/feed.xml")}}}
		daily := &content.Outlet{Name: "The Daily", Feeds: []content.Feed{{URL: o.URL("/daily/feed.xml")}}}
		quotidien := &content.Outlet{Name: "Le Quotidien", Feeds: []content.Feed{{URL: o.URL("/quotidien/rss.xml")}}}
		for _, src := range []*content.Outlet{agency, daily, quotidien} {
			if err := d.AddOutlet(ctx, src); err != nil {
				t.Fatal(err)
			}
		}
		results, err := d.PollDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 3 {
			t.Fatalf("%d results, want 3", len(results))
		}
		added := map[string]int{}
		for _, r := range results {
			if r.Err != nil {
				t.Errorf("%s: %v", r.Outlet.Name, r.Err)
			}
			added[r.Outlet.Name] = r.Added
		}
		// The Daily's copy of the summit (same title) and its shared link to
		// the agency's article (same URL, other tracking) are duplicates.
		if added["Agency Wire"] != 2 || added["The Daily"] != 1 || added["Le Quotidien"] != 1 {
			t.Errorf("added = %v", added)
		}
		items, total, _ := db.FindItems(ctx, store.ItemFilter{})
		if total != 4 {
			t.Fatalf("inbox holds %d items, want 4", total)
		}
		var titles []string
		for _, it := range items {
			titles = append(titles, it.OutletName+": "+it.Title)
		}
		want := []string{
			"The Daily: Local elections: the results",
			"Agency Wire: Leaders meet at the summit in Addis Ababa",
			"Le Quotidien: Réforme des retraites : le débat reprend à l'Assemblée",
			"Agency Wire: Grain exports reach a record",
		}
		if strings.Join(titles, "\n") != strings.Join(want, "\n") {
			t.Errorf("inbox, newest first:\n%s\nwant:\n%s", strings.Join(titles, "\n"), strings.Join(want, "\n"))
		}
		// Lead images, for the inbox: Media RSS content, an image enclosure
		// (made absolute), none.
		images := map[string]string{}
		for _, it := range items {
			images[it.Title] = it.ImageURL
		}
		for title, want := range map[string]string{
			"Leaders meet at the summit in Addis Ababa": o.URL("/agency/images/summit.jpg"),
			"Grain exports reach a record":              o.URL("/agency/images/map.gif"),
			"Local elections: the results":              "",
		} {
			if images[title] != want {
				t.Errorf("lead image of %q = %q, want %q", title, images[title], want)
			}
		}
		// Nothing is due until the interval has passed.
		if again, _ := d.PollDue(ctx); len(again) != 0 {
			t.Errorf("%d sources polled again at once", len(again))
		}
		// After the interval, the agency's unchanged feed answers 304.
		later := db.Now().Add(content.DefaultPollInterval)
		db.Now = func() time.Time { return later }
		results, _ = d.PollDue(ctx)
		for _, r := range results {
			if r.Outlet.Name == "Agency Wire" && (r.NotModified != 1 || r.Added != 0) {
				t.Errorf("second poll of the agency: %+v, want one 304", r)
			}
		}
		if o.cond["/agency/feed.xml"] != 1 {
			t.Errorf("the agency's feed answered %d conditional requests, want 1", o.cond["/agency/feed.xml"])
		}
		if _, total, _ := db.FindItems(ctx, store.ItemFilter{}); total != 4 {
			t.Errorf("inbox holds %d items after the second poll, want 4", total)
		}
	})
}

func TestFaultsAreMarkedBackedOffAndContained(t *testing.T) {
	faults := []struct{ fault, says string }{
		{"timeout", "no complete answer within"},
		{"500", "500 Internal Server Error"},
		{"html", "HTML page, not a feed"},
		{"loop", "gave up after 5 redirects"},
		{"huge", "larger than the 10 MB limit"},
		{"malformed", "the feed could not be read"},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 2*time.Second)
		good := &content.Outlet{Name: "Le Quotidien", Feeds: []content.Feed{{URL: o.URL("/quotidien/rss.xml")}}}
		if err := d.AddOutlet(ctx, good); err != nil {
			t.Fatal(err)
		}
		bad := map[string]*content.Outlet{}
		for _, f := range faults {
			// Each faulty source is a working agency feed under its own
			// path, first polled while it works.
			path := "/faulty/" + f.fault + "/feed.xml"
			src := &content.Outlet{Name: "Faulty " + f.fault, Feeds: []content.Feed{{URL: o.URL(path)}}}
			if err := d.AddOutlet(ctx, src); err != nil {
				t.Fatal(err)
			}
			bad[f.fault] = src
		}
		if _, err := d.PollDue(ctx); err != nil {
			t.Fatal(err)
		}
		_, before, _ := db.FindItems(ctx, store.ItemFilter{})
		if before != 3 { // the agency's two items, once, and the Quotidien's
			t.Fatalf("inbox holds %d items before the faults, want 3", before)
		}
		for _, f := range faults {
			o.setFault("/faulty/"+f.fault+"/feed.xml", f.fault)
		}
		for round, wantFailures := range []int{1, 2} {
			later := db.Now().Add(24 * time.Hour * time.Duration(round+1))
			db.Now = func() time.Time { return later }
			results, err := d.PollDue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(results) != 1+len(faults) {
				t.Fatalf("round %d: %d sources polled, want all %d", round, len(results), 1+len(faults))
			}
			for _, f := range faults {
				src, _ := db.FindOutletByID(ctx, bad[f.fault].ID)
				if !strings.Contains(src.LastError, f.says) || !strings.Contains(src.LastError, "/faulty/"+f.fault+"/feed.xml") {
					t.Errorf("%s: error on the source = %q, want it to say %q and name the feed", f.fault, src.LastError, f.says)
				}
				wantNext := later.Add(sourcedesk.Backoff(content.DefaultPollInterval, wantFailures))
				if src.Failures != wantFailures || !src.NextPollAt.Equal(wantNext) {
					t.Errorf("%s: failures %d, next poll %v; want %d and %v", f.fault, src.Failures, src.NextPollAt, wantFailures, wantNext)
				}
			}
			ok, _ := db.FindOutletByID(ctx, good.ID)
			if ok.LastError != "" || ok.Failures != 0 || !ok.LastSuccessAt.Equal(later) {
				t.Errorf("round %d: the good source was held back: %+v", round, ok)
			}
			if _, n, _ := db.FindItems(ctx, store.ItemFilter{}); n != before {
				t.Errorf("round %d: inbox holds %d items, want the %d it had", round, n, before)
			}
		}
		if b := sourcedesk.Backoff(content.DefaultPollInterval, 2); b != 4*content.DefaultPollInterval {
			t.Errorf("backoff after two failures = %v, want 4 × the interval", b)
		}
		if b := sourcedesk.Backoff(content.DefaultPollInterval, 30); b != sourcedesk.MaxBackoff {
			t.Errorf("backoff after 30 failures = %v, want the cap %v", b, sourcedesk.MaxBackoff)
		}
		// A source that recovers is polled normally again.
		o.setFault("/faulty/500/feed.xml", "")
		later := db.Now().Add(48 * time.Hour)
		db.Now = func() time.Time { return later }
		d.PollDue(ctx)
		if src, _ := db.FindOutletByID(ctx, bad["500"].ID); src.Failures != 0 || src.LastError != "" {
			t.Errorf("recovered source still marked: %+v", src)
		}
	})
}

func TestPollOnceAcrossProcesses(t *testing.T) {
	o := newOutlets(t)
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			var dbs []*store.DB
			for i := 0; i < 3; i++ {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs = append(dbs, db)
			}
			paths := []string{"/agency/feed.xml", "/institute/atom.xml", "/ministry/feed.json", "/think/rss.xml", "/journal/index.rdf"}
			before := map[string]int{}
			first := newDesk(t, dbs[0], 5*time.Second)
			for _, p := range paths {
				before[p] = o.hitCount(p)
				if err := first.AddOutlet(ctx, &content.Outlet{Name: p, Feeds: []content.Feed{{URL: o.URL(p)}}}); err != nil {
					t.Fatal(err)
				}
			}
			// Three processes poll at once.
			type out struct {
				res []sourcedesk.PollResult
				err error
			}
			ch := make(chan out)
			for _, db := range dbs {
				d := newDesk(t, db, 5*time.Second)
				go func() { r, err := d.PollDue(ctx); ch <- out{r, err} }()
			}
			polled := 0
			for range dbs {
				r := <-ch
				if r.err != nil {
					t.Fatal(r.err)
				}
				for _, x := range r.res {
					if !x.Skipped {
						polled++
					}
				}
			}
			if polled != len(paths) {
				t.Errorf("%d polls made for %d due sources", polled, len(paths))
			}
			for _, p := range paths {
				if n := o.hitCount(p) - before[p]; n != 1 {
					t.Errorf("%s fetched %d times, want once", p, n)
				}
			}
		})
	}
}
