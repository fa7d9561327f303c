// Package invite renders the one e-mail that both invites a client to a
// video consultation and carries the consent notice, plus the calendar event
// (.ics) and the draft file (.eml) around it.
//
// It is pure: it reads templates it is given, formats, and writes to the
// io.Writer it is handed. It never stores anything and never sends mail.
// Rendered text may contain the client's name (the e-mail goes to the
// client); errors never do, nor addresses or meeting links, only field names.
package invite

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/expeerienced/counsel/internal/provider"
)

// Data is everything one invitation is rendered from.
type Data struct {
	Lang              string // "de" (default when empty) or "en"
	SessionID         string
	ClientName        string // name or pseudonym; used in the greeting only
	Provider          provider.Provider
	Start             time.Time
	Duration          time.Duration
	Location          *time.Location // the session's time zone; times are shown in it
	JoinURL           string         // Jitsi: required; Blizz: the join link, optional
	MeetingID         string         // Blizz display form m12-345-678; empty for Jitsi
	Place             string
	Organisation      string
	CounsellorName    string
	CounsellorEmail   string
	PolicyURL         string // the consent declaration for video consultations
	PrivacyURL        string // the organisation's privacy policy (further information on rights)
	WithdrawalContact string // optional: another way to withdraw besides replying to the e-mail

	// The notice's Art. 13 facts from the configuration.
	ComplaintAuthority string // supervisory authority for complaints (Art. 77)
	ComplaintURL       string
	SessionDays        int // retention of session records after the session
	ConsentYears       int // retention of a withdrawal proof, in full calendar years

	// A moved session's updated invitation: Moved is set and PreviousStart
	// is the start the client had before.
	Moved         bool
	PreviousStart time.Time

	// Participants is the number of clients of the session (0 or 1: one
	// client). Each gets their own e-mail; only this number reaches it, never
	// the others' names.
	Participants int
	// Dates are all dates of a series, the first one equal to Start; empty
	// for a single session.
	Dates []time.Time
}

// Message is one rendered invitation.
type Message struct {
	Subject         string // one line, no client name
	Body            string // LF line endings; contains ConsentText exactly
	ConsentText     string // the consent notice as rendered into Body
	ConsentSHA256   string // hex SHA-256 of the UTF-8 bytes of ConsentText
	TemplateVersion string // version of the consent template that produced ConsentText
	InviteVersion   string // version of the invite template (subject and body)
	Lang            string
}

// Langs are the supported languages; the first is the default.
func Langs() []string { return []string{"de", "en"} }

// Render renders the invitation in d.Lang.
func (t *Templates) Render(d Data) (Message, error) {
	lang, set, v, err := t.prepare(d)
	if err != nil {
		return Message{}, err
	}

	consent, err := execute(set.consent, set.consent.Name(), v.consentData())
	if err != nil {
		return Message{}, err
	}
	consent = normalise(consent)
	if strings.TrimSpace(consent) == "" {
		return Message{}, fmt.Errorf("invite: %s renders an empty consent notice", set.consent.Name())
	}

	subject, err := renderSubject(set.invite, v)
	if err != nil {
		return Message{}, err
	}

	v.ConsentText = consent
	body, err := execute(set.invite, set.invite.Name(), v)
	if err != nil {
		return Message{}, err
	}
	body = normalise(body)
	// The stored hash must describe text the client really received.
	if !strings.Contains(body, consent) {
		return Message{}, fmt.Errorf("invite: %s does not include {{.ConsentText}} in the body", set.invite.Name())
	}

	sum := sha256.Sum256([]byte(consent))
	return Message{
		Subject:         subject,
		Body:            body,
		ConsentText:     consent,
		ConsentSHA256:   hex.EncodeToString(sum[:]),
		TemplateVersion: set.consentVersion,
		InviteVersion:   set.inviteVersion,
		Lang:            lang,
	}, nil
}

// RenderCancel renders the cancellation e-mail for the session d describes,
// in d.Lang (the language of the invitation). It carries no consent notice:
// nothing new is asked of the client.
func (t *Templates) RenderCancel(d Data) (Message, error) {
	lang, set, v, err := t.prepare(d)
	if err != nil {
		return Message{}, err
	}
	subject, err := renderSubject(set.cancel, v)
	if err != nil {
		return Message{}, err
	}
	body, err := execute(set.cancel, set.cancel.Name(), v)
	if err != nil {
		return Message{}, err
	}
	return Message{Subject: subject, Body: normalise(body), InviteVersion: set.cancelVersion, Lang: lang}, nil
}

// prepare checks d and returns its language, that language's templates and the view they
// render.
func (t *Templates) prepare(d Data) (string, langSet, *view, error) {
	if t == nil {
		return "", langSet{}, nil, errors.New("invite: no templates loaded")
	}
	lang, err := validate(d)
	if err != nil {
		return "", langSet{}, nil, err
	}
	set, err := t.set(lang)
	if err != nil {
		return "", langSet{}, nil, err
	}
	return lang, set, newView(lang, d), nil
}

// renderSubject renders the subject block of tmpl as one line; an empty one is an error.
func renderSubject(tmpl *template.Template, v *view) (string, error) {
	subject, err := execute(tmpl, "subject", v.subjectData())
	if err != nil {
		return "", err
	}
	subject = oneLine(subject)
	if subject == "" {
		return "", fmt.Errorf("invite: %s renders an empty subject", tmpl.Name())
	}
	return subject, nil
}

