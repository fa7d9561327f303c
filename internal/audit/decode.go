package audit

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// Reading a long trail back (audit verify, exports) is dominated by decoding each event's
// stored time and details. counsel writes both in one fixed form, which the functions below
// read by hand; anything else is left to the general parsers, so the result is exactly
// theirs (FuzzDecodeDetails and FuzzParseTimeFast compare them).

// DecodeDetails reads an event's stored details: a JSON object of strings. It returns what
// json.Unmarshal into a map[string]string returns, and refuses "null" and everything
// json.Unmarshal refuses.
func DecodeDetails(s string) (map[string]string, error) {
	if m, ok := decodeFlat(s); ok {
		return m, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("details are null")
	}
	return m, nil
}

// decodeFlat reads the form json.Marshal writes for a map of plain strings: no whitespace,
// no escapes, no control characters, valid UTF-8, no key twice. It reports false for
// anything else.
func decodeFlat(s string) (map[string]string, bool) {
	if len(s) < 2 || s[0] != '{' {
		return nil, false
	}
	m := make(map[string]string, 4)
	if s == "{}" {
		return m, true
	}
	i := 1
	for {
		k, j, ok := plainString(s, i)
		if !ok || j >= len(s) || s[j] != ':' {
			return nil, false
		}
		v, j, ok := plainString(s, j+1)
		if !ok || j >= len(s) {
			return nil, false
		}
		if _, dup := m[k]; dup {
			return nil, false
		}
		m[k] = v
		switch {
		case s[j] == ',':
			i = j + 1
		case s[j] == '}' && j == len(s)-1:
			return m, true
		default:
			return nil, false
		}
	}
}

// plainString reads a JSON string without escapes at s[i], returning it and the index after
// its closing quote: the text up to the first quote, when it holds no backslash and no
// control character and is valid UTF-8. It reads eight bytes at a time (a verify reads
// every event's details); FuzzPlainString holds it to a byte-by-byte reader.
func plainString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	j := strings.IndexByte(s[i+1:], '"')
	if j < 0 {
		return "", 0, false
	}
	v := s[i+1 : i+1+j]
	if !plainASCII(v) && (strings.IndexByte(v, '\\') >= 0 || hasControl(v) || !utf8.ValidString(v)) {
		return "", 0, false
	}
	return v, i + 2 + j, true
}

// plainASCII reports whether s is printable ASCII without a backslash (false: look closer).
func plainASCII(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(s) >= 8 {
		w := binary.LittleEndian.Uint64([]byte(s[:8]))
		// A byte of 0x80 or more, below 0x20, or equal to '\\' sets its high bit.
		if (w|(w-ones*0x20)|((w^ones*'\\')-ones)&^(w^ones*'\\'))&highs != 0 {
			return false
		}
		s = s[8:]
	}
	for _, c := range []byte(s) {
		if c >= 0x80 || c < 0x20 || c == '\\' {
			return false
		}
	}
	return true
}

func hasControl(s string) bool {
	for _, c := range []byte(s) {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// parseFixedTime reads s in TimeLayout's fixed form with every field in range, as FormatTime
// writes it; it reports false for anything else.
func parseFixedTime(s string) (time.Time, bool) {
	if len(s) != len(TimeLayout) || s[19] != '.' || s[29] != 'Z' {
		return time.Time{}, false
	}
	nano := digits(s[20:29])
	t, ok := ParseFixedDateTime(s[:19])
	if !ok || nano < 0 {
		return time.Time{}, false
	}
	return t.Add(time.Duration(nano)), true
}

// ParseFixedDateTime reads "2006-01-02T15:04:05" (UTC) by hand, every field in range, and
// reports false for anything else. It is the shared fast path of the fixed time forms the
// trail and the store write: time.Parse dominated profiles of verify and large exports.
func ParseFixedDateTime(s string) (time.Time, bool) {
	if len(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, month, day := digits(s[0:4]), digits(s[5:7]), digits(s[8:10])
	hour, minute, second := digits(s[11:13]), digits(s[14:16]), digits(s[17:19])
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
		second < 0 || second > 59 ||
		day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC), true
}

// digits is the value of a run of ASCII digits, or -1 if any byte is not one.
func digits(s string) int {
	x := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return -1
		}
		x = x*10 + int(c-'0')
	}
	return x
}
