package invite_test

import (
	"strings"
	"testing"

	"github.com/expeerienced/counsel/data"
	"github.com/expeerienced/counsel/internal/provider"
)

// The client reads the provider's name and its short lines in the language
// of the e-mail, and none of the counsellor-facing base text.
func TestRenderUsesClientLines(t *testing.T) {
	tm := mustLoad(t)
	p := blizzProvider()
	p.Name = "Blizz (now TeamViewer Meeting)"
	p.Translations = map[string]provider.Translation{"de": {Name: "Blizz (heute TeamViewer Meeting)"}}
	p.ClientLines = map[string][]string{
		"de": {"Betrieben von Beispielhersteller GmbH.", "Zweite Zeile."},
		"en": {"Run by Example Vendor GmbH.", "Second line."},
	}
	want := map[string][]string{
		"de": {"System: Blizz (heute TeamViewer Meeting)", "- Betrieben von Beispielhersteller GmbH.", "- Zweite Zeile."},
		"en": {"System:   Blizz (now TeamViewer Meeting)", "- Run by Example Vendor GmbH.", "- Second line."},
	}
	for _, lang := range []string{"de", "en"} {
		t.Run(lang, func(t *testing.T) {
			d := sample(t, lang, provider.KindBlizz)
			d.Provider = p
			m := mustRender(t, tm, d)
			for _, l := range want[lang] {
				if !hasLine(m.Body, l) {
					t.Errorf("body lacks the line %q:\n%s", l, m.Body)
				}
			}
			other := "en"
			if lang == "en" {
				other = "de"
			}
			for _, l := range p.ClientLines[other] {
				if strings.Contains(m.Body, l) {
					t.Errorf("body shows %q, the wrong language", l)
				}
			}
			for _, base := range []string{p.GDPRStatement, p.DataCollected, p.Encryption.Limits, p.Notes} {
				if base != "" && strings.Contains(m.Body, base) {
					t.Errorf("body shows counsellor-facing text %q", base)
				}
			}
		})
	}
	t.Run("the caller's provider is unchanged", func(t *testing.T) {
		d := sample(t, "de", provider.KindBlizz)
		d.Provider = p
		mustRender(t, tm, d)
		if d.Provider.Name != "Blizz (now TeamViewer Meeting)" {
			t.Errorf("Render changed the provider it was given: %+v", d.Provider.Name)
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
			if de := p.Translations["de"]; de.Name != "" && !strings.Contains(m.Body, de.Name) {
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
