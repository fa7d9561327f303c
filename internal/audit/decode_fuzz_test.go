package audit

import (
	"encoding/json"
	"reflect"
	"testing"
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
