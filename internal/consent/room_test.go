package consent_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/expeerienced/counsel/internal/consent"
)

// A room digest depends on the key, the kind and the room, and is never the subject hash of
// the same text: the one key serves both, apart.
func TestRoomDigest(t *testing.T) {
	key := bytes.Repeat([]byte{1}, consent.KeySize)
	other := bytes.Repeat([]byte{2}, consent.KeySize)
	d := func(k []byte, kind, room string) string {
		t.Helper()
		s, err := consent.RoomDigest(k, kind, room)
		if err != nil || len(s) != 64 {
			t.Fatalf("RoomDigest = %q, %v", s, err)
		}
		return s
	}
	base := d(key, consent.RoomMeetingID, "m12345678")
	if d(key, consent.RoomMeetingID, "m12345678") != base {
		t.Error("not deterministic")
	}
	subject, _ := consent.SubjectHMAC(key, "m12345678")
	for what, s := range map[string]string{
		"other key":       d(other, consent.RoomMeetingID, "m12345678"),
		"other kind":      d(key, consent.RoomURL, "m12345678"),
		"other room":      d(key, consent.RoomMeetingID, "m12345679"),
		"kind/room shift": d(key, consent.RoomMeetingID+"\x00m", "12345678"),
		"subject hash":    subject,
	} {
		if s == base {
			t.Errorf("%s gives the same digest", what)
		}
	}
	if _, err := consent.RoomDigest(key[:31], consent.RoomURL, "x"); !errors.Is(err, consent.ErrKeySize) {
		t.Errorf("short key: %v", err)
	}
}
