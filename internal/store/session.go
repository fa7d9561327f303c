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

// Errors of session lookups.
var (
	ErrNotFound  = errors.New("not found")
	ErrAmbiguous = errors.New("matches more than one session; type more of the ID")
	ErrCancelled = errors.New("is already cancelled")
	// ErrStarted means a move of a session that has started: it is the record of a
	// consultation that took place, and a new date would falsify it.
	ErrStarted = errors.New("has already started, so it is the record of a consultation that took place and cannot be moved; nothing was changed")
)

// NewSession is what `session new` stores: one session for one client, or
// (with Clients and Later) a group session, a series, or a series of group
// sessions, all in one room.
type NewSession struct {
	Session    session.Session // ID, ClientName (normalised) and the plan of the first date; Status and CreatedAt are set here
	Notice     consent.Notice  // the consent text the e-mail carries
	RecordedBy string          // the counsellor, from the configuration
	// Clients are the participants' names (normalised), in the order typed,
	// when there are several; empty means Session.ClientName alone. Notices,
	// when given, holds the notice of each client's own e-mail, in the same
	// order; else every client received Notice.
	Clients []string
	Notices []consent.Notice
	// Later are the further dates of a series, each with its own ID and
	// start (the rest is taken from Session); SeriesID names the series.
	Later    []session.Session
	SeriesID string
	// ProofKey matches the name against withdrawal proofs; it is required,
	// so that a missing key can never skip the check (the CLI creates it
	// before the first session). A withdrawn person is refused unless
	// NewConsent.
	ProofKey   []byte
	NewConsent bool
	// WeakRoom: the counsellor kept a guessable hand-given Jitsi room with
	// --allow-weak-room. The trail records that it happened (weak_room=true
	// on the session.created event), never the room.
	WeakRoom bool
}

// clients returns the participants' names and the notice each received.
func (ns NewSession) clients() ([]string, []consent.Notice, error) {
	names := ns.Clients
	if len(names) == 0 {
		names = []string{ns.Session.ClientName}
	}
	notices := ns.Notices
	if len(notices) == 0 {
		for range names {
			notices = append(notices, ns.Notice)
		}
	}
	if len(notices) != len(names) {
		return nil, nil, errors.New("one consent notice per client is needed")
	}
	return names, notices, nil
}

// dates returns every session to store: the first date and the later ones.
func (ns NewSession) dates() []session.Session {
	out := []session.Session{ns.Session}
	for _, l := range ns.Later {
		s := ns.Session
		s.ID, s.Start = l.ID, l.Start
		out = append(out, s)
	}
	for i := range out {
		out[i].SeriesID = ns.SeriesID
		out[i].Participants = len(ns.Clients)
		if out[i].Participants == 0 {
			out[i].Participants = 1
		}
		if out[i].Participants > 1 {
			out[i].ClientName = ""
		}
	}
	return out
}

// ErrSameClientTwice: one person is named twice among a session's clients.
var ErrSameClientTwice = errors.New("the same client is named twice (names compare ignoring case and invisible characters)")

// Created is what CreateSession did.
type Created struct {
	Session  session.Session // the first date
	PersonID string          // the first client
	// NewPerson: the name was not known. Otherwise SpellingDiffers says the
	// known person's name is stored in another spelling (same NameKey).
	NewPerson, SpellingDiffers bool
	// ConsentPending: the first client's consent was pending before this
	// session (see CreatedPerson).
	ConsentPending bool
	// Sessions are all dates stored; People every client, in order.
	Sessions []session.Session
	People   []CreatedPerson
}

// CreatedPerson is one client of a new session.
type CreatedPerson struct {
	ID                         string
	NewPerson, SpellingDiffers bool
	// ConsentPending: a known client whose consent was pending before this
	// session: an invitation was sent, and no agreement and no withdrawal is
	// recorded. A new client is not pending: they had no record yet.
	ConsentPending bool
}

// CreateSession stores the session, the person (found by name key or
// created), a consent notice_sent event and the audit events, in one write
// transaction: the withdrawal check and the creation of the person cannot be
// separated by a concurrent revoke.
func (d *DB) CreateSession(ctx context.Context, ns NewSession) (session.Session, error) {
	c, err := d.CreateSessionFor(ctx, ns)
	return c.Session, err
}

