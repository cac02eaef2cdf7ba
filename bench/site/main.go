// Command site is Broadsheet's load benchmark. It generates a realistic site
// of N posts (deterministic: the same N gives the same site), builds the
// broadsheet binary, starts `serve` as a separate process, drives load at
// it over 127.0.0.1 from this process for a bounded time, and prints a
// table: requests/s and p50/p99 latency for the front page, page 50, a post,
// a category archive, the RSS feed and a search, with the page cache on,
// with it off (the fragment cache on, as serve's default), and with both
// off; the server's peak memory; and the time of a static export. Every
// figure is printed beside its baseline measured in the same run: a minimal
// Go server answering the same bytes from memory, and writing the same
// files for the export.
//
// Those loads are a closed loop: each connection sends its next request as
// soon as it has read a response, so the servers run saturated and p99 is
// mostly the wait in their queues (64 requests in flight at 20,000 a
// second are 3 ms on average). The benchmark therefore also measures the
// baseline and the cached server at a fixed offered rate, the same for
// both (-rate; by default a quarter of the baseline's closed-loop
// requests/s for the page in the same run: at half, the paced load
// generator's own cost, which shares the cores, left both servers behind
// on two cores), for -rate-duration per figure over the same
// connections: every request has an intended send time, and its latency
// runs from that time to its response's last byte, so that a stall is
// charged to every request it delays (no coordinated omission). It prints
// p50/p99/p99.9 at that rate and how many requests were sent late (their
// connection still awaiting an earlier response) or missed. A page whose
// server answers fewer requests/s in the closed loop than the rate is not
// measured at it.
//
// With -db postgres://… it loads the same pages, the same way, from a
// server on PostgreSQL after those on SQLite (the site copied there once
// and kept for later runs), and prints both engines' figures side by side.
//
//	go run ./bench/site -posts 10000 [-db postgres://…]
package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

