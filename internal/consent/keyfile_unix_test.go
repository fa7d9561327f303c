//go:build unix

package consent_test

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/consent"
)

// A wrong path must neither hang counsel (a fifo nobody writes) nor fill its
// memory (a symlink to /dev/zero): both are refused before a byte is read.
func TestKeyFileRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.key")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.key")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, kind string }{{fifo, "a fifo"}, {zero, "a device"}} {
		t.Run(tc.kind, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := consent.KeyFile{Path: tc.path}.Read()
				done <- err
			}()
			select {
			case err := <-done:
				want := fmt.Sprintf("proof key %s is not a regular file (%s); it was not read", tc.path, tc.kind)
				if err == nil || err.Error() != want {
					t.Fatalf("err = %v, want %q", err, want)
				}
				hints(t, err)
			case <-time.After(5 * time.Second):
				t.Fatal("Read hangs")
			}
		})
	}
}
