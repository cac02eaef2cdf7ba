package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pacedResult is one target's latency at a fixed offered rate.
type pacedResult struct {
	rate float64 // offered, requests/s
	// Latencies from each request's intended send time to its response's
	// last byte; lower bounds where missed > 0 (see paced).
	p50, p99, p999 time.Duration
	due            int // requests scheduled
	done           int // answered
	// late were sent after their intended time because their connection
	// still awaited an earlier response: the server was behind.
	late int
	// missed were scheduled but not answered by the phase's end, whether
	// sent or not.
	missed int
	errors int // connection errors and 5xx
	// lag50 and lag99 are the load generator's own delay in sending a
	// request whose connection was free at its intended time (its
	// timers, its share of the CPU), part of the latencies above.
	lag50, lag99 time.Duration
}

// bounds says whether the latencies are lower bounds.
func (p pacedResult) bounds() string {
	if p.missed > 0 {
		return "≥"
	}
	return ""
}

// paced drives GET path on addr at a fixed offered rate, requests/s in
// all, spread evenly over conns keep-alive connections, for d: connection
// k sends its i-th request at start + (k/conns + i)·conns/rate, or as soon
// as it has read the response before if that comes later. Each request's
// latency runs from that intended send time, not from when it was sent, to
// its response's last byte, so that a server that stalls is charged for
// every request the stall delays, as a client arriving at that rate would
// see it (a closed loop measuring from the send would hide the wait:
// coordinated omission). After d, connections still behind go on sending
// what was due for d/2 more; what is not answered by then is missed and
// counts with the latency it had reached, a lower bound. A connection
// waits for its next send time on a pacer, parked like a goroutine
// reading, not spinning, and no goroutine is started per request. Below
// saturation the runtime wakes from idle for nearly every request, so the
// generator spends more CPU per request than in the closed loop (about
// 35-100 µs against 15-20 here), about as much in all at half its rate.
func paced(addr, path, acceptEncoding string, conns int, rate float64, d time.Duration) pacedResult {
	reqBytes := request(addr, path, acceptEncoding)
	interval := time.Duration(float64(conns) / rate * float64(time.Second))
	if interval <= 0 {
		interval = 1
	}
	// Connections are opened before the clock starts.
	cs := make([]net.Conn, conns)
	for k := range cs {
		cs[k], _ = net.Dial("tcp", addr)
	}
	var (
		mu       sync.Mutex
		all      []time.Duration
		lags     []time.Duration
		res      = pacedResult{rate: rate}
		wg       sync.WaitGroup
		start    = time.Now().Add(10 * time.Millisecond)
		end      = start.Add(d)
		deadline = end.Add(d / 2)
	)
	for k, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var (
				lat    = make([]time.Duration, 0, int(float64(d)/float64(interval))+2)
				lag    = make([]time.Duration, 0, cap(lat))
				r      pacedResult
				br     *bufio.Reader
				offset = time.Duration(int64(interval) * int64(k) / int64(conns))
				free   time.Time // when the connection read its last response
			)
			if c != nil {
				c.SetDeadline(deadline)
				br = bufio.NewReaderSize(c, 64<<10)
			}
			pace := newPacer()
			defer pace.close()
			for i := 0; ; i++ {
				due := start.Add(offset + time.Duration(i)*interval)
				if !due.Before(end) {
					break
				}
				r.due++
				now := time.Now()
				if !now.Before(deadline) {
					r.missed++
					lat = append(lat, now.Sub(due))
					continue
				}
				if now.Before(due) {
					pace.until(due)
					lag = append(lag, time.Since(due))
				} else if free.After(due) {
					r.late++
				} else {
					lag = append(lag, now.Sub(due))
				}
				if c == nil {
					var err error
					if c, err = net.DialTimeout("tcp", addr, time.Until(deadline)); err != nil {
						r.errors++
						c = nil
						continue
					}
					c.SetDeadline(deadline)
					br = bufio.NewReaderSize(c, 64<<10)
				}
				status, err := roundTrip(c, br, reqBytes)
				free = time.Now()
				switch {
				case errors.Is(err, os.ErrDeadlineExceeded):
					r.missed++
					lat = append(lat, free.Sub(due))
				case err != nil || status >= 500:
					r.errors++
				default:
					r.done++
					lat = append(lat, free.Sub(due))
					continue
				}
				c.Close()
				c = nil
			}
			if c != nil {
				c.Close()
			}
			mu.Lock()
			all = append(all, lat...)
			lags = append(lags, lag...)
			res.due += r.due
			res.done += r.done
			res.late += r.late
			res.missed += r.missed
			res.errors += r.errors
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(all)
	slices.Sort(lags)
	if len(all) > 0 {
		res.p50 = all[len(all)/2]
		res.p99 = all[len(all)*99/100]
		res.p999 = all[len(all)*999/1000]
	}
	if len(lags) > 0 {
		res.lag50 = lags[len(lags)/2]
		res.lag99 = lags[len(lags)*99/100]
	}
	return res
}

// medianPaced is the round with the median p99 (the lower middle one of
// an even number).
func medianPaced(rounds []pacedResult) pacedResult {
	return medianBy(rounds, func(r pacedResult) time.Duration { return r.p99 })
}

// offeredRate is -rate: the requests/s the fixed-rate phase offers, either
// a number or a share of the baseline's closed-loop requests/s for the
// page; zero turns the phase off.
type offeredRate struct {
	rps   float64 // requests/s, where share is 0
	share float64 // of the baseline's closed-loop requests/s
}

func (r *offeredRate) String() string {
	if r.share > 0 {
		return strconv.FormatFloat(r.share*100, 'f', -1, 64) + "%"
	}
	return strconv.FormatFloat(r.rps, 'f', -1, 64)
}

func (r *offeredRate) Set(s string) error {
	pct, isShare := strings.CutSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
	if err != nil || v < 0 || v != v || v > 1e9 {
		return fmt.Errorf("want requests/s (e.g. 10000), a share of the baseline's (e.g. 50%%) or 0")
	}
	if isShare {
		*r = offeredRate{share: v / 100}
	} else {
		*r = offeredRate{rps: v}
	}
	return nil
}

func (r offeredRate) off() bool { return r.rps == 0 && r.share == 0 }

// at is the rate offered for a page the baseline answers baseRPS
// requests/s to in a closed loop.
func (r offeredRate) at(baseRPS float64) float64 {
	if r.share > 0 {
		return r.share * baseRPS
	}
	return r.rps
}
