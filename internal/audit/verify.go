package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
)

// BrokenError reports the first event at which a chain does not verify.
type BrokenError struct {
	Seq    int64  // the Seq stored in the offending event
	ID     string // its ID
	Reason Words  // what does not match
}

// Error names the event by its ID as stored, made TermSafe: an edited event may hold anything.
func (e *BrokenError) Error() string { return e.Words().String() }

// Words is the finding, for a program that translates it.
func (e *BrokenError) Words() Words {
	return Say("audit chain broken at event seq %d (id %s): %s", e.Seq, TermSafe(e.ID), e.Reason)
}

// HeadNotFoundError reports that a head kept from an earlier export is not in the chain: events
// were deleted from the end or the chain was rewritten.
type HeadNotFoundError struct {
	Want string // the expected hash
	Head Head   // the head of the chain as walked
}

func (e *HeadNotFoundError) Error() string { return e.Words().String() }

// Words is the finding, for a program that translates it.
func (e *HeadNotFoundError) Words() Words {
	return Say("audit chain does not contain the known head %s (chain ends at seq %d): events were truncated or rewritten", e.Want, e.Head.Seq)
}

// Verifier checks a chain fed to it one event at a time, in Seq order, from the first event.
// It keeps only the previous hash and a few buffers, so memory stays flat however long the
// chain. The zero value is ready to use.
//
// For every event it checks, in this order: Seq is one more than the previous event's (1 for
// the first); PrevHash equals the previous event's Hash (GenesisHash for the first); Hash equals
// the hash of the event's canonical encoding. So an edited event breaks at itself; a deleted
// event breaks at the event after it (seq gap); an inserted event breaks at itself when its
// Seq or links are wrong, or at the event after it when the inserter recomputed its hash.
type Verifier struct {
	head  Head
	count int64
	// start is the head before the first event when the trail does not begin at seq 1
	// (events removed by audit retention); checkpoint is the start the latest checkpoint
	// event states. Finish requires them to agree.
	start      Head
	firstID    string
	checkpoint *Head
	err        error
	known      []knownHead
	buf        []byte
	keys       []string
	hexSum     [2 * sha256.Size]byte
}

type knownHead struct {
	hash string
	seen bool
}

// Expect registers a head hash kept from an earlier export; Finish fails unless an event with
// that hash passes through Add. Call it before the first Add.
func (v *Verifier) Expect(head string) error {
	h, err := ParseHash(head)
	if err != nil {
		return err
	}
	if v.head.Seq > 0 || v.err != nil {
		return fmt.Errorf("expect head: verification already started")
	}
	v.known = append(v.known, knownHead{hash: h})
	return nil
}

// Add checks the next event. It returns a *BrokenError at the first event that does not
// verify, and the same error for every later call.
func (v *Verifier) Add(e Event) error {
	if v.err != nil {
		return v.err
	}
	if v.err = v.link(e.Seq, e.ID, e.PrevHash); v.err == nil && !v.hashMatches(e) {
		v.err = errHashMismatch(e.Seq, e.ID)
	}
	if v.err != nil {
		return v.err
	}
	v.head = Head{Seq: e.Seq, Hash: e.Hash}
	v.count++
	if e.Action == ActionAuditCheckpoint {
		cp, bad := checkpointStart(e)
		if bad.Format != "" {
			v.err = &BrokenError{Seq: e.Seq, ID: e.ID, Reason: bad}
			return v.err
		}
		v.checkpoint = &cp
	}
	v.noteKnown(e.Hash)
	return nil
}

// link checks that an event with seq and prevHash follows the head; the first event fixes
// where the trail starts.
func (v *Verifier) link(seq int64, id, prevHash string) error {
	if v.count == 0 && v.head.Seq == 0 && seq > 1 {
		// A trail that begins after seq 1: only a checkpoint may say so (checked by Finish).
		v.start = Head{Seq: seq - 1, Hash: prevHash}
		v.head = v.start
	}
	if v.count == 0 {
		v.firstID = id
	}
	wantPrev := v.head.Hash
	if v.head.Seq == 0 {
		wantPrev = GenesisHash
	}
	switch {
	case seq < 1:
		// counsel numbers events from 1: a lower seq is no gap but a row put or moved there.
		return &BrokenError{Seq: seq, ID: id,
			Reason: Say("seq %d is not positive: counsel numbers events from 1 (event inserted or renumbered outside counsel)", seq)}
	case seq <= v.head.Seq:
		return &BrokenError{Seq: seq, ID: id,
			Reason: Say("seq out of order: seq %d comes after seq %d (event inserted, duplicated or reordered)", seq, v.head.Seq)}
	case seq != v.head.Seq+1:
		return &BrokenError{Seq: seq, ID: id,
			Reason: Say("sequence gap: expected seq %d after %d (event deleted, inserted or reordered)", v.head.Seq+1, v.head.Seq)}
	case prevHash != wantPrev:
		return &BrokenError{Seq: seq, ID: id,
			Reason: Say("previous hash does not match the hash of seq %d (event deleted, inserted or replaced)", v.head.Seq)}
	}
	return nil
}

