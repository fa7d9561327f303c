package zxmatch

import (
	"sort"
	"strings"

	"github.com/trustelem/zxcvbn/match"
)

// dictionaryMatch differs from upstream in how it looks words up: all
// dictionaries share one index, built once, and no substring longer than
// the longest word is tried (upstream looks every substring up in every
// dictionary). The matches found are the same.
type dictionaryMatch struct {
	index  map[string][]hit
	maxLen int
}

type hit struct {
	dict string
	rank int
}

// newDictionaryMatch indexes ranked word lists (most common first). Names
// are taken in sorted order so that the matches come in the same order
// every run.
func newDictionaryMatch(lists map[string][]string) dictionaryMatch {
	dm := dictionaryMatch{index: make(map[string][]hit)}
	names := make([]string, 0, len(lists))
	for n := range lists {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for i, w := range lists[n] {
			w = strings.ToLower(w)
			if hs := dm.index[w]; len(hs) > 0 && hs[len(hs)-1].dict == n {
				continue // a word twice in one list keeps its first rank
			}
			dm.index[w] = append(dm.index[w], hit{n, i + 1})
			dm.maxLen = max(dm.maxLen, len(w))
		}
	}
	return dm
}

func (dm dictionaryMatch) Matches(password string) []*match.Match {
	var results []*match.Match
	lower := strings.ToLower(password)
	same := len(lower) == len(password)
	for i := range password {
		for delta := range password[i:] {
			j := i + delta
			if delta >= dm.maxLen {
				break
			}
			var word string
			if same {
				word = lower[i : j+1]
			} else {
				word = strings.ToLower(password[i : j+1])
			}
			for _, h := range dm.index[word] {
				results = append(results, &match.Match{
					Pattern:        "dictionary",
					I:              i,
					J:              j,
					Token:          password[i : j+1],
					MatchedWord:    word,
					Rank:           h.rank,
					DictionaryName: h.dict,
				})
			}
		}
	}
	match.Sort(results)
	return results
}
