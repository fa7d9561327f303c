package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestFormatVocabulary holds every command to the one --format vocabulary:
// the flag is a checked choice, each word it offers is a word of the
// vocabulary, its default is one it offers, and the other spellings work
// everywhere.
func TestFormatVocabulary(t *testing.T) {
	seen := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, s := range c.Commands() {
			walk(s)
		}
		f := c.Flags().Lookup("format")
		if f == nil {
			return
		}
		seen++
		e, ok := f.Value.(*enumFlag)
		if !ok {
			t.Errorf("%s: --format is not a checked choice", c.CommandPath())
			return
		}
		for _, w := range e.allowed {
			if !isFormatWord(w) {
				t.Errorf("%s: --format %s is outside the vocabulary", c.CommandPath(), w)
			}
		}
		if f.DefValue != "" && !slices.Contains(e.allowed, f.DefValue) {
			t.Errorf("%s: default --format %s is not offered", c.CommandPath(), f.DefValue)
		}
		if e.aliases == nil {
			t.Errorf("%s: --format does not take the other spellings", c.CommandPath())
		}
		for old, w := range formatAliases {
			err := f.Value.Set(old)
			if slices.Contains(e.allowed, w) {
				if err != nil || f.Value.String() != w {
					t.Errorf("%s: --format %s = %q, %v; want %s", c.CommandPath(), old, f.Value.String(), err, w)
				}
			} else if err == nil {
				t.Errorf("%s: --format %s accepted, but %s is not offered", c.CommandPath(), old, w)
			}
		}
		// The usage line, when it names the formats, names the ones offered.
		if _, rest, ok := strings.Cut(c.Use, "--format "); ok {
			named := strings.Split(strings.TrimRight(strings.Fields(rest)[0], "]"), "|")
			if !slices.Equal(slices.Sorted(slices.Values(named)), slices.Sorted(slices.Values(e.allowed))) {
				t.Errorf("%s: usage names --format %s, the flag offers %s", c.CommandPath(), strings.Join(named, "|"), strings.Join(e.allowed, "|"))
			}
		}
		err := f.Value.Set("yaml")
		if err == nil || !strings.Contains(err.Error(), strings.Join(e.allowed, ", ")) {
			t.Errorf("%s: --format yaml: %v; want an error listing %v", c.CommandPath(), err, e.allowed)
		}
	}
	walk(CommandTree())
	if seen < 10 {
		t.Errorf("found --format on %d commands; the walk is broken", seen)
	}
}
