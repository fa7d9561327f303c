package consent

import "time"

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
