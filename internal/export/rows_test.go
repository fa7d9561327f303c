package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/export"
)

func ptr(s string) *string { return &s }

// exportSessions are session export rows; the second subject was erased after a withdrawal.
func exportSessions(withNames bool) []export.Record {
	rows := []export.Session{
		{SessionID: "S-0001", SubjectID: "P-0001", Name: ptr("Client-A"), Provider: "jitsi-fem-tu-ilmenau", Kind: "jitsi",
			StartsAt: "2026-12-03T09:00:00Z", Timezone: "Europe/Berlin", DurationMin: 50, Place: "Beratungsstelle, Raum 2",
			Status: "scheduled", CreatedAt: "2026-11-28T09:00:00Z", Participants: 1},
		{SessionID: "S-0002", SubjectID: "P-0002", Name: ptr(""), Provider: "blizz", Kind: "blizz",
			StartsAt: "2026-12-04T15:30:00Z", Timezone: "Europe/Berlin", DurationMin: 90, Place: "=1+1",
			Status: "cancelled", CreatedAt: "2026-11-28T09:00:00Z", CancelledAt: "2026-11-29T10:00:00Z", Participants: 5},
	}
	out := make([]export.Record, len(rows))
	for i, r := range rows {
		if !withNames {
			r.Name = nil
		}
		out[i] = r
	}
	return out
}

func TestRowWriterShapes(t *testing.T) {
	audits := auditRows(t)
	var auditRecs []export.Record
	for _, r := range audits {
		auditRecs = append(auditRecs, export.AuditRow{Event: r.(audit.Event)})
	}
	auditHead := audits[len(audits)-1].(audit.Event).Head()
	tests := []struct {
		golden  string
		kind    string
		format  string
		columns []string
		rows    []export.Record
		head    audit.Head
	}{
		{"export_sessions.csv", "sessions", export.FormatCSV, export.SessionColumns(false), exportSessions(false), head},
		{"export_sessions.json", "sessions", export.FormatJSON, export.SessionColumns(false), exportSessions(false), head},
		{"export_sessions.ndjson", "sessions", export.FormatNDJSON, export.SessionColumns(false), exportSessions(false), head},
		{"export_sessions_names.csv", "sessions", export.FormatCSV, export.SessionColumns(true), exportSessions(true), head},
		{"export_sessions_names.json", "sessions", export.FormatJSON, export.SessionColumns(true), exportSessions(true), head},
		{"export_audit.csv", "audit", export.FormatCSV, export.AuditColumns(), auditRecs, auditHead},
		{"export_audit.json", "audit", export.FormatJSON, export.AuditColumns(), auditRecs, auditHead},
		{"export_audit.ndjson", "audit", export.FormatNDJSON, export.AuditColumns(), auditRecs, auditHead},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := export.NewRowWriter(&buf, tt.format, export.Header{Kind: tt.kind, GeneratedAt: generatedAt}, tt.columns)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range tt.rows {
				if err := w.Write(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(tt.head); err != nil {
				t.Fatal(err)
			}
			if w.Rows() != int64(len(tt.rows)) {
				t.Errorf("Rows() = %d, want %d", w.Rows(), len(tt.rows))
			}
			golden(t, tt.golden, buf.Bytes())
			if tt.format == export.FormatCSV {
				recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(recs[0], tt.columns) || len(recs) != len(tt.rows)+1 {
					t.Errorf("header %q and %d records, want %q and %d", recs[0], len(recs), tt.columns, len(tt.rows)+1)
				}
			}
		})
	}
}

