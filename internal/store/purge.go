package store

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
)

// Retention is how long records are kept (design rule 4). Withdrawal proofs
// carry their own end (retain_until), fixed when they were made.
type Retention struct {
	SessionDays int // a session is deleted this many days after it ended
	// AuditYears: an audit event is deleted at the end of its year plus this many years
	// (config retention_audit_years); 0 keeps the trail whole. Location is the
	// counsellor's time zone, for "the end of the year".
	AuditYears int
	Location   *time.Location
	// ProofKey and ConsentYears remember the rooms of purged sessions
	// (retired_rooms, kept ConsentYears after the end of the year, as a
	// withdrawal proof). Without the key the purge goes on: the rooms are
	// counted in Purged.RoomsUnremembered, for the caller to warn.
	ProofKey     []byte
	ConsentYears int
}

// Purged counts what a purge removed (or, in a dry run, would remove).
type Purged struct {
	Sessions      int
	People        int
	ConsentEvents int
	Withdrawals   int
	// RetiredRooms counts the remembered rooms (retired_rooms) whose retention
	// ended. RoomsRetired are the rooms of purged sessions now remembered;
	// RoomsUnremembered those that could not be, without the proof key.
	RetiredRooms      int
	RoomsRetired      int
	RoomsUnremembered int
	// AuditEvents is how many of the oldest audit events audit retention removed, those
	// before AuditBefore; the trail then starts at AuditFrom after a checkpoint event.
	AuditEvents int
	AuditBefore time.Time
	AuditFrom   int64
	// AuditHeld: audit events were due but the chain does not verify, so none were removed.
	// Removing them would erase the break and carry forward record events that may be
	// forged, as if the trail had said them; they stay as evidence until it is restored.
	AuditHeld bool
	// KeptTampered counts the due withdrawal proofs and remembered rooms that were kept
	// because they are not as the audit trail last recorded them (changed outside counsel,
	// or the chain does not verify); `audit verify` names them. They are not in Total.
	KeptTampered int
	// TrailBroken: the kept rows were kept because the chain itself does not verify, so
	// counsel cannot tell which of them, if any, were changed.
	TrailBroken bool
	// Checkpointed is false when another process kept the write-ahead log
	// busy, so the deleted bytes are still on disk (in the database file or
	// its -wal file), or when no checkpoint ran (see Purge).
	Checkpointed bool
}

// Total is the number of rows removed.
func (p Purged) Total() int {
	return p.Sessions + p.People + p.ConsentEvents + p.Withdrawals + p.RetiredRooms + p.AuditEvents
}

// sessionEnd is a session's planned end in the stored time form, so that it
// compares as text.
const sessionEnd = `strftime('%Y-%m-%dT%H:%M:%SZ', starts_at, '+' || duration_min || ' minutes')`

// afterAnyTime sorts after every time in the stored form: text there (a row
// damaged by hand, such as a word) can never come due by date.
const afterAnyTime = "'9999-12-31T23:59:59Z'"

// dueSessions selects the sessions whose retention is over (?1 is the
// cutoff). The first condition lets SQLite use sessions_by_start; the second
// is exact. A start damaged by hand is due as well, so that it cannot keep a
// record (and, before a withdrawal, a name) for ever: text that sorts after
// every time at once, text that sorts before the cutoff but is not a time
// SQLite can compute with (year 10000 sorts as "1000...") from then on. Every
// branch is a range on the index.
const dueSessions = `SELECT id FROM sessions WHERE (starts_at < ?1 AND (` + sessionEnd + ` < ?1 OR ` + sessionEnd + ` IS NULL))
	OR starts_at > ` + afterAnyTime

