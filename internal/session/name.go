package session

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxNameLen is the longest name or pseudonym accepted, in characters.
const MaxNameLen = 100

// Errors for a client name; none of them repeats the name.
var (
	ErrNameEmpty   = errors.New("is empty (or made only of invisible characters)")
	ErrNameLong    = fmt.Errorf("is longer than %d characters", MaxNameLen)
	ErrNameUTF8    = errors.New("is not valid UTF-8")
	ErrNameControl = errors.New("contains a control character (such as a line break)")
	ErrNameBidi    = errors.New("contains a text-direction control character (U+200E, U+200F, U+061C, U+202A to U+202E, U+2066 to U+2069)")
)

// NormaliseName validates a name or pseudonym and returns the form that is
// stored and shown: Unicode NFC, surrounding space removed, inner runs of
// space collapsed. People are compared by NameKey, not by this form.
//
// Refused: control characters and line separators (they break records and
// e-mail headers), text-direction controls (they make a name display as
// something else than it is; no name needs them typed by hand), and a name
// whose comparison key is empty (nothing but spaces and invisible characters).
func NormaliseName(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", ErrNameUTF8
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return "", ErrNameControl
		}
		if unicode.Is(unicode.Bidi_Control, r) {
			return "", ErrNameBidi
		}
	}
	n := strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	switch {
	case NameKey(n) == "":
		return "", ErrNameEmpty
	case utf8.RuneCountInString(n) > MaxNameLen:
		return "", ErrNameLong
	}
	return n, nil
}

// NameKey is how two spellings are found to be one person, the comparison a
// counsellor would make: Unicode compatibility normalisation (NFKC: full-width
// and other compatibility forms become plain letters), case folding,
// default-ignorable code points removed (zero-width space and joiners, soft
// hyphen, byte order mark, variation selectors, ...), white space collapsed
// and trimmed. "Client-A", "client-a", "ＣＬＩＥＮＴ-Ａ" and "Cli\u00adent-A"
// have one key. The key is personal data like the name itself.
//
// Look-alike letters of other scripts (a Cyrillic "а" for a Latin "a") are not
// folded: whether two such names are one person is for the counsellor to
// judge (see MixedScripts).
func NameKey(s string) string {
	// One pass of folding can produce text that a further pass changes again
	// (case folding can undo NFKC's composition); repeat until it is stable,
	// so that the key of a key is the key.
	for range 4 {
		k := keyPass(s)
		if k == s {
			break
		}
		s = k
	}
	return s
}

func keyPass(s string) string {
	s = strings.Map(dropIgnorable, s)
	s = norm.NFKC.String(s)
	s = fold(s)
	s = norm.NFKC.String(s)
	s = strings.Map(dropIgnorable, s)
	return strings.Join(strings.Fields(s), " ")
}

//go:generate go run ./internal/genfold fold_gen.go

// fold is Unicode full case folding, as golang.org/x/text/cases.Fold does it ("Straße" and
// "STRASSE" fold alike), from the table genfold makes of it: x/text/cases would cost every
// start of counsel its language tables. Bytes that are not UTF-8 stay as they are.
func fold(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				b.WriteString(s[done:i])
				b.WriteByte(c + 'a' - 'A')
				done = i + 1
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if j, ok := slices.BinarySearch(foldFrom[:], r); ok && r != utf8.RuneError {
			b.WriteString(s[done:i])
			b.WriteString(foldTo[j])
			done = i + n
		}
		i += n
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// dropIgnorable maps a default-ignorable code point (Unicode's derived
// property Default_Ignorable_Code_Point) to -1 and leaves the rest.
func dropIgnorable(r rune) rune {
	if ignorable(r) {
		return -1
	}
	return r
}

// ignorable approximates Default_Ignorable_Code_Point from what package
// unicode has: Other_Default_Ignorable_Code_Point, Variation_Selector and
// the format characters (Cf) except those Unicode keeps visible (prepended
// concatenation marks such as U+0600, the interlinear annotation marks
// U+FFF9 to U+FFFB and the Egyptian hieroglyph format controls).
func ignorable(r rune) bool {
	switch {
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r),
		unicode.Is(unicode.Variation_Selector, r):
		return true
	case !unicode.Is(unicode.Cf, r),
		unicode.Is(unicode.Prepended_Concatenation_Mark, r),
		r >= 0xFFF9 && r <= 0xFFFB,
		r >= 0x13430 && r <= 0x1345F:
		return false
	}
	return true
}

// lookAlikeScripts are the scripts whose letters are commonly mistaken for
// each other (Latin "a", Cyrillic "а", Greek "α"; "o", "о", "ο").
var lookAlikeScripts = []struct {
	name  string
	table *unicode.RangeTable
}{{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek}}

// MixedScripts returns the names of the look-alike scripts (Latin, Cyrillic,
// Greek) whose letters appear together in s, or nil when s uses at most one
// of them. Such a name is allowed (a person may be called so) but is worth a
// warning: a look-alike letter makes a different person.
func MixedScripts(s string) []string {
	var found []string
	for _, sc := range lookAlikeScripts {
		for _, r := range s {
			if unicode.Is(sc.table, r) {
				found = append(found, sc.name)
				break
			}
		}
	}
	if len(found) < 2 {
		return nil
	}
	return found
}

// MentionsName reports whether text (a line of a shell's history, say)
// holds the name, compared by NameKey and only as whole words: "Al" is in
// "counsel consent revoke al" but not in "install".
func MentionsName(text, name string) bool {
	k := NameKey(name)
	if k == "" {
		return false
	}
	t := NameKey(text)
	for i := 0; ; {
		j := strings.Index(t[i:], k)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(k)
		before, _ := utf8.DecodeLastRuneInString(t[:start])
		after, _ := utf8.DecodeRuneInString(t[end:])
		if (start == 0 || !wordRune(before)) && (end == len(t) || !wordRune(after)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(t[start:])
		i = start + size
	}
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }
