// Package provider holds the vetted list of video-conference providers and the
// rules that decide which meeting links a counsellor may send to a client.
//
// A provider is data, reviewed by people and dated; nothing here is specific
// to one provider except the two kinds (Jitsi and Blizz) and their link rules.
package provider

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

// Provider is one vetted video system. Field tags are the stable keys of the
// provider files (YAML) and of `providers list --format json`.
type Provider struct {
	ID       string `yaml:"id" json:"id"`
	Name     string `yaml:"name" json:"name"`
	Kind     Kind   `yaml:"kind" json:"kind"`
	BaseURL  string `yaml:"base_url" json:"base_url"`                   // Jitsi: https://host/ ; Blizz: vendor site
	JoinURL  string `yaml:"join_url_template" json:"join_url_template"` // Blizz: https://go.blizz.com/join/{id}
	Operator string `yaml:"operator" json:"operator"`

	Registration  Registration `yaml:"registration" json:"registration"`
	GDPRStatement string       `yaml:"gdpr_statement" json:"gdpr_statement"`
	PrivacyPolicy string       `yaml:"privacy_policy_url" json:"privacy_policy_url"`
	DataCollected string       `yaml:"data_collected" json:"data_collected"`
	Encryption    Encryption   `yaml:"encryption" json:"encryption"`
	DataLocation  string       `yaml:"data_location" json:"data_location"`
	PhoneDialIn   bool         `yaml:"phone_dial_in" json:"phone_dial_in"`
	HelpURL       string       `yaml:"help_url" json:"help_url"`

	Rating *Rating `yaml:"authority_rating,omitempty" json:"authority_rating,omitempty"`

	ReviewedOn string   `yaml:"reviewed_on" json:"reviewed_on"` // YYYY-MM-DD
	ReviewDue  string   `yaml:"review_due" json:"review_due"`   // YYYY-MM-DD
	Status     Status   `yaml:"status" json:"status"`
	Unverified bool     `yaml:"unverified,omitempty" json:"unverified"` // existence or facts could not be confirmed
	Notes      string   `yaml:"notes,omitempty" json:"notes"`
	Sources    []Source `yaml:"sources" json:"sources"`
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
	Date      string `yaml:"date" json:"date"` // YYYY or YYYY-MM-DD
	Source    string `yaml:"source" json:"source"`
}

// Source backs a fact in the record.
type Source struct {
	Title     string `yaml:"title" json:"title"`
	URL       string `yaml:"url" json:"url"`
	Retrieved string `yaml:"retrieved,omitempty" json:"retrieved"`
}
