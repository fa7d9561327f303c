package session

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/cases"
)

// fold is cases.Fold for every rune, one at a time and all together (folding does not
// depend on the runes around one, which is what lets a table stand in for it).
func TestFoldMatchesCases(t *testing.T) {
	var all strings.Builder
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		s := string(r)
		if got, want := fold(s), cases.Fold().String(s); got != want {
			t.Fatalf("fold(%U) = %q, cases.Fold gives %q; run go generate ./internal/session", r, got, want)
		}
		all.WriteString(s)
	}
	if fold(all.String()) != cases.Fold().String(all.String()) {
		t.Error("fold of all runes together differs from cases.Fold")
	}
}

func FuzzFoldMatchesCases(f *testing.F) {
	for _, s := range []string{"Client-A", "STRASSE Straße", "ΑΣ İ ﬁ", "a\xffB\xc3", "\ufffd", "ＣＬＩＥＮＴ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := fold(s), cases.Fold().String(s); got != want {
			t.Fatalf("fold(%q) = %q, cases.Fold gives %q", s, got, want)
		}
	})
}
