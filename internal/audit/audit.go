// Package audit defines the hash-chained audit event and verifies chains of them.
//
// Every change to the records (a session created or cancelled, a consent event, a purge, an
// export) becomes one Event, written in the same transaction as the change. Events hold IDs and
// counts only: never a name, pseudonym, e-mail address or meeting link, because the trail is
// shown to auditors who must not learn who attends counselling. Validate enforces what it can.
//
// Each event's Hash is the SHA-256 of a canonical encoding of its fields and its predecessor's
// hash (see docs/audit-chain.md), so editing, inserting or deleting an event breaks the chain
// at that point. Deleting events at the end, or rewriting the chain from some event on, is only
// detectable against a head kept from an earlier export; Verifier.Expect takes such a head.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Actions, one per kind of change.
const (
	ActionSessionCreated    = "session.created"
	ActionSessionCancelled  = "session.cancelled"
	ActionSessionDeleted    = "session.deleted"
	ActionSessionMoved      = "session.moved"
	ActionConsentNoticeSent = "consent.notice_sent"
	ActionConsentGiven      = "consent.given"
	ActionConsentWithdrawn  = "consent.withdrawn"
	ActionPersonMerged      = "person.merged"
	ActionPersonRenamed     = "person.renamed"
	// A withdrawing person leaves a group session that others keep; for
	// a Jitsi group still to come the room is replaced by a new one.
	ActionParticipantRemoved = "session.participant_removed"
	ActionRoomChanged        = "session.room_changed"
	ActionPurge              = "purge"
	ActionExportSessions     = "export.sessions"
	ActionExportAudit        = "export.audit"
	ActionExportSubject      = "export.subject"
)

// Actions returns every known action, in a stable order.
func Actions() []string {
	return []string{
		ActionSessionCreated, ActionSessionCancelled, ActionSessionDeleted, ActionSessionMoved,
		ActionConsentNoticeSent, ActionConsentGiven, ActionConsentWithdrawn,
		ActionPersonMerged, ActionPersonRenamed, ActionParticipantRemoved, ActionRoomChanged,
		ActionPurge,
		ActionExportSessions, ActionExportAudit, ActionExportSubject,
		ActionRecordPut, ActionRecordDeleted, ActionRecordBaseline, ActionRecordOverwritten,
		ActionAuditCheckpoint, ActionProofKeyReplaced,
	}
}

// GenesisHash is the PrevHash of the first event in a chain.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// TimeLayout is the one textual form of Event.At used in the hash and in exports: UTC,
// always nine fractional digits, so every instant has exactly one spelling.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// encodingTag starts every canonical encoding; a future encoding gets a new tag.
const encodingTag = "counsel-audit-v1"

// Event is one entry of the audit trail.
type Event struct {
	Seq    int64     // 1-based position in the chain
	ID     string    // unique event ID
	At     time.Time // when the change happened; hashed in UTC at nanosecond precision
	Action string    // one of the Action constants
	Object string    // ID of what the event is about (session, consent, export), may be empty
	// Details holds IDs, counts, dates, formats and flags about the change, never names,
	// pseudonyms, e-mail addresses or links. Validate rejects values that look like the latter.
	Details  map[string]string
	PrevHash string // Hash of the previous event, GenesisHash for the first
	Hash     string // lower-case hex SHA-256 of the canonical encoding
}

// Head identifies the end of a chain: its last event's Seq and Hash. The zero Head is the
// head of an empty chain.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Head returns the head of a chain that ends with e.
func (e Event) Head() Head { return Head{Seq: e.Seq, Hash: e.Hash} }

// FormatTime returns t in TimeLayout. Stores should keep At in this form so it round-trips
// exactly; losing precision changes the hash.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime parses a time written by FormatTime.
func ParseTime(s string) (time.Time, error) {
	if t, ok := parseFixedTime(s); ok {
		return t, nil
	}
	return parseTimeSlow(s)
}

func parseTimeSlow(s string) (time.Time, error) {
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse audit time: %w", err)
	}
	// time.Parse also takes other spellings of the same instant (a one-digit
	// hour, a comma before the fraction); a trail has exactly one.
	if FormatTime(t) != s {
		return time.Time{}, errors.New("parse audit time: not in the form " + TimeLayout)
	}
	return t.UTC(), nil
}

