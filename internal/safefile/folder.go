package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Folder is a private folder (0700) made beside its target under a hidden name, filled by the
// caller, and renamed to the target whole, so that the target appears complete or not at all.
// While it is filled, the process holds a lock on it (where the system has one), which is how
// CleanLeftovers tells the folder of a process that was killed from one still being filled.
type Folder struct {
	tmp, path string
	lock      *os.File // the open, locked folder; nil where the system has no such lock
}

// folderPrefix begins the name of every folder PrepareFolder makes for path; os.MkdirTemp
// appends random decimal digits.
func folderPrefix(path string) string { return ".counsel-" + filepath.Base(path) + "-" }

// PrepareFolder makes the folder for path (which the caller has checked does not exist).
func PrepareFolder(path string) (*Folder, error) {
	for try := 0; ; try++ {
		tmp, err := os.MkdirTemp(filepath.Dir(path), folderPrefix(path))
		if err != nil {
			return nil, err
		}
		if err := os.Chmod(tmp, 0o700); err != nil {
			os.Remove(tmp)
			return nil, err
		}
		lock, err := lockFolder(tmp)
		if err != nil {
			os.Remove(tmp)
			return nil, err
		}
		// Before the lock, another counsel's CleanLeftovers may have taken the new, empty
		// folder for a leftover and removed it: it is ours only if it is still there.
		if lock == nil || sameFolder(lock, tmp) {
			return &Folder{tmp: tmp, path: path, lock: lock}, nil
		}
		lock.Close()
		if try == 2 {
			return nil, fmt.Errorf("make a folder beside %s: it was removed while being made", path)
		}
	}
}

// Dir is the folder to fill.
func (f *Folder) Dir() string { return f.tmp }

// Commit renames the folder to its target; a file or folder that appeared at the target since
// is kept, and the folder is removed.
func (f *Folder) Commit() error {
	if f.tmp == "" {
		return nil
	}
	if _, err := os.Lstat(f.path); !errors.Is(err, fs.ErrNotExist) {
		f.Discard()
		return fmt.Errorf("%s appeared while the folder was made: %w", f.path, fs.ErrExist)
	}
	if err := os.Rename(f.tmp, f.path); err != nil {
		f.Discard()
		return err
	}
	f.tmp = ""
	f.unlock()
	return nil
}

// Discard removes the folder unless it was published. The lock is held until it is gone.
func (f *Folder) Discard() {
	if f.tmp != "" {
		os.RemoveAll(f.tmp)
		f.tmp = ""
	}
	f.unlock()
}

func (f *Folder) unlock() {
	if f.lock != nil {
		f.lock.Close()
		f.lock = nil
	}
}

// Leftover is a folder that PrepareFolder made for a target and that was neither published nor
// discarded: its process was killed (or the computer stopped) while filling it.
type Leftover struct {
	Path string
	Kept Kept  // why it was kept; Removed when it was removed
	Err  error // what failed, with KeptError
}

// Kept says why CleanLeftovers kept a leftover.
type Kept int

const (
	Removed            Kept = iota // not kept: removed
	KeptNotAFolder                 // a file or a link in a leftover's name
	KeptPermissions                // not 0700
	KeptOtherOwner                 // another user's
	KeptForeignContent             // holds something counsel does not write there
	KeptCannotTell                 // this system cannot tell whether a counsel still fills it
	KeptError                      // it could not be checked or removed (Err)
)

// CleanLeftovers finds the folders PrepareFolder made for path that no process holds any more,
// and removes each one that is provably counsel's: a folder (not a link) of this user with mode
// 0700, holding only regular files of this user whose names known accepts (or the temporary
// files Prepare names after them). Anything else, or a folder whose lock this system cannot
// test, is kept and returned with the reason, for the caller to report; so is what could not
// be removed. A folder still being
// filled by a running counsel is left alone and not returned.
func CleanLeftovers(path string, known func(name string) bool) ([]Leftover, error) {
	dir, prefix := filepath.Dir(path), folderPrefix(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var found []Leftover
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !allDigits(rest) {
			continue
		}
		l := Leftover{Path: filepath.Join(dir, e.Name())}
		var busy bool
		busy, l.Kept, l.Err = removeLeftover(l.Path, func(name string) bool {
			if target, ok := tempTarget(name); ok {
				name = target
			}
			return known(name)
		})
		if !busy {
			found = append(found, l)
		}
	}
	return found, nil
}

// tempTarget is the target name of a temporary file Prepare made (".NAME.DIGITS.tmp").
func tempTarget(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, ".")
	if !ok {
		return "", false
	}
	rest, ok = strings.CutSuffix(rest, ".tmp")
	if !ok {
		return "", false
	}
	i := strings.LastIndexByte(rest, '.')
	if i <= 0 || !allDigits(rest[i+1:]) {
		return "", false
	}
	return rest[:i], true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// sameFolder reports whether the open folder f is still the one at path.
func sameFolder(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Lstat(path)
	return err == nil && os.SameFile(a, b)
}
