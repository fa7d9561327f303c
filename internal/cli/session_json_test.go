package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestSessionNewJSON: --format json prints one JSON object for every kind of session new. One
// client keeps the shape scripts know (subject and body); a group or a series has every date
// and every e-mail, each e-mail naming only its participant; nothing of it is printed as text.
// The decoder refuses unknown keys, so a key added or renamed fails here.
func TestSessionNewJSON(t *testing.T) {
	_, deps := isolated(t)
	type dated struct {
		ID       string `json:"id"`
		StartsAt string `json:"starts_at"`
	}
	type mail struct{ Subject, Body string }
	type result struct {
		ID           string   `json:"id"`
		Provider     string   `json:"provider"`
		Kind         string   `json:"kind"`
		JoinURL      string   `json:"join_url"`
		MeetingID    string   `json:"meeting_id"`
		StartsAt     string   `json:"starts_at"`
		Timezone     string   `json:"timezone"`
		Place        string   `json:"place"`
		Subject      *string  `json:"subject"`
		Body         *string  `json:"body"`
		SeriesID     string   `json:"series_id"`
		Participants int      `json:"participants"`
		Sessions     []dated  `json:"sessions"`
		Emails       []mail   `json:"emails"`
		Warnings     []string `json:"warnings"`
	}
	run := func(args ...string) result {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), append(args, "--format", "json"), deps(&stdout, &stderr))
		if code != exitOK {
			t.Fatalf("%v: exit %d, stderr:\n%s", args, code, stderr.String())
		}
		dec := json.NewDecoder(&stdout)
		dec.DisallowUnknownFields()
		var r result
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%v: stdout is not one JSON object: %v\n%s", args, err, stdout.String())
		}
		if dec.More() {
			t.Fatalf("%v: more than one JSON value on stdout", args)
		}
		if r.Warnings == nil || r.Provider != "sichere-videokonferenz" || r.Kind != "jitsi" || r.Timezone != "Europe/Berlin" {
			t.Errorf("%v: room keys %+v", args, r)
		}
		return r
	}

	one := run("session", "new", "--client", "Client-A", "--provider", "sichere-videokonferenz", "--at", "2026-12-03 10:00")
	if one.Subject == nil || one.Body == nil || !strings.Contains(*one.Body, "Client-A") ||
		one.Sessions != nil || one.Emails != nil || one.SeriesID != "" || one.Participants != 0 {
		t.Errorf("one client: want subject and body only, got %+v", one)
	}

	group := run("session", "new", "--client", "Client-B", "--client", "Client Zeta", "--provider", "sichere-videokonferenz", "--at", "2026-12-04 10:00")
	if group.Subject != nil || group.Body != nil || group.SeriesID != "" || group.Participants != 2 ||
		len(group.Sessions) != 1 || group.Sessions[0].ID != group.ID || group.Sessions[0].StartsAt != group.StartsAt || len(group.Emails) != 2 {
		t.Fatalf("group: %+v", group)
	}
	for i, who := range []string{"Client-B", "Client Zeta"} {
		other := []string{"Client Zeta", "Client-B"}[i]
		if b := group.Emails[i].Body; !strings.Contains(b, " "+who+",\n") || strings.Contains(b, other) {
			t.Errorf("group e-mail %d must name %s and not %s:\n%s", i+1, who, other, b)
		}
	}

	series := run("session", "new", "--client", "Client-C", "--provider", "sichere-videokonferenz", "--at", "2026-12-05 10:00", "--every", "1w", "--count", "3")
	if series.SeriesID == "" || series.Participants != 1 || len(series.Sessions) != 3 || len(series.Emails) != 1 ||
		series.Sessions[2].StartsAt != "2026-12-19T10:00:00+01:00" || series.Sessions[0].ID != series.ID {
		t.Errorf("series: %+v", series)
	}
}
