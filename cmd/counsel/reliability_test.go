package main

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Reliability: counsel run as separate processes against one database file, at once and
// killed half-way. The counsel these tests start is this test binary, registered as
// "counsel" by TestMain (testscript puts it on $PATH), so it runs with the fixed clock.
//
// The default sizes keep `go test` quick; -reliability.full runs the larger variants.
var reliabilityFull = flag.Bool("reliability.full", false, "run the larger reliability variants")

// counselEnv is a private home for one test: config, data folder and database.
type counselEnv struct {
	dir string
	db  string
	env []string
}

func newCounselEnv(t *testing.T) *counselEnv {
	t.Helper()
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	e := &counselEnv{dir: dir, db: filepath.Join(dir, "db.sqlite")}
	e.env = append(os.Environ(),
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"COUNSEL_DB="+e.db,
		"TZ=UTC",
		"NO_COLOR=",
	)
	return e
}

// command returns counsel with args in the test's home.
func (e *counselEnv) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "counsel", args...)
	cmd.Env = e.env
	cmd.Dir = e.dir
	return cmd
}

// run runs counsel and fails the test unless it succeeds; it returns stdout.
func (e *counselEnv) run(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := e.command(context.Background(), args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("counsel %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// query runs one query that returns one integer, bypassing counsel.
func (e *counselEnv) count(t *testing.T, query string) int {
	t.Helper()
	db, err := sql.Open("sqlite", e.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkIntact asserts what must hold after any run, however it ended: SQLite finds the file
// sound and counsel's audit trail verifies. It returns the number of audit events.
func (e *counselEnv) checkIntact(t *testing.T) int {
	t.Helper()
	db, err := sql.Open("sqlite", e.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
	if err := db.QueryRow("PRAGMA foreign_key_check").Err(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out := e.run(t, "audit", "verify")
	var n int
	if _, err := fmt.Sscanf(out, "audit trail intact: %d events", &n); err != nil && !strings.Contains(out, "intact: 0 events") {
		t.Fatalf("audit verify: %q", out)
	}
	return n
}

// TestConcurrentSessionNew starts 8 processes that each create 25 sessions one after the
// other, all against one new database: every session must be stored, no command may fail
// (in particular not with "database is locked"), and the audit chain must verify.
func TestConcurrentSessionNew(t *testing.T) {
	workers, each := 8, 25
	if testing.Short() || raceEnabled {
		each = 3
	}
	if *reliabilityFull {
		workers, each = 16, 50
	}
	e := newCounselEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan string, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				// Five clients shared by all workers: people are found or created concurrently.
				client := fmt.Sprintf("Client-%c", 'A'+(w*each+i)%5)
				at := fmt.Sprintf("2026-12-%02d %02d:%02d", 1+i%28, 8+w%10, (i*7)%60)
				var stderr bytes.Buffer
				cmd := e.command(ctx, "session", "new", "--client", client, "--provider", "sichere-videokonferenz", "--at", at)
				cmd.Stderr = &stderr
				if err := cmd.Run(); err != nil {
					errs <- fmt.Sprintf("worker %d, session %d: %v: %s", w, i, err, stderr.String())
					continue
				}
				if s := stderr.String(); strings.Contains(s, "locked") || strings.Contains(s, "busy") || strings.Contains(s, "warning") {
					errs <- fmt.Sprintf("worker %d, session %d: %s", w, i, s)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	total := workers * each
	if got := e.count(t, "SELECT count(*) FROM sessions"); got != total {
		t.Errorf("%d sessions stored, want %d", got, total)
	}
	if got := e.count(t, "SELECT count(*) FROM consent_events WHERE event = 'notice_sent'"); got != total {
		t.Errorf("%d consent notices stored, want %d", got, total)
	}
	if got := e.count(t, "SELECT count(*) FROM people"); got != 5 {
		t.Errorf("%d people, want 5 (each client once)", got)
	}
	if got := e.checkIntact(t); got != 2*total {
		t.Errorf("audit trail has %d events, want %d", got, 2*total)
	}
}
