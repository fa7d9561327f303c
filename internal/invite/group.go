package invite

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// MaxDates bounds the dates one invitation lists (a series of a year is 52).
const MaxDates = 60

// checkGroup checks the group and series fields of d.
func checkGroup(d Data) error {
	if d.Participants < 0 {
		return errors.New("invite: Participants is negative")
	}
	if len(d.Dates) == 0 {
		return nil
	}
	if len(d.Dates) > MaxDates {
		return fmt.Errorf("invite: more than %d Dates", MaxDates)
	}
	if !d.Dates[0].Equal(d.Start) {
		return errors.New("invite: Dates must start with Start")
	}
	for i := 1; i < len(d.Dates); i++ {
		if !d.Dates[i].After(d.Dates[i-1]) {
			return errors.New("invite: Dates must rise strictly")
		}
	}
	return nil
}

// IsGroup reports whether the session has more than one client: with the
// counsellor, three people or more in the call.
func (d Data) IsGroup() bool { return d.Participants > 1 }

// SeriesICS returns one calendar holding one event per date of d.Dates (or
// d.Start alone when there are none), uids[i] being the UID of date i.
//
// One VEVENT per date, not one VEVENT with an RRULE: an RRULE repeats
// DTSTART, and with DTSTART in UTC a weekly 10:00 in Berlin turns into 09:00
// after the clocks go back (ical.js expands it so); with a TZID the rule
// needs a VTIMEZONE block that readers interpret each in their own way
// (without it ical.js reads the times as floating). Every date of a series
// is also its own session here, cancelled, moved and purged on its own; a
// calendar replaces or removes exactly that event by its UID. The file
// never names a client, like ICS.
func SeriesICS(d Data, uids []string, now time.Time) ([]byte, error) {
	events := make([]Event, len(uids))
	for i, u := range uids {
		events[i] = Event{UID: u}
	}
	return SeriesCalendar(d, events, now)
}

// SeriesCalendar is SeriesICS with one Event per date: a changed series (a
// new room after a withdrawal) goes out under the same UIDs with higher
// SEQUENCE numbers, so calendars replace the events they have.
func SeriesCalendar(d Data, events []Event, now time.Time) ([]byte, error) {
	if err := checkGroup(d); err != nil {
		return nil, err
	}
	dates := d.Dates
	if len(dates) == 0 {
		dates = []time.Time{d.Start}
	}
	if len(events) != len(dates) {
		return nil, errors.New("invite: one uid per date is needed")
	}
	var head, tail []byte
	var body bytes.Buffer
	for i, start := range dates {
		one := d
		one.Start, one.Dates = start, nil
		cal, err := Calendar(one, events[i], now)
		if err != nil {
			return nil, err
		}
		// ICS writes exactly one VEVENT; its lines are taken as they are
		// (already folded and escaped), the calendar's frame once.
		b := bytes.Index(cal, []byte("\r\nBEGIN:VEVENT\r\n"))
		e := bytes.LastIndex(cal, []byte("\r\nEND:VEVENT\r\n"))
		if b < 0 || e < b {
			return nil, errors.New("invite: calendar without an event")
		}
		if i == 0 {
			head, tail = cal[:b+2], cal[e+len("\r\nEND:VEVENT\r\n"):]
		}
		body.Write(cal[b+2 : e+len("\r\nEND:VEVENT\r\n")])
	}
	out := append([]byte{}, head...)
	out = append(out, body.Bytes()...)
	return append(out, tail...), nil
}
