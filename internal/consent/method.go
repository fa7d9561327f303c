package consent

import (
	"fmt"
	"strings"
)

// Collection methods: how a person gave consent. The values are stored in
// consent_events.collection_method (ISO/IEC TS 27560 "collection method").
const (
	// MethodEmail: the person replied to the invitation e-mail agreeing to
	// the notice it carried. Explicit and provable by the reply.
	MethodEmail = "email"
	// MethodVerbal: the person said so, e.g. at the start of the call.
	// Explicit, but only the counsellor's record proves it.
	MethodVerbal = "verbal"
	// MethodForm: the person signed the consent form (paper or PDF).
	// Explicit and provable by the form.
	MethodForm = "form"
	// MethodUse: consent inferred from taking part, as the service's form
	// words it ("Mit der Nutzung ... bestätigen Sie ..."). Not an explicit
	// statement, so weak for health data under Art. 9(2)(a).
	MethodUse = "use"
)

// Methods returns every collection method, explicit ones first.
func Methods() []string {
	return []string{MethodEmail, MethodVerbal, MethodForm, MethodUse}
}

// ParseMethod checks that s is a collection method.
func ParseMethod(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, m := range Methods() {
		if s == m {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown consent method (want one of %s)", strings.Join(Methods(), ", "))
}

// Explicit reports whether the method records an explicit statement of
// consent, which GDPR Art. 9(2)(a) asks for health data. Taking part alone
// is not one.
func Explicit(method string) bool {
	return method == MethodEmail || method == MethodVerbal || method == MethodForm
}
