package export

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
)

// Summary states what a CSV or NDJSON export holds: the side file's content, or the stderr
// line for an export to stdout.
type Summary struct {
	Kind        string     // what the rows are: "sessions", "audit", …
	Format      string     // "csv" or "ndjson"
	File        string     // base name of the data file; empty for stdout
	SHA256      string     // hex SHA-256 of the data file's bytes; empty for stdout
	GeneratedAt time.Time  // when the export was made
	Count       int64      // rows, header excluded
	AuditHead   audit.Head // the audit chain head at the time of the export
}

type summaryJSON struct {
	Kind        string     `json:"kind"`
	Format      string     `json:"format"`
	File        string     `json:"file,omitempty"`
	SHA256      string     `json:"sha256,omitempty"`
	GeneratedAt string     `json:"generated_at"`
	Count       int64      `json:"count"`
	AuditHead   audit.Head `json:"audit_head"`
}

// MarshalJSON writes GeneratedAt in UTC and the keys in snake case, as the envelope does.
func (s Summary) MarshalJSON() ([]byte, error) {
	return json.Marshal(summaryJSON{
		Kind: s.Kind, Format: s.Format, File: s.File, SHA256: s.SHA256,
		GeneratedAt: s.GeneratedAt.UTC().Format(time.RFC3339Nano),
		Count:       s.Count, AuditHead: s.AuditHead,
	})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Summary) UnmarshalJSON(b []byte) error {
	var j summaryJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("decode export summary: %w", err)
	}
	at, err := time.Parse(time.RFC3339Nano, j.GeneratedAt)
	if err != nil {
		return fmt.Errorf("decode export summary: generated_at: %w", err)
	}
	// A year that only fits with its zone offset could not be written back in UTC.
	if y := at.UTC().Year(); y < 0 || y > 9999 {
		return fmt.Errorf("decode export summary: generated_at out of range")
	}
	*s = Summary{Kind: j.Kind, Format: j.Format, File: j.File, SHA256: j.SHA256,
		GeneratedAt: at.UTC(), Count: j.Count, AuditHead: j.AuditHead}
	return nil
}

// WriteTo writes s as indented JSON with a final newline: the side file's content.
func (s Summary) WriteTo(w io.Writer) (int64, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return 0, err
	}
	n, err := w.Write(append(b, '\n'))
	return int64(n), err
}

// String is the one-line form for stderr when the data went to stdout.
func (s Summary) String() string {
	return fmt.Sprintf("%s export: %d rows, audit head seq %d hash %s", s.Kind, s.Count, s.AuditHead.Seq, s.AuditHead.Hash)
}

// SideFile returns the name of the side file for the data file out.
func SideFile(out string) string { return out + ".head.json" }

// HashWriter passes writes through to the underlying writer and hashes what was written, for
// Summary.SHA256.
type HashWriter struct {
	w io.Writer
	h hash.Hash
}

// NewHashWriter returns a HashWriter over w.
func NewHashWriter(w io.Writer) *HashWriter { return &HashWriter{w: w, h: sha256.New()} }

// Write writes p to the underlying writer and hashes the bytes it accepted.
func (h *HashWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.h.Write(p[:n])
	return n, err
}

// Sum returns the hex SHA-256 of everything written so far.
func (h *HashWriter) Sum() string { return hex.EncodeToString(h.h.Sum(nil)) }
