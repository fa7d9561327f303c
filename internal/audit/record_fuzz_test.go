package audit

import (
	"crypto/sha256"
	"strings"
	"testing"
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
		if hs, err := ParseRecordHints(hints); err == nil && hints != "" {
			if len(hs) != strings.Count(hints, ".")+1 {
				t.Fatalf("%q parsed into %d hints", hints, len(hs))
			}
		}
		_ = DiffHints(hints, det["columns"], []string{"id", "status"})
	})
}
