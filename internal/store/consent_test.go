package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// fixture is a database with a settable clock and a raw connection for
// checking what is stored.
type fixture struct {
	t     *testing.T
	db    *store.DB
	raw   *sql.DB
	clock *clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "counsel.db")
	c := newClock(fixedNow)
	db := openWith(t, path, c)
	t.Cleanup(func() { db.Close() })
	return &fixture{t: t, db: db, raw: rawOpen(t, path), clock: c}
}

// session creates a session for name starting at start.
func (f *fixture) session(name string, start time.Time, kind string) string {
	f.t.Helper()
	id, err := f.newSession(name, start, kind, false)
	if err != nil {
		f.t.Fatalf("create session: %v", err)
	}
	return id
}

func (f *fixture) newSession(name string, start time.Time, kind string, newConsent bool) (string, error) {
	id, _ := session.NewID()
	s := session.Session{ID: id, ClientName: name, ProviderID: "prov-" + kind, Kind: kind, Place: "Videoberatung",
		JoinURL: "https://jitsi.example.org/r" + strings.ReplaceAll(id, "-", ""), Start: start,
		Timezone: "Europe/Berlin", Duration: 50 * time.Minute}
	if kind == "blizz" {
		// Each person their own meeting (one room, one client).
		m := fmt.Sprintf("m%08d", crc32.ChecksumIEEE([]byte(session.NameKey(name)))%100_000_000)
		s.MeetingID, s.JoinURL = m, "https://go.blizz.com/join/"+m
	}
	_, err := f.db.CreateSession(context.Background(), store.NewSession{Session: s, Notice: notice(0),
		RecordedBy: "Counsellor X", ProofKey: testKey, NewConsent: newConsent})
	return id, err
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.raw.QueryRow(q, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *fixture) auditCount(action string) int {
	return f.count("SELECT count(*) FROM audit_events WHERE action = ?", action)
}

// snapshot is a cheap fingerprint of every table, to prove "nothing changed".
func (f *fixture) snapshot() string {
	f.t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT group_concat(id || COALESCE(name, '-') || COALESCE(erased_at, '-'), ',') FROM (SELECT * FROM people ORDER BY id)",
		"SELECT group_concat(id || status, ',') FROM (SELECT * FROM sessions ORDER BY id)",
		"SELECT group_concat(id || COALESCE(session_id, '-'), ',') FROM (SELECT * FROM consent_events ORDER BY id)",
		"SELECT group_concat(id, ',') FROM (SELECT * FROM withdrawals ORDER BY id)",
		"SELECT count(*) || max(seq) FROM audit_events",
	} {
		var s sql.NullString
		if err := f.raw.QueryRow(q).Scan(&s); err != nil {
			f.t.Fatal(err)
		}
		b.WriteString(s.String + "\n")
	}
	return b.String()
}

