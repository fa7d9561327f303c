package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/store"
)

// recordFixture is a database with a row in every record table: Client-A with two sessions
// and consent given, Client-B withdrawn (erased, a cancelled session, a proof, a deleted
// notice event, and a room retired with the session of hers that had not started).
type recordFixture struct {
	db                   *store.DB
	personA, personB     string
	session1, session2   string
	sessionB             string
	given, noticeA       string
	deletedNotice, proof string
	link1                string // Client-A's participant row of session1
	retiredRoom          string // the retired_rooms row of Client-B's deleted session
}

func newRecordFixture(t testing.TB) *recordFixture {
	t.Helper()
	ctx := context.Background()
	f := &recordFixture{db: mustOpen(t)}
	s1, err := f.db.CreateSession(ctx, newSession(t, "Client-A", fixedNow.Add(48*time.Hour), "jitsi-fem-tu-ilmenau"))
	if err != nil {
		t.Fatal(err)
	}
	s2, err := f.db.CreateSession(ctx, newSession(t, "Client-A", fixedNow.Add(72*time.Hour), "blizz"))
	if err != nil {
		t.Fatal(err)
	}
	// Client-B's session took place and was cancelled afterwards: a withdrawal
	// keeps it (anonymised) and the erased person row with it.
	sb, err := f.db.CreateSession(ctx, newSession(t, "Client-B", fixedNow.Add(-24*time.Hour), "jitsi-fem-tu-ilmenau"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CancelSession(ctx, sb.ID); err != nil {
		t.Fatal(err)
	}
	// One still to come, which the withdrawal deletes: its room is retired.
	if _, err := f.db.CreateSession(ctx, newSession(t, "Client-B", fixedNow.Add(96*time.Hour), "jitsi-fem-tu-ilmenau")); err != nil {
		t.Fatal(err)
	}
	f.session1, f.session2, f.sessionB = s1.ID, s2.ID, sb.ID
	raw := rawOpen(t, f.db.Path())
	if err := raw.QueryRow("SELECT id FROM session_participants WHERE session_id = ?", s1.ID).Scan(&f.link1); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	g, err := f.db.ConfirmConsent(ctx, store.Confirmation{Name: "Client-A", Method: consent.MethodEmail, RecordedBy: "counsellor"})
	if err != nil {
		t.Fatal(err)
	}
	f.given, f.personA = g.ID, g.PersonID
	subB, err := f.db.FindSubject(ctx, store.SubjectQuery{Ref: "Client-B"})
	if err != nil {
		t.Fatal(err)
	}
	f.personB, f.deletedNotice = subB.Person.ID, subB.Events[0].ID
	subA, err := f.db.FindSubject(ctx, store.SubjectQuery{Ref: "Client-A"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range subA.Events {
		if e.Event == consent.NoticeSent {
			f.noticeA = e.ID
		}
	}
	r, err := f.db.RevokeConsent(ctx, store.Revocation{PersonID: f.personB, ProofKey: testKey, RetentionYears: 3, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	f.proof = r.Withdrawal.ID
	raw = rawOpen(t, f.db.Path())
	defer raw.Close()
	if err := raw.QueryRow("SELECT id FROM retired_rooms").Scan(&f.retiredRoom); err != nil {
		t.Fatal(err)
	}
	return f
}

// verifyRecords verifies db with the record tables read as one text per row (verify's way)
// and again column by column (the exact path), and fails the test unless both find the
// same: the same rows, problems in the same order with the same columns, the same error.
func verifyRecords(t *testing.T, db *store.DB) (store.RecordReport, error) {
	t.Helper()
	var v audit.Verifier
	rep, err := db.VerifyRecords(context.Background(), &v)
	*store.ExactRecordRows = true
	defer func() { *store.ExactRecordRows = false }()
	var ve audit.Verifier
	exact, eerr := db.VerifyRecords(context.Background(), &ve)
	if fmt.Sprint(err) != fmt.Sprint(eerr) || !reflect.DeepEqual(rep, exact) {
		t.Errorf("the record tables read as one text per row give %+v, %v;\ncolumn by column %+v, %v", rep, err, exact, eerr)
	}
	return rep, err
}

// TestRecordsVerifyUntouched: every write of the fixture recorded its rows.
func TestRecordsVerifyUntouched(t *testing.T) {
	f := newRecordFixture(t)
	rep, err := verifyRecords(t, f.db)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 {
		t.Fatalf("problems on an untouched database: %+v", rep.Problems)
	}
	want := map[string]int{"people": 2, "sessions": 3, "consent_events": 3, "withdrawals": 1, "settings": 0, "retired_rooms": 1}
	for k, n := range want {
		if rep.Rows[k] != n {
			t.Errorf("rows[%s] = %d, want %d", k, rep.Rows[k], n)
		}
	}
}

// TestRecordTamperDetected edits, inserts, deletes and revives a row of every record table
// with plain SQL, as someone with the sqlite3 shell would, and expects verify to name
// exactly that table, row and change.
func TestRecordTamperDetected(t *testing.T) {
	type want struct {
		table, kind string
		id          func(f *recordFixture) string
		columns     []string
	}
	tests := []struct {
		name  string
		stmts func(f *recordFixture) []string
		want  want
	}{
		{"SessionMoved",
			func(f *recordFixture) []string {
				return []string{`UPDATE sessions SET starts_at = '2026-12-24T09:00:00Z' WHERE id = '` + f.session1 + `'`}
			},
			want{"sessions", audit.ProblemChanged, func(f *recordFixture) string { return f.session1 }, []string{"starts_at"}}},
		{"SessionUncancelled",
			func(f *recordFixture) []string {
				return []string{`UPDATE sessions SET status = 'scheduled', cancelled_at = NULL WHERE id = '` + f.sessionB + `'`}
			},
			want{"sessions", audit.ProblemChanged, func(f *recordFixture) string { return f.sessionB }, []string{"status", "cancelled_at"}}},
		{"SessionInserted",
			func(f *recordFixture) []string {
				return []string{`INSERT INTO sessions SELECT '` + forgedID + `', provider_id, kind, meeting_id, join_url, place,
					'2026-12-30T09:00:00Z', timezone, duration_min, status, created_at, cancelled_at, sequence, invite_version, series_id FROM sessions WHERE id = '` + f.session1 + `'`}
			},
			want{"sessions", audit.ProblemInserted, func(*recordFixture) string { return forgedID }, nil}},
		// A person slipped into a session (or taken out of one) behind counsel's back.
		{"ParticipantInserted",
			func(f *recordFixture) []string {
				return []string{`INSERT INTO session_participants SELECT '` + forgedID + `', '` + f.sessionB + `', person_id
					FROM session_participants WHERE session_id = '` + f.session1 + `'`}
			},
			want{"session_participants", audit.ProblemInserted, func(*recordFixture) string { return forgedID }, nil}},
		{"ParticipantMoved",
			func(f *recordFixture) []string {
				return []string{`UPDATE session_participants SET session_id = '` + f.sessionB + `' WHERE session_id = '` + f.session1 + `'`}
			},
			want{"session_participants", audit.ProblemChanged, func(f *recordFixture) string { return f.link1 }, []string{"session_id"}}},
		{"SessionDeleted",
			func(f *recordFixture) []string {
				return []string{`UPDATE consent_events SET session_id = NULL WHERE session_id = '` + f.session2 + `'`,
					`DELETE FROM sessions WHERE id = '` + f.session2 + `'`}
			},
			// The unlinked consent event is reported too; the session is what the test names.
			want{"sessions", audit.ProblemDeleted, func(f *recordFixture) string { return f.session2 }, nil}},
		{"PersonRenamed",
			func(f *recordFixture) []string {
				return []string{`UPDATE people SET name = 'Client-Z' WHERE id = '` + f.personA + `'`}
			},
			want{"people", audit.ProblemChanged, func(f *recordFixture) string { return f.personA }, []string{"name"}}},
		{"PersonUnerased",
			func(f *recordFixture) []string {
				return []string{`UPDATE people SET name = 'Client-B', erased_at = NULL WHERE id = '` + f.personB + `'`}
			},
			want{"people", audit.ProblemChanged, func(f *recordFixture) string { return f.personB }, []string{"erased_at", "name"}}},
		{"PersonUnerasedWithKey",
			func(f *recordFixture) []string {
				return []string{`UPDATE people SET name = 'Client-B', erased_at = NULL, name_digest_key = randomblob(32) WHERE id = '` + f.personB + `'`}
			},
			want{"people", audit.ProblemChanged, func(f *recordFixture) string { return f.personB }, []string{"erased_at", "name"}}},
		{"PersonInserted",
			func(f *recordFixture) []string {
				return []string{`INSERT INTO people (id, name, created_at) VALUES ('` + forgedID + `', 'Client-Y', '2026-11-28T09:00:00Z')`}
			},
			want{"people", audit.ProblemInserted, func(*recordFixture) string { return forgedID }, nil}},
		{"PersonInsertedWithNameAsID",
			func(f *recordFixture) []string {
				return []string{`INSERT INTO people (id, name, created_at) VALUES ('Client Y', 'Client Y', '2026-11-28T09:00:00Z')`}
			},
			want{"people", audit.ProblemInserted, func(*recordFixture) string { return "(not an ID)" }, nil}},
		{"ConsentMethodChanged",
			func(f *recordFixture) []string {
				return []string{`UPDATE consent_events SET collection_method = 'in_person', timestamp = '2026-11-01T09:00:00Z' WHERE id = '` + f.given + `'`}
			},
			want{"consent_events", audit.ProblemChanged, func(f *recordFixture) string { return f.given }, []string{"timestamp", "collection_method"}}},
		{"ConsentDeleted",
			func(f *recordFixture) []string {
				return []string{`DELETE FROM consent_events WHERE id = '` + f.given + `'`}
			},
			want{"consent_events", audit.ProblemDeleted, func(f *recordFixture) string { return f.given }, nil}},
		{"ConsentInserted",
			func(f *recordFixture) []string {
				return []string{`INSERT INTO consent_events SELECT '` + forgedID + `', person_id, NULL, 'given', timestamp, jurisdiction, legal_basis,
					purpose, notice_language, notice_version, notice_hash, 'email', recorded_by FROM consent_events WHERE id = '` + f.noticeA + `'`}
			},
			want{"consent_events", audit.ProblemInserted, func(*recordFixture) string { return forgedID }, nil}},
		{"ConsentRevived",
			func(f *recordFixture) []string {
				return []string{`INSERT INTO consent_events SELECT '` + f.deletedNotice + `', '` + f.personB + `', NULL, 'given', timestamp, jurisdiction, legal_basis,
					purpose, notice_language, notice_version, notice_hash, 'email', recorded_by FROM consent_events WHERE id = '` + f.noticeA + `'`}
			},
			want{"consent_events", audit.ProblemRevived, func(f *recordFixture) string { return f.deletedNotice }, nil}},
		{"ProofShortened",
			func(f *recordFixture) []string {
				return []string{`UPDATE withdrawals SET retain_until = '2026-12-01T00:00:00Z' WHERE id = '` + f.proof + `'`}
			},
			want{"withdrawals", audit.ProblemChanged, func(f *recordFixture) string { return f.proof }, []string{"retain_until"}}},
		{"ProofDeleted",
			func(f *recordFixture) []string { return []string{`DELETE FROM withdrawals`} },
			want{"withdrawals", audit.ProblemDeleted, func(f *recordFixture) string { return f.proof }, nil}},
		{"ProofInserted",
			func(f *recordFixture) []string {
				return []string{`INSERT INTO withdrawals SELECT '` + forgedID + `', subject_hmac, withdrawn_at, notice_hashes, retain_until FROM withdrawals`}
			},
			want{"withdrawals", audit.ProblemInserted, func(*recordFixture) string { return forgedID }, nil}},
		// A remembered room deleted would let counsel give the room out again.
		{"RetiredRoomDeleted",
			func(f *recordFixture) []string { return []string{`DELETE FROM retired_rooms`} },
			want{"retired_rooms", audit.ProblemDeleted, func(f *recordFixture) string { return f.retiredRoom }, nil}},
		{"RetiredRoomEdited",
			func(f *recordFixture) []string {
				return []string{`UPDATE retired_rooms SET digest = '` + strings.Repeat("0", 64) + `' WHERE id = '` + f.retiredRoom + `'`}
			},
			want{"retired_rooms", audit.ProblemChanged, func(f *recordFixture) string { return f.retiredRoom }, []string{"digest"}}},
		{"RetiredRoomShortened",
			func(f *recordFixture) []string {
				return []string{`UPDATE retired_rooms SET retain_until = '2026-12-01T00:00:00Z' WHERE id = '` + f.retiredRoom + `'`}
			},
			want{"retired_rooms", audit.ProblemChanged, func(f *recordFixture) string { return f.retiredRoom }, []string{"retain_until"}}},
		{"RetiredRoomInserted",
			func(f *recordFixture) []string {
				return []string{`INSERT INTO retired_rooms VALUES ('` + forgedID + `', '` + strings.Repeat("1", 64) + `', '2030-01-01T00:00:00Z')`}
			},
			want{"retired_rooms", audit.ProblemInserted, func(*recordFixture) string { return forgedID }, nil}},
		{"SettingInserted",
			func(f *recordFixture) []string {
				return []string{`INSERT INTO settings (name, value) VALUES ('proof_key_fingerprint', '` + strings.Repeat("0", 64) + `')`}
			},
			want{"settings", audit.ProblemInserted, func(*recordFixture) string { return "proof_key_fingerprint" }, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRecordFixture(t)
			db := tamper(t, f.db, tt.stmts(f)...)
			rep, err := verifyRecords(t, db)
			if err != nil {
				t.Fatalf("the chain itself is intact, got %v", err)
			}
			wantID := tt.want.id(f)
			i := slices.IndexFunc(rep.Problems, func(p audit.Problem) bool {
				return p.Table == tt.want.table && p.ID == wantID
			})
			if i < 0 {
				t.Fatalf("no problem reported for %s %s; got %+v", tt.want.table, wantID, rep.Problems)
			}
			p := rep.Problems[i]
			if p.Kind != tt.want.kind || !slices.Equal(p.Columns, tt.want.columns) {
				t.Errorf("problem %+v, want kind %s columns %v", p, tt.want.kind, tt.want.columns)
			}
			for _, q := range rep.Problems {
				if s := q.String(); strings.Contains(s, "Client") || strings.Contains(s, "meet.example") {
					t.Errorf("report %q repeats stored content", s)
				}
			}
		})
	}
}

const forgedID = "01a00000-0000-7000-8000-00000000f0f0"

// TestRecordsSurvivePurgeAndErasure: rows removed by a purge or a withdrawal are expected to
// be missing, and a later verify is clean.
func TestRecordsSurvivePurgeAndErasure(t *testing.T) {
	f := newRecordFixture(t)
	path := f.db.Path()
	f.db.Close()
	c := newClock(fixedNow.Add(400 * 24 * time.Hour))
	db := openWith(t, path, c)
	res, err := db.Purge(context.Background(), store.Retention{SessionDays: 90}, false, "command")
	if err != nil {
		t.Fatal(err)
	}
	if res.Sessions != 3 || res.People != 2 {
		t.Fatalf("purge %+v, want 3 sessions and 2 people", res)
	}
	rep, err := verifyRecords(t, db)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("after the purge: %+v, %v", rep.Problems, err)
	}
	// The purged rows are expected to stay away: one put back is reported as revived.
	db = tamper(t, db, `INSERT INTO people (id, name, created_at) VALUES ('`+f.personA+`', 'Client-A', '2026-11-28T09:00:00Z')`)
	rep, err = verifyRecords(t, db)
	if err != nil || len(rep.Problems) != 1 || rep.Problems[0].Kind != audit.ProblemRevived || rep.Problems[0].ID != f.personA {
		t.Fatalf("revived person: %+v, %v", rep.Problems, err)
	}
}

// TestRecordsOfABrokenChainAreNotCompared: a broken chain is the error, not a list of rows.
func TestRecordsOfABrokenChainAreNotCompared(t *testing.T) {
	f := newRecordFixture(t)
	db := tamper(t, f.db, `UPDATE audit_events SET object = 'x' WHERE seq = 2`,
		`UPDATE sessions SET place = 'elsewhere'`)
	_, err := verifyRecords(t, db)
	var be *audit.BrokenError
	if !errors.As(err, &be) || be.Seq != 2 {
		t.Fatalf("err = %v, want the chain broken at seq 2", err)
	}
}

// TestSchema1DatabaseMigratesAndVerifies builds a database as counsel wrote it before the
// trail bound its records (schema 1, a valid chain of its own), opens it with this version,
// and expects a baseline that makes it verify, and edits after it to be found.
func TestSchema1DatabaseMigratesAndVerifies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	raw := rawOpen(t, path)
	schema1, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	const (
		person  = "01a00000-0000-7000-8000-000000000001"
		session = "01a00000-0000-7000-8000-000000000002"
		notice  = "01a00000-0000-7000-8000-000000000003"
		proof   = "01a00000-0000-7000-8000-000000000004"
	)
	stmts := []string{string(schema1), "PRAGMA user_version = 1",
		`INSERT INTO people (id, name, created_at) VALUES ('` + person + `', 'Client-A', '2026-11-20T09:00:00Z')`,
		`INSERT INTO sessions (id, person_id, provider_id, kind, join_url, place, starts_at, timezone, duration_min, status, created_at)
			VALUES ('` + session + `', '` + person + `', 'blizz', 'blizz', 'https://go.blizz.com/join/1', 'Online', '2026-12-01T09:00:00Z', 'Europe/Berlin', 50, 'scheduled', '2026-11-20T09:00:00Z')`,
		`INSERT INTO consent_events (id, person_id, session_id, event, timestamp, jurisdiction, legal_basis, purpose)
			VALUES ('` + notice + `', '` + person + `', '` + session + `', 'notice_sent', '2026-11-20T09:00:00Z', 'DE', 'GDPR Art. 9(2)(a)', 'counselling')`,
		`INSERT INTO withdrawals (id, subject_hmac, withdrawn_at, retain_until) VALUES ('` + proof + `', '` + strings.Repeat("ab", 32) + `', '2026-11-01T09:00:00Z', '2029-12-31T23:00:00Z')`,
	}
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	var head audit.Head
	for i, e := range []audit.Event{
		{ID: "01a00000-0000-7000-8000-0000000000e1", Action: audit.ActionSessionCreated, Object: session},
		{ID: "01a00000-0000-7000-8000-0000000000e2", Action: audit.ActionConsentNoticeSent, Object: notice},
	} {
		e.At = time.Date(2026, 11, 20, 9, 0, i, 0, time.UTC)
		sealed, err := audit.Seal(head, e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`INSERT INTO audit_events (seq, id, at, action, object, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, '{}', ?, ?)`,
			sealed.Seq, sealed.ID, audit.FormatTime(sealed.At), sealed.Action, sealed.Object, sealed.PrevHash, sealed.Hash); err != nil {
			t.Fatal(err)
		}
		head = sealed.Head()
	}
	raw.Close()

	db, err := store.Open(context.Background(), path, func() time.Time { return fixedNow })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var v audit.Verifier
	if err := v.Expect(head.Hash); err != nil {
		t.Fatal(err)
	}
	rep, err := db.VerifyRecords(context.Background(), &v)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("migrated database: %+v, %v", rep.Problems, err)
	}
	evs := events(t, db)
	if len(evs) != 14 || evs[2].Action != audit.ActionRecordBaseline || evs[2].Details["schema"] != "2" ||
		evs[2].Details["people"] != "1" || evs[2].Details["withdrawals"] != "1" {
		t.Fatalf("want the old chain, a baseline and four records, then two baselines of one record each; got %d events, third %+v", len(evs), evs[2])
	}
	// Schema 3 added the name key to people: their rows are recorded again.
	if evs[7].Action != audit.ActionRecordBaseline || evs[7].Details["schema"] != "3" || evs[7].Details["people"] != "1" ||
		evs[8].Action != audit.ActionRecordPut || evs[8].Details["table"] != "people" {
		t.Fatalf("want a baseline of schema 3 and one people record; got %+v, %+v", evs[7], evs[8])
	}
	// Schema 4 gave sessions their sequence and invite version: recorded again.
	if evs[9].Action != audit.ActionRecordBaseline || evs[9].Details["schema"] != "4" || evs[9].Details["sessions"] != "1" ||
		evs[10].Action != audit.ActionRecordPut || evs[10].Details["table"] != "sessions" {
		t.Fatalf("want a baseline of schema 4 and one sessions record; got %+v, %+v", evs[9], evs[10])
	}
	// Schema 5 moved the person into session_participants: the session is
	// recorded again and its one participant for the first time.
	if evs[11].Action != audit.ActionRecordBaseline || evs[11].Details["schema"] != "5" || evs[11].Details["sessions"] != "1" ||
		evs[11].Details["session_participants"] != "1" || evs[12].Details["table"] != "sessions" ||
		evs[13].Details["table"] != "session_participants" {
		t.Fatalf("want a baseline of schema 5 with one session and one participant; got %+v, %+v, %+v", evs[11], evs[12], evs[13])
	}
	// The old session is now a one-participant session of the same person,
	// with its consent event.
	sub, err := db.FindSubject(context.Background(), store.SubjectQuery{Ref: "client-a"})
	if err != nil || sub.Person.ID != person || len(sub.Sessions) != 1 || sub.Sessions[0].ID != session ||
		sub.Sessions[0].Participants != 1 || sub.Sessions[0].ClientName != "Client-A" || len(sub.Events) != 1 || sub.Events[0].SessionID != session {
		t.Fatalf("after the migration: %+v, %v", sub, err)
	}
	// The baseline binds the old rows like any other: an edit after it is found.
	db = tamper(t, db, `UPDATE sessions SET starts_at = '2026-12-02T09:00:00Z'`)
	rep, err = verifyRecords(t, db)
	if err != nil || len(rep.Problems) != 1 || rep.Problems[0].ID != session {
		t.Fatalf("edit after the baseline: %+v, %v", rep.Problems, err)
	}
}

// A record key deleted with sqlite3 is verify's error, every time: the record tables are read
// by several cursors at once, and one that stopped because another failed (context canceled)
// must not stand in for the failure itself.
func TestRecordsVerifyMissingKeyIsTheError(t *testing.T) {
	f := newRecordFixture(t)
	raw := rawOpen(t, f.db.Path())
	if _, err := raw.Exec(`DELETE FROM record_key`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	const want = "the record key is missing from the database (table record_key)"
	for range 40 {
		var v audit.Verifier
		if _, err := f.db.VerifyRecords(context.Background(), &v); err == nil || err.Error() != want {
			t.Fatalf("verify without the record key: %v, want %q", err, want)
		}
	}
}