// Seal makes e the event after prev (the zero Head for the first event): it validates e,
// sets Seq, PrevHash and Hash, and normalises At to UTC.
func Seal(prev Head, e Event) (Event, error) {
	if prev.Seq < 0 || (prev.Seq == 0) != (prev.Hash == "") {
		return Event{}, fmt.Errorf("seal: invalid previous head at seq %d", prev.Seq)
	}
	if err := e.Validate(); err != nil {
		return Event{}, fmt.Errorf("seal: %w", err)
	}
	e.Seq = prev.Seq + 1
	e.PrevHash = prev.Hash
	if prev.Seq == 0 {
		e.PrevHash = GenesisHash
	}
	e.At = e.At.UTC().Round(0) // Round(0) drops the monotonic reading, which is not stored
	e.Hash = e.ComputeHash()
	return e, nil
}

// ComputeHash returns the hash of e's canonical encoding, ignoring e.Hash itself.
func (e Event) ComputeHash() string {
	sum := sha256.Sum256(AppendCanonical(nil, e))
	return hex.EncodeToString(sum[:])
}

// AppendCanonical appends the canonical encoding of e (everything but e.Hash) to dst; its
// SHA-256 is e's hash. Every item is a netstring, "<decimal byte length>:<bytes>,", in this
// order: the tag "counsel-audit-v1", PrevHash, Seq in decimal, ID, At in TimeLayout, Action,
// Object, the number of details in decimal, then each detail's key and value with keys in
// ascending byte order.
func AppendCanonical(dst []byte, e Event) []byte {
	dst, _ = appendCanonical(dst, nil, e)
	return dst
}

// appendCanonical is AppendCanonical with a reusable slice for sorting keys, so a Verifier
// allocates nothing per event once its buffers have grown.
func appendCanonical(dst []byte, keys []string, e Event) ([]byte, []string) {
	dst = appendNetstring(dst, encodingTag)
	dst = appendNetstring(dst, e.PrevHash)
	dst = appendNetInt(dst, e.Seq)
	dst = appendNetstring(dst, e.ID)
	// AppendFormat into dst then wrap it: the length is fixed for years 0000–9999.
	var tb [len(TimeLayout) + 8]byte
	dst = appendNetBytes(dst, e.At.UTC().AppendFormat(tb[:0], TimeLayout))
	dst = appendNetstring(dst, e.Action)
	dst = appendNetstring(dst, e.Object)
	dst = appendNetInt(dst, int64(len(e.Details)))
	keys = keys[:0]
	for k := range e.Details {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		dst = appendNetstring(dst, k)
		dst = appendNetstring(dst, e.Details[k])
	}
	return dst, keys
}

func appendNetstring(dst []byte, s string) []byte {
	dst = appendLen(dst, len(s))
	dst = append(dst, ':')
	dst = append(dst, s...)
	return append(dst, ',')
}

func appendNetBytes(dst, b []byte) []byte {
	dst = appendLen(dst, len(b))
	dst = append(dst, ':')
	dst = append(dst, b...)
	return append(dst, ',')
}

// appendLen appends n in decimal: strconv for all but the short lengths nearly every
// netstring of a verify has.
func appendLen(dst []byte, n int) []byte {
	switch {
	case n < 10:
		return append(dst, byte('0'+n))
	case n < 100:
		return append(dst, byte('0'+n/10), byte('0'+n%10))
	case n < 1000:
		return append(dst, byte('0'+n/100), byte('0'+n/10%10), byte('0'+n%10))
	}
	return strconv.AppendInt(dst, int64(n), 10)
}

func appendNetInt(dst []byte, n int64) []byte {
	var nb [20]byte
	return appendNetBytes(dst, strconv.AppendInt(nb[:0], n, 10))
}

// Limits for Validate.
const (
	maxIDLen     = 128
	maxKeyLen    = 64
	maxValueLen  = 256
	maxDetails   = 32
	idPunct      = "-_.:"
	keyPunct     = "_."
	hashHexChars = 64
)