func (f *fixture) revoke(ref string) (store.Revoked, error) {
	ctx := context.Background()
	sub, err := f.db.FindSubject(ctx, store.SubjectQuery{Ref: ref, AllowSession: true, ProofKey: testKey})
	if err != nil {
		return store.Revoked{}, err
	}
	return f.db.RevokeConsent(ctx, store.Revocation{PersonID: sub.Person.ID, ProofKey: testKey,
		RetentionYears: 3, Location: mustLoc(f.t, "Europe/Berlin")})
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestConfirmConsent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.session("Client-A", fixedNow.Add(48*time.Hour), "jitsi")

	t.Run("OK", func(t *testing.T) {
		at := fixedNow.Add(-time.Hour)
		e, err := f.db.ConfirmConsent(ctx, store.Confirmation{Name: " Client-A ", Method: "verbal", At: at, RecordedBy: "Counsellor X"})
		if err != nil {
			t.Fatal(err)
		}
		if e.Event != consent.Given || e.CollectionMethod != consent.MethodVerbal || !e.Timestamp.Equal(at) {
			t.Errorf("event %+v", e)
		}
		if e.NoticeHash != "" {
			t.Errorf("consent given before the notice was sent refers to notice %q", e.NoticeHash)
		}
		sub, err := f.db.FindSubject(ctx, store.SubjectQuery{Ref: "Client-A"})
		if err != nil {
			t.Fatal(err)
		}
		if len(sub.Events) != 2 || sub.Events[0].Event != consent.Given || sub.Events[1].Event != consent.NoticeSent {
			t.Errorf("history %+v, want given then notice_sent (by time)", sub.Events)
		}
		if got := f.auditCount(audit.ActionConsentGiven); got != 1 {
			t.Errorf("%d consent.given audit events, want 1", got)
		}
	})
	t.Run("RefersToTheLastNotice", func(t *testing.T) {
		e, err := f.db.ConfirmConsent(ctx, store.Confirmation{Name: "Client-A", Method: "email", RecordedBy: "Counsellor X"})
		if err != nil {
			t.Fatal(err)
		}
		if e.NoticeHash != notice(0).Hash || !e.Timestamp.Equal(fixedNow) {
			t.Errorf("event %+v, want the notice hash and now", e)
		}
	})
	for _, tc := range []struct {
		name    string
		c       store.Confirmation
		wantErr error
	}{
		{"UnknownPerson", store.Confirmation{Name: "Client-Z", Method: "email"}, store.ErrNoPerson},
		{"UnknownMethod", store.Confirmation{Name: "Client-A", Method: "telepathy"}, nil},
		{"InTheFuture", store.Confirmation{Name: "Client-A", Method: "form", At: fixedNow.Add(time.Minute)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.snapshot()
			_, err := f.db.ConfirmConsent(ctx, tc.c)
			if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), tc.c.Name) {
				t.Errorf("error %q repeats the name", err)
			}
			if f.snapshot() != before {
				t.Error("a refused confirmation changed the database")
			}
		})
	}
}

