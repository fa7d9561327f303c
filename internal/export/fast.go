package export

import (
	"strconv"
	"unicode/utf8"
)

// Session rows are the bulk of large exports, so they skip reflection: appendSessionJSON
// writes the bytes encoding/json writes for a Session (without HTML escaping, as
// rowEncoder does), and appendCells the cells without a fresh slice. FuzzSessionEncoding
// holds both equal to the general path.

// appendSessionJSON appends s as encoding/json encodes it with SetEscapeHTML(false).
func appendSessionJSON(dst []byte, s Session) []byte {
	dst = append(dst, `{"session_id":`...)
	dst = appendJSONString(dst, s.SessionID)
	dst = append(dst, `,"subject_id":`...)
	dst = appendJSONString(dst, s.SubjectID)
	if s.Name != nil {
		dst = append(dst, `,"name":`...)
		dst = appendJSONString(dst, *s.Name)
	}
	dst = append(dst, `,"provider":`...)
	dst = appendJSONString(dst, s.Provider)
	dst = append(dst, `,"kind":`...)
	dst = appendJSONString(dst, s.Kind)
	dst = append(dst, `,"starts_at":`...)
	dst = appendJSONString(dst, s.StartsAt)
	dst = append(dst, `,"timezone":`...)
	dst = appendJSONString(dst, s.Timezone)
	dst = append(dst, `,"duration_min":`...)
	dst = strconv.AppendInt(dst, int64(s.DurationMin), 10)
	dst = append(dst, `,"place":`...)
	dst = appendJSONString(dst, s.Place)
	dst = append(dst, `,"status":`...)
	dst = appendJSONString(dst, s.Status)
	dst = append(dst, `,"created_at":`...)
	dst = appendJSONString(dst, s.CreatedAt)
	dst = append(dst, `,"cancelled_at":`...)
	dst = appendJSONString(dst, s.CancelledAt)
	dst = append(dst, `,"participants":`...)
	dst = strconv.AppendInt(dst, int64(s.Participants), 10)
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString follows encoding/json's string encoding without HTML escaping: quotes,
// backslashes and control characters escaped, invalid UTF-8 replaced by U+FFFD, and U+2028
// and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendCells appends the cells Cells returns.
func (s Session) appendCells(dst []string) []string {
	dst = append(dst, s.SessionID, s.SubjectID)
	if s.Name != nil {
		dst = append(dst, *s.Name)
	}
	return append(dst, s.Provider, s.Kind, s.StartsAt, s.Timezone, strconv.Itoa(s.DurationMin),
		s.Place, s.Status, s.CreatedAt, s.CancelledAt, strconv.Itoa(s.Participants))
}
