package zxmatch

import "unicode"

// The three patterns upstream writes for github.com/dlclark/regexp2 (a backreference each,
// which Go's regexp cannot express), written out so that counsel does not link a second
// regular expression engine and its start-up tables. regexp2's meaning is kept: \d is any
// Unicode decimal digit, \s is unicode.IsSpace, . is any character but \n, $ also matches
// before a final \n, and a match's positions count runes. patterns_test.go checks each
// against regexp2 itself.

// stripFinalNewline is what regexp2's $ allows at the end.
func stripFinalNewline(r []rune) []rune {
	if n := len(r); n > 0 && r[n-1] == '\n' {
		return r[:n-1]
	}
	return r
}

// maybeDateNoSeparator is ^\d{4,8}$.
func maybeDateNoSeparator(token string) bool {
	r := stripFinalNewline([]rune(token))
	if len(r) < 4 || len(r) > 8 {
		return false
	}
	for _, c := range r {
		if !unicode.IsDigit(c) {
			return false
		}
	}
	return true
}

// maybeDateWithSeparator is ^(\d{1,4})([\s/\\_.-])(\d{1,2})\2(\d{1,4})$; it returns the
// groups 1, 2, 3 and 4. Digits and separators are apart, so the groups are where the
// separators are.
func maybeDateWithSeparator(token string) (day, sep, month, year string, ok bool) {
	r := stripFinalNewline([]rune(token))
	digits := func(from, most int) int { // the length of the digit run at from, if 1..most
		n := 0
		for from+n < len(r) && unicode.IsDigit(r[from+n]) {
			n++
		}
		if n > most {
			return 0
		}
		return n
	}
	isSep := func(c rune) bool {
		return unicode.IsSpace(c) || c == '/' || c == '\\' || c == '_' || c == '.' || c == '-'
	}
	a := digits(0, 4)
	if a == 0 || a >= len(r) || !isSep(r[a]) {
		return "", "", "", "", false
	}
	b := digits(a+1, 2)
	if b == 0 || a+1+b >= len(r) || r[a+1+b] != r[a] {
		return "", "", "", "", false
	}
	c := digits(a+2+b, 4)
	if c == 0 || a+2+b+c != len(r) {
		return "", "", "", "", false
	}
	return string(r[:a]), string(r[a : a+1]), string(r[a+1 : a+1+b]), string(r[a+2+b:]), true
}

// repeatAt finds (.+)\1+ (lazy false) or (.+?)\1+ (lazy true) at or after rune start of r: the
// start and length of the match and the length of the repeated part, all in runes. The
// leftmost start wins; there the greedy form takes the longest part that repeats, the lazy
// form the shortest, and both then take every repetition that follows.
func repeatAt(r []rune, start int, lazy bool) (at, length, part int, ok bool) {
	same := func(i, j, n int) bool {
		for k := range n {
			if r[i+k] != r[j+k] {
				return false
			}
		}
		return true
	}
	for i := start; i < len(r); i++ {
		run := 0 // . stops at \n
		for i+run < len(r) && r[i+run] != '\n' {
			run++
		}
		run = min(run, (len(r)-i)/2)
		for step := range run {
			n := run - step
			if lazy {
				n = step + 1
			}
			if !same(i, i+n, n) {
				continue
			}
			end := i + 2*n
			for end+n <= len(r) && same(i, end, n) {
				end += n
			}
			return i, end - i, n, true
		}
	}
	return 0, 0, 0, false
}

// repeatedPart is ^(.+?)\1+$ on a match of repeatAt: the shortest part the whole repeats.
func repeatedPart(r []rune) []rune {
	for n := 1; n <= len(r)/2; n++ {
		if len(r)%n != 0 {
			continue
		}
		whole := true
		for k := n; k < len(r) && whole; k++ {
			whole = r[k] == r[k%n]
		}
		if whole {
			return r[:n]
		}
	}
	return nil
}
