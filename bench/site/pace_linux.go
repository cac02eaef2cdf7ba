package main

import (
	"os"
	"syscall"
	"time"
	"unsafe"
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
	fd, _, errno := syscall.Syscall(syscall.SYS_TIMERFD_CREATE, 1 /* CLOCK_MONOTONIC */, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		return nil
	}
	// A non-blocking descriptor gives a File read through the poller.
	return &pacer{f: os.NewFile(fd, "timerfd"), fd: int(fd)}
}

func (p *pacer) until(t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		return
	}
	if p != nil {
		spec := struct{ interval, value syscall.Timespec }{value: syscall.NsecToTimespec(int64(d))}
		var expirations [8]byte
		if _, _, errno := syscall.RawSyscall6(syscall.SYS_TIMERFD_SETTIME, uintptr(p.fd), 0, uintptr(unsafe.Pointer(&spec)), 0, 0, 0); errno == 0 {
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
