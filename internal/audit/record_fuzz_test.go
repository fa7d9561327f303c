package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzRecordEvent feeds arbitrary record event details through the replay's decoder (Track)
// and the hint parser: neither may panic, a digest that Track accepts is 64 hex digits, and
// a hint string that parses has one group per column.
func FuzzRecordEvent(f *testing.F) {
	d, _ := NewRecordDigester(make([]byte, 32))
	det := d.RecordDetails("sessions", []Column{{"id", "S-1"}, {"status", "scheduled"}})
	f.Add(ActionRecordPut, "S-1", det["table"], det["digest"], det["columns"])
	f.Add(ActionRecordDeleted, "S-1", "sessions", "", "")
	f.Add(ActionRecordPut, "", "", strings.Repeat("g", 64), "0000000.1")
	f.Add(ActionRecordPut, "x", "t", strings.Repeat("A", 64), "ABCDEF01")
	f.Fuzz(func(t *testing.T, action, object, table, digest, hints string) {
		r := NewRecords()
		err := r.Track(Event{Seq: 1, ID: "e", Action: action, Object: object,
			Details: map[string]string{"table": table, "digest": digest, "columns": hints}})
		if err == nil && action == ActionRecordPut {
			if len(digest) != 64 {
				t.Fatalf("accepted digest %q", digest)
			}
			var sum [sha256.Size]byte
			if _, bad := r.Check(table, object, &sum); !bad && digest != strings.Repeat("0", 64) {
				t.Fatalf("a zero row matched digest %q", digest)
			}
		}
		if hs, err := parseRecordHints(hints); err == nil && hints != "" {
			if len(hs) != strings.Count(hints, ".")+1 {
				t.Fatalf("%q parsed into %d hints", hints, len(hs))
			}
		}
		_ = DiffHints(hints, det["columns"], []string{"id", "status"})
	})
}

// FuzzCheckpoint feeds arbitrary checkpoint details through checkpointStart and a verifier
// whose trail starts after them: a start is accepted only in its one canonical spelling, and
// a trail is accepted only when the checkpoint states exactly its start.
func FuzzCheckpoint(f *testing.F) {
	f.Add("5", strings.Repeat("ab", 32), int64(5))
	f.Add("05", strings.Repeat("ab", 32), int64(5))
	f.Add("1", strings.Repeat("0", 64), int64(1))
	f.Add("-3", "", int64(2))
	f.Add("9223372036854775807", strings.Repeat("AB", 32), int64(3))
	f.Fuzz(func(t *testing.T, fromSeq, prevHash string, first int64) {
		cp := Event{Seq: 1, ID: "cp", Action: ActionAuditCheckpoint,
			Details: map[string]string{"from_seq": fromSeq, "prev_hash": prevHash}}
		h, bad := checkpointStart(cp)
		if bad.Format != "" {
			return
		}
		if h.Seq < 1 || strconv.FormatInt(h.Seq+1, 10) != fromSeq || h.Hash != prevHash {
			t.Fatalf("%q %q read as %+v", fromSeq, prevHash, h)
		}
		if first < 2 || first > 1<<40 {
			return
		}
		// A trail that starts at seq first with prevHash, ending with the checkpoint.
		start := Head{Seq: first - 1, Hash: prevHash}
		at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		e1, err := Seal(start, Event{ID: "e1", At: at, Action: ActionPurge})
		if err != nil {
			t.Fatal(err)
		}
		e2, err := Seal(e1.Head(), Event{ID: "e2", At: at, Action: ActionAuditCheckpoint, Details: cp.Details})
		if err != nil {
			return // details Validate refuses
		}
		var v Verifier
		_ = v.Add(e1)
		_ = v.Add(e2)
		err = v.Finish()
		if (err == nil) != (h == start) {
			t.Fatalf("checkpoint %+v, trail start %+v: Finish = %v", h, start, err)
		}
	})
}

// parseRecordHints checks the form of a hint string (n groups of 8 hex digits joined by
// '.'); FuzzRecordEvent holds the hints it generates to it.
func parseRecordHints(s string) ([]uint32, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ".")
	out := make([]uint32, len(parts))
	for i, p := range parts {
		b, err := hex.DecodeString(p)
		if err != nil || len(b) != 4 || strings.ToLower(p) != p {
			return nil, fmt.Errorf("column hint %d is not 8 lower-case hex digits", i+1)
		}
		out[i] = binary.BigEndian.Uint32(b)
	}
	return out, nil
}
