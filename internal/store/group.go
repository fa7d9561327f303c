package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
)

// leaveGroups takes a withdrawing person out of every group session: the
// link goes (so nothing ties them to the others any more), the others keep
// the session. For the ones still to come, a Jitsi room the person knows is
// replaced by newURL's (one new room per old room, so a series keeps one
// room), each change an audit event and a record. An old room no session
// holds any more is remembered by retired (the person still has its link).
func leaveGroups(ctx context.Context, tx *sql.Tx, now time.Time, personID string, groups []session.Session,
	newURL func(session.Session) (string, error), retired *roomRetirer, res *Revoked) error {
	rooms := make(map[string]string) // old room -> new
	for _, s := range groups {
		ids, err := selectStrings(ctx, tx, "SELECT id FROM session_participants WHERE session_id = ? AND person_id = ?", s.ID, personID)
		if err != nil {
			return err
		}
		if err := noteOverwritten(ctx, tx, now, tableParticipants, ids...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM session_participants WHERE session_id = ? AND person_id = ?", s.ID, personID); err != nil {
			return fmt.Errorf("leave session %s: %w", s.ID, err)
		}
		s.Participants--
		if err := appendAudit(ctx, tx, now, audit.ActionParticipantRemoved, s.ID, map[string]string{
			"reason": "consent_withdrawn", "person": personID, "participants": strconv.Itoa(s.Participants),
		}); err != nil {
			return err
		}
		if err := recordRows(ctx, tx, now, tableParticipants, ids); err != nil {
			return err
		}
		if s.Status != session.Scheduled || s.Start.Before(now) {
			res.PastGroups++
			continue
		}
		g := GroupLeft{Session: s, OldJoinURL: s.JoinURL}
		if s.Kind == "jitsi" && newURL != nil {
			key := roomOf(s.JoinURL)
			url, ok := rooms[key]
			if !ok {
				if url, err = newURL(s); err != nil {
					return err
				}
				rooms[key] = url
			}
			if err := noteOverwritten(ctx, tx, now, tableSessions, s.ID); err != nil {
				return err
			}
			// The new invitation is the next change of the calendar event.
			if _, err := tx.ExecContext(ctx, "UPDATE sessions SET join_url = ?, sequence = sequence + 1 WHERE id = ?", url, s.ID); err != nil {
				return fmt.Errorf("new room for session %s: %w", s.ID, err)
			}
			g.Session.JoinURL = url
			g.Session.Sequence++
			if err := appendAudit(ctx, tx, now, audit.ActionRoomChanged, s.ID, map[string]string{"reason": "consent_withdrawn"}); err != nil {
				return err
			}
			if err := recordRow(ctx, tx, now, tableSessions, s.ID); err != nil {
				return err
			}
			if err := retired.retire(ctx, tx, now, g.OldJoinURL, "", false); err != nil {
				return err
			}
		}
		if g.Remaining, err = participantsOf(ctx, tx, s.ID); err != nil {
			return err
		}
		res.Groups = append(res.Groups, g)
	}
	return nil
}

