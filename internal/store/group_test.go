package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// groupSeries is a weekly series of dates (weeks after first) for clients in one room.
func groupSeries(t *testing.T, provider string, first time.Time, weeks int, clients ...string) store.NewSession {
	t.Helper()
	ns := newSession(t, clients[0], first, provider)
	ns.Clients = clients
	if provider == "blizz" {
		ns.Session.MeetingID, ns.Session.JoinURL = "m87654321", "https://go.blizz.com/join/m87654321"
	}
	for i := 1; i < weeks; i++ {
		id, _ := session.NewID()
		ns.Later = append(ns.Later, session.Session{ID: id, Start: first.AddDate(0, 0, 7*i)})
	}
	if weeks > 1 {
		ns.SeriesID, _ = session.NewID()
	}
	return ns
}

var group5 = []string{"Client-A", "Client-B", "Client-C", "Client-D", "Client Zeta"}

// A group series is one session per date, each with every participant, one
// notice per participant, listed with its counts; the trail verifies.
func TestGroupSeriesStored(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	ns := groupSeries(t, "jitsi-fem-tu-ilmenau", fixedNow.Add(24*time.Hour), 6, group5...)
	c, err := db.CreateSessionFor(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sessions) != 6 || len(c.People) != 5 {
		t.Fatalf("%d sessions, %d people", len(c.Sessions), len(c.People))
	}
	list, _, err := db.ListSessions(ctx, store.SessionFilter{})
	if err != nil || len(list) != 6 {
		t.Fatalf("list: %d, %v", len(list), err)
	}
	for _, s := range list {
		if s.Participants != 5 || s.Agreed != 0 || s.ClientName != "" || s.SeriesID != ns.SeriesID || s.JoinURL != ns.Session.JoinURL {
			t.Errorf("listed %+v", s)
		}
	}
	// Consent is per participant: one agrees, the count follows.
	if _, err := db.ConfirmConsent(ctx, store.Confirmation{Name: "client zeta", Method: consent.MethodEmail, RecordedBy: "c", ProofKey: testKey}); err != nil {
		t.Fatal(err)
	}
	s, err := db.FindSession(ctx, session.ShortID(c.Sessions[3].ID))
	if err != nil || s.Agreed != 1 || s.Participants != 5 {
		t.Fatalf("after one consent: %+v, %v", s, err)
	}
	sub, err := db.FindSubject(ctx, store.SubjectQuery{Ref: "Client-B"})
	if err != nil || len(sub.Sessions) != 6 || len(sub.Events) != 6 || sub.Events[0].SessionID != c.Sessions[0].ID { // one notice per date
		t.Fatalf("Client-B: %d sessions, %d events, %v", len(sub.Sessions), len(sub.Events), err)
	}
	// A group session does not stand for one person.
	if _, err := db.FindSubject(ctx, store.SubjectQuery{Ref: c.Sessions[0].ID, AllowSession: true}); !errors.Is(err, store.ErrGroupSession) {
		t.Errorf("subject by a group session's ID: %v", err)
	}
	if _, err := verifyDB(db); err != nil {
		t.Fatal(err)
	}
	if rep, err := verifyRecords(t, db); err != nil || len(rep.Problems) != 0 || rep.Rows["session_participants"] != 30 {
		t.Fatalf("records: %+v, %v", rep, err)
	}
}

