package session_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/provider"
	"github.com/expeerienced/counsel/internal/session"
)

// planNow is a Tuesday, before every built-in provider's review is due.
var planNow = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func registry(t testing.TB) *provider.Registry {
	t.Helper()
	reg, err := provider.LoadBuiltIn("")
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// request is a valid Jitsi request for one client; tests change one input.
func request() session.Request {
	return session.Request{Clients: []string{"Client-A"}, ProviderID: "sichere-videokonferenz",
		At: "2026-12-03 10:00", Duration: "50m", Timezone: "Europe/Berlin", Lang: "de", Place: "Beratungsstelle",
		HorizonYears: 2, RetentionDays: 90}
}

func TestPlanJitsiFreshRoom(t *testing.T) {
	reg := registry(t)
	p, err := session.Plan(request(), reg, planNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Sessions) != 1 || p.SeriesID != "" {
		t.Fatalf("%d sessions, series %q; want one, no series", len(p.Sessions), p.SeriesID)
	}
	s := p.Sessions[0]
	if s.ID == "" || s.ClientName != "Client-A" || s.ProviderID != "sichere-videokonferenz" || s.Kind != "jitsi" || s.MeetingID != "" {
		t.Errorf("session %+v", s)
	}
	if want := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC); !s.Start.Equal(want) || s.Start.Location() != time.UTC {
		t.Errorf("start %v, want %v in UTC", s.Start, want)
	}
	if s.Duration != 50*time.Minute || s.Timezone != "Europe/Berlin" || s.Place != "Beratungsstelle" || p.Lang != "de" {
		t.Errorf("duration %v, zone %q, place %q, lang %q", s.Duration, s.Timezone, s.Place, p.Lang)
	}
	// The fresh room is on the provider's host and passes the provider's own
	// check as a strong room.
	jr, err := reg.CheckJitsiURL(s.JoinURL, false)
	if err != nil {
		t.Fatalf("the planned room %q fails the URL check: %v", s.JoinURL, err)
	}
	if jr.Provider.ID != "sichere-videokonferenz" || jr.Weak || p.WeakRoom {
		t.Errorf("room on %s, weak %v/%v", jr.Provider.ID, jr.Weak, p.WeakRoom)
	}
	again, err := session.Plan(request(), reg, planNow)
	if err != nil {
		t.Fatal(err)
	}
	if again.Sessions[0].JoinURL == s.JoinURL || again.Sessions[0].ID == s.ID {
		t.Error("two plans share a room or an ID")
	}
}

func TestPlanBlizz(t *testing.T) {
	req := request()
	req.ProviderID, req.MeetingID = "blizz", "m12-345-678"
	p, err := session.Plan(req, registry(t), planNow)
	if err != nil {
		t.Fatal(err)
	}
	s := p.Sessions[0]
	if s.Kind != "blizz" || s.MeetingID == "" || p.Meeting.Display() == "" || !strings.HasPrefix(s.JoinURL, "https://") {
		t.Errorf("session %+v, meeting %q", s, p.Meeting.Display())
	}
}

