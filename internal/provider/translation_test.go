package provider_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/expeerienced/counsel/internal/provider"
)

// withTranslations inserts block (lines indented for the first record) after
// line 25 of validFile, so the block starts at line 26.
func withTranslations(block string) string {
	return edit(25, "  status: active\n"+strings.TrimSuffix(block, "\n"))
}

// withSubject is withTranslations on a file whose first record's rating
// names its subject; the subject line shifts the block down by one, so it
// starts at line 27.
func withSubject(block string) string {
	return strings.Replace(withTranslations(block),
		"    source: https://authority.example.org/list\n",
		"    source: https://authority.example.org/list\n    subject: example services as a class\n", 1)
}

const deBlock = `  translations:
    de:
      name: Beispiel-Jitsi
      operator: Beispiel e.V.
      gdpr_statement: Beispielerklärung.
      data_collected: Raumname und Anzeigename.
      encryption:
        transport: TLS und DTLS-SRTP
      data_location: Deutschland
    en:
      operator: Example association
`

func TestParseTranslations(t *testing.T) {
	ps, err := provider.Parse("ok.yaml", []byte(withTranslations(deBlock)))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := map[string]provider.Translation{
		"de": {
			Name: "Beispiel-Jitsi", Operator: "Beispiel e.V.", GDPRStatement: "Beispielerklärung.",
			DataCollected: "Raumname und Anzeigename.", DataLocation: "Deutschland",
			Encryption: provider.EncryptionText{Transport: "TLS und DTLS-SRTP"},
		},
		"en": {Operator: "Example association"},
	}
	if got := ps[0].Translations; !reflect.DeepEqual(got, want) {
		t.Errorf("translations = %+v\nwant %+v", got, want)
	}
	if ps[1].Translations != nil {
		t.Errorf("record without translations has %+v", ps[1].Translations)
	}

	t.Run("rating subject", func(t *testing.T) {
		block := "  translations:\n    de:\n      authority_rating:\n        subject: Beispieldienste als Gruppe\n" +
			"    en:\n      authority_rating:\n        subject: example services as a group\n"
		ps, err := provider.Parse("ok.yaml", []byte(withSubject(block)))
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		want := map[string]provider.Translation{
			"de": {Rating: provider.RatingText{Subject: "Beispieldienste als Gruppe"}},
			"en": {Rating: provider.RatingText{Subject: "example services as a group"}},
		}
		if got := ps[0].Translations; !reflect.DeepEqual(got, want) {
			t.Errorf("translations = %+v\nwant %+v", got, want)
		}
	})

	for name, block := range map[string]string{
		"empty mapping": "  translations: {}\n",
		"null":          "  translations: ~\n",
	} {
		t.Run(name, func(t *testing.T) {
			ps, err := provider.Parse("ok.yaml", []byte(withTranslations(block)))
			if err != nil || ps[0].Translations != nil {
				t.Errorf("Parse = %+v, %v; want no translations", ps[0].Translations, err)
			}
		})
	}
}

