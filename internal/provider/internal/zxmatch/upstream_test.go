package zxmatch

import (
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/trustelem/zxcvbn"
)

// The copy finds what upstream finds: the same guess count for the same
// input, except where this copy knows more (years 2020-2039).
func TestSameAsUpstream(t *testing.T) {
	inputs := []string{"", "a", "password", "abcdefghijklmnopqrst", "qwertyuiopasdfghjklz", "abcabcabcabcabcabcab",
		"passwordpassword1234", "p4ssw0rd", "drowssap", "03.12.1999", "19991203", "Tr0ub4dour&3", "correcthorsebatterystaple",
		"k3x9q2mzt7wb4n8p1vhd", "zxcvbnm1qaz2wsx", "aaaaaaaaaaaaaaaaaaaa", "1234567890", "jessica1987", "smith-johnson"}
	src := rand.NewChaCha8([32]byte{'z', 'x'})
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789-_."
	for range 300 {
		b := make([]byte, 6+src.Uint64()%20)
		for i := range b {
			b[i] = chars[src.Uint64()%uint64(len(chars))]
		}
		inputs = append(inputs, string(b))
	}
	newYear := regexp.MustCompile(`20[2-3]\d`)
	for _, s := range inputs {
		if newYear.MatchString(s) {
			continue
		}
		want := zxcvbn.PasswordStrength(s, nil).Guesses
		got := MostGuessableMatchSequence(s, Omnimatch(s, nil), false).Guesses
		if s == "" {
			got = 1 // upstream's PasswordStrength says 1 for an empty password
		}
		if got != want {
			t.Errorf("%q: %g guesses, upstream %g", s, got, want)
		}
	}
}