// One room belongs to one session or series and its participants.
func TestGroupRoomRule(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	ns := groupSeries(t, "jitsi-fem-tu-ilmenau", fixedNow.Add(24*time.Hour), 2, "Client-A", "Client-B", "Client-C")
	if _, err := db.CreateSession(ctx, ns); err != nil {
		t.Fatal(err)
	}
	again := func(clients ...string) error {
		n := groupSeries(t, "jitsi-fem-tu-ilmenau", fixedNow.Add(30*24*time.Hour), 1, clients...)
		n.Session.JoinURL = strings.ToUpper(ns.Session.JoinURL[:8]) + ns.Session.JoinURL[8:] + "#config.x=1"
		_, err := db.CreateSession(ctx, n)
		return err
	}
	for _, refused := range [][]string{
		{"Client-A"},                         // one of the group alone
		{"Client-A", "Client-B"},             // part of the group
		{"Client-A", "Client-B", "Client-D"}, // someone else in
		{"Client-A", "Client-B", "Client-C", "Client-D"},
		{"Client-D"},
	} {
		if err := again(refused...); !errors.Is(err, store.ErrRoomTaken) {
			t.Errorf("%v in the group's room: err = %v", refused, err)
		}
	}
	// The same group, in any order and spelling, may meet there again.
	if err := again("client-c", "CLIENT-A", "Client-B"); err != nil {
		t.Errorf("the same group again: %v", err)
	}
	// A new client in a one-client room (the same number of participants).
	one := groupSeries(t, "jitsi-fem-tu-ilmenau", fixedNow.Add(24*time.Hour), 1, "Client-F")
	if _, err := db.CreateSession(ctx, one); err != nil {
		t.Fatal(err)
	}
	other := groupSeries(t, "jitsi-fem-tu-ilmenau", fixedNow.Add(48*time.Hour), 1, "Client-G")
	other.Session.JoinURL = one.Session.JoinURL
	if _, err := db.CreateSession(ctx, other); !errors.Is(err, store.ErrRoomTaken) {
		t.Errorf("a new client in another client's room: err = %v", err)
	}
	// A client twice in one session is refused.
	n := groupSeries(t, "jitsi-fem-tu-ilmenau", fixedNow.Add(40*24*time.Hour), 1, "Client-E", "client-e")
	if _, err := db.CreateSession(ctx, n); !errors.Is(err, store.ErrSameClientTwice) {
		t.Errorf("the same client twice: %v", err)
	}
}

// A withdrawal in a group: the person leaves every group session (past ones
// keep the others), future Jitsi dates get one new room, the others stay,
// the trail verifies and no byte of the name remains in the files.
func TestGroupWithdrawal(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	// Weeks 1 and 2 are past, weeks 3 to 6 to come.
	ns := groupSeries(t, "jitsi-fem-tu-ilmenau", fixedNow.AddDate(0, 0, -10), 6, group5...)
	c, err := db.CreateSessionFor(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	// Client Zeta also has a session alone, to come: cancelled as before.
	solo, err := db.CreateSession(ctx, newSession(t, "Client Zeta", fixedNow.Add(48*time.Hour), "jitsi-fem-tu-ilmenau"))
	if err != nil {
		t.Fatal(err)
	}
	zeta := c.People[4].ID
	calls := 0
	r, err := db.RevokeConsent(ctx, store.Revocation{PersonID: zeta, ProofKey: testKey, RetentionYears: 3, Location: time.UTC,
		NewJoinURL: func(s session.Session) (string, error) { calls++; return "https://meet.example/rotatedroom", nil }})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || r.PastGroups != 2 || len(r.Groups) != 4 || len(r.Plan.Delete) != 1 || r.Plan.Delete[0].ID != solo.ID {
		t.Fatalf("revoked: %d rooms made, %d past, %d future groups, plan %+v", calls, r.PastGroups, len(r.Groups), r.Plan)
	}
	for _, g := range r.Groups {
		if !g.RoomChanged() || g.Session.JoinURL != "https://meet.example/rotatedroom" || g.Session.Participants != 4 || len(g.Remaining) != 4 {
			t.Errorf("group left: %+v", g)
		}
		for _, p := range g.Remaining {
			if p.ID == zeta {
				t.Error("the withdrawn person is among the remaining")
			}
		}
	}
	list, _, _ := db.ListSessions(ctx, store.SessionFilter{WithCancelled: true})
	for _, s := range list {
		if s.ID == solo.ID {
			continue
		}
		past := s.Start.Before(fixedNow)
		if s.Participants != 4 || s.Status != session.Scheduled || (past != (s.JoinURL == ns.Session.JoinURL)) {
			t.Errorf("after the withdrawal: %+v", s)
		}
	}
	// The old room, which the withdrawn person knows, is given to nobody,
	// not even to the four who stay.
	again := groupSeries(t, "jitsi-fem-tu-ilmenau", fixedNow.AddDate(0, 2, 0), 1, group5[:4]...)
	again.Session.JoinURL = ns.Session.JoinURL
	if _, err := db.CreateSession(ctx, again); !errors.Is(err, store.ErrRoomTaken) {
		t.Errorf("the old room for the remaining group: err = %v", err)
	}
	if _, err := verifyDB(db); err != nil {
		t.Fatal(err)
	}
	if rep, err := verifyRecords(t, db); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("records: %+v, %v", rep.Problems, err)
	}
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("Client Zeta")) || bytes.Contains(b, []byte("client zeta")) {
			t.Errorf("%s still holds the withdrawn name", f)
		}
		if f == path && !bytes.Contains(b, []byte("Client-A")) {
			t.Errorf("%s lost the others", f)
		}
	}
}

