package audit_test

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/expeerienced/counsel/internal/audit"
)

// stored returns e as a store keeps it (internal/store/audit.go).
func stored(tb testing.TB, e audit.Event) audit.Stored {
	det := []byte("{}")
	if e.Details != nil {
		var err error
		if det, err = json.Marshal(e.Details); err != nil {
			tb.Fatal(err)
		}
	}
	return audit.Stored{Seq: e.Seq, ID: e.ID, At: audit.FormatTime(e.At), Action: e.Action, Object: e.Object,
		Details: string(det), PrevHash: e.PrevHash, Hash: e.Hash}
}

// storedTrail is a short trail of the kinds of event verify meets, record events included.
func storedTrail(tb testing.TB) []audit.Stored {
	digest := strings.Repeat("ab", 32)
	evs := []audit.Event{
		{ID: "ev-1", At: t0, Action: audit.ActionSessionCreated, Object: "S-1"},
		{ID: "ev-2", At: t0, Action: audit.ActionRecordPut, Object: "S-1",
			Details: map[string]string{"table": "sessions", "digest": digest, "columns": "0a0b0c0d.01020304"}},
		{ID: "ev-3", At: t0, Action: audit.ActionRecordPut, Object: "P-1", Details: map[string]string{"table": "people", "digest": digest}},
		{ID: "ev-4", At: t0, Action: audit.ActionRecordDeleted, Object: "P-1", Details: map[string]string{"table": "people"}},
		{ID: "ev-5", At: t0, Action: audit.ActionExportSessions, Details: map[string]string{"format": "csv", "rows": "12", "with_names": "false"}},
		{ID: "ev-6", At: t0, Action: audit.ActionAuditCheckpoint, Details: map[string]string{"from_seq": "3", "prev_hash": audit.GenesisHash}},
		{ID: "ev-7", At: t0, Action: audit.ActionRecordPut, Object: "S-2", Details: map[string]string{"table": "sessions", "digest": digest}},
	}
	var head audit.Head
	out := make([]audit.Stored, len(evs))
	for i, e := range evs {
		s, err := audit.Seal(head, e)
		if err != nil {
			tb.Fatal(err)
		}
		head = s.Head()
		out[i] = stored(tb, s)
	}
	return out
}

// outcome is everything a verification leaves: what the command reports from it.
type outcome struct {
	Err, FinishErr string
	Head, Start    audit.Head
	Count          int64
	TrackErr       string
	Missing        []audit.Problem
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// exactly verifies the trail the way walkAudit did: parse each row into an Event, Add, Track.
func exactly(trail []audit.Stored) outcome {
	var v audit.Verifier
	recs := audit.NewRecords()
	var o outcome
	for i := range trail {
		e, err := trail[i].Event()
		if err == nil {
			if err = v.Add(e); err == nil {
				if err = recs.Track(e); err != nil {
					o.TrackErr = err.Error()
				}
			}
		}
		if err != nil {
			o.Err = err.Error()
			break
		}
	}
	o.FinishErr = errString(v.Finish())
	o.Head, o.Start, o.Count, o.Missing = v.Head(), v.Start(), v.Count(), recs.Missing()
	return o
}

// Ways of checking the stored form: the hashes checked by AddStored itself, first by
// StoredHash (as by another goroutine), or by CheckStored with the details it read kept for
// TrackChecked.
const (
	notPrechecked = iota
	prechecked
	checkedStored
	fastWays
)

// fast verifies it from the stored form, checked in the given way.
func fast(trail []audit.Stored, way int) outcome {
	var v audit.Verifier
	recs := audit.NewRecords()
	var o outcome
	var buf []byte
	for i := range trail {
		checked := false
		var c audit.StoredCheck
		switch way {
		case prechecked:
			var match, ok bool
			match, ok, buf = audit.StoredHash(buf, &trail[i])
			checked = match && ok
		case checkedStored:
			c, buf = audit.CheckStored(buf, &trail[i])
			checked = c.Match
		}
		err := v.AddStored(&trail[i], checked)
		if err == nil {
			if way == checkedStored {
				err = recs.TrackChecked(&trail[i], &c)
			} else {
				err = recs.TrackStored(&trail[i])
			}
			if err != nil {
				o.TrackErr = err.Error()
			}
		}
		if err != nil {
			o.Err = err.Error()
			break
		}
	}
	o.FinishErr = errString(v.Finish())
	o.Head, o.Start, o.Count, o.Missing = v.Head(), v.Start(), v.Count(), recs.Missing()
	return o
}

func TestStoredIntact(t *testing.T) {
	trail := storedTrail(t)
	trail = trail[:5] // without the checkpoint, which would not belong here
	want := exactly(trail)
	if want.Err != "" || want.FinishErr != "" || want.Count != 5 {
		t.Fatalf("exact path: %+v", want)
	}
	for way := range fastWays {
		if got := fast(trail, way); !reflect.DeepEqual(got, want) {
			t.Errorf("way %d: %+v, exact path %+v", way, got, want)
		}
	}
}

// setField changes field i of s to v (0: seq, read as a number).
func setField(s *audit.Stored, i int, v string) {
	switch i % 8 {
	case 0:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			s.Seq = n
		}
	case 1:
		s.ID = v
	case 2:
		s.At = v
	case 3:
		s.Action = v
	case 4:
		s.Object = v
	case 5:
		s.Details = v
	case 6:
		s.PrevHash = v
	case 7:
		s.Hash = v
	}
}

