package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The test vectors of docs/audit-chain.md, "Records".
func TestRecordVectors(t *testing.T) {
	key := make([]byte, RecordKeySize)
	for i := range key {
		key[i] = byte(i)
	}
	d, err := NewRecordDigester(key)
	if err != nil {
		t.Fatal(err)
	}
	w := []Column{{"id", "W-0001"}, {"subject_hmac", "ab12"}, {"withdrawn_at", "2026-11-28T09:00:00Z"},
		{"notice_hashes", ""}, {"retain_until", "2029-12-31T23:00:00Z"}}
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", what, got, want)
		}
	}
	check("withdrawals encoding", string(AppendRecord(nil, "withdrawals", w)),
		"17:counsel-record-v1,11:withdrawals,1:5,2:id,7:TW-0001,12:subject_hmac,5:Tab12,12:withdrawn_at,21:T2026-11-28T09:00:00Z,13:notice_hashes,1:T,12:retain_until,21:T2029-12-31T23:00:00Z,")
	check("withdrawals digest", d.Digest("withdrawals", w), "ff62b6e9c00ee56164ba775ab48b254de6c1001cebda7658eef6e322af67dd7c")
	check("withdrawals hints", d.ColumnHints("withdrawals", w), "ad9eb11b.4310741e.63db014d.604de86b.9cdc9598")

	secret := SecretValue(bytes.Repeat([]byte{0x42}, 32), []Column{{"name", "Client-A"}})
	check("name digest", secret.(string), "K825a385179e142ae9cb379fc336cee350aabd15f32656f26fe85e613ee264cc3")
	p := []Column{{"id", "P-0001"}, {"created_at", "2026-11-28T09:00:00Z"}, {"erased_at", nil}, {"name", secret}}
	check("people encoding", string(AppendRecord(nil, "people", p)),
		"17:counsel-record-v1,6:people,1:4,2:id,7:TP-0001,10:created_at,21:T2026-11-28T09:00:00Z,9:erased_at,1:N,4:name,66:TK825a385179e142ae9cb379fc336cee350aabd15f32656f26fe85e613ee264cc3,")
	check("people digest", d.Digest("people", p), "81f0e634aa635dd9a854937a55b0bdfc287a51f708c044f5efd63ae5a4719e9c")
	erased := []Column{{"id", "P-0001"}, {"created_at", "2026-11-28T09:00:00Z"}, {"erased_at", "2026-12-01T10:00:00Z"},
		{"name", SecretValue(nil, []Column{{"name", nil}})}}
	check("erased digest", d.Digest("people", erased), "ce5a574b3ab716f60713864b898b3e84bb6e7aed1cd729cf3891b2ddb94cc2c3")
	check("integer", string(AppendRecord(nil, "x", []Column{{"duration_min", int64(50)}})), "17:counsel-record-v1,1:x,1:1,12:duration_min,3:I50,")
}

// The name never appears in the trail's encoding, and a name put back without its key is
// told apart from an erased one.
func TestSecretValue(t *testing.T) {
	if v := SecretValue(nil, []Column{{"name", nil}}); v != nil {
		t.Errorf("erased: %v, want NULL", v)
	}
	if v := SecretValue(nil, []Column{{"name", "Client-A"}}); v != "P" {
		t.Errorf("name without key: %v, want P", v)
	}
	k := bytes.Repeat([]byte{1}, 32)
	a, b := SecretValue(k, []Column{{"name", "Client-A"}}), SecretValue(k, []Column{{"name", "Client-B"}})
	if a == b || strings.Contains(a.(string), "Client") {
		t.Errorf("digests %v %v", a, b)
	}
}

func TestAppendTypedKeepsTypesApart(t *testing.T) {
	seen := map[string]Value{}
	for _, v := range []Value{nil, "", "1", int64(1), 1.0, []byte("1"), []byte{}, "N", true} {
		s := string(AppendTyped(nil, v))
		if prev, ok := seen[s]; ok {
			if _, isBool := v.(bool); !isBool {
				t.Errorf("%#v and %#v both encode as %q", prev, v, s)
			}
		}
		seen[s] = v
	}
}

