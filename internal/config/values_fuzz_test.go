package config_test

import (
	"testing"

	"github.com/expeerienced/counsel/internal/config"
)

// FuzzFromValues: values come from flags, COUNSEL_* variables and the config file. Any text
// gives either a Config or field errors that name a known key.
func FuzzFromValues(f *testing.F) {
	f.Add("Europe/Berlin", "de", "90", "3", "Anna Beispiel <anna@example.org>")
	f.Add("Mars/Olympus", "fr", "-1", "x", "not an address")
	f.Add("", "", "0", "99999999999999999999", "\x00")
	f.Fuzz(func(t *testing.T, tz, lang, days, years, counsellor string) {
		cfg, errs := config.FromValues(map[string]string{
			"timezone": tz, "language": lang, "retention_session_days": days,
			"retention_consent_years": years, "counsellor": counsellor,
		})
		for _, e := range errs {
			if _, ok := config.Lookup(e.Key); !ok {
				t.Fatalf("error for unknown key %q: %v", e.Key, e)
			}
		}
		if len(errs) == 0 && (cfg.RetentionSessionDays < 1 || cfg.RetentionConsentYears < 1) {
			t.Fatalf("accepted retention %d days, %d years", cfg.RetentionSessionDays, cfg.RetentionConsentYears)
		}
	})
}
