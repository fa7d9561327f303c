package audit

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestTermSafe(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"3f2b9c1e-8d4a-4b7e-9f21-0c5d6e7f8a90", "3f2b9c1e-8d4a-4b7e-9f21-0c5d6e7f8a90"},
		{"proof_key_fingerprint", "proof_key_fingerprint"},
		{"forged", "forged"},
		{"", ""},
		{"Grüße, Zoë — 日本", "Grüße, Zoë — 日本"},
		{"a\x1b[2Jb", `a\x1b[2Jb`},
		{"\x00\x1f\x7f", `\x00\x1f\x7f`},
		{"line\nnext\r", `line\x0anext\x0d`},
		{"\u0085\u009b31m", `\u0085\u009b31m`},
		{"abc\u202edcba", `abc\u202edcba`},
		{"\u200b\u2066\u2069\ufeff\u2028", `\u200b\u2066\u2069\ufeff\u2028`},
		{"\xff\xfe", `\xff\xfe`},
		{"\ufffd", `\ufffd`},
		{"\x1b]0;title\x07", `\x1b]0;title\x07`},
	} {
		if got := TermSafe(tt.in); got != tt.want {
			t.Errorf("TermSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzTermSafe: the result never holds a character that TermSafe escapes, is valid UTF-8,
// and a string without such characters is returned unchanged.
func FuzzTermSafe(f *testing.F) {
	for _, s := range []string{"3f2b9c1e-8d4a-4b7e-9f21-0c5d6e7f8a90", "\x1b[31m", "\u202e", "\x00\xff", "Zoë\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := TermSafe(s)
		if !utf8.ValidString(got) {
			t.Fatalf("TermSafe(%q) = %q is not UTF-8", s, got)
		}
		if i := strings.IndexFunc(got, unsafeRune); i >= 0 {
			t.Fatalf("TermSafe(%q) = %q keeps %U", s, got, []rune(got[i:])[0])
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
				t.Fatalf("TermSafe(%q) = %q keeps %U", s, got, r)
			}
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, unsafeRune) && !strings.ContainsRune(s, utf8.RuneError) && got != s {
			t.Fatalf("TermSafe(%q) = %q, want it unchanged", s, got)
		}
	})
}
