package audit_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
)

// FuzzCanonicalInjective checks that the encoding is unambiguous: two events that differ in
// any hashed field never share an encoding.
func FuzzCanonicalInjective(f *testing.F) {
	f.Add("ev-1", "S-1", "a", "1", "", "", "ev-1", "S-1", "a", "1", "", "", int64(0))
	f.Add("ev-1", "S-1", "a", "1,", "b", "", "ev-1", "S-1", "a", "1", ",b", "", int64(0))
	f.Add("1:a,", "", "k", "v", "k2", "v2", "1:a", ",", "k", "v", "k2", "v2", int64(1))
	f.Add("", "", "", "", "", "", "", "", "", "", "", "", int64(-1))
	f.Fuzz(func(t *testing.T, id1, obj1, k1, v1, k2, v2, id2, obj2, k3, v3, k4, v4 string, dt int64) {
		mk := func(id, obj, ka, va, kb, vb string, at time.Time) audit.Event {
			e := audit.Event{Seq: 1, ID: id, At: at, Action: audit.ActionPurge, Object: obj,
				PrevHash: audit.GenesisHash, Details: map[string]string{}}
			if ka != "" {
				e.Details[ka] = va
			}
			if kb != "" {
				e.Details[kb] = vb
			}
			return e
		}
		a := mk(id1, obj1, k1, v1, k2, v2, t0)
		b := mk(id2, obj2, k3, v3, k4, v4, t0.Add(time.Duration(dt)))
		same := a.ID == b.ID && a.Object == b.Object && a.At.Equal(b.At) && len(a.Details) == len(b.Details)
		for k, v := range a.Details {
			if bv, ok := b.Details[k]; !ok || bv != v {
				same = false
			}
		}
		ca, cb := audit.AppendCanonical(nil, a), audit.AppendCanonical(nil, b)
		if same != bytes.Equal(ca, cb) {
			t.Fatalf("events equal=%v but encodings equal=%v:\n%q\n%q", same, !same, ca, cb)
		}
	})
}

// FuzzEventJSON checks that any event the decoder accepts re-encodes to the same event and
// the same hash.
func FuzzEventJSON(f *testing.F) {
	f.Add([]byte(`{"seq":1,"id":"0b9e4e8c-6d0f-4c59-9a57-3f1f3c2a9d10","at":"2026-03-01T09:30:00.120000000Z","action":"session.created","object":"S-0001","details":{"provider":"jitsi-meet-example"},"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","hash":"5cb1513e6b6a6ce2605023b9d94e03a312f537210c7dfbdbd4ef9053365e8330"}`))
	f.Add([]byte(`{"seq":2,"at":"2026-03-01T09:30:00.000000000Z","details":null}`))
	f.Add([]byte(`{"at":"2026-03-01T09:30:00Z"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var e audit.Event
		if err := json.Unmarshal(in, &e); err != nil {
			return
		}
		out, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var back audit.Event
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if back.ComputeHash() != e.ComputeHash() {
			t.Fatalf("hash changed through JSON: %s", out)
		}
		out2, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("JSON not stable:\n%s\n%s", out, out2)
		}
	})
}
