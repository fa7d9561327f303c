package zxmatch

import (
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/match"
)

type repeatMatch struct{}

func runeToStringIndex(index int, password string) int {
	runes := 0
	for i := range password {
		if runes == index {
			return i
		}
		runes++
	}
	//shouldn't really get here
	return len(password)
}

func (repeatMatch) Matches(password string) []*match.Match {
	var matches []*match.Match

	runes := []rune(password)
	lastIndex := 0
	for lastIndex < len(password) {
		start := utf8.RuneCountInString(password[:lastIndex])
		gAt, gLen, _, found := repeatAt(runes, start, false)
		if !found {
			break
		}
		lAt, lLen, lPart, _ := repeatAt(runes, start, true)

		var at, length int
		var baseToken string
		if gLen > lLen {
			// greedy beats lazy for 'aabaab'
			//   greedy: [aabaab, aab]
			//   lazy:   [aa,     a]
			at, length = gAt, gLen
			// greedy's repeated string might itself be repeated, eg.
			// aabaab in aabaabaabaab.
			// run an anchored lazy match on greedy's repeated string
			// to find the shortest repeated string
			baseToken = string(repeatedPart(runes[at : at+length]))
		} else {
			// lazy beats greedy for 'aaaaa'
			//   greedy: [aaaa,  aa]
			//   lazy:   [aaaaa, a]
			at, length = lAt, lLen
			baseToken = string(runes[at : at+lPart])
		}
		// the match's positions count runes; the match needs byte offsets
		i := runeToStringIndex(at, password)
		j := runeToStringIndex(at+length-1, password)
		token := string(runes[at : at+length])

		// recursively match and score the base string
		baseAnalysis := MostGuessableMatchSequence(
			baseToken,
			Omnimatch(baseToken, nil),
			false,
		)
		matches = append(matches, &match.Match{
			Pattern:     "repeat",
			I:           i,
			J:           j,
			Token:       token,
			BaseToken:   baseToken,
			BaseGuesses: baseAnalysis.Guesses,
			BaseMatches: baseAnalysis.Sequence,
			RepeatCount: length / len(baseToken),
		})
		lastIndex = j + 1

	}
	return matches
}
