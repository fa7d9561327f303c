package invite_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // fixed zone data: tests must not depend on the machine's

	"github.com/expeerienced/counsel/data"
	"github.com/expeerienced/counsel/internal/config"
	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The providers are the vetted list's own records and the settings are the
// defaults: the goldens and budgets are what a client receives from a fresh
// installation. Tests that need a provider of their own build one.
func embeddedProvider(id string) provider.Provider {
	ps, err := provider.Parse(provider.EmbeddedName, data.Providers())
	if err != nil {
		panic(err)
	}
	for _, p := range ps {
		if p.ID == id {
			return p
		}
	}
	panic("no embedded provider " + id)
}

func blizzProvider() provider.Provider { return embeddedProvider("blizz") }

func jitsiProvider() provider.Provider { return embeddedProvider("sichere-videokonferenz") }

func berlin(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func sample(t testing.TB, lang string, kind provider.Kind) invite.Data {
	place := "Videoberatung"
	if lang == "en" {
		place = "Video consultation"
	}
	d := invite.Data{
		Lang:               lang,
		SessionID:          "01JDX3Q7Z8",
		ClientName:         "Client-A",
		Start:              time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), // 10:00 in Berlin
		Duration:           50 * time.Minute,
		Location:           berlin(t),
		Place:              place,
		Organisation:       "exPEERienced",
		CounsellorName:     "Muster Person",
		CounsellorEmail:    "beratung@example.org",
		PolicyURL:          config.DefaultPolicyURL,
		PrivacyURL:         config.DefaultPrivacyURL,
		ComplaintAuthority: config.DefaultComplaintAuthority,
		ComplaintURL:       config.DefaultComplaintURL,
		SessionDays:        90,
		ConsentYears:       3,
	}
	if kind == provider.KindBlizz {
		d.Provider = blizzProvider()
		d.MeetingID = "m12-345-678"
		d.JoinURL = "https://go.blizz.com/join/m12345678"
	} else {
		d.Provider = jitsiProvider()
		d.JoinURL = "https://sichere-videokonferenz.de/k3m9x2p7q4w8z5r1t6y0"
	}
	return d
}

func mustLoad(t testing.TB) *invite.Templates {
	t.Helper()
	tm, err := invite.LoadTemplates(data.Templates(), "")
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func mustRender(t testing.TB, tm *invite.Templates, d invite.Data) invite.Message {
	t.Helper()
	m, err := tm.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test -update and review the diff)\n--- got ---\n%s", path, got)
	}
}

var cases = []struct {
	name string
	lang string
	kind provider.Kind
}{
	{"de_blizz", "de", provider.KindBlizz},
	{"de_jitsi", "de", provider.KindJitsi},
	{"en_blizz", "en", provider.KindBlizz},
	{"en_jitsi", "en", provider.KindJitsi},
}

func TestRenderGolden(t *testing.T) {
	tm := mustLoad(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := sample(t, c.lang, c.kind)
			m := mustRender(t, tm, d)
			golden(t, c.name+".txt", []byte("Subject: "+m.Subject+"\n\n"+m.Body))

			ics, err := invite.ICS(d, d.SessionID+"@counsel.invalid", fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+".ics", ics)

			var eml bytes.Buffer
			if err := invite.EML(&eml, m, sampleHeader(t), ics); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+".eml", eml.Bytes())

			// The session moved two days later: the updated invitation
			// under the same UID with a higher SEQUENCE.
			moved := d
			moved.Moved, moved.PreviousStart, moved.Start = true, d.Start, d.Start.Add(48*time.Hour)
			mm := mustRender(t, tm, moved)
			golden(t, c.name+"_move.txt", []byte("Subject: "+mm.Subject+"\n\n"+mm.Body))
			mics, err := invite.Calendar(moved, invite.Event{UID: d.SessionID + "@counsel.invalid", Sequence: 1}, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+"_move.ics", mics)
			eml.Reset()
			if err := invite.EML(&eml, mm, sampleHeader(t), mics); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+"_move.eml", eml.Bytes())

			// The cancellation: same UID, SEQUENCE above the last one sent.
			cm, err := tm.RenderCancel(d)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+"_cancel.txt", []byte("Subject: "+cm.Subject+"\n\n"+cm.Body))
			cics, err := invite.Calendar(d, invite.Event{UID: d.SessionID + "@counsel.invalid", Sequence: 2, Cancel: true}, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+"_cancel.ics", cics)
			eml.Reset()
			if err := invite.EML(&eml, cm, sampleHeader(t), cics); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+"_cancel.eml", eml.Bytes())
		})
	}
}