func TestRevokeConsent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	past := f.session("Client-A", fixedNow.Add(-72*time.Hour), "jitsi")
	future1 := f.session("Client-A", fixedNow.Add(24*time.Hour), "blizz")
	future2 := f.session("Client-A", fixedNow.Add(96*time.Hour), "jitsi")
	other := f.session("Client-B", fixedNow.Add(24*time.Hour), "jitsi")
	if _, err := f.db.ConfirmConsent(ctx, store.Confirmation{Name: "Client-A", Method: "email", RecordedBy: "Counsellor X"}); err != nil {
		t.Fatal(err)
	}
	f.clock.add(time.Hour)
	auditBefore := f.count("SELECT count(*) FROM audit_events")

	r, err := f.revoke(session.ShortID(future1))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Checkpointed {
		t.Error("checkpoint did not complete")
	}
	if len(r.Plan.Delete) != 2 || r.Plan.Delete[0].ID != future1 || r.Plan.Delete[1].ID != future2 ||
		len(r.Plan.Keep) != 1 || r.Plan.Keep[0].ID != past || r.PersonDeleted {
		t.Errorf("plan %+v, person deleted %v", r.Plan, r.PersonDeleted)
	}
	if r.EventsDeleted != 4 { // three notices and one given
		t.Errorf("%d consent events deleted, want 4", r.EventsDeleted)
	}
	// The proof hashes the comparison key, so every spelling finds it.
	wantMAC, _ := consent.SubjectHMAC(testKey, "client-a")
	w := r.Withdrawal
	if w.SubjectHMAC != wantMAC || !w.WithdrawnAt.Equal(f.clock.now()) ||
		!w.RetainUntil.Equal(time.Date(2029, 12, 31, 23, 0, 0, 0, time.UTC)) || len(w.NoticeHashes) != 1 {
		t.Errorf("withdrawal %+v", w)
	}

	checks := []struct {
		what string
		q    string
		want int
	}{
		{"named people", "SELECT count(*) FROM people WHERE name IS NOT NULL", 1},
		{"erased people", "SELECT count(*) FROM people WHERE name IS NULL AND erased_at IS NOT NULL", 1},
		// the sessions that had not started are gone, with their links and meeting IDs
		{"sessions", "SELECT count(*) FROM sessions", 2}, // the past one and Client-B's
		{"deleted sessions", "SELECT count(*) FROM sessions WHERE id IN ('" + future1 + "', '" + future2 + "')", 0},
		{"anonymised session", "SELECT count(*) FROM session_participants x JOIN people p ON p.id = x.person_id WHERE x.session_id = '" + past + "' AND p.name IS NULL", 1},
		{"deleted-session audit events", "SELECT count(*) FROM audit_events WHERE action = 'session.deleted' AND object IN ('" + future1 + "', '" + future2 + "')", 2},
		{"consent events", "SELECT count(*) FROM consent_events", 1}, // Client-B's notice
		{"withdrawals", "SELECT count(*) FROM withdrawals WHERE subject_hmac = '" + wantMAC + "'", 1},
		// 2 deleted sessions with their records and their participant links'
		// records, 1 withdrawn, the 4 deleted consent events, the proof, the
		// erased person, and the 2 rooms retired (the Blizz session's meeting
		// ID, the Jitsi session's URL).
		{"audit events", "SELECT count(*) FROM audit_events", auditBefore + 15},
		{"retired rooms", "SELECT count(*) FROM retired_rooms", 2},
		{"participant links of deleted sessions", "SELECT count(*) FROM session_participants WHERE session_id IN ('" + future1 + "', '" + future2 + "')", 0},
		{"withdrawn audit events", "SELECT count(*) FROM audit_events WHERE action = 'consent.withdrawn'", 1},
	}
	for _, c := range checks {
		if got := f.count(c.q); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	// The trail holds IDs only, and never the proof's ID (it must not lead
	// from the keyed hash back to the person's sessions).
	var details string
	f.raw.QueryRow("SELECT object || details FROM audit_events WHERE action = 'consent.withdrawn'").Scan(&details)
	if strings.Contains(details, w.ID) || strings.Contains(details, "Client-A") || strings.Contains(details, wantMAC) {
		t.Errorf("withdrawal audit event %s links the proof or names the person", details)
	}
	if _, err := f.db.FindSession(ctx, other); err != nil {
		t.Errorf("the other person's session: %v", err)
	}
	if rep, err := verifyRecords(t, f.db); err != nil || len(rep.Problems) != 0 {
		t.Errorf("audit verify after the revoke: %+v, %v", rep.Problems, err)
	}

	t.Run("Twice", func(t *testing.T) {
		before := f.snapshot()
		for _, ref := range []string{"Client-A", past} {
			sub, err := f.db.FindSubject(ctx, store.SubjectQuery{Ref: ref, AllowSession: true, ProofKey: testKey})
			if ref == "Client-A" {
				// By name only the proof matches.
				if err != nil || sub.Person.ID != "" || len(sub.Withdrawals) != 1 {
					t.Fatalf("find by name after withdrawal: %+v, %v", sub, err)
				}
				continue
			}
			if err != nil || !sub.Person.Erased() {
				t.Fatalf("find by session after withdrawal: %+v, %v", sub, err)
			}
			_, err = f.db.RevokeConsent(ctx, store.Revocation{PersonID: sub.Person.ID, ProofKey: testKey, RetentionYears: 3, Location: time.UTC})
			var we *store.WithdrawnError
			if !errors.As(err, &we) || !errors.Is(err, store.ErrWithdrawn) || !we.At.Equal(w.WithdrawnAt) {
				t.Fatalf("second revoke: %v", err)
			}
		}
		if f.snapshot() != before {
			t.Error("revoking twice changed the database")
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		before := f.snapshot()
		for _, ref := range []string{"Client-Z", "ffffffff", "x"} {
			_, err := f.revoke(ref)
			if !errors.Is(err, store.ErrNoPerson) {
				t.Errorf("%s: err = %v, want ErrNoPerson", ref, err)
			}
		}
		_, err := f.db.RevokeConsent(ctx, store.Revocation{PersonID: "no-such-id", ProofKey: testKey, RetentionYears: 3})
		if !errors.Is(err, store.ErrNoPerson) {
			t.Errorf("unknown person ID: err = %v", err)
		}
		if f.snapshot() != before {
			t.Error("an unknown person changed the database")
		}
	})
	t.Run("WithoutTheKeyTheProofCannotBeFound", func(t *testing.T) {
		other := make([]byte, consent.KeySize)
		for _, key := range [][]byte{nil, other} {
			if _, err := f.db.FindSubject(ctx, store.SubjectQuery{Ref: "Client-A", ProofKey: key}); !errors.Is(err, store.ErrNoPerson) {
				t.Errorf("key %x: err = %v, want ErrNoPerson", key, err)
			}
		}
	})
}

func TestSessionForWithdrawnPerson(t *testing.T) {
	f := newFixture(t)
	f.session("Client-A", fixedNow.Add(24*time.Hour), "jitsi")
	if _, err := f.revoke("Client-A"); err != nil {
		t.Fatal(err)
	}
	before := f.snapshot()
	_, err := f.newSession("Client-A", fixedNow.Add(48*time.Hour), "jitsi", false)
	if !errors.Is(err, store.ErrWithdrawn) || strings.Contains(err.Error(), "Client-A") {
		t.Fatalf("err = %v, want ErrWithdrawn without the name", err)
	}
	if f.snapshot() != before {
		t.Fatal("a refused session changed the database")
	}
	// Fresh consent starts a new record; after it the person is no longer refused.
	if _, err := f.newSession("Client-A", fixedNow.Add(48*time.Hour), "jitsi", true); err != nil {
		t.Fatalf("with new consent: %v", err)
	}
	if _, err := f.newSession("Client-A", fixedNow.Add(72*time.Hour), "jitsi", false); err != nil {
		t.Fatalf("after new consent: %v", err)
	}
	sub, err := f.db.FindSubject(context.Background(), store.SubjectQuery{Ref: "Client-A", ProofKey: testKey})
	if err != nil || sub.Person.Erased() || len(sub.Sessions) != 2 || len(sub.Withdrawals) != 1 {
		t.Fatalf("subject after fresh consent: %+v, %v", sub, err)
	}
	// Without a key a withdrawal could not be seen: the session is refused
	// rather than the check skipped.
	f2 := newFixture(t)
	f2.session("Client-B", fixedNow.Add(24*time.Hour), "jitsi")
	if _, err := f2.revoke("Client-B"); err != nil {
		t.Fatal(err)
	}
	before = f2.snapshot()
	id, _ := session.NewID()
	_, err = f2.db.CreateSession(context.Background(), store.NewSession{Session: session.Session{ID: id, ClientName: "Client-B",
		ProviderID: "p", Kind: "jitsi", JoinURL: "https://x.example/r", Place: "p", Start: fixedNow.Add(time.Hour),
		Timezone: "UTC", Duration: time.Hour}, Notice: notice(0)})
	if !errors.Is(err, consent.ErrKeySize) {
		t.Errorf("without a proof key: err = %v, want a refusal", err)
	}
	if f2.snapshot() != before {
		t.Error("a session without a proof key changed the database")
	}
}

// TestConfirmAfterWithdrawal: a person whose name was erased keeps a row while
// a session that had started stays, and that row can still be named by its ID.
// A consent given later must not be appended to the erased record: like a new
// session, it needs a fresh record (session new --new-consent).
func TestConfirmAfterWithdrawal(t *testing.T) {
	f := newFixture(t)
	f.session("Client-A", fixedNow.Add(-2*time.Hour), "jitsi")
	f.session("Client-A", fixedNow.Add(24*time.Hour), "jitsi")
	r, err := f.revoke("Client-A")
	if err != nil {
		t.Fatal(err)
	}
	if r.PersonDeleted {
		t.Fatal("the person's row went, want it kept for the session that had started")
	}
	var personID string
	if err := f.raw.QueryRow("SELECT id FROM people WHERE erased_at IS NOT NULL").Scan(&personID); err != nil {
		t.Fatal(err)
	}
	before := f.snapshot()
	for _, ref := range []string{personID, session.ShortID(personID)} {
		_, err := f.db.ConfirmConsent(context.Background(), store.Confirmation{Name: ref, Method: "email", RecordedBy: "Counsellor X", ProofKey: testKey})
		if !errors.Is(err, store.ErrWithdrawn) {
			t.Errorf("confirm by person ID %s after the withdrawal: err = %v, want ErrWithdrawn", ref, err)
		}
	}
	if f.snapshot() != before {
		t.Error("a consent for an erased person changed the database")
	}
}

func TestFindSubjectAmbiguous(t *testing.T) {
	f := newFixture(t)
	id := f.session("Client-A", fixedNow.Add(24*time.Hour), "jitsi")
	short := session.ShortID(id)
	// Someone whose pseudonym happens to be another person's session ID.
	f.session(short, fixedNow.Add(24*time.Hour), "jitsi")
	_, err := f.db.FindSubject(context.Background(), store.SubjectQuery{Ref: short, AllowSession: true})
	if !errors.Is(err, store.ErrAmbiguousPerson) || strings.Contains(err.Error(), short) {
		t.Fatalf("err = %v, want ErrAmbiguousPerson without the argument", err)
	}
	sub, err := f.db.FindSubject(context.Background(), store.SubjectQuery{Ref: short})
	if err != nil || sub.Person.Name != short {
		t.Fatalf("by name only: %+v, %v", sub, err)
	}
}

// TestRevokeWithoutPastSession: when no session of the person has started,
// nothing of theirs has a reason to stay: the sessions and the person's row go,
// only the proof remains, and the trail still verifies.
func TestRevokeWithoutPastSession(t *testing.T) {
	f := newFixture(t)
	a := f.session("Client-A", fixedNow.Add(24*time.Hour), "blizz")
	f.session("Client-A", fixedNow.Add(48*time.Hour), "jitsi")
	cancelled := f.session("Client-A", fixedNow.Add(72*time.Hour), "jitsi")
	if _, err := f.db.CancelSession(context.Background(), cancelled); err != nil {
		t.Fatal(err)
	}
	f.session("Client-B", fixedNow.Add(24*time.Hour), "jitsi")
	r, err := f.revoke(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Plan.Delete) != 3 || len(r.Plan.Keep) != 0 || !r.PersonDeleted {
		t.Fatalf("plan %+v, person deleted %v", r.Plan, r.PersonDeleted)
	}
	for q, want := range map[string]int{
		"SELECT count(*) FROM people":                          1, // Client-B
		"SELECT count(*) FROM sessions":                        1,
		"SELECT count(*) FROM consent_events":                  1,
		"SELECT count(*) FROM withdrawals":                     1,
		"SELECT count(*) FROM sessions WHERE meeting_id <> ''": 0,
	} {
		if got := f.count(q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
	if rep, err := verifyRecords(t, f.db); err != nil || len(rep.Problems) != 0 {
		t.Errorf("audit verify after the revoke: %+v, %v", rep.Problems, err)
	}
	// The proof still answers by name, and a new session is refused.
	sub, err := f.db.FindSubject(context.Background(), store.SubjectQuery{Ref: "CLIENT-A", ProofKey: testKey})
	if err != nil || sub.Person.ID != "" || len(sub.Withdrawals) != 1 {
		t.Fatalf("find by name: %+v, %v", sub, err)
	}
	if _, err := f.newSession("client-a", fixedNow.Add(96*time.Hour), "jitsi", false); !errors.Is(err, store.ErrWithdrawn) {
		t.Fatalf("new session after the revoke: %v", err)
	}
}

// CreateSessionFor says whether the client's consent was pending before the new session: a
// new client is not, a client with an unanswered invitation is, and one who agreed is not.
func TestCreateSessionSaysConsentPending(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	create := func(name string, day int) store.Created {
		t.Helper()
		id, _ := session.NewID()
		s := session.Session{ID: id, ClientName: name, ProviderID: "prov-jitsi", Kind: "jitsi", Place: "Videoberatung",
			JoinURL: "https://jitsi.example.org/r" + strings.ReplaceAll(id, "-", ""), Start: fixedNow.AddDate(0, 0, day),
			Timezone: "Europe/Berlin", Duration: 50 * time.Minute}
		c, err := f.db.CreateSessionFor(ctx, store.NewSession{Session: s, Notice: notice(0), RecordedBy: "Counsellor X", ProofKey: testKey})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := create("Client-A", 1); c.ConsentPending || c.People[0].ConsentPending {
		t.Error("a new client is pending")
	}
	if c := create("client-a", 2); !c.ConsentPending || !c.People[0].ConsentPending {
		t.Error("a client with an unanswered invitation is not pending")
	}
	if _, err := f.db.ConfirmConsent(ctx, store.Confirmation{Name: "Client-A", Method: "email", RecordedBy: "Counsellor X"}); err != nil {
		t.Fatal(err)
	}
	if c := create("Client-A", 3); c.ConsentPending {
		t.Error("a client who agreed is pending")
	}
}
