package store_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// A counsel write binds the row as it is after the write. A row edited outside counsel
// before it is refused, not written over: the write would make the edit what the trail says,
// and verify would no longer find it. The edit stays, and verify still names it.
func TestWriteRefusesRowChangedOutside(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		start time.Duration // from now
		edit  string
		write func(f *fixture, id string) error
	}{
		// The hostile test's case: a held session moved into the future with sqlite3 got
		// round the rule that a started session cannot be moved, and the move hid the edit.
		{"move", -48 * time.Hour, "UPDATE sessions SET starts_at = '2026-12-20T09:00:00Z' WHERE id = ?", func(f *fixture, id string) error {
			_, _, err := f.db.MoveSession(ctx, store.Move{Ref: id, Start: fixedNow.Add(30 * 24 * time.Hour), Duration: time.Hour,
				Notice: consent.Notice{Language: "en", Version: "consent-en-2", Hash: "ab12"}})
			return err
		}},
		{"cancel", 48 * time.Hour, "UPDATE sessions SET place = 'Praxis' WHERE id = ?", func(f *fixture, id string) error {
			_, err := f.db.CancelSession(ctx, id)
			return err
		}},
		{"rename", 48 * time.Hour, "UPDATE people SET created_at = '2020-01-01T00:00:00Z' WHERE id = (SELECT person_id FROM session_participants WHERE session_id = ?)", func(f *fixture, id string) error {
			_, err := f.db.RenamePerson(ctx, store.Rename{Ref: id, NewName: "Client-B"})
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			id := f.session("Client-A", fixedNow.Add(c.start), "jitsi")
			if _, err := f.raw.Exec(c.edit, id); err != nil {
				t.Fatal(err)
			}
			rep, err := verifyRecords(t, f.db)
			if err != nil || len(rep.Problems) != 1 {
				t.Fatalf("verify after the edit: %+v, %v", rep.Problems, err)
			}
			want := rep.Problems[0]
			snap := f.snapshot()
			err = c.write(f, id)
			var rc *store.RowChangedError
			if !errors.As(err, &rc) || rc.Table != want.Table || rc.SinceSeq != want.Seq || rc.SinceSeq == 0 ||
				(want.Table == "sessions" && rc.ID != session.ShortID(id)) {
				t.Fatalf("%s of an edited row: %v (%+v), want the refusal naming %+v", c.name, err, rc, want)
			}
			if f.snapshot() != snap {
				t.Error("the refused write changed the database")
			}
			rep, err = verifyRecords(t, f.db)
			if err != nil || len(rep.Problems) != 1 || rep.Problems[0].Kind != audit.ProblemChanged || rep.Problems[0].Seq != want.Seq {
				t.Errorf("verify after the refused %s: %+v, %v", c.name, rep.Problems, err)
			}
		})
	}
}

// A withdrawal (GDPR Art. 7(3)) must always work: it is not refused for an edited row, but
// records the edit first (record.overwritten), and verify names it after the withdrawal bound
// the row as it was left.
func TestRevokeRecordsOverwrittenRow(t *testing.T) {
	f := newFixture(t)
	id := f.session("Client-A", fixedNow.Add(48*time.Hour), "jitsi")
	if _, err := f.raw.Exec("UPDATE sessions SET place = 'Praxis' WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	rep, err := verifyRecords(t, f.db)
	if err != nil || len(rep.Problems) != 1 {
		t.Fatalf("verify after the edit: %+v, %v", rep.Problems, err)
	}
	since := rep.Problems[0].Seq
	if _, err := f.revoke(id); err != nil {
		t.Fatalf("revoke refused: %v", err)
	}
	var at int64
	if err := f.raw.QueryRow("SELECT seq FROM audit_events WHERE action = ? AND object = ?", audit.ActionRecordOverwritten, id).Scan(&at); err != nil {
		t.Fatalf("no record.overwritten event for the session: %v", err)
	}
	rep, err = verifyRecords(t, f.db)
	want := audit.Problem{Table: "sessions", ID: id, Kind: audit.ProblemOverwritten, Seq: since, At: at}
	if err != nil || len(rep.Problems) != 1 || rep.Problems[0].Table != want.Table || rep.Problems[0].ID != want.ID ||
		rep.Problems[0].Kind != want.Kind || rep.Problems[0].Seq != want.Seq || rep.Problems[0].At != want.At {
		t.Fatalf("verify after the withdrawal: %+v, %v; want %+v", rep.Problems, err, want)
	}
	if got := rep.Problems[0].String(); got != "record sessions "+id+" was changed outside counsel after event seq "+
		strconv.FormatInt(since, 10)+"; counsel wrote over it at seq "+strconv.FormatInt(at, 10) {
		t.Errorf("finding: %q", got)
	}
	// A withdrawal of rows that were not edited records no such event.
	g := newFixture(t)
	other := g.session("Client-C", fixedNow.Add(48*time.Hour), "jitsi")
	if _, err := g.revoke(other); err != nil {
		t.Fatal(err)
	}
	if n := g.auditCount(audit.ActionRecordOverwritten); n != 0 {
		t.Errorf("%d record.overwritten events for untouched rows", n)
	}
	g.verifies(t)
}
