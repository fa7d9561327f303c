package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/store"
)

// fillHelperEnv names the database TestHelperFill fills; set only in the helper process.
const fillHelperEnv = "COUNSEL_TEST_FILL_HELPER_DB"

// TestHelperFill is not a test: TestKilledBulkWrite runs this test binary as a process that
// fills a database in one transaction that never ends, reporting progress on stdout, and
// kills it.
func TestHelperFill(t *testing.T) {
	path := os.Getenv(fillHelperEnv)
	if path == "" {
		t.Skip("helper process of TestKilledBulkWrite")
	}
	db, err := store.Open(context.Background(), path, func() time.Time { return fixedNow })
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	_, err = store.Fill(context.Background(), db, store.FixtureSpec{Sessions: 1_000_000, From: fixedNow.AddDate(0, 0, -80),
		Until: fixedNow, CancelEvery: 5, ConfirmEvery: 2, Seed: 2, ProgressEvery: 100, CacheKiB: 64},
		func(done int) { fmt.Println("filled", done) })
	fmt.Println("error: the fill ended before it was killed", err)
	os.Exit(1)
}

// counts is what a bulk write changes.
type counts struct{ sessions, people, consent, audit int }

func countRows(t *testing.T, path string) counts {
	t.Helper()
	raw := rawOpen(t, path)
	var c counts
	for _, q := range []struct {
		n   *int
		sql string
	}{{&c.sessions, "sessions"}, {&c.people, "people"}, {&c.consent, "consent_events"}, {&c.audit, "audit_events"}} {
		if err := raw.QueryRow("SELECT count(*) FROM " + q.sql).Scan(q.n); err != nil {
			t.Fatal(err)
		}
	}
	var res string
	if err := raw.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
	raw.Close()
	return c
}

// TestKilledBulkWrite kills (SIGKILL) a process in the middle of a bulk write whose
// uncommitted pages are already in the write-ahead log: afterwards the file is sound, holds
// exactly what it held before, its audit chain verifies, and counsel carries on writing.
func TestKilledBulkWrite(t *testing.T) {
	if os.Getenv(fillHelperEnv) != "" {
		t.Skip("in the helper process")
	}
	db := mustOpen(t)
	path := db.Path()
	fillSessions(t, db, 40)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before := countRows(t, path)

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperFill$", "-test.count=1")
	cmd.Env = append(os.Environ(), fillHelperEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		line := lines.Text()
		if strings.HasPrefix(line, "error") {
			t.Fatal(line)
		}
		if line == "filled 300" {
			break
		}
	}
	wal, err := os.Stat(path + "-wal")
	if err != nil || wal.Size() == 0 {
		t.Fatalf("no uncommitted pages in the log yet (%v): the kill would test nothing", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("the helper was not killed")
	}
	t.Logf("killed after 300 sessions, %d bytes in the log", wal.Size())

	if after := countRows(t, path); after != before {
		t.Errorf("after the kill %+v, before %+v: a half-applied write", after, before)
	}
	db, err = store.Open(context.Background(), path, func() time.Time { return fixedNow })
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := verifyDB(db); err != nil {
		t.Fatalf("audit chain after the kill: %v", err)
	}
	if _, err := db.CreateSession(context.Background(), newSession(t, "Client-A", fixedNow.Add(time.Hour), "blizz")); err != nil {
		t.Fatal(err)
	}
	// A new person, session, participant and notice, each with its record event.
	if h, err := verifyDB(db); err != nil || h.Seq != int64(before.audit+6) {
		t.Fatalf("audit chain after the next write: head %d, %v; want %d events", h.Seq, err, before.audit+6)
	}
}
