package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/store"
)

// TestAuditRetention: events older than the end of their year plus the audit retention are
// removed by a purge; a checkpoint keeps the rest verifiable, a head kept after it still
// checks (one from before it no longer can), records bound only by removed events stay
// proven, and a dry run says what would go without changing anything.
func TestAuditRetention(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	c := newClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	db := openWith(t, path, c)
	// 2026: Client-A books far ahead (the rows outlive the events that recorded them),
	// Client-B books and withdraws.
	a, err := db.CreateSession(ctx, newSession(t, "Client-A", time.Date(2030, 9, 1, 9, 0, 0, 0, time.UTC), "blizz"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateSession(ctx, newSession(t, "Client-B", c.t.Add(48*time.Hour), "blizz")); err != nil {
		t.Fatal(err)
	}
	sub, err := db.FindSubject(ctx, store.SubjectQuery{Ref: "Client-B"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RevokeConsent(ctx, store.Revocation{PersonID: sub.Person.ID, ProofKey: testKey, RetentionYears: 3, Location: time.UTC}); err != nil {
		t.Fatal(err)
	}
	oldHead, err := db.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 2027: one more session; a DPO keeps the head.
	c.t = time.Date(2027, 5, 1, 9, 0, 0, 0, time.UTC)
	if _, err := db.CreateSession(ctx, newSession(t, "Client-C", time.Date(2030, 10, 1, 9, 0, 0, 0, time.UTC), "blizz")); err != nil {
		t.Fatal(err)
	}
	keptHead, err := db.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	retention := store.Retention{SessionDays: 90, AuditYears: 3, Location: time.UTC}

	// 2029: the 2026 events are kept until the end of 2029: nothing is due.
	c.t = time.Date(2029, 12, 31, 22, 0, 0, 0, time.UTC)
	if p, err := db.Purge(ctx, retention, true, "command"); err != nil || p.AuditEvents != 0 {
		t.Fatalf("end of 2029: %+v, %v; want no audit event due", p, err)
	}
	// 2030: they are due. The dry run counts them and changes nothing.
	c.t = time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)
	before := events(t, db)
	var old int
	for _, e := range before {
		if e.At.Year() == 2026 {
			old++
		}
	}
	due, err := db.PurgeDue(ctx, retention)
	if err != nil || !due {
		t.Fatalf("PurgeDue = %v, %v", due, err)
	}
	dry, err := db.Purge(ctx, retention, true, "command")
	if err != nil || dry.AuditEvents != old || dry.AuditFrom != int64(old+1) ||
		!dry.AuditBefore.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("dry run %+v, %v; want %d events before 2027 removed", dry, err, old)
	}
	if got := events(t, db); len(got) != len(before) {
		t.Fatalf("the dry run changed the trail: %d events, was %d", len(got), len(before))
	}
	p, err := db.Purge(ctx, retention, false, "command")
	if err != nil || p.AuditEvents != old || p.Withdrawals != 1 {
		t.Fatalf("purge %+v, %v; want %d audit events and the proof removed", p, err, old)
	}
	after := events(t, db)
	if after[0].Seq != int64(old+1) {
		t.Fatalf("the trail starts at seq %d, want %d", after[0].Seq, old+1)
	}
	var cp *audit.Event
	for i := range after {
		if after[i].Action == audit.ActionAuditCheckpoint {
			cp = &after[i]
		}
		if after[i].At.Year() == 2026 {
			t.Errorf("event %d of 2026 survived", after[i].Seq)
		}
	}
	if cp == nil || cp.Details["from_seq"] != strconv.Itoa(old+1) || cp.Details["records_carried"] == "0" {
		t.Fatalf("checkpoint %+v", cp)
	}

	// The pruned trail verifies, with its records, and against the head kept in 2027.
	var v audit.Verifier
	if err := v.Expect(keptHead.Hash); err != nil {
		t.Fatal(err)
	}
	rep, err := db.VerifyRecords(ctx, &v)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("after audit retention: %+v, %v", rep.Problems, err)
	}
	if v.Start().Seq != int64(old) {
		t.Errorf("verifier started at %+v", v.Start())
	}
	// A head from before the checkpoint can no longer be found.
	var v2 audit.Verifier
	if err := v2.Expect(oldHead.Hash); err != nil {
		t.Fatal(err)
	}
	var hn *audit.HeadNotFoundError
	if _, err := db.VerifyRecords(ctx, &v2); !errors.As(err, &hn) {
		t.Fatalf("old head: %v, want HeadNotFoundError", err)
	}
	// Client-A's session, recorded only by a removed event, is still proven.
	db = tamper(t, db, `UPDATE sessions SET starts_at = '2030-09-02T09:00:00Z' WHERE id = '`+a.ID+`'`)
	rep, err = verifyRecords(t, db)
	if err != nil || len(rep.Problems) != 1 || rep.Problems[0].ID != a.ID || rep.Problems[0].Kind != audit.ProblemChanged {
		t.Fatalf("edit of a carried row: %+v, %v", rep.Problems, err)
	}
}

// TestTrailStartWithoutCheckpoint: deleting the oldest events is not audit retention; without
// a checkpoint that states the start, the trail is broken.
func TestTrailStartWithoutCheckpoint(t *testing.T) {
	db := seedTrail(t, 2)
	db = tamper(t, db, `DELETE FROM audit_events WHERE seq <= 3`)
	_, err := verifyDB(db)
	var be *audit.BrokenError
	if !errors.As(err, &be) || be.Seq != 4 {
		t.Fatalf("err = %v, want broken at seq 4", err)
	}
}
