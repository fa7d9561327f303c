package invite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
	sets map[string]func() (langSet, error)
}

// set returns the templates of lang, parsing the built-in ones on first use.
func (t *Templates) set(lang string) (langSet, error) {
	get, ok := t.sets[lang]
	if !ok {
		return langSet{}, fmt.Errorf("invite: no templates for language %s", lang)
	}
	return get()
}

type langSet struct {
	invite, consent, cancel                      *template.Template
	inviteVersion, consentVersion, cancelVersion string
}

// templateVersion reads the required first line of every template, for example
// {{/* version: consent-de-2026-11-28 */ -}} (trim markers optional): the version is a
// letter or digit and up to 63 more of letters, digits and ._+-. Written out rather than
// as a regular expression, which cost every session command its compilation; the test
// checks it against that expression.
func templateVersion(line string) (string, bool) {
	s, ok := strings.CutPrefix(strings.TrimSuffix(line, "\r"), "{{")
	if !ok {
		return "", false
	}
	s = strings.TrimPrefix(s, "- ")
	if s, ok = strings.CutPrefix(s, "/* version: "); !ok {
		return "", false
	}
	if s, ok = strings.CutSuffix(s, "}}"); !ok {
		return "", false
	}
	if s, ok = strings.CutSuffix(strings.TrimSuffix(s, " -"), " */"); !ok {
		return "", false
	}
	if len(s) == 0 || len(s) > 64 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '+' && c != '-') {
			return "", false
		}
	}
	return s, true
}

// LoadTemplates reads the templates for every language: invite.LANG.tmpl,
// consent.LANG.tmpl and cancel.LANG.tmpl from embedded, each replaced by a file of the
// same name in overrideDir when there is one. A missing overrideDir (or "") means no
// overrides. Errors name the file (the override's path) and line.
//
// When a counsellor's own template takes part, every template is parsed and rendered
// once with sample data for both kinds of provider, so a misspelt field fails here, not
// in front of a client. The built-in ones alone are checked by go test and parsed when
// their language is first rendered.
func LoadTemplates(embedded fs.FS, overrideDir string) (*Templates, error) {
	if embedded == nil {
		return nil, errors.New("invite: no embedded templates")
	}
	t := &Templates{sets: make(map[string]func() (langSet, error))}
	own := false // a counsellor's own template takes part
	srcs := map[string][3]source{}
	for _, lang := range Langs() {
		var s [3]source
		for i, kind := range []string{"invite", "consent", "cancel"} {
			var err error
			if s[i], err = read(embedded, overrideDir, kind+"."+lang+".tmpl"); err != nil {
				return nil, err
			}
			own = own || s[i].own
		}
		srcs[lang] = s
	}
	// The built-in templates are checked by go test (TestBuiltInTemplatesRender) and parsed
	// when a language is first used; a counsellor's own template is parsed and checked here,
	// with all the others, before it can fail on a client's e-mail.
	for _, lang := range Langs() {
		s := srcs[lang]
		t.sets[lang] = sync.OnceValues(func() (langSet, error) { return parseSet(s) })
		if own {
			if _, err := t.sets[lang](); err != nil {
				return nil, err
			}
		}
	}
	if own {
		if err := t.check(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// source is one template's text, its name (the override's path or the embedded file's
// name) and the version from its first line.
type source struct {
	name, version, text string
	own                 bool
}

// parseSet parses the invite, consent and cancel templates of one language.
func parseSet(s [3]source) (langSet, error) {
	var set langSet
	var err error
	if set.invite, err = parse(s[0]); err != nil {
		return langSet{}, err
	}
	if set.invite.Lookup("subject") == nil {
		return langSet{}, fmt.Errorf(`invite: %s: no {{define "subject"}} block`, set.invite.Name())
	}
	if set.consent, err = parse(s[1]); err != nil {
		return langSet{}, err
	}
	if set.cancel, err = parse(s[2]); err != nil {
		return langSet{}, err
	}
	if set.cancel.Lookup("subject") == nil {
		return langSet{}, fmt.Errorf(`invite: %s: no {{define "subject"}} block`, set.cancel.Name())
	}
	set.inviteVersion, set.consentVersion, set.cancelVersion = s[0].version, s[1].version, s[2].version
	return set, nil
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
func read(embedded fs.FS, overrideDir, file string) (source, error) {
	name := file
	src, err := readOverride(overrideDir, file)
	switch {
	case err != nil:
		return source{}, err
	case src != nil:
		name = filepath.Join(overrideDir, file)
	default:
		if src, err = fs.ReadFile(embedded, file); err != nil {
			return source{}, fmt.Errorf("invite: embedded template %s: %w", file, err)
		}
	}
	first, _, _ := strings.Cut(string(src), "\n")
	version, ok := templateVersion(first)
	if !ok {
		return source{}, fmt.Errorf("invite: %s:1: the first line must be {{/* version: NAME */}}", name)
	}
	return source{name: name, version: version, text: string(src), own: name != file}, nil
}

func parse(s source) (*template.Template, error) {
	tmpl, err := template.New(s.name).Option("missingkey=error").Parse(s.text)
	if err != nil {
		return nil, fmt.Errorf("invite: %w", err)
	}
	return tmpl, nil
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
