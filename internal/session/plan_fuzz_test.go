package session_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/expeerienced/counsel/internal/session"
)

// FuzzPlan: whatever a counsellor types into session new, Plan refuses it naming a field (never
// quoting a client's name) or plans sessions that keep the rules: every date inside the plan
// window, one room for all, a given room that names no client, one ID per date. Every name
// starts with "Xq", which no message holds, so a name in an error is found wherever it is.
func FuzzPlan(f *testing.F) {
	for _, s := range []struct{ client, second, url, at, dur, every, count, until string }{
		{"Client-A", "", "", "2026-12-03 10:00", "50m", "", "", ""},
		{"Client-A", "Client Zeta", "", "tomorrow 18:00", "1h30m", "1w", "6", ""},
		{"Client-A", "", "https://sichere-videokonferenz.de/Qx7vLm2pRt9sWk4nZc8d", "03.12.2026 10:00", "90", "2w", "", "2027-03-01"},
		{" Zeta", "", "https://sichere-videokonferenz.de/Qx7vLm2pzetaRt9sWk4n", "2026-12-03 10:00", "50m", "", "", ""},
		{"Client-A", "client-a", "", "2026-10-25 02:30 +01:00", "5m", "1w", "52", ""},
		{"A\nB", "", "", "2028-11-27T10:00:00Z", "8h", "3w", "0", "x"},
	} {
		f.Add(s.client, s.second, s.url, s.at, s.dur, s.every, s.count, s.until)
	}
	reg := registry(f)
	f.Fuzz(func(t *testing.T, client, second, url, at, dur, every, count, until string) {
		req := request()
		req.Clients, req.URL, req.At, req.Duration, req.Every, req.Count, req.Until = []string{"Xq" + client}, url, at, dur, every, count, until
		if second != "" {
			req.Clients = append(req.Clients, "Xq"+second)
		}
		p, err := session.Plan(req, reg, planNow)
		if err != nil {
			var in *session.InputError
			if !errors.As(err, &in) || in.Field == 0 {
				t.Fatalf("error %v (%T) names no field", err, err)
			}
			// The typed time is quoted back (a doubled hour names both offsets); a name is not.
			if strings.Contains(err.Error(), "Xq") && !strings.Contains(url+at+dur+every+count+until, "Xq") {
				t.Fatalf("error %q quotes a client", err)
			}
			return
		}
		if len(p.Sessions) == 0 || len(p.Sessions) > session.MaxSeriesCount || len(p.Clients) != len(req.Clients) {
			t.Fatalf("%d sessions for %d clients", len(p.Sessions), len(p.Clients))
		}
		window := session.PlanWindow(planNow, req.HorizonYears, req.RetentionDays, false)
		ids := map[string]bool{}
		for i, s := range p.Sessions {
			if err := window.CheckStart(s.Start, s.Duration); err != nil {
				t.Fatalf("date %d at %v: %v", i+1, s.Start, err)
			}
			if s.JoinURL != p.Sessions[0].JoinURL || ids[s.ID] || s.ID == "" {
				t.Fatalf("date %d: another room, or a repeated ID", i+1)
			}
			ids[s.ID] = true
		}
		room := p.Sessions[0].JoinURL[strings.LastIndex(p.Sessions[0].JoinURL, "/")+1:]
		room, _, _ = strings.Cut(room, "#")
		for _, c := range p.Clients {
			if url != "" && session.RevealsName(room, c) {
				t.Fatalf("the given room %q names a client", room)
			}
		}
		if (len(p.Sessions) > 1) != (p.SeriesID != "") {
			t.Fatalf("%d dates, series %q", len(p.Sessions), p.SeriesID)
		}
	})
}