func TestSessionNameColumn(t *testing.T) {
	for _, withNames := range []bool{false, true} {
		t.Run(fmt.Sprintf("WithNames=%v", withNames), func(t *testing.T) {
			for _, r := range exportSessions(withNames) {
				s := r.(export.Session)
				if len(s.Cells()) != len(export.SessionColumns(withNames)) {
					t.Fatalf("%d cells for %d columns", len(s.Cells()), len(export.SessionColumns(withNames)))
				}
				b, err := json.Marshal(s)
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Contains(string(b), `"name":`); got != withNames {
					t.Errorf("JSON %s: name present = %v, want %v", b, got, withNames)
				}
			}
			if got := slices.Contains(export.SessionColumns(withNames), "name"); got != withNames {
				t.Errorf("name column present = %v, want %v", got, withNames)
			}
		})
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := export.NewRowWriter(&bytes.Buffer{}, "xml", export.Header{}, []string{"a"}); err == nil {
		t.Error("NewRowWriter: want an error for an unknown format")
	}
	if _, err := export.ReadAudit(strings.NewReader(""), "xml", func(audit.Event) error { return nil }); err == nil {
		t.Error("ReadAudit: want an error for an unknown format")
	}
}

// writeAudit writes the audit rows in format.
func writeAudit(t *testing.T, format string, rows []any) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := export.NewRowWriter(&buf, format, export.Header{Kind: "audit", GeneratedAt: generatedAt}, export.AuditColumns())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(export.AuditRow{Event: r.(audit.Event)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(rows[len(rows)-1].(audit.Event).Head()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadAuditRoundTrip(t *testing.T) {
	rows := auditRows(t)
	last := rows[len(rows)-1].(audit.Event)
	for _, format := range export.Formats() {
		t.Run(format, func(t *testing.T) {
			data := writeAudit(t, format, rows)
			var v audit.Verifier
			var got []audit.Event
			st, err := export.ReadAudit(bytes.NewReader(data), format, func(e audit.Event) error {
				got = append(got, e)
				return v.Add(e)
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Finish(); err != nil {
				t.Fatal(err)
			}
			if st.Count != int64(len(rows)) || len(got) != len(rows) {
				t.Errorf("count %d, read %d, want %d", st.Count, len(got), len(rows))
			}
			if v.Head() != last.Head() {
				t.Errorf("verified head %+v, want %+v", v.Head(), last.Head())
			}
			if format == export.FormatJSON && (st.Head != last.Head() || st.Kind != "audit") {
				t.Errorf("stated %+v, want kind audit and head %+v", st, last.Head())
			}
		})
	}
}

func TestReadAuditTampered(t *testing.T) {
	rows := auditRows(t)
	data := writeAudit(t, export.FormatNDJSON, rows)
	// An auditor's copy with the second event's object changed verifies broken at seq 2.
	tampered := bytes.Replace(data, []byte(`"object":"C-0001"`), []byte(`"object":"C-0002"`), 1)
	var v audit.Verifier
	_, err := export.ReadAudit(bytes.NewReader(tampered), export.FormatNDJSON, v.Add)
	var be *audit.BrokenError
	if !errorsAs(err, &be) || be.Seq != 2 {
		t.Fatalf("err = %v, want broken at seq 2", err)
	}
}

func TestReadHead(t *testing.T) {
	rows := auditRows(t)
	last := rows[len(rows)-1].(audit.Event)
	side := export.Summary{Kind: "sessions", Format: "csv", File: "s.csv", GeneratedAt: generatedAt, Count: 3, AuditHead: head}
	var sideBuf bytes.Buffer
	if _, err := side.WriteTo(&sideBuf); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      string
		want    export.Stated
		wantErr string
	}{
		{name: "SideFile", in: sideBuf.String(), want: export.Stated{Kind: "sessions", Count: 3, Head: head}},
		{name: "Envelope", in: string(writeAudit(t, export.FormatJSON, rows)), want: export.Stated{Kind: "audit", Count: 3, Head: last.Head()}},
		{name: "UpperCaseHash", in: `{"count":1,"audit_head":{"seq":1,"hash":"` + strings.ToUpper(head.Hash) + `"}}`, want: export.Stated{Count: 1, Head: audit.Head{Seq: 1, Hash: head.Hash}}},
		{name: "NoHead", in: `{"kind":"sessions","count":1}`, wantErr: "no audit_head"},
		{name: "NoCount", in: `{"audit_head":{"seq":1,"hash":"` + head.Hash + `"}}`, wantErr: "no valid count"},
		{name: "EmptyHead", in: `{"count":0,"audit_head":{"seq":0,"hash":""}}`, wantErr: "not a head"},
		{name: "NotJSON", in: "session_id,subject_id\n", wantErr: "read export"},
		{name: "Array", in: `[]`, wantErr: "want '{'"},
		{name: "Truncated", in: `{"kind":"audit","rows":[{"seq":1}`, wantErr: "read export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := export.ReadHead(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ReadHead = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReadAuditErrors(t *testing.T) {
	rows := auditRows(t)
	jsonData := string(writeAudit(t, export.FormatJSON, rows))
	tests := []struct {
		name, format, in, wantErr string
	}{
		{"JSONCountMismatch", export.FormatJSON, strings.Replace(jsonData, `"count": 3`, `"count": 4`, 1), "states count 4 but holds 3"},
		{"JSONBadRow", export.FormatJSON, strings.Replace(jsonData, `"at":"2026-03-02T11:01:00.000000000Z"`, `"at":"yesterday"`, 1), "row 2"},
		{"NDJSONBadLine", export.FormatNDJSON, "{}\nnot json\n", "line 1"},
		{"CSVWrongHeader", export.FormatCSV, "a,b\n1,2\n", "not an audit export"},
		{"CSVBadSeq", export.FormatCSV, strings.Join(export.AuditColumns(), ",") + "\nx,id,2026-03-02T11:00:00.000000000Z,purge,,{},0,0\n", "row 1: seq"},
		{"CSVBadDetails", export.FormatCSV, strings.Join(export.AuditColumns(), ",") + "\n1,id,2026-03-02T11:00:00.000000000Z,purge,,[],0,0\n", "details"},
		{"CSVShortRow", export.FormatCSV, strings.Join(export.AuditColumns(), ",") + "\n1,id\n", "row 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := export.ReadAudit(strings.NewReader(tt.in), tt.format, func(audit.Event) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// FuzzReadHead checks that reading what an export states never panics and that an accepted
// head is a real head.
func FuzzReadHead(f *testing.F) {
	f.Add([]byte(`{"kind":"sessions","count":3,"audit_head":{"seq":57,"hash":"` + head.Hash + `"}}`))
	f.Add([]byte(`{"rows":[[{"a":[1,2,{"b":null}]}],"x"],"count":0,"audit_head":{"seq":1,"hash":"` + head.Hash + `"}}`))
	f.Add([]byte(`{"rows":[`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		st, err := export.ReadHead(bytes.NewReader(in))
		if err != nil {
			return
		}
		if st.Head.Seq < 1 || st.Count < 0 {
			t.Fatalf("accepted %+v", st)
		}
		if _, err := audit.ParseHash(st.Head.Hash); err != nil || st.Head.Hash != strings.ToLower(st.Head.Hash) {
			t.Fatalf("accepted hash %q", st.Head.Hash)
		}
	})
}

// FuzzReadAudit feeds arbitrary bytes to every format's reader: it must not panic, and every
// event it hands over must re-encode to a CSV row that reads back to the same hash.
func FuzzReadAudit(f *testing.F) {
	f.Add([]byte(`{"seq":1,"id":"a","at":"2026-03-02T11:00:00.000000000Z","action":"purge","object":"","details":{"n":"1"},"prev_hash":"0","hash":"1"}`+"\n"), uint8(0))
	f.Add([]byte("seq,id,at,action,object,details,prev_hash,hash\n1,a,2026-03-02T11:00:00.000000000Z,purge,,{},0,1\n"), uint8(1))
	f.Add([]byte(`{"kind":"audit","rows":[{"seq":1,"at":"2026-03-02T11:00:00.000000000Z"}],"count":1,"audit_head":{"seq":1,"hash":"`+head.Hash+`"}}`), uint8(2))
	f.Fuzz(func(t *testing.T, in []byte, which uint8) {
		format := export.Formats()[int(which)%len(export.Formats())]
		export.ReadAudit(bytes.NewReader(in), format, func(e audit.Event) error {
			cells := export.AuditRow{Event: e}.Cells()
			var buf bytes.Buffer
			w := export.NewCSV(&buf, export.AuditColumns())
			if err := w.Write(cells); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			recs := readCSV(t, buf.Bytes())
			unchanged := true
			for i, c := range cells {
				if recs[1][i] != wantRead(c) {
					t.Fatalf("cell %d: wrote %q, read %q", i, c, recs[1][i])
				}
				unchanged = unchanged && recs[1][i] == c
			}
			if !unchanged {
				return nil // a neutralised cell reads back with its quote, as documented
			}
			_, err := export.ReadAudit(&buf, export.FormatCSV, func(back audit.Event) error {
				if back.ComputeHash() != e.ComputeHash() {
					t.Fatalf("event changed through CSV: %q", buf.String())
				}
				return nil
			})
			if err != nil {
				t.Fatalf("reading back %q: %v", buf.String(), err)
			}
			return nil
		})
	})
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
