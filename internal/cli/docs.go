package cli

import (
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// CommandTree is the full command tree for generating documentation. It is
// never executed: its dependencies are empty.
func CommandTree() *cobra.Command {
	a := &app{deps: Deps{Getenv: func(string) string { return "" }, Now: time.Now}}
	root := newRootCmd(a)
	a.expandAll(root)
	return root
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

// FormatReference is the --format vocabulary as a Markdown page in the
// language CommandTreeIn last set: what each word means, and which words each
// command offers (from the command tree, so the page cannot drift from it).
func FormatReference(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString("# " + T("Output formats (--format)") + "\n\n")
	b.WriteString(T("Every command that prints data takes --format. A word means the same thing in every command; each command offers the words that fit what it prints, and the first one listed is its default.") + "\n\n")
	b.WriteString("| --format | " + T("means") + " |\n|---|---|\n")
	for _, f := range FormatWords {
		b.WriteString("| `" + f.Word + "` | " + T(f.Meaning) + " |\n")
	}
	var aliases []string
	for old, w := range formatAliases {
		aliases = append(aliases, "`"+old+"` = `"+w+"`")
	}
	slices.Sort(aliases)
	b.WriteString("\n" + T("Other spellings, accepted for scripts:") + " " + strings.Join(aliases, ", ") + ".\n\n")
	b.WriteString("| " + T("command") + " | --format |\n|---|---|\n")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if f := c.Flags().Lookup("format"); f != nil {
			if e, ok := f.Value.(*enumFlag); ok {
				words := slices.Clone(e.allowed)
				// The default first; an export's default comes from --out.
				if i := slices.Index(words, f.DefValue); i > 0 {
					words = append([]string{f.DefValue}, slices.Delete(words, i, i+1)...)
				}
				list := strings.Join(words, ", ")
				if f.DefValue == "" {
					list += " (" + T("default: from the --out file's extension") + ")"
				}
				b.WriteString("| `" + c.CommandPath() + "` | " + list + " |\n")
			}
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	return b.String()
}
