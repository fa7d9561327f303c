package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// A room given by hand, as the counsellor would type it again. The Jitsi room is written
// in lower case (Jitsi lower-cases room names), the Blizz meeting ID in its stored form.
const (
	oldJitsiURL  = "https://meet.example/qxoldroom4711secret"
	oldMeetingID = "m24681357"
	oldBlizzURL  = "https://go.blizz.com/join/" + oldMeetingID
)

// roomSession is a session of clients in the room joinURL (and Blizz meeting meetingID).
func roomSession(t *testing.T, start time.Time, joinURL, meetingID string, clients ...string) store.NewSession {
	t.Helper()
	kind := "jitsi"
	if meetingID != "" {
		kind = "blizz"
	}
	ns := newSession(t, clients[0], start, "prov-"+kind)
	ns.Session.Kind, ns.Session.JoinURL, ns.Session.MeetingID = kind, joinURL, meetingID
	if len(clients) > 1 {
		ns.Clients = clients
	}
	return ns
}

// refusedRetired asserts that a session of clients in the room is refused as retired, that
// nothing is stored, and that the message names neither the link nor the meeting ID.
func refusedRetired(t *testing.T, f *fixture, joinURL, meetingID string, clients ...string) {
	t.Helper()
	refusedAs(t, f, store.ErrRoomRetired, roomSession(t, fixedNow.AddDate(0, 2, 0), joinURL, meetingID, clients...))
}

// refusedAs asserts that ns is refused with want (by CreateSession and the dry run's check),
// that nothing is stored, and that the message names neither the link nor the meeting ID.
func refusedAs(t *testing.T, f *fixture, want error, ns store.NewSession) {
	t.Helper()
	clients := ns.Clients
	before := f.snapshot()
	_, err := f.db.CreateSession(context.Background(), ns)
	if !errors.Is(err, want) {
		t.Fatalf("%v in the room of a forgotten session: err = %v, want %v", clients, err, want)
	}
	if _, err := f.db.CheckNewSession(context.Background(), ns); !errors.Is(err, want) {
		t.Errorf("%v: the dry run's check says %v, want %v", clients, err, want)
	}
	msg := strings.ToLower(err.Error())
	for _, leak := range []string{"meet.example", "blizz.com", "qxoldroom", "24681357", "246-81-357", "client-", "client zeta"} {
		if strings.Contains(msg, leak) {
			t.Errorf("the refusal %q repeats %q", err, leak)
		}
	}
	if f.snapshot() != before {
		t.Error("a refused session changed the database")
	}
}

// noTrace asserts that the database file and its log hold none of needles' bytes.
func noTrace(t *testing.T, f *fixture, needles ...string) {
	t.Helper()
	for _, n := range needles {
		for _, v := range []string{n, strings.ToLower(n)} {
			if hits := scanFiles(t, f.db.Path(), v); len(hits) > 0 {
				t.Errorf("%q is still on disk: %v", v, hits)
			}
		}
	}
}

// digestsOf are the digests a session's room is remembered under: a Blizz session's by its
// meeting ID, a Jitsi session's by its room key.
func digestsOf(t *testing.T, joinURL, meetingID string) []string {
	t.Helper()
	kind, room := consent.RoomURL, strings.ToLower(strings.SplitN(joinURL, "#", 2)[0])
	if meetingID != "" {
		kind, room = consent.RoomMeetingID, meetingID
	}
	d, err := consent.RoomDigest(testKey, kind, room)
	if err != nil {
		t.Fatal(err)
	}
	return []string{d}
}

func (f *fixture) remembered(t *testing.T, joinURL, meetingID string) bool {
	t.Helper()
	for _, d := range digestsOf(t, joinURL, meetingID) {
		if f.count("SELECT count(*) FROM retired_rooms WHERE digest = ?", d) != 1 {
			return false
		}
	}
	return true
}

func (f *fixture) verifies(t *testing.T) {
	t.Helper()
	if _, err := verifyDB(f.db); err != nil {
		t.Fatal(err)
	}
	if rep, err := verifyRecords(t, f.db); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("records: %+v, %v", rep.Problems, err)
	}
}