func TestRenderMessage(t *testing.T) {
	tm := mustLoad(t)
	tests := []struct {
		name          string
		lang          string
		kind          provider.Kind
		want          []string // in the body
		wantSubject   string
		wantVersion   string
		wantInviteVer string
	}{
		{"de_blizz", "de", provider.KindBlizz, []string{
			"Hallo Client-A,",
			"Donnerstag, 3. Dezember 2026, 10:00 Uhr (Europe/Berlin)",
			"50 Minuten (10:00 bis 10:50 Uhr)",
			"Blizz-App (Windows, macOS, iOS,\nAndroid, von https://www.blizz.com/)", "Öffnen Sie kurz vor dem Termin diesen Link",
			"m12-345-678", "https://go.blizz.com/join/m12345678",
			"geplantes Meeting mit Passwort", "gesondert",
			"„Ja, ich bin einverstanden.“", "nur mit Ihrer\nEinwilligung",
			"Art. 7 Abs. 3 DSGVO", "TeamViewer Germany GmbH",
			"https://gut-beraten.berlin/impressum/datenschutz-in-der-videoberatung\nhttps://gut-beraten.berlin/impressum/datenschutz\n",
			"Muster Person\nexPEERienced",
		}, "Einladung zur Videoberatung am Donnerstag, 3. Dezember 2026, 10:00 Uhr", "consent-de-2026-11-30", "invite-de-2026-11-30"},
		{"de_jitsi", "de", provider.KindJitsi, []string{
			"Hallo Client-A,", "diesen Link im Browser",
			"https://sichere-videokonferenz.de/k3m9x2p7q4w8z5r1t6y0", "Pseudonym genügt",
			"wenn sich zwei Geräte direkt verbinden",
			"„Ja, ich bin einverstanden.“", "Berliner Beauftragte für Datenschutz",
		}, "Einladung zur Videoberatung am Donnerstag, 3. Dezember 2026, 10:00 Uhr", "consent-de-2026-11-30", "invite-de-2026-11-30"},
		{"en_blizz", "en", provider.KindBlizz, []string{
			"Hello Client-A,", "Thursday, 3 December 2026, 10:00 (Europe/Berlin)", "50 minutes (10:00 to 10:50)",
			"m12-345-678", "scheduled meeting with a password", "Art. 7(3) GDPR", "\"Yes, I agree.\"",
			"Place:    Video consultation",
		}, "Invitation to a video consultation on Thursday, 3 December 2026, 10:00", "consent-en-2026-11-30", "invite-en-2026-11-30"},
		{"en_jitsi", "en", provider.KindJitsi, []string{
			"in your browser", "a pseudonym is fine",
			"https://sichere-videokonferenz.de/k3m9x2p7q4w8z5r1t6y0", "takes place only with\nyour consent",
		}, "Invitation to a video consultation on Thursday, 3 December 2026, 10:00", "consent-en-2026-11-30", "invite-en-2026-11-30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustRender(t, tm, sample(t, tt.lang, tt.kind))
			for _, w := range tt.want {
				if !strings.Contains(m.Body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			if m.Subject != tt.wantSubject {
				t.Errorf("subject = %q, want %q", m.Subject, tt.wantSubject)
			}
			if m.TemplateVersion != tt.wantVersion || m.InviteVersion != tt.wantInviteVer {
				t.Errorf("versions = %q, %q; want %q, %q", m.TemplateVersion, m.InviteVersion, tt.wantVersion, tt.wantInviteVer)
			}
			if m.Lang != tt.lang {
				t.Errorf("lang = %q", m.Lang)
			}
			if !strings.Contains(m.Body, m.ConsentText) || m.ConsentText == "" {
				t.Error("body does not contain the consent text")
			}
			sum := sha256.Sum256([]byte(m.ConsentText))
			if m.ConsentSHA256 != hex.EncodeToString(sum[:]) {
				t.Error("ConsentSHA256 is not the hash of ConsentText")
			}
			if strings.Contains(m.Subject, "Client-A") {
				t.Error("subject carries the client name")
			}
			for _, secret := range []string{"Client-A", "m12-345-678", "k3m9x2p7q4w8z5r1t6y0"} {
				if strings.Contains(m.ConsentText, secret) {
					t.Errorf("consent text carries session data %q", secret)
				}
			}
			if strings.Contains(m.Body, "\r") || strings.Contains(m.Body, "\n\n\n") || !strings.HasSuffix(m.Body, "\n") {
				t.Error("body is not normalised")
			}
		})
	}
}

func TestRenderDefaultsToGerman(t *testing.T) {
	tm := mustLoad(t)
	m := mustRender(t, tm, sample(t, "", provider.KindJitsi))
	if m.Lang != "de" || !strings.HasPrefix(m.Body, "Hallo ") {
		t.Errorf("lang = %q, body starts %q", m.Lang, m.Body[:10])
	}
}

// The hash stored with the consent event identifies the notice's wording; it
// must not vary with the client or the meeting, or it would be personal data.
func TestConsentHashIndependentOfSession(t *testing.T) {
	tm := mustLoad(t)
	a := sample(t, "de", provider.KindJitsi)
	b := a
	b.ClientName = "Client-B"
	b.JoinURL = "https://jitsi.example.org/zzzzzzzzzzzzzzzzzzzz"
	b.Start = b.Start.Add(48 * time.Hour)
	ma, mb := mustRender(t, tm, a), mustRender(t, tm, b)
	if ma.ConsentSHA256 != mb.ConsentSHA256 {
		t.Error("consent hash depends on the client or meeting")
	}
	c := a
	c.PolicyURL = "https://example.org/other-policy"
	if mustRender(t, tm, c).ConsentSHA256 == ma.ConsentSHA256 {
		t.Error("consent hash ignores the policy URL")
	}
}

// A configured withdrawal contact is named besides replying; without one,
// replying is the way (and the responsible's address is in the notice).
func TestRenderWithdrawalContact(t *testing.T) {
	tm := mustLoad(t)
	d := sample(t, "en", provider.KindJitsi)
	d.WithdrawalContact = "widerruf@example.org"
	m := mustRender(t, tm, d)
	if !strings.Contains(m.ConsentText, "A short reply\nto this e-mail is enough, or a message to\nwiderruf@example.org.") {
		t.Errorf("consent does not name the withdrawal contact:\n%s", m.ConsentText)
	}
}

func TestRenderRefuses(t *testing.T) {
	tm := mustLoad(t)
	const secret = "Secret-Name"
	tests := []struct {
		name   string
		change func(*invite.Data)
		want   string
	}{
		{"UnknownLang", func(d *invite.Data) { d.Lang = "fr" }, "Lang"},
		{"EmptyClient", func(d *invite.Data) { d.ClientName = "  " }, "ClientName is empty"},
		{"ClientWithLF", func(d *invite.Data) { d.ClientName = secret + "\nBcc: x@example.org" }, "ClientName contains control"},
		{"ClientWithCR", func(d *invite.Data) { d.ClientName = secret + "\r" }, "ClientName contains control"},
		{"ClientLineSeparator", func(d *invite.Data) { d.ClientName = secret + "\u2028" }, "ClientName contains control"},
		{"ClientBadUTF8", func(d *invite.Data) { d.ClientName = secret + "\xff" }, "ClientName is not valid UTF-8"},
		{"PlaceWithLF", func(d *invite.Data) { d.Place = secret + "\n" }, "Place contains control"},
		{"JoinURLSpace", func(d *invite.Data) { d.JoinURL = "https://jitsi.example.org/" + secret + " x" }, "JoinURL contains white space"},
		{"JitsiWithoutURL", func(d *invite.Data) { d.JoinURL = "" }, "JoinURL is empty"},
		{"BlizzWithoutID", func(d *invite.Data) { *d = sample(t, "de", provider.KindBlizz); d.MeetingID = "" }, "MeetingID is empty"},
		{"UnknownKind", func(d *invite.Data) { d.Provider.Kind = "zoom" }, "Provider.Kind"},
		{"NoProviderName", func(d *invite.Data) { d.Provider.Name = "" }, "Provider.Name is empty"},
		{"NoStart", func(d *invite.Data) { d.Start = time.Time{} }, "Start is not set"},
		{"NoDuration", func(d *invite.Data) { d.Duration = 0 }, "Duration"},
		{"HugeDuration", func(d *invite.Data) { d.Duration = 25 * time.Hour }, "Duration"},
		{"NoLocation", func(d *invite.Data) { d.Location = nil }, "Location is not set"},
		{"NoPolicy", func(d *invite.Data) { d.PolicyURL = "" }, "PolicyURL is empty"},
		{"NoOrganisation", func(d *invite.Data) { d.Organisation = " " }, "Organisation is empty"},
		{"NoPrivacyURL", func(d *invite.Data) { d.PrivacyURL = "" }, "PrivacyURL is empty"},
		{"NoComplaint", func(d *invite.Data) { d.ComplaintURL = "" }, "ComplaintAuthority or ComplaintURL"},
		{"NoRetention", func(d *invite.Data) { d.SessionDays = 0 }, "SessionDays"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sample(t, "de", provider.KindJitsi)
			tt.change(&d)
			_, err := tm.Render(d)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q echoes the input", err)
			}
		})
	}
}

