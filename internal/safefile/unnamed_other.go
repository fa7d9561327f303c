//go:build !linux

package safefile

import (
	"errors"
	"os"
)

// openUnnamed: only Linux has unnamed files (O_TMPFILE); elsewhere a named temporary file
// is used, which a killed process leaves behind.
func openUnnamed(dir string) *os.File { return nil }

func linkUnnamed(f *os.File, path string) error {
	return errors.New("unnamed files are not supported on this system")
}