// A Blizz group keeps its meeting; the withdrawal lists it for a new password.
func TestGroupWithdrawalBlizz(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	c, err := db.CreateSessionFor(ctx, groupSeries(t, "blizz", fixedNow.Add(24*time.Hour), 2, "Client-A", "Client-B", "Client-C"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.RevokeConsent(ctx, store.Revocation{PersonID: c.People[1].ID, ProofKey: testKey, RetentionYears: 3, Location: time.UTC,
		NewJoinURL: func(session.Session) (string, error) { return "", errors.New("Blizz rooms are not made by counsel") }})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Groups) != 2 || r.Groups[0].RoomChanged() || r.Groups[0].Session.MeetingID != "m87654321" || len(r.Groups[0].Remaining) != 2 {
		t.Fatalf("blizz groups: %+v", r.Groups)
	}
}

// Purge takes a group session's participant links with it, and a person
// left without any session.
func TestGroupPurge(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	if _, err := db.CreateSession(ctx, groupSeries(t, "jitsi-fem-tu-ilmenau", fixedNow.AddDate(0, 0, -200), 2, "Client-A", "Client-B")); err != nil {
		t.Fatal(err)
	}
	res, err := db.Purge(ctx, store.Retention{SessionDays: 90}, false, "command")
	if err != nil || res.Sessions != 2 || res.People != 2 {
		t.Fatalf("purge: %+v, %v", res, err)
	}
	if rep, err := verifyRecords(t, db); err != nil || len(rep.Problems) != 0 || rep.Rows["session_participants"] != 0 {
		t.Fatalf("records: %+v, %v", rep, err)
	}
}

// Reports count group sessions and participants, never names; a cancelled
// date counts as cancelled only.
func TestGroupReport(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	c, err := db.CreateSessionFor(ctx, groupSeries(t, "jitsi-fem-tu-ilmenau", fixedNow.Add(24*time.Hour), 3, "Client-A", "Client-B", "Client-C"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateSession(ctx, newSession(t, "Client-D", fixedNow.Add(48*time.Hour), "jitsi-fem-tu-ilmenau")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CancelSession(ctx, c.Sessions[2].ID); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Report(ctx, store.ReportFilter{By: store.ReportByProvider, Now: fixedNow})
	if err != nil || len(rows) != 1 {
		t.Fatalf("report: %+v, %v", rows, err)
	}
	r := rows[0]
	if r.Planned != 3 || r.Cancelled != 1 || r.GroupSessions != 2 || r.Participants != 7 {
		t.Errorf("report row %+v, want 3 planned (2 of them groups), 1 cancelled, 7 participants", r)
	}
}
