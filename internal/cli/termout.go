package cli

import (
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/expeerienced/counsel/internal/audit"
)

// terminalWriter guards a terminal from what a command prints: values read from the database
// file (a name, a link, a consent method), which whoever holds the file can fill with escape
// sequences. Every character audit.TermSafe escapes is written as text: \uXXXX (a UTF-16
// pair beyond the BMP) for a character, \xNN for a byte that is not UTF-8. The \u form is
// also JSON's own escape, so JSON and NDJSON on the terminal still decode to exactly what
// is stored. Only the line breaks of the output itself pass: "\n", and "\r\n" (e-mail and
// iCalendar lines); a line break inside a CSV value shows as one. Main puts it in front of
// stdout only when stdout is a terminal: redirected to a file or a pipe, the bytes stay
// exactly what is stored.
type terminalWriter struct {
	w    io.Writer
	rest []byte // an incomplete rune or a "\r" at the end of the last write
	out  []byte
}

func (t *terminalWriter) Write(p []byte) (int, error) {
	b := p
	if len(t.rest) > 0 {
		b = append(t.rest, p...)
		t.rest = nil
	}
	// Hold back what the next write may complete: the start of a rune, or a "\r" that
	// may begin "\r\n".
	cut := len(b)
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				cut = i
			}
			break
		}
	}
	if cut == len(b) && cut > 0 && b[cut-1] == '\r' {
		cut--
	}
	t.rest = append(t.rest, b[cut:]...)
	if err := t.write(b[:cut]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what Write held back, escaped as it stands.
func (t *terminalWriter) Flush() error {
	rest := t.rest
	t.rest = nil
	return t.write(rest)
}

func (t *terminalWriter) write(b []byte) error {
	t.out = appendTerminalSafe(t.out[:0], b)
	if len(t.out) == 0 {
		return nil
	}
	_, err := t.w.Write(t.out)
	return err
}

// appendTerminalSafe appends b with what terminalWriter escapes escaped.
func appendTerminalSafe(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		if c >= 0x20 && c < 0x7f || c == '\n' {
			dst = append(dst, c) // the common case: printable ASCII
			i++
			continue
		}
		if c == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			dst = append(dst, '\r', '\n')
			i += 2
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			dst = fmt.Appendf(dst, `\x%02x`, c)
		case r == utf8.RuneError || audit.TermSafe(string(r)) != string(r):
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				dst = fmt.Appendf(dst, `\u%04x\u%04x`, r1, r2)
			} else {
				dst = fmt.Appendf(dst, `\u%04x`, r)
			}
		default:
			dst = append(dst, b[i:i+n]...)
		}
		i += n
	}
	return dst
}
