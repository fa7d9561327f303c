// Package config defines counsel's settings: their names, defaults, help and
// validation. Where the values come from (flags, COUNSEL_* environment, the
// config file) is resolved by the CLI; this package only knows the rules.
package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// DefaultPolicyURL is the service's published consent declaration for video
// consultations, as named in its consent form.
const DefaultPolicyURL = "https://gut-beraten.berlin/impressum/datenschutz-in-der-videoberatung"

// DefaultPrivacyURL is the second link of the consent form: further
// information on data protection and the client's rights.
const DefaultPrivacyURL = "https://gut-beraten.berlin/impressum/datenschutz"

// The supervisory authority of a Berlin service (Art. 77 GDPR), named in the
// notice as where a client can complain.
const (
	DefaultComplaintAuthority = "Berliner Beauftragte für Datenschutz und Informationsfreiheit"
	DefaultComplaintURL       = "https://www.datenschutz-berlin.de/"
)

// Type is the kind of value a key holds.
type Type int

const (
	String Type = iota
	Int
)

// Key describes one setting.
type Key struct {
	Name    string
	Type    Type
	Default string // as text; "" means unset
	Help    string // one line, shown in `config init` and the docs
}

// Keys lists every setting, in the order they are shown.
var Keys = []Key{
	{"db", String, "", "database file (default: counsel.db in the user's data folder)"},
	{"timezone", String, "Europe/Berlin", "time zone for showing and entering times (IANA name)"},
	{"language", String, "de", "language of the invitation: de or en"},
	{"organisation", String, "exPEERienced", "name of the counselling service, used in the signature"},
	{"counsellor", String, "", `your name and sender address, e.g. "Anna Beispiel <anna@example.org>"`},
	{"place", String, "", "place recorded for each session, in every language (empty: place_de or place_en)"},
	{"place_de", String, "Videoberatung", "place for a session invited in German, when place is empty"},
	{"place_en", String, "Video consultation", "place for a session invited in English, when place is empty"},
	{"policy_url", String, DefaultPolicyURL, "web page with the consent declaration for video consultations"},
	{"privacy_url", String, DefaultPrivacyURL, "web page with the privacy policy and the client's rights"},
	{"complaint_authority", String, DefaultComplaintAuthority, "supervisory authority a client can complain to (its name, shown on a line of its own)"},
	{"complaint_url", String, DefaultComplaintURL, "web page of that authority"},
	{"withdrawal_contact", String, "", "how clients withdraw consent (an address or phone number)"},
	{"retention_session_days", Int, "90", "days a session record is kept after the session"},
	{"retention_consent_years", Int, "3", "years a withdrawal proof is kept after the end of the year of withdrawal"},
	{"retention_audit_years", Int, "3", "years an audit event is kept after the end of its year; older ones are removed, the trail continuing from a checkpoint"},
	{"horizon_years", Int, "2", "how many years ahead a session may be planned"},
}

// Lookup returns the key with this name.
func Lookup(name string) (Key, bool) {
	for _, k := range Keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// Config is the effective configuration.
type Config struct {
	DB                    string
	Timezone              string
	Language              string
	Organisation          string
	Counsellor            string
	Place                 string
	PlaceDE               string
	PlaceEN               string
	PolicyURL             string
	PrivacyURL            string
	ComplaintAuthority    string
	ComplaintURL          string
	WithdrawalContact     string
	RetentionSessionDays  int
	RetentionConsentYears int
	RetentionAuditYears   int
	HorizonYears          int
}

// MaxHorizonYears bounds horizon_years: far enough for any plan, near enough
// that every start stays a time the database can store and read back.
const MaxHorizonYears = 10

// FieldError is a problem with one key's value.
type FieldError struct {
	Key     string
	Problem string
}

// Validate checks values whose mistakes would otherwise surface later, in
// the middle of a command. Each problem names its key.
func (c Config) Validate() []*FieldError {
	var errs []*FieldError
	bad := func(key, problem string) { errs = append(errs, &FieldError{key, problem}) }
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		bad("timezone", fmt.Sprintf("unknown time zone %q (want an IANA name such as Europe/Berlin)", c.Timezone))
	}
	if c.Language != "de" && c.Language != "en" {
		bad("language", fmt.Sprintf("%q is not supported (want de or en)", c.Language))
	}
	if c.Counsellor != "" {
		if _, err := mail.ParseAddress(c.Counsellor); err != nil {
			bad("counsellor", `not a name and address (want "Name <address@example.org>")`)
		}
	}
	for _, kv := range [][2]string{{"policy_url", c.PolicyURL}, {"privacy_url", c.PrivacyURL}, {"complaint_url", c.ComplaintURL}} {
		key, v := kv[0], kv[1]
		if u, err := url.Parse(v); err != nil || u.Scheme != "https" || u.Host == "" || strings.ContainsAny(v, " \t\r\n") {
			bad(key, "want an https:// address")
		}
	}
	if strings.TrimSpace(c.Organisation) == "" {
		bad("organisation", "must not be empty: the notice names who is responsible")
	}
	if strings.TrimSpace(c.ComplaintAuthority) == "" {
		bad("complaint_authority", "must not be empty: the notice names where a client can complain")
	}
	if c.RetentionSessionDays < 1 {
		bad("retention_session_days", "want a whole number of days, at least 1")
	}
	if c.RetentionConsentYears < 1 {
		bad("retention_consent_years", "want a whole number of years, at least 1")
	}
	if c.RetentionAuditYears < 1 {
		bad("retention_audit_years", "want a whole number of years, at least 1")
	}
	if c.HorizonYears < 1 || c.HorizonYears > MaxHorizonYears {
		bad("horizon_years", fmt.Sprintf("want a whole number of years from 1 to %d", MaxHorizonYears))
	}
	return errs
}