func main() {
	posts := flag.Int("posts", 1000, "posts in the generated site")
	duration := flag.Duration("duration", 5*time.Second, "load time per figure")
	conns := flag.Int("conns", 64, "concurrent connections")
	encoding := flag.String("accept-encoding", "", "Accept-Encoding the load sends (e.g. \"gzip, br\"); empty: identity")
	cacheMB := flag.Int("page-cache", 64, "serve's --page-cache for the cached run, in megabytes")
	fragMB := flag.Int("fragment-cache", 32, "serve's --fragment-cache for the cached and uncached runs, in megabytes")
	work := flag.String("work", filepath.Join(os.TempDir(), "broadsheet-bench"), "`folder` for the binary, generated sites and exports")
	fresh := flag.Bool("fresh", false, "generate the site again even if a stored one exists")
	doExport := flag.Bool("export", true, "also time a static export of the site")
	only := flag.String("only", "", "load only the pages whose names match this `regexp` (e.g. \"^(front page|a post)$\"); empty: all")
	baseline := flag.String("baseline-serve", "", "internal: run the minimal baseline server over this pages file")
	rounds := flag.Int("rounds", 1, "load each page this many times per server, the servers taking turns, and print the round with the median requests/s (steadier on a busy machine); export and write the baseline's files this many times, taking turns, and print the medians")
	rate := offeredRate{share: 0.25}
	flag.Var(&rate, "rate", "fixed-rate latency phase, for the baseline and the cached server alike: the `requests/s` offered in all over -conns connections, either a number (e.g. 10000) or a share of the baseline's closed-loop requests/s for each page in this run (e.g. 80%); 0: no fixed-rate phase")
	rateDuration := flag.Duration("rate-duration", 3*time.Second, "load time per fixed-rate figure")
	exportDir := flag.String("export-dir", "", "`folder` in which the export and its baseline write their files (its file system is what they measure, e.g. /dev/shm for memory); default: -work")
	pgURL := flag.String("db", "", "a postgres:// `URL` of a database, empty or holding this benchmark's site of the same size from an earlier run: the pages are loaded from PostgreSQL too, after SQLite, and both printed side by side")
	pin := flag.Bool("pin", false, "pin the load generator to CPU 0 and every server to the other CPUs (Linux, taskset), so that they do not compete for cores (the export then runs on CPU 0)")
	flag.Parse()
	if *baseline != "" {
		if err := serveBaseline(*baseline); err != nil {
			fmt.Fprintln(os.Stderr, "baseline:", err)
			os.Exit(1)
		}
		return
	}
	if *posts < 1 || *conns < 1 || *duration <= 0 || *rounds < 1 || *rateDuration <= 0 {
		fmt.Fprintln(os.Stderr, "bench: -posts, -conns, -duration, -rate-duration and -rounds must be positive")
		os.Exit(2)
	}
	if *pgURL != "" && !strings.HasPrefix(*pgURL, "postgres://") && !strings.HasPrefix(*pgURL, "postgresql://") {
		fmt.Fprintln(os.Stderr, "bench: -db must be a postgres:// URL (SQLite is always measured)")
		os.Exit(2)
	}
	b := &bench{pg: *pgURL, posts: *posts, d: *duration, conns: *conns, enc: *encoding, cacheMB: *cacheMB, fragMB: *fragMB, work: *work, export: *doExport, only: *only, pin: *pin, rounds: *rounds, rate: rate, rateD: *rateDuration, exportDir: cmp.Or(*exportDir, *work)}
	if err := b.run(*fresh); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type bench struct {
	posts, conns, cacheMB int
	rounds                int
	fragMB                int
	d, rateD              time.Duration
	rate                  offeredRate
	enc, work, only       string
	exportDir             string
	bin, db               string
	pg                    string // -db: PostgreSQL's URL, or ""
	export, pin           bool
}

// engineRun is what was measured on one engine.
type engineRun struct {
	name                            string // SQLite or PostgreSQL
	rows                            []row
	cachedMem, uncachedMem, bareMem memory
}

type target struct {
	name, path string
	note       string // why there is no figure
}

type row struct {
	target
	cached, uncached, bare, base result
	// At a fixed offered rate, where fixedNote is empty.
	fixedCached, fixedBase pacedResult
	fixedNote              string
}

func (b *bench) run(fresh bool) error {
	ctx := context.Background()
	if err := os.MkdirAll(b.work, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "building broadsheet…\n")
	b.bin = filepath.Join(b.work, "broadsheet")
	build := exec.Command("go", "build", "-o", b.bin, "./cmd/broadsheet")
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // measure the program as shipped
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build (run from the repository's root): %v\n%s", err, out)
	}
	b.db = filepath.Join(b.work, fmt.Sprintf("site-%d-v%d.db", b.posts, genVersion))
	genTook, err := b.ensureSite(ctx, fresh)
	if err != nil {
		return err
	}
	targets, err := b.targets(ctx)
	if err != nil {
		return err
	}
	if b.only != "" {
		re, err := regexp.Compile(b.only)
		if err != nil {
			return fmt.Errorf("-only: %v", err)
		}
		var kept []target
		for _, t := range targets {
			if re.MatchString(t.name) {
				kept = append(kept, t)
			}
		}
		if len(kept) == 0 {
			return fmt.Errorf("-only %q names none of the pages", b.only)
		}
		targets = kept
	}

	rows := make([]row, len(targets))
	for i, t := range targets {
		rows[i].target = t
	}
	if b.pin {
		if runtime.NumCPU() < 2 {
			return fmt.Errorf("-pin needs two CPUs or more")
		}
		// Every thread of this process, and so those it starts later.
		if out, err := exec.Command("taskset", "-a", "-cp", "0", strconv.Itoa(os.Getpid())).CombinedOutput(); err != nil {
			return fmt.Errorf("taskset: %v\n%s", err, out)
		}
	}
	runs := []*engineRun{{name: "SQLite", rows: rows}}
	if b.pg != "" {
		if err := b.ensurePostgres(ctx); err != nil {
			return err
		}
		runs = append(runs, &engineRun{name: "PostgreSQL", rows: slices.Clone(rows)})
	}
	for _, r := range runs {
		dsn := b.db
		if r.name == "PostgreSQL" {
			dsn = b.pg
		}
		fmt.Fprintf(os.Stderr, "loading the servers on %s\n", r.name)
		if r.cachedMem, r.uncachedMem, r.bareMem, err = b.measurePages(r.rows, dsn); err != nil {
			return err
		}
	}
	var exp *exportFigures
	if b.export {
		if exp, err = b.measureExport(); err != nil {
			return err
		}
	}
	b.print(runs, genTook, exp)
	return nil
}

// ensurePostgres copies the generated site into the PostgreSQL database
// unless it holds it already (from an earlier run), and builds its search
// index.
func (b *bench) ensurePostgres(ctx context.Context) error {
	dst, err := store.Open(ctx, b.pg)
	if err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	defer dst.Close()
	src, err := store.Open(ctx, b.db)
	if err != nil {
		return err
	}
	defer src.Close()
	have, err := dst.CountPosts(ctx, content.KindPost)
	if err != nil {
		return err
	}
	want, err := src.CountPosts(ctx, content.KindPost)
	if err != nil {
		return err
	}
	switch have {
	case want:
		fmt.Fprintf(os.Stderr, "using the site kept in PostgreSQL\n")
	case 0:
		fmt.Fprintf(os.Stderr, "copying the site into PostgreSQL…\n")
		if _, err := store.Copy(ctx, src, dst, func(table string, copied, total int64) {
			fmt.Fprintf(os.Stderr, "\rcopying %-20s %d of %d rows", table, copied, total)
		}); err != nil {
			return fmt.Errorf("copy the site into -db: %w", err)
		}
		fmt.Fprintln(os.Stderr)
	default:
		return fmt.Errorf("-db holds %d posts, not the %d of this site: give an empty database", have, want)
	}
	// Opening builds the search index of posts copied without one.
	again, err := store.OpenWith(ctx, b.pg, store.Options{IndexProgress: func(done, total int) {
		fmt.Fprintf(os.Stderr, "\rindexing for search: %d/%d posts", done, total)
	}})
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr)
	return again.Close()
}

