package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/expeerienced/counsel/internal/audit"
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

// participantRemoved selects the events of a participant leaving a session. The
// action is a literal, not a parameter: SQLite uses the partial index of
// migration 0006 (audit_events_participant_removed) only for a query whose
// terms name its WHERE, which a bound value does not.
const participantRemoved = "e.action = '" + audit.ActionParticipantRemoved + "'"

// roomQuery finds a session in the room of join URL ?1 or Blizz meeting ID ?2 that
// is not the new session's people's (a JSON array of IDs ?3, ?4 people in all):
// the sessions in the room first (by the indexes of migration 0003), then their
// participants compared with the new ones, then their removals (by the partial
// index of migration 0006).
const roomQuery = `WITH room AS (SELECT id FROM sessions WHERE ` + roomKey +
	` = lower(substr(?1, 1, instr(?1 || '#', '#') - 1)) OR (?2 <> '' AND meeting_id = ?2))
	SELECT room.id FROM room
	WHERE (SELECT count(*) FROM session_participants x WHERE x.session_id = room.id) <> ?4
		OR EXISTS (SELECT 1 FROM session_participants x WHERE x.session_id = room.id
			AND x.person_id NOT IN (SELECT value FROM json_each(?3)))
		OR EXISTS (SELECT 1 FROM audit_events e WHERE ` + participantRemoved + ` AND e.object = room.id)
	ORDER BY room.id LIMIT 1`

// checkRoom is the one place of the rule "one room belongs to one session
// or one series and its participants": a Jitsi room or a Blizz meeting ID
// stored for any session (any status: its clients keep the link) whose
// participants are not exactly the new session's is refused; the same
// client, or the same group, may use their room again. personIDs are the
// new session's clients, an empty ID for a person not yet stored (who can
// be in no stored session, so any stored use of the room refuses them). A
// room that a withdrawing participant left is refused to everyone: that
// person still has the link.
func checkRoom(ctx context.Context, tx querier, s session.Session, personIDs []string) error {
	known := []string{} // "[]", not "null": json_each(null) gives one NULL row, and NOT IN (NULL) is never true
	for _, id := range personIDs {
		if id != "" {
			known = append(known, id)
		}
	}
	set, err := json.Marshal(known)
	if err != nil {
		return err
	}
	var other string
	err = tx.QueryRowContext(ctx, roomQuery, s.JoinURL, s.MeetingID, string(set), len(personIDs)).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return &RoomTakenError{SessionID: other}
}
