package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Record actions bind the rows of the record tables (sessions, people, consent events,
// withdrawals, settings) to the trail: every write of a row is followed, in the same
// transaction, by an event that fixes the row's content by a keyed digest (RecordPut) or says
// that the row is gone (RecordDeleted). A baseline (RecordBaseline) precedes the RecordPut
// events of rows that existed before the trail bound them. Replaying these events gives what
// the tables must hold; see Records and docs/audit-chain.md.
const (
	ActionRecordPut      = "record.put"
	ActionRecordDeleted  = "record.deleted"
	ActionRecordBaseline = "record.baseline"
	// ActionRecordOverwritten says that a write which must not be refused (a withdrawal of
	// consent) found a row differing from its last record event and wrote over it: details
	// table and since_seq (that event), object the row's ID. Verify reports each one.
	ActionRecordOverwritten = "record.overwritten"
)

// Value is one column value of a row as SQLite stores it: nil (NULL), int64, float64,
// string or []byte. Anything else is encoded by its Go formatting, tagged '?'.
type Value = any

// Column is one item of a row's canonical encoding.
type Column struct {
	Name  string
	Value Value
}

// RecordKeySize is the length of the database's record key, which keys every row digest.
const RecordKeySize = 32

// recordTag and secretTag start the two encodings; a future encoding gets a new tag.
const (
	recordTag = "counsel-record-v1"
	secretTag = "counsel-secret-v1"
	columnTag = "counsel-column-v1"
)

// AppendTyped appends the typed form of v: "N" for NULL, "I" and the decimal for an
// integer, "F" and the shortest decimal for a float, "T" and the text, "B" and lower-case hex
// for a blob. The tag keeps NULL apart from ” and 1 apart from '1'.
func AppendTyped(dst []byte, v Value) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, 'N')
	case int64:
		return strconv.AppendInt(append(dst, 'I'), x, 10)
	case float64:
		return strconv.AppendFloat(append(dst, 'F'), x, 'g', -1, 64)
	case string:
		return append(append(dst, 'T'), x...)
	case []byte:
		return hex.AppendEncode(append(dst, 'B'), x)
	case bool:
		if x {
			return append(dst, 'I', '1')
		}
		return append(dst, 'I', '0')
	default:
		return fmt.Appendf(append(dst, '?'), "%v", x)
	}
}

// AppendRecord appends the canonical encoding of a row of table: netstrings of the tag
// "counsel-record-v1", the table name, the number of columns, then each column's name and
// typed value (AppendTyped) in the given order.
func AppendRecord(dst []byte, table string, cols []Column) []byte {
	dst = appendNetstring(dst, recordTag)
	dst = appendNetstring(dst, table)
	return appendColumns(dst, cols)
}

// appendColumns appends the number of columns, then each column's name and typed value.
func appendColumns(dst []byte, cols []Column) []byte {
	var it Items
	for _, c := range cols {
		it.Value(c.Value)
	}
	return it.appendNamed(dst, func(i int) string { return cols[i].Name })
}

// Items are the items of a row's encoding in their typed form (AppendTyped), each as a
// netstring. Digests, secret values and column hints are computed from them, whether the
// values were scanned one by one (Value) or read from one text per row (Null, Integer,
// Text, Blob), so both ways encode a row through the same code. The zero value is empty.
type Items struct {
	b    []byte
	ends []int
	tmp  []byte
}

// Reset empties it for the next row, keeping its buffers.
func (it *Items) Reset() { it.b, it.ends = it.b[:0], it.ends[:0] }

// Len is the number of items.
func (it *Items) Len() int { return len(it.ends) }

// item returns item i as its netstring.
func (it *Items) item(i int) []byte {
	start := 0
	if i > 0 {
		start = it.ends[i-1]
	}
	return it.b[start:it.ends[i]]
}

// typed returns item i's typed form (AppendTyped), without its netstring frame.
func (it *Items) typed(i int) []byte {
	n := it.item(i)
	colon := 0
	for n[colon] != ':' {
		colon++
	}
	return n[colon+1 : len(n)-1]
}

func (it *Items) head(tag byte, n int) {
	it.b = strconv.AppendInt(it.b, int64(n+1), 10)
	it.b = append(it.b, ':', tag)
}

func (it *Items) end() {
	it.b = append(it.b, ',')
	it.ends = append(it.ends, len(it.b))
}

