// Package provider holds the vetted list of video-conference providers and the
// rules that decide which meeting links a counsellor may send to a client.
//
// A provider is data, reviewed by people and dated; nothing here is specific
// to one provider except the two kinds (Jitsi and Blizz) and their link rules.
//
// Everything here is pure: dates are compared against a "today" the caller
// passes in, and randomness comes from a reader the caller may inject.
package provider

import (
	"errors"
	"fmt"
	"time"
)

// Kind is the video system a provider runs.
type Kind string

const (
	KindJitsi Kind = "jitsi"
	KindBlizz Kind = "blizz"
)

// Status says whether a provider may still be used.
type Status string

const (
	StatusActive     Status = "active"
	StatusDeprecated Status = "deprecated" // usable, with a warning
	StatusRetired    Status = "retired"    // refused by session new
)

// E2E levels of end-to-end encryption.
const (
	E2ENone     = "none"
	E2EOneToOne = "1:1 peer-to-peer"
	E2EOptional = "optional"
	E2EDefault  = "default"
)

// Rating values of a supervisory authority's traffic light.
const (
	RatingGreen  = "green"
	RatingYellow = "yellow"
	RatingRed    = "red"
)

// Provider is one vetted video system. Field tags are the stable keys of the
// provider files (YAML) and of `providers list --format json`.
type Provider struct {
	ID       string `yaml:"id" json:"id"`
	Name     string `yaml:"name" json:"name"`
	Kind     Kind   `yaml:"kind" json:"kind"`
	BaseURL  string `yaml:"base_url,omitempty" json:"base_url"`                   // Jitsi: https://host/ ; Blizz: vendor site
	JoinURL  string `yaml:"join_url_template,omitempty" json:"join_url_template"` // Blizz: https://go.blizz.com/join/{id}
	Operator string `yaml:"operator" json:"operator"`

	Registration  Registration `yaml:"registration" json:"registration"`
	GDPRStatement string       `yaml:"gdpr_statement" json:"gdpr_statement"`
	PrivacyPolicy string       `yaml:"privacy_policy_url" json:"privacy_policy_url"`
	DataCollected string       `yaml:"data_collected" json:"data_collected"`
	Encryption    Encryption   `yaml:"encryption" json:"encryption"`
	DataLocation  string       `yaml:"data_location" json:"data_location"`
	PhoneDialIn   bool         `yaml:"phone_dial_in" json:"phone_dial_in"`
	HelpURL       string       `yaml:"help_url,omitempty" json:"help_url"`

	Rating *Rating `yaml:"authority_rating,omitempty" json:"authority_rating,omitempty"`

	ReviewedOn string   `yaml:"reviewed_on" json:"reviewed_on"` // YYYY-MM-DD
	ReviewDue  string   `yaml:"review_due" json:"review_due"`   // YYYY-MM-DD
	Status     Status   `yaml:"status" json:"status"`
	Unverified bool     `yaml:"unverified,omitempty" json:"unverified"` // existence or facts could not be confirmed
	Notes      string   `yaml:"notes,omitempty" json:"notes"`
	Sources    []Source `yaml:"sources" json:"sources"`

	// UnverifiedFacts names the fact fields (FactFields) that no source
	// confirms, wholly or in part; `providers show` marks them.
	UnverifiedFacts []string `yaml:"unverified_facts,omitempty" json:"unverified_facts"`

	// ConsentForm lists what the organisation's consent form says about
	// this provider that current sources contradict, so the counsellor can
	// have the form updated. Never shown to clients.
	ConsentForm []ConsentFormNote `yaml:"consent_form,omitempty" json:"consent_form"`

	// ClientLines are, per language, the at most MaxClientLines short lines
	// about this provider that the client's e-mail carries: who runs it and
	// where the data is, end-to-end encryption, what to install, the
	// authority's rating. Only what holds; caveats stay in the fields above.
	ClientLines map[string][]string `yaml:"client_lines,omitempty" json:"client_lines,omitempty"`

	// Translations holds, per language ("de", "en"), the wording of the
	// text a client reads in the consent notice. The base fields are
	// English and written for counsellors; see Localized.
	Translations map[string]Translation `yaml:"translations,omitempty" json:"translations,omitempty"`
}

