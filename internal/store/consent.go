package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
)

// Errors of the consent use cases. None of them repeats a name.
var (
	// ErrNoPerson: no person has this name (or the session ID is unknown).
	ErrNoPerson = errors.New("no person with this name or session ID")
	// ErrWithdrawn: the person withdrew consent; see WithdrawnError.
	ErrWithdrawn = errors.New("this person withdrew consent")
	// ErrAmbiguousPerson: the argument is one person's name and another
	// person's session ID.
	ErrAmbiguousPerson = errors.New("the argument names different people (as a name, a person ID or a session ID)")
)

// WithdrawnError says when the person withdrew. errors.Is(err, ErrWithdrawn).
type WithdrawnError struct{ At time.Time }

func (e *WithdrawnError) Error() string {
	// One format string, so that the German catalogue finds the message.
	return fmt.Sprintf("this person withdrew consent on %s", e.At.UTC().Format("2006-01-02"))
}

// Is makes errors.Is(err, ErrWithdrawn) hold.
func (e *WithdrawnError) Is(target error) bool { return target == ErrWithdrawn }

// Subject is everything stored about one person, as found by a name (and
// the proof key) or a session ID.
type Subject struct {
	Person   consent.Person // zero when only withdrawal proofs match
	Sessions []session.Session
	Events   []consent.ConsentEvent
	// Withdrawals are proof entries whose keyed hash matches the name. A
	// person who withdrew and later gave fresh consent has both.
	Withdrawals []consent.Withdrawal
	// ByID is true when the argument was the person's ID, not their name.
	ByID bool
}

// Found reports whether anything at all is stored about the subject.
func (s Subject) Found() bool { return s.Person.ID != "" || len(s.Withdrawals) > 0 }

// SubjectQuery names a person: by normalised name, or by a reference that
// may also be a session ID.
type SubjectQuery struct {
	Ref          string // as typed
	AllowSession bool   // Ref may be a session ID
	ProofKey     []byte // nil when there is no key file: proofs cannot be matched
}

// FindSubject returns everything stored about a person. When nothing
// matches it returns ErrNoPerson.
func (d *DB) FindSubject(ctx context.Context, q SubjectQuery) (Subject, error) {
	var s Subject
	err := d.inTx(ctx, func(tx *sql.Tx, _ time.Time) error {
		var err error
		s, err = findSubject(ctx, tx, q)
		return err
	})
	return s, err
}

func findSubject(ctx context.Context, tx querier, q SubjectQuery) (Subject, error) {
	var s Subject
	name, nameErr := session.NormaliseName(q.Ref)
	var byName, bySession consent.Person
	if nameErr == nil {
		p, err := personByKey(ctx, tx, session.NameKey(name))
		if err != nil && !errors.Is(err, ErrNoPerson) {
			return s, err
		}
		byName = p
	}
	if q.AllowSession {
		p, err := personBySession(ctx, tx, q.Ref)
		switch {
		case err == nil:
			bySession = p
		case errors.Is(err, ErrNotFound):
		case errors.Is(err, ErrAmbiguous):
			if byName.ID == "" {
				// findSession's message repeats the argument, which may be a name.
				return s, fmt.Errorf("the session ID %w", ErrAmbiguous)
			}
		default:
			return s, err
		}
	}
	byID, idErr := personByIDRef(ctx, tx, q.Ref)
	if idErr != nil && !errors.Is(idErr, ErrNoPerson) {
		return s, idErr
	}
	for _, p := range []consent.Person{byName, bySession, byID} {
		switch {
		case p.ID == "":
		case s.Person.ID == "":
			s.Person = p
		case s.Person.ID != p.ID:
			return Subject{}, ErrAmbiguousPerson
		}
	}
	s.ByID = byID.ID != "" && byName.ID == ""
	if nameErr == nil && q.ProofKey != nil {
		var err error
		if s.Withdrawals, err = withdrawalsByName(ctx, tx, q.ProofKey, name); err != nil {
			return s, err
		}
	}
	if !s.Found() {
		return s, ErrNoPerson
	}
	if s.Person.ID == "" {
		return s, nil
	}
	var err error
	if s.Sessions, err = sessionsOfPerson(ctx, tx, s.Person.ID); err != nil {
		return s, err
	}
	s.Events, err = consentEventsOfPerson(ctx, tx, s.Person.ID)
	return s, err
}

const personColumns = "id, COALESCE(name, ''), created_at, COALESCE(erased_at, '')"

