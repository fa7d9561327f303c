package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// localizeTree puts the help of a built command tree into the run's
// language in one pass: Short, Long, Example, flag usages and group titles
// are looked up in the catalogue, and cobra's usage text gets German
// headings. The constructors stay English, so a new command needs no
// language code, only catalogue entries.
func localizeTree(root *cobra.Command) {
	if tr.lang == langEN {
		return
	}
	root.InitDefaultHelpCmd()
	root.SetUsageFunc(usageFunc)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		c.Short = tr.message(c.Short)
		c.Long = localizeLong(c.Long)
		c.Example = T(c.Example)
		for _, g := range c.Groups() {
			g.Title = T(g.Title)
		}
		localizeFlags(c.LocalNonPersistentFlags())
		localizeFlags(c.PersistentFlags())
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
}

// localizeLong translates a long help and its EXIT STATUS block apart, so
// the block is one catalogue entry for every command.
func localizeLong(long string) string {
	if body, ok := strings.CutSuffix(long, exitStatusHelp); ok {
		return T(body) + T(exitStatusHelp)
	}
	return tr.message(long)
}

func localizeFlags(fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		f.Usage = flagUsage(f)
	})
}

// flagUsage is a flag's help in the run's language; an enum flag's list of
// choices is not text.
func flagUsage(f *pflag.Flag) string {
	if e, ok := f.Value.(*enumFlag); ok {
		if text, ok := strings.CutSuffix(f.Usage, ": "+strings.Join(e.allowed, "|")); ok {
			return T(text) + ": " + strings.Join(e.allowed, "|")
		}
	}
	return tr.message(f.Usage)
}

// flagUsages is pflag's flag table with its one English phrase translated.
func flagUsages(fs *pflag.FlagSet) string {
	return strings.ReplaceAll(fs.FlagUsages(), " (default ", " "+T("(default")+" ")
}

// usageFunc is cobra's usage text (defaultUsageFunc in cobra 1.10) with its
// headings in the run's language.
func usageFunc(c *cobra.Command) error {
	w := c.OutOrStderr()
	fmt.Fprint(w, T("Usage:"))
	if c.Runnable() {
		fmt.Fprintf(w, "\n  %s", strings.Replace(c.UseLine(), "[flags]", T("[flags]"), 1))
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n  %s [%s]", c.CommandPath(), T("command"))
	}
	if len(c.Aliases) > 0 {
		fmt.Fprintf(w, "\n\n%s\n  %s", T("Aliases:"), c.NameAndAliases())
	}
	if c.HasExample() {
		fmt.Fprintf(w, "\n\n%s\n%s", T("Examples:"), c.Example)
	}
	if c.HasAvailableSubCommands() {
		list := func(group string) {
			for _, s := range c.Commands() {
				if s.GroupID == group && (s.IsAvailableCommand() || s.Name() == "help") {
					fmt.Fprintf(w, "\n  %-*s %s", s.NamePadding(), s.Name(), s.Short)
				}
			}
		}
		if len(c.Groups()) == 0 {
			fmt.Fprintf(w, "\n\n%s", T("Available Commands:"))
			list("")
		} else {
			for _, g := range c.Groups() {
				fmt.Fprintf(w, "\n\n%s", g.Title)
				list(g.ID)
			}
			if !c.AllChildCommandsHaveGroup() {
				fmt.Fprintf(w, "\n\n%s", T("Additional Commands:"))
				list("")
			}
		}
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprintf(w, "\n\n%s\n%s", T("Flags:"), strings.TrimRight(flagUsages(c.LocalFlags()), " \t\n"))
	}
	if c.HasAvailableInheritedFlags() {
		fmt.Fprintf(w, "\n\n%s\n%s", T("Global Flags:"), strings.TrimRight(flagUsages(c.InheritedFlags()), " \t\n"))
	}
	if c.HasHelpSubCommands() {
		fmt.Fprintf(w, "\n\n%s", T("Additional help topics:"))
		for _, s := range c.Commands() {
			if s.IsAdditionalHelpTopicCommand() {
				fmt.Fprintf(w, "\n  %-*s %s", s.CommandPathPadding(), s.CommandPath(), s.Short)
			}
		}
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n\n%s", Tf(`Use "%s [command] --help" for more information about a command.`, c.CommandPath()))
	}
	fmt.Fprintln(w)
	return nil
}

// fprintf writes a message in the run's language, terminal-safe (termLines):
// its arguments may be what the database holds.
func fprintf(w io.Writer, format string, args ...any) {
	fmt.Fprint(w, termLines(Tf(format, args...)))
}
