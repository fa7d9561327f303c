package export_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/export"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update to accept):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// The fixed clock of these tests.
var generatedAt = time.Date(2026, 3, 2, 12, 0, 0, 0, time.FixedZone("CET", 3600))

// sessionRow is shaped like a session export row; its values exercise escaping.
type sessionRow struct {
	SessionID string `json:"session_id"`
	SubjectID string `json:"subject_id"`
	Provider  string `json:"provider"`
	StartsAt  string `json:"starts_at"`
	Status    string `json:"status"`
	Place     string `json:"place"`
}

func (r sessionRow) cells() []string {
	return []string{r.SessionID, r.SubjectID, r.Provider, r.StartsAt, r.Status, r.Place}
}

var sessionHeader = []string{"session_id", "subject_id", "provider", "starts_at", "status", "place"}

var sessionRows = []sessionRow{
	{"S-0001", "subj-3f1f3c2a", "jitsi-meet-example", "2026-03-04T15:00:00Z", "held", "Beratungsstelle, Raum 2"},
	{"S-0002", "subj-9d2b6f4a", "blizz", "2026-03-05T09:30:00Z", "cancelled", `=HYPERLINK("https://x.example")`},
	{"S-0003", "subj-3f1f3c2a", "jitsi-meet-example", "2026-03-06T17:00:00Z", "planned", "Café <Süd> & \"Ost\"\nEingang B"},
}

var head = audit.Head{Seq: 57, Hash: "73c0b25a4225969997c047d24d414f3af1963984612fdae262d8a65f92858600"}

// envelope is the JSON envelope as a reader sees it.
type envelope struct {
	Kind        string            `json:"kind"`
	GeneratedAt time.Time         `json:"generated_at"`
	Params      map[string]string `json:"params"`
	Rows        []json.RawMessage `json:"rows"`
	Count       int64             `json:"count"`
	AuditHead   audit.Head        `json:"audit_head"`
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name   string
		header export.Header
		rows   []any
	}{
		{
			name:   "sessions.json",
			header: export.Header{Kind: "sessions", GeneratedAt: generatedAt, Params: map[string]string{"from": "2026-03-01", "to": "2026-04-01", "with_names": "false"}},
			rows:   []any{sessionRows[0], sessionRows[1], sessionRows[2]},
		},
		{
			name:   "empty.json",
			header: export.Header{Kind: "sessions", GeneratedAt: generatedAt},
		},
		{
			name:   "audit.json",
			header: export.Header{Kind: "audit", GeneratedAt: generatedAt},
			rows:   auditRows(t),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := export.NewJSON(&buf, tt.header)
			for _, r := range tt.rows {
				if err := w.Write(r); err != nil {
					t.Fatal(err)
				}
			}
			h := head
			if tt.name == "audit.json" {
				ev := tt.rows[len(tt.rows)-1].(audit.Event)
				h = ev.Head()
			}
			if err := w.Close(h); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, buf.Bytes())

			var env envelope
			dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&env); err != nil {
				t.Fatalf("output is not the envelope: %v", err)
			}
			if env.Kind != tt.header.Kind || !env.GeneratedAt.Equal(tt.header.GeneratedAt) {
				t.Errorf("kind %q at %v, want %q at %v", env.Kind, env.GeneratedAt, tt.header.Kind, tt.header.GeneratedAt)
			}
			if env.Count != int64(len(tt.rows)) || len(env.Rows) != len(tt.rows) || w.Rows() != env.Count {
				t.Errorf("count %d, rows %d, Rows() %d; want %d", env.Count, len(env.Rows), w.Rows(), len(tt.rows))
			}
			if env.AuditHead != h {
				t.Errorf("audit_head = %+v, want %+v", env.AuditHead, h)
			}
			if env.Params == nil {
				t.Error("params missing; want an object even when empty")
			}
		})
	}
}

// auditRows is a short sealed chain, exported as an auditor receives it.
func auditRows(t *testing.T) []any {
	t.Helper()
	var rows []any
	var h audit.Head
	for i, e := range []audit.Event{
		{ID: "ev-1", At: generatedAt, Action: audit.ActionSessionCreated, Object: "S-0001", Details: map[string]string{"provider": "jitsi-meet-example"}},
		{ID: "ev-2", At: generatedAt.Add(time.Minute), Action: audit.ActionConsentGiven, Object: "C-0001", Details: map[string]string{"method": "email_reply"}},
		{ID: "ev-3", At: generatedAt.Add(2 * time.Minute), Action: audit.ActionExportAudit},
	} {
		s, err := audit.Seal(h, e)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		h = s.Head()
		rows = append(rows, s)
	}
	return rows
}

