package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/export"
)

// The one --format vocabulary. A word means the same in every command; each
// command offers the words that fit what it prints (formatFor lists them).
const (
	formatTable  = "table"  // rows and columns for people
	formatText   = "text"   // prose for people: an e-mail, a report, a fact sheet
	formatJSON   = "json"   // one JSON document with stable keys
	formatNDJSON = "ndjson" // one JSON object per line
	formatCSV    = "csv"    // comma-separated values with a header row
	formatEML    = "eml"    // an e-mail draft (MIME) for a mail program
	formatICS    = "ics"    // an iCalendar file
	formatLetter = "letter" // a letter to print or send
)

// FormatWords is the vocabulary in the order the docs list it, with what each
// word means (English; the docs translate it).
var FormatWords = []struct{ Word, Meaning string }{
	{formatTable, "rows and columns for people"},
	{formatText, "prose for people: an e-mail, a report, a fact sheet"},
	{formatJSON, "one JSON document with stable keys, for scripts"},
	{formatNDJSON, "one JSON object per line, for scripts and large exports"},
	{formatCSV, "comma-separated values with a header row, for spreadsheets"},
	{formatEML, "an e-mail draft to open in a mail program"},
	{formatICS, "an iCalendar file for a calendar"},
	{formatLetter, "a letter to print or send"},
}

// formatAliases are other spellings scripts may use; --format takes them and
// stores the word they stand for.
var formatAliases = map[string]string{
	"jsonl": formatNDJSON, // the --out extension .jsonl already meant NDJSON
}

// addFormatFlag adds the --format flag with the default def and the words
// this command offers; a word outside the vocabulary is a programming error.
func addFormatFlag(cmd *cobra.Command, dst *string, def string, words ...string) {
	for _, w := range append([]string{def}, words...) {
		if !isFormatWord(w) {
			panic("--format word outside the vocabulary: " + w)
		}
	}
	addEnumFlag(cmd.Flags(), dst, "format", def, "output format", words...)
	cmd.Flags().Lookup("format").Value.(*enumFlag).aliases = formatAliases
}

// addListingFormatFlag is --format of every listing command.
func addListingFormatFlag(cmd *cobra.Command, dst *string) {
	addFormatFlag(cmd, dst, formatTable, formatTable, formatJSON, formatCSV)
}

func isFormatWord(w string) bool {
	for _, f := range FormatWords {
		if f.Word == w {
			return true
		}
	}
	return false
}

// listing is one result rendered three ways: a table for people, CSV for
// spreadsheets, and JSON with stable keys for scripts. CSV repeats the table
// unless csvHeader is set, for listings whose table shows only a summary.
type listing struct {
	header []string
	rows   [][]string
	json   any

	csvHeader []string
	csvRows   [][]string

	maxWidth int // table width limit in columns; 0: as wide as the content
}

func writeListing(w io.Writer, format string, l listing) error {
	switch format {
	case formatJSON:
		return writeJSON(w, l.json)
	case formatCSV:
		header, rows := l.header, unpackRows(l.rows, false)
		if l.csvHeader != nil {
			header, rows = l.csvHeader, unpackRows(l.csvRows, false)
		}
		cw := export.NewCSV(w, header)
		for _, r := range rows {
			if err := cw.Write(r); err != nil {
				return err
			}
		}
		return cw.Flush()
	case formatTable:
		header := make([]string, len(l.header))
		for i, h := range l.header {
			header[i] = T(h)
		}
		return writeTable(w, header, unpackRows(l.rows, true), l.maxWidth)
	}
	return fmt.Errorf("unknown format %q", format)
}

// writeTable draws a plain table that survives copy-and-paste into an e-mail
// to a data protection officer: ASCII only, no colour. Cells hold what the
// database holds, so each is made terminal-safe (termLines).
func writeTable(w io.Writer, header []string, rows [][]string, maxWidth int) error {
	opts := []tablewriter.Option{
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Symbols: tw.NewSymbols(tw.StyleASCII),
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	}
	if maxWidth > 0 {
		opts = append(opts, tablewriter.WithMaxWidth(maxWidth))
	}
	t := tablewriter.NewTable(w, opts...)
	t.Header(toAny(header)...)
	for _, r := range rows {
		safe := make([]string, len(r))
		for i, c := range r {
			safe[i] = termLines(c)
		}
		if err := t.Append(toAny(safe)...); err != nil {
			return err
		}
	}
	return t.Render()
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// showTime formats a stored time for people; a time the database could not
// read back (a row damaged by hand) shows as such instead of as year 1.
func showTime(t time.Time, loc *time.Location, layout string) string {
	if t.IsZero() {
		return "(unreadable)"
	}
	return t.In(loc).Format(layout)
}

// jsonTime is a time in JSON: RFC 3339, or empty when it could not be read.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// writeJSON writes v as indented JSON. encoding/json escapes C0 controls but
// writes DEL, C1 controls and format characters such as U+202E as they are;
// those are escaped too (\u202e), so a value read from a tampered database
// cannot steer the terminal and still decodes to exactly what is stored.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(escapeJSONControls(b), '\n'))
	return err
}

// escapeJSONControls escapes, in encoded JSON, the characters audit.TermSafe
// escapes that encoding/json leaves: all but C0, which it escapes in strings
// (so a raw one is the indentation's newline). Outside strings JSON is ASCII
// without DEL, so every other such character is inside a string, where
// \uXXXX means it.
func escapeJSONControls(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x7f && r != utf8.RuneError && audit.TermSafe(string(r)) != string(r) {
			if out == nil {
				out = append(make([]byte, 0, len(b)+16), b[:i]...)
			}
			r1, r2 := utf16.EncodeRune(r)
			if r1 == utf8.RuneError {
				r1, r2 = r, -1
			}
			out = fmt.Appendf(out, `\u%04x`, r1)
			if r2 >= 0 {
				out = fmt.Appendf(out, `\u%04x`, r2)
			}
		} else if out != nil {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	if out == nil {
		return b
	}
	return out
}
