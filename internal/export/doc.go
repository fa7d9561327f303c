// Package export writes exports as streams over an io.Writer, one row at a time, so memory
// stays flat whatever the number of rows: CSV for spreadsheets, NDJSON (one JSON object per
// line) for scripts, and a JSON envelope that carries the row count and the audit chain head.
//
// # CSV and formula injection
//
// Spreadsheet programs run a cell that begins with '=', '+', '-' or '@' as a formula, and some
// treat a leading tab or carriage return the same way. Exports hold text that came from
// outside (places, names), so the CSV writer neutralises every such cell by putting a single
// quote (') in front of it (see SafeCell). Spreadsheets show the quote-prefixed text as text.
// Everything else is written unchanged, quoted per RFC 4180 where needed, with "\n" line
// ends, no byte-order mark, comma separators; encoding/csv reads back the exact values, with
// two exceptions that belong to the format: a neutralised cell reads back with its leading
// quote, so a reader cannot tell it from a value that began with a quote already, and a
// "\r\n" inside a cell reads back as "\n" (encoding/csv, like most readers, normalises it).
// Negative numbers are neutralised too ("-3" becomes "'-3"); exports hold IDs, dates and
// counts, which never begin with '-'.
//
// # Count and audit head
//
// Every export states its row count and the audit chain head at the time of the export, so
// that an auditor can later prove the trail was not truncated (docs/audit-chain.md). The JSON
// envelope holds both after the rows (they are only known once the rows are written):
//
//	{
//	  "kind": "sessions",
//	  "generated_at": "2026-03-02T11:00:00Z",
//	  "params": {"from":"2026-01-01"},
//	  "rows": [
//	    {...},
//	    {...}
//	  ],
//	  "count": 2,
//	  "audit_head": {"seq":57,"hash":"73c0…"}
//	}
//
// CSV and NDJSON have no place for them without breaking every reader (a trailer row is not a
// row), so they go beside the data as a Summary:
//
//   - written to a file (--out FILE): a side file FILE.head.json (SideFile) holding the
//     Summary as JSON, including the SHA-256 of the data file so the two stay tied together.
//     The side file obeys the same rules as the data file: 0600, atomic, no overwrite
//     without --force;
//   - written to stdout: stdout carries the data only, so the Summary goes to stderr as one
//     line (Summary.String), after the data.
//
// The JSON envelope can carry a side file too, but needs none.
//
// # Rows
//
// NewRowWriter picks the writer for a format. Session rows carry a pseudonymous subject ID
// instead of the name (the name only when asked for) and never the meeting link or ID;
// AuditRow carries an event exactly as hashed. ReadHead reads the stated count and head back
// from a side file or envelope, and ReadAudit streams an audit export back, so that an
// auditor can verify it offline.
package export