// TestPlanRefuses: each refused input is named by its field, and nothing is planned.
func TestPlanRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(r *session.Request)
		field  session.Field
		is     error
		text   string
	}{
		{"BadName", func(r *session.Request) { r.Clients = []string{"A\nBcc: x"} }, session.FieldClient, session.ErrNameControl, "the name or pseudonym"},
		{"GroupBadName", func(r *session.Request) { r.Clients = []string{"Client-A", " "} }, session.FieldClient, session.ErrNameEmpty, "client 2: the name or pseudonym"},
		{"SamePerson", func(r *session.Request) { r.Clients = []string{"Client-A", "client-a"} }, session.FieldClient, nil, "clients 1 and 2 are the same person"},
		{"UnknownProvider", func(r *session.Request) { r.ProviderID = "zoom" }, session.FieldProvider, session.ErrUnknownProvider, ""},
		{"Timezone", func(r *session.Request) { r.Timezone = "Mars/Base" }, session.FieldTimezone, nil, "unknown time zone"},
		{"NoTimezone", func(r *session.Request) { r.Timezone = "" }, session.FieldTimezone, nil, "unknown time zone"},
		{"At", func(r *session.Request) { r.At = "soon" }, session.FieldAt, nil, "want a date and time"},
		{"Past", func(r *session.Request) { r.At = "2026-11-30 10:00" }, session.FieldAt, session.ErrStartPast, ""},
		{"PastRetention", func(r *session.Request) { r.At, r.AllowPast = "2026-08-01 10:00", true }, session.FieldAt, session.ErrStartRetention, ""},
		{"Horizon", func(r *session.Request) { r.At = "2029-01-01 10:00" }, session.FieldAt, session.ErrStartTooFarAway, ""},
		{"Duration", func(r *session.Request) { r.Duration = "9h" }, session.FieldDuration, nil, "want between"},
		{"Lang", func(r *session.Request) { r.Lang = "fr" }, session.FieldLang, nil, "want de or en"},
		{"Place", func(r *session.Request) { r.Place = "a\nb" }, session.FieldPlace, session.ErrNameControl, ""},
		{"BlizzWithoutID", func(r *session.Request) { r.ProviderID = "blizz" }, session.FieldMeetingID, session.ErrMeetingIDRequired, ""},
		{"BlizzBadID", func(r *session.Request) { r.ProviderID, r.MeetingID = "blizz", "12" }, session.FieldMeetingID, nil, ""},
		{"BlizzWithURL", func(r *session.Request) {
			r.ProviderID, r.MeetingID, r.URL = "blizz", "m12-345-678", "https://x.example/"
		}, session.FieldURL, nil, "--meeting-id"},
		{"JitsiWithID", func(r *session.Request) { r.MeetingID = "m12-345-678" }, session.FieldMeetingID, nil, "only Blizz uses meeting IDs"},
		{"URLNotVetted", func(r *session.Request) { r.URL = "https://meet.example.org/Qx7vLm2pRt9sWk4n" }, session.FieldURL, nil, ""},
		{"URLOtherProvider", func(r *session.Request) { r.URL = "https://jitsi.hamburg.freifunk.net/Qx7vLm2pRt9sWk4nZc8d" }, session.FieldURL, nil, "is on provider jitsi-hamburg-freifunk, not sichere-videokonferenz"},
		{"URLWeak", func(r *session.Request) { r.URL = "https://sichere-videokonferenz.de/beratung" }, session.FieldURL, provider.ErrWeakRoom, ""},
		{"URLNamesClient", func(r *session.Request) { r.URL = "https://sichere-videokonferenz.de/Qx7vLm2pclientRt9sWk4n" }, session.FieldURL, nil, "contains part of the client's name"},
		{"URLNamesSecondClient", func(r *session.Request) {
			r.Clients, r.URL = []string{"Client-A", "Zeta Person"}, "https://sichere-videokonferenz.de/Qx7vLm2pzetaRt9sWk4n"
		}, session.FieldURL, nil, "contains part of the client's name"},
		{"Every", func(r *session.Request) { r.Every, r.Count = "3d", "4" }, session.FieldEvery, session.ErrEvery, ""},
		{"Count", func(r *session.Request) { r.Every, r.Count = "1w", "60" }, session.FieldCount, session.ErrSeriesCount, ""},
		{"Until", func(r *session.Request) { r.Every, r.Until = "1w", "Ostern" }, session.FieldUntil, nil, "want a date"},
		{"CountAndUntil", func(r *session.Request) { r.Every, r.Count, r.Until = "1w", "4", "2027-01-01" }, session.FieldEvery, session.ErrSeriesBoth, ""},
		{"SeriesBeyondHorizon", func(r *session.Request) { r.At, r.Every, r.Count = "2028-11-20 10:00", "1w", "4" }, session.FieldEvery, session.ErrStartTooFarAway, "date 3 of the series"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := request()
			tc.change(&req)
			p, err := session.Plan(req, registry(t), planNow)
			var in *session.InputError
			if !errors.As(err, &in) {
				t.Fatalf("error %v (%T), want an InputError; plan %+v", err, err, p)
			}
			if in.Field != tc.field {
				t.Errorf("field %d, want %d (%v)", in.Field, tc.field, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v, want %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q, want it to contain %q", err, tc.text)
			}
			if len(p.Sessions) != 0 {
				t.Errorf("a refused request planned %d sessions", len(p.Sessions))
			}
			for _, c := range req.Clients {
				if len(c) > 3 && strings.Contains(err.Error(), c) {
					t.Errorf("error %q names a client", err)
				}
			}
		})
	}
}

