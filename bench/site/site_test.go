package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestGeneratedSiteIsRealisticAndRepeatable: the same size gives the same
// site, with the shape the benchmark promises.
func TestGeneratedSiteIsRealisticAndRepeatable(t *testing.T) {
	ctx := context.Background()
	var fingerprints []string
	for range 2 {
		db := storetest.Open(t, "sqlite")
		if err := generate(ctx, db, 40, func(int) {}); err != nil {
			t.Fatal(err)
		}
		posts, total, err := db.FindPosts(ctx, store.PostFilter{Kind: content.KindPost, WithBody: true})
		if err != nil || total != 40 {
			t.Fatalf("%d posts (%v), want 40", total, err)
		}
		words, more := 0, 0
		var b strings.Builder
		for _, p := range posts {
			words += len(strings.Fields(markup.StripTags(p.BodyHTML)))
			if p.HasMore {
				more++
			}
			fmt.Fprintf(&b, "%s|%s|%d|%d|%d;", p.Slug, p.PublishedAt.Format(time.RFC3339), len(p.Body), len(p.Tags), p.Authors[0].ID)
		}
		if avg := words / len(posts); avg < 500 || avg > 700 {
			t.Errorf("posts average %d words, want about 600", avg)
		}
		if more != len(posts) {
			t.Errorf("%d of %d posts have a teaser break", more, len(posts))
		}
		cats, _ := db.FindTerms(ctx, content.TaxCategory)
		tags, _ := db.FindTerms(ctx, content.TaxTag)
		users, _ := db.FindUsers(ctx)
		if len(cats) != 20 || len(tags) != 200 || len(users) != 10 {
			t.Errorf("%d categories, %d tags, %d authors; want 20, 200, 10", len(cats), len(tags), len(users))
		}
		fingerprints = append(fingerprints, b.String())
	}
	if fingerprints[0] != fingerprints[1] {
		t.Error("two generations of the same size differ")
	}
}

// TestLoadReadsWholeResponses: the load generator's own HTTP/1.1 client
// reads fixed-length and chunked responses over one connection and counts
// server errors as failures.
func TestLoadReadsWholeResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			for i := range 50 {
				fmt.Fprintf(w, "%05d %s\n", i, strings.Repeat("x", 200))
				w.(http.Flusher).Flush()
			}
		case "/fail":
			http.Error(w, "no", http.StatusInternalServerError)
		default:
			w.Write([]byte(strings.Repeat("y", 5000)))
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	for _, path := range []string{"/fixed", "/chunked"} {
		// Many responses over one connection: a response not read to its
		// end would spoil the next one.
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		for i := range 20 {
			if status, err := roundTrip(c, br, request(addr, path, "")); status != http.StatusOK || err != nil {
				t.Fatalf("%s: response %d over one connection: status %d, %v", path, i+1, status, err)
			}
		}
		c.Close()
		// Each connection makes at least its first request, however slow.
		r := load(addr, path, "", 2, 200*time.Millisecond)
		if r.requests < 2 || r.errors != 0 || r.p50 <= 0 || r.p99 < r.p50 {
			t.Errorf("%s: %d requests, %d errors, p50 %v, p99 %v", path, r.requests, r.errors, r.p50, r.p99)
		}
	}
	if r := load(addr, "/fail", "", 1, 100*time.Millisecond); r.errors == 0 || r.requests != 0 {
		t.Errorf("500s: %d counted, %d errors", r.requests, r.errors)
	}
}

// TestMedianRound: with -rounds, each figure is one whole round (its
// latencies and CPU time with its requests/s), the one in the middle.
func TestMedianRound(t *testing.T) {
	rounds := []result{{rps: 900, p99: 9}, {rps: 100, p99: 1}, {rps: 500, p99: 5}}
	if m := median(rounds); m.rps != 500 || m.p99 != 5 {
		t.Errorf("median of 900, 100, 500 req/s: %+v", m)
	}
	if m := median(rounds[:2]); m.rps != 100 {
		t.Errorf("median of two rounds: %+v, want the lower", m)
	}
	if m := median(rounds[:1]); m.rps != 900 {
		t.Errorf("median of one round: %+v", m)
	}
}

// TestPacedSendsAtTheRate: at a fixed rate the generator sends what is
// due, about rate × duration requests, and no more, however fast the
// server answers.
func TestPacedSendsAtTheRate(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Write([]byte(strings.Repeat("y", 5000)))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	const conns, rate, d = 4, 200.0, 500 * time.Millisecond
	r := paced(addr, "/", "", conns, rate, d)
	if want := rate * d.Seconds(); float64(r.due) < want-conns || float64(r.due) > want+conns {
		t.Errorf("%d requests due, want about %.0f", r.due, want)
	}
	if r.done+r.missed+r.errors != r.due || r.errors != 0 {
		t.Errorf("%d due: %d answered, %d missed, %d errors", r.due, r.done, r.missed, r.errors)
	}
	if n := int(served.Load()); n > r.due || r.done < r.due/2 {
		t.Errorf("%d due, %d answered, %d served", r.due, r.done, n)
	}
	if r.p50 <= 0 || r.p99 < r.p50 || r.p999 < r.p99 {
		t.Errorf("p50 %v, p99 %v, p99.9 %v", r.p50, r.p99, r.p999)
	}
}

