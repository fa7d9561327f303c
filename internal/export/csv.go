package export

import (
	"fmt"
	"io"
	"strings"
)

// flushAt is the buffer size at which rows are handed to the underlying writer.
const flushAt = 64 << 10

// CSV writes a header and rows as CSV, neutralising cells that a spreadsheet would run as a
// formula. Errors are sticky: after the first failure every call returns it.
type CSV struct {
	w    io.Writer
	buf  []byte
	cols int
	rows int64
	err  error
}

// NewCSV returns a CSV writer that has written header (neutralised like any cell) to its
// buffer. Every record must have as many cells as the header.
func NewCSV(w io.Writer, header []string) *CSV {
	c := &CSV{w: w, cols: len(header), buf: make([]byte, 0, flushAt+4096)}
	if len(header) == 0 {
		c.err = fmt.Errorf("csv header has no columns")
		return c
	}
	c.appendRecord(header)
	return c
}

// Write writes one row.
func (c *CSV) Write(record []string) error {
	if c.err != nil {
		return c.err
	}
	if len(record) != c.cols {
		// Not sticky: the row is refused before anything was written.
		return fmt.Errorf("csv row %d has %d cells, header has %d", c.rows+1, len(record), c.cols)
	}
	c.appendRecord(record)
	c.rows++
	if len(c.buf) >= flushAt {
		return c.flushBuf()
	}
	return nil
}

// Flush writes any buffered rows to the underlying writer.
func (c *CSV) Flush() error {
	if c.err != nil {
		return c.err
	}
	return c.flushBuf()
}

// Rows returns the number of rows written, header excluded.
func (c *CSV) Rows() int64 { return c.rows }

func (c *CSV) flushBuf() error {
	if len(c.buf) == 0 {
		return nil
	}
	if _, err := c.w.Write(c.buf); err != nil {
		c.err = fmt.Errorf("write csv: %w", err)
		return c.err
	}
	c.buf = c.buf[:0]
	return nil
}

func (c *CSV) appendRecord(record []string) {
	for i, cell := range record {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		c.buf = appendCell(c.buf, cell, len(record) == 1)
	}
	c.buf = append(c.buf, '\n')
}

// appendCell appends cell, neutralised and quoted as needed. A lone empty cell is quoted
// because an empty line is skipped by CSV readers, which would lose the row.
func appendCell(dst []byte, cell string, alone bool) []byte {
	prefix := needsPrefix(cell)
	if !needsQuotes(cell) && !(alone && cell == "") {
		if prefix {
			dst = append(dst, '\'')
		}
		return append(dst, cell...)
	}
	dst = append(dst, '"')
	if prefix {
		dst = append(dst, '\'')
	}
	for {
		i := strings.IndexByte(cell, '"')
		if i < 0 {
			break
		}
		dst = append(dst, cell[:i+1]...)
		dst = append(dst, '"')
		cell = cell[i+1:]
	}
	dst = append(dst, cell...)
	return append(dst, '"')
}

// needsPrefix reports whether a spreadsheet could take cell for a formula.
func needsPrefix(cell string) bool {
	if cell == "" {
		return false
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// needsQuotes follows encoding/csv's writer: separators, quotes and line breaks need quotes,
// and a leading space, so that readers which trim leading space keep it.
func needsQuotes(cell string) bool {
	if cell == "" {
		return false
	}
	if cell[0] == ' ' || cell[0] == '\t' {
		return true
	}
	// A plain loop: strings.ContainsAny builds a set on every call, which dominated profiles.
	for i := 0; i < len(cell); i++ {
		switch cell[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}

// SafeCell returns cell as the CSV writer stores it: with a single quote in front when it
// begins with '=', '+', '-', '@', a tab or a carriage return, unchanged otherwise.
func SafeCell(cell string) string {
	if needsPrefix(cell) {
		return "'" + cell
	}
	return cell
}