// CreateSessionFor is CreateSession that also says whose the session is.
func (d *DB) CreateSessionFor(ctx context.Context, ns NewSession) (Created, error) {
	var c Created
	err := d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		var err error
		c, err = createSession(ctx, tx, now, ns)
		return err
	})
	if err != nil {
		return Created{}, err
	}
	return c, nil
}

// CheckNewSession refuses what CreateSession would refuse, and stores
// nothing: `session new --dry-run` gives the same answer as the real run,
// including whose the session would be (PersonID empty for a new person).
func (d *DB) CheckNewSession(ctx context.Context, ns NewSession) (Created, error) {
	var c Created
	err := d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		known, err := admitSession(ctx, tx, ns)
		if err != nil {
			return err
		}
		names, _, _ := ns.clients()
		for i, p := range known {
			c.People = append(c.People, CreatedPerson{ID: p.ID, NewPerson: p.ID == "",
				SpellingDiffers: p.ID != "" && p.Name != names[i]})
		}
		c.Session, c.Sessions = ns.Session, ns.dates()
		c.PersonID, c.NewPerson, c.SpellingDiffers = c.People[0].ID, c.People[0].NewPerson, c.People[0].SpellingDiffers
		return nil
	})
	if err != nil {
		return Created{}, err
	}
	return c, nil
}

// admitSession holds every rule a new session must pass against what is
// stored: no client has withdrawn, no client is named twice, and the
// meeting room belongs to no other session or series with other
// participants. It returns the known people (a zero Person for a new name),
// in the order of the clients.
func admitSession(ctx context.Context, tx querier, ns NewSession) ([]consent.Person, error) {
	names, _, err := ns.clients()
	if err != nil {
		return nil, err
	}
	var known []consent.Person
	seen := make(map[string]bool)
	for _, name := range names {
		key := session.NameKey(name)
		if key == "" {
			return nil, fmt.Errorf("the name or pseudonym %w", session.ErrNameEmpty)
		}
		if seen[key] {
			return nil, ErrSameClientTwice
		}
		seen[key] = true
		p, err := personByKey(ctx, tx, key)
		if err != nil && !errors.Is(err, ErrNoPerson) {
			return nil, err
		}
		if p.ID == "" {
			if err := refuseWithdrawn(ctx, tx, name, ns.ProofKey, ns.NewConsent); err != nil {
				return nil, err
			}
		}
		known = append(known, p)
	}
	ids := make([]string, len(known))
	for i, p := range known {
		ids[i] = p.ID
	}
	return known, checkRoom(ctx, tx, ns.ProofKey, ns.Session, ids)
}

