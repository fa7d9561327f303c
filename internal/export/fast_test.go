package export_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/export"
)

// reflectSession has Session's fields and tags but is not a Session, so encoding it takes
// encoding/json's general path: the reference for the Session fast path.
type reflectSession struct {
	SessionID    string  `json:"session_id"`
	SubjectID    string  `json:"subject_id"`
	Name         *string `json:"name,omitempty"`
	Provider     string  `json:"provider"`
	Kind         string  `json:"kind"`
	StartsAt     string  `json:"starts_at"`
	Timezone     string  `json:"timezone"`
	DurationMin  int     `json:"duration_min"`
	Place        string  `json:"place"`
	Status       string  `json:"status"`
	CreatedAt    string  `json:"created_at"`
	CancelledAt  string  `json:"cancelled_at"`
	Participants int     `json:"participants"`
}

// cellsRecord hides a Session's type from the CSV writer, which then calls Cells.
type cellsRecord struct{ s export.Session }

func (c cellsRecord) Cells() []string { return c.s.Cells() }

// FuzzSessionEncoding holds the Session fast paths (NDJSON, JSON envelope, CSV) to the
// bytes of the general ones.
func FuzzSessionEncoding(f *testing.F) {
	f.Add("S-1", "Beratungsstelle, Raum 2", "Client-A", 50, true)
	f.Add("\"\\\b\f\n\r\t\x00\x1f\x7f", "<&>\u2028\u2029", "\xff\xfe\xc3", -3, false)
	f.Add("ü€😀", "=1+2", "", 0, true)
	f.Fuzz(func(t *testing.T, a, b, name string, n int, withName bool) {
		s := export.Session{SessionID: a, SubjectID: b, Provider: b + a, Kind: a, StartsAt: b, Timezone: a,
			DurationMin: n, Place: b, Status: a, CreatedAt: b, CancelledAt: a, Participants: n * 7}
		if withName {
			s.Name = &name
		}
		ref := reflectSession(s)
		for _, format := range []string{export.FormatNDJSON, export.FormatJSON, export.FormatCSV} {
			var fast, slow bytes.Buffer
			var want export.Record = cellsRecord{s}
			if format != export.FormatCSV {
				want = nil
			}
			cols := export.SessionColumns(withName)
			wf, err := export.NewRowWriter(&fast, format, export.Header{Kind: "sessions"}, cols)
			if err != nil {
				t.Fatal(err)
			}
			ws, err := export.NewRowWriter(&slow, format, export.Header{Kind: "sessions"}, cols)
			if err != nil {
				t.Fatal(err)
			}
			// A *Session (how the export hands its rows over, without a copy on the heap
			// per row) takes the same fast path.
			var viaPointer bytes.Buffer
			wp, err := export.NewRowWriter(&viaPointer, format, export.Header{Kind: "sessions"}, cols)
			if err != nil {
				t.Fatal(err)
			}
			if err := wf.Write(s); err != nil {
				t.Fatal(err)
			}
			if err := wp.Write(&s); err != nil {
				t.Fatal(err)
			}
			if err := wp.Close(audit.Head{}); err != nil {
				t.Fatal(err)
			}
			if want != nil {
				err = ws.Write(want)
			} else {
				err = ws.Write(ref)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := wf.Close(audit.Head{}); err != nil {
				t.Fatal(err)
			}
			if err := ws.Close(audit.Head{}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fast.Bytes(), slow.Bytes()) {
				t.Errorf("%s: fast path wrote\n%q\nencoding/json wrote\n%q", format, fast.Bytes(), slow.Bytes())
			}
			if !bytes.Equal(viaPointer.Bytes(), fast.Bytes()) {
				t.Errorf("%s: a *Session wrote\n%q\na Session wrote\n%q", format, viaPointer.Bytes(), fast.Bytes())
			}
		}
		// And the fast JSON is what json.Marshal would give, HTML escaping aside.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(ref); err != nil {
			t.Fatal(err)
		}
		var nd bytes.Buffer
		w := export.NewNDJSON(&nd)
		if err := w.Write(s); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if nd.String() != buf.String() {
			t.Errorf("NDJSON %q, encoding/json %q", nd.String(), buf.String())
		}
	})
}

// Cells makes reflectSession a Record; the CSV check uses cellsRecord instead.
func (r reflectSession) Cells() []string { return nil }