func TestAuditExportVerifies(t *testing.T) {
	// An auditor reads the envelope back and verifies it against its own head.
	var buf bytes.Buffer
	rows := auditRows(t)
	w := export.NewJSON(&buf, export.Header{Kind: "audit", GeneratedAt: generatedAt})
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	last := rows[len(rows)-1].(audit.Event)
	if err := w.Close(last.Head()); err != nil {
		t.Fatal(err)
	}
	var env struct {
		Rows      []audit.Event `json:"rows"`
		AuditHead audit.Head    `json:"audit_head"`
	}
	if err := json.Unmarshal(buf.Bytes(), &env); err != nil {
		t.Fatal(err)
	}
	var v audit.Verifier
	if err := v.Expect(env.AuditHead.Hash); err != nil {
		t.Fatal(err)
	}
	for _, e := range env.Rows {
		if err := v.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Finish(); err != nil {
		t.Fatal(err)
	}
}

func TestJSONErrors(t *testing.T) {
	t.Run("UnencodableRow", func(t *testing.T) {
		var buf bytes.Buffer
		w := export.NewJSON(&buf, export.Header{Kind: "sessions", GeneratedAt: generatedAt})
		if err := w.Write(func() {}); err == nil {
			t.Fatal("want an error")
		}
		// The refused row leaves the envelope valid.
		if err := w.Write(sessionRows[0]); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(head); err != nil {
			t.Fatal(err)
		}
		var env envelope
		if err := json.Unmarshal(buf.Bytes(), &env); err != nil || env.Count != 1 {
			t.Errorf("envelope %s: %v, count %d", buf.Bytes(), err, env.Count)
		}
	})
	t.Run("WriteAfterClose", func(t *testing.T) {
		w := export.NewJSON(io.Discard, export.Header{Kind: "sessions", GeneratedAt: generatedAt})
		if err := w.Close(head); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(sessionRows[0]); err == nil {
			t.Error("Write after Close: want an error")
		}
		if err := w.Close(head); err == nil {
			t.Error("second Close: want an error")
		}
	})
	t.Run("WriterFails", func(t *testing.T) {
		boom := errors.New("disk full")
		w := export.NewJSON(failWriter{boom}, export.Header{Kind: "sessions", GeneratedAt: generatedAt})
		if err := w.Close(head); !errors.Is(err, boom) {
			t.Errorf("Close = %v, want %v", err, boom)
		}
	})
}

func TestNDJSON(t *testing.T) {
	var buf bytes.Buffer
	w := export.NewNDJSON(&buf)
	for _, r := range sessionRows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Write(make(chan int)); err == nil {
		t.Error("unencodable row: want an error")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	golden(t, "sessions.ndjson", buf.Bytes())
	if w.Rows() != int64(len(sessionRows)) {
		t.Errorf("Rows() = %d, want %d", w.Rows(), len(sessionRows))
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(sessionRows) {
		t.Fatalf("%d lines, want %d", len(lines), len(sessionRows))
	}
	for i, l := range lines {
		var r sessionRow
		if err := json.Unmarshal([]byte(l), &r); err != nil || r != sessionRows[i] {
			t.Errorf("line %d reads back %+v, %v; want %+v", i, r, err, sessionRows[i])
		}
	}
	t.Run("WriterFails", func(t *testing.T) {
		boom := errors.New("disk full")
		w := export.NewNDJSON(failWriter{boom})
		if err := w.Write(sessionRows[0]); err != nil {
			t.Fatal(err) // still buffered
		}
		if err := w.Flush(); !errors.Is(err, boom) {
			t.Fatalf("Flush = %v, want %v", err, boom)
		}
		if err := w.Write(sessionRows[0]); !errors.Is(err, boom) {
			t.Errorf("Write after failure = %v, want the sticky error", err)
		}
	})
}

func TestCSVGolden(t *testing.T) {
	var buf bytes.Buffer
	w := export.NewCSV(&buf, sessionHeader)
	for _, r := range sessionRows {
		if err := w.Write(r.cells()); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	golden(t, "sessions.csv", buf.Bytes())
}

func TestSummary(t *testing.T) {
	var data bytes.Buffer
	hw := export.NewHashWriter(&data)
	w := export.NewCSV(hw, sessionHeader)
	for _, r := range sessionRows {
		if err := w.Write(r.cells()); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data.Bytes())
	if got := hw.Sum(); got != hex.EncodeToString(sum[:]) {
		t.Fatalf("HashWriter.Sum = %s, want %x", got, sum)
	}
	s := export.Summary{
		Kind: "sessions", Format: "csv", File: "sessions.csv", SHA256: hw.Sum(),
		GeneratedAt: generatedAt, Count: w.Rows(), AuditHead: head,
	}
	var side bytes.Buffer
	if _, err := s.WriteTo(&side); err != nil {
		t.Fatal(err)
	}
	golden(t, "sessions.csv.head.json", side.Bytes())

	var back export.Summary
	if err := json.Unmarshal(side.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !back.GeneratedAt.Equal(s.GeneratedAt) || back.Count != 3 || back.AuditHead != head || back.SHA256 != s.SHA256 {
		t.Errorf("summary reads back as %+v, want %+v", back, s)
	}
	if got, want := export.SideFile("/tmp/out.csv"), "/tmp/out.csv.head.json"; got != want {
		t.Errorf("SideFile = %s, want %s", got, want)
	}
	wantLine := "sessions export: 3 rows, audit head seq 57 hash " + head.Hash
	if got := s.String(); got != wantLine {
		t.Errorf("String() = %q, want %q", got, wantLine)
	}
	stdout := s
	stdout.File, stdout.SHA256 = "", ""
	b, err := json.Marshal(stdout)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "file") || strings.Contains(string(b), "sha256") {
		t.Errorf("stdout summary %s: want file and sha256 left out", b)
	}
}

func BenchmarkJSON(b *testing.B) {
	const rows = 1_000_000
	b.ReportAllocs()
	for b.Loop() {
		w := export.NewJSON(io.Discard, export.Header{Kind: "sessions", GeneratedAt: generatedAt})
		for range rows {
			if err := w.Write(sessionRows[0]); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(head); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}

// FuzzSummaryJSON checks that any side file the decoder accepts re-encodes stably.
func FuzzSummaryJSON(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "sessions.csv.head.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"audit","format":"ndjson","generated_at":"2026-03-02T11:00:00+01:00","count":0,"audit_head":{"seq":0,"hash":""}}`))
	f.Add([]byte(`{"generated_at":"yesterday"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var s export.Summary
		if err := json.Unmarshal(in, &s); err != nil {
			return
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back export.Summary
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		out2, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("summary JSON not stable:\n%s\n%s", out, out2)
		}
	})
}