// ensureSite generates the site unless a stored one of the same size and
// generator version exists.
func (b *bench) ensureSite(ctx context.Context, fresh bool) (time.Duration, error) {
	if _, err := os.Stat(b.db); err == nil && !fresh {
		fmt.Fprintf(os.Stderr, "using the stored site %s\n", b.db)
		return 0, nil
	}
	tmp := b.db + ".tmp"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
		os.Remove(b.db + suffix)
	}
	db, err := store.Open(ctx, tmp)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	err = generate(ctx, db, b.posts, func(done int) {
		fmt.Fprintf(os.Stderr, "\rgenerating: %d/%d posts", done, b.posts)
	})
	fmt.Fprintln(os.Stderr)
	took := time.Since(start)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	return took, os.Rename(tmp, b.db)
}

// targets picks the addresses to load from the generated site.
func (b *bench) targets(ctx context.Context) ([]target, error) {
	db, err := store.Open(ctx, b.db)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ix, err := db.FindPublicIndex(ctx, time.Now())
	if err != nil {
		return nil, err
	}
	var post string
	var postsOnly []store.IndexEntry
	for _, e := range ix.Entries {
		if e.Kind == content.KindPost {
			postsOnly = append(postsOnly, e)
		}
	}
	if len(postsOnly) > 0 {
		post = postsOnly[len(postsOnly)/2].Path()
	}
	cats, err := db.FindTerms(ctx, content.TaxCategory)
	if err != nil || len(cats) == 0 {
		return nil, fmt.Errorf("no categories in the generated site: %v", err)
	}
	return []target{
		{name: "front page", path: "/"},
		{name: "front page, page 50", path: "/page/50/"},
		{name: "a post", path: post},
		{name: "category archive", path: cats[0].Path()},
		{name: "RSS feed", path: "/feed/"},
		{name: "search", path: "/search?q=" + vocabulary[len(vocabulary)/2]},
	}, nil
}

// server is a running broadsheet serve.
type server struct {
	cmd  *exec.Cmd
	addr string
	// peakAnon is the largest private (anonymous) resident memory
	// sampled while it ran.
	peakAnon atomic.Int64
	done     chan struct{}
}

// sample reads the server's private resident memory every 50 ms until it
// stops. It reads /proc/PID/status, which costs tens of microseconds, and
// not smaps_rollup: that walks every page the server maps (milliseconds
// for a server that maps its database), and read 20 times a second from
// each running server it took a share of the cores from whichever server
// was under load, and added its stalls to the latencies measured.
func (s *server) sample() {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		if n := procField(s.cmd.Process.Pid, "status", "RssAnon:"); n > s.peakAnon.Load() {
			s.peakAnon.Store(n)
		}
		select {
		case <-s.done:
			return
		case <-t.C:
		}
	}
}

func (b *bench) start(args ...string) (*server, error) {
	if b.pin {
		// taskset runs the server in its own process, whose memory is sampled.
		args = append([]string{"taskset", "-c", fmt.Sprintf("1-%d", runtime.NumCPU()-1)}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	// serve logs every request; the log goes nowhere but is still written.
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = devnull
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addrRe := regexp.MustCompile(`serving on http://(\S+?)/`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stdout)
			srv := &server{cmd: cmd, addr: m[1], done: make(chan struct{})}
			go srv.sample()
			return srv, nil
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, fmt.Errorf("%s did not say where it listens", args[0])
}

// stop ends the server and returns its memory in bytes: the largest
// private memory sampled, its proportional set size after its loads (the
// database pages it mapped stay mapped), and the kernel's VmHWM.
func (s *server) stop() memory {
	close(s.done)
	pid := s.cmd.Process.Pid
	peak := memory{pss: pss(pid), anon: max(s.peakAnon.Load(), procField(pid, "status", "RssAnon:")),
		hwm: procField(pid, "status", "VmHWM:")}
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	return peak
}

// cpuTime is the CPU time, user and system, process pid has used, or -1.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// Fields after the command's name, which may hold spaces: state is
	// the first, utime the 12th, stime the 13th, in clock ticks of 1/100 s.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// cpuRatio is base's CPU time per request over r's: roughly the share of
// the baseline's requests/s r reaches where the server's CPU is what
// bounds both.
func cpuRatio(base, r result) string {
	if base.cpu <= 0 || r.cpu <= 0 || base.requests == 0 || r.requests == 0 {
		return "?"
	}
	return fmt.Sprintf("%.2f", (float64(base.cpu)/float64(base.requests))/(float64(r.cpu)/float64(r.requests)))
}

// memory is a server's memory, in bytes: its proportional set size after
// its loads (private memory and its share of the file pages it maps, the
// database above all, which the kernel may reclaim), its peak private
// memory, and the kernel's VmHWM.
type memory struct{ pss, anon, hwm int64 }

func pss(pid int) int64 { return procField(pid, "smaps_rollup", "Pss:") }

// procField reads a size in kB from a /proc file of the process.
func procField(pid int, file, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb << 10
			}
		}
	}
	return -1
}

