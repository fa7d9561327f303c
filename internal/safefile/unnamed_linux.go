//go:build linux

package safefile

import (
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// openUnnamed opens a file in dir that has no name yet (O_TMPFILE). Until linkUnnamed names
// it, no directory lists it, and if the process dies first (even by SIGKILL) the kernel
// frees it: a killed export leaves no partial file behind. It returns nil where the kernel,
// the file system or a missing /proc cannot do this; callers then use a named temporary file.
func openUnnamed(dir string) *os.File {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil
	}
	f := os.NewFile(uintptr(fd), filepath.Join(dir, "(unnamed)"))
	if _, err := os.Stat(procPath(f)); err != nil {
		f.Close()
		return nil
	}
	return f
}

// linkUnnamed gives the file from openUnnamed the name path; it fails, matching
// fs.ErrExist, when path exists.
func linkUnnamed(f *os.File, path string) error {
	if err := unix.Linkat(unix.AT_FDCWD, procPath(f), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW); err != nil {
		return &os.LinkError{Op: "link", Old: f.Name(), New: path, Err: err}
	}
	return nil
}

func procPath(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }
