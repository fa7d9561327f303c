package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/store"
)

func TestPurgeRetention(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ret := store.Retention{SessionDays: 90, ProofKey: testKey, ConsentYears: 3, Location: time.UTC}
	start := fixedNow.Add(-time.Hour) // 08:00, ends 08:50
	end := start.Add(50 * time.Minute)

	a1 := f.session("Client-A", start, "jitsi")
	f.session("Client-A", start.Add(60*24*time.Hour), "jitsi") // A keeps this one longer
	if _, err := f.db.ConfirmConsent(ctx, store.Confirmation{Name: "Client-A", Method: "form", RecordedBy: "Counsellor X"}); err != nil {
		t.Fatal(err)
	}
	f.session("Client-B", start, "blizz")
	f.session("Client-C", start, "jitsi")
	if _, err := f.revoke("Client-C"); err != nil {
		t.Fatal(err)
	}

	due := func() bool {
		t.Helper()
		d, err := f.db.PurgeDue(ctx, ret)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	purge := func(dry bool) store.Purged {
		t.Helper()
		p, err := f.db.Purge(ctx, ret, dry, "command")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("NotYet", func(t *testing.T) {
		f.clock.t = end.Add(90 * 24 * time.Hour) // exactly 90 days after the end: kept
		before := f.snapshot()
		if due() {
			t.Error("due on the last day of retention")
		}
		if p := purge(false); p.Total() != 0 {
			t.Errorf("purged %+v", p)
		}
		if f.snapshot() != before || f.auditCount(audit.ActionPurge) != 0 {
			t.Error("a purge with nothing due changed the database or wrote an audit event")
		}
	})
	// B's notice; C's events went at the withdrawal. The rooms of the three
	// sessions are remembered: A's and C's Jitsi URLs, B's Blizz meeting ID.
	want := store.Purged{Sessions: 3, People: 2, ConsentEvents: 1, RoomsRetired: 3}
	t.Run("DryRun", func(t *testing.T) {
		f.clock.t = end.Add(90*24*time.Hour + time.Second)
		if !due() {
			t.Fatal("not due a second after retention ended")
		}
		before := f.snapshot()
		if p := purge(true); p != want {
			t.Errorf("dry run counted %+v, want %+v", p, want)
		}
		if f.snapshot() != before {
			t.Error("the dry run changed the database")
		}
	})
	t.Run("Sessions", func(t *testing.T) {
		p := purge(false)
		if !p.Checkpointed {
			t.Error("checkpoint did not complete")
		}
		p.Checkpointed = false
		if p != want {
			t.Errorf("purged %+v, want %+v", p, want)
		}
		if due() {
			t.Error("still due after the purge")
		}
		checks := []struct {
			what string
			q    string
			want int
		}{
			{"people", "SELECT count(*) FROM people", 1},
			{"A", "SELECT count(*) FROM people WHERE name = 'Client-A'", 1},
			{"sessions", "SELECT count(*) FROM sessions", 1},
			{"A's consent events, kept with A", "SELECT count(*) FROM consent_events", 3},
			{"unlinked from the purged session", "SELECT count(*) FROM consent_events WHERE session_id IS NULL AND event = 'notice_sent'", 1},
			{"references to purged sessions", "SELECT count(*) FROM consent_events WHERE session_id = '" + a1 + "'", 0},
			{"C's proof stays", "SELECT count(*) FROM withdrawals", 1},
		}
		for _, c := range checks {
			if got := f.count(c.q); got != c.want {
				t.Errorf("%s: %d, want %d", c.what, got, c.want)
			}
		}
		var details string
		f.raw.QueryRow("SELECT details FROM audit_events WHERE action = 'purge'").Scan(&details)
		var d map[string]string
		if err := json.Unmarshal([]byte(details), &d); err != nil {
			t.Fatal(err)
		}
		if d["sessions"] != "3" || d["people"] != "2" || d["consent_events"] != "1" || d["withdrawals"] != "0" || d["trigger"] != "command" {
			t.Errorf("purge audit details %v", d)
		}
	})
	t.Run("Proofs", func(t *testing.T) {
		// C withdrew on 2026-11-28 (Berlin): proof kept to the end of 2029.
		f.clock.t = time.Date(2029, 12, 31, 22, 59, 59, 0, time.UTC)
		if p := purge(false); p.Withdrawals != 0 || p.Sessions != 1 || p.People != 1 || p.ConsentEvents != 3 {
			t.Errorf("purged %+v, want A's last session, A and A's events, and not yet the proof", p)
		}
		if _, err := f.newSession("Client-C", f.clock.t.Add(time.Hour), "jitsi", false); err == nil {
			t.Error("a withdrawn person was accepted while the proof exists")
		}
		f.clock.t = time.Date(2029, 12, 31, 23, 0, 0, 0, time.UTC) // 2030-01-01 00:00 in Berlin
		if !due() {
			t.Error("proof not due at its retain_until")
		}
		p := purge(false)
		if p.Withdrawals != 1 || p.Total() != 1 {
			t.Errorf("purged %+v, want the proof only", p)
		}
		if n := f.count("SELECT count(*) FROM people") + f.count("SELECT count(*) FROM withdrawals") + f.count("SELECT count(*) FROM consent_events"); n != 0 {
			t.Errorf("%d rows left", n)
		}
		if got := f.auditCount(audit.ActionPurge); got != 3 {
			t.Errorf("%d purge audit events, want 3", got)
		}
	})
}

func TestRetentionMustBePositive(t *testing.T) {
	f := newFixture(t)
	if _, err := f.db.Purge(context.Background(), store.Retention{}, true, "command"); err == nil {
		t.Error("purge with zero retention: no error")
	}
	if _, err := f.db.PurgeDue(context.Background(), store.Retention{SessionDays: -1}); err == nil {
		t.Error("due check with negative retention: no error")
	}
}
