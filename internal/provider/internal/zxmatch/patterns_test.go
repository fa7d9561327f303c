package zxmatch

import (
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// Upstream's expressions, run by the engine upstream uses: the oracle for patterns.go.
var (
	reDateDigits = regexp2.MustCompile(`^\d{4,8}$`, 0)
	reDateSep    = regexp2.MustCompile(`^(\d{1,4})([\s/\\_.-])(\d{1,2})\2(\d{1,4})$`, 0)
	reGreedy     = regexp2.MustCompile(`(.+)\1+`, 0)
	reLazy       = regexp2.MustCompile(`(.+?)\1+`, 0)
	reAnchored   = regexp2.MustCompile(`^(.+?)\1+$`, 0)
)

func checkPatterns(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		return // the matcher is only given valid text
	}
	m, err := reDateDigits.MatchString(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := maybeDateNoSeparator(s); got != m {
		t.Errorf("maybeDateNoSeparator(%q) = %v, regexp2 %v", s, got, m)
	}
	dm, err := reDateSep.FindStringMatch(s)
	if err != nil {
		t.Fatal(err)
	}
	g1, sep, g3, g4, ok := maybeDateWithSeparator(s)
	if ok != (dm != nil) || ok && (g1 != dm.GroupByNumber(1).String() || sep != dm.GroupByNumber(2).String() ||
		g3 != dm.GroupByNumber(3).String() || g4 != dm.GroupByNumber(4).String()) {
		t.Errorf("maybeDateWithSeparator(%q) = %q %q %q %q %v, regexp2 %v", s, g1, sep, g3, g4, ok, dm)
	}
	runes := []rune(s)
	for start := 0; start <= len(s); start++ {
		if start < len(s) && !utf8.RuneStart(s[start]) {
			continue
		}
		from := utf8.RuneCountInString(s[:start])
		for _, c := range []struct {
			re   *regexp2.Regexp
			lazy bool
		}{{reGreedy, false}, {reLazy, true}} {
			want, err := c.re.FindStringMatchStartingAt(s, start)
			if err != nil {
				t.Fatal(err)
			}
			at, length, part, ok := repeatAt(runes, from, c.lazy)
			if ok != (want != nil) || ok && (at != want.Index || length != want.Length || part != want.GroupByNumber(1).Length) {
				t.Errorf("repeatAt(%q, %d, lazy %v) = %d %d %d %v, regexp2 %v", s, from, c.lazy, at, length, part, ok, want)
				continue
			}
			if !ok {
				continue
			}
			token := string(runes[at : at+length])
			am, err := reAnchored.FindStringMatch(token)
			if err != nil || am == nil {
				t.Fatalf("regexp2 finds no repeated part in %q: %v", token, err)
			}
			if got := string(repeatedPart(runes[at : at+length])); got != am.GroupByNumber(1).String() {
				t.Errorf("repeatedPart(%q) = %q, regexp2 %q", token, got, am.GroupByNumber(1).String())
			}
		}
	}
}

func TestPatternsAsRegexp2(t *testing.T) {
	for _, s := range []string{"", "1991", "11111991", "123456789", "1991\n", "1991\n\n", "٣١٢١٩٩٩",
		"1/1/91", `1\1\91`, "1_1_91", "1-1-91", "11.11.1991", "1 1 91", "1\u00a01\u00a091", "1/1.91", "12345/1/91", "1/123/91", "1/1/91\n",
		"aabaab", "aaaaa", "aabaabaabaab", "abab\nabab", "ää", "xyzxyz1", "a\n\na", "abcabcabc-abcabc"} {
		checkPatterns(t, s)
	}
	src := rand.NewChaCha8([32]byte{'r', 'e'})
	alphabet := []rune("ab1290/._- \n\\\u00a0٣ä")
	for range 3000 {
		r := make([]rune, src.Uint64()%14)
		for i := range r {
			r[i] = alphabet[src.Uint64()%uint64(len(alphabet))]
		}
		checkPatterns(t, string(r))
	}
}

func FuzzPatterns(f *testing.F) {
	f.Add("11.11.1991")
	f.Add("aabaabaabaab")
	f.Add("1991\n")
	f.Fuzz(checkPatterns)
}
