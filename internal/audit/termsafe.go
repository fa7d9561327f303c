package audit

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TermSafe is s with every character that could steer a terminal shown escaped: C0 controls
// (NUL, ESC, newline...), DEL, C1 controls, and Unicode format characters such as the bidi
// overrides (U+202E) and zero-width characters, as \x1b or \u202e; bytes that are not UTF-8
// as \xff (and U+FFFD itself as \ufffd, to tell it from them). Everything else is unchanged,
// so an ID prints as it always did. Messages repeat values read from the database file, and
// whoever holds the file can put anything there: an escape sequence in an ID must reach the
// counsellor's terminal as text, not as a command.
func TermSafe(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r == utf8.RuneError || unsafeRune(r) })
	if i < 0 {
		return s
	}
	b := []byte(s[:i])
	for s = s[i:]; s != ""; {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n <= 1:
			b = append(b, `\x`...)
			b = appendHex(b, uint32(s[0]), 2)
		case unsafeRune(r) && r < utf8.RuneSelf:
			b = append(b, `\x`...)
			b = appendHex(b, uint32(r), 2)
		case unsafeRune(r) || r == utf8.RuneError:
			b = append(b, `\u`...)
			b = appendHex(b, uint32(r), 4)
		default:
			b = append(b, s[:n]...)
		}
		s = s[n:]
	}
	return string(b)
}

// unsafeRune reports the characters TermSafe escapes: controls (Cc: C0, DEL, C1), format
// characters (Cf: bidi controls, zero-width joiners, soft hyphen...) and the line and
// paragraph separators, which some terminals break lines at.
func unsafeRune(r rune) bool {
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

func appendHex(b []byte, v uint32, width int) []byte {
	h := strconv.FormatUint(uint64(v), 16)
	for range width - len(h) {
		b = append(b, '0')
	}
	return append(b, h...)
}