// Value adds a scanned value (AppendTyped).
func (it *Items) Value(v Value) {
	it.tmp = AppendTyped(it.tmp[:0], v)
	it.b = appendNetBytes(it.b, it.tmp)
	it.ends = append(it.ends, len(it.b))
}

// Null adds NULL, as Value(nil).
func (it *Items) Null() {
	it.b = append(it.b, "1:N"...)
	it.end()
}

// Integer adds an integer given in its shortest decimal form, as Value of that int64.
func (it *Items) Integer(decimal string) {
	it.head('I', len(decimal))
	it.b = append(it.b, decimal...)
	it.end()
}

// Text adds a text, as Value(s).
func (it *Items) Text(s string) {
	it.head('T', len(s))
	it.b = append(it.b, s...)
	it.end()
}

// Blob adds a blob given as its bytes, as Value([]byte(b)).
func (it *Items) Blob(b string) {
	it.head('B', 2*len(b))
	it.b = hex.AppendEncode(it.b, []byte(b))
	it.end()
}

// appendNamed appends the number of items, then each one's name and typed value.
func (it *Items) appendNamed(dst []byte, name func(int) string) []byte {
	dst = appendNetInt(dst, int64(len(it.ends)))
	for i := range it.ends {
		dst = appendNetstring(dst, name(i))
		dst = append(dst, it.item(i)...)
	}
	return dst
}

// Secret adds the SecretValue of the items of secrets, named by names, under key.
func (it *Items) Secret(key []byte, names []string, secrets *Items) {
	if len(key) == 0 {
		for i := range secrets.Len() {
			if secrets.typed(i)[0] != 'N' {
				it.Text("P")
				return
			}
		}
		it.Null()
		return
	}
	it.Text(secretHMAC(key, secrets, func(i int) string { return names[i] }))
}

func secretHMAC(key []byte, secrets *Items, name func(int) string) string {
	var b []byte
	b = appendNetstring(b, secretTag)
	b = secrets.appendNamed(b, name)
	m := hmac.New(sha256.New, key)
	m.Write(b)
	return "K" + hex.EncodeToString(m.Sum(nil))
}

// SecretValue is the value that stands in a row's encoding for its secret columns (a
// person's name and what is derived from it): "K" and the hex HMAC-SHA256, under the row's
// own key, of netstrings of "counsel-secret-v1", the number of secret columns and each one's
// name and typed value. The row's key is erased together with the name, so afterwards nothing
// in the trail can be tested against a guessed name. With no key, the value is nil (NULL)
// when every secret column is NULL (an erased person) and "P" (present without key, never
// written by counsel) otherwise.
func SecretValue(key []byte, secrets []Column) Value {
	if len(key) == 0 {
		for _, c := range secrets {
			if c.Value != nil {
				return "P"
			}
		}
		return nil
	}
	var it Items
	for _, c := range secrets {
		it.Value(c.Value)
	}
	return secretHMAC(key, &it, func(i int) string { return secrets[i].Name })
}

// A RecordDigester computes row digests under one record key; it reuses its buffers, so it
// is not safe for concurrent use.
type RecordDigester struct {
	mac   hash.Hash
	buf   []byte
	sum   []byte
	items Items
	names []string
}

// NewRecordDigester returns a digester for the database's record key.
func NewRecordDigester(key []byte) (*RecordDigester, error) {
	if len(key) != RecordKeySize {
		return nil, fmt.Errorf("record key must be %d bytes", RecordKeySize)
	}
	return &RecordDigester{mac: hmac.New(sha256.New, key)}, nil
}

// Digest returns the row's digest: lower-case hex HMAC-SHA256 of AppendRecord under the
// record key.
func (d *RecordDigester) Digest(table string, cols []Column) string {
	var out [sha256.Size]byte
	d.DigestTo(&out, table, cols)
	return hex.EncodeToString(out[:])
}

// DigestTo is Digest into a fixed array, for the verifier's comparisons.
func (d *RecordDigester) DigestTo(out *[sha256.Size]byte, table string, cols []Column) {
	d.DigestItems(out, table, d.itemsOf(cols), d.names)
}

// itemsOf fills d.items and d.names from cols.
func (d *RecordDigester) itemsOf(cols []Column) *Items {
	d.items.Reset()
	d.names = d.names[:0]
	for _, c := range cols {
		d.items.Value(c.Value)
		d.names = append(d.names, c.Name)
	}
	return &d.items
}

