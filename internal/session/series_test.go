package session_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/session"
)

func berlin(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// A weekly series over the end of summer time keeps 10:00 local: the UTC
// time moves by an hour between the dates either side of 25 October 2026.
func TestSeriesKeepsWallTimeAcrossDST(t *testing.T) {
	loc := berlin(t)
	first := time.Date(2026, 10, 15, 10, 0, 0, 0, loc)
	r, err := session.NewSeries(1, 4, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Dates(first, loc)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-10-15T08:00:00Z", "2026-10-22T08:00:00Z", "2026-10-29T09:00:00Z", "2026-11-05T09:00:00Z"}
	if len(got) != len(want) {
		t.Fatalf("%d dates, want %d", len(got), len(want))
	}
	for i, g := range got {
		if g.Format(time.RFC3339) != want[i] || g.In(loc).Format("15:04") != "10:00" {
			t.Errorf("date %d = %s (%s local), want %s at 10:00", i+1, g.Format(time.RFC3339), g.In(loc).Format("15:04"), want[i])
		}
	}
}

func TestSeriesUntilIsInclusiveAndFortnightly(t *testing.T) {
	loc := berlin(t)
	first := time.Date(2026, 12, 1, 18, 30, 0, 0, loc)
	until, _ := session.ParseDate("2027-01-12", loc)
	r, err := session.NewSeries(2, 0, until)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Dates(first, loc)
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, g := range got {
		days = append(days, g.In(loc).Format("2006-01-02 15:04"))
	}
	want := "[2026-12-01 18:30 2026-12-15 18:30 2026-12-29 18:30 2027-01-12 18:30]"
	if s := "[" + join(days) + "]"; s != want {
		t.Errorf("dates %s, want %s", s, want)
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

func TestSeriesRefusals(t *testing.T) {
	loc := berlin(t)
	day := func(s string) time.Time { d, _ := session.ParseDate(s, loc); return d }
	for _, c := range []struct {
		name         string
		weeks, count int
		until        time.Time
		want         error
	}{
		{"count without every", 0, 6, time.Time{}, session.ErrSeriesNoEvery},
		{"until without every", 0, 0, day("2027-01-01"), session.ErrSeriesNoEvery},
		{"every without end", 1, 0, time.Time{}, session.ErrSeriesEnd},
		{"both ends", 1, 6, day("2027-01-01"), session.ErrSeriesBoth},
	} {
		if _, err := session.NewSeries(c.weeks, c.count, c.until); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	for _, s := range []string{"", "1", "3w", "1d", "w", "weekly", "-1w"} {
		if _, err := session.ParseEvery(s); err == nil {
			t.Errorf("--every %q accepted", s)
		}
	}
	for _, s := range []string{"", "0", "1", "53", "1000", "x", "6.0", "-6"} {
		if _, err := session.ParseCount(s); err == nil {
			t.Errorf("--count %q accepted", s)
		}
	}
	if n, err := session.ParseCount("52"); err != nil || n != 52 {
		t.Errorf("--count 52: %d, %v", n, err)
	}
	first := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
	// --until before the first date, or leaving one date only.
	for _, u := range []string{"2026-11-30", "2026-12-07"} {
		r, _ := session.NewSeries(1, 0, day(u))
		if _, err := r.Dates(first, loc); err == nil {
			t.Errorf("--until %s accepted", u)
		}
	}
	// More than the maximum through --until.
	r, _ := session.NewSeries(1, 0, day("2028-12-31"))
	if _, err := r.Dates(first, loc); !errors.Is(err, session.ErrSeriesLong) {
		t.Errorf("two years weekly: err = %v, want ErrSeriesLong", err)
	}
	// 02:30 on the Sunday clocks go forward (2027-03-28) does not exist.
	r, _ = session.NewSeries(1, 4, time.Time{})
	if _, err := r.Dates(time.Date(2027, 3, 14, 2, 30, 0, 0, loc), loc); err == nil {
		t.Error("a series through a non-existent local time was accepted")
	}
	// 02:30 on the Sunday clocks go back (2026-10-25) happens twice.
	if _, err := r.Dates(time.Date(2026, 10, 11, 2, 30, 0, 0, loc), loc); err == nil {
		t.Error("a series through a doubled local time was accepted")
	}
}

// Every date of a series lies in the plan window; the error names the date.
func TestSeriesDatesInWindow(t *testing.T) {
	loc := berlin(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	w := session.Window{Earliest: now, Latest: now.AddDate(0, 3, 0)}
	r, _ := session.NewSeries(2, 8, time.Time{})
	dates, err := r.Dates(time.Date(2026, 12, 2, 10, 0, 0, 0, loc), loc)
	if err != nil {
		t.Fatal(err)
	}
	err = w.CheckDates(dates, time.Hour)
	var de *session.DateError
	if !errors.As(err, &de) || de.N != 8 || !errors.Is(err, session.ErrStartTooFarAway) {
		t.Fatalf("err = %v, want date 8 beyond the horizon", err)
	}
	if err := w.CheckDates(dates[:6], time.Hour); err != nil {
		t.Errorf("six dates inside the window: %v", err)
	}
}

// FuzzSeriesDates: whatever the rule and start, the dates keep the first
// date's wall time and weekday, rise strictly, and never exceed the maximum.
func FuzzSeriesDates(f *testing.F) {
	f.Add(int64(1795000000), 1, 6, int64(0))
	f.Add(int64(1792800000), 2, 0, int64(40))
	f.Add(int64(1805000000), 1, 52, int64(0))
	loc := berlin(f)
	f.Fuzz(func(t *testing.T, start int64, weeks, count int, untilDays int64) {
		if start < 0 || start > 1<<34 || untilDays < 0 || untilDays > 1000 {
			return
		}
		first := time.Unix(start, 0).In(loc).Truncate(time.Minute)
		var until time.Time
		if untilDays > 0 {
			until = first.AddDate(0, 0, int(untilDays))
			count = 0
		}
		r, err := session.NewSeries(weeks%3, count%60, until)
		if err != nil {
			return
		}
		dates, err := r.Dates(first, loc)
		if err != nil {
			return
		}
		if len(dates) > session.MaxSeriesCount {
			t.Fatalf("%d dates", len(dates))
		}
		for i, d := range dates {
			l := d.In(loc)
			if l.Format("15:04 Mon") != first.In(loc).Format("15:04 Mon") {
				t.Fatalf("date %d at %s, first at %s", i+1, l, first)
			}
			if i > 0 && !d.After(dates[i-1]) {
				t.Fatalf("date %d not after date %d", i+1, i)
			}
		}
	})
}

// FuzzSeriesFlags: whatever is typed for --every and --count, a value is
// either refused or one the series accepts (1 or 2 weeks, 2 to 52 dates).
func FuzzSeriesFlags(f *testing.F) {
	for _, s := range []string{"1w", "2W", " 2w ", "3w", "6", "52", "53", "-1", "+6", "0x10", "", "w1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if w, err := session.ParseEvery(in); err == nil && w != 1 && w != 2 {
			t.Fatalf("--every %q gave %d weeks", in, w)
		}
		if n, err := session.ParseCount(in); err == nil && (n < 2 || n > session.MaxSeriesCount) {
			t.Fatalf("--count %q gave %d", in, n)
		}
	})
}

func TestShiftDates(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Weekly on Thursdays at 10:00 across the end of summer time, moved by one date to Friday 16:30.
	dates := []time.Time{at("2026-10-15 10:00"), at("2026-10-22 10:00"), at("2026-10-29 10:00")}
	got, err := session.ShiftDates(dates, dates[0], at("2026-10-16 16:30"), berlin)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{at("2026-10-16 16:30"), at("2026-10-23 16:30"), at("2026-10-30 16:30")}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("date %d: got %s, want %s", i+1, got[i].In(berlin), want[i])
		}
	}
	// Moved to 02:30: on the Sunday the clocks go back that time happens twice.
	sundays := []time.Time{at("2026-10-18 10:00"), at("2026-10-25 10:00")}
	if _, err := session.ShiftDates(sundays, sundays[0], at("2026-10-18 02:30"), berlin); err == nil || !strings.Contains(err.Error(), "date 2 of the series") {
		t.Errorf("a doubled hour on date 2: got %v", err)
	}
	// And 02:30 on the Sunday the clocks go forward does not exist.
	march := []time.Time{at("2027-03-21 10:00"), at("2027-03-28 10:00")}
	if _, err := session.ShiftDates(march, march[0], at("2027-03-21 02:30"), berlin); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("a missing hour on date 2: got %v", err)
	}
}
