package main

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
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
	// Per session: created, notice sent, the records of both and of its
	// participant link; per person: its record; once: the proof key's fingerprint.
	if got := e.checkIntact(t); got != 5*total+5+1 {
		t.Errorf("audit trail has %d events, want %d", got, 5*total+5+1)
	}
}

// fillDB fills the test's database through the store's fixture generator: n sessions created
// between from and until.
// oldSession stores a session for client through the store, without a proof key, as a
// version of counsel from before the key was made at the first session new did.
func (e *counselEnv) oldSession(t *testing.T, client string) {
	t.Helper()
	db, err := store.Open(context.Background(), e.db, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	id, err := session.NewID()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateSession(context.Background(), store.NewSession{Session: session.Session{
		ID: id, ClientName: client, ProviderID: "sichere-videokonferenz", Kind: "jitsi",
		JoinURL: "https://sichere-videokonferenz.de/" + strings.ReplaceAll(id, "-", ""), Place: "Videoberatung",
		Start: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), Timezone: "Europe/Berlin", Duration: 50 * time.Minute,
	}, RecordedBy: "counsellor", ProofKey: make([]byte, 32)}); err != nil { // a key never written to a file
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func (e *counselEnv) fillDB(t *testing.T, n int, from, until time.Time) {
	t.Helper()
	db, err := store.Open(context.Background(), e.db, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Fill(context.Background(), db, store.FixtureSpec{Sessions: n, From: from, Until: until,
		CancelEvery: 10, ConfirmEvery: 2, Seed: 3}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// killWhen starts counsel with args, waits until ready reports true (polled every half
// millisecond), and kills the process with SIGKILL. It returns false when the process ended
// by itself first, so the caller can try again.
func (e *counselEnv) killWhen(t *testing.T, ready func(pid int) bool, args ...string) bool {
	t.Helper()
	var stderr bytes.Buffer
	cmd := e.command(context.Background(), args...)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(500 * time.Microsecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("counsel %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
			}
			return false
		case <-tick.C:
			if ready(cmd.Process.Pid) {
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				if err := <-done; err == nil {
					return false // it had just finished
				}
				return true
			}
		}
	}
}

// leftovers lists the files in dir whose names contain part.
func leftovers(t *testing.T, dir, part string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, de := range entries {
		if strings.Contains(de.Name(), part) {
			found = append(found, de.Name())
		}
	}
	return found
}

// killSizes is how many sessions the kill tests fill: enough for a CSV export to take a few
// hundred milliseconds, so that the kill lands in the middle.
func killSizes() int {
	switch {
	case *reliabilityFull:
		return 50_000
	case raceEnabled:
		return 300
	}
	return 5_000
}

// writingIn reports whether process pid has a file open in dir, other than the database and
// its logs, that already holds data.
func writingIn(pid int, dir string) bool {
	fds := fmt.Sprintf("/proc/%d/fd", pid)
	entries, err := os.ReadDir(fds)
	if err != nil {
		return false
	}
	for _, de := range entries {
		target, err := os.Readlink(filepath.Join(fds, de.Name()))
		if err != nil || !strings.HasPrefix(target, dir) || strings.Contains(target, "db.sqlite") {
			continue
		}
		if fi, err := os.Stat(filepath.Join(fds, de.Name())); err == nil && fi.Size() > 0 {
			return true
		}
	}
	return false
}

// TestKilledExport kills an export to a file while it writes: neither the file, nor its side
// file, nor a temporary file may remain, and the export must not be in the audit trail.
func TestKilledExport(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("finds the export's unnamed temporary file through /proc")
	}
	e := newCounselEnv(t)
	e.fillDB(t, killSizes(), testNow.AddDate(0, 0, -60), testNow)
	events := e.checkIntact(t)
	out := filepath.Join(e.dir, "sessions.csv")
	killed := false
	for try := 0; try < 5 && !killed; try++ {
		// Mid-way: rows have reached the temporary file, which has no name on Linux (see
		// internal/safefile); the process's open files show it.
		killed = e.killWhen(t, func(pid int) bool { return writingIn(pid, e.dir) },
			"export", "sessions", "--with-names", "--out", out)
		if !killed {
			// It finished first; start again from a clean folder.
			for _, name := range leftovers(t, e.dir, "sessions.csv") {
				os.Remove(filepath.Join(e.dir, name))
			}
			events++ // the finished export recorded itself
		}
	}
	if !killed {
		t.Fatal("the export always finished before the kill")
	}
	if left := leftovers(t, e.dir, "sessions.csv"); len(left) > 0 {
		t.Errorf("after the kill these files remain: %v", left)
	}
	if got := e.checkIntact(t); got != events {
		t.Errorf("audit trail has %d events after the kill, want %d (the killed export is not recorded)", got, events)
	}
	// The next export works and is recorded.
	e.run(t, "export", "sessions", "--out", out)
	if got := e.checkIntact(t); got != events+1 {
		t.Errorf("audit trail has %d events, want %d", got, events+1)
	}
}

// TestKilledExportDPO kills `export dpo --with-names` once its hidden folder beside --out holds
// the session export with the names: the folder stays (nothing runs after SIGKILL), and the
// next `export dpo` to the same folder removes it, says so, and writes the pack.
func TestKilledExportDPO(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no lock that tells a killed run's folder from one being filled: the folder is named, not removed")
	}
	e := newCounselEnv(t)
	e.fillDB(t, killSizes(), testNow.AddDate(0, 0, -60), testNow)
	pack := filepath.Join(e.dir, "pack")
	filled := func(int) bool {
		for _, name := range leftovers(t, e.dir, ".counsel-pack-") {
			if fi, err := os.Stat(filepath.Join(e.dir, name, "sessions.csv")); err == nil && fi.Size() > 0 {
				return true
			}
		}
		return false
	}
	killed := false
	for try := 0; try < 5 && !killed; try++ {
		killed = e.killWhen(t, filled, "export", "dpo", "--with-names", "--out", pack)
		if !killed {
			if err := os.RemoveAll(pack); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !killed {
		t.Fatal("the export always finished before the kill")
	}
	left := leftovers(t, e.dir, ".counsel-pack-")
	if len(left) != 1 {
		t.Fatalf("after the kill beside the pack: %v, want the one unfinished folder", left)
	}
	var stderr bytes.Buffer
	cmd := e.command(context.Background(), "export", "dpo", "--out", pack)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the next export dpo: %v\n%s", err, stderr.String())
	}
	want := "counsel: removed " + filepath.Join(e.dir, left[0]) + ", the unfinished folder of an earlier run that was stopped\n"
	if !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("stderr %q, want it to begin %q", stderr.String(), want)
	}
	if got := leftovers(t, e.dir, "pack"); !slices.Equal(got, []string{"pack"}) {
		t.Errorf("beside the pack after the next export: %v", got)
	}
	if _, err := os.Stat(filepath.Join(pack, "MANIFEST")); err != nil {
		t.Errorf("the next export wrote no pack: %v", err)
	}
	e.checkIntact(t)
}

// TestKilledPurge kills a purge while it deletes: afterwards either everything due is gone
// and the purge is recorded, or nothing changed and nothing is recorded.
func TestKilledPurge(t *testing.T) {
	e := newCounselEnv(t)
	// Created more than a year ago: every session ended long before the retention limit.
	n := killSizes()
	e.fillDB(t, n, testNow.AddDate(-2, 0, 0), testNow.AddDate(-1, 0, 0))
	events := e.checkIntact(t)
	before := [3]int{e.count(t, "SELECT count(*) FROM sessions"), e.count(t, "SELECT count(*) FROM people"),
		e.count(t, "SELECT count(*) FROM consent_events")}
	wal := e.db + "-wal"
	killed := e.killWhen(t, func(int) bool {
		// The purge's transaction has started writing pages to the log.
		fi, err := os.Stat(wal)
		return err == nil && fi.Size() > 0
	}, "purge")
	after := [3]int{e.count(t, "SELECT count(*) FROM sessions"), e.count(t, "SELECT count(*) FROM people"),
		e.count(t, "SELECT count(*) FROM consent_events")}
	got := e.checkIntact(t)
	purges := e.count(t, "SELECT count(*) FROM audit_events WHERE action = 'purge'")
	switch {
	case after == before && got == events && purges == 0:
		t.Logf("killed=%v: nothing was purged", killed)
	case after == [3]int{} && got == events+1 && purges == 1:
		t.Logf("killed=%v: the purge had committed", killed)
		if n := e.count(t, "SELECT CAST(json_extract(details, '$.sessions') AS INTEGER) FROM audit_events WHERE action = 'purge'"); n != before[0] {
			t.Errorf("the purge event counts %d sessions, %d were deleted", n, before[0])
		}
	default:
		t.Fatalf("half-applied purge: sessions/people/consent %v before, %v after; %d of %d events, %d purge events",
			before, after, got, events, purges)
	}
	if !killed {
		t.Log("the purge finished before the kill; the all-or-nothing check still ran")
	}
}

// TestRevokeRacesSessionNew runs `consent revoke` and `session new` for the same client at the
// same moment, many times, each on a fresh database: after a successful revoke the client is
// never alive again, whichever process wins, in whichever spelling session new uses, and also
// when the proof key does not exist yet (a database whose first withdrawal this is, made before
// session new created the key). The window between session new reading the key and writing is
// a few milliseconds; in most rounds session new is held there (COUNSEL_TEST_PAUSE) so that the
// revoke falls into it. Every run ends with a sound file and a verified trail.
func TestRevokeRacesSessionNew(t *testing.T) {
	rounds := 24
	if testing.Short() || raceEnabled {
		rounds = 4 // under the race detector a round takes about 5 s
	}
	if *reliabilityFull {
		rounds = 200
	}
	spellings := []string{"Kim", "kim", "KIM", "K\u200bim"}
	var refused, created int
	for i := range rounds {
		e := newCounselEnv(t)
		if i%2 == 0 {
			// A database an earlier version wrote: a session, no key, no fingerprint.
			e.oldSession(t, "Kim")
		} else {
			e.run(t, "session", "new", "--client", "Kim", "--provider", "sichere-videokonferenz", "--at", "2026-12-03 10:00")
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		revoke := e.command(ctx, "consent", "revoke", "Kim", "--yes")
		again := e.command(ctx, "session", "new", "--client", spellings[i%len(spellings)], "--provider", "sichere-videokonferenz",
			"--at", "2026-12-04 10:00")
		if pause := i % 4 * 40; pause > 0 {
			again.Env = append(again.Env[:len(again.Env):len(again.Env)], fmt.Sprintf("COUNSEL_TEST_PAUSE=session-new-write:%dms", pause))
		}
		var revokeErr, againErr bytes.Buffer
		revoke.Stderr, again.Stderr = &revokeErr, &againErr
		// session new starts first, revoke 0 to 20 ms later.
		if err := again.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(i*7%21) * time.Millisecond)
		if err := revoke.Start(); err != nil {
			t.Fatal(err)
		}
		rerr, aerr := revoke.Wait(), again.Wait()
		cancel()
		if rerr != nil {
			t.Fatalf("round %d: revoke failed: %v: %s", i, rerr, revokeErr.String())
		}
		switch {
		case aerr == nil:
			created++ // it came first: revoke took its session too
		case strings.Contains(againErr.String(), "this person withdrew consent"):
			refused++
		default:
			t.Fatalf("round %d: session new failed otherwise: %v: %s", i, aerr, againErr.String())
		}
		if n := e.count(t, "SELECT count(*) FROM people WHERE name IS NOT NULL OR name_key IS NOT NULL"); n != 0 {
			t.Fatalf("round %d: the client is alive after a successful revoke (%d people with a name; session new: %v)", i, n, aerr)
		}
		if n := e.count(t, "SELECT count(*) FROM sessions WHERE starts_at > '2026-11-28T09:00:00Z'"); n != 0 {
			t.Fatalf("round %d: %d future sessions left after the revoke", i, n)
		}
		e.checkIntact(t)
	}
	t.Logf("%d rounds: session new refused %d times, first (and then revoked) %d times", rounds, refused, created)
}

// TestWriteDuringExport: an export reads a snapshot and holds no lock while it streams, so a
// counsellor's `session new` goes ahead at once. The export is made to stall half-way (its
// stdout is a pipe nobody reads), which keeps it running for as long as the test needs: an
// export holding the write lock would make the write below wait until the 10 s busy timeout.
// The bound is on what a lock makes a writer wait for, the time to take the write lock
// (BEGIN IMMEDIATE), measured in this process; the whole `session new` process is only
// required to finish while the export still runs, since process start-up on a loaded machine
// says nothing about locks. Both exports still state a head that includes their own event,
// and the audit export holds every event up to it.
func TestWriteDuringExport(t *testing.T) {
	e := newCounselEnv(t)
	e.fillDB(t, killSizes(), testNow.AddDate(0, 0, -60), testNow)
	for i, args := range [][]string{
		{"export", "sessions", "--with-names", "--format", "csv"},
		// Without names, a large export (-reliability.full) reads the table sorted by SQLite.
		{"export", "sessions", "--format", "csv"},
		{"export", "audit", "--format", "ndjson"},
	} {
		before := e.count(t, "SELECT count(*) FROM audit_events")
		sessions := e.count(t, "SELECT count(*) FROM session_participants")
		if !slices.Contains(args, "--with-names") {
			sessions = e.count(t, "SELECT count(*) FROM sessions")
		}
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		shrinkPipe(t, w)
		var stderr bytes.Buffer
		exp := e.command(context.Background(), args...)
		exp.Stdout, exp.Stderr = w, &stderr
		if err := exp.Start(); err != nil {
			t.Fatal(err)
		}
		w.Close()
		// The first bytes show the export streaming; then it stalls on the full pipe.
		first := make([]byte, 1)
		if _, err := r.Read(first); err != nil {
			t.Fatalf("%v: no output: %v\n%s", args, err, stderr.String())
		}

		db, err := sql.Open("sqlite", e.db+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := db.Exec("BEGIN IMMEDIATE"); err != nil {
			t.Fatalf("%v: take the write lock during the export: %v", args, err)
		}
		wait := time.Since(start)
		if _, err := db.Exec("ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if wait > 100*time.Millisecond {
			t.Errorf("%v: a writer waited %v for the write lock during the export, want at most 100ms", args, wait)
		}

		start = time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var newErr bytes.Buffer
		cmd := e.command(ctx, "session", "new", "--client", fmt.Sprintf("Client-W%d", i), "--provider", "sichere-videokonferenz", "--at", "2026-12-05 10:00")
		cmd.Stderr = &newErr
		err = cmd.Run()
		cancel()
		if err != nil {
			t.Fatalf("%v: session new during the export: %v\n%s", args, err, newErr.String())
		}
		took := time.Since(start)
		t.Logf("%v: write lock taken in %v; session new took %v as a whole process", args, wait, took)
		// Generous for a loaded machine, but half of the busy timeout a lock would exhaust.
		if took > 5*time.Second {
			t.Errorf("%v: session new took %v during the export: it waited for the export", args, took)
		}
		if exp.ProcessState != nil {
			t.Fatalf("%v: the export ended before the write", args)
		}

		out, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := exp.Wait(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr.String())
		}
		lines := strings.Split(strings.TrimSuffix(string(first)+string(out), "\n"), "\n")
		after := e.count(t, "SELECT count(*) FROM audit_events")
		var head int
		if _, err := fmt.Sscanf(stderr.String()[strings.Index(stderr.String(), "head seq "):], "head seq %d", &head); err != nil {
			t.Fatalf("%v: no head in %q", args, stderr.String())
		}
		// The stated head is the export's own event. The write may come before it (the export
		// stalled while streaming) or after it (the export committed and then waited for its
		// reader, holding its last bytes in memory and no lock).
		if head > after || e.count(t, fmt.Sprintf("SELECT count(*) FROM audit_events WHERE seq = %d AND action LIKE 'export.%%'", head)) != 1 {
			t.Errorf("%v: states head seq %d, want its own event (the trail has %d)", args, head, after)
		}
		if args[1] == "sessions" {
			// The snapshot: the rows from before the write, not the new session.
			if got := len(lines) - 1; got != sessions {
				t.Errorf("%v: %d rows, want the %d of the snapshot", args, got, sessions)
			}
		} else {
			// Every event up to its own, in order: the write's events too when they came first.
			if len(lines) != head || after <= before+1 {
				t.Errorf("%v: %d events exported, want %d (before the export %d, now %d)", args, len(lines), head, before, after)
			}
			for n, l := range lines {
				if !strings.HasPrefix(l, fmt.Sprintf(`{"seq":%d,`, n+1)) {
					t.Fatalf("%v: line %d is %.40q, want seq %d", args, n+1, l, n+1)
				}
			}
		}
		e.checkIntact(t)
	}
}