// DigestItems is DigestTo of a row given as its items, named by names.
func (d *RecordDigester) DigestItems(out *[sha256.Size]byte, table string, it *Items, names []string) {
	d.buf = appendNetstring(d.buf[:0], recordTag)
	d.buf = appendNetstring(d.buf, table)
	d.buf = it.appendNamed(d.buf, func(i int) string { return names[i] })
	d.mac.Reset()
	d.mac.Write(d.buf)
	d.sum = d.mac.Sum(d.sum[:0])
	copy(out[:], d.sum)
}

// ColumnHints returns one short keyed digest per column (8 hex digits: the first four bytes
// of HMAC-SHA256 under the record key of netstrings "counsel-column-v1", table, column name,
// typed value), joined by '.'. They only tell which columns of a changed row differ; the
// row digest is what proves it changed.
func (d *RecordDigester) ColumnHints(table string, cols []Column) string {
	return d.ColumnHintsItems(table, d.itemsOf(cols), d.names)
}

// ColumnHintsItems is ColumnHints of a row given as its items, named by names.
func (d *RecordDigester) ColumnHintsItems(table string, it *Items, names []string) string {
	var sb strings.Builder
	for i := range it.Len() {
		d.buf = appendNetstring(d.buf[:0], columnTag)
		d.buf = appendNetstring(d.buf, table)
		d.buf = appendNetstring(d.buf, names[i])
		d.buf = append(d.buf, it.item(i)...)
		d.mac.Reset()
		d.mac.Write(d.buf)
		d.sum = d.mac.Sum(d.sum[:0])
		if i > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(hex.EncodeToString(d.sum[:4]))
	}
	return sb.String()
}

// RecordDetails are the details of a RecordPut event for a row.
func (d *RecordDigester) RecordDetails(table string, cols []Column) map[string]string {
	return map[string]string{"table": table, "digest": d.Digest(table, cols), "columns": d.ColumnHints(table, cols)}
}

// Problem kinds: how a row differs from what the trail says it must be.
const (
	ProblemChanged  = "changed"  // the row differs from its last record.put
	ProblemInserted = "inserted" // the row was never recorded
	ProblemDeleted  = "deleted"  // the trail says the row exists, the table has no such row
	ProblemRevived  = "revived"  // the trail says the row was deleted (purge, erasure), but it is there
	// For the chain itself (table "audit_events"):
	ProblemChainBroken = "chain_broken" // an event does not verify (ID: the event, Seq: its seq)
	ProblemHeadMissing = "head_missing" // a kept head is not in the trail (ID: its hash, Seq: the trail's head)
	// The proof key file does not match the fingerprint in settings, or cannot be read.
	ProblemProofKey = "proof_key"
	// A row changed outside counsel that a withdrawal then wrote over (ActionRecordOverwritten):
	// Seq is the event the row differed from, At the record.overwritten event.
	ProblemOverwritten = "overwritten"
)

// Problem is one difference between the tables and the trail.
type Problem struct {
	Table string `json:"table"`
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	// Columns lists the columns whose hints differ (for ProblemChanged), when known.
	Columns []string `json:"columns"`
	// Seq is the event that last recorded the row (0 for an inserted row).
	Seq int64 `json:"seq"`
	// At is the record.overwritten event of an overwritten row.
	At int64 `json:"overwritten_seq,omitempty"`
	// Message is the problem in words, as the text output prints it.
	Message string `json:"message"`
}

// String is the problem in words, in English.
func (p Problem) String() string { return p.Words().String() }

// Words is the problem in words. Table and ID come from the database file (a record event's
// details name the table), so both are made TermSafe; the JSON output keeps them exact.
func (p Problem) Words() Words {
	table, id := TermSafe(p.Table), TermSafe(p.ID)
	switch p.Kind {
	case ProblemChanged:
		if len(p.Columns) > 0 {
			return Say("%s %s: changed outside counsel since event seq %d (differs in %s)", table, id, p.Seq, TermSafe(strings.Join(p.Columns, ", ")))
		}
		return Say("%s %s: changed outside counsel since event seq %d", table, id, p.Seq)
	case ProblemInserted:
		return Say("%s %s: inserted outside counsel (no event records it)", table, id)
	case ProblemDeleted:
		return Say("%s %s: deleted outside counsel (recorded at event seq %d, no longer in the table)", table, id, p.Seq)
	case ProblemRevived:
		return Say("%s %s: present again after counsel deleted it at event seq %d", table, id, p.Seq)
	case ProblemOverwritten:
		if p.Seq == 0 {
			return Say("record %s %s was not written by counsel; counsel wrote over it at seq %d", table, id, p.At)
		}
		return Say("record %s %s was changed outside counsel after event seq %d; counsel wrote over it at seq %d", table, id, p.Seq, p.At)
	case ProblemChainBroken, ProblemHeadMissing, ProblemProofKey:
		// In the words of the error its maker put in Message (BrokenError, HeadNotFoundError,
		// the proof key's): one wording, with the reason, for text and JSON.
		if p.Message != "" {
			return Say("%s", TermSafe(p.Message))
		}
		if p.Kind == ProblemProofKey {
			return Say("%s %s: the proof key file does not match the recorded fingerprint", table, id)
		}
	}
	return Say("%s %s: %s", table, id, TermSafe(p.Kind))
}

