package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/expeerienced/counsel/internal/session"
)

// KeySize is the length of the proof key in bytes.
const KeySize = 32

// ErrKeySize means a proof key is not KeySize bytes long.
var ErrKeySize = errors.New("proof key must be 32 bytes")

// SubjectHMAC is how a withdrawal proof names the person: HMAC-SHA256 of the
// name's comparison key under the proof key, in lower-case hex. The key lives
// outside the database, so a copy of the database alone cannot be used to
// test guessed names; with the key and the name, the proof can be found.
// name must be the comparison key (session.NameKey), so that every spelling
// of one person gives the same hash.
func SubjectHMAC(key []byte, name string) (string, error) {
	if len(key) != KeySize {
		return "", ErrKeySize
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("counsel-subject-v1\x00")) // domain separation: this key signs nothing else
	m.Write([]byte(name))
	return hex.EncodeToString(m.Sum(nil)), nil
}

// ProofSubjects are the keyed hashes a withdrawal proof of name (normalised,
// session.NormaliseName) may be stored under: that of the name's comparison
// key, so every spelling finds it, and that of the spelling itself, as proofs
// made before names had a key (schema 1) hold.
func ProofSubjects(key []byte, name string) ([]string, error) {
	byKey, err := SubjectHMAC(key, session.NameKey(name))
	if err != nil {
		return nil, err
	}
	bySpelling, err := SubjectHMAC(key, name)
	if err != nil {
		return nil, err
	}
	return []string{byKey, bySpelling}, nil
}

// Proofs says how withdrawal proofs are made: under which key, and how long
// they are kept.
type Proofs struct {
	Key            []byte         // KeySize bytes
	RetentionYears int            // config retention_consent_years, at least 1
	Location       *time.Location // the counsellor's time zone, for "end of the year"
}

// Check refuses terms no proof can be made with, before anything is changed.
func (p Proofs) Check() error {
	if len(p.Key) != KeySize {
		return ErrKeySize
	}
	if p.RetentionYears < 1 {
		return errors.New("retention of withdrawal proofs must be at least one year")
	}
	return nil
}

// Withdraw folds a person's consent record into the proof that remains when
// they withdraw at now: a keyed hash of their name's comparison key (never
// the name), the time, the consent texts they received, and when the proof
// may be deleted. The caller stores it and deletes the events.
func (p Proofs) Withdraw(person Person, events []ConsentEvent, now time.Time) (Withdrawal, error) {
	if err := p.Check(); err != nil {
		return Withdrawal{}, err
	}
	mac, err := SubjectHMAC(p.Key, session.NameKey(person.Name))
	if err != nil {
		return Withdrawal{}, err
	}
	id, err := session.NewID()
	if err != nil {
		return Withdrawal{}, err
	}
	return Withdrawal{ID: id, SubjectHMAC: mac, WithdrawnAt: now, NoticeHashes: NoticeHashesOf(events),
		RetainUntil: RetainUntil(now, p.RetentionYears, p.Location)}, nil
}

// NoticeHashesOf is the set of consent texts a person received, as their
// withdrawal proof keeps it.
func NoticeHashesOf(events []ConsentEvent) []string {
	hashes := make([]string, 0, len(events))
	for _, e := range events {
		hashes = append(hashes, e.NoticeHash)
	}
	return SplitNoticeHashes(JoinNoticeHashes(hashes))
}

// JoinNoticeHashes is the stored form of the consent texts a person
// received: distinct non-empty hashes, sorted, comma-separated.
func JoinNoticeHashes(hashes []string) string {
	var out []string
	for _, h := range hashes {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), ",")
}

// SplitNoticeHashes reverses JoinNoticeHashes.
func SplitNoticeHashes(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// KeyFingerprint identifies a proof key without revealing it: the hex
// HMAC-SHA256 of a fixed label under the key. The database keeps it (bound
// to the audit trail) so that a key file changed, truncated or replaced is
// noticed instead of silently matching nothing.
func KeyFingerprint(key []byte) (string, error) {
	if len(key) != KeySize {
		return "", ErrKeySize
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("counsel-proof-key-fingerprint-v1"))
	return hex.EncodeToString(m.Sum(nil)), nil
}
