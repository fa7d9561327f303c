// Package zxmatch is the pattern matcher of github.com/trustelem/zxcvbn
// v1.0.1 (package matching, with the word lists of its package frequency
// as text files in lists/, and its packages scoring and adjacency; MIT
// licence, see LICENSE.txt), copied so that nothing is built at program
// start: upstream builds its dictionaries and
// regular expressions in package variables, which costs every counsel
// command about 19 ms and 14 MB although only a hand-given Jitsi room ever
// needs them. Here they are built on first use. The other changes: callers
// may add ranked dictionaries of their own (German words), all
// dictionaries share one index (dictionary.go), a year up to 2039 counts as
// a recent year, mathutils (an internal package upstream) is inlined, and
// the three expressions upstream runs with github.com/dlclark/regexp2 are
// written out in Go (patterns.go), so no second regex engine is linked.
package zxmatch

import (
	"embed"
	"regexp"
	"strings"
	"sync"

	"github.com/trustelem/zxcvbn/match"
)

// Omnimatch returns every match the matchers find in password, with
// userInputs as one more dictionary.
func Omnimatch(password string, userInputs []string) (matches []*match.Match) {
	dictMatcher := defaults()
	if len(userInputs) > 0 {
		all := map[string][]string{"user_inputs": userInputs}
		for n, l := range wordLists() {
			all[n] = l
		}
		dictMatcher = newDictionaryMatch(all)
	}

	matchers := []match.Matcher{
		dictMatcher,
		reverseDictionnaryMatch{dm: dictMatcher},
		l33tMatch{dm: dictMatcher, table: l33tTable},
		spatialMatch{graphs: defaultGraphs()},
		repeatMatch{},
		sequenceMatch{},
		regexpMatch{regexes: defaultRegexpMatch()},
		dateMatch{},
	}

	for _, m := range matchers {
		matches = append(matches, m.Matches(password)...)
	}
	match.Sort(matches)
	return matches
}

// AddDictionary registers a ranked word list (most common first) under
// name. It must be called before the first Omnimatch.
func AddDictionary(name string, words []string) {
	extraMu.Lock()
	defer extraMu.Unlock()
	extra[name] = words
}

// lists are upstream's frequency lists (package frequency), one word a
// line, most common first. Upstream keeps them in a map literal that costs
// every program that links it a millisecond and 4 MB at start; embedded
// text costs nothing until read.
//
//go:embed lists/*.txt
var lists embed.FS

func must[T any](v T, err error) T {
	if err != nil {
		panic(err) // embedded at build time: cannot fail
	}
	return v
}

var (
	extraMu sync.Mutex
	extra   = map[string][]string{}

	wordLists = sync.OnceValue(func() map[string][]string {
		extraMu.Lock()
		defer extraMu.Unlock()
		all := make(map[string][]string)
		for _, e := range must(lists.ReadDir("lists")) {
			text := string(must(lists.ReadFile("lists/" + e.Name())))
			all[strings.TrimSuffix(e.Name(), ".txt")] = strings.Fields(text)
		}
		for n, list := range extra {
			all[n] = list
		}
		return all
	})
	defaults = sync.OnceValue(func() dictionaryMatch { return newDictionaryMatch(wordLists()) })

	defaultGraphs = sync.OnceValue(func() []*Graph {
		g := graphs()
		return []*Graph{g["qwerty"], g["dvorak"], g["keypad"], g["mac_keypad"]}
	})
	defaultRegexpMatch = sync.OnceValue(func() []namedRegexp {
		return []namedRegexp{{Name: "recent_year", Regexp: regexp.MustCompile(`19\d\d|20[0-3]\d`)}}
	})
	l33tTable = map[string][]string{
		"a": {"4", "@"},
		"b": {"8"},
		"c": {"(", "{", "[", "<"},
		"e": {"3"},
		"g": {"6", "9"},
		"i": {"1", "!", "|"},
		"l": {"1", "|", "7"},
		"o": {"0"},
		"s": {"$", "5"},
		"t": {"+", "7"},
		"x": {"%"},
		"z": {"2"},
	}
)