// retired is the counsellor's own provider file retiring a built-in provider.
const retired = `- id: sichere-videokonferenz
  name: Retired for the test
  kind: jitsi
  base_url: https://sichere-videokonferenz.de/
  join_url_template: ""
  operator: Example
  registration:
    host: false
    guest: false
  gdpr_statement: x
  privacy_policy_url: https://sichere-videokonferenz.de/privacy
  data_collected: x
  encryption:
    transport: TLS
    e2e: 1:1 peer-to-peer
  data_location: Germany
  phone_dial_in: false
  help_url: https://sichere-videokonferenz.de/
  reviewed_on: 2026-01-01
  review_due: 2027-01-01
  status: retired
  notes: retired for a test
  sources:
    - title: Example
      url: https://sichere-videokonferenz.de/
`

func TestPlanUnusableProvider(t *testing.T) {
	path := filepath.Join(t.TempDir(), "providers.yaml")
	if err := os.WriteFile(path, []byte(retired), 0o600); err != nil {
		t.Fatal(err)
	}
	reg, err := provider.LoadBuiltIn(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := session.Plan(request(), reg, planNow)
	var pe *session.ProviderError
	var in *session.InputError
	if !errors.As(err, &pe) || pe.ID != "sichere-videokonferenz" || !errors.As(err, &in) || in.Field != session.FieldProvider {
		t.Fatalf("error %v, want a ProviderError for sichere-videokonferenz", err)
	}
	if !errors.Is(err, provider.ErrRetired) || !strings.HasPrefix(err.Error(), "provider sichere-videokonferenz: ") || len(p.Sessions) != 0 {
		t.Errorf("error %q, %d sessions", err, len(p.Sessions))
	}
}

// TestPlanReviewOverdue: an overdue review warns and plans.
func TestPlanReviewOverdue(t *testing.T) {
	late := time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC)
	req := request()
	req.At = "2027-06-03 10:00"
	p, err := session.Plan(req, registry(t), late)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "review of provider sichere-videokonferenz was due") {
		t.Errorf("warnings %q", p.Warnings)
	}
}

func TestPlanWeakRoomAllowed(t *testing.T) {
	req := request()
	req.URL, req.AllowWeakRoom = "https://sichere-videokonferenz.de/beratung", true
	p, err := session.Plan(req, registry(t), planNow)
	if err != nil {
		t.Fatal(err)
	}
	if !p.WeakRoom || len(p.Warnings) == 0 || !strings.Contains(p.Sessions[0].JoinURL, "/beratung") {
		t.Errorf("weak %v, warnings %q, url %q", p.WeakRoom, p.Warnings, p.Sessions[0].JoinURL)
	}
}