// TestPacedTimesFromIntendedStart: a server that stalls once is charged
// for every request the stall holds back, from when each was due, not
// from when it could be sent; those requests count as late.
func TestPacedTimesFromIntendedStart(t *testing.T) {
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { time.Sleep(600 * time.Millisecond) })
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	// One connection, a request due every 10 ms for 1 s: the first
	// answers after 600 ms or more, so the next 59 are due while it
	// waits, and the 50 after the first at least 100 ms before they are
	// answered: more than half of the 100.
	r := paced(addr, "/", "", 1, 100, time.Second)
	if r.due != 100 || r.errors != 0 {
		t.Fatalf("%d due, %d errors", r.due, r.errors)
	}
	if r.late < 59 {
		t.Errorf("%d requests late, want 59 or more", r.late)
	}
	if r.p50 < 100*time.Millisecond || r.p99 < 500*time.Millisecond {
		t.Errorf("p50 %v, p99 %v; the stall is not counted from the requests' intended start", r.p50, r.p99)
	}
	// The closed loop, timing from the send, sees one slow request.
	if c := load(addr, "/", "", 1, 200*time.Millisecond); c.requests == 0 || c.p50 >= 100*time.Millisecond {
		t.Errorf("closed loop: %d requests, p50 %v", c.requests, c.p50)
	}
}

// TestPacedCountsMissed: a server slower than the rate leaves requests
// unanswered at the end; they count as missed, with the latency they had
// reached, so the figures are lower bounds.
func TestPacedCountsMissed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	// 50 due over 500 ms, and at most 750 ms / 50 ms = 15 answered.
	r := paced(addr, "/", "", 1, 100, 500*time.Millisecond)
	if r.due != 50 || r.done > 15 || r.missed < 35-r.errors || r.done+r.missed+r.errors != r.due {
		t.Errorf("%d due: %d answered, %d missed, %d errors", r.due, r.done, r.missed, r.errors)
	}
	if r.bounds() != "≥" || r.p99 < 250*time.Millisecond {
		t.Errorf("p99 %s%v", r.bounds(), r.p99)
	}
}

// TestRateFlag: -rate takes requests/s, a share of the baseline's, or 0.
func TestRateFlag(t *testing.T) {
	for in, want := range map[string]float64{"10000": 10000, "50%": 5000, "80 %": 8000, "0": 0, "0%": 0} {
		var r offeredRate
		if err := r.Set(in); err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := r.at(10000); got != want || r.off() != (want == 0) {
			t.Errorf("%q at a baseline of 10000 req/s: %v (off %v), want %v", in, got, r.off(), want)
		}
	}
	for _, in := range []string{"", "fast", "-5", "NaN", "Inf", "50%%"} {
		var r offeredRate
		if err := r.Set(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// TestPacerWaitsUntilTheTime: the pacer never lets a request go before
// its intended send time, nor does its fallback (a nil pacer).
func TestPacerWaitsUntilTheTime(t *testing.T) {
	for _, p := range []*pacer{newPacer(), nil} {
		for range 20 {
			due := time.Now().Add(700 * time.Microsecond)
			p.until(due)
			if early := time.Until(due); early > 0 {
				t.Fatalf("pacer %v woke %v early", p != nil, early)
			}
		}
		p.until(time.Now().Add(-time.Second)) // past: at once
		p.close()
	}
}

// TestEnginesSideBySide: with -db, each page's cached and uncached figures
// on SQLite and PostgreSQL are printed in one row, as shares of the minimal
// server's requests/s in the same engine's turn, with CPU time per request.
func TestEnginesSideBySide(t *testing.T) {
	res := func(rps float64, cpuMicros int) result {
		return result{rps: rps, requests: 1000, cpu: time.Duration(cpuMicros) * 1000 * time.Microsecond}
	}
	runs := []*engineRun{
		{name: "SQLite", rows: []row{
			{target: target{name: "front page"}, cached: res(900, 30), uncached: res(500, 80), base: res(1000, 20)},
			{target: target{name: "feed"}, base: res(1000, 20), cached: res(990, 31), uncached: res(250, 300)},
		}},
		{name: "PostgreSQL", rows: []row{
			{target: target{name: "front page"}, cached: res(880, 32), uncached: res(400, 90), base: res(1100, 21)},
			{target: target{name: "feed", note: "n/a: /feed/ answers 404 in this build"}},
		}},
	}
	var b strings.Builder
	printEngines(&b, runs)
	lines := strings.Split(b.String(), "\n")
	var head, front, feed []string
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case len(f) > 0 && f[0] == "page":
			head = f
		case strings.HasPrefix(strings.TrimSpace(l), "front page"):
			front = f[2:]
		case strings.HasPrefix(strings.TrimSpace(l), "feed"):
			feed = f[1:]
		}
	}
	wantHead := []string{"page", "SQLite", "cached", "CPU", "µs", "PostgreSQL", "cached", "CPU", "µs", "SQLite", "uncached", "CPU", "µs", "PostgreSQL", "uncached", "CPU", "µs"}
	if strings.Join(head, " ") != strings.Join(wantHead, " ") {
		t.Errorf("head: %q", head)
	}
	if got, want := strings.Join(front, " "), "0.90 30.0 0.80 32.0 0.50 80.0 0.36 90.0"; got != want {
		t.Errorf("front page: %q, want %q\n%s", got, want, b.String())
	}
	if got, want := strings.Join(feed, " "), "0.99 31.0 n/a 0.25 300.0 n/a"; got != want {
		t.Errorf("feed: %q, want %q\n%s", got, want, b.String())
	}
}
