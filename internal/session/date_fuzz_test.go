package session_test

import (
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/session"
)

// FuzzParseDate: --from and --to of exports. Whatever is typed, a date parses to midnight
// in the given zone, or fails.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-01", "01.12.2026", "2026-02-30", "2026-13-01", " 2026-12-01 ", "2026-12-01T10:00", "", "x"} {
		f.Add(s)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := session.ParseDate(in, berlin)
		if err != nil {
			return
		}
		if h, m, s := got.In(berlin).Clock(); h != 0 || m != 0 || s != 0 || got.Nanosecond() != 0 {
			t.Fatalf("%q parsed to %v, not midnight in Berlin", in, got)
		}
	})
}