// auditCutoff is the stored form of the time before which audit events are due; with no
// audit retention, a time before every event.
func (r Retention) auditCutoff(now time.Time) string {
	if r.AuditYears == 0 {
		return "0000"
	}
	return audit.FormatTime(consent.AuditCutoff(now, r.AuditYears, r.Location))
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

func (r Retention) check() error {
	if r.SessionDays < 1 {
		return errors.New("retention of sessions must be at least one day")
	}
	if r.AuditYears < 0 {
		return errors.New("retention of audit events must not be negative")
	}
	return nil
}

// purgeDueQuery is PurgeDue's question (?1 the session cutoff, ?2 now, ?3 the audit
// cutoff): answered from the index on sessions.starts_at, the (small) withdrawals table,
// retired_rooms by the index of migration 0009 (it grows with every room forgotten) and the
// trail's first event (TestPurgeDueUsesIndexes).
const purgeDueQuery = `SELECT EXISTS (` + dueSessions + `)
		OR EXISTS (SELECT 1 FROM withdrawals WHERE retain_until <= ?2 OR retain_until > ` + afterAnyTime + `)
		OR EXISTS (SELECT 1 FROM retired_rooms WHERE retain_until <= ?2 OR retain_until > ` + afterAnyTime + `)
		OR EXISTS (SELECT 1 FROM audit_events WHERE seq = (SELECT min(seq) FROM audit_events) AND at < ?3)`

// PurgeDue reports whether Purge would remove anything. It is one query of a few
// index searches (purgeDueQuery), so every write command can afford to ask.
func (d *DB) PurgeDue(ctx context.Context, r Retention) (bool, error) {
	if err := r.check(); err != nil {
		return false, err
	}
	now := d.now().UTC().Truncate(time.Second)
	var due bool
	err := d.db.QueryRowContext(ctx, purgeDueQuery,
		formatTime(consent.SessionCutoff(now, r.SessionDays)), formatTime(now), r.auditCutoff(now)).Scan(&due)
	return due, mapErr(err)
}

// Purge deletes what has been kept long enough, in one transaction:
//   - sessions that ended more than r.SessionDays ago;
//   - people left without any session (whether erased or not), with their
//     consent events; a person who still has a session stays, and so does
//     their consent record (a consent event of a deleted session loses only
//     its link to it);
//   - withdrawal proofs whose retain_until has come;
//   - remembered rooms (retired_rooms) whose retain_until has come.
//
// The rooms of the deleted sessions that no session holds any more are
// remembered (retireRooms): their clients keep the links.
//
// When anything was removed, or what it keeps (KeptTampered) differs from what the
// last purge event said, the purge is an audit event with the counts; when anything
// was removed, and always for trigger "command", the write-ahead log is checkpointed and
// truncated so the bytes leave the disk (a failed checkpoint is a *CheckpointError, the
// purge committed). A dry run counts the same rows and changes nothing. trigger says who
// asked ("command" or "auto") and goes into the audit event.
func (d *DB) Purge(ctx context.Context, r Retention, dryRun bool, trigger string) (Purged, error) {
	var res Purged
	if err := r.check(); err != nil {
		return res, err
	}
	err := d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		res = Purged{}
		rooms, err := newRoomRetirer(r.ProofKey, now, r.ConsentYears, r.Location)
		if err != nil {
			return err
		}
		cutoff := formatTime(consent.SessionCutoff(now, r.SessionDays))
		exec := func(n *int, q string, args ...any) error {
			out, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				return err
			}
			c, err := out.RowsAffected()
			if n != nil {
				*n += int(c)
			}
			return err
		}
		// Every row changed or deleted is recorded in the trail after the purge
		// event, so the IDs are collected as the rows go.
		var changed [7][]string
		const (
			unlinked = iota
			links
			sessions
			events
			people
			proofs
			retired
		)
		ids := func(i int, q string, args ...any) error {
			list, err := selectStrings(ctx, tx, q, args...)
			changed[i] = list
			return err
		}
		// Consent events must not point at deleted sessions (foreign key).
		const unlink = `SELECT id FROM consent_events WHERE session_id IN (` + dueSessions + `)`
		if err := ids(unlinked, unlink, cutoff); err != nil {
			return fmt.Errorf("unlink consent events: %w", err)
		}
		if err := exec(nil, `UPDATE consent_events SET session_id = NULL WHERE id IN (`+unlink+`)`, cutoff); err != nil {
			return fmt.Errorf("unlink consent events: %w", err)
		}
		// Participant links go with their sessions (foreign key).
		const dueLinks = `SELECT id FROM session_participants WHERE session_id IN (` + dueSessions + `)`
		if err := ids(links, dueLinks, cutoff); err != nil {
			return fmt.Errorf("delete participants: %w", err)
		}
		if err := exec(nil, `DELETE FROM session_participants WHERE id IN (`+dueLinks+`)`, cutoff); err != nil {
			return fmt.Errorf("delete participants: %w", err)
		}
		// The sessions and their rooms in one read: the rooms no session holds
		// once these are gone are remembered (a series' dates share one room).
		var gone [][2]string
		seen := make(map[[2]string]bool)
		if err := eachRow(ctx, tx, func(row scanner) error {
			var id string
			var rm [2]string
			if err := row.Scan(&id, &rm[0], &rm[1]); err != nil {
				return err
			}
			changed[sessions] = append(changed[sessions], id)
			if !seen[rm] {
				seen[rm] = true
				gone = append(gone, rm)
			}
			return nil
		}, `SELECT id, join_url, meeting_id FROM sessions WHERE id IN (`+dueSessions+`)`, cutoff); err != nil {
			return fmt.Errorf("delete sessions: %w", err)
		}
		if err := exec(&res.Sessions, `DELETE FROM sessions WHERE id IN (`+dueSessions+`)`, cutoff); err != nil {
			return fmt.Errorf("delete sessions: %w", err)
		}
		for _, g := range gone {
			if err := rooms.retire(ctx, tx, now, g[0], g[1], false); err != nil {
				return err
			}
		}
		const sessionless = `SELECT id FROM people p WHERE NOT EXISTS (SELECT 1 FROM session_participants x WHERE x.person_id = p.id)`
		const sessionlessEvents = `SELECT id FROM consent_events WHERE person_id IN (` + sessionless + `)`
		if err := ids(events, sessionlessEvents); err != nil {
			return fmt.Errorf("delete consent events: %w", err)
		}
		if err := exec(&res.ConsentEvents, `DELETE FROM consent_events WHERE id IN (`+sessionlessEvents+`)`); err != nil {
			return fmt.Errorf("delete consent events: %w", err)
		}
		if err := ids(people, sessionless); err != nil {
			return fmt.Errorf("delete people: %w", err)
		}
		if err := exec(&res.People, `DELETE FROM people WHERE id IN (`+sessionless+`)`); err != nil {
			return fmt.Errorf("delete people: %w", err)
		}
		// Withdrawal proofs and remembered rooms go only as the trail last recorded them
		// (trailGuard); the others stay, counted in KeptTampered.
		var guard *trailGuard
		// vouched reports whether the chain verifies, replaying the trail at most once.
		vouched := func() (bool, error) {
			if guard == nil {
				var err error
				if guard, err = newTrailGuard(ctx, tx); err != nil {
					return false, fmt.Errorf("check against the audit trail: %w", err)
				}
			}
			return guard.recs != nil, nil
		}
		due := func(i int, table, what string, n *int) error {
			if err := ids(i, `SELECT id FROM `+table+` WHERE retain_until <= ? OR retain_until > `+afterAnyTime, formatTime(now)); err != nil {
				return fmt.Errorf("delete %s: %w", what, err)
			}
			if len(changed[i]) == 0 {
				return nil
			}
			if _, err := vouched(); err != nil {
				return fmt.Errorf("delete %s: %w", what, err)
			}
			honest, kept, err := guard.split(ctx, tx, table, changed[i])
			if err != nil {
				return fmt.Errorf("delete %s: %w", what, err)
			}
			changed[i] = honest
			res.KeptTampered += len(kept)
			res.TrailBroken = res.TrailBroken || (len(kept) > 0 && guard.recs == nil)
			for _, id := range honest {
				if err := exec(n, `DELETE FROM `+table+` WHERE id = ?`, id); err != nil {
					return fmt.Errorf("delete %s: %w", what, err)
				}
			}
			return nil
		}
		if err := due(proofs, tableWithdrawals, "withdrawal proofs", &res.Withdrawals); err != nil {
			return err
		}
		if err := due(retired, tableRetiredRooms, "retired rooms", &res.RetiredRooms); err != nil {
			return err
		}
		if r.AuditYears > 0 {
			res.AuditBefore = consent.AuditCutoff(now, r.AuditYears, r.Location)
			var err error
			if res.AuditEvents, res.AuditFrom, res.AuditHeld, err = pruneAudit(ctx, tx, now, res.AuditBefore, rooms, vouched); err != nil {
				return fmt.Errorf("audit retention: %w", err)
			}
		}
		res.RoomsRetired, res.RoomsUnremembered = rooms.Remembered, rooms.Unremembered
		if dryRun {
			return errDryRun
		}
		if res.Total() == 0 {
			// Kept rows alone are recorded when they change, not at every command: the
			// trail then says since when rows are kept (KeptSince), for the DPO. That
			// includes the change to none kept (the rows were repaired or are no longer
			// due), or the trail would go on saying rows are kept.
			if last, err := lastKept(ctx, tx); err != nil || last == res.kept() {
				return err
			}
		}
		details := map[string]string{
			"sessions":       strconv.Itoa(res.Sessions),
			"people":         strconv.Itoa(res.People),
			"consent_events": strconv.Itoa(res.ConsentEvents),
			"withdrawals":    strconv.Itoa(res.Withdrawals),
			"audit_events":   strconv.Itoa(res.AuditEvents),
			"retired_rooms":  strconv.Itoa(res.RetiredRooms),
			"rooms_retired":  strconv.Itoa(res.RoomsRetired),
			// Rooms purged without the proof key: no longer refused by counsel.
			"rooms_unremembered": strconv.Itoa(res.RoomsUnremembered),
			"session_cutoff":     cutoff,
			"trigger":            trigger,
		}
		if res.KeptTampered > 0 {
			// Due rows not deleted because the trail does not vouch for them.
			details["kept_tampered"] = strconv.Itoa(res.KeptTampered)
			if res.TrailBroken {
				details["kept_reason"] = keptTrailBroken
			}
		}
		if err := appendAudit(ctx, tx, now, audit.ActionPurge, "", details); err != nil {
			return err
		}
		for i, table := range [...]string{tableConsentEvents, tableParticipants, tableSessions, tableConsentEvents, tablePeople, tableWithdrawals, tableRetiredRooms} {
			if err := recordRows(ctx, tx, now, table, changed[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if dryRun && errors.Is(err, errDryRun) {
		return res, nil
	}
	// A purge by hand checkpoints even when nothing was due: it is how the bytes an
	// earlier erasure left behind a reader leave the disk, and it says whether they did.
	if err != nil || (res.Total() == 0 && trigger != "command") {
		return res, err
	}
	res.Checkpointed, err = d.checkpoint(ctx)
	return res, err
}

// checkpoint copies the write-ahead log into the database file and truncates
// it to zero bytes. WAL frames written before an erasure still hold the old
// page images (with the name); secure_delete only zeroes the pages from now
// on, so without this the erased bytes would stay readable in the -wal file
// and in the database file's old pages.
//
// It reports false when another connection's read kept it from completing. A reader (a
// sqlite3 shell with an open transaction, a long export) may hold its snapshot for as long
// as it likes, so the checkpoint waits only checkpointWait for it, not the busy timeout:
// longer would only delay the warning. It runs on one pinned connection, whose normal busy
// timeout is restored before it goes back to the pool. It runs after a commit, so an
// interrupt does not stop it (it is short); any other failure is a *CheckpointError, which
// says the change itself was committed.
func (d *DB) checkpoint(ctx context.Context) (bool, error) {
	ctx = context.WithoutCancel(ctx)
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return false, &CheckpointError{Err: mapErr(err)}
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, busyTimeoutPragma(checkpointWait)); err != nil {
		return false, &CheckpointError{Err: mapErr(err)}
	}
	var busy, logFrames, done int
	cerr := conn.QueryRowContext(ctx, walCheckpoint).Scan(&busy, &logFrames, &done)
	if _, err := conn.ExecContext(ctx, busyTimeoutPragma(busyTimeout)); err != nil {
		// A connection left with the short wait must not serve the statements after this one.
		conn.Raw(func(any) error { return driver.ErrBadConn })
		if cerr == nil {
			cerr = err
		}
	}
	switch {
	case cerr == nil:
		return busy == 0, nil
	case errors.Is(mapErr(cerr), ErrBusy):
		return false, nil // another connection holds a lock the checkpoint needs: as a reader's
	}
	return false, &CheckpointError{Err: mapErr(cerr)}
}

// checkpointWait bounds how long an erasure's or purge's checkpoint waits for the readers of
// other connections (see checkpoint).
const checkpointWait = 1 * time.Second

// walCheckpoint is the checkpoint's statement; a test replaces it to make the checkpoint fail.
var walCheckpoint = "PRAGMA wal_checkpoint(TRUNCATE)"

// CheckpointError means that a change (a withdrawal, a purge) was committed, but the
// checkpoint after it failed: the erased or deleted bytes may still be on disk, in the
// database file or its -wal file, until a later checkpoint.
type CheckpointError struct{ Err error }

func (e *CheckpointError) Error() string { return "checkpoint: " + e.Err.Error() }
func (e *CheckpointError) Unwrap() error { return e.Err }

// pruneAudit removes the oldest audit events, those before cutoff, keeping the trail
// verifiable: it appends a checkpoint event that states the seq and previous hash the
// remaining trail starts from, and carries forward (as record.put events with the same
// digest) the last record event of every row that the removed events bound and no later
// event does, so the records stay proven by what the trail said, not by what the tables hold
// now. The removed events are those up to the first one at or after cutoff (a time written
// out of order never ends retention early). It returns how many were removed and the first
// seq kept.
//
// A session.participant_removed event refuses its session's room to everyone while the session
// is still in that room (checkRoom, leftRoom); when it goes while the session stays, the room
// is remembered by rooms instead. A session that got a new room after the removal is in a room
// the person who left never had: that room is not remembered (the group keeps it), the one
// the person knew was remembered when the change took it out of the store, or is held by the
// group's other dates, whose removals are here.
func pruneAudit(ctx context.Context, tx *sql.Tx, now, cutoff time.Time, rooms *roomRetirer, vouched func() (bool, error)) (removed int, from int64, held bool, err error) {
	removed, from, err = pruneVouched(ctx, tx, now, cutoff, rooms, vouched)
	if errors.Is(err, errUnvouched) {
		return 0, 0, true, nil
	}
	return removed, from, false, err
}

// errUnvouched stops pruneVouched when the chain does not verify.
var errUnvouched = errors.New("the audit chain does not verify")

// pruneVouched is pruneAudit; vouched is asked once events are due, before any is removed.
func pruneVouched(ctx context.Context, tx *sql.Tx, now, cutoff time.Time, rooms *roomRetirer, vouched func() (bool, error)) (int, int64, error) {
	cut := audit.FormatTime(cutoff)
	var first, last sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT min(seq), max(seq) FROM audit_events").Scan(&first, &last); err != nil {
		return 0, 0, err
	}
	if !first.Valid {
		return 0, 0, nil
	}
	end := last.Int64 // the last event removed
	var keep sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT min(seq) FROM audit_events WHERE at >= ?", cut).Scan(&keep); err != nil {
		return 0, 0, err
	}
	if keep.Valid {
		end = keep.Int64 - 1
	}
	if end < first.Int64 {
		return 0, first.Int64, nil
	}
	if ok, err := vouched(); err != nil || !ok {
		return 0, 0, cmp.Or(err, errUnvouched)
	}
	left, err := selectAll(ctx, tx, func(r scanner) (l [2]string, err error) { return l, r.Scan(&l[0], &l[1]) },
		`SELECT DISTINCT s.join_url, s.meeting_id FROM audit_events e JOIN sessions s ON s.id = e.object
		WHERE `+leftRoom+` AND e.seq <= ?`, end)
	if err != nil {
		return 0, 0, err
	}
	for _, l := range left {
		if err := rooms.retire(ctx, tx, now, l[0], l[1], true); err != nil {
			return 0, 0, err
		}
	}
	var prevHash string
	var removed int
	if err := tx.QueryRowContext(ctx, "SELECT hash, (SELECT count(*) FROM audit_events WHERE seq <= ?1) FROM audit_events WHERE seq = ?1", end).
		Scan(&prevHash, &removed); err != nil {
		return 0, 0, err
	}
	// The last record event of each row among the removed ones.
	type recorded struct {
		action, object, details string
	}
	lastOf := make(map[string]recorded)
	if err := eachRow(ctx, tx, func(row scanner) error {
		var r recorded
		var table sql.NullString
		if err := row.Scan(&r.action, &r.object, &r.details, &table); err != nil {
			return err
		}
		lastOf[table.String+"\x00"+r.object] = r
		return nil
	}, `SELECT action, object, details, json_extract(details, '$.table') FROM audit_events
		WHERE seq <= ? AND action IN (?, ?) ORDER BY seq`, end, audit.ActionRecordPut, audit.ActionRecordDeleted); err != nil {
		return 0, 0, err
	}
	// A row recorded again after the cut carries its own event.
	if err := eachRow(ctx, tx, func(row scanner) error {
		var object string
		var table sql.NullString
		if err := row.Scan(&object, &table); err != nil {
			return err
		}
		delete(lastOf, table.String+"\x00"+object)
		return nil
	}, `SELECT object, json_extract(details, '$.table') FROM audit_events
		WHERE seq > ? AND action IN (?, ?)`, end, audit.ActionRecordPut, audit.ActionRecordDeleted); err != nil {
		return 0, 0, err
	}
	keys := make([]string, 0, len(lastOf))
	for k, r := range lastOf {
		if r.action == audit.ActionRecordPut {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if err := appendAudit(ctx, tx, now, audit.ActionAuditCheckpoint, "", map[string]string{
		"from_seq":        strconv.FormatInt(end+1, 10),
		"prev_hash":       prevHash,
		"events_removed":  strconv.Itoa(removed),
		"before":          cut,
		"records_carried": strconv.Itoa(len(keys)),
	}); err != nil {
		return 0, 0, err
	}
	for _, k := range keys {
		r := lastOf[k]
		var det map[string]string
		if err := json.Unmarshal([]byte(r.details), &det); err != nil {
			return 0, 0, fmt.Errorf("audit event of %s: details: %w", r.object, err)
		}
		if err := appendAudit(ctx, tx, now, audit.ActionRecordPut, r.object, det); err != nil {
			return 0, 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM audit_events WHERE seq <= ?", end); err != nil {
		return 0, 0, err
	}
	return removed, end + 1, nil
}
