package invite

import (
	"fmt"
	"time"
)

// when is a start time spelled out for one language.
type when struct {
	Date      string // "Donnerstag, 3. Dezember 2026" / "Thursday, 3 December 2026"
	StartTime string // "10:00"
	EndTime   string // "10:50"
	TimeZone  string // "Europe/Berlin"
	Full      string // date, time and zone in one line
}

// spell formats start (shown in loc) and its end after d for lang ("de" or
// "en"). Weekday and month names are spelled out here rather than taken from
// a locale library: the output must not depend on the machine's locale.
func spell(lang string, start time.Time, d time.Duration, loc *time.Location) when {
	t := start.In(loc)
	w := when{
		StartTime: t.Format("15:04"),
		EndTime:   start.Add(d).In(loc).Format("15:04"),
		TimeZone:  loc.String(),
	}
	if lang == "de" {
		day := [...]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}[t.Weekday()]
		month := [...]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
			"September", "Oktober", "November", "Dezember"}[t.Month()-1]
		w.Date = fmt.Sprintf("%s, %d. %s %d", day, t.Day(), month, t.Year())
		w.Full = fmt.Sprintf("%s, %s Uhr (%s)", w.Date, w.StartTime, w.TimeZone)
		return w
	}
	day := t.Weekday().String() // time's names are English and fixed
	month := t.Month().String()
	w.Date = fmt.Sprintf("%s, %d %s %d", day, t.Day(), month, t.Year())
	w.Full = fmt.Sprintf("%s, %s (%s)", w.Date, w.StartTime, w.TimeZone)
	return w
}