// SafeID is id when it has the form of an ID, else a placeholder: a row inserted behind
// counsel's back may carry anything in its key, and a report must not repeat a name.
func SafeID(id string) string {
	if isID(id) {
		return id
	}
	return "(not an ID)"
}

type recordState struct {
	digest  [sha256.Size]byte
	seq     int64
	deleted bool
	// For a row found by UUID: its table's index plus one (0: a row found by string), its
	// ID, and the next state under the same hash (-1: none).
	table uint8
	uuid  [16]byte
	next  int32
}

// Records replays the record events of a trail into the state the tables must be in, and
// compares rows against it. Feed every event with Track (in seq order, after the chain
// verified it), then every row of every record table with Check, then call Missing.
// Memory grows with the number of rows recorded, time with the number of events and rows.
//
// A long trail records hundreds of thousands of rows, so the replay holds no pointers for
// the garbage collector to scan: the states are in large chunks without pointers. A row
// whose ID has the form counsel gives rows (a UUID in lower case) is found through a map
// from a 64-bit hash of its table and ID to the first state with that hash, the states
// with the same hash chained, each compared in full; any other ID (a setting's name, or a
// key written behind counsel's back) is kept as a string in a second map. So every ID is
// found exactly as written.
type Records struct {
	tables []string // table names in the order first met; a UUID key's table is its index
	states stateChunks
	// seen[i] says that a row of states[i] was checked. It is apart from the states, which
	// Look reads on several goroutines while Apply marks rows seen on one.
	seen   []bool
	uuids  map[uint64]int32 // uuidHash -> the first state with that hash
	others map[string]int32 // recordKey(table, id) -> its state
	// finger is Check's Finger.
	finger Finger
	// overwritten are the rows the trail says a withdrawal wrote over, in trail order.
	overwritten []Problem
}

// A Finger is, for each table, the state Look found last: a table's rows are mostly read in
// the order the trail recorded them, so the next row's state is usually a few states on,
// found without the map (whose lookups miss the caches). Each goroutine that calls Look has
// its own; the zero value is ready to use.
type Finger struct{ at []int32 }

// fingerReach is how many states on from a table's finger Check looks before the map.
const fingerReach = 8

// uuidHash mixes the table into the UUID's last eight bytes (random in the UUIDs counsel
// makes); a collision only costs a comparison.
func uuidHash(table uint8, u *[16]byte) uint64 {
	return binary.LittleEndian.Uint64(u[8:]) ^ binary.LittleEndian.Uint64(u[:8])*0x9e3779b97f4a7c15 ^ uint64(table)<<56
}

// stateChunks holds the states in chunks that never move. A slice grown by append would
// copy them at every growth (by a quarter once it is large: five times their size copied
// in all) into new memory that costs a page fault per page; that was a tenth of verify's
// CPU at 100,000 sessions.
type stateChunks struct {
	chunks [][]recordState
	n      int32
}

const stateChunkBits = 12 // 4,096 states of 64 bytes a chunk

func (s *stateChunks) at(i int32) *recordState {
	return &s.chunks[i>>stateChunkBits][i&(1<<stateChunkBits-1)]
}

// add appends a state and returns its index.
func (s *stateChunks) add(st recordState) int32 {
	if s.n == math.MaxInt32 {
		panic("audit: more recorded rows than a replay holds")
	}
	if int(s.n>>stateChunkBits) == len(s.chunks) {
		s.chunks = append(s.chunks, make([]recordState, 1<<stateChunkBits))
	}
	i := s.n
	*s.at(i) = st
	s.n++
	return i
}

