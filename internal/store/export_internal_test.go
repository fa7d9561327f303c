package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
)

// The parallel read of large session exports (readChunks) must give exactly the rows, in
// exactly the order, of one plain cursor over the stored columns; these tests force it on a
// small database by shrinking its thresholds.

var fixtureNow = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func filledDB(t *testing.T, n int) *DB {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "counsel.db"), func() time.Time { return fixtureNow })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := Fill(context.Background(), d, FixtureSpec{Sessions: n, PerPerson: 7, From: fixtureNow.AddDate(0, 0, -80),
		Until: fixtureNow, CancelEvery: 9, ConfirmEvery: 3, Seed: 7}, nil); err != nil {
		t.Fatal(err)
	}
	return d
}

// referenceSessions reads the export the plain way: every column on its own, one cursor.
func referenceSessions(t *testing.T, d *DB, f ExportFilter) []SessionRow {
	t.Helper()
	// Written apart from sessionsQuery: one row per session, the person when there is one.
	cols := `s.id, CASE WHEN (SELECT count(*) FROM session_participants x WHERE x.session_id = s.id) = 1
		THEN (SELECT x.person_id FROM session_participants x WHERE x.session_id = s.id) ELSE '' END,
		s.provider_id, s.kind, s.starts_at, s.timezone, s.duration_min, s.place, s.status, s.created_at, COALESCE(s.cancelled_at, ''),
		(SELECT count(*) FROM session_participants y WHERE y.session_id = s.id)`
	from := " FROM sessions s"
	order := " ORDER BY s.starts_at, s.id"
	if f.WithNames {
		// With names: one row per participant.
		cols = `s.id, l.person_id, s.provider_id, s.kind, s.starts_at, s.timezone, s.duration_min, s.place, s.status,
			s.created_at, COALESCE(s.cancelled_at, ''), (SELECT count(*) FROM session_participants y WHERE y.session_id = s.id),
			COALESCE(p.name, '')`
		from += " JOIN session_participants l ON l.session_id = s.id JOIN people p ON p.id = l.person_id"
		order += ", l.person_id"
	}
	where, args := f.where()
	rows, err := d.db.Query("SELECT "+cols+from+where+order, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []SessionRow
	for rows.Next() {
		var s SessionRow
		var name string
		dest := []any{&s.SessionID, &s.SubjectID, &s.Provider, &s.Kind, &s.StartsAt, &s.Timezone,
			&s.DurationMin, &s.Place, &s.Status, &s.CreatedAt, &s.CancelledAt, &s.Participants}
		if f.WithNames {
			dest = append(dest, &name)
			s.Name = &name
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sortedRead, as exportWith's readers, reads the table in rowid order, sorted by SQLite
// (without names; with names it is one cursor).
const sortedRead = 0

// exportWith runs Sessions with readers readers (1: one cursor in the transaction; see
// sortedRead), and fails the test when Sessions read another way.
func exportWith(t *testing.T, d *DB, f ExportFilter, readers int) ([]SessionRow, error) {
	t.Helper()
	ctx := context.Background()
	x, err := d.BeginExport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Rollback()
	x.readers, x.parallelMin, x.chunkRows = max(readers, 1), 1, 37
	want := "chunks"
	switch {
	case readers == sortedRead && !f.WithNames:
		x.sortedMin, want = 0, "sorted"
	case readers <= 1:
		want = "one cursor"
	}
	var out []SessionRow
	err = x.Sessions(ctx, f, func(s SessionRow) error {
		out = append(out, s)
		return nil
	})
	if x.how != want && (want != "chunks" || len(out) > 0) {
		t.Fatalf("%d readers read %s, want %s", readers, x.how, want)
	}
	return out, err
}

func sameSessions(t *testing.T, what string, got, want []SessionRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		gn, wn := "<nil>", "<nil>"
		if g.Name != nil {
			gn = *g.Name
		}
		if w.Name != nil {
			wn = *w.Name
		}
		g.Name, w.Name = nil, nil
		if g != w || gn != wn {
			t.Fatalf("%s: row %d is\n%+v (name %q), want\n%+v (name %q)", what, i, g, gn, w, wn)
		}
	}
}

func TestParallelSessionsMatchOneCursor(t *testing.T) {
	n := 600
	if raceEnabled {
		n = 250
	}
	d := filledDB(t, n)
	// An edited file: values holding the separator the fast path joins columns with.
	if _, err := d.db.Exec(`UPDATE sessions SET place = 'Raum' || char(31) || '2' WHERE rowid IN (17, 300)`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.db.Exec(`UPDATE people SET name = name || char(31) WHERE rowid = 3`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    ExportFilter
	}{
		{"All", ExportFilter{}},
		{"WithNames", ExportFilter{WithNames: true}},
		{"Range", ExportFilter{From: fixtureNow.AddDate(0, 0, -40), To: fixtureNow.AddDate(0, 0, -20)}},
		{"Empty", ExportFilter{From: fixtureNow.AddDate(5, 0, 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := referenceSessions(t, d, tc.f)
			if tc.name != "Empty" && len(want) < 40 {
				t.Fatalf("only %d rows: the fixture does not exercise chunks", len(want))
			}
			for _, readers := range []int{sortedRead, 1, 2, 3} {
				got, err := exportWith(t, d, tc.f, readers)
				if err != nil {
					t.Fatalf("%d readers: %v", readers, err)
				}
				sameSessions(t, tc.name, got, want)
			}
		})
	}
}

// insertTies adds n sessions that all start at the start of the session with rowid from,
// with IDs that sort in the opposite order of their insertion (so index order is not ID
// order).
func insertTies(t *testing.T, d *DB, prefix string, from, n int) {
	t.Helper()
	_, err := d.db.Exec(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
		INSERT INTO sessions (id, provider_id, kind, meeting_id, join_url, place, starts_at, timezone,
			duration_min, status, created_at)
		SELECT printf('%s-%05d', ?, 100000 - i), s.provider_id, s.kind, '', s.join_url, s.place,
			s.starts_at, s.timezone, s.duration_min, s.status, s.created_at
		FROM k, sessions s WHERE s.rowid = ?`, n, prefix, from)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.db.Exec(`INSERT INTO session_participants (id, session_id, person_id)
		SELECT 'l-' || s.id, s.id, (SELECT x.person_id FROM session_participants x JOIN sessions o ON o.id = x.session_id WHERE o.rowid = ?)
		FROM sessions s WHERE s.id LIKE ? || '-%'`, from, prefix)
	if err != nil {
		t.Fatal(err)
	}
}

func TestSessionsStartingTogetherInIDOrder(t *testing.T) {
	d := filledDB(t, 150)
	insertTies(t, d, "few", 7, 5)
	// More than scanSessions holds: SQLite sorts this start time's sessions.
	insertTies(t, d, "many", 40, maxGroupRows+10)
	for _, f := range []ExportFilter{{}, {WithNames: true}} {
		want := referenceSessions(t, d, f)
		for _, readers := range []int{sortedRead, 1, 2} {
			got, err := exportWith(t, d, f, readers)
			if err != nil {
				t.Fatal(err)
			}
			sameSessions(t, "ties", got, want)
		}
	}
	// Inserted first, but last in ID order; the error must name the first in ID order.
	if _, err := d.db.Exec(`UPDATE sessions SET created_at = 'soon' WHERE id IN ('few-99999', 'few-99997')`); err != nil {
		t.Fatal(err)
	}
	for _, readers := range []int{sortedRead, 1, 2} {
		_, err := exportWith(t, d, ExportFilter{}, readers)
		if err == nil || !strings.Contains(err.Error(), "few-99997") {
			t.Errorf("%d readers: err = %v, want it to name few-99997", readers, err)
		}
	}
}

func TestParallelSessionsFailAtTheSameRow(t *testing.T) {
	d := filledDB(t, 150)
	// Two rows edited into a time form counsel never writes; the first in export order must
	// be named however the rows are read.
	if _, err := d.db.Exec(`UPDATE sessions SET created_at = 'yesterday' WHERE rowid IN (100, 350)`); err != nil {
		t.Fatal(err)
	}
	_, want := exportWith(t, d, ExportFilter{}, 1)
	if want == nil {
		t.Fatal("one cursor accepted a row whose created_at is not a time")
	}
	for _, readers := range []int{sortedRead, 2, 3} {
		if _, err := exportWith(t, d, ExportFilter{}, readers); err == nil || err.Error() != want.Error() {
			t.Errorf("%d readers: err = %v, want %v", readers, err, want)
		}
	}
}

func TestParallelSessionsStopWhenTheCallerFails(t *testing.T) {
	d := filledDB(t, 150)
	ctx := context.Background()
	for _, sorted := range []bool{false, true} {
		x, err := d.BeginExport(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Rollback()
		x.readers, x.parallelMin, x.chunkRows = 2, 1, 10
		if sorted {
			x.sortedMin = 0
		}
		n := 0
		err = x.Sessions(ctx, ExportFilter{}, func(SessionRow) error {
			n++
			if n == 25 {
				return errStop
			}
			return nil
		})
		if err != errStop || n != 25 {
			t.Fatalf("%s: err = %v after %d rows, want errStop after 25", x.how, err, n)
		}
		// The transaction is still usable: the readers have let go.
		if _, err := x.CountSessions(ctx, ExportFilter{}); err != nil {
			t.Fatalf("%s: %v", x.how, err)
		}
	}
}

var errStop = errorString("stop")

type errorString string

func (e errorString) Error() string { return string(e) }

// FuzzIsStoredTime holds the hand-written time check to parseTime's verdict.
func FuzzIsStoredTime(f *testing.F) {
	for _, s := range []string{"2026-11-28T09:00:00Z", "2026-02-29T09:00:00Z", "2024-02-29T23:59:59Z",
		"2026-13-01T00:00:00Z", "2026-11-28T24:00:00Z", "2026-11-28T09:00:60Z", "2026-11-28T9:00:00Z",
		"2026-11-28T09:00:00.5Z", "0000-01-01T00:00:00Z", "2026-11-28 09:00:00Z", "", "yesterday"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := parseTime(s)
		if got := isStoredTime(s); got != (err == nil) {
			t.Errorf("isStoredTime(%q) = %v, parseTime error %v", s, got, err)
		}
	})
}

// The rows streamed must be the snapshot's COUNT(*). Sessions written behind counsel's back
// (the sqlite3 shell: no audit event, so the trail's head does not change) after the export
// took its snapshot are seen by an extra reader that opens later; the export must fail
// instead of streaming them, and record nothing.
func TestSessionsMustMatchTheSnapshotCount(t *testing.T) {
	d := filledDB(t, 200)
	ctx := context.Background()
	x, err := d.BeginExport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Rollback()
	x.readers, x.parallelMin, x.chunkRows = 2, 1, 37
	n, err := x.CountSessions(ctx, ExportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", d.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Copies of every session, so that each reader's chunks hold some.
	if _, err := raw.Exec(`INSERT INTO sessions (id, provider_id, kind, meeting_id, join_url, place, starts_at, timezone,
		duration_min, status, created_at, cancelled_at, sequence, invite_version, series_id)
		SELECT 'copy-' || id, provider_id, kind, meeting_id, join_url, place, starts_at, timezone,
		duration_min, status, created_at, cancelled_at, sequence, invite_version, series_id FROM sessions`); err != nil {
		t.Fatal(err)
	}
	var streamed int64
	err = x.Sessions(ctx, ExportFilter{}, func(SessionRow) error { streamed++; return nil })
	if err == nil || !strings.Contains(err.Error(), "rows read but the snapshot holds") {
		t.Fatalf("streamed %d rows of a snapshot of %d, error %v; want the count check to fail", streamed, n, err)
	}
	if streamed <= n {
		t.Fatalf("streamed %d rows: the extra reader did not see the later rows, so this test proves nothing", streamed)
	}
}

// TestAuditMustMatchTheSnapshotCount: an event moved below seq 1 with the
// sqlite3 shell is not walked; the audit export fails, and says that trying
// again cannot help (one transaction reads both, so no writer causes this).
func TestAuditMustMatchTheSnapshotCount(t *testing.T) {
	d := filledDB(t, 20)
	ctx := context.Background()
	raw, err := sql.Open("sqlite", d.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE audit_events SET seq = 0 WHERE seq = (SELECT max(seq) FROM audit_events)`); err != nil {
		t.Fatal(err)
	}
	x, err := d.BeginExport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Rollback()
	var streamed int64
	err = x.Audit(ctx, func(audit.Event) error { streamed++; return nil })
	if err == nil || !strings.Contains(err.Error(), "events read but the table holds") {
		t.Fatalf("walked %d events, error %v; want the count check to fail", streamed, err)
	}
	if strings.Contains(err.Error(), "try again") || !strings.Contains(err.Error(), "audit verify") {
		t.Errorf("error %q: want the verify hint, not 'try again'", err)
	}
}

// Without names a session is read as one row per participant and folded into one: group
// sessions, sessions without participants (an edited file) and a person ID holding the
// separator (read again column by column) come out as the plain cursor reads them, with
// one reader or several, also among sessions that start together.
func TestSessionsFoldTheirParticipants(t *testing.T) {
	d := filledDB(t, 300)
	insertTies(t, d, "tie", 11, 6)
	for _, q := range []string{
		// Group sessions: two more participants each, one of them among the ties.
		`INSERT INTO session_participants (id, session_id, person_id)
			SELECT 'g1-' || s.id, s.id, (SELECT id FROM people WHERE rowid = 2) FROM sessions s WHERE s.rowid IN (5, 120, 299) OR s.id = 'tie-99997'`,
		`INSERT INTO session_participants (id, session_id, person_id)
			SELECT 'g2-' || s.id, s.id, (SELECT id FROM people WHERE rowid = 3) FROM sessions s WHERE s.rowid IN (5, 120, 299) OR s.id = 'tie-99997'`,
		// No participants.
		`DELETE FROM session_participants WHERE session_id IN (SELECT id FROM sessions WHERE rowid IN (7, 200) OR id = 'tie-99999')`,
		// A person whose ID holds the separator, alone in one session and in a group in another.
		`INSERT INTO people (id, name, created_at) VALUES ('odd' || char(31) || 'id', 'Client Zeta', '2026-01-01T00:00:00Z')`,
		`UPDATE session_participants SET person_id = 'odd' || char(31) || 'id' WHERE session_id IN (SELECT id FROM sessions WHERE rowid IN (9, 120))
			AND id NOT LIKE 'g_-%'`,
	} {
		if _, err := d.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, f := range []ExportFilter{{}, {WithNames: true}} {
		want := referenceSessions(t, d, f)
		groups, empty := 0, 0
		for _, s := range want {
			if s.Participants > 1 {
				groups++
			}
			if s.Participants == 0 {
				empty++
			}
		}
		if !f.WithNames && (groups != 4 || empty != 3) {
			t.Fatalf("the fixture has %d group sessions and %d without participants, want 4 and 3", groups, empty)
		}
		for _, readers := range []int{sortedRead, 1, 2, 3} {
			got, err := exportWith(t, d, f, readers)
			if err != nil {
				t.Fatalf("%d readers: %v", readers, err)
			}
			sameSessions(t, "folded", got, want)
		}
	}
}

// A long read does not map the database file. Mapped, it read faster (an export of 100k
// sessions took about half the CPU), but a file that another program shrinks while it is read
// (VACUUM in the sqlite3 shell, a broken copy) then kills counsel with SIGBUS: exit 2, which
// means a usage error here, and a Go trace instead of an error; and the reader's resident
// memory counted every mapped page (3.5 GB at 1M sessions). Read, the same case is an error.
func TestSnapshotDoesNotMapTheFile(t *testing.T) {
	d := filledDB(t, 10)
	ctx := context.Background()
	snap, err := d.beginSnapshot(ctx, 2, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer snap.end()
	var mapped int64
	if err := snap.tx.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&mapped); err != nil {
		t.Fatal(err)
	}
	if mapped != 0 {
		t.Errorf("mmap_size of the read snapshot: %d, want 0", mapped)
	}
}

// An export whose context ends (Ctrl-C) after its event was recorded: database/sql rolls the
// write transaction back on its own, so Commit must say that the context ended, not that the
// transaction was "already committed or rolled back"; and nothing is recorded.
func TestExportCommitAfterInterruptSaysSo(t *testing.T) {
	d := filledDB(t, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	x, err := d.BeginExport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Rollback()
	if _, err := x.Record(ctx, audit.ActionExportSessions, map[string]string{"format": "csv", "count": "3"}); err != nil {
		t.Fatal(err)
	}
	cancel()
	time.Sleep(200 * time.Millisecond) // database/sql's rollback runs on a goroutine of its own
	err = x.Commit()
	if !errors.Is(err, context.Canceled) || errors.Is(err, sql.ErrTxDone) {
		t.Fatalf("Commit after the context ended: %v, want the context's error", err)
	}
	var n int
	if err := d.db.QueryRow("SELECT count(*) FROM audit_events WHERE action = ?", audit.ActionExportSessions).Scan(&n); err != nil || n != 0 {
		t.Errorf("export events recorded: %d (%v), want 0", n, err)
	}
}
