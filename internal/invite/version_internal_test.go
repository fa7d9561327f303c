package invite

import (
	"regexp"
	"strings"
	"testing"
)

// versionLineRE is the first line's grammar as a regular expression, the oracle for
// templateVersion.
var versionLineRE = regexp.MustCompile(`^\{\{(?:- )?/\* version: ([A-Za-z0-9][A-Za-z0-9._+-]{0,63}) \*/(?: -)?\}\}\r?$`)

func checkTemplateVersion(t *testing.T, line string) {
	t.Helper()
	got, ok := templateVersion(line)
	m := versionLineRE.FindStringSubmatch(line)
	if ok != (m != nil) || ok && got != m[1] {
		t.Errorf("templateVersion(%q) = %q, %v; the grammar says %q", line, got, ok, m)
	}
}

func TestTemplateVersion(t *testing.T) {
	for _, line := range []string{
		"{{/* version: consent-de-2026-11-28 */}}",
		"{{/* version: consent-de-2026-11-28 */ -}}",
		"{{- /* version: x */ -}}",
		"{{- /* version: x */}}\r",
		"{{/* version: a.b_c+d-e */}}",
		"{{/* version: " + strings.Repeat("a", 64) + " */}}",
		"{{/* version: " + strings.Repeat("a", 65) + " */}}",
		"{{/* version: -x */}}",
		"{{/* version: .x */}}",
		"{{/* version:  x */}}",
		"{{/* version: x y */}}",
		"{{/* version:  */}}",
		"{{/* version: x */}}\r\r",
		"{{/* version: x */}} ",
		" {{/* version: x */}}",
		"{{- - /* version: x */}}",
		"{{/* version: x */ - -}}",
		"{{/* version: x *//}}",
		"{{/* version: ä */}}",
		"{{/* Version: x */}}",
		"{{/* version: x */",
		"{{}}",
		"",
	} {
		checkTemplateVersion(t, line)
	}
}

func FuzzTemplateVersion(f *testing.F) {
	f.Add("{{- /* version: consent-de-2026-11-28 */ -}}\r")
	f.Add("{{/* version: x */}}")
	f.Fuzz(func(t *testing.T, line string) { checkTemplateVersion(t, line) })
}
