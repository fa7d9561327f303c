package audit

import (
	"fmt"
	"strings"
	"testing"
)

// TestFindingsEnglish: a finding kept as Words reads in English exactly as before it was kept
// so (the JSON output and scripts rely on it), and Local hands each format, nested ones too,
// to its printer with the arguments as they are.
func TestFindingsEnglish(t *testing.T) {
	id := "01a00000-0000-7000-8000-000000000001"
	for _, c := range []struct {
		w    Words
		want string
	}{
		{Problem{Table: "sessions", ID: id, Kind: ProblemChanged, Seq: 34, Columns: []string{"starts_at", "place"}}.Words(),
			"sessions " + id + ": changed outside counsel since event seq 34 (differs in starts_at, place)"},
		{Problem{Table: "sessions", ID: id, Kind: ProblemChanged, Seq: 34}.Words(),
			"sessions " + id + ": changed outside counsel since event seq 34"},
		{Problem{Table: "people", ID: id, Kind: ProblemInserted}.Words(),
			"people " + id + ": inserted outside counsel (no event records it)"},
		{Problem{Table: "consent_events", ID: id, Kind: ProblemDeleted, Seq: 7}.Words(),
			"consent_events " + id + ": deleted outside counsel (recorded at event seq 7, no longer in the table)"},
		{Problem{Table: "people", ID: id, Kind: ProblemRevived, Seq: 9}.Words(),
			"people " + id + ": present again after counsel deleted it at event seq 9"},
		{Problem{Table: "sessions", ID: id, Kind: ProblemOverwritten, Seq: 4, At: 12}.Words(),
			"record sessions " + id + " was changed outside counsel after event seq 4; counsel wrote over it at seq 12"},
		// A row no event recorded (since_seq 0) was added outside counsel, not changed.
		{Problem{Table: "consent_events", ID: id, Kind: ProblemOverwritten, At: 12}.Words(),
			"record consent_events " + id + " was not written by counsel; counsel wrote over it at seq 12"},
		{Problem{Table: "settings", ID: "proof_key_fingerprint", Kind: ProblemProofKey}.Words(),
			"settings proof_key_fingerprint: the proof key file does not match the recorded fingerprint"},
		{Problem{Table: "audit_events", ID: "x", Kind: ProblemChainBroken, Message: "as \x1b its maker said"}.Words(),
			TermSafe("as \x1b its maker said")},
		{Problem{Table: "t\x1b", ID: "i", Kind: "odd"}.Words(), TermSafe("t\x1b") + " i: odd"},
		{(&BrokenError{Seq: 2, ID: "ev\x1b", Reason: Say("hash does not match the event's contents (event edited)")}).Words(),
			"audit chain broken at event seq 2 (id " + TermSafe("ev\x1b") + "): hash does not match the event's contents (event edited)"},
		{(&HeadNotFoundError{Want: "ab", Head: Head{Seq: 19}}).Words(),
			"audit chain does not contain the known head ab (chain ends at seq 19): events were truncated or rewritten"},
	} {
		if got := c.w.String(); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}

	be := &BrokenError{Seq: 5, ID: "ev-5", Reason: Say("sequence gap: expected seq %d after %d (event deleted, inserted or reordered)", int64(4), int64(3))}
	if be.Error() != be.Words().String() {
		t.Errorf("Error %q is not Words %q", be.Error(), be.Words().String())
	}
	var formats []string
	got := be.Words().Local(func(format string, args ...any) string {
		formats = append(formats, format)
		return "<" + fmt.Sprint(args...) + ">"
	})
	if want := "<5ev-5<4 3>>"; got != want {
		t.Errorf("Local = %q, want %q", got, want)
	}
	if len(formats) != 2 || !strings.HasPrefix(formats[0], "sequence gap") || !strings.HasPrefix(formats[1], "audit chain broken") {
		t.Errorf("Local gave the formats %q, want the reason's, then the break's", formats)
	}
}