// createSession is CreateSession's work inside tx; the fixture generator
// (fixture.go) runs it many times in one transaction.
func createSession(ctx context.Context, tx *sql.Tx, now time.Time, ns NewSession) (Created, error) {
	dates := ns.dates()
	for _, s := range dates {
		if !storable(s.Start) {
			return Created{}, fmt.Errorf("session start: %w", ErrBadTime)
		}
	}
	known, err := admitSession(ctx, tx, ns)
	if err != nil {
		return Created{}, err
	}
	names, notices, err := ns.clients()
	if err != nil {
		return Created{}, err
	}
	var c Created
	rec := &recorder{}
	for i, name := range names {
		person, err := findOrCreatePerson(ctx, tx, rec, now, name, known[i])
		if err != nil {
			return Created{}, err
		}
		cp := CreatedPerson{ID: person.ID, NewPerson: person.Created, SpellingDiffers: person.SpellingDiffers}
		if !person.Created && !known[i].Erased() {
			if cp.ConsentPending, err = consentPending(ctx, tx, person.ID); err != nil {
				return Created{}, err
			}
		}
		c.People = append(c.People, cp)
	}
	for i := range dates {
		s := &dates[i]
		s.Status, s.CreatedAt, s.Sequence = session.Scheduled, now, 0
		var series any
		if s.SeriesID != "" {
			series = s.SeriesID
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sessions
			(id, provider_id, kind, meeting_id, join_url, place, starts_at, timezone, duration_min, status, created_at,
			 sequence, invite_version, series_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
			s.ID, s.ProviderID, s.Kind, s.MeetingID, s.JoinURL, s.Place,
			formatTime(s.Start), s.Timezone, int(s.Duration/time.Minute), string(s.Status), formatTime(now), s.InviteVersion, series)
		if err != nil {
			return Created{}, fmt.Errorf("store session: %w", err)
		}
		detail := map[string]string{"provider": s.ProviderID, "starts_at": formatTime(s.Start),
			"participants": strconv.Itoa(len(c.People))}
		if len(c.People) == 1 {
			detail["person"] = c.People[0].ID
		}
		if s.SeriesID != "" {
			detail["series"] = s.SeriesID
		}
		if ns.WeakRoom {
			detail["weak_room"] = "true"
		}
		if err := appendAudit(ctx, tx, now, audit.ActionSessionCreated, s.ID, detail); err != nil {
			return Created{}, err
		}
		if err := rec.row(ctx, tx, now, tableSessions, s.ID); err != nil {
			return Created{}, err
		}
		for _, p := range c.People {
			if err := addParticipant(ctx, tx, rec, now, s.ID, p.ID); err != nil {
				return Created{}, err
			}
		}
	}
	// One e-mail per client carries the notice for every date: each date
	// records it, so that each date (cancelled, moved, purged on its own)
	// keeps the language and text its e-mails repeat.
	for _, s := range dates {
		for i, p := range c.People {
			if err := noticeSent(ctx, tx, rec, now, p.ID, s.ID, notices[i], ns.RecordedBy); err != nil {
				return Created{}, err
			}
		}
	}
	c.Session, c.Sessions = dates[0], dates
	c.PersonID, c.NewPerson, c.SpellingDiffers = c.People[0].ID, c.People[0].NewPerson, c.People[0].SpellingDiffers
	c.ConsentPending = c.People[0].ConsentPending
	return c, nil
}

// addParticipant links a person to a session, bound to the trail.
func addParticipant(ctx context.Context, tx *sql.Tx, rec *recorder, now time.Time, sessionID, personID string) error {
	id, err := session.NewID()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO session_participants (id, session_id, person_id) VALUES (?, ?, ?)",
		id, sessionID, personID); err != nil {
		return fmt.Errorf("store participant: %w", err)
	}
	return rec.row(ctx, tx, now, tableParticipants, id)
}

// noticeSent records that the e-mail for a session carried the consent
// notice n: the consent event, its audit event and its record binding.
func noticeSent(ctx context.Context, tx *sql.Tx, rec *recorder, now time.Time, personID, sessionID string, n consent.Notice, recordedBy string) error {
	e, err := consent.NoticeEvent(personID, sessionID, n, now, recordedBy)
	if err != nil {
		return err
	}
	if err := insertConsentEvent(ctx, tx, e); err != nil {
		return err
	}
	if err := appendAudit(ctx, tx, now, audit.ActionConsentNoticeSent, e.ID, map[string]string{
		"person": personID, "session": sessionID, "notice_version": n.Version, "notice_hash": n.Hash,
	}); err != nil {
		return err
	}
	return rec.row(ctx, tx, now, tableConsentEvents, e.ID)
}

// SessionFilter selects sessions for ListSessions.
type SessionFilter struct {
	From, To      time.Time // start in [From, To); zero means unbounded
	WithCancelled bool
	Limit         int // 0 means no limit
}

