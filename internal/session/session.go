// Package session holds the planned video consultation, the rules for what a
// counsellor may type when creating one, and the planning itself (Plan: the
// provider's meeting or room, the plan window, a series' dates). It knows no
// SQL and no CLI.
package session

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Status of a session.
type Status string

const (
	Scheduled Status = "scheduled"
	Cancelled Status = "cancelled"
)

// Session is the minimal record of one consultation: what the consent form
// says is stored, and nothing more.
type Session struct {
	ID         string
	PersonID   string // the person's ID; ShortID of it names them without their name
	ClientName string // name or pseudonym; empty once the person withdrew consent
	ProviderID string
	Kind       string // jitsi or blizz
	MeetingID  string // Blizz meeting ID, canonical form; empty for Jitsi
	JoinURL    string
	Place      string
	Start      time.Time // UTC
	Timezone   string    // IANA zone the session was planned in
	Duration   time.Duration
	Status     Status
	CreatedAt  time.Time
	// CancelledAt is zero unless Status is Cancelled.
	CancelledAt time.Time

	// Sequence counts the changes of the calendar event the client was
	// sent (0: the invitation; each move and the cancellation add one).
	Sequence int
	// InviteVersion is the invite template version of the last invitation.
	InviteVersion string
	// Lang, NoticeVersion: the language and consent template version of the
	// last notice sent for this session (from its consent events).
	Lang, NoticeVersion, NoticeHash string
	// Consent is the person's consent state: ConsentPending, ConsentGiven
	// or ConsentWithdrawn.
	Consent string
	// SeriesID is shared by every date of a series; empty for a single session.
	SeriesID string
	// Participants is the number of clients taking part (PersonID and
	// ClientName are set only when it is one); Agreed how many of them have
	// given consent.
	Participants int
	Agreed       int
}

// IsGroup reports whether several clients take part.
func (s Session) IsGroup() bool { return s.Participants > 1 }

// Consent states of a session's person.
const (
	ConsentPending   = "pending"   // notice sent, no agreement recorded yet
	ConsentGiven     = "given"     // agreement recorded (consent confirm)
	ConsentWithdrawn = "withdrawn" // withdrawn, name erased
)

// End is when the session is planned to end.
func (s Session) End() time.Time { return s.Start.Add(s.Duration) }

// Erased reports whether the person's name was erased after a withdrawal
// (a session of one client; a group session names nobody).
func (s Session) Erased() bool { return s.ClientName == "" && !s.IsGroup() }

// NewID returns a time-ordered ID (UUIDv7), so new rows append to the end of
// the table's index.
func NewID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return id.String(), nil
}

// ShortIDLen is how many characters of an ID are shown.
const ShortIDLen = 8

// ShortID is the form shown to people: the last characters of the ID, which
// are random (the first ones encode the time and repeat between sessions).
func ShortID(id string) string {
	if len(id) <= ShortIDLen {
		return id
	}
	return id[len(id)-ShortIDLen:]
}

// MaxPlaceLen is the longest place accepted, in characters.
const MaxPlaceLen = 200

// CheckPlace refuses a place that could break a record or an e-mail header:
// empty, too long, invalid UTF-8, or with control or line-separator
// characters.
func CheckPlace(s string) error {
	if !utf8.ValidString(s) {
		return ErrNameUTF8
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ErrNameControl
		}
	}
	switch {
	case strings.TrimSpace(s) == "":
		return ErrNameEmpty
	case utf8.RuneCountInString(s) > MaxPlaceLen:
		return fmt.Errorf("is longer than %d characters", MaxPlaceLen)
	}
	return nil
}

// RevealsName reports whether a meeting room name contains a word of the
// client's name (three letters or more), ignoring case: a link travels
// through mail servers and browser histories, so it must not name the client.
func RevealsName(room, name string) bool {
	room = strings.ToLower(room)
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		if utf8.RuneCountInString(w) >= 3 && strings.Contains(room, w) {
			return true
		}
	}
	return false
}

// Duration bounds: a consultation is at least 5 minutes and at most 8 hours.
const (
	MinDuration = 5 * time.Minute
	MaxDuration = 8 * time.Hour
)

// ParseDuration reads "50m", "1h", "1h30m" or a bare number of minutes ("50").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if err != nil {
		var mins int
		if _, serr := fmt.Sscanf(s, "%d", &mins); serr != nil || fmt.Sprint(mins) != s {
			return 0, errors.New(`want a duration such as "50m", "1h" or "1h30m"`)
		}
		d = time.Duration(mins) * time.Minute
	}
	if d < MinDuration || d > MaxDuration {
		return 0, fmt.Errorf("want between %v and %v", shortDuration(MinDuration), shortDuration(MaxDuration))
	}
	if d%time.Minute != 0 {
		return 0, errors.New("want whole minutes")
	}
	return d, nil
}

