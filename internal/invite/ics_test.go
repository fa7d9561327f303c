package invite_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
)

var fixedNow = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

// parseICS reads b with golang-ical, a parser written independently of ours.
func parseICS(t testing.TB, b []byte) (*ics.Calendar, *ics.VEvent) {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("golang-ical cannot parse the calendar: %v", err)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	return cal, events[0]
}

func prop(ev *ics.VEvent, p ics.ComponentProperty) string {
	if v := ev.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

// checkLines asserts RFC 5545 3.1 framing: CRLF everywhere, at most 75
// octets per line, valid UTF-8 on every physical line.
func checkLines(t testing.TB, b []byte) {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Error("calendar does not end in CRLF")
	}
	for i, l := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF", i+1)
		}
		if len(l) > 75 {
			t.Errorf("line %d has %d octets", i+1, len(l))
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 sequence", i+1)
		}
	}
}

func TestICS(t *testing.T) {
	tests := []struct {
		name         string
		lang         string
		kind         provider.Kind
		wantSummary  string
		wantLocation string
		wantDesc     []string
	}{
		{"de_blizz", "de", provider.KindBlizz, "Videoberatung (Blizz)", "Blizz m12-345-678",
			[]string{"Blizz-App oder im Browser", "Meeting-ID: m12-345-678", "https://go.blizz.com/join/m12345678", "Passwort"}},
		{"de_jitsi", "de", provider.KindJitsi, "Videoberatung (Jitsi)", "https://sichere-videokonferenz.de/k3m9x2p7q4w8z5r1t6y0",
			[]string{"Browser", "ohne Installation", "https://sichere-videokonferenz.de/k3m9x2p7q4w8z5r1t6y0"}},
		{"en_blizz", "en", provider.KindBlizz, "Video counselling (Blizz)", "Blizz m12-345-678",
			[]string{"Blizz app or in your browser", "Meeting ID: m12-345-678", "password"}},
		{"en_jitsi", "en", provider.KindJitsi, "Video counselling (Jitsi)", "https://sichere-videokonferenz.de/k3m9x2p7q4w8z5r1t6y0",
			[]string{"browser", "nothing to install"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sample(t, tt.lang, tt.kind)
			d.ClientName = "Client Zeta"
			d.CounsellorName = "Client-Counsellor"
			b, err := invite.ICS(d, "01JDX3Q7Z8@counsel.invalid", fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, b)
			unfolded := strings.ReplaceAll(string(b), "\r\n ", "")
			for _, personal := range []string{"Client Zeta", "Zeta", "Client-Counsellor", "widerruf@", "beratung@"} {
				if strings.Contains(unfolded, personal) {
					t.Errorf("calendar carries %q", personal)
				}
			}
			for _, want := range []string{"METHOD:PUBLISH\r\n", "VERSION:2.0\r\n", "PRODID:" + invite.ProdID + "\r\n",
				"DTSTART:20261203T090000Z\r\n", "DTEND:20261203T095000Z\r\n", "DTSTAMP:20261128T080000Z\r\n"} {
				if !strings.Contains(string(b), want) {
					t.Errorf("calendar lacks %q", want)
				}
			}

			cal, ev := parseICS(t, b)
			var method string
			for _, p := range cal.CalendarProperties {
				if p.IANAToken == "METHOD" {
					method = p.Value
				}
			}
			if method != "PUBLISH" {
				t.Errorf("METHOD = %q", method)
			}
			if ev.Id() != "01JDX3Q7Z8@counsel.invalid" {
				t.Errorf("UID = %q", ev.Id())
			}
			start, err := ev.GetStartAt()
			if err != nil || !start.Equal(d.Start) {
				t.Errorf("DTSTART = %v, %v; want %v", start, err, d.Start)
			}
			end, err := ev.GetEndAt()
			if err != nil || !end.Equal(d.Start.Add(50*time.Minute)) {
				t.Errorf("DTEND = %v, %v", end, err)
			}
			if got := prop(ev, ics.ComponentPropertySummary); got != tt.wantSummary {
				t.Errorf("SUMMARY = %q, want %q", got, tt.wantSummary)
			}
			if got := prop(ev, ics.ComponentPropertyLocation); got != tt.wantLocation {
				t.Errorf("LOCATION = %q, want %q", got, tt.wantLocation)
			}
			desc := prop(ev, ics.ComponentPropertyDescription)
			for _, w := range tt.wantDesc {
				if !strings.Contains(desc, w) {
					t.Errorf("DESCRIPTION %q lacks %q", desc, w)
				}
			}
		})
	}
}

// Long values with multi-byte characters and every character that needs
// escaping survive folding and escaping, read back by golang-ical.
func TestICSFoldingAndEscaping(t *testing.T) {
	d := sample(t, "de", provider.KindJitsi)
	d.JoinURL = "https://jitsi.example.org/" + strings.Repeat("äöü€😀,;\\", 20)
	uid := strings.Repeat("ü", 60) + ",;\\x@counsel.invalid"
	b, err := invite.ICS(d, uid, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, b)
	unfolded := strings.ReplaceAll(string(b), "\r\n ", "")
	wantLoc := "\r\nLOCATION:https://jitsi.example.org/" + strings.Repeat(`äöü€😀\,\;\\`, 20) + "\r\n"
	if !strings.Contains(unfolded, wantLoc) {
		t.Error("LOCATION is not escaped as RFC 5545 3.3.11 says")
	}
	_, ev := parseICS(t, b)
	if got := prop(ev, ics.ComponentPropertyUniqueId); got != uid { // not ev.Id(), which unescapes twice
		t.Errorf("UID round trip: %q", got)
	}
	if got := prop(ev, ics.ComponentPropertyLocation); got != d.JoinURL {
		t.Errorf("LOCATION round trip: %q", got)
	}
	if desc := prop(ev, ics.ComponentPropertyDescription); !strings.HasSuffix(desc, "\n"+d.JoinURL) {
		t.Errorf("DESCRIPTION round trip: %q", desc)
	}
}

func TestICSRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*invite.Data, *string, *time.Time)
		want   string
	}{
		{"EmptyUID", func(_ *invite.Data, uid *string, _ *time.Time) { *uid = "" }, "uid is empty"},
		{"UIDWithLF", func(_ *invite.Data, uid *string, _ *time.Time) { *uid = "a\nb" }, "uid contains control"},
		{"NoNow", func(_ *invite.Data, _ *string, now *time.Time) { *now = time.Time{} }, "now is not set"},
		{"MeetingIDWithCR", func(d *invite.Data, _ *string, _ *time.Time) {
			*d = sample(t, "en", provider.KindBlizz)
			d.MeetingID = "m12\r\nX-Evil:1"
		}, "MeetingID contains control"},
		{"BadLang", func(d *invite.Data, _ *string, _ *time.Time) { d.Lang = "xx" }, "Lang"},
		{"NoStart", func(d *invite.Data, _ *string, _ *time.Time) { d.Start = time.Time{} }, "Start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, uid, now := sample(t, "de", provider.KindJitsi), "x@counsel.invalid", fixedNow
			tt.change(&d, &uid, &now)
			_, err := invite.ICS(d, uid, now)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
