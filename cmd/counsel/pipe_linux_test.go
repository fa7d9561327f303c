//go:build linux

package main

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// shrinkPipe makes the pipe behind f hold one page, so that even a small export (a test
// database under the race detector) fills it and stalls mid-way, which is what
// TestWriteDuringExport needs.
func shrinkPipe(t *testing.T, f *os.File) {
	if _, err := unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, os.Getpagesize()); err != nil {
		t.Fatalf("shrink the export's pipe: %v", err)
	}
}
