package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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
