package safefile_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/expeerienced/counsel/internal/safefile"
)

// packFile is what the tests' folders may hold.
func packFile(name string) bool { return name == "README.md" || name == "sessions.csv" }

// A folder appears under its target only when committed, whole, private; a discarded one
// leaves nothing; neither leaves a leftover.
func TestFolderCommitDiscard(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "pack")
	f, err := safefile.PrepareFolder(target)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.Dir(), "README.md"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(target); err == nil {
		t.Fatal("the target exists before the commit")
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Discard() // after the commit: nothing
	if fi, err := os.Stat(target); err != nil || fi.Mode().Perm() != 0o700 || readFile(t, filepath.Join(target, "README.md")) != "x" {
		t.Fatalf("published folder: %v, %v", fi, err)
	}
	g, err := safefile.PrepareFolder(filepath.Join(dir, "other"))
	if err != nil {
		t.Fatal(err)
	}
	g.Discard()
	if got := entries(t, dir); !slices.Equal(got, []string{"pack"}) {
		t.Fatalf("left in the folder: %v", got)
	}
	if left, err := safefile.CleanLeftovers(target, packFile); err != nil || len(left) != 0 {
		t.Fatalf("leftovers: %+v, %v", left, err)
	}
}