// shortDuration writes d as a counsellor types it: "5m", "8h", "1h30m" (Go writes "5m0s").
func shortDuration(d time.Duration) string {
	s := strings.TrimSuffix(d.String(), "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// startLayouts are the forms a counsellor may type for a start time, in the
// session's zone.
var startLayouts = []string{
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"02.01.2006 15:04", // German form
}

// relativeDays are the words a counsellor may use instead of a date.
var relativeDays = map[string]int{"today": 0, "heute": 0, "tomorrow": 1, "morgen": 1}

// offsetLayouts are startLayouts with an explicit UTC offset, the way to
// pick one of the two meanings of a local time that happens twice.
var offsetLayouts = func() []string {
	var out []string
	for _, l := range startLayouts {
		out = append(out, l+" -07:00", l+" -0700")
	}
	return out
}()

// ParseStart reads a start time typed in loc, such as "2026-12-03 10:00",
// "03.12.2026 10:00" or "tomorrow 10:00" (relative to now), an RFC 3339
// time with its own offset, or a local time followed by an offset
// ("2026-10-25 02:30 +01:00"). A local time that does not exist in loc or
// that exists twice (when clocks go back) is refused: the error for the
// doubled hour names both offsets and how to pick one.
func ParseStart(s string, loc *time.Location, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if word, clock, ok := strings.Cut(s, " "); ok {
		if days, ok := relativeDays[strings.ToLower(word)]; ok {
			s = now.In(loc).AddDate(0, 0, days).Format("2006-01-02") + " " + strings.TrimSpace(clock)
		}
	}
	for _, layout := range offsetLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range startLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			// A time that does not exist in loc (the hour skipped when clocks
			// go forward) comes back moved; refuse rather than guess.
			if t.Format(layout) != s {
				return time.Time{}, errors.New("that time does not exist in the time zone (clocks change)")
			}
			if alts := meanings(t, loc); len(alts) > 1 {
				return time.Time{}, ambiguousError(s, alts)
			}
			return t, nil
		}
	}
	return time.Time{}, errors.New(`want a date and time such as "2026-12-03 10:00" or "tomorrow 10:00"`)
}

// meanings returns every instant that reads as t's wall clock in loc: one
// normally, two in the hour that repeats when clocks go back.
func meanings(t time.Time, loc *time.Location) []time.Time {
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	wall := time.Date(y, mo, d, h, mi, sec, 0, time.UTC)
	var out []time.Time
	seen := map[int]bool{}
	// Zone changes are rare: the offsets a day before and after cover them.
	for _, probe := range []time.Time{t, t.Add(-24 * time.Hour), t.Add(24 * time.Hour)} {
		_, off := probe.Zone()
		if seen[off] {
			continue
		}
		seen[off] = true
		c := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if _, coff := c.Zone(); coff == off && c.Format(time.DateTime) == t.Format(time.DateTime) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// ambiguousError names the doubled local time's offsets and how to choose.
func ambiguousError(typed string, alts []time.Time) error {
	var opts []string
	for _, a := range alts {
		name, _ := a.Zone()
		opts = append(opts, fmt.Sprintf("%q (%s)", typed+" "+a.Format("-07:00"), name))
	}
	return fmt.Errorf("that time happens twice in the time zone (clocks go back); add the offset you mean: %s",
		strings.Join(opts, " or "))
}

// Window is the range of starts a counsellor can mean: not before Earliest
// (now, or the retention cut-off when recording a past session) and not after
// Latest (the planning horizon).
type Window struct {
	Earliest, Latest time.Time
	// PastAllowed says Earliest is the retention cut-off, not now.
	PastAllowed bool
}

// Errors of CheckStart; they name no client.
var (
	ErrStartPast       = errors.New("the start is in the past")
	ErrStartRetention  = errors.New("the session ended longer ago than session records are kept, so it would be deleted at once")
	ErrStartTooFarAway = errors.New("the start is further ahead than the planning horizon")
)

// CheckStart checks that a session of length d starting at start lies in w.
// A session past retention is refused because the next write would delete
// it silently.
func (w Window) CheckStart(start time.Time, d time.Duration) error {
	switch {
	case start.After(w.Latest):
		return ErrStartTooFarAway
	case !w.PastAllowed && start.Before(w.Earliest):
		return ErrStartPast
	case w.PastAllowed && !start.Add(d).After(w.Earliest):
		return ErrStartRetention
	}
	return nil
}

// ParseDate reads a day ("2026-12-03") in loc, for --from and --to filters.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), loc)
	if err != nil {
		return time.Time{}, errors.New(`want a date such as "2026-12-03"`)
	}
	return t, nil
}