// validate checks d and returns its language. Errors name fields, never values.
func validate(d Data) (string, error) {
	lang, err := checkLang(d.Lang)
	if err != nil {
		return "", err
	}
	if err := checkEvent(d); err != nil {
		return "", err
	}
	if err := checkGroup(d); err != nil {
		return "", err
	}
	if d.Location == nil {
		return "", errors.New("invite: Location is not set")
	}
	fields := []struct {
		name, value string
		token       bool // no white space at all (links, IDs)
	}{
		{"SessionID", d.SessionID, true},
		{"ClientName", d.ClientName, false},
		{"Place", d.Place, false},
		{"Organisation", d.Organisation, false},
		{"CounsellorName", d.CounsellorName, false},
		{"CounsellorEmail", d.CounsellorEmail, true},
		{"PolicyURL", d.PolicyURL, true},
		{"PrivacyURL", d.PrivacyURL, true},
		{"WithdrawalContact", d.WithdrawalContact, false},
		{"ComplaintAuthority", d.ComplaintAuthority, false},
		{"ComplaintURL", d.ComplaintURL, true},
	}
	for _, f := range fields {
		if err := checkLine(f.name, f.value, f.token); err != nil {
			return "", err
		}
	}
	switch {
	case strings.TrimSpace(d.ClientName) == "":
		return "", errors.New("invite: ClientName is empty")
	case d.PolicyURL == "":
		return "", errors.New("invite: PolicyURL is empty")
	case d.PrivacyURL == "":
		return "", errors.New("invite: PrivacyURL is empty")
	case strings.TrimSpace(d.ComplaintAuthority) == "" || d.ComplaintURL == "":
		return "", errors.New("invite: ComplaintAuthority or ComplaintURL is empty")
	case d.SessionDays < 1 || d.ConsentYears < 1:
		return "", errors.New("invite: SessionDays and ConsentYears must be at least 1")
	case strings.TrimSpace(d.Organisation) == "":
		return "", errors.New("invite: Organisation is empty; the notice must name who is responsible")
	}
	return lang, nil
}

// checkEvent checks what both the e-mail and the calendar event need.
func checkEvent(d Data) error {
	if err := checkLine("Provider.Name", d.Provider.Name, false); err != nil {
		return err
	}
	if strings.TrimSpace(d.Provider.Name) == "" {
		return errors.New("invite: Provider.Name is empty")
	}
	if err := checkLine("JoinURL", d.JoinURL, true); err != nil {
		return err
	}
	if err := checkLine("MeetingID", d.MeetingID, true); err != nil {
		return err
	}
	switch d.Provider.Kind {
	case provider.KindBlizz:
		if d.MeetingID == "" {
			return errors.New("invite: MeetingID is empty (Blizz needs one)")
		}
	case provider.KindJitsi:
		if d.JoinURL == "" {
			return errors.New("invite: JoinURL is empty (Jitsi needs one)")
		}
	default:
		return errors.New("invite: Provider.Kind is neither jitsi nor blizz")
	}
	if d.Start.IsZero() {
		return errors.New("invite: Start is not set")
	}
	if d.Duration < time.Minute || d.Duration > 24*time.Hour {
		return errors.New("invite: Duration must be between 1 minute and 24 hours")
	}
	return nil
}

func checkLang(lang string) (string, error) {
	if lang == "" {
		return Langs()[0], nil
	}
	for _, l := range Langs() {
		if lang == l {
			return l, nil
		}
	}
	return "", errors.New("invite: Lang must be de or en")
}

// checkLine refuses text that could break a line, a header or a terminal:
// invalid UTF-8, control characters (CR and LF included) and Unicode line
// separators; token fields may not hold white space either.
func checkLine(name, s string, token bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("invite: %s is not valid UTF-8", name)
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("invite: %s contains control characters or line breaks", name)
		}
		if token && unicode.IsSpace(r) {
			return fmt.Errorf("invite: %s contains white space", name)
		}
	}
	return nil
}

// oneLine makes rendered text fit a header: every control character and
// line break becomes a space, runs of white space shrink to one.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// normalise gives rendered text one shape whatever the template's line
// endings: LF only, no trailing blanks on a line, at most one empty line in
// a row, no leading empty lines, exactly one final newline. Conditionals in
// templates can then leave blank lines behind without showing in the mail.
func normalise(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := true // drops leading empty lines
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(wrapLines(out), "\n"), "\n") + "\n"
}

// LineWidth is the longest line an e-mail has, in characters, except a line
// that holds only a URL (which must not be broken).
const LineWidth = 76

// wrapLines breaks every line longer than LineWidth at spaces, so that a
// long setting (an organisation's name, an address) cannot produce an
// overlong line. A continuation keeps the line's indent, and a list item's
// ("- ") continuation lines up under its text. Lines within the width come
// back unchanged, so wrapping twice changes nothing.
func wrapLines(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if utf8.RuneCountInString(l) <= LineWidth || isURLLine(l) {
			out = append(out, l)
			continue
		}
		body := strings.TrimLeft(l, " ")
		indent := l[:len(l)-len(body)]
		cont := indent
		if strings.HasPrefix(body, "- ") {
			cont += "  "
		}
		line, n := indent, utf8.RuneCountInString(indent)
		first := true
		for _, w := range strings.Fields(body) {
			wn := utf8.RuneCountInString(w)
			if !first && n+1+wn > LineWidth {
				out = append(out, line)
				line, n, first = cont, utf8.RuneCountInString(cont), true
			}
			if !first {
				line += " "
				n++
			}
			line += w
			n += wn
			first = false
		}
		out = append(out, line)
	}
	return out
}

// isURLLine reports whether l holds only one URL (perhaps indented).
func isURLLine(l string) bool {
	f := strings.Fields(l)
	return len(f) == 1 && (strings.HasPrefix(f[0], "https://") || strings.HasPrefix(f[0], "http://"))
}