// Translation is one language's wording of a provider's client-facing text.
// Every field is optional; an empty one keeps the base text.
type Translation struct {
	Name          string         `yaml:"name,omitempty" json:"name,omitempty"`
	Operator      string         `yaml:"operator,omitempty" json:"operator,omitempty"`
	GDPRStatement string         `yaml:"gdpr_statement,omitempty" json:"gdpr_statement,omitempty"`
	DataCollected string         `yaml:"data_collected,omitempty" json:"data_collected,omitempty"`
	Encryption    EncryptionText `yaml:"encryption,omitempty" json:"encryption,omitzero"`
	DataLocation  string         `yaml:"data_location,omitempty" json:"data_location,omitempty"`
	Rating        RatingText     `yaml:"authority_rating,omitempty" json:"authority_rating,omitzero"`
}

// EncryptionText is the translatable text of Encryption; the e2e level is a
// fixed value that the templates word themselves.
type EncryptionText struct {
	Transport string `yaml:"transport,omitempty" json:"transport,omitempty"`
	Limits    string `yaml:"limits,omitempty" json:"limits,omitempty"`
}

// RatingText is the translatable text of Rating. Only the subject is: the
// value is a fixed word the templates translate, and the authority, date and
// source are names and references that stay as published.
type RatingText struct {
	Subject string `yaml:"subject,omitempty" json:"subject,omitempty"`
}

// Registration says who has to create an account.
type Registration struct {
	Host  bool `yaml:"host" json:"host"`
	Guest bool `yaml:"guest" json:"guest"`
}

// Encryption describes transport and end-to-end encryption.
type Encryption struct {
	Transport string `yaml:"transport" json:"transport"`
	E2E       string `yaml:"e2e" json:"e2e"` // one of the E2E* constants
	Limits    string `yaml:"limits,omitempty" json:"limits"`
}

// Rating is a supervisory authority's traffic-light rating.
type Rating struct {
	Value     string `yaml:"value" json:"value"` // green, yellow, red
	Authority string `yaml:"authority" json:"authority"`
	Date      string `yaml:"date" json:"date"` // YYYY, YYYY-MM or YYYY-MM-DD
	Source    string `yaml:"source" json:"source"`
	// Subject names what the authority rated when that is not exactly this
	// provider (a predecessor product, or a class such as "free public Jitsi
	// instances"), so a rating is never passed off as more specific than it is.
	Subject string `yaml:"subject,omitempty" json:"subject"`
}

// Source backs facts in the record.
type Source struct {
	Title     string `yaml:"title" json:"title"`
	URL       string `yaml:"url" json:"url"`
	Retrieved string `yaml:"retrieved,omitempty" json:"retrieved"` // YYYY-MM-DD
	// Facts names the fact fields (FactFields) this source confirms.
	Facts []string `yaml:"facts,omitempty" json:"facts"`
}

// ConsentFormNote is one outdated statement of the organisation's consent
// form: what it says, what current sources say, and the source.
type ConsentFormNote struct {
	Says    string `yaml:"says" json:"says"`
	Current string `yaml:"current" json:"current"`
	Source  string `yaml:"source" json:"source"`
}

// Limits of the client lines, shared by the provider file check and the
// e-mail budget tests: a line is shown as "- " + line in a 76-column e-mail.
const (
	MaxClientLines   = 4
	MaxClientLineLen = 74
)

// ClientJargon are terms a client line must not use: technical words and
// abbreviations a layperson cannot be expected to know. Matched case-
// insensitively as substrings.
var ClientJargon = []string{
	"DTLS", "SRTP", "Videobridge", "peer-to-peer", "P2P", "TLS", "HTTPS",
	"BlnBDI", "E2EE", "WebRTC", "EULA", "NAT", "seed",
}

// FactFields are the fields of a record that state a fact about the
// provider; each needs a source that confirms it or a place in
// unverified_facts. The rating carries its own source.
var FactFields = []string{
	"operator", "registration", "gdpr_statement", "privacy_policy_url", "data_collected",
	"encryption.transport", "encryption.e2e", "encryption.limits", "data_location",
	"phone_dial_in", "help_url", "join_url_template",
}

// claimedFacts are the FactFields that p states (empty optional fields and
// fields of the other kind are not claims).
func (p Provider) claimedFacts() []string {
	var out []string
	for _, f := range FactFields {
		switch {
		case f == "encryption.limits" && p.Encryption.Limits == "",
			f == "help_url" && p.HelpURL == "",
			f == "join_url_template" && p.Kind != KindBlizz:
			continue
		}
		out = append(out, f)
	}
	return out
}

// FactUnverified reports whether field is listed in UnverifiedFacts.
func (p Provider) FactUnverified(field string) bool {
	for _, f := range p.UnverifiedFacts {
		if f == field {
			return true
		}
	}
	return false
}