func scanPerson(r scanner) (consent.Person, error) {
	var p consent.Person
	var created, erased string
	if err := r.Scan(&p.ID, &p.Name, &created, &erased); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return p, ErrNoPerson
		}
		return p, err
	}
	p.CreatedAt = readTime(created)
	if erased != "" {
		p.ErasedAt = readTime(erased)
	}
	return p, nil
}

func personByID(ctx context.Context, tx querier, id string) (consent.Person, error) {
	return scanPerson(tx.QueryRowContext(ctx, "SELECT "+personColumns+" FROM people WHERE id = ?", id))
}

// personByIDRef finds a person by their full ID or their short ID (as
// session list shows it). Unlike session IDs, no shorter beginning is taken:
// a name can look like one (Bede, Cafe), and a person must not be mistaken.
func personByIDRef(ctx context.Context, tx querier, ref string) (consent.Person, error) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if !idShaped(ref) || (len(ref) != session.ShortIDLen && len(ref) != 36) {
		return consent.Person{}, ErrNoPerson
	}
	ids, err := selectStrings(ctx, tx, "SELECT id FROM people WHERE id = ?1 OR substr(id, -?2) = ?1 LIMIT 2", ref, session.ShortIDLen)
	if err != nil {
		return consent.Person{}, err
	}
	switch len(ids) {
	case 0:
		return consent.Person{}, ErrNoPerson
	case 1:
		return personByID(ctx, tx, ids[0])
	}
	return consent.Person{}, ErrAmbiguousPerson
}

// ErrGroupSession: a session ID was given for a person, but the session has
// several participants.
var ErrGroupSession = errors.New("is a group session; name the person instead of the session")

func personBySession(ctx context.Context, tx querier, ref string) (consent.Person, error) {
	s, err := findSession(ctx, tx, ref)
	if err != nil {
		return consent.Person{}, err
	}
	if s.IsGroup() {
		return consent.Person{}, fmt.Errorf("session %s %w", session.ShortID(s.ID), ErrGroupSession)
	}
	return scanPerson(tx.QueryRowContext(ctx, "SELECT "+personColumns+
		" FROM people WHERE id = (SELECT person_id FROM session_participants WHERE session_id = ?)", s.ID))
}

func sessionsOfPerson(ctx context.Context, tx querier, personID string) ([]session.Session, error) {
	return selectAll(ctx, tx, scanSession, "SELECT "+sessionColumns+` FROM sessions s
		WHERE s.id IN (SELECT session_id FROM session_participants WHERE person_id = ?) ORDER BY s.starts_at, s.id`, personID)
}

const consentColumns = `id, person_id, COALESCE(session_id, ''), event, timestamp, jurisdiction, legal_basis,
	purpose, notice_language, notice_version, notice_hash, collection_method, recorded_by`

func consentEventsOfPerson(ctx context.Context, tx querier, personID string) ([]consent.ConsentEvent, error) {
	return selectAll(ctx, tx, scanConsentEvent, "SELECT "+consentColumns+
		" FROM consent_events WHERE person_id = ? ORDER BY timestamp, id", personID)
}

func scanConsentEvent(r scanner) (consent.ConsentEvent, error) {
	var e consent.ConsentEvent
	var ts string
	err := r.Scan(&e.ID, &e.PersonID, &e.SessionID, &e.Event, &ts, &e.Jurisdiction, &e.LegalBasis,
		&e.Purpose, &e.NoticeLanguage, &e.NoticeVersion, &e.NoticeHash, &e.CollectionMethod, &e.RecordedBy)
	e.Timestamp = readTime(ts)
	return e, err
}

// withdrawalsByName finds the withdrawal proofs of a name (normalised,
// session.NormaliseName), under every hash consent.ProofSubjects says one may
// be stored by.
func withdrawalsByName(ctx context.Context, tx querier, proofKey []byte, name string) ([]consent.Withdrawal, error) {
	subjects, err := consent.ProofSubjects(proofKey, name)
	if err != nil {
		return nil, err
	}
	return selectAll(ctx, tx, scanWithdrawal, `SELECT id, subject_hmac, withdrawn_at, notice_hashes, retain_until
		FROM withdrawals WHERE subject_hmac IN (?, ?) ORDER BY withdrawn_at, id`, subjects[0], subjects[1])
}

func scanWithdrawal(r scanner) (consent.Withdrawal, error) {
	var w consent.Withdrawal
	var at, until, hashes string
	err := r.Scan(&w.ID, &w.SubjectHMAC, &at, &hashes, &until)
	w.WithdrawnAt, w.RetainUntil = readTime(at), readTime(until)
	w.NoticeHashes = consent.SplitNoticeHashes(hashes)
	return w, err
}

