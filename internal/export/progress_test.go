package export_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/export"
)

// syncBuffer is a bytes.Buffer the drawing goroutine and the test can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestProgressLine(t *testing.T) {
	tests := []struct {
		name  string
		total int64
		add   int64
		want  string
	}{
		{"Known", 200, 50, "exporting sessions: 50 of 200 rows (25%)"},
		{"Unknown", 0, 7, "exporting sessions: 7 rows"},
		{"Overrun", 10, 12, "exporting sessions: 12 of 10 rows (100%)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf syncBuffer
			p := export.StartProgress(&buf, "exporting sessions", tt.total, time.Hour, time.Hour)
			p.Add(tt.add)
			if got := p.Line(); got != tt.want {
				t.Errorf("Line() = %q, want %q", got, tt.want)
			}
			p.Stop()
			p.Stop() // a second Stop is harmless
		})
	}
}

func TestProgressQuietBeforeDelay(t *testing.T) {
	var buf syncBuffer
	p := export.StartProgress(&buf, "exporting", 10, time.Hour, time.Millisecond)
	p.Add(10)
	p.Stop()
	if got := buf.String(); got != "" {
		t.Errorf("a quick export drew %q, want nothing", got)
	}
}

func TestProgressDrawsAndClears(t *testing.T) {
	var buf syncBuffer
	p := export.StartProgress(&buf, "exporting", 4, 0, time.Millisecond)
	p.Add(2)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(buf.String(), "2 of 4 rows (50%)") {
		if time.Now().After(deadline) {
			t.Fatalf("no progress drawn after 5s: %q", buf.String())
		}
		time.Sleep(time.Millisecond)
	}
	p.Stop()
	out := buf.String()
	width := len("exporting: 2 of 4 rows (50%)")
	if !strings.HasSuffix(out, "\r"+strings.Repeat(" ", width)+"\r") {
		t.Errorf("output %q does not end by clearing the line", out)
	}
	if strings.Contains(out, "\n") {
		t.Errorf("output %q holds a line break; progress stays on one line", out)
	}
}