// TestPlanGroupSeries: a group series is one room, one session per date at
// the same wall time across the clock change, every client checked.
func TestPlanGroupSeries(t *testing.T) {
	req := request()
	req.Clients = []string{"Client-A", " Client  Zeta ", "Client-\u0421"} // the last with a Cyrillic Es
	req.At, req.Every, req.Count = "2027-03-16 18:00", "1w", "3"
	p, err := session.Plan(req, registry(t), planNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Clients, "|"); got != "Client-A|Client Zeta|Client-\u0421" {
		t.Errorf("clients %q", got)
	}
	if p.LookAlike[0] != nil || p.LookAlike[1] != nil || p.LookAlike[2] == nil {
		t.Errorf("look-alike scripts %q", p.LookAlike)
	}
	if len(p.Sessions) != 3 || p.SeriesID == "" {
		t.Fatalf("%d sessions, series %q", len(p.Sessions), p.SeriesID)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ids := map[string]bool{}
	for i, s := range p.Sessions {
		if s.JoinURL != p.Sessions[0].JoinURL || s.ClientName != "Client-A" {
			t.Errorf("date %d: room or client differs", i+1)
		}
		if l := s.Start.In(berlin); l.Hour() != 18 || l.Minute() != 0 || l.Day() != 16+7*i {
			t.Errorf("date %d at %v, want 18:00 on March %d", i+1, l, 16+7*i)
		}
		ids[s.ID] = true
	}
	if len(ids) != 3 {
		t.Errorf("%d distinct IDs for 3 dates", len(ids))
	}
	if d := p.Dates(); len(d) != 3 || !d[2].Equal(p.Sessions[2].Start) {
		t.Errorf("dates %v", d)
	}
}

func TestPlanWindow(t *testing.T) {
	w := session.PlanWindow(planNow, 2, 90, false)
	if !w.Earliest.Equal(planNow) || !w.Latest.Equal(planNow.AddDate(2, 0, 0)) || w.PastAllowed {
		t.Errorf("window %+v", w)
	}
	w = session.PlanWindow(planNow, 2, 90, true)
	if !w.Earliest.Equal(planNow.AddDate(0, 0, -90)) || !w.PastAllowed {
		t.Errorf("window with past %+v", w)
	}
	// A past session that ends after the cut-off is accepted; one that ended
	// before it would be purged at once.
	if err := w.CheckStart(planNow.AddDate(0, 0, -90).Add(-30*time.Minute), time.Hour); err != nil {
		t.Errorf("ends after the cut-off: %v", err)
	}
	if err := w.CheckStart(planNow.AddDate(0, 0, -90).Add(-time.Hour), time.Hour); !errors.Is(err, session.ErrStartRetention) {
		t.Errorf("ends at the cut-off: %v", err)
	}
}

func TestPlanMove(t *testing.T) {
	reg := registry(t)
	prov, _ := reg.Get("sichere-videokonferenz")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	s := session.Session{ID: "s1", Start: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), Duration: 50 * time.Minute}
	req := session.MoveRequest{At: "2026-12-10 16:00", Location: berlin, HorizonYears: 2}

	m, err := session.PlanMove(req, s, nil, prov, planNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Starts) != 1 || !m.Starts[0].Equal(time.Date(2026, 12, 10, 15, 0, 0, 0, time.UTC)) || m.Duration != s.Duration || m.Location != berlin {
		t.Errorf("moved %+v", m)
	}

	// A series moves by the same number of days, to the new wall time, across the clock change.
	series := []session.Session{s, {ID: "s2", Start: time.Date(2027, 3, 25, 9, 0, 0, 0, time.UTC)}, {ID: "s3", Start: time.Date(2027, 4, 1, 8, 0, 0, 0, time.UTC)}}
	req.Duration = "1h"
	m, err = session.PlanMove(req, s, series, prov, planNow)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []time.Time{
		time.Date(2026, 12, 10, 15, 0, 0, 0, time.UTC), time.Date(2027, 4, 1, 14, 0, 0, 0, time.UTC), time.Date(2027, 4, 8, 14, 0, 0, 0, time.UTC),
	} {
		if !m.Starts[i].Equal(want) {
			t.Errorf("date %d moved to %v, want %v", i+1, m.Starts[i], want)
		}
	}
	if m.Duration != time.Hour {
		t.Errorf("duration %v", m.Duration)
	}

	for _, tc := range []struct {
		name   string
		req    session.MoveRequest
		series []session.Session
		field  session.Field
		is     error
	}{
		{"Past", session.MoveRequest{At: "2026-11-30 10:00", Location: berlin, HorizonYears: 2}, nil, session.FieldAt, session.ErrStartPast},
		{"Horizon", session.MoveRequest{At: "2029-01-01 10:00", Location: berlin, HorizonYears: 2}, nil, session.FieldAt, session.ErrStartTooFarAway},
		{"SeriesBeyondHorizon", session.MoveRequest{At: "2028-11-25 10:00", Location: berlin, HorizonYears: 2},
			[]session.Session{s, {Start: s.Start.AddDate(0, 0, 7)}, {Start: s.Start.AddDate(0, 0, 14)}}, session.FieldAt, session.ErrStartTooFarAway},
		{"Unchanged", session.MoveRequest{At: "2026-12-03 10:00", Location: berlin, HorizonYears: 2}, nil, session.FieldAt, nil},
		{"Timezone", session.MoveRequest{At: "2026-12-10 16:00", Timezone: "Mars/Base", Location: berlin, HorizonYears: 2}, nil, session.FieldTimezone, nil},
		{"Duration", session.MoveRequest{At: "2026-12-10 16:00", Duration: "2m", Location: berlin, HorizonYears: 2}, nil, session.FieldDuration, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := session.PlanMove(tc.req, s, tc.series, prov, planNow)
			var in *session.InputError
			if !errors.As(err, &in) || in.Field != tc.field {
				t.Fatalf("error %v, want an InputError of field %d; moved %+v", err, tc.field, m)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v, want %v", err, tc.is)
			}
		})
	}
}
