package app

import (
	"fmt"
	"io"
	"strings"
)

// progressBar draws "importing [#####     ]  45%  4,512 items read" on one
// terminal line for the long commands (import, export), redrawn only when
// the percentage moves or every thousandth step.
type progressBar struct {
	w     io.Writer
	label string
	total int64 // 0 when unknown
	last  int
	steps int
	drawn bool
}

// show draws the bar at done of total, with a note after it; final draws
// 100% and ends the line.
func (b *progressBar) show(done int64, note string, final bool) {
	pct := 100
	if b.total > 0 && !final {
		pct = int(min(done*100/b.total, 100))
	}
	b.steps++
	if b.drawn && pct == b.last && !final && b.steps%1000 != 0 {
		return
	}
	b.last, b.drawn = pct, true
	const width = 30
	fill := min(width, pct*width/100)
	fmt.Fprintf(b.w, "\r%s [%s%s] %3d%%  %s", b.label, strings.Repeat("#", fill), strings.Repeat(" ", width-fill), pct, note)
	if final {
		fmt.Fprintln(b.w)
	}
}

// clear ends the bar's line, so what follows starts on its own.
func (b *progressBar) clear() {
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}
