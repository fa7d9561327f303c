package audit_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
)

// t0 is the fixed clock of these tests.
var t0 = time.Date(2026, 3, 1, 9, 30, 0, 120000000, time.UTC)

// chain builds a sealed chain of n events, a mix of actions with and without details.
func chain(tb testing.TB, n int) []audit.Event {
	tb.Helper()
	evs := make([]audit.Event, 0, n)
	var head audit.Head
	// A checkpoint needs details of its own (see TestCheckpoint).
	actions := slices.DeleteFunc(audit.Actions(), func(a string) bool { return a == audit.ActionAuditCheckpoint })
	for i := range n {
		e := audit.Event{
			ID:     fmt.Sprintf("ev-%07d", i+1),
			At:     t0.Add(time.Duration(i) * time.Minute),
			Action: actions[i%len(actions)],
			Object: fmt.Sprintf("S-%04d", i/3+1),
		}
		if i%2 == 0 {
			e.Details = map[string]string{"provider": "jitsi-meet-example", "count": fmt.Sprint(i)}
		}
		s, err := audit.Seal(head, e)
		if err != nil {
			tb.Fatal(err)
		}
		head = s.Head()
		evs = append(evs, s)
	}
	return evs
}

func verify(evs []audit.Event, known ...string) (audit.Head, error) {
	var v audit.Verifier
	for _, h := range known {
		if err := v.Expect(h); err != nil {
			return audit.Head{}, err
		}
	}
	for _, e := range evs {
		if err := v.Add(e); err != nil {
			break
		}
	}
	err := v.Finish() // first: a trail whose start is unproven has verified nothing
	return v.Head(), err
}

// The vectors below were computed independently with printf and sha256sum; they are also
// printed in docs/audit-chain.md so that an auditor can test a re-implementation.
const (
	vector1Canonical = "16:counsel-audit-v1,64:0000000000000000000000000000000000000000000000000000000000000000,1:1,36:0b9e4e8c-6d0f-4c59-9a57-3f1f3c2a9d10,30:2026-03-01T09:30:00.120000000Z,15:session.created,6:S-0001,1:2,8:provider,18:jitsi-meet-example,9:starts_at,20:2026-03-04T15:00:00Z,"
	vector1Hash      = "5cb1513e6b6a6ce2605023b9d94e03a312f537210c7dfbdbd4ef9053365e8330"
	vector2Canonical = "16:counsel-audit-v1,64:5cb1513e6b6a6ce2605023b9d94e03a312f537210c7dfbdbd4ef9053365e8330,1:2,36:5c1d2a7e-0f57-4b8e-8e0e-9d2b6f4a1c33,30:2026-03-02T11:00:00.000000000Z,15:export.sessions,0:,1:3,6:format,3:csv,4:rows,2:12,10:with_names,5:false,"
	vector2Hash      = "73c0b25a4225969997c047d24d414f3af1963984612fdae262d8a65f92858600"
)

