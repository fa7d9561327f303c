package session_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/expeerienced/counsel/internal/session"
)

func TestNormaliseName(t *testing.T) {
	tests := []struct {
		name, in, want string
		err            error
	}{
		{"OK", "Client-A", "Client-A", nil},
		{"Tab", "Muster\tPerson", "", session.ErrNameControl},
		{"Spaces", "  Client   Zeta ", "Client Zeta", nil},
		{"NFC", "Jose\u0301", "Jos\u00e9", nil},
		{"Empty", "   ", "", session.ErrNameEmpty},
		{"LineFeed", "A\nBcc: x", "", session.ErrNameControl},
		{"CarriageReturn", "A\rB", "", session.ErrNameControl},
		{"LineSeparator", "A\u2028B", "", session.ErrNameControl},
		{"InvalidUTF8", "A\xffB", "", session.ErrNameUTF8},
		{"TooLong", strings.Repeat("x", session.MaxNameLen+1), "", session.ErrNameLong},
		{"LongestOK", strings.Repeat("ä", session.MaxNameLen), strings.Repeat("ä", session.MaxNameLen), nil},
		{"OnlyZeroWidth", "\u200b\u200b", "", session.ErrNameEmpty},
		{"OnlyBOM", "\ufeff", "", session.ErrNameEmpty},
		{"OnlyInvisibleMix", " \u00ad\u200d\u2060\ufe0f ", "", session.ErrNameEmpty},
		{"RightToLeftOverride", "Client\u202eA-", "", session.ErrNameBidi},
		{"Isolate", "\u2067Client-A\u2069", "", session.ErrNameBidi},
		{"RightToLeftMark", "Client-A\u200f", "", session.ErrNameBidi},
		{"ZeroWidthKept", "Client\u200b-A", "Client\u200b-A", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := session.NormaliseName(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), tt.in) && tt.in != "" {
				t.Fatalf("error %q repeats the name", err)
			}
		})
	}
}

func TestParseStart(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	now := time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC) // already 3 December in Berlin
	for _, in := range []string{"today 10:00", "Heute 10:00", "2026-12-03 10:00", "2026-12-03T10:00", "2026-12-03 10:00:00", "03.12.2026 10:00", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00+01:00"} {
		got, err := session.ParseStart(in, berlin, now)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if !got.Equal(want) {
			t.Errorf("%q: got %v, want %v", in, got.UTC(), want)
		}
	}
	for _, in := range []string{"", "tomorrow", "2026-12-03", "2026-13-03 10:00", "10:00", "yesterday 10:00", "tomorrow 25:00"} {
		if _, err := session.ParseStart(in, berlin, now); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
	for _, in := range []string{"tomorrow 10:00", "morgen 10:00"} {
		got, err := session.ParseStart(in, berlin, now)
		if err != nil || !got.Equal(want.AddDate(0, 0, 1)) {
			t.Errorf("%q: got %v, %v; want 4 December", in, got, err)
		}
	}
	// 2027-03-28 02:30 does not exist in Berlin (clocks go forward).
	if _, err := session.ParseStart("2027-03-28 02:30", berlin, now); err == nil {
		t.Error("a non-existent local time was accepted")
	}
}

func TestParseDuration(t *testing.T) {
	ok := map[string]time.Duration{"50m": 50 * time.Minute, "1h": time.Hour, "1h30m": 90 * time.Minute, "45": 45 * time.Minute, "5m": 5 * time.Minute, "8h": 8 * time.Hour}
	for in, want := range ok {
		got, err := session.ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("%q: got %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2d", "4m", "9h", "-50m", "50s", "1h0m30s", "abc"} {
		if _, err := session.ParseDuration(in); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
	// The bounds as a counsellor types them, not as Go prints durations ("5m0s").
	for _, in := range []string{"4m", "9h", "8h1m"} {
		if _, err := session.ParseDuration(in); err == nil || err.Error() != "want between 5m and 8h" {
			t.Errorf("%q: %v, want \"want between 5m and 8h\"", in, err)
		}
	}
}

func TestShortIDIsRandomTail(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id, err := session.NewID()
		if err != nil {
			t.Fatal(err)
		}
		s := session.ShortID(id)
		if len(s) != session.ShortIDLen || !strings.HasSuffix(id, s) {
			t.Fatalf("ShortID(%q) = %q", id, s)
		}
		if seen[s] {
			t.Fatalf("short ID %q repeated within 1000 IDs", s)
		}
		seen[s] = true
	}
}

func TestNewIDIsTimeOrdered(t *testing.T) {
	prev := ""
	for i := 0; i < 100; i++ {
		id, err := session.NewID()
		if err != nil {
			t.Fatal(err)
		}
		if id <= prev {
			t.Fatalf("IDs not ordered: %q after %q", id, prev)
		}
		prev = id
	}
}

func FuzzNormaliseName(f *testing.F) {
	for _, s := range []string{"Client-A", "  a  b ", "A\nB", "\xff", "Jose\u0301", strings.Repeat("x", 101)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := session.NormaliseName(in)
		if err != nil {
			return
		}
		if got == "" || !utf8.ValidString(got) || utf8.RuneCountInString(got) > session.MaxNameLen {
			t.Fatalf("accepted %q as %q", in, got)
		}
		if strings.ContainsAny(got, "\r\n\t") || strings.TrimSpace(got) != got {
			t.Fatalf("normalised %q keeps control or edge space", got)
		}
		again, err := session.NormaliseName(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q (%v)", got, again, err)
		}
	})
}

