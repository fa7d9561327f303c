package invite_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
)

// weekly returns n dates a week apart from d.Start, at the same Berlin wall time.
func weekly(t testing.TB, d invite.Data, n int) []time.Time {
	var out []time.Time
	for i := range n {
		out = append(out, d.Start.In(d.Location).AddDate(0, 0, 7*i).UTC())
	}
	return out
}

// One participant's e-mail in a group names only them, says it is a group,
// and on Jitsi says plainly that a call of three or more is not end-to-end
// encrypted by default; on Blizz it says nothing about Jitsi.
func TestGroupMessage(t *testing.T) {
	tm := mustLoad(t)
	for _, c := range []struct {
		lang     string
		kind     provider.Kind
		group    string
		notE2EE  string
		subjects string
	}{
		{"de", provider.KindJitsi, "Gruppentermin", "drei oder mehr Personen ist ohne\nbesondere Einstellung nicht Ende-zu-Ende-verschlüsselt", "Gruppen-Videoberatung"},
		{"en", provider.KindJitsi, "group session", "three or more people is not end-to-end\nencrypted", "group video consultation"},
		{"de", provider.KindBlizz, "Gruppentermin", "", "Gruppen-Videoberatung"},
		{"en", provider.KindBlizz, "group session", "", "group video consultation"},
	} {
		d := sample(t, c.lang, c.kind)
		d.ClientName, d.Participants = "Client Zeta", 5
		m := mustRender(t, tm, d)
		if !strings.Contains(m.Body, c.group) || !strings.Contains(m.Subject, c.subjects) {
			t.Errorf("%s %s: no group wording:\n%s\n%s", c.lang, c.kind, m.Subject, m.Body)
		}
		if c.notE2EE != "" && !strings.Contains(m.Body, c.notE2EE) {
			t.Errorf("%s %s: the e-mail does not say that the group call is not end-to-end encrypted:\n%s", c.lang, c.kind, m.Body)
		}
		if c.notE2EE == "" && (strings.Contains(m.Body, "Jitsi-Gespräch") || strings.Contains(m.Body, "Jitsi call")) {
			t.Errorf("%s %s: a Blizz e-mail speaks of Jitsi", c.lang, c.kind)
		}
		// The consent notice, and so its hash, is the same as for one client.
		one := sample(t, c.lang, c.kind)
		if m.ConsentSHA256 != mustRender(t, tm, one).ConsentSHA256 {
			t.Errorf("%s %s: the group changed the consent text", c.lang, c.kind)
		}
		// One client: no group wording.
		if b := mustRender(t, tm, one).Body; strings.Contains(b, c.group) {
			t.Errorf("%s %s: a one-client e-mail speaks of a group", c.lang, c.kind)
		}
	}
}

// A series e-mail lists every date, at the same local time across the end of
// summer time, and the subject counts them.
func TestSeriesMessage(t *testing.T) {
	tm := mustLoad(t)
	d := sample(t, "de", provider.KindJitsi)
	d.Start = time.Date(2026, 10, 15, 8, 0, 0, 0, time.UTC) // 10:00 summer time
	d.Dates = weekly(t, d, 6)
	m := mustRender(t, tm, d)
	for _, want := range []string{"Donnerstag, 15. Oktober 2026, 10:00 Uhr", "Donnerstag, 29. Oktober 2026, 10:00 Uhr", "Donnerstag, 19. November 2026, 10:00 Uhr"} {
		if !strings.Contains(m.Body, "- "+want+"\n") {
			t.Errorf("date %q missing:\n%s", want, m.Body)
		}
	}
	if strings.Count(m.Body, "\n- Donnerstag") != 6 || !strings.Contains(m.Subject, "6 Videoterminen") {
		t.Errorf("want six dates and a subject that counts them:\n%s\n%s", m.Subject, m.Body)
	}
	d.Participants = 5
	d.Lang = "en"
	m = mustRender(t, tm, d)
	if !strings.Contains(m.Body, "- Thursday, 29 October 2026, 10:00\n") || !strings.Contains(m.Subject, "6 group video sessions") {
		t.Errorf("en series:\n%s\n%s", m.Subject, m.Body)
	}
}

