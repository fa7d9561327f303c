package invite

import (
	"testing"

	"github.com/expeerienced/counsel/data"
)

// LoadTemplates renders samples only when a counsellor's own template takes part; the
// built-in ones must render here, in every language and for every kind of e-mail.
func TestBuiltInTemplatesRender(t *testing.T) {
	tm, err := LoadTemplates(data.Templates(), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := tm.check(); err != nil {
		t.Fatal(err)
	}
}
