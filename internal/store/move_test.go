package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// A move changes start and length, counts the change, records the notice the
// updated invitation carries, and leaves a trail that verifies, records
// included.
func TestMoveSession(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := fixedNow.Add(72 * time.Hour)
	id := f.session("Client-A", start, "jitsi")
	n := consent.Notice{Language: "en", Version: "consent-en-2", Hash: "ab12"}
	newStart := start.Add(24 * time.Hour)
	before, after, err := f.db.MoveSession(ctx, store.Move{Ref: id, Sequence: 0, Start: newStart, Duration: time.Hour,
		Notice: n, Version: "invite-en-2", RecordedBy: "Counsellor X"})
	if err != nil {
		t.Fatal(err)
	}
	if !before.Start.Equal(start) || !after.Start.Equal(newStart) || after.Sequence != 1 || after.Duration != time.Hour {
		t.Fatalf("before %+v after %+v", before, after)
	}
	got, err := f.db.FindSession(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Start.Equal(newStart) || got.Sequence != 1 || got.InviteVersion != "invite-en-2" ||
		got.Lang != "en" || got.NoticeVersion != "consent-en-2" || got.Duration != time.Hour {
		t.Errorf("stored %+v", got)
	}
	if n := f.auditCount(audit.ActionSessionMoved); n != 1 {
		t.Errorf("%d session.moved events", n)
	}
	if n := f.count("SELECT count(*) FROM consent_events WHERE session_id = ? AND event = 'notice_sent' AND notice_hash = 'ab12'", id); n != 1 {
		t.Errorf("%d notice events for the updated invitation", n)
	}
	rep, err := verifyRecords(t, f.db)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("verify after a move: %+v, %v", rep.Problems, err)
	}

	// A second counsel that read the session before the move is refused,
	// and nothing changes.
	snap := f.snapshot()
	_, _, err = f.db.MoveSession(ctx, store.Move{Ref: id, Sequence: 0, Start: newStart.Add(time.Hour), Duration: time.Hour, Notice: n})
	if !errors.Is(err, store.ErrChanged) {
		t.Errorf("stale move: %v", err)
	}
	if f.snapshot() != snap {
		t.Error("a refused move changed the database")
	}

	// The cancellation counts as the next change.
	c, err := f.db.CancelSession(ctx, id)
	if err != nil || c.Sequence != 2 {
		t.Fatalf("cancel: %+v, %v", c, err)
	}
	_, _, err = f.db.MoveSession(ctx, store.Move{Ref: id, Sequence: 2, Start: newStart, Duration: time.Hour, Notice: n})
	if !errors.Is(err, store.ErrCancelled) {
		t.Errorf("moving a cancelled session: %v", err)
	}
	rep, err = verifyRecords(t, f.db)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("verify after move and cancel: %+v, %v", rep.Problems, err)
	}

	// A row changed behind counsel's back after the move is found.
	db := tamper(t, f.db, `UPDATE sessions SET sequence = 7`)
	rep, err = verifyRecords(t, db)
	if err != nil || len(rep.Problems) != 1 || rep.Problems[0].ID != id {
		t.Fatalf("edited sequence: %+v, %v", rep.Problems, err)
	}
}

// Each session shows its person's consent state.
func TestConsentState(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	state := func(id string) string {
		t.Helper()
		s, err := f.db.FindSession(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return s.Consent
	}
	a := f.session("Client-A", fixedNow.Add(48*time.Hour), "jitsi")
	b := f.session("Client-B", fixedNow.Add(48*time.Hour), "jitsi")
	if got := state(a); got != session.ConsentPending {
		t.Errorf("new session: %s", got)
	}
	if _, err := f.db.ConfirmConsent(ctx, store.Confirmation{Name: "Client-A", Method: "email", RecordedBy: "X"}); err != nil {
		t.Fatal(err)
	}
	if got := state(a); got != session.ConsentGiven {
		t.Errorf("after confirm: %s", got)
	}
	if got := state(b); got != session.ConsentPending {
		t.Errorf("another person's confirmation changed this one: %s", got)
	}
	// A withdrawal deletes future sessions; a past one shows the state.
	past := f.session("Client-B", fixedNow.Add(-48*time.Hour), "jitsi")
	if _, err := f.revoke(past); err != nil {
		t.Fatal(err)
	}
	if got := state(past); got != session.ConsentWithdrawn {
		t.Errorf("after withdrawal: %s", got)
	}
	list, _, err := f.db.ListSessions(ctx, store.SessionFilter{WithCancelled: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Consent == "" {
			t.Errorf("list: session %s without consent state", s.ID)
		}
	}
}

// A session that has started is the record of a consultation that took place: a move, to
// any date, is refused and changes nothing, the series' and group's path (MoveSessions)
// too; a session still to come moves as before.
func TestMoveRefusesAStartedSession(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	past := f.session("Client-P", fixedNow.Add(-48*time.Hour), "jitsi")
	now := f.session("Client-N", fixedNow.Add(-time.Minute), "jitsi") // in progress
	later := f.session("Client-L", fixedNow.Add(48*time.Hour), "jitsi")
	n := consent.Notice{Language: "en", Version: "consent-en-2", Hash: "ab12"}
	future := fixedNow.Add(7 * 24 * time.Hour)
	snap := f.snapshot()
	for _, id := range []string{past, now} {
		_, _, err := f.db.MoveSession(ctx, store.Move{Ref: id, Start: future, Duration: time.Hour, Notice: n})
		if !errors.Is(err, store.ErrStarted) {
			t.Errorf("moving session %s that has started: %v, want ErrStarted", session.ShortID(id), err)
		}
		err = f.db.MoveSessions(ctx, []store.Move{{Ref: later, Start: future, Duration: time.Hour, Notice: n},
			{Ref: id, Start: future.Add(time.Hour), Duration: time.Hour, Notice: n}})
		if !errors.Is(err, store.ErrStarted) {
			t.Errorf("moving dates with session %s that has started: %v, want ErrStarted", session.ShortID(id), err)
		}
	}
	if f.snapshot() != snap {
		t.Error("a refused move changed the database")
	}
	if _, after, err := f.db.MoveSession(ctx, store.Move{Ref: later, Start: future, Duration: time.Hour, Notice: n}); err != nil || !after.Start.Equal(future) {
		t.Errorf("moving a session still to come: %+v, %v", after, err)
	}
}