// sessionColumns read a session with what its e-mails repeat: the sequence,
// the invite version, the language and consent version of its last notice,
// and the consent state (withdrawn when erased or withdrawn, given when an
// agreement is recorded, else pending; for a group: given when every
// participant agreed). The client's ID and name only when there is one; then
// the series, the number of participants and how many of them agreed.
const sessionColumns = `s.id,
	CASE WHEN (SELECT count(*) FROM session_participants x WHERE x.session_id = s.id) = 1 THEN
		(SELECT x.person_id FROM session_participants x WHERE x.session_id = s.id)
	ELSE '' END,
	CASE WHEN (SELECT count(*) FROM session_participants x WHERE x.session_id = s.id) = 1 THEN
		COALESCE((SELECT p.name FROM session_participants x JOIN people p ON p.id = x.person_id WHERE x.session_id = s.id), '')
	ELSE '' END,
	s.provider_id, s.kind, s.meeting_id, s.join_url, s.place,
	s.starts_at, s.timezone, s.duration_min, s.status, s.created_at, COALESCE(s.cancelled_at, ''),
	s.sequence, s.invite_version,
	COALESCE((SELECT c.notice_language || char(31) || c.notice_version || char(31) || c.notice_hash FROM consent_events c
		WHERE c.session_id = s.id AND c.event = 'notice_sent' ORDER BY c.timestamp DESC, c.id DESC LIMIT 1), ''),
	CASE WHEN EXISTS (SELECT 1 FROM session_participants x JOIN people p ON p.id = x.person_id WHERE x.session_id = s.id
			AND (p.name IS NULL OR EXISTS (SELECT 1 FROM consent_events c WHERE c.person_id = x.person_id AND c.event = 'withdrawn'))) THEN 'withdrawn'
		WHEN NOT EXISTS (SELECT 1 FROM session_participants x WHERE x.session_id = s.id
			AND NOT EXISTS (SELECT 1 FROM consent_events c WHERE c.person_id = x.person_id AND c.event = 'given')) THEN 'given'
		ELSE 'pending' END,
	COALESCE(s.series_id, ''),
	(SELECT count(*) FROM session_participants x WHERE x.session_id = s.id),
	(SELECT count(*) FROM session_participants x WHERE x.session_id = s.id
		AND EXISTS (SELECT 1 FROM consent_events c WHERE c.person_id = x.person_id AND c.event = 'given'))`

// ListSessions returns sessions ordered by start, and whether more matched
// than the limit allowed.
func (d *DB) ListSessions(ctx context.Context, f SessionFilter) ([]session.Session, bool, error) {
	var c conds
	c.startsWithin(f.From, f.To)
	if !f.WithCancelled {
		c.add("s.status = 'scheduled'")
	}
	q := "SELECT " + sessionColumns + " FROM sessions s" + c.clause()
	q += " ORDER BY s.starts_at, s.id"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit+1) // one more tells whether more exist
	}
	out, err := selectAll(ctx, d.db, scanSession, q, c.args...)
	if err != nil {
		return nil, false, mapErr(err)
	}
	more := f.Limit > 0 && len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, nil
}

// FindSession finds a session by its full ID, a unique prefix of it, or its
// short form (the last characters, as shown in lists).
func (d *DB) FindSession(ctx context.Context, ref string) (session.Session, error) {
	return findSession(ctx, d.db, ref)
}

func findSession(ctx context.Context, q querier, ref string) (session.Session, error) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	// Only something shaped like an ID is looked up or repeated in an error:
	// anything else may be a client's name typed in the wrong place.
	if !idShaped(ref) {
		return session.Session{}, fmt.Errorf("no session has that ID (an ID has at least 4 of the characters 0-9, a-f and -): %w", ErrNotFound)
	}
	// The full ID, its beginning, or (as lists show the last characters) the
	// short ID or its beginning.
	found, err := selectAll(ctx, q, scanSession, "SELECT "+sessionColumns+` FROM sessions s
		WHERE s.id LIKE ?1 || '%' OR substr(s.id, -?2) LIKE ?1 || '%' LIMIT 2`, ref, session.ShortIDLen)
	if err != nil {
		return session.Session{}, mapErr(err)
	}
	switch len(found) {
	case 0:
		return session.Session{}, fmt.Errorf("session %s: %w", ref, ErrNotFound)
	case 1:
		return found[0], nil
	}
	return session.Session{}, fmt.Errorf("session %s %w", ref, ErrAmbiguous)
}

// idShaped reports whether ref (lower case) could be an ID or the beginning
// of one: at least 4 of the characters 0-9, a-f and -.
func idShaped(ref string) bool {
	return len(ref) >= 4 && strings.Trim(ref, "0123456789abcdef-") == ""
}

