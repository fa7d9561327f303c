package provider

import (
	"bufio"
	_ "embed"
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/match"

	"github.com/expeerienced/counsel/internal/provider/internal/zxmatch"
)

// RoomStrength is the estimator's verdict on a room name.
type RoomStrength struct {
	// Bits is log2 of the guesses an attacker who tries words, names,
	// keyboard rows, sequences, repeats, dates and substitutions first
	// needs before reaching the name.
	Bits float64
	// Reasons name, in plain words, the guessable parts found (empty when
	// the name is random throughout).
	Reasons []string
}

//go:embed words/de.txt
var germanWords string

// addGerman registers the German word list once, before the first match.
var addGerman = sync.OnceFunc(func() {
	var words []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(germanWords))
	for sc.Scan() {
		w := strings.TrimSpace(sc.Text())
		if w == "" || strings.HasPrefix(w, "#") || seen[w] {
			continue
		}
		seen[w] = true
		words = append(words, w)
	}
	zxmatch.AddDictionary("german", words)
})

// JudgeRoom estimates how guessable a room name is with zxcvbn's matchers
// (English and German words and names, keyboard rows, sequences, repeats,
// dates, years, reversed words and digit-for-letter substitutions) and its
// guess model, with one change: the parts no pattern explains count as
// drawn from the room's own alphabet (26 letters, 10 digits, 3 separators,
// as far as the name uses them) instead of zxcvbn's fixed 10 symbols, so a
// random 20-character name scores its real ~103 bits rather than 66. Case
// is ignored, as Jitsi ignores it.
//
// The dictionaries are built on the first call (about 20 ms), so only a
// command that judges a hand-given room pays for them.
func JudgeRoom(room string) RoomStrength {
	if room == "" || !utf8.ValidString(room) {
		return RoomStrength{} // CheckJitsiURL lets only a-z0-9._- through
	}
	s := strings.ToLower(room)
	addGerman()
	matches := zxmatch.Omnimatch(s, nil)
	bits, seq := minGuessBits(s, matches, math.Log2(float64(alphabetSize(s))))
	return RoomStrength{Bits: bits, Reasons: reasons(seq)}
}

// alphabetSize is the size of the alphabet the name seems drawn from.
func alphabetSize(s string) int {
	var letter, digit, other bool
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			letter = true
		case r >= '0' && r <= '9':
			digit = true
		default:
			other = true
		}
	}
	n := 0
	if letter {
		n += 26
	}
	if digit {
		n += 10
	}
	if other {
		n += 3
	}
	return n
}

// minGuessBits is zxcvbn's search for the most guessable way to cover s
// with matches and unexplained (brute-force) runs, minimising
//
//	l! * product(guesses of the l parts) + D^(l-1)
//
// (D = 10000 guesses an attacker spends on each shorter shape first), done
// in log2 so that a 200-character name does not overflow. It returns the
// bits and the chosen parts that are patterns (brute-force runs left out).
func minGuessBits(s string, matches []*match.Match, bitsPerChar float64) (float64, []*match.Match) {
	n := len(s)
	inf := math.Inf(1)
	// best[k][l]: least log2(product) of l parts covering s[:k]; from[k][l]
	// the last part (nil for a brute-force run) and start[k][l] where it
	// begins.
	best := make([][]float64, n+1)
	from := make([][]*match.Match, n+1)
	start := make([][]int, n+1)
	for k := range best {
		best[k] = make([]float64, n+1)
		from[k] = make([]*match.Match, n+1)
		start[k] = make([]int, n+1)
		for l := range best[k] {
			best[k][l] = inf
		}
	}
	best[0][0] = 0
	byEnd := make([][]*match.Match, n+1)
	for _, m := range matches {
		if m.I < 0 || m.J < m.I || m.J >= n {
			continue
		}
		byEnd[m.J+1] = append(byEnd[m.J+1], m)
	}
	for k := 1; k <= n; k++ {
		for _, m := range byEnd[k] {
			g := math.Log2(zxmatch.EstimateGuesses(m, s))
			for l := 1; l <= k; l++ {
				if v := best[m.I][l-1] + g; v < best[k][l] {
					best[k][l], from[k][l], start[k][l] = v, m, m.I
				}
			}
		}
		for i := 0; i < k; i++ {
			g := bruteforceBits(k-i, bitsPerChar)
			for l := 1; l <= k; l++ {
				if v := best[i][l-1] + g; v < best[k][l] {
					best[k][l], from[k][l], start[k][l] = v, nil, i
				}
			}
		}
	}
	total, bestL := inf, 0
	lgD := math.Log2(zxmatch.MinGuessesBeforeGrowingSequence)
	for l := 1; l <= n; l++ {
		if math.IsInf(best[n][l], 1) {
			continue
		}
		lgFact, _ := math.Lgamma(float64(l + 1))
		v := logAdd(lgFact/math.Ln2+best[n][l], float64(l-1)*lgD)
		if v < total {
			total, bestL = v, l
		}
	}
	var seq []*match.Match
	for k, l := n, bestL; k > 0 && l > 0; l-- {
		if m := from[k][l]; m != nil {
			seq = append(seq, m)
		}
		k = start[k][l]
	}
	return total, seq
}

// bruteforceBits is log2 of the guesses for n unexplained characters, at
// least zxcvbn's floor that lets a pattern over the same span win.
func bruteforceBits(n int, bitsPerChar float64) float64 {
	floor := float64(zxmatch.MinSubmatchGuessesMultiChar + 1)
	if n == 1 {
		floor = zxmatch.MinSubmatchGuessesSingleChar + 1
	}
	return math.Max(float64(n)*bitsPerChar, math.Log2(floor))
}

// logAdd is log2(2^a + 2^b).
func logAdd(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return a + math.Log2(1+math.Exp2(b-a))
}

// reasons says in plain words which guessable parts a name has, without
// repeating any part of it.
func reasons(seq []*match.Match) []string {
	var out []string
	seen := map[string]bool{}
	add := func(r string) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for i := len(seq) - 1; i >= 0; i-- {
		m := seq[i]
		switch m.Pattern {
		case "dictionary":
			switch {
			case m.L33t:
				add("a word or name with digits in place of letters")
			case m.Reversed:
				add("a word or name spelt backwards")
			case m.DictionaryName == "passwords":
				add("a common password")
			case strings.HasSuffix(m.DictionaryName, "names"), m.DictionaryName == "surnames":
				add("a common name")
			default:
				add("a common word or name")
			}
		case "spatial":
			add("keys next to each other on a keyboard")
		case "repeat":
			add("a repeated part")
		case "sequence":
			add("letters or digits in order (like abc or 123)")
		case "regex", "date":
			add("a date or a year")
		}
	}
	return out
}
