package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// An interrupt (Deps.Interrupt, Ctrl-C in the real binary) ends the context of a command that
// runs; help and usage errors never start listening for it.
func TestInterruptOnlyForCommandsThatRun(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	env := map[string]string{
		"HOME": dir, "COUNSEL_DB": filepath.Join(dir, "db.sqlite"),
		"COUNSEL_COUNSELLOR": "Berater Beispiel <berater@example.org>", "COUNSEL_LANG": "en",
	}
	var started, stopped int
	// An interrupt that has already come when the command starts.
	interrupted := func(ctx context.Context) (context.Context, context.CancelFunc) {
		started++
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		return ctx, func() { stopped++ }
	}
	run := func(interrupt func(context.Context) (context.Context, context.CancelFunc), args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), args, Deps{
			Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
			Getenv:    func(k string) string { return env[k] },
			Now:       func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) },
			Interrupt: interrupt,
		})
		return code, stderr.String()
	}
	for _, args := range [][]string{{"--help"}, {"session", "--help"}, {"session", "new", "--no-such-flag"}} {
		run(interrupted, args...)
		if started != 0 {
			t.Fatalf("%q started listening for interrupts", args)
		}
	}
	if code, stderr := run(nil, "session", "new", "--client", "Client-A", "--provider", "sichere-videokonferenz",
		"--at", "2026-12-03 10:00"); code != exitOK {
		t.Fatalf("session new: exit %d\n%s", code, stderr)
	}
	code, stderr := run(interrupted, "audit", "verify")
	if started != 1 || stopped != 1 {
		t.Errorf("audit verify: listening started %d and stopped %d times, want 1 and 1", started, stopped)
	}
	if code != exitFailure || !strings.Contains(stderr, "context canceled") {
		t.Errorf("audit verify after an interrupt: exit %d, want %d and the interrupt named; stderr:\n%s", code, exitFailure, stderr)
	}
	if code, stderr := run(nil, "audit", "verify"); code != exitOK {
		t.Errorf("audit verify without an interrupt: exit %d\n%s", code, stderr)
	}
}