// CancelSession marks a scheduled session cancelled and records it.
func (d *DB) CancelSession(ctx context.Context, ref string) (session.Session, error) {
	return d.cancelSession(ctx, ref, -1)
}

// cancelSession cancels; seq >= 0 requires the session's sequence to be seq.
func (d *DB) cancelSession(ctx context.Context, ref string, seq int) (session.Session, error) {
	var s session.Session
	err := d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		var err error
		if s, err = findSession(ctx, tx, ref); err != nil {
			return err
		}
		if err := checkRowUnchanged(ctx, tx, tableSessions, s.ID); err != nil {
			return err
		}
		if s.Status == session.Cancelled {
			return fmt.Errorf("session %s %w", session.ShortID(s.ID), ErrCancelled)
		}
		if seq >= 0 && s.Sequence != seq {
			return fmt.Errorf("session %s %w", session.ShortID(s.ID), ErrChanged)
		}
		// The cancellation goes to the client's calendar as the next change
		// of the event (a higher SEQUENCE under the same UID).
		if _, err := tx.ExecContext(ctx, "UPDATE sessions SET status = 'cancelled', cancelled_at = ?, sequence = sequence + 1 WHERE id = ?",
			formatTime(now), s.ID); err != nil {
			return err
		}
		s.Status, s.CancelledAt = session.Cancelled, now
		s.Sequence++
		if err := appendAudit(ctx, tx, now, audit.ActionSessionCancelled, s.ID, map[string]string{
			"reason": "counsellor", "sequence": strconv.Itoa(s.Sequence)}); err != nil {
			return err
		}
		return recordRow(ctx, tx, now, tableSessions, s.ID)
	})
	return s, err
}

// ErrChanged means the session changed between reading it and writing the
// move (another counsel moved or cancelled it): nothing was stored.
var ErrChanged = errors.New("was changed by another counsel meanwhile; nothing was stored, run the command again")

// Move is what `session move` stores.
type Move struct {
	Ref string // the session, as FindSession takes it
	// Sequence is the session's sequence when it was read for the plan; the
	// move is refused if it changed since (ErrChanged).
	Sequence   int
	Start      time.Time
	Duration   time.Duration
	Notice     consent.Notice // the consent text the updated invitation carries
	Version    string         // invite template version of the updated invitation
	RecordedBy string
}

// MoveSession gives a scheduled session that has not started a new start and length, counts the
// change (sequence + 1, the updated invitation's SEQUENCE), records the
// notice the updated invitation carries, and writes the audit events, in
// one transaction. It returns the session as it was and as it is now.
func (d *DB) MoveSession(ctx context.Context, m Move) (before, after session.Session, err error) {
	if !storable(m.Start) {
		return before, after, fmt.Errorf("session start: %w", ErrBadTime)
	}
	err = d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		var err error
		before, after, err = moveSession(ctx, tx, now, m)
		return err
	})
	return before, after, err
}

