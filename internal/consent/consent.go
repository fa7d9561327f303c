// Package consent holds the consent record: events that are appended, never
// overwritten (GDPR Art. 7(1)). Field names follow ISO/IEC TS 27560 and the
// Kantara Consent Receipt where they fit.
package consent

// Event kinds.
const (
	NoticeSent = "notice_sent"
	Given      = "given"
	Withdrawn  = "withdrawn"
)

// Fixed facts of every consent counsel records.
const (
	Jurisdiction = "DE"
	// LegalBasis: explicit consent to processing of health data.
	LegalBasis = "GDPR Art. 9(2)(a)"
	Purpose    = "planning and holding peer-counselling video consultations"
)

// Notice identifies the exact consent text a person received.
type Notice struct {
	Language string // de or en
	Version  string // template version
	Hash     string // SHA-256 of the rendered consent text, lower-case hex
}