func TestParseTranslationErrors(t *testing.T) {
	tests := []struct {
		name  string
		block string
		want  string
	}{
		{"unknown language", "  translations:\n    fr:\n      operator: Exemple\n", "bad.yaml:27: translations.fr: unknown language (want de or en)"},
		{"language not a plain word", "  translations:\n    \"d e\":\n      operator: x\n", `bad.yaml:27: translations."d e": unknown language`},
		{"language given twice", "  translations:\n    de:\n      operator: a\n    de:\n      operator: b\n", "bad.yaml:29: translations.de: given twice"},
		{"unknown field", "  translations:\n    de:\n      notes: Hinweis\n", "bad.yaml:28: translations.de.notes: unknown field"},
		{"untranslatable field", "  translations:\n    de:\n      status: aktiv\n", "bad.yaml:28: translations.de.status: unknown field"},
		{"e2e level is not text", "  translations:\n    de:\n      encryption:\n        e2e: ja\n", "bad.yaml:29: translations.de.encryption.e2e: unknown field"},
		{"not a mapping", "  translations: [de]\n", "bad.yaml:26: translations: want a mapping"},
		{"language not a mapping", "  translations:\n    de: Deutsch\n", "bad.yaml:27: translations.de: want a mapping of fields"},
		{"list for text", "  translations:\n    de:\n      data_collected: [a, b]\n", "bad.yaml:28: translations.de.data_collected: want text"},
		{"blank text", "  translations:\n    de:\n      data_collected: \" \"\n", "bad.yaml:28: translations.de.data_collected: must not be blank"},
		{"newline in a single-line field", "  translations:\n    de:\n      operator: \"a\\nb\"\n", "bad.yaml:28: translations.de.operator: must be a single line"},
		{"name too long", "  translations:\n    de:\n      name: " + strings.Repeat("x", 81) + "\n", "bad.yaml:28: translations.de.name: longer than 80 characters"},
		{"control character", "  translations:\n    de:\n      encryption:\n        transport: \"TLS\\u0007\"\n", "bad.yaml:29: translations.de.encryption.transport: contains a control character"},
		{"nothing to translate", "  translations:\n    de:\n      encryption:\n        limits: Nur zu zweit.\n", "bad.yaml:29: translations.de.encryption.limits: encryption.limits is empty, so there is nothing to translate"},
		{"alias", "  translations:\n    de: &t\n      operator: a\n    en: *t\n", "bad.yaml:29: translations.en: aliases are not supported"},
		{"rating subject without a base subject", "  translations:\n    de:\n      authority_rating:\n        subject: Beispieldienste\n", "bad.yaml:29: translations.de.authority_rating.subject: authority_rating.subject is empty, so there is nothing to translate"},
		{"rating value is not text", "  translations:\n    de:\n      authority_rating:\n        value: rot\n", "bad.yaml:29: translations.de.authority_rating.value: unknown field"},
		{"rating authority is not translated", "  translations:\n    en:\n      authority_rating:\n        authority: Berlin\n", "bad.yaml:29: translations.en.authority_rating.authority: unknown field"},
		{"rating not a mapping", "  translations:\n    de:\n      authority_rating: rot\n", "bad.yaml:28: translations.de.authority_rating: want a mapping of fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := provider.Parse("bad.yaml", []byte(withTranslations(tt.block)))
			if err == nil {
				t.Fatalf("Parse accepted the file; want %q", tt.want)
			}
			var fe *provider.FieldError
			if !errors.As(err, &fe) || fe.Line < 1 || fe.Field == "" {
				t.Fatalf("error %v carries no *FieldError with line and field", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}

	// With a subject in the base record, its translation follows the rules
	// of authority_rating.subject: one line, at most 300 characters.
	subjectTests := []struct {
		name  string
		block string
		want  string
	}{
		{"newline in the rating subject", "  translations:\n    de:\n      authority_rating:\n        subject: \"a\\nb\"\n", "bad.yaml:30: translations.de.authority_rating.subject: must be a single line"},
		{"rating subject too long", "  translations:\n    en:\n      authority_rating:\n        subject: " + strings.Repeat("x", 301) + "\n", "bad.yaml:30: translations.en.authority_rating.subject: longer than 300 characters"},
		{"blank rating subject", "  translations:\n    en:\n      authority_rating:\n        subject: \" \"\n", "bad.yaml:30: translations.en.authority_rating.subject: must not be blank"},
	}
	for _, tt := range subjectTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := provider.Parse("bad.yaml", []byte(withSubject(tt.block)))
			if err == nil {
				t.Fatalf("Parse accepted the file; want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestLocalized(t *testing.T) {
	base := provider.Provider{
		ID: "x", Name: "Example Jitsi", Operator: "Example association",
		GDPRStatement: "Says so.", DataCollected: "Room name.", DataLocation: "Germany",
		Encryption: provider.Encryption{Transport: "TLS", E2E: provider.E2EOneToOne, Limits: "Two only."},
		Rating:     &provider.Rating{Value: provider.RatingRed, Authority: "Authority", Date: "2021", Source: "https://example.org/", Subject: "such services as a class"},
		Translations: map[string]provider.Translation{
			"de": {
				Name: "Beispiel-Jitsi", Operator: "Beispielverein", GDPRStatement: "Sagt er.",
				DataCollected: "Raumname.", DataLocation: "Deutschland",
				Encryption: provider.EncryptionText{Transport: "TLS (verschlüsselt)", Limits: "Nur zu zweit."},
				Rating:     provider.RatingText{Subject: "solche Dienste als Gruppe"},
			},
			"en": {DataLocation: "Germany (plain)"},
		},
	}
	t.Run("de replaces every client-facing field", func(t *testing.T) {
		want := base
		want.Name, want.Operator, want.GDPRStatement = "Beispiel-Jitsi", "Beispielverein", "Sagt er."
		want.DataCollected, want.DataLocation = "Raumname.", "Deutschland"
		want.Encryption = provider.Encryption{Transport: "TLS (verschlüsselt)", E2E: provider.E2EOneToOne, Limits: "Nur zu zweit."}
		want.Rating = &provider.Rating{Value: provider.RatingRed, Authority: "Authority", Date: "2021", Source: "https://example.org/", Subject: "solche Dienste als Gruppe"}
		if got := base.Localized("de"); !reflect.DeepEqual(got, want) {
			t.Errorf("Localized(de) =\n%+v\nwant\n%+v", got, want)
		}
	})
	t.Run("empty fields keep the base text", func(t *testing.T) {
		got := base.Localized("en")
		if got.DataLocation != "Germany (plain)" || got.Operator != "Example association" || got.Encryption != base.Encryption ||
			got.Rating.Subject != "such services as a class" {
			t.Errorf("Localized(en) = %+v, rating %+v", got, got.Rating)
		}
	})
	for _, lang := range []string{"fr", ""} {
		t.Run("no translation for "+lang, func(t *testing.T) {
			if got := base.Localized(lang); !reflect.DeepEqual(got, base) {
				t.Errorf("Localized(%q) changed the record: %+v", lang, got)
			}
		})
	}
	t.Run("the original is unchanged", func(t *testing.T) {
		_ = base.Localized("de")
		if base.Name != "Example Jitsi" || base.Encryption.Limits != "Two only." {
			t.Errorf("Localized changed its receiver: %+v", base)
		}
		// Rating is a pointer: translating its subject must not write
		// through to the record the registry hands to everyone else.
		if base.Rating.Subject != "such services as a class" {
			t.Errorf("Localized changed the receiver's rating: %+v", base.Rating)
		}
	})
	t.Run("no rating stays no rating", func(t *testing.T) {
		p := base
		p.Rating = nil
		if got := p.Localized("de"); got.Rating != nil {
			t.Errorf("Localized(de) made up a rating: %+v", got.Rating)
		}
	})
}
