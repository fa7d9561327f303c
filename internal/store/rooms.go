package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/expeerienced/counsel/internal/session"
)

// ErrRoomTaken: the meeting room of a new session is stored for another
// person. See RoomTakenError.
var ErrRoomTaken = errors.New("the meeting room belongs to another client")

// RoomTakenError names the session that already uses the room, by ID only:
// never the link or the meeting ID. errors.Is(err, ErrRoomTaken).
type RoomTakenError struct{ SessionID string }

func (e *RoomTakenError) Error() string {
	return fmt.Sprintf("the meeting room belongs to session %s of another client", session.ShortID(e.SessionID))
}

// Is makes errors.Is(err, ErrRoomTaken) hold.
func (e *RoomTakenError) Is(target error) bool { return target == ErrRoomTaken }

// roomKey is the room a join URL opens, as Jitsi tells rooms apart: the
// address without its #fragment (configuration for the browser), lower case
// (Jitsi lower-cases room names; hosts are case-insensitive). A Blizz join
// URL holds the meeting ID, so it is covered too. The same expression is
// indexed by migration 0003 (sessions_by_room).
const roomKey = "lower(substr(join_url, 1, instr(join_url || '#', '#') - 1))"

// checkRoom is the one place of the rule "one room, one client": a Jitsi
// room or a Blizz meeting ID stored for a session of another person (any
// status: the other client keeps the link) is refused; the same person may
// use their room again. personID is empty for a person not yet stored.
// Group sessions will widen "person" to the session's participants here.
func checkRoom(ctx context.Context, tx dbtx, s session.Session, personID string) error {
	var other string
	err := tx.QueryRowContext(ctx, "SELECT id FROM sessions WHERE ("+roomKey+
		" = lower(substr(?1, 1, instr(?1 || '#', '#') - 1)) OR (?2 <> '' AND meeting_id = ?2)) AND person_id <> ?3 ORDER BY id LIMIT 1",
		s.JoinURL, s.MeetingID, personID).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return &RoomTakenError{SessionID: other}
}
