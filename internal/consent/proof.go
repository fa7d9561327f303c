package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
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
