package safefile_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/expeerienced/counsel/internal/safefile"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// entries lists dir's names, so a test can prove no temporary file was left behind.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWrite(t *testing.T) {
	t.Run("CreatesWithMode0600", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.csv")
		if err := safefile.Write(path, false, writeString("a,b\n")); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, path); got != "a,b\n" {
			t.Errorf("content = %q, want %q", got, "a,b\n")
		}
		if got := entries(t, dir); len(got) != 1 || got[0] != "out.csv" {
			t.Errorf("dir holds %q, want only out.csv", got)
		}
		if runtime.GOOS == "windows" {
			return
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("mode = %v, want 0600", m)
		}
	})

	t.Run("RefusesOverwrite", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.csv")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		called := false
		err := safefile.Write(path, false, func(w io.Writer) error {
			called = true
			return writeString("new")(w)
		})
		if !errors.Is(err, safefile.ErrExists) || !errors.Is(err, fs.ErrExist) {
			t.Fatalf("err = %v, want ErrExists and fs.ErrExist", err)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("err %q does not name the path", err)
		}
		if called {
			t.Error("fill ran although the target exists")
		}
		if got := readFile(t, path); got != "old" {
			t.Errorf("content = %q, want old content kept", got)
		}
		if got := entries(t, dir); len(got) != 1 {
			t.Errorf("dir holds %q, want only out.csv", got)
		}
	})

	t.Run("RefusesOverwriteCreatedDuringFill", func(t *testing.T) {
		// The target appears after the early check: the atomic publish must still refuse.
		dir := t.TempDir()
		path := filepath.Join(dir, "out.csv")
		err := safefile.Write(path, false, func(w io.Writer) error {
			if err := os.WriteFile(path, []byte("other"), 0o600); err != nil {
				return err
			}
			return writeString("new")(w)
		})
		if !errors.Is(err, safefile.ErrExists) {
			t.Fatalf("err = %v, want ErrExists", err)
		}
		if got := readFile(t, path); got != "other" {
			t.Errorf("content = %q, want the other writer's file kept", got)
		}
		if got := entries(t, dir); len(got) != 1 {
			t.Errorf("dir holds %q, want only out.csv", got)
		}
	})

	t.Run("RefusesDanglingSymlink", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("symlinks need privileges on windows")
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "out.csv")
		if err := os.Symlink(filepath.Join(dir, "nowhere"), path); err != nil {
			t.Fatal(err)
		}
		if err := safefile.Write(path, false, writeString("x")); !errors.Is(err, safefile.ErrExists) {
			t.Fatalf("err = %v, want ErrExists", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("symlink target was created: %v", err)
		}
	})

	t.Run("ForceOverwrites", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.csv")
		if err := os.WriteFile(path, []byte("old content, longer"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := safefile.Write(path, true, writeString("new")); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, path); got != "new" {
			t.Errorf("content = %q, want new", got)
		}
		if got := entries(t, dir); len(got) != 1 {
			t.Errorf("dir holds %q, want only out.csv", got)
		}
		if runtime.GOOS == "windows" {
			return
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("mode after replacing a 0644 file = %v, want 0600", m)
		}
	})

	t.Run("ForceCreates", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out.csv")
		if err := safefile.Write(path, true, writeString("x")); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, path); got != "x" {
			t.Errorf("content = %q, want x", got)
		}
	})

	for _, force := range []bool{false, true} {
		t.Run(fmt.Sprintf("FillErrorLeavesNothing/force=%v", force), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.csv")
			boom := errors.New("boom")
			err := safefile.Write(path, force, func(w io.Writer) error {
				// More than the buffer, so bytes really reached the temporary file.
				if _, err := w.Write(make([]byte, 200<<10)); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v, want the fill error", err)
			}
			if got := entries(t, dir); len(got) != 0 {
				t.Errorf("dir holds %q, want empty", got)
			}
		})
	}

	t.Run("FillErrorKeepsExistingTarget", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.csv")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := safefile.Write(path, true, func(io.Writer) error { return errors.New("boom") })
		if err == nil {
			t.Fatal("want an error")
		}
		if got := readFile(t, path); got != "old" {
			t.Errorf("content = %q, want old content kept", got)
		}
		if got := entries(t, dir); len(got) != 1 {
			t.Errorf("dir holds %q, want only out.csv", got)
		}
	})

	t.Run("FillPanicLeavesNothing", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.csv")
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Errorf("recovered %v, want the panic to propagate", r)
				}
			}()
			_ = safefile.Write(path, false, func(w io.Writer) error {
				_, _ = io.WriteString(w, "partial")
				panic("boom")
			})
		}()
		if got := entries(t, dir); len(got) != 0 {
			t.Errorf("dir holds %q, want empty", got)
		}
	})

	t.Run("MissingDirectory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "missing")
		err := safefile.Write(filepath.Join(dir, "out.csv"), false, writeString("x"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err = %v, want fs.ErrNotExist", err)
		}
		if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("err %q does not say which directory is missing", err)
		}
	})

	t.Run("TargetIsDirectory", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "sub")
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		err := safefile.Write(path, true, writeString("x"))
		if err == nil || !strings.Contains(err.Error(), "is a directory") {
			t.Fatalf("err = %v, want is a directory", err)
		}
		if got := entries(t, dir); len(got) != 1 {
			t.Errorf("dir holds %q, want only sub", got)
		}
	})

	t.Run("ConcurrentWritersOneWins", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.csv")
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				errs[i] = safefile.Write(path, false, writeString(fmt.Sprint(i)))
			})
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
				if got := readFile(t, path); got != fmt.Sprint(i) {
					t.Errorf("content = %q, want the winner's %d", got, i)
				}
			case !errors.Is(err, safefile.ErrExists):
				t.Errorf("writer %d: err = %v, want ErrExists", i, err)
			}
		}
		if won != 1 {
			t.Errorf("%d writers succeeded, want exactly 1", won)
		}
		if got := entries(t, dir); len(got) != 1 {
			t.Errorf("dir holds %q, want only out.csv", got)
		}
	})
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.csv")
	if err := os.WriteFile(existing, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		force   bool
		wantErr error  // matched with errors.Is, when set
		wantMsg string // substring of the error, when set
	}{
		{name: "NewFile", path: filepath.Join(dir, "new.csv")},
		{name: "NewFileForce", path: filepath.Join(dir, "new.csv"), force: true},
		{name: "Exists", path: existing, wantErr: safefile.ErrExists, wantMsg: existing},
		{name: "ExistsForce", path: existing, force: true},
		{name: "MissingDir", path: filepath.Join(dir, "no", "x.csv"), wantErr: fs.ErrNotExist, wantMsg: "does not exist"},
		{name: "ParentIsFile", path: filepath.Join(existing, "x.csv"), wantMsg: "not a directory"},
		{name: "IsDirectory", path: dir, force: true, wantMsg: "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := safefile.Check(tt.path, tt.force)
			if tt.wantErr == nil && tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("err = nil, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("Check changed the directory: %q", got)
	}
}

// A prepared file appears only on Commit; Discard leaves the existing target
// as it was, even with force.
func TestPrepareCommitDiscard(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	fill := func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }

	p, err := safefile.Prepare(path, true, fill)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("target changed before Commit: %q", b)
	}
	p.Discard()
	p.Commit() // after Discard: nothing
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("Discard changed the target: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temporary file left behind: %v", entries)
	}

	p, err = safefile.Prepare(path, true, fill)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	p.Discard() // after Commit: nothing
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("Commit did not publish: %q", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}

	// Without force, a target that appeared meanwhile is not replaced.
	other := filepath.Join(dir, "other.txt")
	p, err = safefile.Prepare(other, false, fill)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, []byte("theirs"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); !errors.Is(err, safefile.ErrExists) {
		t.Fatalf("err = %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(other); string(b) != "theirs" {
		t.Fatalf("existing file replaced: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("temporary file left behind: %v", entries)
	}
}
