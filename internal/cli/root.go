package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/expeerienced/counsel/internal/config"
)

// app is the state one run shares between commands: dependencies, the
// global flags and the resolved configuration.
type app struct {
	deps Deps

	configFlag string // --config
	dbFlag     string // --db

	cfg      config.Config
	resolved *resolved // nil until the root's PersistentPreRunE ran

	// changed says what a command changed in the database, once it has;
	// again says how to get its output again. Both are for the error when
	// the output is lost (see lostOutput).
	changed string
	again   []string
	lang    langChoice // the language of messages, chosen before the tree is built

	stopInterrupt func()          // ends what Deps.Interrupt started, once a command runs
	running       context.Context // the running command's context: an interrupt ends a question's wait (readLine)

	lazy map[*cobra.Command]func() []*cobra.Command // group commands whose subcommands are not made yet (expand)

	in      *bufio.Reader // see stdin
	nameArg bool          // a client's name came as an argument (see checkHistory)
}

// skipConfig marks commands that must work even with a broken config file
// (so a counsellor can find and repair it).
const skipConfig = "counsel/skip-config"

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "counsel",
		Short: "Plan video consultations without putting clients' privacy at risk",
		Long: `counsel helps peer counsellors run video consultations (Blizz or Jitsi) with
the least possible data about their clients.

It keeps a vetted list of video providers with their data-protection facts,
and stores only what the consent form promises: the meeting ID or address,
the place and date, and the client's name or pseudonym. Everything stays in
one file on this computer.

Configuration comes from, in this order: command-line flags, COUNSEL_*
environment variables, the config file (see 'counsel config path'), defaults.

Language: counsel speaks German when the setting language is de or, without
that setting, when LC_ALL, LC_MESSAGES or LANG name a German locale (such as
de_DE.UTF-8); otherwise English. 'counsel config show' tells which rule applied.
` + exitStatusHelp,
		SilenceErrors:     true,
		SilenceUsage:      true,
		Args:              noArgs,
		DisableAutoGenTag: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			// Ctrl-C ends the context of a command that runs; help and usage errors never
			// get here, so they do not start the signal handling (2-3% of 'counsel --help').
			if a.deps.Interrupt != nil && a.stopInterrupt == nil {
				ctx, stop := a.deps.Interrupt(cmd.Context())
				cmd.SetContext(ctx)
				a.stopInterrupt = stop
			}
			a.running = cmd.Context()
			if cmd.Annotations[skipConfig] == "true" {
				return nil
			}
			return a.loadConfig(cmd)
		},
	}
	root.PersistentFlags().StringVar(&a.configFlag, "config", "", "config file (default: config.yaml in counsel's config folder; env COUNSEL_CONFIG)")
	root.PersistentFlags().StringVar(&a.dbFlag, "db", "", "database file (env COUNSEL_DB; default: counsel.db in the user's data folder)")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{err}
	})
	root.CompletionOptions.HiddenDefaultCmd = true // we add our own, documented one

	// Commands are grouped in the help the way a counsellor meets them.
	root.AddGroup(
		&cobra.Group{ID: "work", Title: "Sessions and consent:"},
		&cobra.Group{ID: "records", Title: "Records for data protection officers and funders:"},
		&cobra.Group{ID: "setup", Title: "Set-up:"},
	)
	for group, cmds := range map[string][]*cobra.Command{
		"work":    {newSessionCmd(a), newConsentCmd(a), newProvidersCmd(a)},
		"records": {newExportCmd(a), newReportCmd(a), newAuditCmd(a), newPurgeCmd(a)},
		"setup":   {newConfigCmd(a), newDoctorCmd(a), newCompletionCmd(a), newVersionCmd(a)},
	} {
		for _, c := range cmds {
			c.GroupID = group
			root.AddCommand(c)
		}
	}
	root.SetHelpCommandGroupID("setup")
	return root
}

// noArgs refuses arguments; on a command with subcommands an argument is an
// unknown subcommand.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasSubCommands() {
		// The word is not repeated: it may be a client's name typed in the
		// wrong place.
		return usageErrorf("unknown command for %q", cmd.CommandPath())
	}
	return usageErrorf("%q takes no arguments", cmd.CommandPath())
}

// exactArgs wants n arguments, named in the message.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < len(names):
			return usageErrorf("missing %s", names[len(args)])
		case len(args) > len(names):
			return usageErrorf("too many arguments (want %d)", len(names))
		}
		return nil
	}
}

// groupCmd is a command that only holds subcommands: run bare, it lists them.
// subs makes them when the run needs them (see expand).
func groupCmd(a *app, use, short, long string, subs func() []*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  strings.TrimRight(long, "\n") + "\n" + exitStatusHelp,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SetOut(cmd.ErrOrStderr()) // usage is a message here, not data
			cmd.Usage()
			return usageErrorf("missing command")
		},
	}
	if a.lazy == nil {
		a.lazy = make(map[*cobra.Command]func() []*cobra.Command)
	}
	a.lazy[c] = subs
	return c
}

// expand makes the subcommands of the group commands that this run (args) can reach, so that
// a run does not build, with all their flags, the commands it never looks at (about 4% of
// 'counsel --help'). Without a command word (the root's help) no group is needed; a word
// naming a group needs that group; any other word (help, completion, a mistyped command)
// gets the whole tree, so help, completion and suggestions see every command.
func (a *app) expand(root *cobra.Command, args []string) {
	word := commandWord(root, args)
	if word == "" {
		return
	}
	for _, c := range root.Commands() {
		if a.lazy[c] != nil && (c.Name() == word || c.HasAlias(word)) {
			a.expandCmd(c)
			return
		}
	}
	a.expandAll(root)
}

// expandAll makes every subcommand: the whole tree, for documentation and tests.
func (a *app) expandAll(root *cobra.Command) {
	for _, c := range root.Commands() {
		a.expandCmd(c)
	}
}

func (a *app) expandCmd(c *cobra.Command) {
	if subs := a.lazy[c]; subs != nil {
		delete(a.lazy, c)
		c.AddCommand(subs()...)
	}
}

// commandWord is the first argument that is not a flag of the root or a flag's value: the
// top-level command a run names, "" when there is none.
func commandWord(root *cobra.Command, args []string) string {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			if i+1 < len(args) {
				return args[i+1]
			}
			return ""
		case strings.HasPrefix(arg, "--") && !strings.Contains(arg, "="):
			// A flag of the root that takes a value has it in the next argument.
			if f := root.PersistentFlags().Lookup(arg[2:]); f != nil && f.NoOptDefVal == "" {
				i++
			}
		case strings.HasPrefix(arg, "-"):
		default:
			return arg
		}
	}
	return ""
}

// enumFlag is a string flag limited to a set of values; a wrong value is a
// usage error that lists the choices.
type enumFlag struct {
	value   *string
	allowed []string
	aliases map[string]string // other spelling -> allowed value
}

func (e *enumFlag) String() string { return *e.value }
func (e *enumFlag) Type() string   { return "string" }
func (e *enumFlag) Set(s string) error {
	if v, ok := e.aliases[s]; ok {
		s = v
	}
	for _, v := range e.allowed {
		if s == v {
			*e.value = s
			return nil
		}
	}
	return fmt.Errorf("want one of %s", strings.Join(e.allowed, ", "))
}

func addEnumFlag(fs *pflag.FlagSet, dst *string, name, def, usage string, allowed ...string) {
	*dst = def
	fs.Var(&enumFlag{value: dst, allowed: allowed}, name, usage+": "+strings.Join(allowed, "|"))
}
