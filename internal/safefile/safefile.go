// Package safefile writes output files so that they are private (mode 0600), never replace an
// existing file unless asked to, and never exist half written: the data goes to a temporary
// file in the target's directory, is synced, and only then appears under the target name.
package safefile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ErrExists is returned, wrapped with the path, when the target already exists and force is
// false. It also matches fs.ErrExist.
var ErrExists error = existsError{}

type existsError struct{}

func (existsError) Error() string { return "file exists, not overwritten" }

// Is lets errors.Is(err, fs.ErrExist) hold for ErrExists, so callers need not know this package.
func (existsError) Is(target error) bool { return target == fs.ErrExist }

// Check reports early, before any expensive work, whether Write could create path: its
// directory must exist, the path must not be a directory, device, pipe or socket, and without
// force it must not exist.
// Write repeats these checks; Check only saves the caller from wasted work.
func Check(path string, force bool) error {
	dir := filepath.Dir(path)
	di, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("directory %s does not exist: %w", dir, fs.ErrNotExist)
		}
		return fmt.Errorf("check directory %s: %w", dir, err)
	}
	if !di.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	// Lstat, not Stat: a symlink (even a dangling one) is an existing file we must not replace.
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("check %s: %w", path, err)
	case fi.IsDir():
		return fmt.Errorf("%s is a directory", path)
	case fi.Mode()&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeIrregular) != 0:
		// --force replaces a file, never a device such as /dev/null (root may rename over it).
		return fmt.Errorf("%s is not a regular file (a device, pipe or socket); it is never replaced", path)
	case !force:
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	return nil
}

// Write creates path with the bytes fill writes. fill gets a buffered writer on a temporary
// file (mode 0600) in the same directory; after fill returns nil the file is synced, closed and
// moved into place. With force an existing file is replaced; without force an existing file is
// kept and the error matches ErrExists, decided atomically at the moment of publishing. On any
// failure, including a panic in fill, neither the temporary file nor the target is left behind
// (an existing target is left untouched).
func Write(path string, force bool, fill func(w io.Writer) error) error {
	p, err := Prepare(path, force, fill)
	if err != nil {
		return err
	}
	return p.Commit()
}

// Pending is a fully written, synced temporary file waiting to be published under its target
// name. It lets a caller make a file appear only once another step (a database commit)
// succeeded: Prepare, do the step, then Commit, or Discard if the step failed. Until Commit the
// target, and any file already there, is untouched.
type Pending struct {
	tmp, path, dir string
	unnamed        *os.File // on Linux: the open, still nameless file (tmp is empty)
	force          bool
	done           bool
}

// Prepare writes the data for path to a temporary file as Write does, but does not publish it.
// The caller must call Commit or Discard.
func Prepare(path string, force bool, fill func(w io.Writer) error) (_ *Pending, err error) {
	if err := Check(path, force); err != nil {
		return nil, err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// Hidden and named after the target, so a leftover from a crash is recognisable.
	if len(base) > 64 {
		base = base[:64]
	}
	// A nameless file where the system has them, so that not even a killed process leaves
	// a partial file; it stays open until Commit names it.
	f := openUnnamed(dir)
	tmp := ""
	if f == nil {
		if f, err = os.CreateTemp(dir, "."+base+".*.tmp"); err != nil {
			return nil, fmt.Errorf("create temporary file in %s: %w", dir, err)
		}
		tmp = f.Name()
	}
	ok := false
	defer func() {
		// Runs on error returns and on panics alike; Close may already have happened.
		if !ok {
			_ = f.Close()
			if tmp != "" {
				_ = os.Remove(tmp)
			}
		}
	}()
	// CreateTemp already uses 0600; set it explicitly so the guarantee does not rest on that.
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("set mode of temporary file: %w", err)
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := fill(bw); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("sync %s: %w", path, err)
	}
	ok = true
	if tmp == "" {
		return &Pending{unnamed: f, path: path, dir: dir, force: force}, nil
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("close %s: %w", path, err)
	}
	return &Pending{tmp: tmp, path: path, dir: dir, force: force}, nil
}

// Commit publishes the file under its target name: replacing an existing file only with
// force, refusing atomically otherwise (the error matches ErrExists). On failure the temporary
// file is removed. Calling Commit or Discard again does nothing.
func (p *Pending) Commit() error {
	if p == nil || p.done {
		return nil
	}
	p.done = true
	if p.unnamed != nil {
		defer p.unnamed.Close()
		if err := p.publishUnnamed(); err != nil {
			return err
		}
		syncDir(p.dir)
		return nil
	}
	var err error
	if p.force {
		if err = os.Rename(p.tmp, p.path); err != nil {
			err = fmt.Errorf("replace %s: %w", p.path, err)
		}
	} else {
		err = publishExclusive(p.tmp, p.path)
	}
	if err != nil {
		_ = os.Remove(p.tmp)
		return err
	}
	syncDir(p.dir)
	return nil
}

// Discard removes the temporary file; the target is untouched. It is safe to defer Discard
// and Commit later: after Commit, Discard does nothing.
func (p *Pending) Discard() {
	if p == nil || p.done {
		return
	}
	p.done = true
	if p.unnamed != nil {
		_ = p.unnamed.Close() // the kernel frees a file that never got a name
		return
	}
	_ = os.Remove(p.tmp)
}

// publishUnnamed names the unnamed file path. Naming fails when path exists, which refuses
// atomically without force; with force the file is named beside the target and renamed over
// it.
func (p *Pending) publishUnnamed() error {
	err := linkUnnamed(p.unnamed, p.path)
	if err == nil {
		return nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", p.path, err)
	}
	if !p.force {
		return fmt.Errorf("%s: %w", p.path, ErrExists)
	}
	base := filepath.Base(p.path)
	if len(base) > 64 {
		base = base[:64]
	}
	for i := 0; ; i++ {
		tmp := filepath.Join(p.dir, fmt.Sprintf(".%s.%d-%d.tmp", base, os.Getpid(), i))
		err := linkUnnamed(p.unnamed, tmp)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return fmt.Errorf("create temporary file in %s: %w", p.dir, err)
		}
		if err := os.Rename(tmp, p.path); err != nil {
			_ = os.Remove(tmp)
			return fmt.Errorf("replace %s: %w", p.path, err)
		}
		return nil
	}
}

// publishExclusive gives tmp the name path unless path exists; on failure the caller removes
// tmp. A hard link fails with EEXIST when path exists, so the check and the publish are one
// atomic step. Where hard links are not supported (FAT, some network shares) it falls back to
// check-then-rename, which leaves a short window in which a file created by another process
// could be replaced.
func publishExclusive(tmp, path string) error {
	lerr := os.Link(tmp, path)
	if lerr == nil {
		// The data is now reachable under path; a failing Remove only leaves a hidden temp name.
		_ = os.Remove(tmp)
		return nil
	}
	if errors.Is(lerr, fs.ErrExist) {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s: %w", path, ErrExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return nil
}

// syncDir makes the new directory entry durable. It is best effort: the file's bytes are
// already synced, and some systems (Windows) cannot sync a directory.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