// roomOf is roomKey in Go, byte for byte as SQLite computes it (FuzzRoomOfMatchesSQL): the
// address without its #fragment, lower case. A retired room is remembered by this key and
// must be the room checkRoom's statement sees, also for text no URL check lets through
// (invalid UTF-8, a NUL), which a database edited by hand may hold.
func roomOf(joinURL string) string {
	// instr(joinURL || '#', '#') - 1: the characters before the first '#', where every byte
	// but a UTF-8 continuation byte (and the first byte) starts one.
	hash := strings.IndexByte(joinURL, '#')
	if hash < 0 {
		hash = len(joinURL)
	}
	chars := 0
	for i := 0; i < hash; i++ {
		if i == 0 || joinURL[i]&0xc0 != 0x80 {
			chars++
		}
	}
	// substr(joinURL, 1, chars): that many characters, where a non-ASCII byte takes the
	// continuation bytes after it and an ASCII byte is one; it stops at a NUL.
	end := 0
	for ; chars > 0 && end < len(joinURL) && joinURL[end] != 0; chars-- {
		c := joinURL[end]
		end++
		if c >= 0x80 {
			for end < len(joinURL) && joinURL[end]&0xc0 == 0x80 {
				end++
			}
		}
	}
	// lower(): ASCII letters only (strings.ToLower would fold every script).
	b := []byte(joinURL[:end])
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// participantsOf lists the people of a session in the order they were added.
func participantsOf(ctx context.Context, tx querier, sessionID string) ([]consent.Person, error) {
	return selectAll(ctx, tx, scanPerson, "SELECT "+personColumns+
		" FROM people WHERE id IN (SELECT person_id FROM session_participants WHERE session_id = ?) ORDER BY created_at, id", sessionID)
}

// Participants lists the people taking part in a session (names as stored;
// an erased person has none).
func (d *DB) Participants(ctx context.Context, sessionID string) ([]consent.Person, error) {
	ps, err := participantsOf(ctx, d.db, sessionID)
	return ps, mapErr(err)
}

// CancelSeries cancels every date of the series of the session ref that is
// scheduled and has not started, each with its audit event and record, in
// one transaction. It returns the dates cancelled (each with its new
// sequence); a session outside a series is an error.
func (d *DB) CancelSeries(ctx context.Context, ref string, planned []session.Session) ([]session.Session, error) {
	var out []session.Session
	err := d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		var err error
		if out, err = seriesDatesFrom(ctx, tx, ref, now); err != nil {
			return err
		}
		// The e-mails were written for the planned dates: cancel exactly those.
		if !sameDates(out, planned) {
			return fmt.Errorf("series of session %s %w", session.ShortID(out[0].ID), ErrChanged)
		}
		for i := range out {
			x := &out[i]
			if err := checkRowUnchanged(ctx, tx, tableSessions, x.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE sessions SET status = 'cancelled', cancelled_at = ?, sequence = sequence + 1 WHERE id = ?",
				formatTime(now), x.ID); err != nil {
				return err
			}
			x.Status, x.CancelledAt = session.Cancelled, now
			x.Sequence++
			if err := appendAudit(ctx, tx, now, audit.ActionSessionCancelled, x.ID, map[string]string{
				"reason": "counsellor", "sequence": strconv.Itoa(x.Sequence), "series": x.SeriesID}); err != nil {
				return err
			}
			if err := recordRow(ctx, tx, now, tableSessions, x.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Errors of CancelSeries.
var (
	ErrNoSeries        = errors.New("is not part of a series")
	ErrNothingToCancel = errors.New("the series has no scheduled date still to come")
)

// PlanSeriesCancel returns the dates of ref's series that CancelSeries would cancel now: those
// still scheduled and not yet begun. The e-mails for them are prepared before anything changes.
func (d *DB) PlanSeriesCancel(ctx context.Context, ref string) ([]session.Session, error) {
	return seriesDatesFrom(ctx, d.db, ref, d.now().UTC().Truncate(time.Second))
}

// seriesDatesFrom returns the dates of ref's series still scheduled that start at or after from.
func seriesDatesFrom(ctx context.Context, q querier, ref string, from time.Time) ([]session.Session, error) {
	s, err := findSession(ctx, q, ref)
	if err != nil {
		return nil, err
	}
	if s.SeriesID == "" {
		return nil, fmt.Errorf("session %s %w", session.ShortID(s.ID), ErrNoSeries)
	}
	out, err := selectAll(ctx, q, scanSession, "SELECT "+sessionColumns+` FROM sessions s
		WHERE s.series_id = ? AND s.status = 'scheduled' AND s.starts_at >= ? ORDER BY s.starts_at, s.id`, s.SeriesID, formatTime(from))
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("session %s: %w", session.ShortID(s.ID), ErrNothingToCancel)
	}
	return out, nil
}

// sameDates reports whether a and b are the same sessions at the same sequence numbers.
func sameDates(a, b []session.Session) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Sequence != b[i].Sequence {
			return false
		}
	}
	return true
}
