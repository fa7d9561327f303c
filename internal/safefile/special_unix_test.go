//go:build unix

package safefile_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/expeerienced/counsel/internal/safefile"
)

// --force replaces a file, never a device, pipe or socket: run as root,
// 'export sessions --out /dev/null --force' would otherwise put a regular file
// where the system's /dev/null was. A pipe stands in for the device here.
func TestForceNeverReplacesASpecialFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, force := range []bool{false, true} {
		if err := safefile.Check(fifo, force); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Check(pipe, force=%v) = %v, want a refusal naming it not a regular file", force, err)
		}
		err := safefile.Write(fifo, force, func(w io.Writer) error {
			_, err := w.Write([]byte("data\n"))
			return err
		})
		if err == nil {
			t.Errorf("Write(pipe, force=%v) = nil, want a refusal", force)
		}
	}
	fi, err := os.Lstat(fifo)
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the pipe was replaced: %v, %v", fi.Mode(), err)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("files left beside the pipe: %q", got)
	}
}
