package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/store"
)

// changedRows lists "table id" of the rows verify reports as changed outside counsel.
func changedRows(t *testing.T, f *fixture) []string {
	t.Helper()
	rep, err := verifyRecords(t, f.db)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range rep.Problems {
		if p.Kind != audit.ProblemChanged {
			t.Errorf("problem %+v, want only changed rows", p)
		}
		out = append(out, p.Table+" "+p.ID)
	}
	slices.Sort(out)
	return out
}

// rowsOf lists "table id" of every withdrawal proof and remembered room.
func rowsOf(t *testing.T, f *fixture, where string) []string {
	t.Helper()
	rows, err := f.raw.Query("SELECT 'withdrawals ' || id FROM withdrawals WHERE " + where +
		" UNION ALL SELECT 'retired_rooms ' || id FROM retired_rooms WHERE " + where)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// An attacker with the file moves the end of a withdrawal proof and of a remembered room
// into the past. verify names both; purge must not delete them as due (that would leave
// verify nothing to name, accept the withdrawn client again and give the room out again):
// it keeps them, counts them, and still deletes the honest rows that are due.
func TestPurgeKeepsTamperedProofsAndRooms(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ret := store.Retention{SessionDays: 90, ProofKey: testKey, ConsentYears: 3, Location: time.UTC}
	f.session("Client-A", fixedNow.Add(48*time.Hour), "jitsi")
	if _, err := f.revoke("Client-A"); err != nil {
		t.Fatal(err)
	}
	tampered := rowsOf(t, f, "1")
	if len(tampered) != 2 {
		t.Fatalf("rows after the withdrawal: %v, want a proof and a room", tampered)
	}
	f.verifies(t)
	// The attack, exactly as run with sqlite3.
	for _, q := range []string{
		"UPDATE retired_rooms SET retain_until='2026-01-01T00:00:00Z'",
		"UPDATE withdrawals  SET retain_until='2026-01-01T00:00:00Z'",
	} {
		if _, err := f.raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if got := changedRows(t, f); !slices.Equal(got, tampered) {
		t.Fatalf("verify names %v, want %v", got, tampered)
	}
	due, err := f.db.PurgeDue(ctx, ret)
	if err != nil || !due {
		t.Fatalf("PurgeDue = %v, %v", due, err)
	}
	purges := f.auditCount(audit.ActionPurge)
	for _, dry := range []bool{true, false} {
		p, err := f.db.Purge(ctx, ret, dry, "auto")
		if err != nil {
			t.Fatal(err)
		}
		if p.Withdrawals != 0 || p.RetiredRooms != 0 || p.KeptTampered != 2 || p.Total() != 0 {
			t.Errorf("dry run %v: purged %+v, want the 2 tampered rows kept", dry, p)
		}
	}
	if got := rowsOf(t, f, "1"); !slices.Equal(got, tampered) {
		t.Errorf("rows after the purge: %v, want %v", got, tampered)
	}
	if got := changedRows(t, f); !slices.Equal(got, tampered) {
		t.Errorf("after the purge verify names %v, want %v", got, tampered)
	}
	// Kept rows alone are recorded once, when first kept, so the trail says since when; the
	// same rows kept again (the purge before every write command) add nothing.
	if got := f.auditCount(audit.ActionPurge); got != purges+1 {
		t.Errorf("%d purge events after keeping rows, want %d", got, purges+1)
	}
	keptAt := f.clock.now()
	f.clock.add(time.Hour)
	if p, err := f.db.Purge(ctx, ret, false, "auto"); err != nil || p.KeptTampered != 2 || p.TrailBroken {
		t.Fatalf("purge again: %+v, %v", p, err)
	}
	if got := f.auditCount(audit.ActionPurge); got != purges+1 {
		t.Errorf("%d purge events after keeping the same rows again, want %d", got, purges+1)
	}
	if k, err := f.db.KeptTampered(ctx); err != nil || k.N != 2 || k.TrailBroken || !k.Since.Equal(keptAt) {
		t.Errorf("KeptTampered = %+v, %v; want 2 rows since %v", k, err, keptAt)
	}
	// The proof still refuses A without new consent, the room stays refused.
	if _, err := f.newSession("Client-A", fixedNow.Add(72*time.Hour), "jitsi", false); !errors.Is(err, store.ErrWithdrawn) {
		t.Errorf("withdrawn client after the purge: %v, want ErrWithdrawn", err)
	}

	// B withdraws honestly; at the end of B's retention B's rows go, A's stay.
	f.session("Client-B", fixedNow.Add(48*time.Hour), "jitsi")
	if _, err := f.revoke("Client-B"); err != nil {
		t.Fatal(err)
	}
	honest := rowsOf(t, f, "retain_until > '2026-01-01T00:00:00Z'")
	if len(honest) != 2 {
		t.Fatalf("B's rows: %v", honest)
	}
	f.clock.t = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	p, err := f.db.Purge(ctx, ret, false, "command")
	if err != nil {
		t.Fatal(err)
	}
	if p.Withdrawals != 1 || p.RetiredRooms != 1 || p.KeptTampered != 2 {
		t.Errorf("purged %+v, want B's proof and room, A's 2 rows kept", p)
	}
	if got := rowsOf(t, f, "1"); !slices.Equal(got, tampered) {
		t.Errorf("rows left: %v, want A's %v", got, tampered)
	}
	if got := changedRows(t, f); !slices.Equal(got, tampered) {
		t.Errorf("verify names %v, want %v (B's deletion recorded)", got, tampered)
	}
	var details string
	if err := f.raw.QueryRow("SELECT details FROM audit_events WHERE action = 'purge' ORDER BY seq DESC LIMIT 1").Scan(&details); err != nil {
		t.Fatal(err)
	}
	var d map[string]string
	if err := json.Unmarshal([]byte(details), &d); err != nil {
		t.Fatal(err)
	}
	if d["kept_tampered"] != "2" || d["withdrawals"] != "1" || d["retired_rooms"] != "1" {
		t.Errorf("purge event details %v", d)
	}
}

// Kept rows that are kept no longer (repaired with sqlite3 to what the trail recorded, so no
// longer due) are recorded once by the next purge, even one that deletes nothing: else the
// trail, and the DPO pack read from it, would go on saying rows are kept.
func TestPurgeRecordsKeptRowsRepaired(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ret := store.Retention{SessionDays: 90, ProofKey: testKey, ConsentYears: 3, Location: time.UTC}
	f.session("Client-A", fixedNow.Add(48*time.Hour), "jitsi")
	if _, err := f.revoke("Client-A"); err != nil {
		t.Fatal(err)
	}
	var end string
	if err := f.raw.QueryRow("SELECT retain_until FROM withdrawals").Scan(&end); err != nil {
		t.Fatal(err)
	}
	purges := f.auditCount(audit.ActionPurge)
	for _, q := range []string{"UPDATE retired_rooms SET retain_until='2026-01-01T00:00:00Z'", "UPDATE withdrawals SET retain_until='2026-01-01T00:00:00Z'"} {
		if _, err := f.raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if p, err := f.db.Purge(ctx, ret, false, "command"); err != nil || p.KeptTampered != 2 {
		t.Fatalf("purge of the tampered rows: %+v, %v", p, err)
	}
	// The repair: the ends as the trail recorded them.
	if _, err := f.raw.Exec("UPDATE retired_rooms SET retain_until = ?1; UPDATE withdrawals SET retain_until = ?1", end); err != nil {
		t.Fatal(err)
	}
	f.verifies(t)
	for range 2 {
		f.clock.add(time.Hour)
		if p, err := f.db.Purge(ctx, ret, false, "command"); err != nil || p.KeptTampered != 0 || p.Total() != 0 {
			t.Fatalf("purge after the repair: %+v, %v", p, err)
		}
		if got := f.auditCount(audit.ActionPurge); got != purges+2 {
			t.Errorf("%d purge events, want %d: one keeping rows, one saying none are kept any more", got, purges+2)
		}
	}
	if k, err := f.db.KeptTampered(ctx); err != nil || k.N != 0 {
		t.Errorf("KeptTampered after the repair = %+v, %v; want none", k, err)
	}
	f.verifies(t)
}

// A row inserted outside counsel (no event records it) is not deleted either, nor is a due
// row when the chain itself does not verify: nothing then vouches for any row.
func TestPurgeKeepsUnprovenProofs(t *testing.T) {
	ctx := context.Background()
	ret := store.Retention{SessionDays: 90, ProofKey: testKey, ConsentYears: 3, Location: time.UTC}
	t.Run("Inserted", func(t *testing.T) {
		f := newFixture(t)
		if _, err := f.raw.Exec(`INSERT INTO withdrawals (id, subject_hmac, withdrawn_at, notice_hashes, retain_until)
			VALUES ('00000000-0000-4000-8000-000000000001', 'x', '2025-01-01T00:00:00Z', '[]', '2026-01-01T00:00:00Z')`); err != nil {
			t.Fatal(err)
		}
		p, err := f.db.Purge(ctx, ret, false, "command")
		if err != nil {
			t.Fatal(err)
		}
		if p.Withdrawals != 0 || p.KeptTampered != 1 || p.TrailBroken || f.count("SELECT count(*) FROM withdrawals") != 1 {
			t.Errorf("purged %+v", p)
		}
	})
	t.Run("BrokenChain", func(t *testing.T) {
		f := newFixture(t)
		f.session("Client-A", fixedNow.Add(48*time.Hour), "jitsi")
		if _, err := f.revoke("Client-A"); err != nil {
			t.Fatal(err)
		}
		f.session("Client-B", fixedNow.Add(-time.Hour), "jitsi") // past retention below
		if _, err := f.raw.Exec("UPDATE audit_events SET at = '2026-01-01T00:00:00Z' WHERE seq = 1"); err != nil {
			t.Fatal(err)
		}
		f.clock.t = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		p, err := f.db.Purge(ctx, ret, false, "command")
		if err != nil {
			t.Fatal(err)
		}
		if p.Withdrawals != 0 || p.RetiredRooms != 0 || p.KeptTampered != 2 || !p.TrailBroken || p.Sessions != 1 {
			t.Errorf("purged %+v, want B's session, A's proof and room kept for the broken chain", p)
		}
		if k, err := f.db.KeptTampered(ctx); err != nil || k.N != 2 || !k.TrailBroken || !k.Since.Equal(f.clock.now()) {
			t.Errorf("KeptTampered = %+v, %v; want 2 rows, trail broken, since now", k, err)
		}
	})
}

// BenchmarkPurgeDueProof is a purge with a withdrawal proof due among -large-n sessions (none
// of them due): the trail is replayed to check the proof (here a tampered one, kept). A dry
// run, so every iteration sees the same database.
func BenchmarkPurgeDueProof(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "counsel.db")
	db := openWith(b, path, newClock(fixedNow))
	b.Cleanup(func() { db.Close() })
	fillSessions(b, db, *largeN)
	sub, err := db.FindSubject(ctx, store.SubjectQuery{Ref: "Client-0000001", AllowSession: true, ProofKey: testKey})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.RevokeConsent(ctx, store.Revocation{PersonID: sub.Person.ID, ProofKey: testKey,
		RetentionYears: 3, Location: time.UTC}); err != nil {
		b.Fatal(err)
	}
	if _, err := rawOpen(b, path).Exec("UPDATE withdrawals SET retain_until = '2026-01-01T00:00:00Z'"); err != nil {
		b.Fatal(err)
	}
	ret := store.Retention{SessionDays: 90, ProofKey: testKey, ConsentYears: 3, Location: time.UTC}
	b.ResetTimer()
	for b.Loop() {
		p, err := db.Purge(ctx, ret, true, "command")
		if err != nil || p.KeptTampered != 1 || p.Sessions != 0 {
			b.Fatalf("%+v, %v", p, err)
		}
	}
}

// Audit retention does not remove the events of a chain that does not verify: that would
// erase the break and carry a possibly forged record event forward as what the trail said,
// after which the next purge would delete the row it vouches for. The events stay, the purge
// says so (AuditHeld), whether or not proofs are due at the same time.
func TestAuditRetentionHeldForBrokenChain(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name       string
		now        time.Time
		auditYears int
		kept       int
	}{
		{"WithProofsDue", time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC), 3, 2},
		{"AuditOnly", time.Date(2028, 6, 1, 9, 0, 0, 0, time.UTC), 1, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.session("Client-A", fixedNow.Add(48*time.Hour), "jitsi")
			if _, err := f.revoke("Client-A"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.raw.Exec("UPDATE audit_events SET object = 'x' WHERE seq = 2"); err != nil {
				t.Fatal(err)
			}
			events := f.count("SELECT count(*) FROM audit_events")
			ret := store.Retention{SessionDays: 90, ProofKey: testKey, ConsentYears: 3, AuditYears: tt.auditYears, Location: time.UTC}
			f.clock.t = tt.now
			for _, dry := range []bool{true, false} {
				p, err := f.db.Purge(ctx, ret, dry, "command")
				if err != nil {
					t.Fatal(err)
				}
				if !p.AuditHeld || p.AuditEvents != 0 || p.KeptTampered != tt.kept {
					t.Errorf("dry run %v: %+v, want audit retention held and %d rows kept", dry, p, tt.kept)
				}
			}
			if got := f.count("SELECT count(*) FROM audit_events WHERE seq <= ?", events); got != events {
				t.Errorf("%d of the %d events left", got, events)
			}
			var be *audit.BrokenError
			if _, err := verifyRecords(t, f.db); !errors.As(err, &be) || be.Seq != 2 {
				t.Errorf("verify after the purge: %v, want the break at seq 2", err)
			}
		})
	}
}
