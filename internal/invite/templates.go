package invite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/expeerienced/counsel/internal/provider"
)

// maxTemplateSize bounds an override file; a real template is a few KiB.
const maxTemplateSize = 256 << 10

// Templates are the parsed e-mail templates, one invite and one consent
// template per language. They are read-only once loaded.
type Templates struct {
	sets map[string]langSet
}

type langSet struct {
	invite, consent, cancel                      *template.Template
	inviteVersion, consentVersion, cancelVersion string
}

// versionLine is the required first line of every template, for example
// {{/* version: consent-de-2026-11-28 */ -}} (trim markers optional). Compiled on first use,
// when templates are loaded, not at every start.
var versionLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\{\{(?:- )?/\* version: ([A-Za-z0-9][A-Za-z0-9._+-]{0,63}) \*/(?: -)?\}\}\r?$`)
})

// LoadTemplates parses the templates for every language: invite.LANG.tmpl
// and consent.LANG.tmpl from embedded, each replaced by a file of the same
// name in overrideDir when there is one. A missing overrideDir (or "") means
// no overrides. Errors name the file (the override's path) and line.
//
// Every template is also rendered once with sample data for both kinds of
// provider, so a misspelt field fails here, not in front of a client.
func LoadTemplates(embedded fs.FS, overrideDir string) (*Templates, error) {
	if embedded == nil {
		return nil, errors.New("invite: no embedded templates")
	}
	t := &Templates{sets: make(map[string]langSet)}
	own := false // a counsellor's own template takes part
	load := func(embedded fs.FS, overrideDir, file string) (*template.Template, string, error) {
		tmpl, version, err := load(embedded, overrideDir, file)
		if err == nil && tmpl.Name() != file {
			own = true
		}
		return tmpl, version, err
	}
	for _, lang := range Langs() {
		var set langSet
		var err error
		if set.invite, set.inviteVersion, err = load(embedded, overrideDir, "invite."+lang+".tmpl"); err != nil {
			return nil, err
		}
		if set.invite.Lookup("subject") == nil {
			return nil, fmt.Errorf(`invite: %s: no {{define "subject"}} block`, set.invite.Name())
		}
		if set.consent, set.consentVersion, err = load(embedded, overrideDir, "consent."+lang+".tmpl"); err != nil {
			return nil, err
		}
		if set.cancel, set.cancelVersion, err = load(embedded, overrideDir, "cancel."+lang+".tmpl"); err != nil {
			return nil, err
		}
		if set.cancel.Lookup("subject") == nil {
			return nil, fmt.Errorf(`invite: %s: no {{define "subject"}} block`, set.cancel.Name())
		}
		t.sets[lang] = set
	}
	// The built-in templates are checked by go test (TestBuiltInTemplatesRender); a
	// counsellor's own template is checked here, before it can fail on a client's e-mail.
	if own {
		if err := t.check(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// check renders every template with sample data: an invitation, a moved invitation and a
// cancellation in every language.
func (t *Templates) check() error {
	for _, lang := range Langs() {
		for _, d := range samples(lang) {
			if _, err := t.Render(d); err != nil {
				return err // names the file, and the line where text/template knows it
			}
			if _, err := t.RenderCancel(d); err != nil {
				return err
			}
			moved := d
			moved.Moved, moved.PreviousStart = true, d.Start.Add(-24*time.Hour)
			if _, err := t.Render(moved); err != nil {
				return err
			}
		}
	}
	return nil
}

// load reads and parses one template file. Its name inside text/template is
// the override's path or the embedded file name, so parse and execution
// errors ("template: NAME:LINE: ...") point at the right file.
func load(embedded fs.FS, overrideDir, file string) (*template.Template, string, error) {
	name := file
	src, err := readOverride(overrideDir, file)
	switch {
	case err != nil:
		return nil, "", err
	case src != nil:
		name = filepath.Join(overrideDir, file)
	default:
		if src, err = fs.ReadFile(embedded, file); err != nil {
			return nil, "", fmt.Errorf("invite: embedded template %s: %w", file, err)
		}
	}
	first, _, _ := strings.Cut(string(src), "\n")
	m := versionLine().FindStringSubmatch(first)
	if m == nil {
		return nil, "", fmt.Errorf("invite: %s:1: the first line must be {{/* version: NAME */}}", name)
	}
	tmpl, err := template.New(name).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, "", fmt.Errorf("invite: %w", err)
	}
	return tmpl, m[1], nil
}

// readOverride returns the override file's content, or nil when there is none.
func readOverride(dir, file string) ([]byte, error) {
	if dir == "" {
		return nil, nil
	}
	path := filepath.Join(dir, file)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("invite: override template: %w", err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxTemplateSize+1))
	if err != nil {
		return nil, fmt.Errorf("invite: override template: %w", err)
	}
	if len(src) > maxTemplateSize {
		return nil, fmt.Errorf("invite: %s: larger than %d KiB", path, maxTemplateSize>>10)
	}
	return src, nil
}

func execute(t *template.Template, name string, data any) (string, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("invite: %w", err)
	}
	return b.String(), nil
}

// View is what the invite template sees (fields documented in
// data/templates/README.md).
type view struct {
	Lang            string
	ClientName      string
	When            string // "Donnerstag, 3. Dezember 2026, 10:00 Uhr (Europe/Berlin)"
	Date            string
	StartTime       string
	EndTime         string
	TimeZone        string
	DurationMinutes int
	Provider        provider.Provider
	IsBlizz         bool
	IsJitsi         bool
	JoinURL         string
	MeetingID       string
	Place           string
	Organisation    string
	CounsellorName  string
	CounsellorEmail string
	ConsentText     string
	// Group: the session has several clients. GroupNotE2EE: and it runs on
	// Jitsi, where a call of three or more is not end-to-end encrypted by
	// default. Series: Dates lists every date (spelled out, first included).
	Group        bool
	GroupNotE2EE bool
	Series       bool
	Dates        []string
	Moved        bool
	PreviousWhen string // a moved session's former start, spelled like When; empty otherwise
	consent      consentView
}

// consentView is all the consent template sees: nothing about the client
// or the meeting, so the hashed text depends only on provider and settings.
type consentView struct {
	Lang               string
	Provider           provider.Provider
	ClientLines        []string // the provider's short lines in this language
	IsBlizz            bool
	IsJitsi            bool
	Organisation       string
	Contact            string // the counsellor's address: how to reach the controller
	PolicyURL          string
	PrivacyURL         string
	WithdrawalContact  string
	ComplaintAuthority string
	ComplaintURL       string
	SessionDays        int
	ConsentYears       int
}

// subjectView is all the subject sees: a subject line travels in clear
// through mail servers and shows in notifications, so no client name.
type subjectView struct {
	Moved        bool
	Lang         string
	When         string
	Date         string
	StartTime    string
	TimeZone     string
	ProviderName string
	IsBlizz      bool
	IsJitsi      bool
	Organisation string
	Group        bool
	Series       bool
	Count        int // number of dates of a series
}

func newView(lang string, d Data) *view {
	w := spell(lang, d.Start, d.Duration, d.Location)
	// The client reads the provider's facts in the language of the e-mail.
	prov := d.Provider.Localized(lang)
	blizz, jitsi := prov.Kind == provider.KindBlizz, prov.Kind == provider.KindJitsi
	var dates []string
	if len(d.Dates) > 1 {
		for _, t := range d.Dates {
			dw := spell(lang, t, d.Duration, d.Location)
			line := dw.Date + ", " + dw.StartTime
			if lang == "de" {
				line += " Uhr"
			}
			dates = append(dates, line)
		}
	}
	v := &view{
		Group:           d.IsGroup(),
		GroupNotE2EE:    d.IsGroup() && jitsi,
		Series:          len(dates) > 1,
		Dates:           dates,
		Lang:            lang,
		ClientName:      strings.TrimSpace(d.ClientName),
		When:            w.Full,
		Date:            w.Date,
		StartTime:       w.StartTime,
		EndTime:         w.EndTime,
		TimeZone:        w.TimeZone,
		DurationMinutes: int(d.Duration.Round(time.Minute) / time.Minute),
		Provider:        prov,
		IsBlizz:         blizz,
		IsJitsi:         jitsi,
		JoinURL:         d.JoinURL,
		MeetingID:       d.MeetingID,
		Place:           strings.TrimSpace(d.Place),
		Organisation:    strings.TrimSpace(d.Organisation),
		CounsellorName:  strings.TrimSpace(d.CounsellorName),
		CounsellorEmail: d.CounsellorEmail,
		Moved:           d.Moved,
		consent: consentView{
			Lang:               lang,
			Provider:           prov,
			ClientLines:        prov.Lines(lang),
			IsBlizz:            blizz,
			IsJitsi:            jitsi,
			Organisation:       strings.TrimSpace(d.Organisation),
			Contact:            d.CounsellorEmail,
			PolicyURL:          d.PolicyURL,
			PrivacyURL:         d.PrivacyURL,
			WithdrawalContact:  strings.TrimSpace(d.WithdrawalContact),
			ComplaintAuthority: strings.TrimSpace(d.ComplaintAuthority),
			ComplaintURL:       d.ComplaintURL,
			SessionDays:        d.SessionDays,
			ConsentYears:       d.ConsentYears,
		},
	}
	if d.Moved && !d.PreviousStart.IsZero() {
		pw := spell(lang, d.PreviousStart, d.Duration, d.Location)
		v.PreviousWhen = pw.Date + ", " + pw.StartTime
		if lang == "de" {
			v.PreviousWhen += " Uhr"
		}
	}
	return v
}

func (v *view) consentData() consentView { return v.consent }

func (v *view) subjectData() subjectView {
	return subjectView{
		Moved:        v.Moved,
		Lang:         v.Lang,
		When:         v.When,
		Date:         v.Date,
		StartTime:    v.StartTime,
		TimeZone:     v.TimeZone,
		ProviderName: v.Provider.Name,
		IsBlizz:      v.IsBlizz,
		IsJitsi:      v.IsJitsi,
		Organisation: v.Organisation,
		Group:        v.Group,
		Series:       v.Series,
		Count:        len(v.Dates),
	}
}

// samples are synthetic sessions, one per kind of provider, used to try
// every template once at load time.
func samples(lang string) []Data {
	base := Data{
		Lang:              lang,
		SessionID:         "sample",
		ClientName:        "Client-A",
		Start:             time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC),
		Duration:          50 * time.Minute,
		Location:          time.UTC,
		Place:             "Videoberatung",
		Organisation:      "Beispiel-Beratung",
		CounsellorName:    "Muster Person",
		CounsellorEmail:   "beratung@example.org",
		PolicyURL:         "https://example.org/datenschutz",
		PrivacyURL:        "https://example.org/privacy",
		WithdrawalContact: "beratung@example.org",

		ComplaintAuthority: "Sample authority",
		ComplaintURL:       "https://authority.example.org/",
		SessionDays:        90,
		ConsentYears:       3,
	}
	rating := &provider.Rating{Value: "red", Authority: "Sample authority", Date: "2021", Source: "https://example.org/rating"}
	blizz := base
	blizz.Provider = provider.Provider{
		ID: "sample-blizz", Name: "Sample Blizz", Kind: provider.KindBlizz,
		BaseURL: "https://example.org/", Operator: "Sample operator", GDPRStatement: "sample",
		PrivacyPolicy: "https://example.org/privacy", DataCollected: "sample", DataLocation: "EU",
		Registration: provider.Registration{Host: true},
		Encryption:   provider.Encryption{Transport: "TLS", E2E: provider.E2EDefault, Limits: "sample"},
		PhoneDialIn:  true, HelpURL: "https://example.org/help", Rating: rating,
	}
	blizz.MeetingID = "m12-345-678"
	blizz.JoinURL = "https://example.org/join/m12345678"
	jitsi := base
	jitsi.Provider = provider.Provider{
		ID: "sample-jitsi", Name: "Sample Jitsi", Kind: provider.KindJitsi,
		BaseURL: "https://jitsi.example.org/", Operator: "Sample operator",
		Encryption: provider.Encryption{Transport: "TLS", E2E: provider.E2EOneToOne},
	}
	jitsi.JoinURL = "https://jitsi.example.org/sampleroom"
	return []Data{blizz, jitsi}
}
