package export

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/expeerienced/counsel/internal/audit"
)

// Stated is what an export says about itself: its kind, row count and audit chain head.
type Stated struct {
	Kind  string
	Count int64
	Head  audit.Head
}

// ReadHead reads what an export states from its side file (FILE.head.json) or from a JSON
// envelope, skipping the envelope's rows without holding them, so an auditor can pass either
// to `counsel audit verify --head`.
func ReadHead(r io.Reader) (Stated, error) {
	return readEnvelope(json.NewDecoder(r), nil)
}

// ReadAudit reads an audit export in format and calls fn with each event in file order,
// holding one event at a time. For FormatJSON the returned Stated holds the envelope's kind,
// count and head; for CSV and NDJSON (whose head is in the side file) only Count, the number
// of rows read. A row that cannot be decoded is an error naming its position, never its
// content.
func ReadAudit(r io.Reader, format string, fn func(audit.Event) error) (Stated, error) {
	switch format {
	case FormatJSON:
		dec := json.NewDecoder(r)
		var n int64
		st, err := readEnvelope(dec, func(dec *json.Decoder) error {
			n++
			var e audit.Event
			if err := dec.Decode(&e); err != nil {
				return fmt.Errorf("row %d: %w", n, err)
			}
			return fn(e)
		})
		if err != nil {
			return st, err
		}
		if st.Count != n {
			return st, fmt.Errorf("envelope states count %d but holds %d rows", st.Count, n)
		}
		return st, nil
	case FormatNDJSON:
		return readNDJSON(r, fn)
	case FormatCSV:
		return readAuditCSV(r, fn)
	}
	return Stated{}, fmt.Errorf("unknown export format %q", format)
}

func readNDJSON(r io.Reader, fn func(audit.Event) error) (Stated, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var st Stated
	for line := int64(1); ; line++ {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 && !(len(b) == 1 && b[0] == '\n') {
			var e audit.Event
			if derr := json.Unmarshal(b, &e); derr != nil {
				return st, fmt.Errorf("line %d: %w", line, derr)
			}
			st.Count++
			if ferr := fn(e); ferr != nil {
				return st, ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		if err != nil {
			return st, fmt.Errorf("read ndjson: %w", err)
		}
	}
}

func readAuditCSV(r io.Reader, fn func(audit.Event) error) (Stated, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	var st Stated
	header, err := cr.Read()
	if err != nil {
		return st, fmt.Errorf("read csv header: %w", err)
	}
	if !slices.Equal(header, AuditColumns()) {
		return st, fmt.Errorf("csv header is not an audit export's")
	}
	for row := int64(1); ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		if err != nil {
			return st, fmt.Errorf("read csv row %d: %w", row, err)
		}
		e, err := auditFromCells(rec)
		if err != nil {
			return st, fmt.Errorf("csv row %d: %w", row, err)
		}
		st.Count++
		if err := fn(e); err != nil {
			return st, err
		}
	}
}

// auditFromCells is the inverse of AuditRow.Cells.
func auditFromCells(c []string) (audit.Event, error) {
	seq, err := strconv.ParseInt(c[0], 10, 64)
	if err != nil {
		return audit.Event{}, fmt.Errorf("seq is not a number")
	}
	at, err := audit.ParseTime(c[2])
	if err != nil {
		return audit.Event{}, fmt.Errorf("at: %w", err)
	}
	var det map[string]string
	if err := json.Unmarshal([]byte(c[5]), &det); err != nil {
		return audit.Event{}, fmt.Errorf("details are not a JSON object of strings")
	}
	return audit.Event{Seq: seq, ID: c[1], At: at, Action: c[3], Object: c[4], Details: det,
		PrevHash: c[6], Hash: c[7]}, nil
}

// readEnvelope walks a top-level JSON object, taking kind, count and audit_head and handing
// each element of rows to row (or skipping it when row is nil).
func readEnvelope(dec *json.Decoder, row func(*json.Decoder) error) (Stated, error) {
	var st Stated
	if err := expectDelim(dec, '{'); err != nil {
		return st, err
	}
	var haveHead, haveCount bool
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return st, fmt.Errorf("read export: %w", err)
		}
		key, _ := t.(string)
		switch key {
		case "kind":
			err = dec.Decode(&st.Kind)
		case "count":
			haveCount = true
			err = dec.Decode(&st.Count)
		case "audit_head":
			haveHead = true
			err = dec.Decode(&st.Head)
		case "rows":
			if row == nil {
				err = skipValue(dec)
				break
			}
			if err = expectDelim(dec, '['); err != nil {
				return st, err
			}
			for dec.More() {
				if err := row(dec); err != nil {
					return st, err
				}
			}
			err = expectDelim(dec, ']')
		default:
			err = skipValue(dec)
		}
		if err != nil {
			return st, fmt.Errorf("read export: %s: %w", key, err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return st, err
	}
	if !haveHead {
		return st, fmt.Errorf("the export states no audit_head")
	}
	if !haveCount || st.Count < 0 {
		return st, fmt.Errorf("the export states no valid count")
	}
	h, err := audit.ParseHash(st.Head.Hash)
	if err != nil || st.Head.Seq < 1 {
		return st, fmt.Errorf("the export's audit_head is not a head (seq from 1 and a 64-hex-digit hash)")
	}
	st.Head.Hash = h
	return st, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return fmt.Errorf("read export: %w", err)
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("read export: want %q", rune(want))
	}
	return nil
}

// skipValue consumes one JSON value token by token, so a large array is never held.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}