// refuseWithdrawn is CreateSession's guard (design rule 3) for a name no
// live person has: when a withdrawal proof matches it, no new session is
// made unless the counsellor starts a fresh consent. (A person who came back
// with fresh consent has a live row again and is not asked.) The proof key is
// required: without it a withdrawal could not be seen, so the check fails
// rather than pass.
func refuseWithdrawn(ctx context.Context, tx querier, name string, key []byte, newConsent bool) error {
	if len(key) != consent.KeySize {
		return fmt.Errorf("withdrawals cannot be checked: %w", consent.ErrKeySize)
	}
	if newConsent {
		return nil
	}
	ws, err := withdrawalsByName(ctx, tx, key, name)
	if err != nil {
		return err
	}
	if w, ok := consent.LastWithdrawal(ws); ok {
		return &WithdrawnError{At: w.WithdrawnAt}
	}
	return nil
}

// Confirmation is a `given` event to record.
type Confirmation struct {
	Name       string    // the person, as typed
	Method     string    // consent.Method*
	At         time.Time // when consent was given; zero means now
	RecordedBy string    // the counsellor
	ProofKey   []byte    // to tell a withdrawn person from an unknown one; may be nil
}

// ConfirmConsent appends a `given` event to a person's consent record, with
// its audit event. The person must have a session (that is where the record
// starts) and must not have withdrawn.
func (d *DB) ConfirmConsent(ctx context.Context, c Confirmation) (consent.ConsentEvent, error) {
	var e consent.ConsentEvent
	method, err := consent.ParseMethod(c.Method)
	if err != nil {
		return e, err
	}
	err = d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		s, err := findSubject(ctx, tx, SubjectQuery{Ref: c.Name, ProofKey: c.ProofKey})
		if err != nil {
			return err
		}
		if s.Person.ID == "" {
			w, _ := consent.LastWithdrawal(s.Withdrawals)
			return &WithdrawnError{At: w.WithdrawnAt}
		}
		// An erased person's row, named by its ID, stays only for the sessions
		// that had started; fresh consent starts a new record instead.
		if s.Person.Erased() {
			return &WithdrawnError{At: s.Person.ErasedAt}
		}
		at := c.At.UTC().Truncate(time.Second)
		if c.At.IsZero() {
			at = now
		}
		if at.After(now) {
			return errors.New("consent cannot be given in the future")
		}
		// The notice the person last received is what they agreed to.
		if e, err = consent.GivenEvent(s.Person.ID, consent.NoticeBefore(s.Events, at), method, at, c.RecordedBy); err != nil {
			return err
		}
		return consentGiven(ctx, tx, now, e)
	})
	return e, err
}

// consentGiven stores a `given` event with its audit event and record binding.
func consentGiven(ctx context.Context, tx *sql.Tx, now time.Time, e consent.ConsentEvent) error {
	if err := insertConsentEvent(ctx, tx, e); err != nil {
		return err
	}
	details := map[string]string{"person": e.PersonID, "method": e.CollectionMethod, "given_at": formatTime(e.Timestamp)}
	if e.NoticeHash != "" {
		details["notice_hash"] = e.NoticeHash
	}
	if err := appendAudit(ctx, tx, now, audit.ActionConsentGiven, e.ID, details); err != nil {
		return err
	}
	return recordRow(ctx, tx, now, tableConsentEvents, e.ID)
}

