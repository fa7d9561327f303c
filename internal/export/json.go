package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
)

// rowEncoder marshals rows into a reused buffer, without HTML escaping so that text reads as
// it was stored.
type rowEncoder struct {
	buf  bytes.Buffer
	enc  *json.Encoder
	fast []byte // Session rows, encoded without reflection
}

func newRowEncoder() *rowEncoder {
	r := &rowEncoder{}
	r.enc = json.NewEncoder(&r.buf)
	r.enc.SetEscapeHTML(false)
	return r
}

// encode returns v's compact JSON without the trailing newline; valid until the next call.
func (r *rowEncoder) encode(v any) ([]byte, error) {
	switch s := v.(type) {
	case Session:
		r.fast = appendSessionJSON(r.fast[:0], s)
		return r.fast, nil
	case *Session:
		r.fast = appendSessionJSON(r.fast[:0], *s)
		return r.fast, nil
	}
	r.buf.Reset()
	if err := r.enc.Encode(v); err != nil {
		return nil, err
	}
	b := r.buf.Bytes()
	return b[:len(b)-1], nil
}

// NDJSON writes one JSON object per line. Errors are sticky.
type NDJSON struct {
	w    *bufio.Writer
	enc  *rowEncoder
	rows int64
	err  error
}

// NewNDJSON returns an NDJSON writer.
func NewNDJSON(w io.Writer) *NDJSON {
	return &NDJSON{w: bufio.NewWriterSize(w, flushAt), enc: newRowEncoder()}
}

// Write writes row (anything encoding/json accepts, normally a struct) as one line.
func (n *NDJSON) Write(row any) error {
	if n.err != nil {
		return n.err
	}
	b, err := n.enc.encode(row)
	if err != nil {
		// Not sticky: nothing was written.
		return fmt.Errorf("encode ndjson row %d: %w", n.rows+1, err)
	}
	n.w.Write(b)
	if err := n.w.WriteByte('\n'); err != nil {
		n.err = fmt.Errorf("write ndjson: %w", err)
		return n.err
	}
	n.rows++
	return nil
}

// Flush writes any buffered rows to the underlying writer.
func (n *NDJSON) Flush() error {
	if n.err != nil {
		return n.err
	}
	if err := n.w.Flush(); err != nil {
		n.err = fmt.Errorf("write ndjson: %w", err)
	}
	return n.err
}

// Rows returns the number of rows written.
func (n *NDJSON) Rows() int64 { return n.rows }

// Header is what a JSON envelope states before its rows.
type Header struct {
	Kind        string            // what the rows are: "sessions", "audit", "subject", …
	GeneratedAt time.Time         // when the export was made; written in UTC
	Params      map[string]string // what was asked for (from, to, with_names, …); may be nil
}

// JSON writes the envelope
//
//	{"kind", "generated_at", "params", "rows": [...], "count", "audit_head"}
//
// streaming the rows, one per line; count and audit_head follow the rows because they are
// known only at the end. Errors are sticky.
type JSON struct {
	w    *bufio.Writer
	enc  *rowEncoder
	rows int64
	err  error
	done bool
}

// NewJSON returns an envelope writer that has written h to its buffer.
func NewJSON(w io.Writer, h Header) *JSON {
	j := &JSON{w: bufio.NewWriterSize(w, flushAt), enc: newRowEncoder()}
	params := h.Params
	if params == nil {
		params = map[string]string{}
	}
	kind, err := json.Marshal(h.Kind)
	if err != nil {
		j.err = fmt.Errorf("encode json kind: %w", err)
		return j
	}
	p, err := j.enc.encode(params)
	if err != nil {
		j.err = fmt.Errorf("encode json params: %w", err)
		return j
	}
	j.w.WriteString("{\n  \"kind\": ")
	j.w.Write(kind)
	j.w.WriteString(",\n  \"generated_at\": \"")
	j.w.WriteString(h.GeneratedAt.UTC().Format(time.RFC3339Nano))
	j.w.WriteString("\",\n  \"params\": ")
	j.w.Write(p)
	j.w.WriteString(",\n  \"rows\": [")
	return j
}

// Write writes one row (anything encoding/json accepts, normally a struct).
func (j *JSON) Write(row any) error {
	if j.err != nil {
		return j.err
	}
	if j.done {
		return fmt.Errorf("json envelope already closed")
	}
	b, err := j.enc.encode(row)
	if err != nil {
		return fmt.Errorf("encode json row %d: %w", j.rows+1, err)
	}
	if j.rows > 0 {
		j.w.WriteByte(',')
	}
	j.w.WriteString("\n    ")
	if _, err := j.w.Write(b); err != nil {
		j.err = fmt.Errorf("write json: %w", err)
		return j.err
	}
	j.rows++
	return nil
}

// Close ends the rows, writes count and head, and flushes. It does not close the underlying
// writer.
func (j *JSON) Close(head audit.Head) error {
	if j.err != nil {
		return j.err
	}
	if j.done {
		return fmt.Errorf("json envelope already closed")
	}
	j.done = true
	hb, err := json.Marshal(head)
	if err != nil {
		j.err = fmt.Errorf("encode audit head: %w", err)
		return j.err
	}
	if j.rows > 0 {
		j.w.WriteString("\n  ")
	}
	j.w.WriteString("],\n  \"count\": ")
	j.w.WriteString(strconv.FormatInt(j.rows, 10))
	j.w.WriteString(",\n  \"audit_head\": ")
	j.w.Write(hb)
	j.w.WriteString("\n}\n")
	if err := j.w.Flush(); err != nil {
		j.err = fmt.Errorf("write json: %w", err)
	}
	return j.err
}

// Rows returns the number of rows written.
func (j *JSON) Rows() int64 { return j.rows }

// Flush writes the buffered rows; the envelope's end follows with Close.
func (j *JSON) Flush() error {
	if j.err != nil {
		return j.err
	}
	return j.w.Flush()
}