func TestRecordsReplay(t *testing.T) {
	d, _ := NewRecordDigester(make([]byte, 32))
	cols := []Column{{"id", "A"}}
	det := d.RecordDetails("t", cols)
	r := NewRecords()
	for i, e := range []Event{
		{Seq: 1, Action: ActionRecordPut, Object: "A", Details: det},
		{Seq: 2, Action: ActionRecordPut, Object: "B", Details: det},
		{Seq: 3, Action: ActionRecordDeleted, Object: "B", Details: map[string]string{"table": "t"}},
		{Seq: 4, Action: ActionRecordPut, Object: "C", Details: det},
		{Seq: 5, Action: ActionSessionCreated, Object: "D"},
	} {
		e.ID, e.At = "e", time.Unix(int64(i), 0)
		if err := r.Track(e); err != nil {
			t.Fatal(err)
		}
	}
	var sum [sha256.Size]byte
	d.DigestTo(&sum, "t", cols)
	if p, bad := r.Check("t", "A", &sum); bad {
		t.Errorf("A: %+v", p)
	}
	if p, bad := r.Check("t", "B", &sum); !bad || p.Kind != ProblemRevived || p.Seq != 3 {
		t.Errorf("B: %+v", p)
	}
	if p, bad := r.Check("t", "D", &sum); !bad || p.Kind != ProblemInserted {
		t.Errorf("D: %+v", p)
	}
	var other [sha256.Size]byte
	if p, bad := r.Check("u", "A", &other); !bad || p.Kind != ProblemInserted {
		t.Errorf("A in another table: %+v", p)
	}
	missing := r.Missing()
	if len(missing) != 1 || missing[0].ID != "C" || missing[0].Kind != ProblemDeleted || missing[0].Seq != 4 {
		t.Errorf("missing %+v", missing)
	}
	if err := r.Track(Event{Seq: 6, ID: "x", Action: ActionRecordPut, Object: "E", Details: map[string]string{"table": "t", "digest": "zz"}}); err == nil {
		t.Error("a record event with a bad digest was accepted")
	}
	if got := DiffHints(d.ColumnHints("t", cols), d.ColumnHints("t", []Column{{"id", "Z"}}), []string{"id"}); len(got) != 1 || got[0] != "id" {
		t.Errorf("DiffHints = %v", got)
	}
	_ = hex.EncodeToString
}

// The replay keeps its states in chunks of 4,096: with exactly one chunk, one more, and past a
// second chunk, every row is found with its own digest, and the unchecked rows (the last of
// the first chunk, the last) are the ones Missing reports.
func TestRecordsAcrossChunks(t *testing.T) {
	d, _ := NewRecordDigester(make([]byte, 32))
	id := func(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i) }
	cols := func(i int) []Column { return []Column{{"id", id(i)}, {"n", strconv.Itoa(i)}} }
	const chunk = 1 << stateChunkBits
	for _, n := range []int{chunk, chunk + 1, 2*chunk + 1} {
		r := NewRecords()
		for i := range n {
			e := Event{Seq: int64(i + 1), ID: "e", At: time.Unix(int64(i), 0), Action: ActionRecordPut, Object: id(i), Details: d.RecordDetails("t", cols(i))}
			if err := r.Track(e); err != nil {
				t.Fatal(err)
			}
		}
		unchecked := []int{chunk - 1}
		if n-1 != chunk-1 {
			unchecked = append(unchecked, n-1)
		}
		var sum [sha256.Size]byte
		for i := 1; i < n; i++ {
			if slices.Contains(unchecked, i) {
				continue
			}
			d.DigestTo(&sum, "t", cols(i))
			if p, bad := r.Check("t", id(i), &sum); bad {
				t.Fatalf("%d states: row %d: %+v", n, i, p)
			}
		}
		d.DigestTo(&sum, "t", cols(n-1))
		if p, bad := r.Check("t", id(0), &sum); !bad || p.Kind != ProblemChanged || p.Seq != 1 {
			t.Errorf("%d states: the first row with the last's digest: %+v", n, p)
		}
		var got []string
		for _, p := range r.Missing() {
			got = append(got, fmt.Sprintf("%s %s %d", p.Kind, p.ID, p.Seq))
		}
		var want []string
		for _, i := range unchecked {
			want = append(want, fmt.Sprintf("%s %s %d", ProblemDeleted, id(i), i+1))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%d states: missing %q, want %q", n, got, want)
		}
	}
}