func insertConsentEvent(ctx context.Context, tx querier, e consent.ConsentEvent) error {
	var sessionID any
	if e.SessionID != "" {
		sessionID = e.SessionID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO consent_events
		(id, person_id, session_id, event, timestamp, jurisdiction, legal_basis, purpose,
		 notice_language, notice_version, notice_hash, collection_method, recorded_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.PersonID, sessionID, e.Event, formatTime(e.Timestamp), e.Jurisdiction, e.LegalBasis, e.Purpose,
		e.NoticeLanguage, e.NoticeVersion, e.NoticeHash, e.CollectionMethod, e.RecordedBy)
	if err != nil {
		return fmt.Errorf("store consent event: %w", err)
	}
	return nil
}

// Revocation is a withdrawal to carry out.
type Revocation struct {
	PersonID       string         // from FindSubject: the person the counsellor confirmed
	ProofKey       []byte         // consent.KeySize bytes
	RetentionYears int            // config retention_consent_years
	Location       *time.Location // the counsellor's time zone, for "end of the year"
	// NewJoinURL makes a new room for a Jitsi group session the person
	// leaves before it took place (they know the old link); nil keeps the
	// rooms. It is called once per room, for the session given.
	NewJoinURL func(s session.Session) (string, error)
}

// GroupLeft is a group session still to come that the withdrawing person
// left: the others keep it. For Jitsi, with Revocation.NewJoinURL, the
// session has a new room (OldJoinURL was the one the person knew); for
// Blizz the meeting stays and its password must change.
type GroupLeft struct {
	Session    session.Session  // as it is now: participants counted without the person
	OldJoinURL string           // the room before (equal to Session.JoinURL when kept)
	Remaining  []consent.Person // the participants who stay, for their new invitations
}

// RoomChanged reports whether the withdrawal gave the session a new room.
func (g GroupLeft) RoomChanged() bool { return g.OldJoinURL != g.Session.JoinURL }

// Revoked is what a withdrawal did.
type Revoked struct {
	PersonID string
	Plan     consent.RevokePlan // sessions of the person alone: deleted and kept, as carried out
	// PastGroups counts the group sessions held before that the person left
	// (the others keep them); Groups are the group sessions still to come.
	PastGroups    int
	Groups        []GroupLeft
	EventsDeleted int
	// PersonDeleted: no session was kept, so the person's row went too;
	// otherwise it stays without name.
	PersonDeleted bool
	// RoomsRetired counts the rooms the withdrawal took out of the store
	// (the deleted sessions', a group's old room), now kept as keyed digests
	// that refuse them to every later session (retired_rooms).
	RoomsRetired int
	Withdrawal   consent.Withdrawal
	// Checkpointed is false when another process kept the write-ahead log
	// busy: the erased bytes then stay on disk (in the database file or its
	// -wal file) until a later checkpoint completes (`counsel purge` once that
	// process has closed). A checkpoint that failed outright is also false,
	// with a *CheckpointError: the withdrawal itself is committed.
	Checkpointed bool
}

// RevokeConsent carries out a withdrawal in one transaction: the consent
// events are folded into a withdrawal proof and deleted, sessions that have
// not started are deleted, and the name is erased from the person's row (the
// sessions that have started stay, anonymised). Then the write-ahead
// log is checkpointed and truncated so that the erased bytes leave the disk
// (see docs/data-protection.md, "Physical erasure").
func (d *DB) RevokeConsent(ctx context.Context, r Revocation) (Revoked, error) {
	res := Revoked{PersonID: r.PersonID}
	proofs := consent.Proofs{Key: r.ProofKey, RetentionYears: r.RetentionYears, Location: r.Location}
	if err := proofs.Check(); err != nil {
		return res, err
	}
	err := d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		p, err := personByID(ctx, tx, r.PersonID)
		if err != nil {
			return err
		}
		if p.Erased() {
			return &WithdrawnError{At: p.ErasedAt}
		}
		sessions, err := sessionsOfPerson(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		var solo, groups []session.Session
		for _, s := range sessions {
			if s.IsGroup() {
				groups = append(groups, s)
			} else {
				solo = append(solo, s)
			}
		}
		res.Plan = consent.PlanRevoke(solo, now)
		rooms, err := newRoomRetirer(r.ProofKey, now, r.RetentionYears, r.Location)
		if err != nil {
			return err
		}
		if err := leaveGroups(ctx, tx, now, p.ID, groups, r.NewJoinURL, rooms, &res); err != nil {
			return err
		}
		events, err := consentEventsOfPerson(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		var eventIDs []string
		for _, e := range events {
			eventIDs = append(eventIDs, e.ID)
		}
		// The proof is consent's to make; the store only keeps it.
		if res.Withdrawal, err = proofs.Withdraw(p, events, now); err != nil {
			return err
		}
		w := res.Withdrawal
		if _, err := tx.ExecContext(ctx, `INSERT INTO withdrawals (id, subject_hmac, withdrawn_at, notice_hashes, retain_until)
			VALUES (?, ?, ?, ?, ?)`, w.ID, w.SubjectHMAC, formatTime(w.WithdrawnAt), strings.Join(w.NoticeHashes, ","),
			formatTime(w.RetainUntil)); err != nil {
			return fmt.Errorf("store withdrawal proof: %w", err)
		}
		if err := noteOverwritten(ctx, tx, now, tableConsentEvents, eventIDs...); err != nil {
			return err
		}
		del, err := tx.ExecContext(ctx, "DELETE FROM consent_events WHERE person_id = ?", p.ID)
		if err != nil {
			return fmt.Errorf("delete consent events: %w", err)
		}
		n, _ := del.RowsAffected()
		res.EventsDeleted = int(n)
		// Sessions that have not started go with their meeting IDs and links
		// (their consent events went just above); nothing is a reason to keep
		// them. A trail event says each went, by ID.
		var deleted []string
		var links []string
		for _, s := range res.Plan.Delete {
			ids, err := selectStrings(ctx, tx, "SELECT id FROM session_participants WHERE session_id = ?", s.ID)
			if err != nil {
				return err
			}
			links = append(links, ids...)
			if err := noteOverwritten(ctx, tx, now, tableParticipants, ids...); err != nil {
				return err
			}
			if err := noteOverwritten(ctx, tx, now, tableSessions, s.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM session_participants WHERE session_id = ?", s.ID); err != nil {
				return fmt.Errorf("delete session %s: %w", s.ID, err)
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", s.ID); err != nil {
				return fmt.Errorf("delete session %s: %w", s.ID, err)
			}
			if err := appendAudit(ctx, tx, now, audit.ActionSessionDeleted, s.ID,
				map[string]string{"reason": "consent_withdrawn", "person": p.ID}); err != nil {
				return err
			}
			deleted = append(deleted, s.ID)
		}
		// The person keeps the links of the deleted sessions: their rooms are
		// remembered so that no other session gets them.
		for _, s := range res.Plan.Delete {
			if err := rooms.retire(ctx, tx, now, s.JoinURL, s.MeetingID, false); err != nil {
				return err
			}
		}
		res.RoomsRetired = rooms.Remembered
		// The name's digest key goes with the name (and its comparison key):
		// the trail's digest of the name can no longer be tested against guesses.
		// Without a session left, the row itself has no reason to stay.
		erase := "UPDATE people SET name = NULL, name_key = NULL, name_digest_key = NULL, erased_at = ?1 WHERE id = ?2"
		if res.PersonDeleted = len(res.Plan.Keep) == 0; res.PersonDeleted {
			erase = "DELETE FROM people WHERE id = ?2"
		}
		if err := noteOverwritten(ctx, tx, now, tablePeople, p.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, erase, formatTime(now), p.ID); err != nil {
			return fmt.Errorf("erase name: %w", err)
		}
		if err := appendAudit(ctx, tx, now, audit.ActionConsentWithdrawn, p.ID, map[string]string{
			"sessions_deleted":       fmt.Sprint(len(res.Plan.Delete)),
			"sessions_anonymised":    fmt.Sprint(len(res.Plan.Keep)),
			"group_sessions_left":    fmt.Sprint(res.PastGroups + len(res.Groups)),
			"consent_events_deleted": fmt.Sprint(res.EventsDeleted),
			"person_deleted":         fmt.Sprint(res.PersonDeleted),
			"rooms_retired":          fmt.Sprint(res.RoomsRetired),
		}); err != nil {
			return err
		}
		// The proof is a record like any other, so it is bound by its ID. Its
		// withdrawn_at equals the person's erased_at in the tables anyway, so the
		// ID in the trail links nothing that the times do not.
		if err := recordRows(ctx, tx, now, tableConsentEvents, eventIDs); err != nil {
			return err
		}
		if err := recordRows(ctx, tx, now, tableParticipants, links); err != nil {
			return err
		}
		if err := recordRows(ctx, tx, now, tableSessions, deleted); err != nil {
			return err
		}
		if err := recordRow(ctx, tx, now, tableWithdrawals, res.Withdrawal.ID); err != nil {
			return err
		}
		return recordRow(ctx, tx, now, tablePeople, p.ID)
	})
	if err != nil {
		return res, err
	}
	res.Checkpointed, err = d.checkpoint(ctx)
	return res, err
}

// ExportSubject hands everything stored about one person to write (GDPR
// Art. 15) and records the export in the audit trail, in one transaction:
// if write fails, no event is recorded. to says where the data went
// ("file" or "stdout"); the event holds IDs and counts only.
func (d *DB) ExportSubject(ctx context.Context, q SubjectQuery, to string, write func(s Subject, now time.Time) error) error {
	return d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		s, err := findSubject(ctx, tx, q)
		if err != nil {
			return err
		}
		if err := write(s, now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, now, audit.ActionExportSubject, s.Person.ID, map[string]string{
			"sessions":       fmt.Sprint(len(s.Sessions)),
			"consent_events": fmt.Sprint(len(s.Events)),
			"withdrawals":    fmt.Sprint(len(s.Withdrawals)),
			"output":         to,
			"format":         "json",
		})
	})
}
