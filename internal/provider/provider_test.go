package provider_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/data"
	"github.com/expeerienced/counsel/internal/provider"
)

// day is a fixed "today" in the counsellor's zone; tests never read the clock.
func day(s string) time.Time {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

func embedded(t *testing.T) []provider.Provider {
	t.Helper()
	ps, err := provider.Parse(provider.EmbeddedName, data.Providers())
	if err != nil {
		t.Fatalf("embedded list does not validate:\n%v", err)
	}
	return ps
}

func TestEmbeddedList(t *testing.T) {
	ps := embedded(t)
	byID := map[string]provider.Provider{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	wantIDs := []string{"blizz", "jitsi-hamburg-freifunk", "jitsi-fem-tu-ilmenau", "sichere-videokonferenz"}
	var gotIDs []string
	for _, p := range ps {
		gotIDs = append(gotIDs, p.ID)
	}
	if !reflect.DeepEqual(gotIDs, wantIDs) {
		t.Fatalf("ids = %v, want %v", gotIDs, wantIDs)
	}

	t.Run("every record reviewed and sourced", func(t *testing.T) {
		for _, p := range ps {
			if p.ReviewedOn != "2026-11-30" || p.ReviewDue != "2027-05-30" {
				t.Errorf("%s: reviewed_on %s, review_due %s", p.ID, p.ReviewedOn, p.ReviewDue)
			}
			if p.Rating == nil {
				t.Errorf("%s: no authority rating", p.ID)
			}
			if len(p.Sources) < 2 {
				t.Errorf("%s: %d sources, want the seed and at least one later source", p.ID, len(p.Sources))
			}
		}
	})
	t.Run("blizz", func(t *testing.T) {
		b := byID["blizz"]
		if b.Kind != provider.KindBlizz || b.Status != provider.StatusDeprecated {
			t.Errorf("kind %s status %s, want blizz deprecated", b.Kind, b.Status)
		}
		if b.JoinURL != "https://go.blizz.com/join/{id}" {
			t.Errorf("join_url_template = %q", b.JoinURL)
		}
		if b.Rating.Value != provider.RatingRed || !strings.Contains(b.Notes, "TeamViewer Meeting") ||
			!strings.Contains(b.Notes, "never changes") {
			t.Errorf("blizz record lacks the red rating, the TeamViewer Meeting fold or the personal-ID fact")
		}
		if !b.PhoneDialIn || !b.Registration.Host || b.Registration.Guest {
			t.Errorf("seed facts lost: dial-in %v, registration %+v", b.PhoneDialIn, b.Registration)
		}
	})
	t.Run("jitsi instances", func(t *testing.T) {
		for id, host := range map[string]string{
			"jitsi-hamburg-freifunk": "https://jitsi.hamburg.freifunk.net/",
			"jitsi-fem-tu-ilmenau":   "https://jitsi.fem.tu-ilmenau.de/",
			"sichere-videokonferenz": "https://sichere-videokonferenz.de/",
		} {
			p := byID[id]
			if p.Kind != provider.KindJitsi || p.BaseURL != host {
				t.Errorf("%s: kind %s base_url %s", id, p.Kind, p.BaseURL)
			}
			if p.Encryption.E2E != provider.E2EOneToOne || p.PhoneDialIn || p.Registration.Guest {
				t.Errorf("%s: e2e %q dial-in %v guest %v", id, p.Encryption.E2E, p.PhoneDialIn, p.Registration.Guest)
			}
			for _, fact := range []string{"20", "25", "chat"} {
				if !strings.Contains(p.Encryption.Limits, fact) {
					t.Errorf("%s: encryption.limits lacks %q", id, fact)
				}
			}
		}
		if f := byID["jitsi-hamburg-freifunk"]; !f.Unverified || !strings.Contains(f.Notes, "not be confirmed to exist") {
			t.Errorf("freifunk instance must be unverified and say why")
		}
		if s := byID["sichere-videokonferenz"]; s.Status != provider.StatusActive || s.Rating.Value != provider.RatingGreen || s.Rating.Date != "2020-07-03" {
			t.Errorf("sichere-videokonferenz: status %s rating %+v", s.Status, s.Rating)
		}
		if strings.Contains(string(data.Providers()), "jitsi.fem.tu-ilmeneau.de/") {
			t.Errorf("the seed's misspelt host is used as a URL")
		}
	})
}

func TestWarnings(t *testing.T) {
	ps := embedded(t)
	tests := []struct {
		id    string
		today string
		want  []string
	}{
		{"sichere-videokonferenz", "2026-11-30", nil},
		{"sichere-videokonferenz", "2027-05-30", nil},
		{"sichere-videokonferenz", "2027-05-31", []string{"review overdue"}},
		{"blizz", "2026-12-01", []string{"deprecated", "red rating"}},
		{"jitsi-hamburg-freifunk", "2026-12-01", []string{"deprecated", "red rating", "unverified"}},
		{"jitsi-hamburg-freifunk", "2030-01-01", []string{"deprecated", "review overdue", "red rating", "unverified"}},
	}
	for _, tt := range tests {
		t.Run(tt.id+"/"+tt.today, func(t *testing.T) {
			p := find(t, ps, tt.id)
			if got := p.Warnings(day(tt.today)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Warnings = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("retired", func(t *testing.T) {
		p := find(t, ps, "sichere-videokonferenz")
		p.Status = provider.StatusRetired
		if got := p.Warnings(day("2026-12-01")); !reflect.DeepEqual(got, []string{"retired"}) {
			t.Errorf("Warnings = %q", got)
		}
	})
}

func TestUsable(t *testing.T) {
	base := find(t, embedded(t), "sichere-videokonferenz")
	tests := []struct {
		name      string
		edit      func(*provider.Provider)
		today     string
		wantErr   error
		wantWarns []string // substrings, one per warning
	}{
		{"active and reviewed", func(*provider.Provider) {}, "2026-12-01", nil, nil},
		{"review overdue", func(*provider.Provider) {}, "2027-06-01", nil, []string{"was due on 2027-05-30"}},
		{"deprecated", func(p *provider.Provider) { p.Status = provider.StatusDeprecated }, "2026-12-01", nil, []string{"deprecated"}},
		{"unverified", func(p *provider.Provider) { p.Unverified = true }, "2026-12-01", nil, []string{"could not be verified"}},
		{"deprecated and overdue", func(p *provider.Provider) { p.Status = provider.StatusDeprecated }, "2028-01-01", nil, []string{"deprecated", "was due"}},
		{"retired", func(p *provider.Provider) { p.Status = provider.StatusRetired }, "2026-12-01", provider.ErrRetired, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			tt.edit(&p)
			warns, err := p.Usable(day(tt.today))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), p.ID) {
				t.Errorf("error %q does not name the provider id", err)
			}
			if len(warns) != len(tt.wantWarns) {
				t.Fatalf("warnings = %q, want %d", warns, len(tt.wantWarns))
			}
			for i, w := range tt.wantWarns {
				if !strings.Contains(warns[i], w) {
					t.Errorf("warning %d = %q, want it to mention %q", i, warns[i], w)
				}
			}
		})
	}
}

func find(t *testing.T, ps []provider.Provider, id string) provider.Provider {
	t.Helper()
	for _, p := range ps {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no provider %q", id)
	return provider.Provider{}
}
