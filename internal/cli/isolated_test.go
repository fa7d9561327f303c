package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// isolated gives an in-process test a counsel of its own: HOME, configuration folder and
// database in a temporary folder (returned), the counsellor set, English messages. deps
// returns the Deps of one run: empty standard input, output into the buffers, the clock at
// 2026-12-01 09:00 UTC; a test sets Stdin, Pause or Interrupt on it as it needs.
func isolated(t *testing.T) (dir string, deps func(stdout, stderr *bytes.Buffer) Deps) {
	t.Helper()
	dir = t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	env := map[string]string{
		"HOME": dir, "COUNSEL_DB": filepath.Join(dir, "db.sqlite"),
		"COUNSEL_COUNSELLOR": "Berater Beispiel <berater@example.org>", "COUNSEL_LANG": "en",
	}
	return dir, func(stdout, stderr *bytes.Buffer) Deps {
		return Deps{
			Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr,
			Getenv: func(k string) string { return env[k] },
			Now:    func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) },
		}
	}
}
