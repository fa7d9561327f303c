package provider_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/expeerienced/counsel/data"
	"github.com/expeerienced/counsel/internal/provider"
)

// The vetted list meets the review standard that `providers check` holds
// any file to: every fact sourced or marked unverified, every source dated,
// client lines in both languages.
func TestEmbeddedListPassesCheck(t *testing.T) {
	if _, err := provider.Check(provider.EmbeddedName, data.Providers()); err != nil {
		t.Fatalf("embedded list fails the review standard:\n%v", err)
	}
	for _, p := range embedded(t) {
		if p.ReviewedOn == "" || p.ReviewDue == "" {
			t.Errorf("%s: review dates not set", p.ID)
		}
		for _, lang := range []string{"de", "en"} {
			ls := p.Lines(lang)
			if len(ls) == 0 || len(ls) > provider.MaxClientLines {
				t.Errorf("%s: %d client lines in %s", p.ID, len(ls), lang)
			}
			for _, l := range ls {
				if n := utf8.RuneCountInString(l); n > provider.MaxClientLineLen {
					t.Errorf("%s/%s: client line of %d characters: %q", p.ID, lang, n, l)
				}
			}
		}
	}
}

// The eight claims the fact-check of 2026-11-30 refuted are gone from what
// counsel states (base text and client lines), and the corrections are in.
func TestRefutedClaimsAreGone(t *testing.T) {
	byID := map[string]provider.Provider{}
	for _, p := range embedded(t) {
		byID[p.ID] = p
	}
	b := byID["blizz"]
	// B6: the controller today is TeamViewer Germany GmbH, Bahnhofsplatz 2.
	if !strings.HasPrefix(b.Operator, "TeamViewer Germany GmbH, Bahnhofsplatz 2, 73033 Göppingen") {
		t.Errorf("B6: blizz operator is %q", b.Operator)
	}
	// B12: an account is needed to schedule, not for every meeting.
	if strings.Contains(b.DataCollected, "The host needs an account") || !strings.Contains(b.DataCollected, "spontaneous meeting works without logging in") {
		t.Errorf("B12: blizz data_collected still says the host always needs an account")
	}
	// B20: the browser works too; nothing says installing is required.
	for _, l := range append(b.Lines("de"), b.Lines("en")...) {
		if strings.Contains(strings.ToLower(l), "must install") || strings.Contains(l, "installieren Sie") {
			t.Errorf("B20: client line says installing is required: %q", l)
		}
	}
	if !strings.Contains(b.Notes, "browser") {
		t.Errorf("B20: blizz notes do not mention the browser")
	}
	for _, id := range []string{"jitsi-hamburg-freifunk", "jitsi-fem-tu-ilmenau", "sichere-videokonferenz"} {
		p := byID[id]
		lim := p.Encryption.Limits
		// C3: a direct connection is only attempted.
		if !strings.Contains(lim, "only when it succeeds") {
			t.Errorf("C3: %s limits do not say the direct connection may fail", id)
		}
		// C9: from 20 / from 25, not "above 25".
		if strings.Contains(lim, "above 25") || !strings.Contains(lim, "from 25 it is disabled") || !strings.Contains(lim, "from 20") {
			t.Errorf("C9: %s limits state the wrong boundaries", id)
		}
		// C13: dial-in is not claimed absent as a fact about Jitsi.
		if !p.FactUnverified("phone_dial_in") {
			t.Errorf("C13: %s states phone_dial_in as verified", id)
		}
		// C17, C18: noted once for the counsellor, never in client text.
		notes := map[string]int{}
		for _, n := range p.ConsentForm {
			for _, key := range []string{"non-commercial", "Internet Explorer", "two participants", "dial-in"} {
				if strings.Contains(n.Says, key) {
					notes[key]++
				}
			}
		}
		for _, key := range []string{"non-commercial", "Internet Explorer", "two participants", "dial-in"} {
			if notes[key] != 1 {
				t.Errorf("%s: consent form note on %q appears %d times, want once", id, key, notes[key])
			}
		}
		// The two-person line says when it holds.
		for _, lang := range []string{"de", "en"} {
			found := false
			for _, l := range p.Lines(lang) {
				if strings.Contains(l, "Ende-zu-Ende") || strings.Contains(l, "end-to-end") {
					found = strings.Contains(l, "direkt") || strings.Contains(l, "directly")
				}
			}
			if !found {
				t.Errorf("%s/%s: no client line says a call of two is encrypted only when directly connected", id, lang)
			}
		}
	}
}