func TestRenderNilTemplates(t *testing.T) {
	var tm *invite.Templates
	if _, err := tm.Render(sample(t, "de", provider.KindJitsi)); err == nil {
		t.Error("nil templates rendered")
	}
}

func TestDatesSpelledOut(t *testing.T) {
	tm := mustLoad(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		lang  string
		start time.Time
		loc   *time.Location
		want  string
	}{
		{"DeMarchAfterDST", "de", time.Date(2026, 3, 29, 8, 30, 0, 0, time.UTC), berlin(t), "Sonntag, 29. März 2026, 10:30 Uhr (Europe/Berlin)"},
		{"DeBeforeDST", "de", time.Date(2026, 3, 28, 8, 30, 0, 0, time.UTC), berlin(t), "Samstag, 28. März 2026, 09:30 Uhr (Europe/Berlin)"},
		{"DeNewYear", "de", time.Date(2026, 12, 31, 23, 15, 0, 0, time.UTC), berlin(t), "Freitag, 1. Januar 2027, 00:15 Uhr (Europe/Berlin)"},
		{"EnOtherZone", "en", time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), ny, "Thursday, 3 December 2026, 04:00 (America/New_York)"},
		{"EnMay", "en", time.Date(2027, 5, 17, 12, 0, 0, 0, time.UTC), time.UTC, "Monday, 17 May 2027, 12:00 (UTC)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sample(t, tt.lang, provider.KindJitsi)
			d.Start, d.Location = tt.start, tt.loc
			m := mustRender(t, tm, d)
			if !strings.Contains(m.Body, tt.want) {
				t.Errorf("body lacks %q", tt.want)
			}
		})
	}
}

// Without a configured contact or sender address, the notice still says how
// to withdraw: by replying to the e-mail it arrives in.
func TestWithdrawalFallsBackToReply(t *testing.T) {
	tm := mustLoad(t)
	for lang, want := range map[string]string{"de": "Eine kurze Antwort auf diese E-Mail genügt.", "en": "A short reply\nto this e-mail is enough."} {
		d := sample(t, lang, provider.KindJitsi)
		d.WithdrawalContact, d.CounsellorEmail = "", ""
		m, err := tm.Render(d)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.ConsentText, want) {
			t.Errorf("%s: consent text lacks %q:\n%s", lang, want, m.ConsentText)
		}
	}
}