func vectorEvents(t *testing.T) (audit.Event, audit.Event) {
	t.Helper()
	berlin := time.FixedZone("CET", 3600)
	e1, err := audit.Seal(audit.Head{}, audit.Event{
		ID: "0b9e4e8c-6d0f-4c59-9a57-3f1f3c2a9d10",
		// Given in a non-UTC zone on purpose: the hash uses UTC.
		At:     time.Date(2026, 3, 1, 10, 30, 0, 120000000, berlin),
		Action: audit.ActionSessionCreated, Object: "S-0001",
		Details: map[string]string{"starts_at": "2026-03-04T15:00:00Z", "provider": "jitsi-meet-example"},
	})
	if err != nil {
		t.Fatal(err)
	}
	e2, err := audit.Seal(e1.Head(), audit.Event{
		ID: "5c1d2a7e-0f57-4b8e-8e0e-9d2b6f4a1c33", At: time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC),
		Action:  audit.ActionExportSessions,
		Details: map[string]string{"with_names": "false", "rows": "12", "format": "csv"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e1, e2
}

func TestCanonicalVectors(t *testing.T) {
	e1, e2 := vectorEvents(t)
	tests := []struct {
		name      string
		e         audit.Event
		canonical string
		hash      string
	}{
		{"Genesis", e1, vector1Canonical, vector1Hash},
		{"Second", e2, vector2Canonical, vector2Hash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(audit.AppendCanonical(nil, tt.e)); got != tt.canonical {
				t.Errorf("canonical =\n%s\nwant\n%s", got, tt.canonical)
			}
			if tt.e.Hash != tt.hash {
				t.Errorf("hash = %s, want %s", tt.e.Hash, tt.hash)
			}
			if got := tt.e.ComputeHash(); got != tt.hash {
				t.Errorf("ComputeHash = %s, want %s", got, tt.hash)
			}
		})
	}
}

// TestDocumentedVectors keeps docs/audit-chain.md in step with the code.
func TestDocumentedVectors(t *testing.T) {
	doc, err := os.ReadFile("../../docs/audit-chain.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{vector1Canonical, vector1Hash, vector2Canonical, vector2Hash, audit.GenesisHash} {
		if !strings.Contains(string(doc), s) {
			t.Errorf("docs/audit-chain.md lacks %q", s)
		}
	}
}

func TestSeal(t *testing.T) {
	e1, e2 := vectorEvents(t)
	t.Run("First", func(t *testing.T) {
		if e1.Seq != 1 || e1.PrevHash != audit.GenesisHash {
			t.Errorf("seq %d prev %s, want 1 and genesis", e1.Seq, e1.PrevHash)
		}
		if e1.At.Location() != time.UTC {
			t.Errorf("At in %v, want UTC", e1.At.Location())
		}
	})
	t.Run("Linked", func(t *testing.T) {
		if e2.Seq != 2 || e2.PrevHash != e1.Hash {
			t.Errorf("seq %d prev %s, want 2 and %s", e2.Seq, e2.PrevHash, e1.Hash)
		}
	})
	t.Run("IgnoresGivenChainFields", func(t *testing.T) {
		e := audit.Event{ID: "x", At: t0, Action: audit.ActionPurge, Seq: 99, PrevHash: "bogus", Hash: "bogus"}
		s, err := audit.Seal(audit.Head{}, e)
		if err != nil {
			t.Fatal(err)
		}
		if s.Seq != 1 || s.PrevHash != audit.GenesisHash || s.Hash != s.ComputeHash() {
			t.Errorf("seal kept caller's chain fields: %+v", s)
		}
	})
	for _, tt := range []struct {
		name string
		prev audit.Head
	}{
		{"SeqWithoutHash", audit.Head{Seq: 3}},
		{"HashWithoutSeq", audit.Head{Hash: audit.GenesisHash}},
		{"NegativeSeq", audit.Head{Seq: -1, Hash: "ab"}},
	} {
		t.Run("BadPrev/"+tt.name, func(t *testing.T) {
			if _, err := audit.Seal(tt.prev, audit.Event{ID: "x", At: t0, Action: audit.ActionPurge}); err == nil {
				t.Error("want an error")
			}
		})
	}
	t.Run("Invalid", func(t *testing.T) {
		_, err := audit.Seal(audit.Head{}, audit.Event{ID: "x", At: t0, Action: "no.such"})
		if err == nil || !strings.Contains(err.Error(), "unknown action") {
			t.Errorf("err = %v, want unknown action", err)
		}
	})
}

func TestValidate(t *testing.T) {
	ok := func() audit.Event {
		return audit.Event{ID: "ev-1", At: t0, Action: audit.ActionConsentGiven, Object: "C-0001",
			Details: map[string]string{"method": "email_reply", "text_sha256": vector1Hash, "rows": "0", "from": "2026-01-01"}}
	}
	tests := []struct {
		name   string
		edit   func(*audit.Event)
		secret string // when set: the error must not echo it
	}{
		{name: "OK"},
		{name: "NoDetailsNoObject", edit: func(e *audit.Event) { e.Details, e.Object = nil, "" }},
		{name: "EmptyID", edit: func(e *audit.Event) { e.ID = "" }},
		{name: "IDWithSpace", edit: func(e *audit.Event) { e.ID = "Client Zeta" }, secret: "Zeta"},
		{name: "ZeroTime", edit: func(e *audit.Event) { e.At = time.Time{} }},
		{name: "UnknownAction", edit: func(e *audit.Event) { e.Action = "session.renamed" }},
		{name: "ObjectEmail", edit: func(e *audit.Event) { e.Object = "client@example.org" }, secret: "client"},
		{name: "ObjectLink", edit: func(e *audit.Event) { e.Object = "https://meet.example/room" }, secret: "room"},
		{name: "ValueEmail", edit: func(e *audit.Event) { e.Details["to"] = "client-a@example.org" }, secret: "client-a"},
		{name: "ValueLink", edit: func(e *audit.Event) { e.Details["url"] = "https://meet.example/abc123" }, secret: "abc123"},
		{name: "ValueSchemeOnly", edit: func(e *audit.Event) { e.Details["url"] = "jitsi://x" }, secret: "jitsi"},
		{name: "ValueFullName", edit: func(e *audit.Event) { e.Details["name"] = "Client Zeta" }, secret: "Zeta"},
		{name: "ValueTab", edit: func(e *audit.Event) { e.Details["name"] = "Muster\tPerson" }, secret: "Zeta"},
		{name: "ValueNonASCII", edit: func(e *audit.Event) { e.Details["name"] = "Müller" }, secret: "ller"},
		{name: "ValueTooLong", edit: func(e *audit.Event) { e.Details["blob"] = strings.Repeat("a", 257) }},
		{name: "KeyUpper", edit: func(e *audit.Event) { e.Details["Name"] = "x" }},
		{name: "KeyEmail", edit: func(e *audit.Event) { e.Details["person@example.org"] = "x" }, secret: "person"},
		{name: "KeyEmpty", edit: func(e *audit.Event) { e.Details[""] = "x" }},
		{name: "TooManyDetails", edit: func(e *audit.Event) {
			for i := range 40 {
				e.Details[fmt.Sprint("k", i)] = "1"
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok()
			if tt.edit != nil {
				tt.edit(&e)
			}
			err := e.Validate()
			wantOK := strings.HasPrefix(tt.name, "OK") || tt.name == "NoDetailsNoObject"
			if wantOK != (err == nil) {
				t.Fatalf("Validate() = %v, want ok=%v", err, wantOK)
			}
			if err != nil && tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q echoes the rejected value", err)
			}
		})
	}
}

func TestParseHash(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "Lower", in: vector1Hash, want: vector1Hash},
		{name: "UpperAndSpace", in: " " + strings.ToUpper(vector1Hash) + "\n", want: vector1Hash},
		{name: "Short", in: vector1Hash[:63], wantErr: true},
		{name: "NotHex", in: "g" + vector1Hash[1:], wantErr: true},
		{name: "Empty", in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := audit.ParseHash(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseHash = %q, %v; want %q, err=%v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestTime(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 30, 0, 5, time.FixedZone("CET", 3600))
	s := audit.FormatTime(at)
	if s != "2026-03-01T09:30:00.000000005Z" {
		t.Errorf("FormatTime = %s", s)
	}
	back, err := audit.ParseTime(s)
	if err != nil || !back.Equal(at) || back.Location() != time.UTC {
		t.Errorf("ParseTime = %v, %v; want %v in UTC", back, err, at)
	}
	if _, err := audit.ParseTime("2026-03-01T09:30:00Z"); err == nil {
		t.Error("ParseTime accepted a non-canonical time")
	}
}

func TestJSON(t *testing.T) {
	e1, e2 := vectorEvents(t)
	noDetails, err := audit.Seal(e2.Head(), audit.Event{ID: "ev-3", At: t0, Action: audit.ActionPurge})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(e1)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"seq":1,"id":"0b9e4e8c-6d0f-4c59-9a57-3f1f3c2a9d10","at":"2026-03-01T09:30:00.120000000Z","action":"session.created","object":"S-0001","details":{"provider":"jitsi-meet-example","starts_at":"2026-03-04T15:00:00Z"},"prev_hash":"` + audit.GenesisHash + `","hash":"` + vector1Hash + `"}`
	if string(b) != want {
		t.Errorf("json =\n%s\nwant\n%s", b, want)
	}
	b, err = json.Marshal(noDetails)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"details":{}`) {
		t.Errorf("json %s: want details as an empty object", b)
	}
	// What is exported verifies after reading it back.
	var back []audit.Event
	for _, e := range []audit.Event{e1, e2, noDetails} {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var r audit.Event
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		back = append(back, r)
	}
	if _, err := verify(back); err != nil {
		t.Errorf("round-tripped chain: %v", err)
	}
	var r audit.Event
	if err := json.Unmarshal([]byte(`{"seq":1,"at":"2026-03-01T09:30:00Z"}`), &r); err == nil {
		t.Error("Unmarshal accepted a non-canonical time")
	}
}
