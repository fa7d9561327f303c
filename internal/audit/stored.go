package audit

import (
	"crypto/sha256"
	"encoding/hex"
)

// Stored is an event as a store keeps it: its time and details in their stored text. A long
// trail is verified from this form (Verifier.AddStored): when the stored text is in the one
// form counsel writes, the canonical encoding is built from those bytes without parsing
// them into an Event; anything else goes through Event, the exact path.
type Stored struct {
	Seq      int64
	ID       string
	At       string // TimeLayout
	Action   string
	Object   string
	Details  string // a JSON object of strings
	PrevHash string
	Hash     string
}

// Event parses s into an Event. A time or details not in a form counsel can read is a
// *BrokenError at s: the event was edited.
func (s *Stored) Event() (Event, error) {
	e := Event{Seq: s.Seq, ID: s.ID, Action: s.Action, Object: s.Object, PrevHash: s.PrevHash, Hash: s.Hash}
	var err error
	if e.At, err = ParseTime(s.At); err != nil {
		return e, &BrokenError{Seq: s.Seq, ID: s.ID, Reason: Say("the stored time is not in the form counsel writes (event edited)")}
	}
	if e.Details, err = DecodeDetails(s.Details); err != nil {
		return e, &BrokenError{Seq: s.Seq, ID: s.ID, Reason: Say("the stored details are not a JSON object of strings (event edited)")}
	}
	if len(e.Details) == 0 {
		e.Details = nil
	}
	return e, nil
}

// canonicalStored appends the canonical encoding of s (as AppendCanonical of s.Event())
// built from the stored bytes, and the details as key, value, key, value ... into kv. It
// reports false, having appended garbage, unless the time is in the fixed layout and the
// details are flat (decodeFlat's form) with their keys in strictly ascending byte order, as
// encoding/json writes a map: then the bytes hashed are the bytes the exact path hashes.
func canonicalStored(dst []byte, kv []string, s *Stored) ([]byte, []string, bool) {
	kv, ok := sortedFlat(kv[:0], s.Details)
	if !ok {
		return dst, kv, false
	}
	dst, ok = appendStored(dst, kv, s)
	return dst, kv, ok
}

// appendStored is canonicalStored of s with its details already read by sortedFlat into kv.
func appendStored(dst []byte, kv []string, s *Stored) ([]byte, bool) {
	if _, ok := parseFixedTime(s.At); !ok {
		return dst, false
	}
	dst = appendNetstring(dst, encodingTag)
	dst = appendNetstring(dst, s.PrevHash)
	dst = appendNetInt(dst, s.Seq)
	dst = appendNetstring(dst, s.ID)
	dst = appendNetstring(dst, s.At)
	dst = appendNetstring(dst, s.Action)
	dst = appendNetstring(dst, s.Object)
	dst = appendNetInt(dst, int64(len(kv)/2))
	for _, x := range kv {
		dst = appendNetstring(dst, x)
	}
	return dst, true
}

// sortedFlat reads details in decodeFlat's form whose keys ascend strictly, appending key,
// value, ... to kv; it reports false for anything else (which the exact path then reads).
func sortedFlat(kv []string, s string) ([]string, bool) {
	if len(s) < 2 || s[0] != '{' {
		return kv, false
	}
	if s == "{}" {
		return kv, true
	}
	i := 1
	for {
		k, j, ok := plainString(s, i)
		if !ok || j >= len(s) || s[j] != ':' {
			return kv, false
		}
		if len(kv) > 0 && k <= kv[len(kv)-2] {
			return kv, false
		}
		v, j, ok := plainString(s, j+1)
		if !ok || j >= len(s) {
			return kv, false
		}
		kv = append(kv, k, v)
		switch {
		case s[j] == ',':
			i = j + 1
		case s[j] == '}' && j == len(s)-1:
			return kv, true
		default:
			return kv, false
		}
	}
}

// StoredHash reports whether s's Hash is the hash of its canonical encoding, computed from
// the stored bytes; ok is false when s is not in the form for that (see canonicalStored),
// and then nothing is known. It uses only its arguments, so several goroutines may check
// events at once; buf is a scratch buffer, returned for reuse.
func StoredHash(buf []byte, s *Stored) (match, ok bool, _ []byte) {
	var kv [2 * maxDetails]string
	buf, _, ok = canonicalStored(buf[:0], kv[:0], s)
	if !ok {
		return false, false, buf
	}
	sum := sha256.Sum256(buf)
	var h [2 * sha256.Size]byte
	hex.Encode(h[:], sum[:])
	return string(h[:]) == s.Hash, true, buf
}