func TestGroupRefuses(t *testing.T) {
	tm := mustLoad(t)
	d := sample(t, "de", provider.KindJitsi)
	for name, mod := range map[string]func(*invite.Data){
		"first date not Start": func(d *invite.Data) { d.Dates = []time.Time{d.Start.Add(time.Hour), d.Start.Add(48 * time.Hour)} },
		"falling dates":        func(d *invite.Data) { d.Dates = []time.Time{d.Start, d.Start.Add(-time.Hour)} },
		"too many dates": func(d *invite.Data) {
			d.Dates = nil
			for i := range invite.MaxDates + 1 {
				d.Dates = append(d.Dates, d.Start.Add(time.Duration(i)*time.Hour))
			}
		},
		"negative participants": func(d *invite.Data) { d.Participants = -1 },
	} {
		dd := d
		mod(&dd)
		if _, err := tm.Render(dd); err == nil {
			t.Errorf("%s: rendered", name)
		}
		if _, err := invite.SeriesICS(dd, make([]string, max(1, len(dd.Dates))), fixedNow); err == nil {
			t.Errorf("%s: calendar written", name)
		}
	}
}

// The series calendar, read by golang-ical: one VEVENT per date with its own
// UID, exact UTC times that keep 10:00 Berlin across the clock change, and
// no client name anywhere.
func TestSeriesICS(t *testing.T) {
	d := sample(t, "de", provider.KindJitsi)
	d.ClientName, d.Participants = "Client Zeta", 5
	d.Start = time.Date(2026, 10, 15, 8, 0, 0, 0, time.UTC)
	d.Dates = weekly(t, d, 6)
	uids := []string{"a1@counsel", "a2@counsel", "a3@counsel", "a4@counsel", "a5@counsel", "a6@counsel"}
	b, err := invite.SeriesICS(d, uids, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, b)
	if bytes.Contains(b, []byte("Zeta")) || bytes.Contains(b, []byte("RRULE")) {
		t.Error("the calendar names the client or carries an RRULE")
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("golang-ical: %v", err)
	}
	evs := cal.Events()
	if len(evs) != 6 {
		t.Fatalf("%d events, want 6", len(evs))
	}
	loc := berlin(t)
	for i, ev := range evs {
		if ev.Id() != uids[i] {
			t.Errorf("event %d UID %q, want %q", i+1, ev.Id(), uids[i])
		}
		start, err := ev.GetStartAt()
		if err != nil {
			t.Fatal(err)
		}
		end, _ := ev.GetEndAt()
		if !start.Equal(d.Dates[i]) || start.In(loc).Format("15:04") != "10:00" || end.Sub(start) != d.Duration {
			t.Errorf("event %d: %v-%v, want %v at 10:00 Berlin", i+1, start, end, d.Dates[i])
		}
		if prop(ev, ics.ComponentPropertyUrl) != d.JoinURL {
			t.Errorf("event %d: URL differs", i+1)
		}
	}
	if got := cal.CalendarProperties; len(got) == 0 {
		t.Error("no calendar properties")
	}
	if bytes.Count(b, []byte("BEGIN:VCALENDAR")) != 1 || bytes.Count(b, []byte("METHOD:PUBLISH")) != 1 {
		t.Error("want one calendar frame")
	}
	// A single session gives the same calendar as ICS.
	one := sample(t, "de", provider.KindJitsi)
	single, err := invite.SeriesICS(one, []string{"x@counsel"}, fixedNow)
	want, _ := invite.ICS(one, "x@counsel", fixedNow)
	if err != nil || !bytes.Equal(single, want) {
		t.Errorf("single-date SeriesICS differs from ICS: %v", err)
	}
	if _, err := invite.SeriesICS(d, uids[:5], fixedNow); err == nil {
		t.Error("five UIDs for six dates accepted")
	}
}
