package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// TestOneRoomOneClient: a Jitsi room (compared without case and #fragment)
// or a Blizz meeting ID stored for one person is refused for another, also
// when that session was cancelled, naming the session by ID only; the same
// person, in any spelling, may use it again; nothing is stored on refusal.
func TestOneRoomOneClient(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	room := func(name, url, meeting string, start time.Duration) (string, error) {
		ns := newSession(t, name, fixedNow.Add(start), "jitsi")
		ns.Session.JoinURL = url
		if meeting != "" {
			ns.Session.Kind, ns.Session.ProviderID, ns.Session.MeetingID = "blizz", "blizz", meeting
		}
		ns.ProofKey = testKey
		s, err := f.db.CreateSession(ctx, ns)
		return s.ID, err
	}
	jitsi, err := room("Client-A", "https://meet.example/k3x9q2mzt7wb4n8p1vhd#config.prejoinConfig.enabled=true", "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	blizz, err := room("Client-A", "https://go.blizz.com/join/m12345678", "m12345678", 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CancelSession(ctx, blizz); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ what, url, meeting, owner string }{
		{"same link", "https://meet.example/k3x9q2mzt7wb4n8p1vhd#config.prejoinConfig.enabled=true", "", jitsi},
		{"upper case, no fragment", "https://MEET.EXAMPLE/K3X9Q2MZT7WB4N8P1VHD", "", jitsi},
		{"another fragment", "https://meet.example/k3x9q2mzt7wb4n8p1vhd#config.startWithVideoMuted=true", "", jitsi},
		{"cancelled Blizz meeting", "https://go.blizz.com/join/m12345678", "m12345678", blizz},
		{"same Blizz ID, other join link", "https://other.example/j/m12345678", "m12345678", blizz},
	} {
		before := f.snapshot()
		_, err := room("Client-B", tc.url, tc.meeting, 3*time.Hour)
		var rt *store.RoomTakenError
		if !errors.As(err, &rt) || !errors.Is(err, store.ErrRoomTaken) || rt.SessionID != tc.owner {
			t.Errorf("%s: err = %v, want the room of session %s", tc.what, err, tc.owner)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "k3x9") || strings.Contains(msg, "12345678") || strings.Contains(msg, "Client") {
			t.Errorf("%s: the error %q repeats the link, meeting ID or name", tc.what, msg)
		}
		if f.snapshot() != before {
			t.Errorf("%s: a refused session changed the database", tc.what)
		}
	}
	// The same person in another spelling, and another room for the other client.
	if _, err := room("CLIENT-a", "https://meet.example/K3X9Q2MZT7WB4N8P1VHD", "", 4*time.Hour); err != nil {
		t.Errorf("the room's own client: %v", err)
	}
	if _, err := room("Client-B", "https://meet.example/k3x9q2mzt7wb4n8p1vhdx", "", 5*time.Hour); err != nil {
		t.Errorf("another room: %v", err)
	}
}

// A room a withdrawing participant left stays refused without the indexes that find the
// removals and room changes fast (migrations 0006, 0008): dropped with the sqlite3 shell, the check reads the trail
// instead and answers the same. Deleting the removal event frees the room, and audit verify
// finds the deletion: the index holds nothing the trail does not prove.
func TestLeftRoomRefusedWithoutItsIndex(t *testing.T) {
	db := mustOpen(t)
	path := db.Path()
	ctx := context.Background()
	c, err := db.CreateSessionFor(ctx, groupSeries(t, "blizz", fixedNow.Add(24*time.Hour), 2, "Client-A", "Client-B", "Client-C"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RevokeConsent(ctx, store.Revocation{PersonID: c.People[1].ID, ProofKey: testKey, RetentionYears: 3, Location: time.UTC,
		NewJoinURL: func(session.Session) (string, error) { return "", errors.New("Blizz rooms are not made by counsel") }}); err != nil {
		t.Fatal(err)
	}
	again := func(db *store.DB) error {
		_, err := db.CreateSession(ctx, groupSeries(t, "blizz", fixedNow.AddDate(0, 1, 0), 1, "Client-A", "Client-C"))
		return err
	}
	if err := again(db); !errors.Is(err, store.ErrRoomTaken) {
		t.Fatalf("the left room for the remaining two: err = %v", err)
	}
	db.Close()
	raw := rawOpen(t, path)
	var removals int
	if err := raw.QueryRow("SELECT count(*) FROM audit_events WHERE action = 'session.participant_removed'").Scan(&removals); err != nil || removals != 2 {
		t.Fatalf("%d removal events, %v; want one per date", removals, err)
	}
	for _, q := range []string{"DROP INDEX audit_events_participant_removed", "DROP INDEX audit_events_room_changed"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db, err = store.Open(ctx, path, func() time.Time { return fixedNow })
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := again(db); !errors.Is(err, store.ErrRoomTaken) {
		t.Fatalf("without the index: err = %v", err)
	}
	if _, err := verifyDB(db); err != nil {
		t.Fatalf("a dropped index is no change to the trail: %v", err)
	}
	if _, err := raw.Exec("DELETE FROM audit_events WHERE action = 'session.participant_removed'"); err != nil {
		t.Fatal(err)
	}
	if err := again(db); err != nil {
		t.Fatalf("with the removals deleted the room is free (the tampering this test makes): %v", err)
	}
	if _, err := verifyDB(db); err == nil {
		t.Fatal("audit verify passes a trail whose removal events were deleted")
	}
}

// The limit docs/audit-chain.md states: verify reads rows, not indexes. An index forged behind
// SQLite's back (its definition rewritten in sqlite_master over an empty b-tree) changes no
// row and no event, so the trail verifies, yet the room check that looks through it misses
// the room a participant left; SQLite's integrity_check names the index.
func TestForgedRemovalIndexFoundByIntegrityCheck(t *testing.T) {
	db := mustOpen(t)
	path := db.Path()
	ctx := context.Background()
	c, err := db.CreateSessionFor(ctx, groupSeries(t, "blizz", fixedNow.Add(24*time.Hour), 1, "Client-A", "Client-B", "Client-C"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RevokeConsent(ctx, store.Revocation{PersonID: c.People[1].ID, ProofKey: testKey, RetentionYears: 3, Location: time.UTC}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	forge := rawOpen(t, path)
	forge.SetMaxOpenConns(1)
	for _, q := range []string{
		"DROP INDEX audit_events_participant_removed",
		"CREATE INDEX audit_events_participant_removed ON audit_events (object) WHERE action = 'none'",
		"PRAGMA writable_schema = ON",
		`UPDATE sqlite_master SET sql = 'CREATE INDEX audit_events_participant_removed ON audit_events (object)
    WHERE action = ''session.participant_removed''' WHERE name = 'audit_events_participant_removed'`,
		"PRAGMA writable_schema = OFF",
	} {
		if _, err := forge.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	forge.Close()
	db, err = store.Open(ctx, path, func() time.Time { return fixedNow })
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := verifyDB(db); err != nil {
		t.Fatalf("the trail itself is untouched: %v", err)
	}
	if _, err := db.CreateSession(ctx, groupSeries(t, "blizz", fixedNow.AddDate(0, 1, 0), 1, "Client-A", "Client-C")); err != nil {
		t.Fatalf("the forged index did not mislead the room check (this test no longer shows the limit): %v", err)
	}
	var res string
	if err := rawOpen(t, path).QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || !strings.Contains(res, "audit_events_participant_removed") {
		t.Fatalf("integrity_check = %q, %v; want it to name the forged index", res, err)
	}
}