// (a) A withdrawal erases the client's sessions still to come, and with them the rooms; the
// client still has the link or the meeting ID, so no later session may get them: not another
// client's, and not the same spelling again (which starts a new record).
func TestRoomOfErasedSessionIsRefused(t *testing.T) {
	for _, tc := range []struct{ name, url, meeting string }{
		{"Blizz", oldBlizzURL, oldMeetingID},
		{"Jitsi", oldJitsiURL, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			if _, err := f.db.CreateSession(ctx, roomSession(t, fixedNow.Add(48*time.Hour), tc.url, tc.meeting, "Client-A")); err != nil {
				t.Fatal(err)
			}
			r, err := f.revoke("Client-A")
			if err != nil {
				t.Fatal(err)
			}
			if r.RoomsRetired != 1 || !f.remembered(t, tc.url, tc.meeting) {
				t.Fatalf("%d rooms retired, want 1 remembered by its digest", r.RoomsRetired)
			}
			noTrace(t, f, tc.url, strings.TrimPrefix(tc.url, "https://"), "qxoldroom4711secret", "24681357")
			refusedRetired(t, f, tc.url, tc.meeting, "Client Zeta")
			// Typed differently: the room is what Jitsi and Blizz tell apart.
			refusedRetired(t, f, strings.ToUpper(tc.url)+"#config.startWithAudioMuted=true", tc.meeting, "Client Zeta")
			if tc.meeting != "" {
				refusedRetired(t, f, "https://go.blizz.com/join/other", tc.meeting, "Client Zeta")
			}
			refusedRetired(t, f, tc.url, tc.meeting, "Client Zeta", "Client-B")
			// Client-A is refused as withdrawn; with new consent, for the room.
			refusedAs(t, f, store.ErrWithdrawn, roomSession(t, fixedNow.AddDate(0, 2, 0), tc.url, tc.meeting, "Client-A"))
			again := roomSession(t, fixedNow.AddDate(0, 2, 0), tc.url, tc.meeting, "Client-A")
			again.NewConsent = true
			refusedAs(t, f, store.ErrRoomRetired, again)
			noTrace(t, f, "qxoldroom4711secret", "24681357")
			// A fresh room is not refused.
			if _, err := f.db.CreateSession(ctx, newSession(t, "Client Zeta", fixedNow.Add(48*time.Hour), "jitsi")); err != nil {
				t.Fatalf("a fresh room: %v", err)
			}
			f.verifies(t)
		})
	}
}

