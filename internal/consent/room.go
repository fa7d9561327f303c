package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Kinds of room that RoomDigest tells apart: the room a join URL opens (the
// store's room key of it) and a Blizz meeting ID in its stored form.
const (
	RoomURL       = "url"
	RoomMeetingID = "meeting-id"
)

// RoomDigest is how counsel remembers a meeting room it no longer stores, so
// that it is never given to another session: HMAC-SHA256 of the room under
// the proof key, in lower-case hex. Keyed, because a Blizz meeting ID has few
// digits: an unkeyed hash in the database file could be reversed by trying
// every ID, and the file must not say which rooms (and so which people's
// links) it once held. The key lives outside the database, as for
// SubjectHMAC; the domain label keeps the two uses of the key apart.
func RoomDigest(key []byte, kind, room string) (string, error) {
	if len(key) != KeySize {
		return "", ErrKeySize
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("counsel-room-v1\x00" + kind + "\x00"))
	m.Write([]byte(room))
	return hex.EncodeToString(m.Sum(nil)), nil
}