// Validate checks that e holds only what an audit event may hold: a known action, IDs made of
// ASCII letters, digits and "-_.:", detail keys in lower case, and detail values that are
// printable ASCII without spaces, '@' or "://" (so a full name, an e-mail address or a meeting
// link is refused). It cannot tell a one-word name from an ID: callers pass IDs and counts
// only. Errors name the offending field, never its value.
func (e Event) Validate() error {
	if !isID(e.ID) {
		return fmt.Errorf("event id is empty or not an id")
	}
	if e.At.IsZero() {
		return fmt.Errorf("event %s: time is not set", e.ID)
	}
	if y := e.At.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("event %s: time out of range", e.ID)
	}
	if !slices.Contains(Actions(), e.Action) {
		return fmt.Errorf("event %s: unknown action", e.ID)
	}
	if e.Object != "" && !isID(e.Object) {
		return fmt.Errorf("event %s: object is not an id", e.ID)
	}
	if len(e.Details) > maxDetails {
		return fmt.Errorf("event %s: more than %d details", e.ID, maxDetails)
	}
	for k, v := range e.Details {
		if !isKey(k) {
			return fmt.Errorf("event %s: a detail key is not a field name (lower-case letters, digits, '_', '.')", e.ID)
		}
		if err := checkValue(v); err != nil {
			return fmt.Errorf("event %s: detail %s: %w", e.ID, k, err)
		}
	}
	return nil
}

func isID(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && strings.IndexByte(idPunct, c) < 0 {
			return false
		}
	}
	return true
}

func isKey(s string) bool {
	if s == "" || len(s) > maxKeyLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') && strings.IndexByte(keyPunct, c) < 0 {
			return false
		}
	}
	return true
}

func checkValue(v string) error {
	if len(v) > maxValueLen {
		return fmt.Errorf("value longer than %d bytes", maxValueLen)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c > '~' {
			return fmt.Errorf("value holds a space or a character outside printable ASCII")
		}
	}
	if strings.IndexByte(v, '@') >= 0 {
		return fmt.Errorf("value holds '@' (an e-mail address?)")
	}
	if strings.Contains(v, "://") {
		return fmt.Errorf("value holds \"://\" (a link?)")
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ParseHash checks that s is a chain hash (64 hex digits, surrounding space ignored) and
// returns it in lower case, the form used in events and exports.
func ParseHash(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != hashHexChars {
		return "", fmt.Errorf("audit hash must be %d hex digits, got %d characters", hashHexChars, len(s))
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", fmt.Errorf("audit hash is not hex")
	}
	return s, nil
}

// eventJSON is the export form of an Event: At in TimeLayout (the exact string that is
// hashed) and Details always an object, so an auditor can recompute hashes from the export.
type eventJSON struct {
	Seq      int64             `json:"seq"`
	ID       string            `json:"id"`
	At       string            `json:"at"`
	Action   string            `json:"action"`
	Object   string            `json:"object"`
	Details  map[string]string `json:"details"`
	PrevHash string            `json:"prev_hash"`
	Hash     string            `json:"hash"`
}

// MarshalJSON writes e with At in TimeLayout and Details as an object (never null).
func (e Event) MarshalJSON() ([]byte, error) {
	d := e.Details
	if d == nil {
		d = map[string]string{}
	}
	return json.Marshal(eventJSON{
		Seq: e.Seq, ID: e.ID, At: FormatTime(e.At), Action: e.Action, Object: e.Object,
		Details: d, PrevHash: e.PrevHash, Hash: e.Hash,
	})
}

// UnmarshalJSON reads the form MarshalJSON writes.
func (e *Event) UnmarshalJSON(b []byte) error {
	var j eventJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("decode audit event: %w", err)
	}
	at, err := ParseTime(j.At)
	if err != nil {
		return fmt.Errorf("decode audit event %d: %w", j.Seq, err)
	}
	*e = Event{
		Seq: j.Seq, ID: j.ID, At: at, Action: j.Action, Object: j.Object,
		Details: j.Details, PrevHash: j.PrevHash, Hash: j.Hash,
	}
	return nil
}
