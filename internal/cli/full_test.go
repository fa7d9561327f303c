package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
)

// A full disk is one test (diskFull) for every kind of error that says so, and the words
// say what was not written and what to do, never the temporary file's "(unnamed)" name.
func TestDiskFullWords(t *testing.T) {
	enospc := &os.PathError{Op: "write", Path: "/mnt/usb/(unnamed)", Err: syscall.ENOSPC}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{enospc, true},
		{fmt.Errorf("--out: write x: %w", enospc), true},
		{&os.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}, false},
		{errors.New("no space left on device"), false}, // text is never matched
	} {
		if got := diskFull(tc.err); got != tc.want {
			t.Errorf("diskFull(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	err := outputFileError("out", enospc)
	if msg := err.Error(); msg != "--out: the file could not be written because its disk is full; it was not written, and nothing was stored" {
		t.Errorf("outputFileError = %q", msg)
	}
	var h hinter
	if !errors.As(err, &h) || len(h.Hints()) != 1 || !strings.Contains(h.Hints()[0], "free space") {
		t.Errorf("outputFileError hints: %v", h)
	}
	if diskFull(err) {
		t.Error("the worded error is still a full disk: Main would word it again")
	}
	// A full disk no flag names keeps its error and gets the advice.
	a := &app{}
	other := a.fullDiskError(enospc)
	if !errors.As(other, &h) || !errors.Is(other, syscall.ENOSPC) || !strings.Contains(strings.Join(h.Hints(), " "), "the disk is full") {
		t.Errorf("fullDiskError(ENOSPC) = %v, hints %v", other, h)
	}
}
