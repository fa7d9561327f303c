package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
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

// ErrRoomRetired: the meeting room of a new session was used for a session
// counsel no longer stores (erased by a withdrawal, replaced when a group got
// a new room, or purged): its people still have the link or the meeting ID.
// Nothing says whose it was: counsel keeps only a keyed digest of the room.
var ErrRoomRetired = errors.New("the meeting room was used for an earlier session whose record is erased or expired; give this session a new room")

// roomKey is the room a join URL opens, as Jitsi tells rooms apart: the
// address without its #fragment (configuration for the browser), lower case
// (Jitsi lower-cases room names; hosts are case-insensitive). A Blizz join
// URL holds the meeting ID, so it is covered too. The same expression is
// indexed by migration 0003 (sessions_by_room).
const roomKey = "lower(substr(join_url, 1, instr(join_url || '#', '#') - 1))"

// participantRemoved selects the events of a participant leaving a session, and
// roomChanged those of a session getting a new room. The actions are literals, not
// parameters: SQLite uses the partial indexes of migrations 0006
// (audit_events_participant_removed) and 0008 (audit_events_room_changed) only for a
// query whose terms name their WHERE, which a bound value does not.
const (
	participantRemoved = "e.action = '" + audit.ActionParticipantRemoved + "'"
	roomChanged        = "c.action = '" + audit.ActionRoomChanged + "'"
)

// leftRoom holds for a removal e whose session is still in the room the person
// who left knew: no room change of that session after it. A withdrawal appends
// the removal and then, for a Jitsi group date to come, the room change, so the
// new room (which the person never had) is not refused by it; the held dates and
// a Blizz group's meeting keep their room and stay refused. Exact for every
// database since schema 5, whose removals carry no room digest: it reads only
// the trail, which audit verify binds (a forged room change breaks the chain).
const leftRoom = participantRemoved + ` AND NOT EXISTS (SELECT 1 FROM audit_events c WHERE ` + roomChanged +
	` AND c.object = e.object AND c.seq > e.seq)`

// roomQuery finds a session in the room of join URL ?1 or Blizz meeting ID ?2 that
// is not the new session's people's (a JSON array of IDs ?3, ?4 people in all), or
// that a withdrawing participant left while it was in this room: the sessions in
// the room first (by the indexes of migration 0003), then their participants
// compared with the new ones, then their removals (by the partial index of
// migration 0006) and the room changes after them (migration 0008).
const roomQuery = `WITH room AS (SELECT id FROM sessions WHERE ` + roomKey +
	` = lower(substr(?1, 1, instr(?1 || '#', '#') - 1)) OR (?2 <> '' AND meeting_id = ?2))
	SELECT room.id FROM room
	WHERE (SELECT count(*) FROM session_participants x WHERE x.session_id = room.id) <> ?4
		OR EXISTS (SELECT 1 FROM session_participants x WHERE x.session_id = room.id
			AND x.person_id NOT IN (SELECT value FROM json_each(?3)))
		OR EXISTS (SELECT 1 FROM audit_events e WHERE ` + leftRoom + ` AND e.object = room.id)
	ORDER BY room.id LIMIT 1`

// checkRoom is the one place of the rule "one room belongs to one session
// or one series and its participants": a Jitsi room or a Blizz meeting ID
// stored for any session (any status: its clients keep the link) whose
// participants are not exactly the new session's is refused; the same
// client, or the same group, may use their room again. personIDs are the
// new session's clients, an empty ID for a person not yet stored (who can
// be in no stored session, so any stored use of the room refuses them). A
// room that a withdrawing participant left is refused to everyone: that
// person still has the link. The rule is the room's, not the session row's:
// a group date that got a new room at the withdrawal is no longer in the
// room that person knew (leftRoom), and the remaining group may meet in the
// new room again, exactly they.
//
// A room counsel no longer stores is refused to every session, the same
// client's too (ErrRoomRetired): only its digest under key, the proof key,
// is kept (retireRooms), and nothing links it to a person.
func checkRoom(ctx context.Context, tx querier, key []byte, s session.Session, personIDs []string) error {
	if len(key) != consent.KeySize {
		return fmt.Errorf("rooms cannot be checked: %w", consent.ErrKeySize)
	}
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
		return refuseRetired(ctx, tx, key, s)
	case err != nil:
		return err
	}
	return &RoomTakenError{SessionID: other}
}

// room is how a retired room is remembered: a Blizz meeting ID as stored, or
// else the room key of a join URL (roomOf).
type room struct{ kind, value string }

// roomsOf is the room of a session with this join URL and meeting ID (none
// for neither). A Blizz session's join URL is made from its meeting ID, and
// no Jitsi URL (a vetted Jitsi host) is a Blizz join URL, so the meeting ID
// alone tells its room: one digest per room, which Revoke and Purge count as
// rooms. Digests of Blizz join URLs written before stay until their retention
// ends; the meeting ID's digest, written beside each of them, refuses the room.
func roomsOf(joinURL, meetingID string) []room {
	if meetingID != "" {
		return []room{{consent.RoomMeetingID, meetingID}}
	}
	if k := roomOf(joinURL); k != "" {
		return []room{{consent.RoomURL, k}}
	}
	return nil
}