// FactSources are the sources that confirm field.
func (p Provider) FactSources(field string) []Source {
	var out []Source
	for _, s := range p.Sources {
		for _, f := range s.Facts {
			if f == field {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// Lines returns the client lines for lang (nil when there are none).
func (p Provider) Lines(lang string) []string { return p.ClientLines[lang] }

// ErrRetired is returned (wrapped) when a retired provider is asked for.
var ErrRetired = errors.New("retired and may not be used")

const dateLayout = "2006-01-02"

// Localized returns a copy of p with the translation for lang applied:
// each non-empty field of p.Translations[lang] replaces the base (English)
// text. Without a translation for lang, p comes back unchanged. The copy
// shares Sources and Translations with p, and Rating too unless its subject
// is translated (then Rating is a new copy, so p is never changed).
func (p Provider) Localized(lang string) Provider {
	t, ok := p.Translations[lang]
	if !ok {
		return p
	}
	if p.Rating != nil && t.Rating.Subject != "" {
		r := *p.Rating
		p.Rating = &r
	}
	for _, f := range translatedFields(&p, t) {
		if f.v != "" && f.base != nil {
			*f.base = f.v
		}
	}
	return p
}

// translatedField is one field a Translation may replace: its name in the file, the base
// field of the record (nil when the record has no rating to hold it), the translation's
// value, and the rules of the base field (multi-line text, or one line of at most max).
type translatedField struct {
	name      string
	base      *string
	v         string
	multiline bool
	max       int
}

// translatedFields pairs t with the fields of p it replaces; Localized applies them and the
// file check holds them to the rules of their base field.
func translatedFields(p *Provider, t Translation) []translatedField {
	var subject *string
	if p.Rating != nil {
		subject = &p.Rating.Subject
	}
	return []translatedField{
		{"name", &p.Name, t.Name, false, maxName},
		{"operator", &p.Operator, t.Operator, false, maxLine},
		{"gdpr_statement", &p.GDPRStatement, t.GDPRStatement, true, maxText},
		{"data_collected", &p.DataCollected, t.DataCollected, true, maxText},
		{"encryption.transport", &p.Encryption.Transport, t.Encryption.Transport, true, maxText},
		{"encryption.limits", &p.Encryption.Limits, t.Encryption.Limits, true, maxText},
		{"data_location", &p.DataLocation, t.DataLocation, true, maxText},
		{"authority_rating.subject", subject, t.Rating.Subject, false, maxLine},
	}
}

// ReviewOverdue reports whether the review was due before today. today is
// read as a calendar date in its own location; the due date itself is not
// overdue. An unreadable due date counts as overdue.
func (p Provider) ReviewOverdue(today time.Time) bool {
	if _, err := time.Parse(dateLayout, p.ReviewDue); err != nil {
		return true
	}
	// YYYY-MM-DD strings order like the dates they name.
	return today.Format(dateLayout) > p.ReviewDue
}

// Warnings lists short flags for a table column, most serious first:
// "retired", "deprecated", "review overdue", "red rating", "unverified".
// It returns nil when there is nothing to flag.
func (p Provider) Warnings(today time.Time) []string {
	var w []string
	switch p.Status {
	case StatusRetired:
		w = append(w, "retired")
	case StatusDeprecated:
		w = append(w, "deprecated")
	}
	if p.ReviewOverdue(today) {
		w = append(w, "review overdue")
	}
	if p.Rating != nil && p.Rating.Value == RatingRed {
		w = append(w, "red rating")
	}
	if p.Unverified {
		w = append(w, "unverified")
	}
	return w
}

// Usable is the decision `session new` takes: a retired provider is refused
// with an error wrapping ErrRetired; a deprecated provider, an overdue review
// and an unverified record each give a warning sentence, and the session may
// go ahead.
func (p Provider) Usable(today time.Time) (warnings []string, err error) {
	if p.Status == StatusRetired {
		return nil, fmt.Errorf("provider %s: %w", p.ID, ErrRetired)
	}
	if p.Status == StatusDeprecated {
		warnings = append(warnings, fmt.Sprintf("provider %s is deprecated; read its notes before sending an invitation", p.ID))
	}
	if p.ReviewOverdue(today) {
		warnings = append(warnings, fmt.Sprintf("the review of provider %s was due on %s", p.ID, p.ReviewDue))
	}
	if p.Unverified {
		warnings = append(warnings, fmt.Sprintf("provider %s could not be verified; read its notes", p.ID))
	}
	return warnings, nil
}
