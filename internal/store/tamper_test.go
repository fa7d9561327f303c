package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// newSession is a valid session for client starting at start.
func newSession(tb testing.TB, client string, start time.Time, provider string) store.NewSession {
	tb.Helper()
	id, err := session.NewID()
	if err != nil {
		tb.Fatal(err)
	}
	kind := "jitsi"
	if provider == "blizz" {
		kind = "blizz"
	}
	return store.NewSession{
		Session: session.Session{
			ID: id, ClientName: client, ProviderID: provider, Kind: kind,
			JoinURL: "https://meet.example/room" + id[len(id)-8:], Place: "Beratungsstelle",
			Start: start, Timezone: "Europe/Berlin", Duration: 50 * time.Minute,
		},
		Notice:     consent.Notice{Language: "de", Version: "1", Hash: strings.Repeat("ab", 32)},
		RecordedBy: "counsellor",
		ProofKey:   testKey,
	}
}

// seedTrail creates n sessions (two audit events each) and returns the database with its
// trail of 2n events.
func seedTrail(tb testing.TB, n int) *store.DB {
	tb.Helper()
	db := mustOpen(tb)
	for i := range n {
		ns := newSession(tb, fmt.Sprintf("Client-%c", 'A'+i%26), fixedNow.Add(time.Duration(i+1)*24*time.Hour), "jitsi-fem-tu-ilmenau")
		if _, err := db.CreateSession(context.Background(), ns); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// events reads the whole trail (small in these tests).
func events(tb testing.TB, db *store.DB) []audit.Event {
	tb.Helper()
	var evs []audit.Event
	if err := db.WalkAudit(context.Background(), func(e audit.Event) error {
		evs = append(evs, e)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return evs
}

// verifyDB walks the trail through a Verifier, as `counsel audit verify` did before it
// read the stored form (the exact path), and checks that VerifyRecords' chain check, the
// fast path, ends the same: the same error at the same event, the same head and count.
func verifyDB(db *store.DB, heads ...string) (audit.Head, error) {
	exact := func() (*audit.Verifier, error) {
		var v audit.Verifier
		for _, h := range heads {
			if err := v.Expect(h); err != nil {
				return &v, err
			}
		}
		if err := db.WalkAudit(context.Background(), v.Add); err != nil {
			return &v, err
		}
		return &v, v.Finish()
	}
	v, err := exact()
	var fv audit.Verifier
	for _, h := range heads {
		if err := fv.Expect(h); err != nil {
			return v.Head(), err
		}
	}
	_, ferr := db.VerifyRecords(context.Background(), &fv)
	if fmt.Sprint(ferr) != fmt.Sprint(err) || fv.Head() != v.Head() || fv.Count() != v.Count() || fv.Start() != v.Start() {
		// A record problem is not a chain error: only a chain that verified is compared.
		return v.Head(), fmt.Errorf("the fast path differs from the exact path: %v (head %v, %d events), exact %v (head %v, %d events)",
			ferr, fv.Head(), fv.Count(), err, v.Head(), v.Count())
	}
	return v.Head(), err
}

// tamper closes db, runs the statements on the file directly, and reopens it.
func tamper(t *testing.T, db *store.DB, stmts ...string) *store.DB {
	t.Helper()
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw := rawOpen(t, path)
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := store.Open(context.Background(), path, func() time.Time { return fixedNow })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { again.Close() })
	return again
}

func TestVerifyIntactTrail(t *testing.T) {
	db := seedTrail(t, 3)
	if _, err := db.CancelSession(context.Background(), events(t, db)[1].Object); err != nil {
		t.Fatal(err)
	}
	evs := events(t, db)
	if len(evs) != 20 {
		t.Fatalf("%d events, want 20 (3 people, sessions, participants and notices with their records, 1 cancel with its record)", len(evs))
	}
	head, err := verifyDB(db, evs[3].Hash, evs[19].Hash)
	if err != nil {
		t.Fatal(err)
	}
	if want := evs[19].Head(); head != want {
		t.Errorf("head %+v, want %+v", head, want)
	}
	if got, err := db.AuditHead(context.Background()); err != nil || got != head {
		t.Errorf("AuditHead = %+v, %v; want %+v", got, err, head)
	}
	for _, e := range evs {
		if err := e.Validate(); err != nil {
			t.Errorf("stored event %d: %v", e.Seq, err)
		}
	}
}

func TestVerifyEmptyTrail(t *testing.T) {
	db := mustOpen(t)
	head, err := verifyDB(db)
	if err != nil || head != (audit.Head{}) {
		t.Fatalf("empty trail: head %+v, err %v; want zero head, no error", head, err)
	}
	if h, err := db.AuditHead(context.Background()); err != nil || h != (audit.Head{}) {
		t.Fatalf("AuditHead of an empty trail = %+v, %v", h, err)
	}
}

// TestTamperDetected edits, inserts, deletes and reorders events with direct SQL and checks
// that verification stops at the right event: seq and the ID stored there.
func TestTamperDetected(t *testing.T) {
	const n = 4 // sessions of four people: events 1..20 (person, session, notice and their records)
	tests := []struct {
		name       string
		stmts      []string
		wantSeq    int64
		wantReason string
	}{
		{
			name:    "EditDetails",
			stmts:   []string{`UPDATE audit_events SET details = json_set(details, '$.provider', 'blizz') WHERE seq = 3`},
			wantSeq: 3, wantReason: "edited",
		},
		{
			name:    "EditObject",
			stmts:   []string{`UPDATE audit_events SET object = 'S-0001' WHERE seq = 5`},
			wantSeq: 5, wantReason: "edited",
		},
		{
			name:    "EditAction",
			stmts:   []string{`UPDATE audit_events SET action = 'session.cancelled' WHERE seq = 1`},
			wantSeq: 1, wantReason: "edited",
		},
		{
			name:    "EditTimeKeepingItsForm",
			stmts:   []string{`UPDATE audit_events SET at = '2026-11-27T09:00:00.000000000Z' WHERE seq = 6`},
			wantSeq: 6, wantReason: "edited",
		},
		{
			name:    "EditTimeIntoAnotherForm",
			stmts:   []string{`UPDATE audit_events SET at = '2026-11-28T09:00:00Z' WHERE seq = 6`},
			wantSeq: 6, wantReason: "stored time",
		},
		{
			name:    "DetailsNotJSON",
			stmts:   []string{`UPDATE audit_events SET details = 'null' WHERE seq = 2`},
			wantSeq: 2, wantReason: "details",
		},
		{
			name:    "EditHash",
			stmts:   []string{`UPDATE audit_events SET hash = '` + strings.Repeat("0", 63) + `1' WHERE seq = 4`},
			wantSeq: 4, wantReason: "edited",
		},
		{
			name:    "DeleteMiddle",
			stmts:   []string{`DELETE FROM audit_events WHERE seq = 4`},
			wantSeq: 5, wantReason: "sequence gap",
		},
		{
			name:    "DeleteFirst",
			stmts:   []string{`DELETE FROM audit_events WHERE seq = 1`},
			wantSeq: 2, wantReason: "sequence gap",
		},
		{
			name: "DeleteAndRenumber",
			stmts: []string{
				`DELETE FROM audit_events WHERE seq = 4`,
				`UPDATE audit_events SET seq = seq + 1000 WHERE seq > 4`,
				`UPDATE audit_events SET seq = seq - 1001 WHERE seq > 1000`,
			},
			wantSeq: 4, wantReason: "previous hash",
		},
		{
			name: "InsertMiddle",
			stmts: []string{
				`UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 3`,
				`UPDATE audit_events SET seq = seq - 999 WHERE seq > 1000`,
				`INSERT INTO audit_events (seq, id, at, action, object, details, prev_hash, hash)
					SELECT 3, 'forged-event', at, 'purge', '', '{}', hash, '` + strings.Repeat("f", 64) + `'
					FROM audit_events WHERE seq = 2`,
			},
			wantSeq: 3, wantReason: "edited",
		},
		{
			name: "InsertCopyAtEnd",
			stmts: []string{
				`INSERT INTO audit_events (seq, id, at, action, object, details, prev_hash, hash)
					SELECT 25, 'copied-event', at, action, object, details, prev_hash, '` + strings.Repeat("e", 64) + `'
					FROM audit_events WHERE seq = 2`,
			},
			wantSeq: 25, wantReason: "previous hash",
		},
		{
			// Counsel numbers from 1; verify reads every row, and so must the exact path
			// (WalkAudit), or the two would disagree on what the table holds.
			name:    "MoveLastToSeqZero",
			stmts:   []string{`UPDATE audit_events SET seq = 0 WHERE seq = 20`},
			wantSeq: 0, wantReason: "seq 0 is not positive",
		},
		{
			name: "InsertCopyBelowOne",
			stmts: []string{
				`INSERT INTO audit_events (seq, id, at, action, object, details, prev_hash, hash)
					SELECT -5, 'copied-event', at, action, object, details, prev_hash, '` + strings.Repeat("e", 64) + `'
					FROM audit_events WHERE seq = 2`,
			},
			wantSeq: -5, wantReason: "seq -5 is not positive",
		},
		{
			name: "SwapTwoEvents",
			stmts: []string{
				`UPDATE audit_events SET seq = 100 WHERE seq = 5`,
				`UPDATE audit_events SET seq = 5 WHERE seq = 6`,
				`UPDATE audit_events SET seq = 6 WHERE seq = 100`,
			},
			wantSeq: 5, wantReason: "previous hash",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := seedTrail(t, n)
			if _, err := verifyDB(db); err != nil {
				t.Fatalf("before tampering: %v", err)
			}
			db = tamper(t, db, tt.stmts...)
			// The ID the verifier must name is whatever the tampered table holds at that seq.
			raw := rawOpen(t, db.Path())
			var wantID string
			if err := raw.QueryRow("SELECT id FROM audit_events WHERE seq = ?", tt.wantSeq).Scan(&wantID); err != nil {
				t.Fatal(err)
			}
			_, err := verifyDB(db)
			var be *audit.BrokenError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want *audit.BrokenError", err)
			}
			if be.Seq != tt.wantSeq || be.ID != wantID {
				t.Errorf("broken at seq %d id %s, want seq %d id %s", be.Seq, be.ID, tt.wantSeq, wantID)
			}
			if !strings.Contains(be.Reason.String(), tt.wantReason) {
				t.Errorf("reason %q, want it to mention %q", be.Reason, tt.wantReason)
			}
			if strings.Contains(err.Error(), "Client-") || strings.Contains(err.Error(), "jitsi") {
				t.Errorf("error %q repeats stored content", err)
			}
		})
	}
}

// TestTruncationNeedsAKeptHead deletes events from the end: the chain alone still verifies
// (it cannot know what is missing), but not against a head kept from before.
func TestTruncationNeedsAKeptHead(t *testing.T) {
	tests := []struct {
		name     string
		stmts    []string
		wantHead int64 // seq of the head left
	}{
		{"DeleteLastEvents", []string{`DELETE FROM audit_events WHERE seq > 5`}, 5},
		{"DeleteLastEvent", []string{`DELETE FROM audit_events WHERE seq = 24`}, 23},
		{"TruncateTable", []string{`DELETE FROM audit_events`}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := seedTrail(t, 4)
			kept, err := db.AuditHead(context.Background())
			if err != nil || kept.Seq != 24 {
				t.Fatalf("head %+v, %v", kept, err)
			}
			db = tamper(t, db, tt.stmts...)
			head, err := verifyDB(db)
			if err != nil {
				t.Fatalf("without a kept head: %v (truncation is not visible in the chain alone)", err)
			}
			if head.Seq != tt.wantHead {
				t.Errorf("head seq %d, want %d", head.Seq, tt.wantHead)
			}
			_, err = verifyDB(db, kept.Hash)
			var hn *audit.HeadNotFoundError
			if !errors.As(err, &hn) {
				t.Fatalf("with the kept head: err = %v, want *audit.HeadNotFoundError", err)
			}
			if hn.Want != kept.Hash || hn.Head.Seq != tt.wantHead {
				t.Errorf("HeadNotFoundError %+v, want hash %s and chain end %d", hn, kept.Hash, tt.wantHead)
			}
		})
	}
}