// The statements of the retired-room rule, each one search of an index
// (TestRetiredRoomStatementsUseIndexes): the digest's unique index, and
// sessions_by_room and sessions_by_meeting_id of migration 0003.
const (
	retiredQuery       = "SELECT EXISTS (SELECT 1 FROM retired_rooms WHERE digest = ?)"
	storedRoomQuery    = "SELECT EXISTS (SELECT 1 FROM sessions WHERE " + roomKey + " = ?)"
	storedMeetingQuery = "SELECT EXISTS (SELECT 1 FROM sessions WHERE meeting_id = ?)"
)

// refuseRetired is ErrRoomRetired when a room of s is remembered in
// retired_rooms: one lookup by the digest's unique index.
func refuseRetired(ctx context.Context, tx querier, key []byte, s session.Session) error {
	rooms := roomsOf(s.JoinURL, s.MeetingID)
	if len(rooms) == 0 {
		return nil
	}
	d, err := consent.RoomDigest(key, rooms[0].kind, rooms[0].value)
	if err != nil {
		return err
	}
	var retired bool
	if err := tx.QueryRowContext(ctx, retiredQuery, d).Scan(&retired); err != nil {
		return err
	}
	if retired {
		return ErrRoomRetired
	}
	return nil
}

// roomRetirer remembers the rooms one transaction removes from the
// sessions table, as keyed digests in retired_rooms, each row bound to the
// trail (recordRow). Without a key (a purge that could not read the proof
// key) the rooms are only counted: storage limitation comes first, and the
// caller warns.
type roomRetirer struct {
	key   []byte // the proof key; nil: count only
	until string // retain_until of a new row, in the stored time form
	seen  map[room]bool
	// Remembered counts the rooms written (or kept longer) in retired_rooms;
	// Unremembered those that could not be, for want of the key.
	Remembered, Unremembered int
}

// newRoomRetirer keeps each digest until the end of the year now is in (in
// loc) plus years: as long as a withdrawal proof of the same day.
func newRoomRetirer(key []byte, now time.Time, years int, loc *time.Location) (*roomRetirer, error) {
	if key != nil && len(key) != consent.KeySize {
		return nil, consent.ErrKeySize
	}
	if key != nil && years < 1 {
		return nil, errors.New("retention of retired rooms (retention_consent_years) must be at least one year")
	}
	return &roomRetirer{key: key, until: formatTime(consent.RetainUntil(now, years, loc)), seen: map[room]bool{}}, nil
}

// retire remembers the rooms of a session with joinURL and meetingID that no
// stored session holds any more (a room still stored stays under the room
// rule of its sessions, and is retired when the last of them goes); with
// evenIfStored, also those that are (a room the rule could no longer see
// otherwise). Call it after the change that removed the rooms, in its
// transaction.
func (r *roomRetirer) retire(ctx context.Context, tx *sql.Tx, now time.Time, joinURL, meetingID string, evenIfStored bool) error {
	for _, rm := range roomsOf(joinURL, meetingID) {
		if r.seen[rm] {
			continue
		}
		if !evenIfStored {
			q := storedRoomQuery
			if rm.kind == consent.RoomMeetingID {
				q = storedMeetingQuery
			}
			var stored bool
			if err := tx.QueryRowContext(ctx, q, rm.value).Scan(&stored); err != nil {
				return fmt.Errorf("retire room: %w", err)
			}
			if stored {
				continue
			}
		}
		r.seen[rm] = true
		if r.key == nil {
			r.Unremembered++
			continue
		}
		d, err := consent.RoomDigest(r.key, rm.kind, rm.value)
		if err != nil {
			return err
		}
		// A digest already here (a room retired before and removed again) is
		// kept until the later of its two ends.
		var id, until string
		err = tx.QueryRowContext(ctx, "SELECT id, retain_until FROM retired_rooms WHERE digest = ?", d).Scan(&id, &until)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if id, err = session.NewID(); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO retired_rooms (id, digest, retain_until) VALUES (?, ?, ?)", id, d, r.until); err != nil {
				return fmt.Errorf("retire room: %w", err)
			}
		case err != nil:
			return fmt.Errorf("retire room: %w", err)
		case until >= r.until:
			r.Remembered++
			continue
		default:
			if _, err := tx.ExecContext(ctx, "UPDATE retired_rooms SET retain_until = ? WHERE id = ?", r.until, id); err != nil {
				return fmt.Errorf("retire room: %w", err)
			}
		}
		r.Remembered++
		if err := recordRow(ctx, tx, now, tableRetiredRooms, id); err != nil {
			return err
		}
	}
	return nil
}
