package session

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxSeriesCount is the most dates one series may have: a weekly group for a
// year. A typo such as --count 600 is refused rather than filling the agenda.
const MaxSeriesCount = 52

// Series is the rule of a series of sessions: every Weeks weeks at the same
// local wall time, either Count dates or until the day Until (inclusive, in
// the series' time zone). The zero Series is a single session.
type Series struct {
	Weeks int
	Count int
	Until time.Time // a day (midnight in the zone); zero unless --until
}

// IsZero reports whether there is no series rule: one session.
func (r Series) IsZero() bool { return r.Weeks == 0 && r.Count == 0 && r.Until.IsZero() }

// Errors of a series rule; they name no client.
var (
	ErrEvery         = errors.New(`want "1w" (weekly) or "2w" (every two weeks)`)
	ErrSeriesEnd     = errors.New("a series needs --count or --until")
	ErrSeriesBoth    = errors.New("give --count or --until, not both")
	ErrSeriesNoEvery = errors.New("--count and --until need --every")
	ErrSeriesCount   = fmt.Errorf("want a number of dates from 2 to %d", MaxSeriesCount)
	ErrSeriesUntil   = errors.New("the last date is before the first session")
	ErrSeriesLong    = fmt.Errorf("the series would have more than %d dates", MaxSeriesCount)
)

// ParseEvery reads the interval of --every: "1w" or "2w" (weeks).
func ParseEvery(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "1w":
		return 1, nil
	case "2w":
		return 2, nil
	}
	return 0, ErrEvery
}

// ParseCount reads --count.
func ParseCount(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 2 || n > MaxSeriesCount {
		return 0, ErrSeriesCount
	}
	return n, nil
}

// NewSeries checks the combination of --every, --count and --until (each
// already parsed; 0 or zero time when not given).
func NewSeries(weeks, count int, until time.Time) (Series, error) {
	r := Series{Weeks: weeks, Count: count, Until: until}
	switch {
	case r.IsZero():
		return r, nil
	case weeks == 0:
		return Series{}, ErrSeriesNoEvery
	case count != 0 && !until.IsZero():
		return Series{}, ErrSeriesBoth
	case count == 0 && until.IsZero():
		return Series{}, ErrSeriesEnd
	}
	return r, nil
}

// Dates expands the rule from the first start: every date keeps the local
// wall time of first in loc (10:00 stays 10:00 when the clocks change
// between dates, so the UTC time moves). A date whose wall time does not
// exist or happens twice in loc (a series at 02:30 over a clock change) is
// refused rather than guessed. The zero rule gives first alone.
func (r Series) Dates(first time.Time, loc *time.Location) ([]time.Time, error) {
	if r.IsZero() {
		return []time.Time{first}, nil
	}
	if r.Weeks < 1 {
		return nil, ErrEvery
	}
	local := first.In(loc)
	var out []time.Time
	for i := 0; ; i++ {
		t := local.AddDate(0, 0, 7*r.Weeks*i)
		if r.Count > 0 && i == r.Count {
			break
		}
		if !r.Until.IsZero() && !dayOf(t, loc).Before(dayOf(r.Until, loc).AddDate(0, 0, 1)) {
			break
		}
		if len(out) == MaxSeriesCount {
			return nil, ErrSeriesLong
		}
		// AddDate normalises a wall time that does not exist; and a time of
		// the doubled hour has two meanings.
		if t.Hour() != local.Hour() || t.Minute() != local.Minute() {
			return nil, fmt.Errorf("date %d of the series (%s): that time does not exist in the time zone (clocks change)", i+1, t.Format("2006-01-02"))
		}
		if len(meanings(t, loc)) > 1 {
			return nil, fmt.Errorf("date %d of the series (%s): that time happens twice in the time zone (clocks go back); choose another time", i+1, t.Format("2006-01-02"))
		}
		out = append(out, t.UTC())
	}
	if len(out) == 0 {
		return nil, ErrSeriesUntil
	}
	if len(out) == 1 && r.Count == 0 {
		return nil, fmt.Errorf("%w: --until leaves only one date", ErrSeriesCount)
	}
	return out, nil
}

// dayOf is midnight of t's day in loc.
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// CheckDates checks every date of a series against the plan window: the
// first date as CheckStart does, and every later one against the horizon.
// The error says which date.
func (w Window) CheckDates(dates []time.Time, d time.Duration) error {
	for i, t := range dates {
		if err := w.CheckStart(t, d); err != nil {
			if len(dates) == 1 {
				return err
			}
			return &DateError{N: i + 1, Err: err}
		}
	}
	return nil
}

// DateError says which date of a series is refused.
type DateError struct {
	N   int
	Err error
}

func (e *DateError) Error() string { return fmt.Sprintf("date %d of the series: %v", e.N, e.Err) }
func (e *DateError) Unwrap() error { return e.Err }

// ShiftDates moves the dates of a series as one of them moves from from to to: each date by
// the same number of calendar days in loc, to to's wall-clock time (a series at 10:00 moved to
// Tuesday 16:00 is at 16:00 on every later date, across clock changes). A date whose new wall
// time does not exist or happens twice in loc is refused, naming the date.
func ShiftDates(dates []time.Time, from, to time.Time, loc *time.Location) ([]time.Time, error) {
	days := int(dayOf(to, loc).Sub(dayOf(from, loc)).Round(24*time.Hour) / (24 * time.Hour))
	clock := to.In(loc)
	out := make([]time.Time, len(dates))
	for i, d := range dates {
		y, m, day := d.In(loc).Date()
		t := time.Date(y, m, day+days, clock.Hour(), clock.Minute(), 0, 0, loc)
		if t.Hour() != clock.Hour() || t.Minute() != clock.Minute() {
			return nil, fmt.Errorf("date %d of the series (%s): that time does not exist in the time zone (clocks change)", i+1, t.Format("2006-01-02"))
		}
		if len(meanings(t, loc)) > 1 {
			return nil, fmt.Errorf("date %d of the series (%s): that time happens twice in the time zone (clocks go back); choose another time", i+1, t.Format("2006-01-02"))
		}
		out[i] = t.UTC()
	}
	return out, nil
}