// NewRecords returns an empty replay.
func NewRecords() *Records {
	return &Records{uuids: make(map[uint64]int32), others: make(map[string]int32)}
}

func recordKey(table, id string) string { return table + "\x00" + id }

// parseUUID reads id when it is a UUID in canonical lower-case form (8-4-4-4-12 hex
// digits), the one spelling formatUUID gives back.
func parseUUID(id string) (u [16]byte, ok bool) {
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return u, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, lo := lowerHex(id[i]), lowerHex(id[i+1])
		if hi < 0 || lo < 0 {
			return u, false
		}
		u[j] = byte(hi<<4 | lo)
		i, j = i+2, j+1
	}
	return u, true
}

func lowerHex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}

// find returns the state of the row id of table, or nil; with add, it makes a new one.
func (r *Records) find(table, id string, add bool) *recordState {
	if !add {
		if i := r.look(&r.finger, table, id); i >= 0 {
			return r.states.at(i)
		}
		return nil
	}
	ti := slices.Index(r.tables, table)
	// A table name holding the separator of recordKey stays in others, where it always was.
	if ti < 0 && len(r.tables) < math.MaxUint8 && !strings.Contains(table, "\x00") {
		ti = len(r.tables)
		r.tables = append(r.tables, table)
	}
	if u, ok := parseUUID(id); ok && ti >= 0 {
		tab := uint8(ti) + 1
		h := uuidHash(uint8(ti), &u)
		first, ok := r.uuids[h]
		if ok {
			for i := first; i >= 0; i = r.states.at(i).next {
				if st := r.states.at(i); st.uuid == u && st.table == tab {
					return st
				}
			}
		} else {
			first = -1
		}
		i := r.add()
		st := r.states.at(i)
		st.table, st.uuid, st.next = tab, u, first
		r.uuids[h] = i
		return st
	}
	k := recordKey(table, id)
	if i, ok := r.others[k]; ok {
		return r.states.at(i)
	}
	r.others[k] = r.add()
	return r.states.at(r.states.n - 1)
}

// look returns the index of the state of the row id of table, or -1. It only reads the
// replay (and f).
func (r *Records) look(f *Finger, table, id string) int32 {
	ti := slices.Index(r.tables, table)
	if u, ok := parseUUID(id); ok && ti >= 0 {
		for len(f.at) < len(r.tables) {
			f.at = append(f.at, -1)
		}
		tab := uint8(ti) + 1
		for i, end := f.at[ti]+1, min(int(f.at[ti])+1+fingerReach, int(r.states.n)); int(i) < end; i++ {
			if st := r.states.at(i); st.uuid == u && st.table == tab {
				f.at[ti] = i
				return i
			}
		}
		if first, ok := r.uuids[uuidHash(uint8(ti), &u)]; ok {
			for i := first; i >= 0; i = r.states.at(i).next {
				if st := r.states.at(i); st.uuid == u && st.table == tab {
					f.at[ti] = i
					return i
				}
			}
		}
		return -1
	}
	if i, ok := r.others[recordKey(table, id)]; ok {
		return i
	}
	return -1
}

func (r *Records) add() int32 {
	r.seen = append(r.seen, false)
	return r.states.add(recordState{next: -1})
}

// Track takes the next event of the trail. Events other than record events are ignored.
func (r *Records) Track(e Event) error {
	switch e.Action {
	case ActionRecordPut, ActionRecordDeleted:
	case ActionRecordOverwritten:
		return r.trackOverwritten(e.Seq, e.ID, e.Object, e.Details["table"], e.Details["since_seq"])
	default:
		return nil
	}
	return r.track(e.Seq, e.ID, e.Action, e.Object, e.Details["table"], e.Details["digest"])
}

// track replays one record event, given its table and digest details.
func (r *Records) track(seq int64, id, action, object, table, digest string) error {
	if table == "" || object == "" {
		return errRecordEvent(seq, id)
	}
	st := r.find(table, object, true)
	st.seq = seq
	if action == ActionRecordDeleted {
		st.deleted = true
		return nil
	}
	if len(digest) != 2*sha256.Size {
		return errRecordEvent(seq, id)
	}
	if _, err := hex.Decode(st.digest[:], []byte(digest)); err != nil {
		return errRecordEvent(seq, id)
	}
	st.deleted = false
	return nil
}

