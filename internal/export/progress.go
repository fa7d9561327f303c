package export

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Progress shows on one terminal line how many rows an export has written. It draws nothing
// until the export has run for a while, so quick exports stay silent, then redraws a few
// times a second, and Stop clears the line. Only use it when w is a terminal.
//
// Hand-written rather than github.com/schollz/progressbar/v3: that bar draws on the first
// row (we want silence under a second), keeps package-level mutable state, and brings four
// more modules for what is one line of text.
type Progress struct {
	w     io.Writer
	label string
	total int64
	n     atomic.Int64

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
	drawn    int // width of the line on screen; owned by the drawing goroutine until done
}

// StartProgress starts drawing to w after delay, every interval. total is the number of rows
// expected (0 when unknown).
func StartProgress(w io.Writer, label string, total int64, delay, interval time.Duration) *Progress {
	p := &Progress{w: w, label: label, total: total, stop: make(chan struct{}), done: make(chan struct{})}
	go p.run(delay, interval)
	return p
}

// Add counts n more rows written; safe to call from the exporting goroutine at any rate.
func (p *Progress) Add(n int64) { p.n.Add(n) }

// Line is the text drawn for the current count, e.g. "exporting sessions: 12345 of 100000
// rows (12%)".
func (p *Progress) Line() string {
	n := p.n.Load()
	if p.total <= 0 {
		return fmt.Sprintf("%s: %d rows", p.label, n)
	}
	return fmt.Sprintf("%s: %d of %d rows (%d%%)", p.label, n, p.total, min(100, n*100/p.total))
}

// Stop stops drawing and clears the line if one was drawn. It may be called more than once.
func (p *Progress) Stop() {
	p.stopOnce.Do(func() {
		close(p.stop)
		<-p.done
		if p.drawn > 0 {
			fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.drawn))
		}
	})
}

func (p *Progress) run(delay, interval time.Duration) {
	defer close(p.done)
	wait := time.NewTimer(delay)
	defer wait.Stop()
	select {
	case <-p.stop:
		return
	case <-wait.C:
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		line := p.Line()
		// Pad to the previous width so a shorter line leaves nothing behind.
		fmt.Fprintf(p.w, "\r%-*s", p.drawn, line)
		p.drawn = max(p.drawn, len(line))
		select {
		case <-p.stop:
			return
		case <-tick.C:
		}
	}
}
