//go:build unix

package safefile

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// lockFolder opens the folder at path and holds an exclusive lock on it (flock) until the file
// is closed, or the process ends: the kernel drops the lock of a killed process.
func lockFolder(path string) (*os.File, error) {
	f, err := openFolder(path)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, &os.PathError{Op: "lock", Path: path, Err: err}
	}
	return f, nil
}

func openFolder(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// removeLeftover removes the folder at path if no process holds its lock and it is provably
// counsel's (see CleanLeftovers); busy means a running counsel holds it. Files are removed
// through the open folder, so a folder swapped for another after the checks loses nothing.
func removeLeftover(path string, known func(string) bool) (busy bool, kept Kept, err error) {
	fi, err := os.Lstat(path)
	switch {
	case err != nil:
		return true, Removed, nil // gone meanwhile: nothing to report
	case !fi.IsDir():
		return false, KeptNotAFolder, nil
	case fi.Mode().Perm() != 0o700:
		return false, KeptPermissions, nil
	case !ownedByUs(fi):
		return false, KeptOtherOwner, nil
	}
	f, err := openFolder(path)
	if err != nil {
		return false, KeptError, err
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return true, Removed, nil
		}
		return false, KeptError, &os.PathError{Op: "lock", Path: path, Err: err}
	}
	if !sameFolder(f, path) {
		return true, Removed, nil // removed or replaced meanwhile
	}
	names, err := f.Readdirnames(-1)
	if err != nil {
		return false, KeptError, err
	}
	dirfd := int(f.Fd())
	for _, name := range names {
		var st unix.Stat_t
		if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return false, KeptError, &os.PathError{Op: "stat", Path: path, Err: err}
		}
		if st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != os.Getuid() || !known(name) {
			return false, KeptForeignContent, nil
		}
	}
	for _, name := range names {
		if err := unix.Unlinkat(dirfd, name, 0); err != nil {
			return false, KeptError, &os.PathError{Op: "remove", Path: path, Err: err}
		}
	}
	// Only an empty folder is removed (AT_REMOVEDIR); a file swapped in at path is not.
	if err := unix.Unlinkat(unix.AT_FDCWD, path, unix.AT_REMOVEDIR); err != nil {
		return false, KeptError, &os.PathError{Op: "remove", Path: path, Err: err}
	}
	return false, Removed, nil
}

func ownedByUs(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	return int(st.Uid) == os.Getuid()
}