// measurePages starts serve with the page cache, serve without it (the
// fragment cache on), serve with neither and the baseline server, all at
// once (idle servers cost nothing), and loads each target on the four in
// turn, so that the figures of a row are measured at the same moment of a
// shared machine's day. It returns the servers' peak memory.
func (b *bench) measurePages(rows []row, dsn string) (cachedMem, uncachedMem, bareMem memory, err error) {
	frag := strconv.Itoa(b.fragMB)
	cached, err := b.start(b.bin, "--db", dsn, "serve", "--addr", "127.0.0.1:0", "--page-cache", strconv.Itoa(b.cacheMB), "--fragment-cache", frag)
	if err != nil {
		return memory{}, memory{}, memory{}, err
	}
	defer func() { cachedMem = cached.stop() }()
	uncached, err := b.start(b.bin, "--db", dsn, "serve", "--addr", "127.0.0.1:0", "--page-cache", "0", "--fragment-cache", frag)
	if err != nil {
		return memory{}, memory{}, memory{}, err
	}
	defer func() { uncachedMem = uncached.stop() }()
	bare, err := b.start(b.bin, "--db", dsn, "serve", "--addr", "127.0.0.1:0", "--page-cache", "0", "--fragment-cache", "0")
	if err != nil {
		return memory{}, memory{}, memory{}, err
	}
	defer func() { bareMem = bare.stop() }()

	// The baseline answers what the cached server answers, from memory.
	var pages []baselinePage
	for i := range rows {
		r := &rows[i]
		status, h, body, err := fetch("http://"+cached.addr+r.path, b.enc)
		if err != nil {
			return memory{}, memory{}, memory{}, err
		}
		if status != 200 {
			r.note = fmt.Sprintf("n/a: %s answers %d in this build", r.path, status)
			continue
		}
		h.Del("Date")
		pages = append(pages, baselinePage{Path: r.path, Header: h, Body: body})
	}
	file := filepath.Join(b.work, "baseline-pages.json")
	data, err := json.Marshal(pages)
	if err != nil {
		return memory{}, memory{}, memory{}, err
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return memory{}, memory{}, memory{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return memory{}, memory{}, memory{}, err
	}
	base, err := b.start(self, "-baseline-serve", file)
	if err != nil {
		return memory{}, memory{}, memory{}, err
	}
	defer base.stop()

	for i := range rows {
		r := &rows[i]
		if r.note != "" {
			continue
		}
		servers := []struct {
			label string
			srv   *server
			res   *result
		}{{"baseline", base, &r.base}, {"cached", cached, &r.cached}, {"uncached", uncached, &r.uncached}, {"bare", bare, &r.bare}}
		// The servers take turns, round after round, so that a change in
		// the machine's load falls on all of them alike.
		got := make([][]result, len(servers))
		for range b.rounds {
			for k, m := range servers {
				fmt.Fprintf(os.Stderr, "%-9s %-22s %s… ", m.label, r.name, b.d)
				load(m.srv.addr, r.path, b.enc, b.conns, b.d/5) // warm up: caches, connections
				before := cpuTime(m.srv.cmd.Process.Pid)
				res := load(m.srv.addr, r.path, b.enc, b.conns, b.d)
				if after := cpuTime(m.srv.cmd.Process.Pid); before >= 0 && after >= 0 {
					res.cpu = after - before
				} else {
					res.cpu = -1
				}
				got[k] = append(got[k], res)
				fmt.Fprintf(os.Stderr, "%.0f req/s\n", res.rps)
			}
		}
		for k, m := range servers {
			*m.res = median(got[k])
		}
		if !b.rate.off() {
			b.measureFixedRate(r, base, cached)
		}
	}
	return memory{}, memory{}, memory{}, nil
}

// measureFixedRate loads the row's page on the baseline and the cached
// server at the same fixed rate, taking turns for as many rounds as the
// closed loop, each after a warm-up of a fifth of -rate-duration, and
// keeps each one's round with the median p99.
func (b *bench) measureFixedRate(r *row, base, cached *server) {
	rate := b.rate.at(r.base.rps)
	if slow := min(r.base.rps, r.cached.rps); slow < rate {
		// It would fall further behind the longer the run: its latency
		// would be the run's length, not the server's.
		r.fixedNote = fmt.Sprintf("n/a: %.0f req/s is above the %.0f a server answers in the closed loop", rate, slow)
		return
	}
	servers := []struct {
		label string
		srv   *server
		res   *pacedResult
	}{{"baseline", base, &r.fixedBase}, {"cached", cached, &r.fixedCached}}
	got := make([][]pacedResult, len(servers))
	for range b.rounds {
		for k, m := range servers {
			fmt.Fprintf(os.Stderr, "%-9s %-22s %s at %.0f req/s… ", m.label, r.name, b.rateD, rate)
			// Warm up at the rate, not counted: the connections, and time
			// for what a server loaded before still has to finish.
			paced(m.srv.addr, r.path, b.enc, b.conns, rate, b.rateD/5)
			res := paced(m.srv.addr, r.path, b.enc, b.conns, rate, b.rateD)
			got[k] = append(got[k], res)
			fmt.Fprintf(os.Stderr, "p99 %s%s ms\n", res.bounds(), ms(res.p99))
		}
	}
	for k, m := range servers {
		*m.res = medianPaced(got[k])
	}
}

// median is the round with the median requests/s (the lower middle one
// of an even number).
func median(rounds []result) result {
	return medianBy(rounds, func(r result) float64 { return r.rps })
}

// medianBy is the round whose figure by is the median (the lower middle
// one of an even number).
func medianBy[T any, N cmp.Ordered](rounds []T, by func(T) N) T {
	sorted := slices.SortedFunc(slices.Values(rounds), func(a, b T) int { return cmp.Compare(by(a), by(b)) })
	return sorted[(len(sorted)-1)/2]
}

type exportFigures struct {
	files  int
	bytes  int64
	rounds []exportRound
}

// exportRound is one round of the export's figures.
type exportRound struct{ full, incr, writes time.Duration }

func (r exportRound) ratio() float64 { return r.full.Seconds() / r.writes.Seconds() }

// exportedFile is a file of the export, as the baseline writes it again.
type exportedFile struct {
	rel  string
	body []byte
}

// measureExport times export --static (and again --incremental) and the
// baseline: writing the same files, of the same sizes, from memory, one
// after the other for -rounds rounds. How long making files takes depends
// on the file system's state as much as on the bytes (on ext4 it slowed
// by up to five times over a few minutes of making and removing tens of
// thousands of files): the rounds take turns so that the export and its
// baseline meet the same states, and the medians are printed. Each
// round's folders are removed at its end, not before they are written:
// on some file systems making files is much slower for a minute or more
// after many were removed, and the export, written first, would pay for
// the removal of the previous round's files where the baseline does not.
func (b *bench) measureExport() (*exportFigures, error) {
	dir := filepath.Join(b.exportDir, fmt.Sprintf("export-%d", b.posts))
	base := filepath.Join(b.exportDir, fmt.Sprintf("export-%d-baseline", b.posts))
	// Left by a run that was cut short, or by a round that failed.
	os.RemoveAll(dir)
	os.RemoveAll(base)
	defer os.RemoveAll(dir)
	defer os.RemoveAll(base)
	var files []exportedFile
	ex := &exportFigures{}
	for round := range b.rounds {
		fmt.Fprintf(os.Stderr, "export    --static %s (round %d of %d)…\n", dir, round+1, b.rounds)
		var r exportRound
		var err error
		if r.full, r.incr, err = b.timeExport(dir); err != nil {
			return nil, err
		}
		if files == nil {
			if files, ex.bytes, err = readFiles(dir); err != nil {
				return nil, err
			}
			ex.files = len(files)
		}
		fmt.Fprintf(os.Stderr, "baseline  writing the same %d files…\n", len(files))
		if r.writes, err = writeFiles(base, files); err != nil {
			return nil, err
		}
		ex.rounds = append(ex.rounds, r)
		os.RemoveAll(dir)
		os.RemoveAll(base)
	}
	return ex, nil
}

// timeExport times a static export of the site into dir, and again with
// --incremental.
func (b *bench) timeExport(dir string) (full, incr time.Duration, err error) {
	start := time.Now()
	if out, err := exec.Command(b.bin, "--db", b.db, "export", "--static", dir, "--base-url", "https://bench.example.org").Output(); err != nil {
		return 0, 0, fmt.Errorf("export: %v\n%s", err, out)
	}
	full = time.Since(start)
	start = time.Now()
	if out, err := exec.Command(b.bin, "--db", b.db, "export", "--static", dir, "--incremental",
		"--base-url", "https://bench.example.org").Output(); err != nil {
		return 0, 0, fmt.Errorf("export --incremental: %v\n%s", err, out)
	}
	return full, time.Since(start), nil
}

// readFiles reads every file under dir, and their size in all.
func readFiles(dir string) (files []exportedFile, size int64, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, exportedFile{rel, body})
		size += int64(len(body))
		return nil
	})
	return files, size, err
}