func FuzzParseStart(f *testing.F) {
	for _, s := range []string{"2026-12-03 10:00", "03.12.2026 10:00", "2026-12-03T09:00:00Z", "2027-03-28 02:30", "tomorrow 10:00", "x", "2026-10-25 02:30", "2026-10-25 02:30 +01:00", "25.10.2026 02:30 -0100"} {
		f.Add(s)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := session.ParseStart(in, berlin, time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
		if err == nil && got.IsZero() {
			t.Fatalf("%q parsed to the zero time", in)
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"50m", "1h30m", "45", "2d", "-1h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := session.ParseDuration(in)
		if err == nil && (d < session.MinDuration || d > session.MaxDuration || d%time.Minute != 0) {
			t.Fatalf("%q accepted as %v", in, d)
		}
	})
}

func TestRevealsName(t *testing.T) {
	tests := []struct {
		room, name string
		want       bool
	}{
		{"testperson-eins-k3j4h5g6f7d8s9a0q1w2", "Testperson Eins", true},
		{"q7c2m9x4k1z8r5t3w6y0", "Testperson Eins", false},
		{"xyzclientxyz", "Client-M.", true},
		{"q7c2m9x4k1z8r5t3w6y0", "Al Bo", false}, // words under three letters are too common to judge
		{"kürbisraum", "Kürbis", true},
	}
	for _, tt := range tests {
		if got := session.RevealsName(tt.room, tt.name); got != tt.want {
			t.Errorf("RevealsName(%q, %q) = %v, want %v", tt.room, tt.name, got, tt.want)
		}
	}
}

func TestCheckPlace(t *testing.T) {
	for _, ok := range []string{"Videoberatung", "Beratungsstelle Nord, Raum 2"} {
		if err := session.CheckPlace(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "  ", "A\nB", "A\u2028B", "A\xffB", strings.Repeat("x", session.MaxPlaceLen+1)} {
		if err := session.CheckPlace(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseStartDoubledHour(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = session.ParseStart("2026-10-25 02:30", berlin, now)
	if err == nil || !strings.Contains(err.Error(), `"2026-10-25 02:30 +02:00" (CEST)`) || !strings.Contains(err.Error(), `"2026-10-25 02:30 +01:00" (CET)`) {
		t.Fatalf("doubled hour: %v, want both offsets named", err)
	}
	for in, want := range map[string]time.Time{
		"2026-10-25 02:30 +02:00": time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC),
		"2026-10-25 02:30 +01:00": time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC),
		"25.10.2026 02:30 +0100":  time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC),
		"2026-10-25 01:59":        time.Date(2026, 10, 24, 23, 59, 0, 0, time.UTC), // before the doubled hour
		"2026-10-25 03:00":        time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC),   // after it
	} {
		got, err := session.ParseStart(in, berlin, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: got %v, %v; want %v", in, got, err, want)
		}
	}
	// New York's doubled hour too; zones without changes never are.
	ny, _ := time.LoadLocation("America/New_York")
	if _, err := session.ParseStart("2026-11-01 01:30", ny, now); err == nil {
		t.Error("New York's doubled hour accepted")
	}
	if _, err := session.ParseStart("2026-10-25 02:30", time.UTC, now); err != nil {
		t.Errorf("UTC: %v", err)
	}
}

func TestWindow(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	future := session.Window{Earliest: now, Latest: now.AddDate(2, 0, 0)}
	past := session.Window{Earliest: now.AddDate(0, 0, -90), Latest: now.AddDate(2, 0, 0), PastAllowed: true}
	d := 50 * time.Minute
	for _, tt := range []struct {
		w     session.Window
		start time.Time
		want  error
	}{
		{future, now, nil},
		{future, now.Add(-time.Minute), session.ErrStartPast},
		{future, now.AddDate(2, 0, 0), nil},
		{future, now.AddDate(2, 0, 0).Add(time.Minute), session.ErrStartTooFarAway},
		{future, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), session.ErrStartTooFarAway},
		{past, now.AddDate(0, 0, -90), nil}, // ends 50 minutes after the cut-off
		{past, now.AddDate(0, 0, -90).Add(-d), session.ErrStartRetention},
		{past, now.AddDate(2, 0, 1), session.ErrStartTooFarAway},
	} {
		if got := tt.w.CheckStart(tt.start, d); !errors.Is(got, tt.want) && got != tt.want {
			t.Errorf("CheckStart(%v) = %v, want %v", tt.start, got, tt.want)
		}
	}
}