// FromValues builds a Config from resolved text values keyed by Key.Name.
// Keys missing from values take their default.
func FromValues(values map[string]string) (Config, []*FieldError) {
	get := func(name string) string {
		if v, ok := values[name]; ok {
			return v
		}
		k, _ := Lookup(name)
		return k.Default
	}
	var errs []*FieldError
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(get(name)))
		if err != nil {
			errs = append(errs, &FieldError{name, "want a whole number"})
		}
		return n
	}
	c := Config{
		DB:                    get("db"),
		Timezone:              get("timezone"),
		Language:              get("language"),
		Organisation:          get("organisation"),
		Counsellor:            get("counsellor"),
		Place:                 get("place"),
		PlaceDE:               get("place_de"),
		PlaceEN:               get("place_en"),
		PolicyURL:             get("policy_url"),
		PrivacyURL:            get("privacy_url"),
		ComplaintAuthority:    get("complaint_authority"),
		ComplaintURL:          get("complaint_url"),
		WithdrawalContact:     get("withdrawal_contact"),
		RetentionSessionDays:  num("retention_session_days"),
		RetentionConsentYears: num("retention_consent_years"),
		RetentionAuditYears:   num("retention_audit_years"),
		HorizonYears:          num("horizon_years"),
	}
	if len(errs) > 0 {
		return c, errs
	}
	return c, c.Validate()
}

// PlaceFor is the place recorded for a session invited in lang: the place
// setting when set, else the language's default.
func (c Config) PlaceFor(lang string) string {
	switch {
	case c.Place != "":
		return c.Place
	case lang == "en":
		return c.PlaceEN
	}
	return c.PlaceDE
}

// Location is the configured time zone; call after Validate.
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Dir is counsel's folder in the user's configuration folder.
func Dir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user configuration folder: %w", err)
	}
	return filepath.Join(d, "counsel"), nil
}

// DataDir is counsel's folder in the user's data folder: XDG_DATA_HOME (or
// ~/.local/share) on Linux and BSD, ~/Library/Application Support on macOS,
// %LocalAppData% on Windows. getenv is os.Getenv outside tests.
func DataDir(getenv func(string) string) (string, error) {
	var base string
	switch runtime.GOOS {
	case "windows":
		base = getenv("LocalAppData")
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			base = filepath.Join(h, "Library", "Application Support")
		}
	default:
		// The XDG spec says a relative XDG_DATA_HOME is invalid and ignored.
		base = getenv("XDG_DATA_HOME")
		if !filepath.IsAbs(base) {
			base = ""
			if h := getenv("HOME"); h != "" {
				base = filepath.Join(h, ".local", "share")
			}
		}
	}
	if base == "" {
		return "", errors.New("cannot find the user data folder (HOME is not set)")
	}
	return filepath.Join(base, "counsel"), nil
}

// Template is a commented config file with every key at its default, for
// `counsel config init`.
func Template() string {
	var b strings.Builder
	b.WriteString("# counsel configuration. Remove the '#' in front of a line to set a value.\n")
	b.WriteString("# Precedence: command-line flag > COUNSEL_* environment variable > this file > default.\n\n")
	for _, k := range Keys {
		fmt.Fprintf(&b, "# %s\n", k.Help)
		switch {
		case k.Default == "":
			fmt.Fprintf(&b, "# %s: \"\"\n\n", k.Name)
		case k.Type == Int:
			fmt.Fprintf(&b, "# %s: %s\n\n", k.Name, k.Default)
		default:
			fmt.Fprintf(&b, "# %s: %q\n\n", k.Name, k.Default)
		}
	}
	return b.String()
}
