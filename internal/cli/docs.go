package cli

import (
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// CommandTree is the full command tree for generating documentation. It is
// never executed: its dependencies are empty.
func CommandTree() *cobra.Command {
	return newRootCmd(&app{deps: Deps{Getenv: func(string) string { return "" }, Now: time.Now}})
}

// Languages are the languages counsel speaks, English first.
var Languages = []string{langEN, langDE}

// CommandTreeIn is the command tree with its help in lang ("en" or "de"),
// and the replacements that put the generated reference's own English
// headings into that language (none for English). It sets the process's
// language: call it from a documentation generator only.
func CommandTreeIn(lang string) (*cobra.Command, *strings.Replacer) {
	tr = newTranslator(lang)
	root := CommandTree()
	localizeTree(root)
	if tr.lang == langEN {
		return root, strings.NewReplacer()
	}
	var pairs []string
	for _, h := range [][2]string{
		{"### Synopsis", "Description"}, {"### Options inherited from parent commands", "Global Flags:"},
		{"### Options", "Flags:"}, {"### Examples", "Examples:"}, {"### SEE ALSO", "See also"},
		{".SH NAME", "NAME"}, {".SH SYNOPSIS", "SYNOPSIS"}, {".SH DESCRIPTION", "DESCRIPTION"},
		{".SH OPTIONS INHERITED FROM PARENT COMMANDS", "GLOBAL FLAGS"}, {".SH OPTIONS", "FLAGS"},
		{".SH EXAMPLE", "EXAMPLES"}, {".SH SEE ALSO", "SEE ALSO"},
	} {
		prefix, _, _ := strings.Cut(h[0], " ")
		pairs = append(pairs, h[0]+"\n", prefix+" "+strings.TrimSuffix(T(h[1]), ":")+"\n")
	}
	pairs = append(pairs, " (default ", " "+T("(default")+" ", " [flags]", " "+T("[flags]"), `"counsel manual"`, `"`+T("counsel manual")+`"`)
	return root, strings.NewReplacer(pairs...)
}
