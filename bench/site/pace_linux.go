package main

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// pacer waits until a request's intended send time on a timerfd that the
// runtime's network poller watches: the goroutine parks, as on a
// connection, and wakes within microseconds of the time. time.Sleep wakes
// up to a millisecond late here when the process is otherwise idle (the
// poller's timeout is in whole milliseconds), and that delay would add
// itself to every latency measured. A nil pacer sleeps with time.Sleep.
type pacer struct {
	f  *os.File
	fd int
}

func newPacer() *pacer {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil
	}
	// A non-blocking descriptor gives a File read through the poller.
	return &pacer{f: os.NewFile(uintptr(fd), "timerfd"), fd: fd}
}

func (p *pacer) until(t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		return
	}
	if p != nil {
		spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
		var expirations [8]byte
		if unix.TimerfdSettime(p.fd, 0, &spec, nil) == nil {
			if _, err := p.f.Read(expirations[:]); err == nil {
				return
			}
		}
	}
	time.Sleep(time.Until(t))
}

func (p *pacer) close() {
	if p != nil {
		p.f.Close()
	}
}
