package sourcedesk_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// stallingOutlet serves feeds that hold every request until ready says
// the test has seen what it waits for (or the client gives up), counting
// how many requests it holds at once.
type stallingOutlet struct {
	srv         *httptest.Server
	mu          sync.Mutex
	inFlight    int
	maxInFlight int
	answered    int // requests answered with the feed, ready
}

func newStallingOutlet(t *testing.T, ready func(*http.Request) bool) *stallingOutlet {
	s := &stallingOutlet{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.inFlight++
		s.maxInFlight = max(s.maxInFlight, s.inFlight)
		s.mu.Unlock()
		defer func() { s.mu.Lock(); s.inFlight--; s.mu.Unlock() }()
		// Wait, without answering, for the other source's items: a stall
		// only the client's timeout would end were polling one by one.
		for !ready(r) {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
		s.mu.Lock()
		s.answered++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Slow Post</title>
<item><title>Slow story %[1]s</title><link>%[2]s/slow%[1]s/1</link><guid>slow%[1]s-1</guid></item>
</channel></rss>`, r.URL.Path[1:], s.srv.URL)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// A source whose server stalls no longer holds up the sources due after
// it: their items arrive while it stalls, and no host is asked for more
// than two feeds at once.
func TestPollDoesNotWaitForAStalledSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		// A client timeout long enough never to end a request here unless
		// the polls run one after another.
		d := newDesk(t, db, 20*time.Second)
		d.Parallel = 4
		var fast *content.Outlet
		stall := newStallingOutlet(t, func(r *http.Request) bool {
			_, n, err := db.FindItems(r.Context(), store.ItemFilter{OutletID: fast.ID})
			return err == nil && n > 0
		})
		// Three slow sources on one server are due first, the fast one last.
		var slow []*content.Outlet
		for i := 1; i <= 3; i++ {
			s := &content.Outlet{Name: fmt.Sprintf("Slow Post %d", i), Feeds: []content.Feed{{URL: fmt.Sprintf("%s/%d", stall.srv.URL, i)}}}
			if err := d.AddOutlet(ctx, s); err != nil {
				t.Fatal(err)
			}
			slow = append(slow, s)
		}
		fast = &content.Outlet{Name: "Le Quotidien", Feeds: []content.Feed{{URL: o.URL("/quotidien/rss.xml")}}}
		if err := d.AddOutlet(ctx, fast); err != nil {
			t.Fatal(err)
		}
		results, err := d.PollDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 4 {
			t.Fatalf("%d results, want 4", len(results))
		}
		for i, r := range results {
			if r.Err != nil || r.Added != 1 {
				t.Errorf("source %d (%s): added %d, error %v; want its one item", i, r.Outlet.Name, r.Added, r.Err)
			}
		}
		if results[3].Outlet.ID != fast.ID || results[0].Outlet.ID != slow[0].ID {
			t.Errorf("results are not in the order the sources were due")
		}
		stall.mu.Lock()
		defer stall.mu.Unlock()
		if stall.answered != 3 {
			t.Errorf("the stalled server answered %d feeds after the other source's items arrived, want 3", stall.answered)
		}
		if stall.maxInFlight > 2 {
			t.Errorf("the stalled server was asked for %d feeds at once, want at most 2", stall.maxInFlight)
		}
	})
}
