package session_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/expeerienced/counsel/internal/session"
)

// spellings are what a counsellor may type for one person "Client-A".
var spellings = []string{
	"Client-A", "client-a", "CLIENT-A", " Client-A ", "Client-a",
	"Cli\u200bent-A", // zero-width space
	"Cli\u00adent-A", // soft hyphen
	"\ufeffClient-A", // byte order mark
	"Client\u200d-A", // zero-width joiner
	"Client\u200c-A", // zero-width non-joiner
	"Client-A\ufe0f", // variation selector
	"Client\u2060-A", // word joiner
	"ＣＬＩＥＮＴ－Ａ",       // full-width
	"ｃｌｉｅｎｔ-ａ",       // full-width lower case
	"Cl\u0131ent-A",  // dotless i is not folded to i: see below
}

func TestNameKeySpellings(t *testing.T) {
	want := session.NameKey("Client-A")
	if want != "client-a" {
		t.Fatalf("key = %q, want client-a", want)
	}
	for _, s := range spellings {
		if strings.Contains(s, "\u0131") {
			// U+0131 is a letter of its own (Turkish); folding keeps it.
			if session.NameKey(s) == want {
				t.Errorf("%q: the dotless i was folded to i", s)
			}
			continue
		}
		if got := session.NameKey(s); got != want {
			t.Errorf("NameKey(%q) = %q, want %q", s, got, want)
		}
	}
	for _, pair := range [][2]string{
		{"Straße", "STRASSE"}, {"Client  Zeta", "client zeta"}, {"Jose\u0301", "JOSÉ"},
		{"Ⅻ Client", "xii client"}, {"ﬁona", "FIONA"}, {"Client\u00a0Zeta", "client zeta"},
	} {
		if a, b := session.NameKey(pair[0]), session.NameKey(pair[1]); a != b {
			t.Errorf("NameKey(%q) = %q, NameKey(%q) = %q: want one person", pair[0], a, pair[1], b)
		}
	}
	// Look-alike letters of another script stay a different key (the
	// counsellor is warned instead, see TestMixedScripts).
	if session.NameKey("Client-\u0410") == want { // Cyrillic А
		t.Error("a Cyrillic letter was folded to Latin")
	}
}

func TestMixedScripts(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"Client-A", nil},
		{"Клиент-А", nil},
		{"Client-\u0410", []string{"Latin", "Cyrillic"}},
		{"Cli\u0435nt", []string{"Latin", "Cyrillic"}},
		{"\u03bfmega", []string{"Latin", "Greek"}},
		{"Σοφία", nil},
		{"Client 1", nil},
	} {
		if got := session.MixedScripts(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("MixedScripts(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzNameKey: the key of a key is the key; spelling variants of an accepted
// name (case, a zero-width space or soft hyphen inserted, full-width letters)
// have its key; and an accepted name has a non-empty key.
func FuzzNameKey(f *testing.F) {
	for _, s := range spellings {
		f.Add(s, uint8(3))
	}
	for _, s := range []string{"", "\u200b", "Straße", "ǅemal", "ΣΑΣ", "ﬃ", "ⓐ", "ｶﾞ", "\u0345", "İstanbul", "a\u0308\u0301"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, at uint8) {
		k := session.NameKey(s)
		if k2 := session.NameKey(k); k2 != k {
			t.Fatalf("NameKey not idempotent: %q -> %q -> %q", s, k, k2)
		}
		name, err := session.NormaliseName(s)
		if err != nil {
			return
		}
		if k == "" || session.NameKey(name) != k {
			t.Fatalf("accepted %q (stored %q) has key %q, its stored form %q", s, name, k, session.NameKey(name))
		}
		runes := []rune(name)
		i := int(at) % (len(runes) + 1)
		variants := map[string]string{
			"zwsp":       string(runes[:i]) + "\u200b" + string(runes[i:]),
			"softhyphen": string(runes[:i]) + "\u00ad" + string(runes[i:]),
			"fullwidth":  fullWidth(name),
		}
		// Upper- and lower-casing are not folding: outside ASCII some letters
		// case-map to ones that fold elsewhere (U+0130 İ, U+03F4 ϴ), so the
		// case variants are compared for ASCII names.
		if foldsLikeCase(name) {
			variants["upper"], variants["lower"] = strings.ToUpper(name), strings.ToLower(name)
		}
		for what, v := range variants {
			if got := session.NameKey(v); got != k {
				t.Fatalf("%s variant of %q: key %q, want %q", what, name, got, k)
			}
		}
	})
}

// foldsLikeCase reports whether s is ASCII, where upper- and lower-casing
// and folding agree without exception.
func foldsLikeCase(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fullWidth replaces printable ASCII with its full-width form (U+FF01 to
// U+FF5E), as an East Asian input method types it.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f {
			return r - 0x21 + 0xff01
		}
		return r
	}, s)
}