// checkErrs runs Check on validFile changed by edit and returns the errors.
func checkErrs(t *testing.T, file string) string {
	t.Helper()
	_, err := provider.Check("p.yaml", []byte(file))
	if err == nil {
		return ""
	}
	return err.Error()
}

const sourcedTail = `  client_lines:
    de: ["Betrieb: Beispiel e. V."]
    en: ["Run by Example e.V."]
  sources:
    - title: Example source
      url: https://source.example.org/
      retrieved: 2026-11-28
      facts: [operator, registration, gdpr_statement, privacy_policy_url, data_collected, encryption.transport, encryption.e2e, help_url]
  unverified_facts: [data_location, phone_dial_in]
`

func sourcedFile(tail string) string {
	head, _, _ := strings.Cut(validFile, "- id: example-blizz")
	head, _, _ = strings.Cut(head, "  sources:")
	return head + tail
}

// `providers check` reports a fact without a source, a source without a
// date and missing client lines, each with its line and field.
func TestCheckReportsUnsourcedFacts(t *testing.T) {
	if msg := checkErrs(t, sourcedFile(sourcedTail)); msg != "" {
		t.Fatalf("a fully sourced record is refused:\n%s", msg)
	}
	// Parse alone accepts the list without the new fields: a counsellor's
	// file keeps working; only the check holds it to the standard.
	if _, err := provider.Parse("p.yaml", []byte(validFile)); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, tail, want string }{
		{"fact without source", strings.Replace(sourcedTail, "unverified_facts: [data_location, phone_dial_in]", "unverified_facts: [phone_dial_in]", 1),
			"p.yaml:15: data_location: no source confirms this fact"},
		{"source without date", strings.Replace(sourcedTail, "      retrieved: 2026-11-28\n", "", 1),
			"sources[0].retrieved: required"},
		{"no client lines", strings.Replace(sourcedTail, "    en: [\"Run by Example e.V.\"]\n", "", 1),
			"client_lines.en: required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := checkErrs(t, sourcedFile(c.tail))
			if !strings.Contains(msg, c.want) {
				t.Errorf("got %q, want %q", msg, c.want)
			}
		})
	}
}

// Client lines and fact names are validated by Parse too: few, short,
// plain, and naming facts the record states.
func TestParseClientLinesAndFactNames(t *testing.T) {
	cases := []struct{ name, tail, want string }{
		{"five lines", strings.Replace(sourcedTail, `de: ["Betrieb: Beispiel e. V."]`, `de: [a, b, c, d, e]`, 1), "client_lines.de: want 1 to 4 lines"},
		{"long line", strings.Replace(sourcedTail, `Betrieb: Beispiel e. V.`, strings.Repeat("x", 75), 1), "client_lines.de[0]: longer than 74 characters"},
		{"jargon", strings.Replace(sourcedTail, `Run by Example e.V.`, `Encrypted with DTLS-SRTP`, 1), `client_lines.en[0]: uses "DTLS"`},
		{"peer-to-peer", strings.Replace(sourcedTail, `Run by Example e.V.`, `Runs Peer-to-Peer`, 1), `uses "peer-to-peer"`},
		{"unknown language", strings.Replace(sourcedTail, `    en: [`, `    fr: [`, 1), "client_lines.fr: unknown language"},
		{"unknown fact", strings.Replace(sourcedTail, "[data_location, phone_dial_in]", "[data_location, phone_dial_in, weather]", 1), "unverified_facts[2]: not a fact this record states"},
		{"fact of other kind", strings.Replace(sourcedTail, "[data_location, phone_dial_in]", "[data_location, phone_dial_in, join_url_template]", 1), "unverified_facts[2]: not a fact this record states"},
		{"consent form note without source", sourcedTail + "  consent_form:\n    - says: x\n      current: y\n", "consent_form[0].source: required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := provider.Parse("p.yaml", []byte(sourcedFile(c.tail)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestJargonWholeWords(t *testing.T) {
	for s, want := range map[string]int{
		"Nationale Beratung":   0, // NAT inside a word
		"Atlas":                0, // TLS inside a word
		"über TLS":             1,
		"P2P-Verbindung":       1,
		"the seed says":        1,
		"Ende-zu-Ende im Netz": 0,
	} {
		if got := len(provider.Jargon(s)); got != want {
			t.Errorf("Jargon(%q) = %d terms, want %d", s, got, want)
		}
	}
}