// MoveSessions moves several sessions (the dates of a series) in one transaction: all of them
// or, when one is refused, none.
func (d *DB) MoveSessions(ctx context.Context, moves []Move) error {
	for _, m := range moves {
		if !storable(m.Start) {
			return fmt.Errorf("session start: %w", ErrBadTime)
		}
	}
	return d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		for _, m := range moves {
			if _, _, err := moveSession(ctx, tx, now, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// PlanSeriesMove returns the dates of s's series that 'session move --series' moves: s and
// every later date still scheduled.
func (d *DB) PlanSeriesMove(ctx context.Context, s session.Session) ([]session.Session, error) {
	return seriesDatesFrom(ctx, d.db, s.ID, s.Start)
}

func moveSession(ctx context.Context, tx *sql.Tx, now time.Time, m Move) (before, after session.Session, err error) {
	if before, err = findSession(ctx, tx, m.Ref); err != nil {
		return before, after, err
	}
	// Before the rules below, which read the row: an edit must not get round them either.
	if err := checkRowUnchanged(ctx, tx, tableSessions, before.ID); err != nil {
		return before, after, err
	}
	if before.Status == session.Cancelled {
		return before, after, fmt.Errorf("session %s %w", session.ShortID(before.ID), ErrCancelled)
	}
	// Checked here, with the transaction's clock, whatever the caller checked before.
	if before.Start.Before(now) {
		return before, after, fmt.Errorf("session %s %w", session.ShortID(before.ID), ErrStarted)
	}
	if before.Sequence != m.Sequence {
		return before, after, fmt.Errorf("session %s %w", session.ShortID(before.ID), ErrChanged)
	}
	res, err := tx.ExecContext(ctx, `UPDATE sessions SET starts_at = ?, duration_min = ?, sequence = sequence + 1,
		invite_version = ? WHERE id = ? AND sequence = ? AND status = 'scheduled'`,
		formatTime(m.Start), int(m.Duration/time.Minute), m.Version, before.ID, m.Sequence)
	if err != nil {
		return before, after, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return before, after, fmt.Errorf("session %s %w", session.ShortID(before.ID), ErrChanged)
	}
	after = before
	after.Start, after.Duration, after.Sequence, after.InviteVersion = m.Start.UTC(), m.Duration, before.Sequence+1, m.Version
	after.Lang, after.NoticeVersion = m.Notice.Language, m.Notice.Version
	people, err := selectStrings(ctx, tx, "SELECT person_id FROM session_participants WHERE session_id = ? ORDER BY id", before.ID)
	if err != nil {
		return before, after, err
	}
	if err := appendAudit(ctx, tx, now, audit.ActionSessionMoved, before.ID, map[string]string{
		"from": formatTime(before.Start), "starts_at": formatTime(m.Start),
		"duration_min": strconv.Itoa(int(m.Duration / time.Minute)), "sequence": strconv.Itoa(after.Sequence),
	}); err != nil {
		return before, after, err
	}
	if err := recordRow(ctx, tx, now, tableSessions, before.ID); err != nil {
		return before, after, err
	}
	// The updated invitation carries the notice again: what it said is
	// recorded like the first one, so it stays provable; in a group, for
	// every participant (each gets their own updated invitation).
	for _, personID := range people {
		if err := noticeSent(ctx, tx, &recorder{}, now, personID, before.ID, m.Notice, m.RecordedBy); err != nil {
			return before, after, err
		}
	}
	return before, after, nil
}

func scanSession(r scanner) (session.Session, error) {
	var s session.Session
	var start, created, cancelled, status, notice string
	var mins int
	if err := r.Scan(&s.ID, &s.PersonID, &s.ClientName, &s.ProviderID, &s.Kind, &s.MeetingID, &s.JoinURL, &s.Place,
		&start, &s.Timezone, &mins, &status, &created, &cancelled,
		&s.Sequence, &s.InviteVersion, &notice, &s.Consent, &s.SeriesID, &s.Participants, &s.Agreed); err != nil {
		return s, mapErr(err)
	}
	if parts := strings.Split(notice, "\x1f"); len(parts) == 3 {
		s.Lang, s.NoticeVersion, s.NoticeHash = parts[0], parts[1], parts[2]
	}
	// A damaged time reads as zero (see readTime): the session still shows,
	// can be cancelled and goes with its person's withdrawal.
	s.Start, s.CreatedAt = readTime(start), readTime(created)
	if cancelled != "" {
		s.CancelledAt = readTime(cancelled)
	}
	s.Duration = time.Duration(mins) * time.Minute
	s.Status = session.Status(status)
	return s, nil
}

// consentPending reports whether the person's consent is pending: an
// invitation was sent, no agreement and no withdrawal is recorded.
func consentPending(ctx context.Context, tx querier, personID string) (bool, error) {
	var pending bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM consent_events WHERE person_id = ?1 AND event = 'notice_sent')
		AND NOT EXISTS (SELECT 1 FROM consent_events WHERE person_id = ?1 AND event IN ('given', 'withdrawn'))`, personID).Scan(&pending)
	return pending, err
}

// CancelSessionAt cancels like CancelSession, but only if the session's
// sequence is still seq (what the cancellation e-mail was written for);
// otherwise nothing is stored and the error wraps ErrChanged.
func (d *DB) CancelSessionAt(ctx context.Context, ref string, seq int) (session.Session, error) {
	return d.cancelSession(ctx, ref, seq)
}
