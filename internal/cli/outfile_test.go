package cli

import (
	"errors"
	"io"
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