// trackOverwritten keeps a record.overwritten event as the problem verify reports.
func (r *Records) trackOverwritten(seq int64, id, object, table, since string) error {
	n, err := strconv.ParseInt(since, 10, 64)
	if table == "" || object == "" || err != nil || n < 0 {
		return errRecordEvent(seq, id)
	}
	r.overwritten = append(r.overwritten, Problem{Table: table, ID: object, Kind: ProblemOverwritten, Seq: n, At: seq})
	return nil
}

// Overwritten returns a problem for every record.overwritten event, in trail order.
func (r *Records) Overwritten() []Problem { return slices.Clone(r.overwritten) }

// errRecordEvent reports a record event whose details are not as counsel writes them.
func errRecordEvent(seq int64, id string) error {
	return &BrokenError{Seq: seq, ID: id, Reason: Say("record event without a valid table and digest")}
}

// Check compares one row, given by its table, ID and digest, with the trail. It returns the
// problem and true when they differ; for a changed row, the caller fills Columns by
// comparing hints (see DiffHints) with the event at Problem.Seq.
func (r *Records) Check(table, id string, digest *[sha256.Size]byte) (Problem, bool) {
	return r.Apply(r.Look(&r.finger, table, id, digest))
}

// A Look is what Records.Look found for one row, for Apply.
type Look struct {
	table, id string
	state     int32 // -1: none
	// Differs: the row's digest is not the one its state holds; a row that Apply then finds
	// changed needs its column hints.
	Differs bool
	// Deleted: the trail says the row was deleted.
	Deleted bool
}

// Look is the first half of Check: it finds the state of the row and compares the row's
// digest with it. It only reads the replay, so once every event is tracked several
// goroutines may look at once, each with a Finger of its own; Apply must then take the
// results in the order Check would have taken the rows.
//
// Apply marks only the state of its row, and every state belongs to one table: goroutines
// that each check tables of their own may Look and Apply at once, each in its rows' order.
func (r *Records) Look(f *Finger, table, id string, digest *[sha256.Size]byte) Look {
	l := Look{table: table, id: id, state: r.look(f, table, id)}
	if l.state >= 0 {
		st := r.states.at(l.state)
		l.Differs, l.Deleted = st.digest != *digest, st.deleted
	}
	return l
}

// Apply is the second half of Check, for the result of Look.
func (r *Records) Apply(l Look) (Problem, bool) {
	table, id := l.table, l.id
	if l.state < 0 {
		return Problem{Table: table, ID: SafeID(id), Kind: ProblemInserted}, true
	}
	st := r.states.at(l.state)
	if r.seen[l.state] {
		// A second row with the same key: only possible if the key constraint was removed.
		return Problem{Table: table, ID: SafeID(id), Kind: ProblemInserted, Seq: st.seq}, true
	}
	r.seen[l.state] = true
	switch {
	case st.deleted:
		return Problem{Table: table, ID: id, Kind: ProblemRevived, Seq: st.seq}, true
	case l.Differs:
		return Problem{Table: table, ID: id, Kind: ProblemChanged, Seq: st.seq}, true
	}
	return Problem{}, false
}

// Missing returns the rows the trail says exist that Check never saw, sorted by table and
// ID. Only tables in checked are considered.
func (r *Records) Missing() []Problem {
	var out []Problem
	missing := func(i int32) (*recordState, bool) {
		st := r.states.at(i)
		return st, !r.seen[i] && !st.deleted
	}
	// Every state found by UUID, in the slice rather than through the map (sorted below).
	for i := range r.states.n {
		if st, ok := missing(i); ok && st.table > 0 {
			out = append(out, Problem{Table: r.tables[st.table-1], ID: formatUUID(st.uuid), Kind: ProblemDeleted, Seq: st.seq})
		}
	}
	for k, i := range r.others {
		if st, ok := missing(i); ok {
			table, id, _ := strings.Cut(k, "\x00")
			out = append(out, Problem{Table: table, ID: id, Kind: ProblemDeleted, Seq: st.seq})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Table != out[j].Table {
			return out[i].Table < out[j].Table
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// DiffHints names the columns whose hints differ between a recorded hint string and the
// current row's. It returns nil when they cannot be compared (different column count).
func DiffHints(recorded, current string, names []string) []string {
	a, b := strings.Split(recorded, "."), strings.Split(current, ".")
	if len(a) != len(b) || len(a) != len(names) {
		return nil
	}
	var out []string
	for i := range a {
		if a[i] != b[i] {
			out = append(out, names[i])
		}
	}
	return out
}
