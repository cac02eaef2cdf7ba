// Command wxrimport measures the WordPress import on a generated site:
// 10,000 posts with categories, tags and 2,000 attachments by default. It
// first times a baseline in the same run (only parsing the file), then the
// whole import through the command line, progress bar and all, and prints
// wall time and peak memory of each beside the targets.
//
//	go run ./bench/wxrimport [-posts N] [-attachments N] [-db URL]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/broadsheet/broadsheet/internal/app"
	"github.com/broadsheet/broadsheet/internal/wordpress"
	"github.com/broadsheet/broadsheet/internal/wordpress/wxrtest"
)

func main() {
	posts := flag.Int("posts", 10000, "posts to generate")
	attachments := flag.Int("attachments", 2000, "attachments to generate, each with a file")
	dbURL := flag.String("db", "", "database to import into (default: a new SQLite file); a postgres:// URL must name an empty database")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the import to `file`")
	flag.Parse()
	if err := run(*posts, *attachments, *dbURL, *cpuProfile); err != nil {
		fmt.Fprintln(os.Stderr, "wxrimport:", err)
		os.Exit(1)
	}
}

func run(posts, attachments int, dbURL, cpuProfile string) error {
	dir, err := os.MkdirTemp("", "broadsheet-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	uploads := filepath.Join(dir, "uploads")
	file := filepath.Join(dir, "site.wxr")
	fmt.Printf("Generating a WXR with %d posts, %d attachments, 60 categories, 1,000 tags…\n", posts, attachments)
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	err = wxrtest.Generate(f, wxrtest.Spec{Posts: posts, Attachments: attachments, Categories: 60, Tags: 1000, Authors: 25, Uploads: uploads})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}

	// Baseline: stream the file through the parser alone.
	var items int
	parse := measure(func() error {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		p := wordpress.NewParser(bufio.NewReader(f))
		for {
			_, err := p.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			items++
		}
	})
	if parse.err != nil {
		return parse.err
	}

	args := []string{"--data", filepath.Join(dir, "data")}
	if dbURL != "" {
		args = append(args, "--db", dbURL)
	}
	args = append(args, "import", file, "--uploads", uploads, "--report", filepath.Join(dir, "report.txt"))
	if cpuProfile != "" {
		pf, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		pprof.StartCPUProfile(pf)
	}
	var summary strings.Builder
	imp := measure(func() error {
		if code := app.Run(context.Background(), args, nil, &summary, os.Stderr); code != 0 {
			return fmt.Errorf("import exited with status %d", code)
		}
		return nil
	})
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if imp.err != nil {
		fmt.Print(summary.String())
		return imp.err
	}
	fmt.Print(summary.String())
	engine := "SQLite"
	if strings.HasPrefix(dbURL, "postgres") {
		engine = "PostgreSQL"
	}
	fmt.Printf("\nWXR import benchmark: %d items (%d posts, %d attachments), %.1f MB file, %d CPUs (load average %s), %s\n",
		items, posts, attachments, float64(st.Size())/(1<<20), runtime.NumCPU(), loadAverage(), engine)
	fmt.Printf("%-34s %10s %14s %14s\n", "", "wall", "peak RSS", "peak Go heap")
	fmt.Printf("%-34s %10s %14s %14s\n", "baseline: parse the file only", secs(parse.wall), mb(parse.rss), mb(parse.heap))
	fmt.Printf("%-34s %10s %14s %14s\n", "import (database, files, links)", secs(imp.wall), mb(imp.rss), mb(imp.heap))
	fmt.Printf("%-34s %10s %14s\n", "target", "< 15.0 s", "< 200 MB")
	return nil
}

type result struct {
	wall      time.Duration
	rss, heap uint64
	err       error
}

// measure runs fn and returns its wall time, the process's peak resident
// memory while it ran (Linux's VmHWM, reset before), and the peak Go heap
// sampled every 20 ms.
func measure(fn func() error) result {
	runtime.GC()
	resetPeakRSS()
	var peakHeap atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peakHeap.Load() {
				peakHeap.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	err := fn()
	wall := time.Since(start)
	close(stop)
	wg.Wait()
	return result{wall: wall, rss: peakRSS(), heap: peakHeap.Load(), err: err}
}

// resetPeakRSS asks Linux to restart the peak-RSS count; where that is not
// possible the figure covers the whole run so far.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func peakRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// loadAverage is the machine's one-minute load: wall times on a shared
// machine mean little without it.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(data))[0]
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func mb(b uint64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MB", float64(b)/(1<<20))
}