// (b) A Jitsi group session the withdrawing person leaves gets a new room; the old one,
// which that person still has, is then no longer stored: it is refused to everyone, the
// remaining group included.
func TestReplacedGroupRoomIsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ns := roomSession(t, fixedNow.Add(48*time.Hour), oldJitsiURL, "", "Client-A", "Client-B", "Client-C")
	id, _ := session.NewID()
	ns.Later = []session.Session{{ID: id, Start: fixedNow.Add(9 * 24 * time.Hour)}}
	ns.SeriesID, _ = session.NewID()
	c, err := f.db.CreateSessionFor(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	const newURL = "https://meet.example/qxnewroom0815secret"
	r, err := f.db.RevokeConsent(ctx, store.Revocation{PersonID: c.People[1].ID, ProofKey: testKey, RetentionYears: 3,
		Location: time.UTC, NewJoinURL: func(session.Session) (string, error) { return newURL, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Groups) != 2 || !r.Groups[0].RoomChanged() || r.RoomsRetired != 1 || !f.remembered(t, oldJitsiURL, "") {
		t.Fatalf("groups %+v, %d rooms retired", r.Groups, r.RoomsRetired)
	}
	noTrace(t, f, "qxoldroom4711secret")
	refusedRetired(t, f, oldJitsiURL, "", "Client Zeta")
	refusedRetired(t, f, oldJitsiURL, "", "Client-A", "Client-C")
	f.verifies(t)
}

// (c) Purge deletes sessions past retention; their clients keep the links. A room no
// session holds any more is remembered and refused to everyone; a room still stored for a
// later session stays its client's (the room rule of that session protects it).
func TestPurgedRoomIsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := fixedNow.Add(-time.Hour)
	if _, err := f.db.CreateSession(ctx, roomSession(t, start, oldBlizzURL, oldMeetingID, "Client-A")); err != nil {
		t.Fatal(err)
	}
	// Client-B uses their Blizz meeting every week: the old date goes, the room stays theirs.
	const bURL, bID = "https://go.blizz.com/join/m13572468", "m13572468"
	if _, err := f.db.CreateSession(ctx, roomSession(t, start, bURL, bID, "Client-B")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CreateSession(ctx, roomSession(t, start.AddDate(0, 0, 60), bURL, bID, "Client-B")); err != nil {
		t.Fatal(err)
	}
	f.clock.t = start.AddDate(0, 0, 92)
	ret := store.Retention{SessionDays: 90, ProofKey: testKey, ConsentYears: 3, Location: time.UTC}
	p, err := f.db.Purge(ctx, ret, true, "command")
	if err != nil || p.Sessions != 2 || p.RoomsRetired != 1 || f.count("SELECT count(*) FROM retired_rooms") != 0 {
		t.Fatalf("dry run %+v, %v", p, err)
	}
	if p, err = f.db.Purge(ctx, ret, false, "command"); err != nil || p.Sessions != 2 || p.RoomsRetired != 1 {
		t.Fatalf("purge %+v, %v", p, err)
	}
	if !f.remembered(t, oldBlizzURL, oldMeetingID) || f.remembered(t, bURL, bID) {
		t.Fatal("the purged room is not remembered, or the room still in use is")
	}
	var details string
	if err := f.raw.QueryRow("SELECT details FROM audit_events WHERE action = ?", audit.ActionPurge).Scan(&details); err != nil ||
		!strings.Contains(details, `"rooms_retired":"1"`) || !strings.Contains(details, `"rooms_unremembered":"0"`) {
		t.Errorf("purge event %s, %v", details, err)
	}
	noTrace(t, f, oldMeetingID[1:])
	refusedRetired(t, f, oldBlizzURL, oldMeetingID, "Client Zeta")
	refusedRetired(t, f, oldBlizzURL, oldMeetingID, "Client-A") // no link to any person is kept
	if _, err := f.db.CreateSession(ctx, roomSession(t, fixedNow.AddDate(0, 4, 0), bURL, bID, "Client-B")); err != nil {
		t.Errorf("Client-B's own meeting, still stored: %v", err)
	}
	if _, err := f.db.CreateSession(ctx, roomSession(t, fixedNow.AddDate(0, 4, 0), bURL, bID, "Client Zeta")); !errors.Is(err, store.ErrRoomTaken) {
		t.Errorf("Client-B's meeting for another client: %v", err)
	}
	f.verifies(t)

	// The digests are kept as long as a withdrawal proof: to the end of the year plus
	// retention_consent_years, then purged with their record event.
	f.clock.t = time.Date(f.clock.t.Year()+4, 1, 1, 0, 0, 0, 0, time.UTC)
	ret.SessionDays = 100_000 // only the digests are due
	if p, err = f.db.Purge(ctx, ret, false, "command"); err != nil || p.RetiredRooms != 1 || p.Sessions != 0 {
		t.Fatalf("purge of the digests %+v, %v", p, err)
	}
	if n := f.count("SELECT count(*) FROM retired_rooms"); n != 0 {
		t.Errorf("%d digests past retention kept", n)
	}
	f.verifies(t)
}

// A purge that cannot read the proof key still purges (storage limitation comes first): it
// counts the rooms it could not remember, says so in its audit event, and those rooms are
// then no longer refused, which the caller must warn of.
func TestPurgeWithoutKeyCountsRooms(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := fixedNow.Add(-time.Hour)
	if _, err := f.db.CreateSession(ctx, roomSession(t, start, oldBlizzURL, oldMeetingID, "Client-A")); err != nil {
		t.Fatal(err)
	}
	f.clock.t = start.AddDate(0, 0, 92)
	p, err := f.db.Purge(ctx, store.Retention{SessionDays: 90}, false, "auto")
	if err != nil || p.Sessions != 1 || p.RoomsUnremembered != 1 || p.RoomsRetired != 0 {
		t.Fatalf("purge %+v, %v", p, err)
	}
	var details string
	if err := f.raw.QueryRow("SELECT details FROM audit_events WHERE action = ?", audit.ActionPurge).Scan(&details); err != nil ||
		!strings.Contains(details, `"rooms_unremembered":"1"`) {
		t.Errorf("purge event %s, %v", details, err)
	}
	if n := f.count("SELECT count(*) FROM retired_rooms"); n != 0 {
		t.Errorf("%d rooms remembered without a key", n)
	}
	f.verifies(t)
}

// (d) A room a withdrawing participant left is refused to everyone by the removal event in
// the trail. Audit retention may remove that event while the session stays (with a long
// session retention): the room is then remembered instead, so the others cannot be given
// it again, as the person who left still has the link.
func TestRoomLeftStaysRefusedAfterAuditRetention(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.db.CreateSessionFor(ctx, roomSession(t, fixedNow.Add(-48*time.Hour), oldBlizzURL, oldMeetingID, "Client-A", "Client-B"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.RevokeConsent(ctx, store.Revocation{PersonID: c.People[1].ID, ProofKey: testKey, RetentionYears: 3, Location: time.UTC}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CreateSession(ctx, roomSession(t, fixedNow.Add(48*time.Hour), oldBlizzURL, oldMeetingID, "Client-A")); !errors.Is(err, store.ErrRoomTaken) {
		t.Fatalf("the room left: %v", err)
	}
	f.clock.t = fixedNow.AddDate(5, 0, 0)
	ret := store.Retention{SessionDays: 100_000, AuditYears: 1, Location: time.UTC, ProofKey: testKey, ConsentYears: 3}
	p, err := f.db.Purge(ctx, ret, false, "command")
	if err != nil || p.AuditEvents == 0 || p.Sessions != 0 || p.RoomsRetired != 1 {
		t.Fatalf("purge %+v, %v", p, err)
	}
	if n := f.count("SELECT count(*) FROM audit_events WHERE action = ?", audit.ActionParticipantRemoved); n != 0 {
		t.Fatalf("%d removal events kept", n)
	}
	refusedRetired(t, f, oldBlizzURL, oldMeetingID, "Client-A")
	// Another client: the room is still stored for Client-A's session, which says so first.
	refusedAs(t, f, store.ErrRoomTaken, roomSession(t, fixedNow.AddDate(0, 2, 0), oldBlizzURL, oldMeetingID, "Client Zeta"))
	f.verifies(t)
}

// Fresh rooms are never refused by accident: many rooms retired, many new ones accepted.
func TestFreshRoomsAreNotRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for range 20 {
		f.session("Client-A", fixedNow.Add(48*time.Hour), "jitsi")
		f.session("Client-A", fixedNow.Add(72*time.Hour), "blizz")
	}
	if _, err := f.revoke("Client-A"); err != nil {
		t.Fatal(err)
	}
	if n := f.count("SELECT count(*) FROM retired_rooms"); n != 21 { // 20 Jitsi rooms, one Blizz meeting
		t.Fatalf("%d rooms retired, want 21", n)
	}
	for i := range 200 {
		if _, err := f.db.CreateSession(ctx, newSession(t, "Client Zeta", fixedNow.Add(time.Duration(i+1)*time.Hour), "jitsi")); err != nil {
			t.Fatalf("fresh room %d: %v", i, err)
		}
	}
}

// A database of schema 6 gains the table and nothing else: the rooms it forgot before are
// not known. Opening writes no event, the trail and records verify, and a withdrawal then
// retires rooms as in a new database.
func TestSchema6DatabaseMigrates(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	path := db.Path()
	if _, err := db.CreateSession(ctx, roomSession(t, fixedNow.Add(48*time.Hour), oldBlizzURL, oldMeetingID, "Client-A")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw := rawOpen(t, path)
	for _, q := range []string{"DROP TABLE retired_rooms", "DROP INDEX audit_events_room_changed", "DROP INDEX audit_events_record", "PRAGMA user_version = 6"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var events int
	if err := raw.QueryRow("SELECT count(*) FROM audit_events").Scan(&events); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, raw: raw, clock: newClock(fixedNow)}
	f.db = openWith(t, path, f.clock)
	t.Cleanup(func() { f.db.Close() })
	if v := userVersion(t, path); v != store.SchemaVersion() || v < 7 {
		t.Fatalf("user_version %d", v)
	}
	if n := f.count("SELECT count(*) FROM audit_events"); n != events {
		t.Errorf("the migration wrote %d events", n-events)
	}
	f.verifies(t)
	if _, err := f.revoke("Client-A"); err != nil {
		t.Fatal(err)
	}
	refusedRetired(t, f, oldBlizzURL, oldMeetingID, "Client Zeta")
	f.verifies(t)
}

// checkRoom needs the key: without it a retired room could not be recognised.
func TestRoomCheckNeedsTheKey(t *testing.T) {
	db := mustOpen(t)
	ns := newSession(t, "Client-A", fixedNow.Add(time.Hour), "jitsi")
	if _, err := db.CreateSession(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	ns = newSession(t, "Client-A", fixedNow.Add(2*time.Hour), "jitsi")
	ns.ProofKey = nil
	if _, err := db.CreateSession(context.Background(), ns); !errors.Is(err, consent.ErrKeySize) {
		t.Fatalf("a known client's session without the key: %v", err)
	}
}

// The room rule holds for the room a withdrawn participant knew, not for the session row:
// a Jitsi group that someone leaves gets a new room, which that person never had, and the
// remaining group (exactly them) may meet there again, for a next date or a next series.
// The old room stays refused to everyone; the new one to anyone else. A second withdrawal
// refuses the second room (its last leaver knew it) and frees the third. Audit retention,
// which removes the removal events, hands the old rooms to retired_rooms and leaves the
// new room the group's.
func TestNewGroupRoomServesTheRemainingGroup(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Two dates held, two to come.
	ns := roomSession(t, fixedNow.AddDate(0, 0, -10), oldJitsiURL, "", "Client-A", "Client-B", "Client-C", "Client-D")
	for i := 1; i < 4; i++ {
		id, _ := session.NewID()
		ns.Later = append(ns.Later, session.Session{ID: id, Start: ns.Session.Start.AddDate(0, 0, 7*i)})
	}
	ns.SeriesID, _ = session.NewID()
	c, err := f.db.CreateSessionFor(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	const room2, room3 = "https://meet.example/qxnewroom0815secret", "https://meet.example/qxthirdroom4242secret"
	revoke := func(personID, newURL string) {
		t.Helper()
		r, err := f.db.RevokeConsent(ctx, store.Revocation{PersonID: personID, ProofKey: testKey, RetentionYears: 3,
			Location: time.UTC, NewJoinURL: func(session.Session) (string, error) { return newURL, nil }})
		if err != nil || len(r.Groups) == 0 || !r.Groups[0].RoomChanged() || r.Groups[0].Session.JoinURL != newURL {
			t.Fatalf("revoke: %+v, %v", r.Groups, err)
		}
	}
	revoke(c.People[1].ID, room2)
	next := func(at time.Time, url string, clients ...string) store.NewSession {
		return roomSession(t, at, url, "", clients...)
	}
	// The next date, and a next series, in the new room: the remaining three, in any order.
	if _, err := f.db.CheckNewSession(ctx, next(fixedNow.AddDate(0, 1, 0), room2, "Client-A", "Client-C", "Client-D")); err != nil {
		t.Fatalf("the dry run's check refuses the new room to the remaining group: %v", err)
	}
	if _, err := f.db.CreateSession(ctx, next(fixedNow.AddDate(0, 1, 0), room2, "Client-A", "Client-C", "Client-D")); err != nil {
		t.Fatalf("the new room for the remaining group: %v", err)
	}
	series := next(fixedNow.AddDate(0, 2, 0), room2+"#config.prejoinConfig.enabled=true", "Client-D", "Client-C", "Client-A")
	id, _ := session.NewID()
	series.Later = []session.Session{{ID: id, Start: fixedNow.AddDate(0, 2, 7)}}
	series.SeriesID, _ = session.NewID()
	if _, err := f.db.CreateSessionFor(ctx, series); err != nil {
		t.Fatalf("a next series in the new room: %v", err)
	}
	// Not for anyone else: one of them alone, another client, the group with another.
	refusedAs(t, f, store.ErrRoomTaken, next(fixedNow.AddDate(0, 3, 0), room2, "Client-A"))
	refusedAs(t, f, store.ErrRoomTaken, next(fixedNow.AddDate(0, 3, 0), room2, "Client Zeta"))
	refusedAs(t, f, store.ErrRoomTaken, next(fixedNow.AddDate(0, 3, 0), room2, "Client-A", "Client-C", "Client-D", "Client Zeta"))
	// The old room, which the withdrawn person knows: nobody, the remaining group included.
	refusedAs(t, f, store.ErrRoomTaken, next(fixedNow.AddDate(0, 3, 0), oldJitsiURL, "Client-A", "Client-C", "Client-D"))
	f.verifies(t)

	// Client-D leaves too: every date in room2 is to come and moves to room3; room2, which
	// Client-D knew and no session holds now, is remembered; room3 serves Client-A and
	// Client-C.
	revoke(c.People[3].ID, room3)
	refusedAs(t, f, store.ErrRoomRetired, next(fixedNow.AddDate(0, 3, 0), room2, "Client-A", "Client-C"))
	if _, err := f.db.CreateSession(ctx, next(fixedNow.AddDate(0, 3, 0), room3, "Client-C", "Client-A")); err != nil {
		t.Fatalf("the third room for the remaining two: %v", err)
	}
	refusedAs(t, f, store.ErrRoomTaken, next(fixedNow.AddDate(0, 3, 1), room3, "Client Zeta"))
	f.verifies(t)

	// Audit retention removes the removal events while the sessions stay: the old room is
	// then remembered (retired), the room given after the removal is not.
	f.clock.t = fixedNow.AddDate(5, 0, 0)
	ret := store.Retention{SessionDays: 100_000, AuditYears: 1, Location: time.UTC, ProofKey: testKey, ConsentYears: 3}
	if p, err := f.db.Purge(ctx, ret, false, "command"); err != nil || p.AuditEvents == 0 || p.Sessions != 0 {
		t.Fatalf("purge %+v, %v", p, err)
	}
	if !f.remembered(t, oldJitsiURL, "") || f.remembered(t, room3, "") {
		t.Fatalf("retired: old room %v, third room %v; want the old room only",
			f.remembered(t, oldJitsiURL, ""), f.remembered(t, room3, ""))
	}
	if _, err := f.db.CreateSession(ctx, next(fixedNow.AddDate(5, 1, 0), room3, "Client-A", "Client-C")); err != nil {
		t.Fatalf("the third room after audit retention: %v", err)
	}
	refusedAs(t, f, store.ErrRoomRetired, next(fixedNow.AddDate(5, 1, 0), oldJitsiURL, "Client-A", "Client-C"))
	f.verifies(t)
}

// A database of schema 6 whose Jitsi group lost a participant before the upgrade: its
// removal events carry no room digest and none was kept (the old room is still held by the
// dates already held). After the upgrade the old room stays refused to everyone by those
// removals, and the new room, given after them, serves the remaining group and nobody else.
func TestSchema6GroupWithdrawalMigrates(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	path := db.Path()
	ns := roomSession(t, fixedNow.AddDate(0, 0, -3), oldJitsiURL, "", "Client-A", "Client-B", "Client-C")
	id, _ := session.NewID()
	ns.Later = []session.Session{{ID: id, Start: fixedNow.AddDate(0, 0, 4)}}
	ns.SeriesID, _ = session.NewID()
	c, err := db.CreateSessionFor(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	const room2 = "https://meet.example/qxnewroom0815secret"
	if _, err := db.RevokeConsent(ctx, store.Revocation{PersonID: c.People[1].ID, ProofKey: testKey, RetentionYears: 3,
		Location: time.UTC, NewJoinURL: func(session.Session) (string, error) { return room2, nil }}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw := rawOpen(t, path)
	var retired int
	if err := raw.QueryRow("SELECT count(*) FROM retired_rooms").Scan(&retired); err != nil || retired != 0 {
		t.Fatalf("%d retired rooms, %v; the held date keeps the old room", retired, err)
	}
	for _, q := range []string{"DROP TABLE retired_rooms", "DROP INDEX audit_events_room_changed", "DROP INDEX audit_events_record", "PRAGMA user_version = 6"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{t: t, raw: raw, clock: newClock(fixedNow)}
	f.db = openWith(t, path, f.clock)
	t.Cleanup(func() { f.db.Close() })
	if v := userVersion(t, path); v != store.SchemaVersion() || v < 8 {
		t.Fatalf("user_version %d", v)
	}
	f.verifies(t)
	refusedAs(t, f, store.ErrRoomTaken, roomSession(t, fixedNow.AddDate(0, 1, 0), oldJitsiURL, "", "Client-A", "Client-C"))
	refusedAs(t, f, store.ErrRoomTaken, roomSession(t, fixedNow.AddDate(0, 1, 0), room2, "", "Client Zeta"))
	if _, err := f.db.CreateSession(ctx, roomSession(t, fixedNow.AddDate(0, 1, 0), room2, "", "Client-C", "Client-A")); err != nil {
		t.Fatalf("the new room for the remaining group after the upgrade: %v", err)
	}
	f.verifies(t)
}