func errHashMismatch(seq int64, id string) error {
	return &BrokenError{Seq: seq, ID: id, Reason: Say("hash does not match the event's contents (event edited)")}
}

// noteKnown marks an expected head as seen.
func (v *Verifier) noteKnown(hash string) {
	for i := range v.known {
		if v.known[i].hash == hash {
			v.known[i].seen = true
		}
	}
}

func (v *Verifier) hashMatches(e Event) bool {
	v.buf, v.keys = appendCanonical(v.buf[:0], v.keys, e)
	sum := sha256.Sum256(v.buf)
	hex.Encode(v.hexSum[:], sum[:])
	// Clearing keys lets the event's map strings be collected; the slice itself is reused.
	clear(v.keys)
	return string(v.hexSum[:]) == e.Hash
}

// Start is the head the trail starts from: the zero Head when it begins at seq 1, else the
// seq and hash a checkpoint states (audit retention removed the events up to it).
func (v *Verifier) Start() Head { return v.start }

// Count is the number of events that verified.
func (v *Verifier) Count() int64 { return v.count }

// Head returns the head of the verified part of the chain: the last event that verified.
func (v *Verifier) Head() Head { return v.head }

// Finish ends the walk. It returns the first *BrokenError if any, else a *HeadNotFoundError
// if an expected head was not seen, else nil. Finish does not notice events missing at the
// end of the chain unless their hash was expected: that is what keeping a head is for.
func (v *Verifier) Finish() error {
	if v.err != nil {
		return v.err
	}
	switch {
	case v.start.Seq > 0 && (v.checkpoint == nil || *v.checkpoint != v.start):
		v.err = &BrokenError{Seq: v.start.Seq + 1, ID: v.firstID,
			Reason: Say("sequence gap: the trail starts at seq %d, but no checkpoint says that the events before it were removed (events deleted)", v.start.Seq+1)}
		v.head, v.count = Head{}, 0 // nothing verified: its start is unproven
		return v.err
	case v.start.Seq == 0 && v.checkpoint != nil && v.count > 0:
		v.err = &BrokenError{Seq: 1, ID: v.firstID,
			Reason: Say("the latest checkpoint says the trail starts at seq %d, but it starts at seq 1 (events put back)", v.checkpoint.Seq+1)}
		return v.err
	}
	if i := slices.IndexFunc(v.known, func(k knownHead) bool { return !k.seen }); i >= 0 {
		return &HeadNotFoundError{Want: v.known[i].hash, Head: v.head}
	}
	return nil
}

// ActionAuditCheckpoint marks where the trail starts after audit retention removed its oldest
// events: details from_seq (the first seq kept) and prev_hash (the hash of the event before
// it), with counts. A verifier starts from that head; see docs/audit-chain.md.
const ActionAuditCheckpoint = "audit.checkpoint"

// checkpointStart reads the head a checkpoint event says the trail starts from, or what is
// wrong with it, in Words (none: its Format is "").
func checkpointStart(e Event) (Head, Words) {
	from, err := strconv.ParseInt(e.Details["from_seq"], 10, 64)
	if err != nil || from < 2 || strconv.FormatInt(from, 10) != e.Details["from_seq"] {
		return Head{}, Say("checkpoint without a valid from_seq")
	}
	h, err := ParseHash(e.Details["prev_hash"])
	if err != nil || h != e.Details["prev_hash"] {
		return Head{}, Say("checkpoint without a valid prev_hash")
	}
	return Head{Seq: from - 1, Hash: h}, Words{}
}

// ActionProofKeyReplaced records that the counsellor declared the proof key lost and a new
// one was made: the withdrawal proofs made with the old key can no longer be matched.
const ActionProofKeyReplaced = "proof_key.replaced"