// StoredCheck is what CheckStored found from an event's stored bytes alone.
type StoredCheck struct {
	// Match: StoredHash found the hash matching (AddStored's hashChecked).
	Match bool
	// flat: the details are in the form sortedFlat reads; table and digest are theirs, for
	// Records.TrackChecked.
	flat          bool
	table, digest string
}

// CheckStored is StoredHash that also keeps what Records.TrackChecked needs of a record
// event's details, so that the details are read once, on the caller's goroutine. It uses
// only its arguments; buf is a scratch buffer, returned for reuse.
func CheckStored(buf []byte, s *Stored) (StoredCheck, []byte) {
	var kvs [2 * maxDetails]string
	kv, flat := sortedFlat(kvs[:0], s.Details)
	c := StoredCheck{flat: flat}
	if !flat {
		return c, buf
	}
	if s.Action == ActionRecordPut || s.Action == ActionRecordDeleted {
		c.table, c.digest = detail(kv, "table"), detail(kv, "digest")
	}
	buf, ok := appendStored(buf[:0], kv, s)
	if !ok {
		return c, buf
	}
	sum := sha256.Sum256(buf)
	var h [2 * sha256.Size]byte
	hex.Encode(h[:], sum[:])
	c.Match = string(h[:]) == s.Hash
	return c, buf
}

// AddStored checks the next event in its stored form: it returns exactly what
// Add(s.Event()) returns, or s.Event()'s error, and leaves the Verifier in the same state.
// hashChecked says that StoredHash already found s's hash matching, so it is not computed
// again: a caller may check hashes on other goroutines and feed the events here in order for
// the checks that link each event to the one before.
func (v *Verifier) AddStored(s *Stored, hashChecked bool) error {
	if v.err != nil {
		return v.err
	}
	if !hashChecked || s.Action == ActionAuditCheckpoint {
		// The exact path, for anything unusual and for the rare checkpoint (whose details
		// Add reads).
		_, fixed := parseFixedTime(s.At)
		kv, flat := sortedFlat(v.keys[:0], s.Details)
		clear(kv)
		v.keys = kv[:0]
		if !fixed || !flat || s.Action == ActionAuditCheckpoint {
			e, err := s.Event()
			if err != nil {
				return err // as the exact path: the row fails before it reaches Add
			}
			return v.Add(e)
		}
	}
	// StoredHash found (or finds here) the stored form, and the hash of its bytes is the
	// hash of the canonical encoding: only the links are left to check.
	if v.err = v.link(s.Seq, s.ID, s.PrevHash); v.err == nil && !hashChecked {
		var match bool
		if match, _, v.buf = StoredHash(v.buf, s); !match {
			v.err = errHashMismatch(s.Seq, s.ID)
		}
	}
	if v.err != nil {
		return v.err
	}
	v.head = Head{Seq: s.Seq, Hash: s.Hash}
	v.count++
	v.noteKnown(s.Hash)
	return nil
}

// detail returns the value of key in details read by sortedFlat.
func detail(kv []string, key string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == key {
			return kv[i+1]
		}
	}
	return ""
}

// TrackChecked is TrackStored with the details as CheckStored read them into c.
func (r *Records) TrackChecked(s *Stored, c *StoredCheck) error {
	switch s.Action {
	case ActionRecordPut, ActionRecordDeleted:
	case ActionRecordOverwritten:
		return r.TrackStored(s)
	default:
		return nil
	}
	if !c.flat {
		return r.TrackStored(s)
	}
	return r.track(s.Seq, s.ID, s.Action, s.Object, c.table, c.digest)
}

// TrackStored is Track for an event in its stored form, after the Verifier took it.
func (r *Records) TrackStored(s *Stored) error {
	switch s.Action {
	case ActionRecordPut, ActionRecordDeleted, ActionRecordOverwritten:
	default:
		return nil
	}
	var buf [2 * maxDetails]string
	kv, ok := sortedFlat(buf[:0], s.Details)
	if !ok {
		e, err := s.Event()
		if err != nil {
			return err
		}
		return r.Track(e)
	}
	if s.Action == ActionRecordOverwritten {
		return r.trackOverwritten(s.Seq, s.ID, s.Object, detail(kv, "table"), detail(kv, "since_seq"))
	}
	return r.track(s.Seq, s.ID, s.Action, s.Object, detail(kv, "table"), detail(kv, "digest"))
}