// TestRewriteNeedsAKeptHead edits an event and recomputes every hash after it, as someone who
// knows the encoding could: the chain verifies, but a head kept from before is gone.
func TestRewriteNeedsAKeptHead(t *testing.T) {
	db := seedTrail(t, 3)
	kept, err := db.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	evs := events(t, db)
	var stmts []string
	prev := evs[1].Head()
	for _, e := range evs[2:] {
		if e.Seq == 3 {
			e.Object = "rewritten"
		}
		sealed, err := audit.Seal(prev, audit.Event{ID: e.ID, At: e.At, Action: e.Action, Object: e.Object, Details: e.Details})
		if err != nil {
			t.Fatal(err)
		}
		det, _ := json.Marshal(sealed.Details)
		stmts = append(stmts, fmt.Sprintf(`UPDATE audit_events SET object = '%s', details = '%s', prev_hash = '%s', hash = '%s' WHERE seq = %d`,
			sealed.Object, det, sealed.PrevHash, sealed.Hash, sealed.Seq))
		prev = sealed.Head()
	}
	db = tamper(t, db, stmts...)
	if _, err := verifyDB(db); err != nil {
		t.Fatalf("a consistently rewritten chain verifies on its own, got %v", err)
	}
	var hn *audit.HeadNotFoundError
	if _, err := verifyDB(db, kept.Hash); !errors.As(err, &hn) {
		t.Fatalf("with the kept head: err = %v, want *audit.HeadNotFoundError", err)
	}
	// A head kept before the rewritten event still verifies: those events are unchanged.
	if _, err := verifyDB(db, evs[1].Hash); err != nil {
		t.Errorf("head before the rewrite: %v", err)
	}
}

func TestWalkAuditStopsOnCallbackError(t *testing.T) {
	db := seedTrail(t, 2)
	stop := errors.New("stop")
	calls := 0
	err := db.WalkAudit(context.Background(), func(audit.Event) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Fatalf("err %v after %d calls, want stop after 2", err, calls)
	}
	// The cursor was released: the database is usable again.
	if _, err := db.AuditHead(context.Background()); err != nil {
		t.Fatal(err)
	}
}