// writeFiles is the export's baseline: it writes files under base, making
// each folder once, and returns how long that took.
func writeFiles(base string, files []exportedFile) (time.Duration, error) {
	start := time.Now()
	made := map[string]bool{}
	for _, f := range files {
		full := filepath.Join(base, f.rel)
		if d := filepath.Dir(full); !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return 0, err
			}
			made[d] = true
		}
		if err := os.WriteFile(full, f.body, 0o644); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// printFixedRate prints the latencies at a fixed offered rate and the
// p99 target's two readings: the closed loop's and the fixed rate's.
func (b *bench) printFixedRate(rows []row) {
	how := "req/s"
	if b.rate.share > 0 {
		how = "of the baseline's closed-loop req/s for the page"
	}
	fmt.Printf("\nlatency at a fixed offered rate (-rate %s %s, the same for both servers), %s per figure\n", b.rate.String(), how, b.rateD)
	fmt.Printf("over %d connections, each request timed from its intended send time to its response's last byte\n", b.conns)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "page\trate req/s\tcached p50 ms\tp99 ms\tp99.9 ms\tlate\tmissed\tbaseline p50 ms\tp99 ms\tp99.9 ms\tlate\tmissed\t")
	var lag50, lag99 time.Duration
	errs := 0
	for _, r := range rows {
		if note := cmp.Or(r.note, r.fixedNote); note != "" {
			// Not tab-terminated: no column is widened to the note.
			fmt.Fprintf(tw, "%s\t  %s\n", r.name, note)
			continue
		}
		c, bs := r.fixedCached, r.fixedBase
		fmt.Fprintf(tw, "%s\t%.0f\t%s%s\t%s%s\t%s%s\t%d\t%d\t%s%s\t%s%s\t%s%s\t%d\t%d\t\n", r.name, c.rate,
			c.bounds(), ms(c.p50), c.bounds(), ms(c.p99), c.bounds(), ms(c.p999), c.late, c.missed,
			bs.bounds(), ms(bs.p50), bs.bounds(), ms(bs.p99), bs.bounds(), ms(bs.p999), bs.late, bs.missed)
		lag50, lag99 = max(lag50, c.lag50, bs.lag50), max(lag99, c.lag99, bs.lag99)
		errs += c.errors + bs.errors
	}
	tw.Flush()
	fmt.Printf("late = sent after its intended time because its connection still awaited an earlier response (the server\n")
	fmt.Printf("behind); missed = not answered by %s after the figure's end, counted with the latency it had reached (≥: a\n", b.rateD/2)
	fmt.Printf("lower bound). The load generator's own delay in sending on time (its timers, its share of the cores), part\n")
	fmt.Printf("of the latencies above: p50 up to %s ms, p99 up to %s ms\n", ms(lag50), ms(lag99))
	if errs > 0 {
		fmt.Printf("%d requests at the fixed rate failed (connection errors or 5xx) and are not counted\n", errs)
	}

	// The target: cached pages' p99 under 5 ms at 64 connections.
	// A page with a query string (search) never enters the page cache.
	var closed, closedBase, fixed, fixedBase []time.Duration
	under, measured, bound, boundBase := 0, 0, "", ""
	for _, r := range rows {
		if r.note != "" || strings.Contains(r.path, "?") {
			continue
		}
		closed, closedBase = append(closed, r.cached.p99), append(closedBase, r.base.p99)
		if r.fixedNote != "" {
			continue
		}
		fixed, fixedBase = append(fixed, r.fixedCached.p99), append(fixedBase, r.fixedBase.p99)
		measured++
		if r.fixedBase.missed > 0 {
			boundBase = "≥"
		}
		if r.fixedCached.missed > 0 {
			bound = "≥"
		} else if r.fixedCached.p99 < 5*time.Millisecond {
			under++
		}
	}
	if len(closed) == 0 {
		return
	}
	fmt.Printf("\np99 target, cached pages under 5 ms at %d connections:\n", b.conns)
	fmt.Printf("  closed loop, saturated (p99 is mostly queueing): cached %s ms, baseline %s ms\n", span(closed), span(closedBase))
	if measured == 0 {
		fmt.Printf("  at a fixed rate: not measured (the rate is above what the servers answer)\n")
		return
	}
	fmt.Printf("  at a fixed rate (-rate %s), from intended send times: cached %s%s ms, baseline %s%s ms; under 5 ms on %d of %d pages\n",
		b.rate.String(), bound, span(fixed), boundBase, span(fixedBase), under, measured)
}

