package export

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/expeerienced/counsel/internal/audit"
)

// Formats of a data export.
const (
	FormatCSV    = "csv"
	FormatNDJSON = "ndjson"
	FormatJSON   = "json"
)

// Formats returns every export format, in a stable order.
func Formats() []string { return []string{FormatCSV, FormatJSON, FormatNDJSON} }

// Record is one exported row: encoding/json gives its JSON and NDJSON form, Cells its CSV
// cells in the order of the export's columns.
type Record interface {
	Cells() []string
}

// RowWriter writes the records of one export in one format.
type RowWriter interface {
	// Write writes one record.
	Write(r Record) error
	// Close ends the export and flushes it. The JSON envelope states count and head after
	// its rows; CSV and NDJSON have no place for them, so the caller writes a Summary.
	Close(head audit.Head) error
	// Rows returns the number of records written.
	Rows() int64
	// Flush writes what is buffered, so that a write error shows before the export is recorded.
	Flush() error
}

// NewRowWriter returns a writer for format (FormatCSV, FormatNDJSON or FormatJSON). columns
// is the CSV header; h is the JSON envelope's header.
func NewRowWriter(w io.Writer, format string, h Header, columns []string) (RowWriter, error) {
	switch format {
	case FormatCSV:
		return csvRows{NewCSV(w, columns)}, nil
	case FormatNDJSON:
		return ndjsonRows{NewNDJSON(w)}, nil
	case FormatJSON:
		return jsonRows{NewJSON(w, h)}, nil
	}
	return nil, fmt.Errorf("unknown export format %q", format)
}

type csvRows struct{ *CSV }

func (c csvRows) Write(r Record) error {
	var cells [12]string
	switch s := r.(type) {
	case Session:
		return c.CSV.Write(s.appendCells(cells[:0]))
	case *Session:
		return c.CSV.Write(s.appendCells(cells[:0]))
	}
	return c.CSV.Write(r.Cells())
}

func (c csvRows) Close(head audit.Head) error { return c.CSV.Flush() }

type ndjsonRows struct{ *NDJSON }

func (n ndjsonRows) Write(r Record) error        { return n.NDJSON.Write(r) }
func (n ndjsonRows) Close(head audit.Head) error { return n.NDJSON.Flush() }

type jsonRows struct{ *JSON }

func (j jsonRows) Write(r Record) error { return j.JSON.Write(r) }

// Session is one row of a sessions export: the plan of a consultation and a pseudonymous
// subject ID (the same for every session of one person), never the meeting link or meeting
// ID (a link lets its holder join; an auditor needs neither). Name is set only for an export
// that asked for names; it is empty when the person withdrew consent and the name was
// erased. Times are UTC in the form 2006-01-02T15:04:05Z.
type Session struct {
	SessionID   string  `json:"session_id"`
	SubjectID   string  `json:"subject_id"`
	Name        *string `json:"name,omitempty"`
	Provider    string  `json:"provider"`
	Kind        string  `json:"kind"`
	StartsAt    string  `json:"starts_at"`
	Timezone    string  `json:"timezone"`
	DurationMin int     `json:"duration_min"`
	Place       string  `json:"place"`
	Status      string  `json:"status"`
	CreatedAt   string  `json:"created_at"`
	CancelledAt string  `json:"cancelled_at"`
	// Participants is the session's number of participants (more than one:
	// a group session). Names only with names, one row per participant.
	Participants int `json:"participants"`
}

// SessionColumns returns the CSV header of a sessions export; the name column only with
// names.
func SessionColumns(withNames bool) []string {
	cols := []string{"session_id", "subject_id"}
	if withNames {
		cols = append(cols, "name")
	}
	return append(cols, "provider", "kind", "starts_at", "timezone", "duration_min", "place",
		"status", "created_at", "cancelled_at", "participants")
}

// Cells returns the CSV cells in the order of SessionColumns(s.Name != nil).
func (s Session) Cells() []string {
	return s.appendCells(make([]string, 0, 13))
}

// AuditColumns returns the CSV header of an audit export.
func AuditColumns() []string {
	return []string{"seq", "id", "at", "action", "object", "details", "prev_hash", "hash"}
}

// AuditRow is one row of an audit export: the event as stored, with its hashes, so that an
// auditor can recompute every hash (docs/audit-chain.md). Its JSON form is the event's.
type AuditRow struct{ audit.Event }

// Cells returns the CSV cells in the order of AuditColumns: at in audit.TimeLayout (the
// hashed form) and details as a JSON object with keys in ascending order.
func (r AuditRow) Cells() []string {
	d := r.Details
	if d == nil {
		d = map[string]string{}
	}
	det, err := json.Marshal(d)
	if err != nil {
		// A map of strings always encodes; keep the row rather than lose it.
		det = []byte("{}")
	}
	return []string{fmt.Sprint(r.Seq), r.ID, audit.FormatTime(r.At), r.Action, r.Object,
		string(det), r.PrevHash, r.Hash}
}
