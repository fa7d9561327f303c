package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/cli"
)

// TestPGOWorkload runs what a profile for a profile-guided build is made from (bench/pgo.sh
// runs each subtest with -cpuprofile and merges the profiles): audit verify and the exports
// on a copy of the 100k benchmark fixture, session new on a copy of the 10k one, --help. It
// is skipped unless COUNSEL_PGO_FIXTURES names the folder holding 10000.db and 100000.db
// (counselbench fill). Each command runs in this process through cli.Main, as the binary
// runs it.
func TestPGOWorkload(t *testing.T) {
	fixtures := os.Getenv("COUNSEL_PGO_FIXTURES")
	if fixtures == "" {
		t.Skip("COUNSEL_PGO_FIXTURES not set: bench/pgo.sh runs this")
	}
	// copyOf copies fixture n.db into a temporary folder: commands migrate and append to it.
	copyOf := func(t *testing.T, n int) string {
		t.Helper()
		src, err := os.Open(filepath.Join(fixtures, fmt.Sprintf("%d.db", n)))
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		dst := filepath.Join(t.TempDir(), "counsel.db")
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(f, src); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return dst
	}
	// One home for all: the proof key the first write makes stays where the next finds it.
	home := t.TempDir()
	run := func(t *testing.T, db string, args ...string) {
		t.Helper()
		env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, ".config"),
			"COUNSEL_DB": db, "COUNSEL_LANG": "en", "TZ": "UTC"}
		var stderr strings.Builder
		code := cli.Main(context.Background(), args, cli.Deps{
			Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr,
			Getenv: func(k string) string { return env[k] },
			Now:    time.Now,
		})
		if code != 0 {
			t.Fatalf("counsel %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
		}
	}
	t.Run("verify", func(t *testing.T) {
		db := copyOf(t, 100000)
		for range 3 {
			run(t, db, "audit", "verify")
		}
	})
	for _, format := range []string{"csv", "ndjson"} {
		t.Run("export-"+format, func(t *testing.T) {
			db := copyOf(t, 100000)
			for range 6 {
				run(t, db, "export", "sessions", "--format", format)
			}
		})
	}
	t.Run("session-new", func(t *testing.T) {
		db := copyOf(t, 10000)
		at := time.Date(2027, 6, 1, 8, 0, 0, 0, time.UTC)
		for i := range 300 {
			run(t, db, "session", "new", "--client", fmt.Sprintf("Client-P%03d", i),
				"--provider", "sichere-videokonferenz", "--at", at.Add(time.Duration(i)*3*time.Hour).Format("2006-01-02 15:04"))
		}
	})
	t.Run("help", func(t *testing.T) {
		for range 1000 {
			run(t, "", "--help")
		}
	})
}
