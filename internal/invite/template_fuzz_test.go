package invite_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/expeerienced/counsel/data"
	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
)

// FuzzLoadTemplates: a counsellor's own template (the override folder) is parsed text.
// Whatever it holds, loading either fails with an error or gives templates that render.
func FuzzLoadTemplates(f *testing.F) {
	f.Add("Hallo {{.ClientName}},\n{{.JoinURL}}\n")
	f.Add("{{.NoSuchField}}")
	f.Add("{{if}}")
	f.Add("{{define \"x\"}}{{template \"x\"}}{{end}}{{template \"x\"}}")
	f.Add("\xff\xfe{{/* */}}")
	f.Fuzz(func(t *testing.T, src string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "invite.en.tmpl"), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		tm, err := invite.LoadTemplates(data.Templates(), dir)
		if err != nil {
			return
		}
		if _, err := tm.Render(sample(t, "en", provider.KindJitsi)); err != nil {
			t.Fatalf("loaded, but does not render: %v", err)
		}
	})
}
