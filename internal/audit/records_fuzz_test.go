package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// refRecords is the replay as a plain map from table and ID to state: what Records must
// behave as, whatever form its keys take inside.
type refRecords map[string]*refState

type refState struct {
	recordState
	seen bool
}

func (r refRecords) track(seq int64, action, table, object, digest string) bool {
	if table == "" || object == "" {
		return false
	}
	st := r[recordKey(table, object)]
	if st == nil {
		st = &refState{}
		r[recordKey(table, object)] = st
	}
	st.seq = seq
	if action == ActionRecordDeleted {
		st.deleted = true
		return true
	}
	if len(digest) != 2*sha256.Size {
		return false
	}
	if _, err := hex.Decode(st.digest[:], []byte(digest)); err != nil {
		return false
	}
	st.deleted = false
	return true
}

func (r refRecords) check(table, id string, digest *[sha256.Size]byte) (Problem, bool) {
	st := r[recordKey(table, id)]
	switch {
	case st == nil:
		return Problem{Table: table, ID: SafeID(id), Kind: ProblemInserted}, true
	case st.seen:
		return Problem{Table: table, ID: SafeID(id), Kind: ProblemInserted, Seq: st.seq}, true
	}
	st.seen = true
	switch {
	case st.deleted:
		return Problem{Table: table, ID: id, Kind: ProblemRevived, Seq: st.seq}, true
	case st.digest != *digest:
		return Problem{Table: table, ID: id, Kind: ProblemChanged, Seq: st.seq}, true
	}
	return Problem{}, false
}

func (r refRecords) missing() []Problem {
	var out []Problem
	for k, st := range r {
		if !st.seen && !st.deleted {
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

// FuzzRecordsMatchesReference plays a script of record events and row checks on Records
// and on a plain map: the same errors, problems and missing rows, whatever the IDs (UUIDs
// in lower or upper case, near-UUIDs, names, bytes) and tables.
func FuzzRecordsMatchesReference(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 1, 2, 1, 3, 0, 0, 1}, "01a22f4b-d6b2-7942-a87b-9d518dc38357", "t\x00u")
	f.Add([]byte{0, 1, 1, 0, 2, 2, 1, 1, 3, 2, 1, 2, 0, 3, 3}, "01A22F4B-D6B2-7942-A87B-9D518DC38357", "")
	f.Add([]byte{1, 1, 2, 0, 0, 2, 2, 0, 2}, "01a22f4b-d6b2-7942-a87b-9d518dc3835g", "sessions")
	f.Fuzz(func(t *testing.T, script []byte, extraID, extraTable string) {
		ids := []string{"01a22f4b-d6b2-7942-a87b-9d518dc38357", "01a22f4b-d6b3-7676-b667-f279fbd5bc26",
			"01A22F4B-D6B2-7942-A87B-9D518DC38357", "S-1", "", "x\x00y", extraID}
		tables := []string{"sessions", "people", "", "a\x00b", extraTable}
		var d1, d2 [sha256.Size]byte
		d2[0] = 1
		digests := []string{hex.EncodeToString(d1[:]), hex.EncodeToString(d2[:]), "zz", strings.Repeat("G", 64)}
		r, ref := NewRecords(), refRecords{}
		checking := false
		var other Finger
		for i := 0; i+3 < len(script); i += 4 {
			op, table, id, dg := script[i]%4, tables[int(script[i+1])%len(tables)], ids[int(script[i+2])%len(ids)], int(script[i+3])
			seq := int64(i + 1)
			switch {
			case op == 3 || checking:
				checking = true // rows are checked after the whole trail
				sum := &d1
				if dg%2 == 1 {
					sum = &d2
				}
				// Check, or Look with a second finger (as a second goroutine) and Apply.
				var p Problem
				var bad bool
				if dg&2 == 0 {
					p, bad = r.Check(table, id, sum)
				} else {
					p, bad = r.Apply(r.Look(&other, table, id, sum))
				}
				wp, wbad := ref.check(table, id, sum)
				if bad != wbad || !reflect.DeepEqual(p, wp) {
					t.Fatalf("check %q %q: %v %+v, reference %v %+v", table, id, bad, p, wbad, wp)
				}
			default:
				action := ActionRecordPut
				if op == 1 {
					action = ActionRecordDeleted
				}
				err := r.track(seq, "e", action, id, table, digests[dg%len(digests)])
				if ok := ref.track(seq, action, table, id, digests[dg%len(digests)]); ok != (err == nil) {
					t.Fatalf("track %s %q %q: %v, reference ok %v", action, table, id, err, ok)
				}
			}
		}
		if got, want := r.Missing(), ref.missing(); !reflect.DeepEqual(got, want) {
			t.Fatalf("missing %+v, reference %+v", got, want)
		}
	})
}

func TestRecordsUUIDKeys(t *testing.T) {
	for _, id := range []string{"01a22f4b-d6b2-7942-a87b-9d518dc38357", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"} {
		u, ok := parseUUID(id)
		if !ok || formatUUID(u) != id {
			t.Errorf("%s: read %v, written back %s", id, ok, formatUUID(u))
		}
	}
	for _, id := range []string{"01A22F4B-D6B2-7942-A87B-9D518DC38357", "01a22f4b-d6b2-7942-a87b-9d518dc3835", "01a22f4bxd6b2-7942-a87b-9d518dc38357", "01a22f4b-d6b2-7942-a87b-9d518dc3835g", "{01a22f4b-d6b2-7942-a87b-9d518dc383}"} {
		if _, ok := parseUUID(id); ok {
			t.Errorf("%s read as a canonical UUID", id)
		}
	}
}

// Rows whose IDs share a hash are told apart: each is checked against its own state and
// reported missing under its own ID.
func TestRecordsHashCollision(t *testing.T) {
	var u1, u2, u3 [16]byte
	binary.LittleEndian.PutUint64(u1[8:], 12345)
	binary.LittleEndian.PutUint64(u2[:8], 1)
	binary.LittleEndian.PutUint64(u2[8:], 12345^0x9e3779b97f4a7c15)
	u3 = u1
	u3[15] ^= 1 // the same hash in the second table as u1 in the first
	if uuidHash(0, &u1) != uuidHash(0, &u2) || uuidHash(0, &u1) != uuidHash(1, &u3) {
		t.Fatal("the IDs do not collide")
	}
	id1, id2, id3 := formatUUID(u1), formatUUID(u2), formatUUID(u3)
	var d1, d2 [sha256.Size]byte
	d2[0] = 1
	r := NewRecords()
	for i, ev := range []struct{ table, id string }{{"a", id1}, {"b", id3}, {"a", id2}, {"b", id1}} {
		dg := d1
		if i%2 == 1 {
			dg = d2
		}
		if err := r.track(int64(i+1), "e", ActionRecordPut, ev.id, ev.table, hex.EncodeToString(dg[:])); err != nil {
			t.Fatal(err)
		}
	}
	if p, bad := r.Check("a", id2, &d1); bad {
		t.Errorf("a %s: %+v", id2, p)
	}
	if p, bad := r.Check("b", id3, &d1); !bad || p.Kind != ProblemChanged || p.Seq != 2 {
		t.Errorf("b %s: %+v", id3, p)
	}
	want := []Problem{{Table: "a", ID: id1, Kind: ProblemDeleted, Seq: 1}, {Table: "b", ID: id1, Kind: ProblemDeleted, Seq: 4}}
	if got := r.Missing(); !reflect.DeepEqual(got, want) {
		t.Errorf("missing %+v, want %+v", got, want)
	}
}
