package consent

import (
	"time"

	"github.com/expeerienced/counsel/internal/session"
)

// Person is one person a consent record belongs to. Name is empty once erased.
type Person struct {
	ID        string
	Name      string
	CreatedAt time.Time
	ErasedAt  time.Time // zero unless erased
}

// Erased reports whether the name was erased after a withdrawal.
func (p Person) Erased() bool { return !p.ErasedAt.IsZero() || (p.ID != "" && p.Name == "") }

// ConsentEvent is one appended entry of a person's consent record.
type ConsentEvent struct {
	ID               string
	PersonID         string
	SessionID        string // empty for events about the person, not a session
	Event            string // NoticeSent, Given or Withdrawn
	Timestamp        time.Time
	Jurisdiction     string
	LegalBasis       string
	Purpose          string
	NoticeLanguage   string
	NoticeVersion    string
	NoticeHash       string
	CollectionMethod string
	RecordedBy       string
}

// Withdrawal is the proof entry that remains after a withdrawal.
type Withdrawal struct {
	ID           string
	SubjectHMAC  string
	WithdrawnAt  time.Time
	NoticeHashes []string
	RetainUntil  time.Time
}

// LastWithdrawal is the latest of ws (which are in the order they were
// made); ok is false when ws is empty.
func LastWithdrawal(ws []Withdrawal) (Withdrawal, bool) {
	if len(ws) == 0 {
		return Withdrawal{}, false
	}
	return ws[len(ws)-1], true
}

// NoticeEvent is the record that a person was sent notice n with the
// invitation to a session, at at.
func NoticeEvent(personID, sessionID string, n Notice, at time.Time, recordedBy string) (ConsentEvent, error) {
	return newEvent(ConsentEvent{PersonID: personID, SessionID: sessionID, Event: NoticeSent, Timestamp: at,
		NoticeLanguage: n.Language, NoticeVersion: n.Version, NoticeHash: n.Hash, RecordedBy: recordedBy})
}

// GivenEvent is the record that a person gave consent at at, by method
// (a collection method, see ParseMethod), to notice n: the text they last
// received (NoticeBefore).
func GivenEvent(personID string, n Notice, method string, at time.Time, recordedBy string) (ConsentEvent, error) {
	return newEvent(ConsentEvent{PersonID: personID, Event: Given, Timestamp: at,
		NoticeLanguage: n.Language, NoticeVersion: n.Version, NoticeHash: n.Hash,
		CollectionMethod: method, RecordedBy: recordedBy})
}

// newEvent gives e its ID and the facts every consent counsel records shares.
func newEvent(e ConsentEvent) (ConsentEvent, error) {
	id, err := session.NewID()
	if err != nil {
		return ConsentEvent{}, err
	}
	e.ID, e.Jurisdiction, e.LegalBasis, e.Purpose = id, Jurisdiction, LegalBasis, Purpose
	return e, nil
}

// NoticeBefore is the consent text a person last received at or before at,
// of their events in time order: what consent given at at agreed to. It is
// zero when no notice was sent before.
func NoticeBefore(events []ConsentEvent, at time.Time) Notice {
	var n Notice
	for _, e := range events {
		if e.Event == NoticeSent && !e.Timestamp.After(at) {
			n = Notice{Language: e.NoticeLanguage, Version: e.NoticeVersion, Hash: e.NoticeHash}
		}
	}
	return n
}
