package cli

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/expeerienced/counsel/internal/safefile"
)

func hintsOf(err error) []string {
	var he *hintError
	if errors.As(err, &he) {
		return he.hints
	}
	return nil
}

func TestOutputFileError(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.csv")
	if err := os.WriteFile(existing, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, wantErr, wantHint string
	}{
		{"Exists", existing, "--eml: " + existing + ": file exists, not overwritten", "add --force to replace it, or choose another file"},
		{"NoFolder", filepath.Join(dir, "missing", "a.csv"), "--eml: directory " + filepath.Join(dir, "missing") + " does not exist", "create the folder first or choose another path"},
		{"Directory", dir, "--eml: " + dir + " is a directory", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := safefile.Check(tc.path, false)
			if err == nil {
				t.Fatal("Check: no error")
			}
			got := outputFileError("eml", err)
			if !strings.HasPrefix(got.Error(), tc.wantErr) {
				t.Errorf("error %q, want prefix %q", got, tc.wantErr)
			}
			if !errors.Is(got, err) {
				t.Errorf("error %q does not wrap %q", got, err)
			}
			hints := hintsOf(got)
			if tc.wantHint == "" && len(hints) > 0 {
				t.Errorf("hints %q, want none", hints)
			}
			if tc.wantHint != "" && !slices.Equal(hints, []string{tc.wantHint}) {
				t.Errorf("hints %q, want %q", hints, tc.wantHint)
			}
		})
	}
}

// TestOutputFilesPublish: files are published in the order prepared; a failure says what is
// recorded, what was written and what was not, and leaves no temporary file behind.
func TestOutputFilesPublish(t *testing.T) {
	const recorded = "the export is recorded"
	for _, tc := range []struct {
		name      string
		inTheWay  string // a file created after Prepare, before publishing
		wantErr   string
		wantFiles []string
	}{
		{"OK", "", "", []string{"a.csv", "a.csv.head.json"}},
		{"DataBlocked", "a.csv", recorded + ", but DIR/a.csv was not written: DIR/a.csv: file exists, not overwritten",
			[]string{"a.csv"}},
		{"SideBlocked", "a.csv.head.json", recorded + " and DIR/a.csv written, but DIR/a.csv.head.json was not: DIR/a.csv.head.json: file exists, not overwritten",
			[]string{"a.csv", "a.csv.head.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := &outputFiles{}
			defer files.discard()
			for _, name := range []string{"a.csv", "a.csv.head.json"} {
				err := files.prepare("out", filepath.Join(dir, name), false, func(w io.Writer) error { _, err := io.WriteString(w, "new "+name); return err })
				if err != nil {
					t.Fatal(err)
				}
			}
			if tc.inTheWay != "" {
				if err := os.WriteFile(filepath.Join(dir, tc.inTheWay), []byte("other"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := files.publish(recorded, "to get the missing file, run the export again")
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.wantErr != "":
				want := strings.ReplaceAll(tc.wantErr, "DIR", dir)
				if err == nil || err.Error() != want {
					t.Fatalf("error %v, want %s", err, want)
				}
				if len(hintsOf(err)) != 1 {
					t.Errorf("hints %q, want one", hintsOf(err))
				}
			}
			// No temporary file is left, and what is there is what was asked for or was there.
			var got []string
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				got = append(got, e.Name())
			}
			if !slices.Equal(got, tc.wantFiles) {
				t.Errorf("files %q, want %q", got, tc.wantFiles)
			}
			if tc.inTheWay != "" {
				if b, _ := os.ReadFile(filepath.Join(dir, tc.inTheWay)); string(b) != "other" {
					t.Errorf("%s = %q, want it untouched", tc.inTheWay, b)
				}
			}
		})
	}
}

// TestOutputFilesFolder: a folder (the DPO pack) is made under a private temporary name beside
// its path and renamed into place on publish; one that appeared at the path meanwhile, even an
// empty one (which a rename would replace), is kept, and nothing temporary is left behind.
func TestOutputFilesFolder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		appear  bool // an empty folder appears at the path before publishing
		publish bool
	}{
		{"Published", false, true},
		{"Appeared", true, true},
		{"Discarded", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			path := filepath.Join(parent, "pack")
			files := &outputFiles{}
			tmp, err := files.prepareFolder(&app{deps: Deps{Stderr: io.Discard}}, "out", path, func(string) bool { return false })
			if err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(tmp); err != nil || fi.Mode().Perm() != 0o700 || filepath.Dir(tmp) != parent {
				t.Fatalf("temporary folder %s: %v, %v", tmp, fi, err)
			}
			if err := os.WriteFile(filepath.Join(tmp, "MANIFEST"), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			if tc.appear {
				if err := os.Mkdir(path, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			if tc.publish {
				err = files.publish("the exports are recorded", "run the export again")
			}
			files.discard()
			switch {
			case tc.appear:
				want := "the exports are recorded, but " + path + " was not written: " + path + " appeared while the folder was made: " + fs.ErrExist.Error()
				if err == nil || err.Error() != want || !slices.Equal(hintsOf(err), []string{"run the export again"}) {
					t.Errorf("error %v (hints %q), want %s", err, hintsOf(err), want)
				}
				if entries, _ := os.ReadDir(path); len(entries) != 0 {
					t.Errorf("the folder that appeared holds %d entries, want it untouched", len(entries))
				}
			case tc.publish:
				if err != nil {
					t.Fatal(err)
				}
				if b, err := os.ReadFile(filepath.Join(path, "MANIFEST")); err != nil || string(b) != "x" {
					t.Errorf("published folder: %q, %v", b, err)
				}
			default:
				if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("a discarded folder is at the path: %v", err)
				}
			}
			var names []string
			entries, _ := os.ReadDir(parent)
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if want := map[bool][]string{true: {"pack"}, false: nil}[tc.publish || tc.appear]; !slices.Equal(names, want) {
				t.Errorf("beside the pack: %q, want %q (no temporary folder left)", names, want)
			}
		})
	}
}
