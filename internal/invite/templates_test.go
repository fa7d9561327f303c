package invite_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/expeerienced/counsel/data"
	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
)

func embeddedFile(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(data.Templates(), name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadTemplatesOverride(t *testing.T) {
	dir := t.TempDir()
	src := strings.Replace(embeddedFile(t, "invite.de.tmpl"), "invite-de-2026-11-30", "local-de-1", 1)
	src = strings.Replace(src, "ich lade Sie", "ich lade Sie ganz herzlich", 1)
	writeFile(t, dir, "invite.de.tmpl", src)

	tm, err := invite.LoadTemplates(data.Templates(), dir)
	if err != nil {
		t.Fatal(err)
	}
	de := mustRender(t, tm, sample(t, "de", provider.KindJitsi))
	if !strings.Contains(de.Body, "ganz herzlich") || de.InviteVersion != "local-de-1" {
		t.Errorf("override not used: version %q", de.InviteVersion)
	}
	if de.TemplateVersion != "consent-de-2026-11-30" {
		t.Errorf("consent template should stay embedded, version %q", de.TemplateVersion)
	}
	en := mustRender(t, tm, sample(t, "en", provider.KindJitsi))
	if en.InviteVersion != "invite-en-2026-11-30" {
		t.Errorf("en invite should stay embedded, version %q", en.InviteVersion)
	}
}

func TestLoadTemplatesOverrideConsent(t *testing.T) {
	dir := t.TempDir()
	src := "{{/* version: consent-local-7 */}}\nLocal consent for {{.Provider.Name}}:\n{{.PolicyURL}}\n"
	writeFile(t, dir, "consent.en.tmpl", src)
	tm, err := invite.LoadTemplates(data.Templates(), dir)
	if err != nil {
		t.Fatal(err)
	}
	m := mustRender(t, tm, sample(t, "en", provider.KindJitsi))
	want := "Local consent for sichere-videokonferenz.de (Jitsi Meet):\nhttps://gut-beraten.berlin/impressum/datenschutz-in-der-videoberatung\n"
	if m.ConsentText != want || m.TemplateVersion != "consent-local-7" {
		t.Errorf("consent = %q, version %q", m.ConsentText, m.TemplateVersion)
	}
}

func TestLoadTemplatesMissingOverrideDir(t *testing.T) {
	for _, dir := range []string{"", filepath.Join(t.TempDir(), "does-not-exist")} {
		if _, err := invite.LoadTemplates(data.Templates(), dir); err != nil {
			t.Errorf("dir %q: %v", dir, err)
		}
	}
}

func TestLoadTemplatesBroken(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		want    string // after the override's path
	}{
		{"ParseError", "invite.de.tmpl",
			"{{/* version: x-1 */}}\n{{define \"subject\"}}S{{end}}\nline two\n{{if .ClientName}\n", ":4:"},
		{"UnclosedAction", "consent.en.tmpl",
			"{{/* version: x-1 */}}\nok\nok\nok\n{{.PolicyURL\n", "consent.en.tmpl:5"},
		{"MisspeltField", "consent.de.tmpl",
			"{{/* version: x-1 */}}\nZeile\n{{.PolicyUrl}}\n", ":3:"},
		{"MisspeltFieldInSubject", "invite.en.tmpl",
			"{{/* version: x-1 */}}\n{{define \"subject\"}}\n{{.ClientName}}{{end}}{{.ConsentText}}\n", ":3:"},
		{"NoVersion", "invite.en.tmpl",
			"Hello {{.ClientName}}\n{{.ConsentText}}\n", ":1:"},
		{"NoSubject", "invite.en.tmpl",
			"{{/* version: x-1 */}}\nHello\n{{.ConsentText}}\n", `no {{define "subject"}}`},
		{"NoConsentText", "invite.de.tmpl",
			"{{/* version: x-1 */}}\n{{define \"subject\"}}S{{end}}Hallo\n", "does not include {{.ConsentText}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, tt.file, tt.content)
			_, err := invite.LoadTemplates(data.Templates(), dir)
			if err == nil {
				t.Fatal("broken template accepted")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
		})
	}
}

func TestLoadTemplatesMissingEmbedded(t *testing.T) {
	fsys := fstest.MapFS{"invite.de.tmpl": {Data: []byte("{{/* version: x */}}\n")}}
	if _, err := invite.LoadTemplates(fsys, ""); err == nil {
		t.Error("incomplete template set accepted")
	}
	if _, err := invite.LoadTemplates(nil, ""); err == nil {
		t.Error("nil fs accepted")
	}
}

func TestLoadTemplatesOversizedOverride(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "invite.de.tmpl", "{{/* version: x-1 */}}\n"+strings.Repeat("x", 300<<10))
	if _, err := invite.LoadTemplates(data.Templates(), dir); err == nil {
		t.Error("oversized override accepted")
	}
}

// The README in data/templates lists the versions; keep it honest.
func TestTemplateREADMENamesVersions(t *testing.T) {
	readme := embeddedFile(t, "README.md")
	tm := mustLoad(t)
	for _, lang := range invite.Langs() {
		m := mustRender(t, tm, sample(t, lang, provider.KindJitsi))
		for _, v := range []string{m.TemplateVersion, m.InviteVersion} {
			if !strings.Contains(readme, "`"+v+"`") {
				t.Errorf("data/templates/README.md does not list version %s", v)
			}
		}
	}
}
