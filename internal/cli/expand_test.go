package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// A run builds only the group commands it can reach (expand); what it prints must be what the
// whole tree prints.
func TestLazyTreePrintsWhatTheWholeTreePrints(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {}, {"session", "--help"}, {"session", "new", "--help"}, {"--db", "x.db", "consent", "--help"},
		{"--db=x.db", "export", "sessions", "--help"}, {"help", "audit", "verify"}, {"sesion"}, {"session", "nwe"},
		{"version", "--help"},
	} {
		var lazyOut, lazyErr bytes.Buffer
		lazyCode := Main(context.Background(), args, Deps{Stdin: strings.NewReader(""), Stdout: &lazyOut, Stderr: &lazyErr,
			Getenv: func(string) string { return "" }, Now: time.Now})

		var fullOut, fullErr bytes.Buffer
		a := &app{deps: Deps{Stdin: strings.NewReader(""), Stdout: &fullOut, Stderr: &fullErr,
			Getenv: func(string) string { return "" }, Now: time.Now}}
		a.lang = a.chooseLanguage(args)
		tr = newTranslator(a.lang.lang)
		root := newRootCmd(a)
		a.expandAll(root)
		root.SetArgs(args)
		root.SetOut(&fullOut)
		root.SetErr(&fullErr)
		_, err := root.ExecuteC()
		if lazyOut.String() != fullOut.String() {
			t.Errorf("%q: stdout differs from the whole tree's:\n%s\n---\n%s", args, lazyOut.String(), fullOut.String())
		}
		if (lazyCode == exitOK) != (err == nil) {
			t.Errorf("%q: exit %d, the whole tree's error %v", args, lazyCode, err)
		}
		if err != nil && !strings.Contains(lazyErr.String(), err.Error()) {
			t.Errorf("%q: stderr %q does not carry the whole tree's error %q", args, lazyErr.String(), err)
		}
	}
}

func TestCommandWord(t *testing.T) {
	root := newRootCmd(&app{})
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, ""}, {[]string{"--help"}, ""}, {[]string{"-h"}, ""}, {[]string{"session", "new"}, "session"},
		{[]string{"--db", "session", "consent"}, "consent"}, {[]string{"--db=x", "session"}, "session"},
		{[]string{"--config", "c.yaml", "--db", "d", "audit", "verify"}, "audit"}, {[]string{"--", "export"}, "export"},
	} {
		if got := commandWord(root, c.args); got != c.want {
			t.Errorf("commandWord(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}
