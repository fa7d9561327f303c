package audit_test

import (
	"testing"

	"github.com/expeerienced/counsel/internal/audit"
)

// FuzzParseHashAndTime: --head takes a hash, and audit exports carry times; both are read
// from files an auditor was handed.
func FuzzParseHashAndTime(f *testing.F) {
	f.Add(" 73C0B25A4225969997C047D24D414F3AF1963984612FDAE262D8A65F92858600\n")
	f.Add("2026-11-28T09:00:00.000000000Z")
	f.Add("2026-11-28T09:00:00Z")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if h, err := audit.ParseHash(s); err == nil {
			if again, err := audit.ParseHash(h); err != nil || again != h || len(h) != 64 {
				t.Fatalf("ParseHash(%q) = %q, which reads back as %q, %v", s, h, again, err)
			}
		}
		if tm, err := audit.ParseTime(s); err == nil {
			if back := audit.FormatTime(tm); back != s {
				t.Fatalf("ParseTime(%q) formats back as %q: one instant, two spellings", s, back)
			}
		}
	})
}
