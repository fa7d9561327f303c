package audit

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// The hand-written readers give exactly what the general parsers give, or defer to them.
func FuzzDecodeDetails(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"b"}`, `{"a":"b","c":"d"}`, `{"a":"b","a":"c"}`, `null`, `{"a":1}`,
		`{"a":"\u00e9"}`, `{"a":"b"} `, ` {"a":"b"}`, `{"a":"b",}`, "{\"a\":\"\xff\"}", `{"é":"ß"}`, `{"a":"b"}}`, `{"a""b"}`, `[]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := DecodeDetails(s)
		var want map[string]string
		werr := json.Unmarshal([]byte(s), &want)
		if werr == nil && want == nil {
			if err == nil {
				t.Fatalf("%q: accepted null details", s)
			}
			return
		}
		if (err != nil) != (werr != nil) {
			t.Fatalf("%q: error %v, json.Unmarshal %v", s, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %v, json.Unmarshal %v", s, got, want)
		}
	})
}

func FuzzParseTimeFast(f *testing.F) {
	for _, s := range []string{"2026-11-28T09:00:00.000000000Z", "2026-02-29T09:00:00.000000000Z", "2024-02-29T23:59:59.999999999Z",
		"0000-01-01T00:00:00.000000000Z", "2026-13-01T00:00:00.000000000Z", "2026-11-28T24:00:00.000000000Z",
		"2026-11-28T09:00:60.000000000Z", "2026-11-28T09:00:00.00000000aZ", "2026-11-28 09:00:00.000000000Z", "+026-11-28T09:00:00.000000000Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s)
		want, werr := parseTimeSlow(s)
		if (err != nil) != (werr != nil) || got != want || (err == nil && FormatTime(got) != s) {
			t.Fatalf("%q: %v (%v), slow %v (%v)", s, got, err, want, werr)
		}
	})
}

// plainStringSlow is plainString byte by byte.
func plainStringSlow(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			v := s[i+1 : j]
			return v, j + 1, utf8.ValidString(v)
		case c == '\\' || c < 0x20:
			return "", 0, false
		}
	}
	return "", 0, false
}

func FuzzPlainString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"abcdefghijklmnop"x`, `"abcdefgh\"`, "\"abcdefg\x1fhij\"", "\"abcdefgh\xffij\"",
		`"é"`, "\"abcdefgh\x7f\x80\"", `"`, `x"a"`, `""`, "\"abcdefghi]\\\"", "\"\x00\"", "\"abc\\u0041\""} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, s string, i int) {
		if i < 0 {
			return
		}
		v, j, ok := plainString(s, i)
		wv, wj, wok := plainStringSlow(s, i)
		if ok != wok || (ok && (v != wv || j != wj)) {
			t.Fatalf("%q at %d: %q %d %v, byte by byte %q %d %v", s, i, v, j, ok, wv, wj, wok)
		}
	})
}
