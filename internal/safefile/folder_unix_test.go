//go:build unix

package safefile_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/expeerienced/counsel/internal/safefile"
)

// The child process of TestKilledFolderIsCleaned: it makes the folder for the target in
// SAFEFILE_FILL_FOLDER, fills it, says so, and waits to be killed.
func TestMain(m *testing.M) {
	if target := os.Getenv("SAFEFILE_FILL_FOLDER"); target != "" {
		f, err := safefile.PrepareFolder(target)
		if err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(3)
		}
		for _, name := range []string{"README.md", "sessions.csv"} {
			if err := os.WriteFile(filepath.Join(f.Dir(), name), []byte("Client-A"), 0o600); err != nil {
				os.Exit(3)
			}
		}
		os.Stdout.WriteString(f.Dir() + "\n")
		select {}
	}
	os.Exit(m.Run())
}

// fillAndKill starts a process that fills the folder for target, and kills it (SIGKILL) once
// the folder is full. It returns the folder left behind.
func fillAndKill(t *testing.T, target string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SAFEFILE_FILL_FOLDER="+target)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the filling process: %v", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	return strings.TrimSuffix(line, "\n")
}

// A process killed while it fills a folder leaves it (the bug this guards against: a killed
// export dpo left a hidden folder, with names if --with-names). The next CleanLeftovers for the
// same target removes it; one for another target does not touch it.
func TestKilledFolderIsCleaned(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "pack")
	left := fillAndKill(t, target)
	if got := entries(t, left); !slices.Equal(got, []string{"README.md", "sessions.csv"}) {
		t.Fatalf("the killed process left %v in %s", got, left)
	}
	if found, err := safefile.CleanLeftovers(filepath.Join(dir, "pac"), packFile); err != nil || len(found) != 0 {
		t.Fatalf("another target's clean found %+v, %v", found, err)
	}
	found, err := safefile.CleanLeftovers(target, packFile)
	if err != nil || len(found) != 1 || found[0].Path != left || found[0].Kept != safefile.Removed || found[0].Err != nil {
		t.Fatalf("clean: %+v, %v; want %s removed", found, err, left)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Fatalf("after the clean: %v", got)
	}
}

// A folder still being filled by a running process is never taken for a leftover.
func TestFolderBeingFilledIsLeftAlone(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "pack")
	f, err := safefile.PrepareFolder(target)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Discard()
	if err := os.WriteFile(filepath.Join(f.Dir(), "README.md"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	found, err := safefile.CleanLeftovers(target, packFile)
	if err != nil || len(found) != 0 {
		t.Fatalf("clean while filling: %+v, %v", found, err)
	}
	if err := f.Commit(); err != nil {
		t.Fatalf("the folder was disturbed: %v", err)
	}
	if readFile(t, filepath.Join(target, "README.md")) != "x" {
		t.Fatal("the published folder lost its file")
	}
}

// What is not provably counsel's leftover is kept and reported, never removed: a folder with a
// file counsel does not write there, a subfolder, a link, other permissions, another owner, a
// link in the leftover's name; names outside the pattern are not even looked at.
func TestLeftoverNotOursIsKept(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "pack")
	outside := filepath.Join(dir, "outside")
	if err := os.Mkdir(outside, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "README.md"), []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	mk := func(name string, mode os.FileMode, fill func(p string)) string {
		p := filepath.Join(dir, name)
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "README.md"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if fill != nil {
			fill(p)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	kept := map[string]safefile.Kept{
		mk(".counsel-pack-1", 0o700, func(p string) { must(os.WriteFile(filepath.Join(p, "notes.txt"), nil, 0o600)) }): safefile.KeptForeignContent,
		mk(".counsel-pack-2", 0o700, func(p string) { must(os.Mkdir(filepath.Join(p, "sessions.csv"), 0o700)) }):       safefile.KeptForeignContent,
		mk(".counsel-pack-3", 0o700, func(p string) {
			must(os.Symlink(filepath.Join(outside, "README.md"), filepath.Join(p, "sessions.csv")))
		}): safefile.KeptForeignContent,
		mk(".counsel-pack-4", 0o755, nil): safefile.KeptPermissions,
	}
	if os.Getuid() == 0 {
		p := mk(".counsel-pack-5", 0o700, nil)
		must(os.Chown(p, 4242, 4242))
		kept[p] = safefile.KeptOtherOwner
	}
	link := filepath.Join(dir, ".counsel-pack-6")
	must(os.Symlink(outside, link))
	kept[link] = safefile.KeptNotAFolder
	untouched := []string{
		mk(".counsel-pack-7x", 0o700, nil), mk(".counsel-pack-", 0o700, nil), mk(".counsel-pack2-8", 0o700, nil),
		mk("counsel-pack-9", 0o700, nil),
	}
	removed := mk(".counsel-pack-10", 0o700, func(p string) { must(os.WriteFile(filepath.Join(p, ".sessions.csv.123.tmp"), nil, 0o600)) })

	found, err := safefile.CleanLeftovers(target, packFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range found {
		want, ok := kept[l.Path]
		switch {
		case l.Path == removed:
			if l.Kept != safefile.Removed {
				t.Errorf("%s (a leftover with a temporary file of a pack file) kept: %+v", l.Path, l)
			}
		case !ok:
			t.Errorf("unexpected leftover %+v", l)
		case l.Kept != want || l.Err != nil:
			t.Errorf("%s: %+v; want kept as %d", l.Path, l, want)
		}
		delete(kept, l.Path)
	}
	for p := range kept {
		t.Errorf("%s not reported", p)
	}
	for _, p := range append(untouched, link, outside) {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if _, err := os.Lstat(removed); err == nil {
		t.Errorf("%s still there", removed)
	}
	if readFile(t, filepath.Join(outside, "README.md")) != "keep" {
		t.Error("a file outside the leftovers changed")
	}
}