// span is the range of ds in milliseconds.
func span(ds []time.Duration) string {
	lo, hi := slices.Min(ds), slices.Max(ds)
	if ms(lo) == ms(hi) {
		return ms(lo)
	}
	return ms(lo) + "–" + ms(hi)
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

func (b *bench) print(runs []*engineRun, genTook time.Duration, ex *exportFigures) {
	enc := b.enc
	if enc == "" {
		enc = "identity"
	}
	var engines []string
	for _, r := range runs {
		engines = append(engines, r.name)
	}
	fmt.Printf("\nBroadsheet load benchmark: %d posts (%s), %d connections, %s per figure, Accept-Encoding %s, %d CPUs, %s\n",
		b.posts, strings.Join(engines, ", then "), b.conns, b.d, enc, runtime.NumCPU(), runtime.Version())
	if b.rounds > 1 {
		fmt.Printf("each figure is the round with the median requests/s of %d, the servers taking turns\n", b.rounds)
	}
	if b.pin {
		fmt.Printf("load generator pinned to CPU 0, servers to CPUs 1-%d; baseline", runtime.NumCPU()-1)
	} else {
		fmt.Printf("load generator and servers share the machine; baseline")
	}
	fmt.Printf(" = a minimal Go server answering the same bytes\n")
	fmt.Printf("(body and headers, as the cached server sent them) from memory; serve logs every request, as by default\n")
	fmt.Printf("cached = serve --page-cache %d --fragment-cache %d; uncached = --page-cache 0 --fragment-cache %d (every page\n", b.cacheMB, b.fragMB, b.fragMB)
	fmt.Printf("rendered afresh, reusing posts' teasers); bare = --page-cache 0 --fragment-cache 0 (nothing kept but settings,\n")
	fmt.Printf("navigation and listing counts)\n")
	for _, r := range runs {
		if len(runs) > 1 {
			fmt.Printf("\n%s\n", r.name)
		}
		fmt.Println()
		b.printPages(r)
	}
	if len(runs) > 1 {
		printEngines(os.Stdout, runs)
	}
	if ex == nil {
		fmt.Printf("static export: not measured (-export=false)\n")
		if genTook > 0 {
			fmt.Printf("site generated in %.1f s\n", genTook.Seconds())
		}
		return
	}
	full := medianBy(ex.rounds, func(r exportRound) time.Duration { return r.full }).full
	writes := medianBy(ex.rounds, func(r exportRound) time.Duration { return r.writes }).writes
	incr := medianBy(ex.rounds, func(r exportRound) time.Duration { return r.incr }).incr
	how := ""
	if len(ex.rounds) > 1 {
		how = fmt.Sprintf(" (medians of %d rounds)", len(ex.rounds))
	}
	fmt.Printf("static export (SQLite) into %s%s: %d files, %.1f MB in %.2f s (%.3f s per 1,000 posts); baseline writing the same files: %.2f s; ratio %.2f×\n",
		b.exportDir, how, ex.files, float64(ex.bytes)/1e6, full.Seconds(), full.Seconds()/float64(b.posts)*1000, writes.Seconds(), full.Seconds()/writes.Seconds())
	if len(ex.rounds) > 1 {
		fmt.Printf("  each round, export / baseline:")
		for _, r := range ex.rounds {
			fmt.Printf(" %.2f / %.2f s (%.2f×);", r.full.Seconds(), r.writes.Seconds(), r.ratio())
		}
		fmt.Println()
	}
	fmt.Printf("static export --incremental, nothing changed: %.2f s\n", incr.Seconds())
	if genTook > 0 {
		fmt.Printf("site generated in %.1f s\n", genTook.Seconds())
	}
}

// printPages prints one engine's figures: requests/s and latencies, CPU
// time per request, the fixed-rate phase and the servers' memory.
func (b *bench) printPages(run *engineRun) {
	rows, cachedMem, uncachedMem, bareMem := run.rows, run.cachedMem, run.uncachedMem, run.bareMem
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "page\tcached req/s\tp50 ms\tp99 ms\tuncached req/s\tp50 ms\tp99 ms\tbare req/s\tp50 ms\tp99 ms\tbaseline req/s\tp50 ms\tp99 ms\tcached/base\tuncached/base\tbare/base\t")
	for _, r := range rows {
		if r.note != "" {
			fmt.Fprintf(tw, "%s\t%s\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n", r.name, r.note)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%.0f\t%s\t%s\t%.0f\t%s\t%s\t%.0f\t%s\t%s\t%.2f\t%.2f\t%.2f\t\n", r.name,
			r.cached.rps, ms(r.cached.p50), ms(r.cached.p99),
			r.uncached.rps, ms(r.uncached.p50), ms(r.uncached.p99),
			r.bare.rps, ms(r.bare.p50), ms(r.bare.p99),
			r.base.rps, ms(r.base.p50), ms(r.base.p99),
			r.cached.rps/r.base.rps, r.uncached.rps/r.base.rps, r.bare.rps/r.base.rps)
	}
	tw.Flush()
	// The servers' CPU time per request depends far less than requests/s
	// on what else the machine runs at the time.
	fmt.Printf("\nserver CPU time per request, µs (user and system; the load generator's not counted)\n")
	tw = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "page\tcached\tuncached\tbare\tbaseline\tbase/cached\tbase/uncached\t")
	for _, r := range rows {
		if r.note != "" {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.name, r.cached.cpuPerRequest(), r.uncached.cpuPerRequest(),
			r.bare.cpuPerRequest(), r.base.cpuPerRequest(), cpuRatio(r.base, r.cached), cpuRatio(r.base, r.uncached))
	}
	tw.Flush()
	errs := 0
	for _, r := range rows {
		errs += r.cached.errors + r.uncached.errors + r.bare.errors + r.base.errors
	}
	if errs > 0 {
		fmt.Printf("\n%d requests failed (connection errors or 5xx) and are not counted\n", errs)
	}
	if !b.rate.off() {
		b.printFixedRate(rows)
	}
	fmt.Printf("\nserver memory with the page cache (%d MB bound) / without / bare:\n", b.cacheMB)
	fmt.Printf("  peak private (RssAnon, sampled every 50 ms): %.1f / %.1f / %.1f MB\n", mb(cachedMem.anon), mb(uncachedMem.anon), mb(bareMem.anon))
	fmt.Printf("  PSS after the loads, adding its share of the database pages it maps (page cache the kernel may reclaim): %.1f / %.1f / %.1f MB\n",
		mb(cachedMem.pss), mb(uncachedMem.pss), mb(bareMem.pss))
	fmt.Printf("  kernel VmHWM, which counts the mapped database once per connection: %.1f / %.1f / %.1f MB\n",
		mb(cachedMem.hwm), mb(uncachedMem.hwm), mb(bareMem.hwm))
}

// printEngines prints the engines' cached and uncached figures side by
// side: requests/s as a share of the minimal server's in the same engine's
// turn, and the server's CPU time per request.
func printEngines(w io.Writer, runs []*engineRun) {
	fmt.Fprintf(w, "\nengines side by side: share of the minimal server's requests/s, and server CPU µs per request\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "page\t"
	for _, what := range []string{"cached", "uncached"} {
		for _, r := range runs {
			head += fmt.Sprintf("%s %s\tCPU µs\t", r.name, what)
		}
	}
	fmt.Fprintln(tw, head)
	for i, first := range runs[0].rows {
		line := first.name + "\t"
		for _, what := range []string{"cached", "uncached"} {
			for _, r := range runs {
				row := r.rows[i]
				if row.note != "" {
					line += "n/a\t\t"
					continue
				}
				res := row.cached
				if what == "uncached" {
					res = row.uncached
				}
				line += fmt.Sprintf("%.2f\t%s\t", res.rps/row.base.rps, res.cpuPerRequest())
			}
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	fmt.Fprintln(w)
}
