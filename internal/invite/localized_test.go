package invite_test

import (
	"strings"
	"testing"

	"github.com/expeerienced/counsel/data"
	"github.com/expeerienced/counsel/internal/provider"
)

// withGerman is the test Blizz provider with a German wording of every
// client-facing text field.
func withGerman() provider.Provider {
	p := blizzProvider()
	p.Name = "Blizz (now TeamViewer Meeting)"
	p.Encryption.Transport = "encrypted with TLS"
	p.DataLocation = "European Union"
	p.Translations = map[string]provider.Translation{"de": {
		Name:          "Blizz (heute TeamViewer Meeting)",
		Operator:      "Beispielhersteller GmbH",
		GDPRStatement: "laut Hersteller DSGVO-konform",
		DataCollected: "nur was für den Betrieb nötig ist; keine Inhalte",
		Encryption:    provider.EncryptionText{Transport: "TLS-verschlüsselt", Limits: "laut Hersteller; nicht unabhängig geprüft"},
		DataLocation:  "in der EU",
	}}
	return p
}

func TestRenderUsesTranslation(t *testing.T) {
	tm := mustLoad(t)
	p := withGerman()
	de := p.Translations["de"]
	fields := []struct{ name, english, german string }{
		{"name", p.Name, de.Name},
		{"operator", p.Operator, de.Operator},
		{"gdpr_statement", p.GDPRStatement, de.GDPRStatement},
		{"data_collected", p.DataCollected, de.DataCollected},
		{"encryption.transport", p.Encryption.Transport, de.Encryption.Transport},
		{"encryption.limits", p.Encryption.Limits, de.Encryption.Limits},
		{"data_location", p.DataLocation, de.DataLocation},
	}
	want := map[string]struct {
		consent, body []string // lines, or line prefixes, that must appear
	}{
		"de": {
			consent: []string{
				"Angaben zum Datenschutz bei Blizz (heute TeamViewer Meeting):",
				"- Betreiber: Beispielhersteller GmbH",
				"- DSGVO: laut Hersteller DSGVO-konform",
				"- Erhobene Daten: nur was für den Betrieb nötig ist; keine Inhalte",
				"- Verschlüsselung bei der Übertragung: TLS-verschlüsselt",
				"  Einschränkungen: laut Hersteller; nicht unabhängig geprüft",
				"- Speicherort der Daten: in der EU",
			},
			body: []string{"System: Blizz (heute TeamViewer Meeting)"},
		},
		"en": {
			consent: []string{
				"Data protection facts for Blizz (now TeamViewer Meeting):",
				"- Operator: Example Vendor GmbH",
				"- GDPR: GDPR compliant according to the vendor",
				"- Data collected: only what is needed to run the service; no content data",
				"- Encryption in transit: encrypted with TLS",
				"  Limits: according to the vendor; not independently verified",
				"- Data location: European Union",
			},
			body: []string{"System:   Blizz (now TeamViewer Meeting)"},
		},
	}
	for _, lang := range []string{"de", "en"} {
		t.Run(lang, func(t *testing.T) {
			d := sample(t, lang, provider.KindBlizz)
			d.Provider = p
			m := mustRender(t, tm, d)
			for _, l := range want[lang].consent {
				if !hasLine(m.ConsentText, l) {
					t.Errorf("consent notice lacks the line %q:\n%s", l, m.ConsentText)
				}
			}
			for _, l := range want[lang].body {
				if !hasLine(m.Body, l) {
					t.Errorf("body lacks the line %q", l)
				}
			}
			for _, f := range fields {
				shown, hidden := f.german, f.english
				if lang == "en" {
					shown, hidden = hidden, shown
				}
				if !strings.Contains(m.Body, shown) {
					t.Errorf("%s: body lacks %q", f.name, shown)
				}
				if strings.Contains(m.Body, hidden) {
					t.Errorf("%s: body shows %q, the wrong language", f.name, hidden)
				}
			}
		})
	}
	t.Run("the caller's provider is unchanged", func(t *testing.T) {
		d := sample(t, "de", provider.KindBlizz)
		d.Provider = p
		mustRender(t, tm, d)
		if d.Provider.Name != "Blizz (now TeamViewer Meeting)" || d.Provider.Operator != "Example Vendor GmbH" {
			t.Errorf("Render changed the provider it was given: %+v", d.Provider)
		}
	})
}

// The vetted list renders in German without its English facts: the notice
// must be understandable to a German-speaking client (GDPR Art. 12).
func TestRenderEmbeddedProvidersInGerman(t *testing.T) {
	ps, err := provider.Parse(provider.EmbeddedName, data.Providers())
	if err != nil {
		t.Fatal(err)
	}
	tm := mustLoad(t)
	for _, p := range ps {
		t.Run(p.ID, func(t *testing.T) {
			d := sample(t, "de", p.Kind)
			d.Provider = p
			m := mustRender(t, tm, d)
			for name, english := range map[string]string{
				"operator":             p.Operator,
				"gdpr_statement":       p.GDPRStatement,
				"data_collected":       p.DataCollected,
				"encryption.transport": p.Encryption.Transport,
				"encryption.limits":    p.Encryption.Limits,
				"data_location":        p.DataLocation,
			} {
				if english != "" && strings.Contains(m.ConsentText, english) {
					t.Errorf("German notice shows the English %s", name)
				}
			}
			if de := p.Translations["de"]; de.Name != "" && !strings.Contains(m.ConsentText, de.Name) {
				t.Errorf("German notice lacks the German name %q", de.Name)
			}
		})
	}
}

func hasLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}