// The fast path is the exact path: for any event edited in any field, resealed or not (an
// attacker who recomputes the hash), both report the same error at the same event, the
// same head, count and start, and the same replayed records.
func FuzzStoredMatchesExact(f *testing.F) {
	t0s := audit.FormatTime(t0)
	for _, c := range []struct {
		event, field int
		v            string
		reseal       bool
	}{
		{1, 5, `{"table":"sessions","digest":"` + strings.Repeat("ab", 32) + `"}`, true},
		{1, 5, `{"digest":"` + strings.Repeat("ab", 32) + `","table":"sessions"}`, true}, // keys out of order
		{1, 5, `{"table":"sessions","table":"people","digest":"` + strings.Repeat("ab", 32) + `"}`, true},
		{1, 5, `{"table":"sessions", "digest":"` + strings.Repeat("ab", 32) + `"}`, true},
		{1, 5, `{"table":"sess\u0069ons","digest":"` + strings.Repeat("ab", 32) + `"}`, true},
		{4, 5, `{"format":"csv","rows":"12","with_names":"true"}`, false},
		{4, 5, `{"format":"csv","rows":12}`, true},
		{4, 5, `null`, true},
		{0, 2, strings.Replace(t0s, "T", " ", 1), true},
		{0, 2, strings.Replace(t0s, ".120000000", ".12", 1), true},
		{0, 2, "2026-02-30T09:30:00.120000000Z", true},
		{2, 2, t0s[:len(t0s)-1] + "+", false},
		{3, 0, "5", false},
		{3, 6, audit.GenesisHash, false},
		{3, 7, strings.Repeat("0", 64), false},
		{3, 4, "", true},
		{2, 3, audit.ActionRecordDeleted, true},
		{5, 5, `{"from_seq":"3","prev_hash":"` + audit.GenesisHash + `"}`, true},
		{5, 5, `{"from_seq":"03","prev_hash":"` + audit.GenesisHash + `"}`, true},
		{0, 1, "ev-\x1f1", true},
		{0, 0, "3", true},
		{6, 5, `{"table":"sessions","digest":"` + strings.Repeat("AB", 32) + `"}`, true},
	} {
		f.Add(c.event, c.field, c.v, c.reseal)
	}
	f.Fuzz(func(t *testing.T, event, field int, v string, reseal bool) {
		trail := storedTrail(t)
		if event < 0 || field < 0 {
			return
		}
		i := event % len(trail)
		setField(&trail[i], field, v)
		if reseal {
			// Recompute the hash (and the links after it) as an attacker would; an event
			// that does not parse keeps its hash.
			for j := i; j < len(trail); j++ {
				if j > i {
					trail[j].PrevHash = trail[j-1].Hash
				}
				if e, err := trail[j].Event(); err == nil {
					trail[j].Hash = e.ComputeHash()
				}
			}
		}
		want := exactly(trail)
		for way := range fastWays {
			if got := fast(trail, way); !reflect.DeepEqual(got, want) {
				t.Fatalf("event %d field %d = %q (reseal %v, way %d):\nfast  %+v\nexact %+v",
					i, field%8, v, reseal, way, got, want)
			}
		}
	})
}

// The hash built from the stored bytes is the hash of the canonical encoding.
func TestStoredHashIsComputeHash(t *testing.T) {
	for _, e := range chain(t, 200) {
		s := stored(t, e)
		match, ok, _ := audit.StoredHash(nil, &s)
		if c, _ := audit.CheckStored(nil, &s); !ok || !match || !c.Match {
			t.Fatalf("event %d: match %v ok %v, CheckStored %v", e.Seq, match, ok, c.Match)
		}
		s.Object += "x"
		if match, ok, _ := audit.StoredHash(nil, &s); !ok || match {
			t.Fatalf("edited event %d: match %v ok %v", e.Seq, match, ok)
		}
		if c, _ := audit.CheckStored(nil, &s); c.Match {
			t.Fatalf("edited event %d: CheckStored matches", e.Seq)
		}
	}
}
