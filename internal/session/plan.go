package session

import (
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/expeerienced/counsel/internal/provider"
)

// Request is what a counsellor asks 'session new' for, as typed: one client
// or a group, one date or a series. Defaults (time zone, language, place)
// are filled in by the caller from the configuration.
type Request struct {
	// Clients are the names or pseudonyms in the order typed (person IDs
	// already resolved to names); more than one is a group.
	Clients    []string
	ProviderID string
	// MeetingID is a Blizz meeting ID; URL a Jitsi meeting address (empty:
	// a fresh room), kept with AllowWeakRoom even when guessable.
	MeetingID, URL string
	AllowWeakRoom  bool
	// At and Duration as typed; At is read in Timezone (an IANA name).
	At, Duration, Timezone string
	Lang, Place            string
	// Every, Count and Until make a series (all empty: one date).
	Every, Count, Until string
	// AllowPast accepts a start in the past back to the retention cut-off;
	// HorizonYears is how far ahead a start may lie.
	AllowPast                   bool
	HorizonYears, RetentionDays int
}

// group reports whether the request takes the group-or-series path, whose
// messages number the clients.
func (r Request) group() bool {
	return len(r.Clients) > 1 || r.Every != "" || r.Count != "" || r.Until != ""
}

// Planned is a request after every check passed: nothing is stored yet.
type Planned struct {
	// Sessions are the dates, first first, each with its own ID; every one
	// names the first client (the store records the others from Clients).
	Sessions []Session
	SeriesID string   // set when there are several dates
	Clients  []string // normalised, in the order typed
	Provider provider.Provider
	Meeting  provider.BlizzID // Blizz only
	Location *time.Location
	Lang     string
	WeakRoom bool // a guessable URL kept with AllowWeakRoom
	// LookAlike holds, per client, the look-alike scripts the name mixes
	// (nil when it does not); Warnings the provider's and the room's.
	LookAlike [][]string
	Warnings  []string
}

// Dates are the starts of the planned sessions (UTC).
func (p Planned) Dates() []time.Time {
	out := make([]time.Time, len(p.Sessions))
	for i, s := range p.Sessions {
		out[i] = s.Start
	}
	return out
}

// Field names the input of a Request an InputError refuses.
type Field int

const (
	FieldClient Field = iota + 1
	FieldProvider
	FieldTimezone
	FieldAt
	FieldDuration
	FieldLang
	FieldPlace
	FieldMeetingID
	FieldURL
	FieldEvery
	FieldCount
	FieldUntil
)

