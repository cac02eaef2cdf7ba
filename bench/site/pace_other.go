//go:build !linux

package main

import "time"

// pacer waits until a request's intended send time; elsewhere than on
// Linux, with time.Sleep.
type pacer struct{}

func newPacer() *pacer { return nil }

func (p *pacer) until(t time.Time) { time.Sleep(time.Until(t)) }

func (p *pacer) close() {}
