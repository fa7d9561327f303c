package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSessionNewFileLostAfterCommit: session new prepares its files, stores the session, then
// publishes the files. When a file appears in the way after the session is stored (another
// program, here at the pause before the write), the error says the session is stored, which
// file was written and which was not, and how to get it again; the file in the way is kept.
func TestSessionNewFileLostAfterCommit(t *testing.T) {
	dir, deps := isolated(t)
	ics, eml := filepath.Join(dir, "a.ics"), filepath.Join(dir, "a.eml")
	run := func(pause func(string), args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		d := deps(&stdout, &stderr)
		d.Pause = pause
		code := Main(context.Background(), args, d)
		return code, stdout.String(), stderr.String()
	}
	inTheWay := func(point string) {
		if point == "session-new-write" {
			if err := os.WriteFile(eml, []byte("other"), 0o600); err != nil {
				t.Error(err)
			}
		}
	}
	code, _, stderr := run(inTheWay, "session", "new", "--client", "Client-A", "--provider", "sichere-videokonferenz",
		"--at", "2026-12-03 10:00", "--ics", ics, "--eml", eml)
	if code != exitFailure {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitFailure, stderr)
	}
	want := regexp.MustCompile(`(?m)^counsel: error: session ([0-9a-f]{8}) is stored and ` + regexp.QuoteMeta(ics) +
		` written, but ` + regexp.QuoteMeta(eml) + ` was not: .*file exists, not overwritten$`)
	m := want.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("stderr:\n%s\nwant a line matching %s", stderr, want)
	}
	if hint := "counsel: hint: 'counsel session show " + m[1] + " --format eml' writes the e-mail again"; !strings.Contains(stderr, hint) {
		t.Errorf("stderr:\n%s\nwant %q", stderr, hint)
	}
	if strings.Contains(stderr, "Client-A") {
		t.Errorf("stderr names the client:\n%s", stderr)
	}
	if b, _ := os.ReadFile(eml); string(b) != "other" {
		t.Errorf("the file in the way is %q, want it untouched", b)
	}
	if b, err := os.ReadFile(ics); err != nil || !bytes.Contains(b, []byte("BEGIN:VCALENDAR")) {
		t.Errorf("the calendar file: %v, %.40q", err, b)
	}
	// The session is stored, as the error says, and the way out it names works.
	code, stdout, stderr := run(nil, "session", "show", m[1], "--format", "eml")
	if code != exitOK || !strings.Contains(stdout, "text/calendar") {
		t.Errorf("session show: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestSessionNewInterruptedWhileStoring: the database work of session new runs to its end once
// begun (storeSession runs it without the run's cancellation). An interrupt that arrives while
// it runs, here at the pause between reading the proof key and the write, leaves a stored
// session, its e-mail printed and its file published, not an error after half the work.
func TestSessionNewInterruptedWhileStoring(t *testing.T) {
	dir, deps := isolated(t)
	ics := filepath.Join(dir, "a.ics")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	d := deps(&stdout, &stderr)
	d.Pause = func(point string) {
		if point == "session-new-write" {
			cancel()
		}
	}
	code := Main(ctx, []string{"session", "new", "--client", "Client-A", "--provider", "sichere-videokonferenz",
		"--at", "2026-12-03 10:00", "--ics", ics}, d)
	if ctx.Err() == nil {
		t.Fatal("the run never reached the pause before the write")
	}
	if code != exitOK || !strings.Contains(stdout.String(), "Berater Beispiel") || !strings.Contains(stderr.String(), " created for ") {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if b, err := os.ReadFile(ics); err != nil || !bytes.Contains(b, []byte("BEGIN:VCALENDAR")) {
		t.Errorf("the calendar file: %v, %.40q", err, b)
	}
	stdout.Reset()
	code = Main(context.Background(), []string{"session", "list", "--format", "json"}, deps(&stdout, &stderr))
	if code != exitOK || strings.Count(stdout.String(), `"id"`) != 1 {
		t.Errorf("session list: exit %d, want one session; stdout:\n%s", code, stdout.String())
	}
}