// InputError is a refused input: Field says which, Err what is wrong with it
// (never quoting a name, address or link).
type InputError struct {
	Field Field
	Err   error
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputError(f Field, err error) error { return &InputError{Field: f, Err: err} }

// Errors of Plan beyond the parsers' own; they name no client.
var (
	ErrUnknownProvider   = errors.New("not a vetted provider id")
	ErrMeetingIDRequired = errors.New("a Blizz meeting ID is required")
)

// ProviderError is a vetted provider that cannot be used now (retired, or
// its vetting expired).
type ProviderError struct {
	ID  string
	Err error
}

func (e *ProviderError) Error() string { return fmt.Sprintf("provider %s: %v", e.ID, e.Err) }
func (e *ProviderError) Unwrap() error { return e.Err }

// PlanWindow is the range of starts a new session may have: from now (or,
// with allowPast, from the retention cut-off: an older session would be
// purged by the next write) to horizonYears ahead.
func PlanWindow(now time.Time, horizonYears, retentionDays int, allowPast bool) Window {
	w := Window{Earliest: now, Latest: now.AddDate(horizonYears, 0, 0), PastAllowed: allowPast}
	if allowPast {
		w.Earliest = RetentionCutoff(now, retentionDays)
	}
	return w
}

// RetentionCutoff is the end of retention for session records: a session
// that ended before it has been kept for days full days after it and is due
// for deletion.
func RetentionCutoff(now time.Time, days int) time.Time {
	return now.UTC().AddDate(0, 0, -days)
}

// Plan checks every input of a request and plans its sessions: the client
// names, the provider (usable at now), the start and length inside the plan
// window, the place, the meeting (a Blizz ID, or a Jitsi room: a fresh
// unguessable one, or the given URL on the provider's host, guessable only
// when allowed and never naming a client) and the series' dates. The first
// refused input ends the check, in the order of the flags' importance. It
// stores nothing.
func Plan(req Request, reg *provider.Registry, now time.Time) (Planned, error) {
	var p Planned
	group := req.group()
	seen := make(map[string]int)
	for i, c := range req.Clients {
		name, err := NormaliseName(c)
		if err != nil {
			if group {
				return Planned{}, inputError(FieldClient, fmt.Errorf("client %d: the name or pseudonym %w", i+1, err))
			}
			return Planned{}, inputError(FieldClient, fmt.Errorf("the name or pseudonym %w", err))
		}
		if j, ok := seen[NameKey(name)]; ok {
			return Planned{}, inputError(FieldClient, fmt.Errorf("clients %d and %d are the same person (names compare ignoring case and invisible characters)", j+1, i+1))
		}
		seen[NameKey(name)] = i
		p.Clients = append(p.Clients, name)
		p.LookAlike = append(p.LookAlike, MixedScripts(name))
	}
	if len(p.Clients) == 0 {
		return Planned{}, inputError(FieldClient, ErrNameEmpty)
	}

	prov, ok := reg.Get(req.ProviderID)
	if !ok {
		return Planned{}, inputError(FieldProvider, ErrUnknownProvider)
	}
	warnings, err := prov.Usable(now)
	if err != nil {
		return Planned{}, inputError(FieldProvider, &ProviderError{ID: prov.ID, Err: err})
	}
	p.Provider, p.Warnings = prov, warnings

	if p.Location, err = time.LoadLocation(req.Timezone); err != nil || req.Timezone == "" {
		return Planned{}, inputError(FieldTimezone, fmt.Errorf("unknown time zone %q (want an IANA name such as Europe/Berlin)", req.Timezone))
	}
	start, err := ParseStart(req.At, p.Location, now)
	if err != nil {
		return Planned{}, inputError(FieldAt, err)
	}
	dur, err := ParseDuration(req.Duration)
	if err != nil {
		return Planned{}, inputError(FieldDuration, err)
	}
	window := PlanWindow(now, req.HorizonYears, req.RetentionDays, req.AllowPast)
	if err := window.CheckStart(start, dur); err != nil {
		return Planned{}, inputError(FieldAt, err)
	}
	if req.Lang != "de" && req.Lang != "en" {
		return Planned{}, inputError(FieldLang, errors.New("want de or en"))
	}
	p.Lang = req.Lang
	if err := CheckPlace(req.Place); err != nil {
		return Planned{}, inputError(FieldPlace, err)
	}

	s := Session{ClientName: p.Clients[0], ProviderID: prov.ID, Kind: string(prov.Kind),
		Place: req.Place, Start: start.UTC(), Timezone: p.Location.String(), Duration: dur}
	if err := p.meeting(&s, req, reg); err != nil {
		return Planned{}, err
	}

	dates, err := seriesDates(req, start, p.Location, dur, window)
	if err != nil {
		return Planned{}, err
	}
	for _, d := range dates {
		x := s
		x.Start = d
		if x.ID, err = NewID(); err != nil {
			return Planned{}, err
		}
		p.Sessions = append(p.Sessions, x)
	}
	if len(dates) > 1 {
		if p.SeriesID, err = NewID(); err != nil {
			return Planned{}, err
		}
	}
	return p, nil
}

// meeting sets s's meeting: a Blizz meeting ID, or a Jitsi room.
func (p *Planned) meeting(s *Session, req Request, reg *provider.Registry) error {
	switch p.Provider.Kind {
	case provider.KindBlizz:
		if req.URL != "" {
			return inputError(FieldURL, errors.New("a Blizz meeting is given with --meeting-id"))
		}
		if req.MeetingID == "" {
			return inputError(FieldMeetingID, ErrMeetingIDRequired)
		}
		id, err := provider.ParseBlizzID(req.MeetingID)
		if err != nil {
			return inputError(FieldMeetingID, err)
		}
		if s.JoinURL, err = p.Provider.BlizzJoinURL(id); err != nil {
			return err
		}
		p.Meeting, s.MeetingID = id, id.String()
	case provider.KindJitsi:
		if req.MeetingID != "" {
			return inputError(FieldMeetingID, errors.New("only Blizz uses meeting IDs; Jitsi uses --url or a fresh room"))
		}
		room, err := p.room(req, reg)
		if err != nil {
			return err
		}
		if s.JoinURL, err = p.Provider.JitsiJoinURL(room); err != nil {
			return err
		}
	}
	return nil
}

// room is the Jitsi room: the given URL's, checked, or a fresh one.
func (p *Planned) room(req Request, reg *provider.Registry) (string, error) {
	if req.URL == "" {
		return provider.NewRoom(rand.Reader)
	}
	jr, err := reg.CheckJitsiURL(req.URL, req.AllowWeakRoom)
	if err != nil {
		return "", inputError(FieldURL, err)
	}
	if jr.Provider.ID != p.Provider.ID {
		return "", inputError(FieldURL, fmt.Errorf("the address is on provider %s, not %s", jr.Provider.ID, p.Provider.ID))
	}
	for _, name := range p.Clients {
		if RevealsName(jr.Room, name) {
			return "", inputError(FieldURL, errors.New("the room name contains part of the client's name; leave out --url for a fresh room"))
		}
	}
	p.WeakRoom = jr.Weak
	p.Warnings = append(p.Warnings, jr.Warnings...)
	return jr.Room, nil
}

// seriesDates expands Every, Count and Until from the first start, every
// date inside the plan window; without them the first start alone.
func seriesDates(req Request, start time.Time, loc *time.Location, dur time.Duration, window Window) ([]time.Time, error) {
	var weeks, count int
	var until time.Time
	var err error
	if req.Every != "" {
		if weeks, err = ParseEvery(req.Every); err != nil {
			return nil, inputError(FieldEvery, err)
		}
	}
	if req.Count != "" {
		if count, err = ParseCount(req.Count); err != nil {
			return nil, inputError(FieldCount, err)
		}
	}
	if req.Until != "" {
		if until, err = ParseDate(req.Until, loc); err != nil {
			return nil, inputError(FieldUntil, err)
		}
	}
	rule, err := NewSeries(weeks, count, until)
	if err != nil {
		return nil, inputError(FieldEvery, err)
	}
	dates, err := rule.Dates(start.UTC(), loc)
	if err != nil {
		return nil, inputError(FieldEvery, err)
	}
	if err := window.CheckDates(dates, dur); err != nil {
		var de *DateError
		if errors.As(err, &de) {
			return nil, inputError(FieldEvery, err)
		}
		return nil, inputError(FieldAt, err)
	}
	return dates, nil
}

// MoveRequest is what a counsellor asks 'session move' for, as typed.
type MoveRequest struct {
	At       string // the new start of the session moved
	Duration string // the new length; empty: unchanged
	// Timezone is the zone At is read in; empty: Location, the session's.
	Timezone     string
	Location     *time.Location
	HorizonYears int
}

// Moved is a move after every check passed: nothing is stored yet.
type Moved struct {
	Starts   []time.Time // the new start of each date moved, in order (UTC)
	Duration time.Duration
	Location *time.Location
	Warnings []string // the provider's
}

// PlanMove checks a move of s to a new start, as Plan checks a new session: the provider
// (usable at now), the start and length inside the plan window (a move never goes into the
// past), and that something changes. series, when not nil, are the dates of s's series that
// move with it, s first: each is shifted by the same number of days to the new time of day.
// Refusals are InputErrors naming the field.
func PlanMove(req MoveRequest, s Session, series []Session, prov provider.Provider, now time.Time) (Moved, error) {
	var m Moved
	warnings, err := prov.Usable(now)
	if err != nil {
		return Moved{}, inputError(FieldProvider, &ProviderError{ID: prov.ID, Err: err})
	}
	m.Warnings, m.Location = warnings, req.Location
	if req.Timezone != "" {
		if m.Location, err = time.LoadLocation(req.Timezone); err != nil {
			return Moved{}, inputError(FieldTimezone, fmt.Errorf("unknown time zone %q (want an IANA name such as Europe/Berlin)", req.Timezone))
		}
	}
	start, err := ParseStart(req.At, m.Location, now)
	if err != nil {
		return Moved{}, inputError(FieldAt, err)
	}
	m.Duration = s.Duration
	if req.Duration != "" {
		if m.Duration, err = ParseDuration(req.Duration); err != nil {
			return Moved{}, inputError(FieldDuration, err)
		}
	}
	if series == nil {
		m.Starts = []time.Time{start.UTC()}
	} else {
		olds := make([]time.Time, len(series))
		for i, x := range series {
			olds[i] = x.Start
		}
		if m.Starts, err = ShiftDates(olds, s.Start, start, m.Location); err != nil {
			return Moved{}, inputError(FieldAt, err)
		}
	}
	if err := PlanWindow(now, req.HorizonYears, 0, false).CheckDates(m.Starts, m.Duration); err != nil {
		return Moved{}, inputError(FieldAt, err)
	}
	if start.Equal(s.Start) && m.Duration == s.Duration {
		return Moved{}, inputError(FieldAt, errors.New("the session already starts then, with this length"))
	}
	return m, nil
}
