// Package cli is counsel's command line: the only package that knows cobra,
// viper and tablewriter. Each command is an options struct, a constructor that
// wires flags, and a run function; the work itself happens in the domain
// packages and the store.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/store"
)

// Exit codes, documented in every command's help.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// exitStatusHelp ends every command's long help.
const exitStatusHelp = `
EXIT STATUS

    0  success
    1  failure (the error message says what went wrong; nothing was changed)
    2  usage error (unknown command or flag, missing or invalid argument)`

// Build identifies the binary; goreleaser sets it through main's ldflags.
type Build struct {
	Version, Commit, Date string
}

// Deps is everything a run touches outside itself, so tests can replace it.
type Deps struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// StdinTTY and StderrTTY say whether a person is at a terminal: it decides
	// prompts, progress and colour. StdoutTTY puts terminalWriter in front of
	// stdout.
	StdinTTY, StdoutTTY, StderrTTY bool
	Getenv                         func(string) string
	Now                            func() time.Time
	Build                          Build
	// Pause, when set, is called where another process may act between two
	// steps of a command ("session-new-write": the proof key is loaded, the
	// write transaction not yet begun). Production leaves it nil; reliability
	// tests widen race windows with it.
	Pause func(point string)
	// Interrupt, when set, derives the context of a command that runs from
	// the context Main was given, ending it on an interrupt (Ctrl-C), and
	// returns the function that stops listening. It is called only once a
	// command is about to run: help texts and usage errors need no signal
	// handling.
	Interrupt func(context.Context) (context.Context, context.CancelFunc)
}

// System returns the real process streams, environment and clock.
func System(b Build) Deps {
	return Deps{
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		StdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		StderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		Getenv:    os.Getenv,
		Now:       time.Now,
		Build:     b,
		Interrupt: interruptible,
	}
}

// interruptible ends ctx on Ctrl-C. Counsel keeps listening after the first interrupt, so a
// second one does not kill the process: a command that has begun to write files (export dpo's
// folder, the output files of session new) removes what it began before it exits, and would
// leave them behind if killed. The longest a command can then take is session new waiting for
// another process's lock (the busy timeout, 10 s).
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt)
}

// Main runs counsel with args (without the program name) and returns the
// process exit code. Errors are printed here and nowhere else.
func Main(ctx context.Context, args []string, d Deps) int {
	out := &checkedWriter{w: d.Stdout}
	var tw *terminalWriter
	if d.StdoutTTY {
		tw = &terminalWriter{w: d.Stdout}
		out.w = tw
	}
	d.Stdout = out
	a := &app{deps: d}
	a.lang = a.chooseLanguage(args)
	tr = newTranslator(a.lang.lang)
	root := newRootCmd(a)
	a.expand(root, args)
	localizeTree(root)
	root.SetArgs(args)
	root.SetIn(d.Stdin)
	root.SetOut(d.Stdout)
	root.SetErr(d.Stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if a.stopInterrupt != nil {
		a.stopInterrupt()
	}
	if tw != nil && out.err == nil {
		out.err = tw.Flush()
	}
	if out.err != nil {
		err = a.lostOutput(cmd, out.err, err)
	}
	if err == nil {
		return exitOK
	}
	if diskFull(err) {
		err = a.fullDiskError(err)
	}
	// Any write may refuse a row edited outside counsel; the advice is the same for each.
	var rc *store.RowChangedError
	if errors.As(err, &rc) {
		err = withHint(err, "run 'counsel audit verify', keep a copy of the database file as evidence and restore the database from a backup made before the change")
	}
	code := exitFailure
	var ue *usageError
	if errors.As(err, &ue) && out.err == nil {
		code = exitUsage
		if cmd != nil {
			err = withHint(err, fmt.Sprintf("see '%s --help'", cmd.CommandPath()))
		}
	}
	printError(d.Stderr, err)
	return code
}

// checkedWriter is stdout as every command sees it: it remembers the first
// failed write (a full disk, a closed pipe) and drops what follows, so that
// Main can fail a command whose output was lost however the command wrote.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

// outputs names what each command's standard output carries, for the error
// when it is lost.
var outputs = map[string]string{
	"counsel session new":     "the invitation e-mail",
	"counsel session list":    "the session list",
	"counsel session show":    "the session",
	"counsel session cancel":  "the cancellation e-mail",
	"counsel session move":    "the updated invitation e-mail",
	"counsel consent show":    "the consent record",
	"counsel consent revoke":  "the withdrawal report with the steps left to do",
	"counsel report":          "the report",
	"counsel purge":           "the counts",
	"counsel export sessions": "the export",
	"counsel export audit":    "the export",
	"counsel export subject":  "the export",
	"counsel providers list":  "the provider list",
	"counsel providers show":  "the provider facts",
	"counsel audit verify":    "the verification result",
}

// outputLost is the error of a command that finds its output already lost
// before it changes anything; nil while stdout works.
func (a *app) outputLost() error {
	if c, ok := a.deps.Stdout.(*checkedWriter); ok && c.err != nil {
		return c.err
	}
	return nil
}

// lostOutput is the error of a run whose standard output could not be
// written: it names what was lost and, when the database was already changed
// (a.changed), says what happened and how to get the output again (a.again).
func (a *app) lostOutput(cmd *cobra.Command, werr, cmdErr error) error {
	what := "the output"
	if cmd != nil {
		if s := outputs[cmd.CommandPath()]; s != "" {
			what = s
		}
		what = fmt.Sprintf("%s of '%s'", what, cmd.CommandPath())
	}
	var err error
	if a.changed != "" {
		err = fmt.Errorf("%s, but %s could not be written to standard output: %v", a.changed, what, werr)
	} else {
		err = fmt.Errorf("%s could not be written to standard output: %v; nothing was changed", what, werr)
	}
	if cmdErr != nil && !errors.Is(cmdErr, werr) && !strings.Contains(cmdErr.Error(), werr.Error()) {
		err = fmt.Errorf("%w\n%v", err, cmdErr)
	}
	return withHint(err, a.again...)
}

// usageError marks a mistake in how counsel was called (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// hintError carries advice printed as "counsel: hint: ..." lines.
type hintError struct {
	err   error
	hints []string
}

func (e *hintError) Error() string   { return e.err.Error() }
func (e *hintError) Unwrap() error   { return e.err }
func (e *hintError) Hints() []string { return e.hints }

// hinter is an error with advice: withHint's, or a domain package's own
// (consent.KeyError), which cannot know this package.
type hinter interface{ Hints() []string }

func withHint(err error, hints ...string) error {
	var he *hintError
	if errors.As(err, &he) {
		he.hints = append(he.hints, hints...)
		return err
	}
	var h hinter
	if errors.As(err, &h) {
		hints = append(slices.Clone(h.Hints()), hints...)
	}
	return &hintError{err: err, hints: hints}
}

// printError writes the error in counsel's fixed voice: lower-case, one
// "counsel: error:" line per line of the message, then the hints. The
// prefixes stay English in every language: scripts and support staff look
// for them. The text after them is in the run's language. Each line is made
// terminal-safe (audit.TermSafe): errors may quote what a tampered database
// holds, and an escape sequence in it must not reach the terminal.
func printError(w io.Writer, err error) {
	for _, line := range strings.Split(tr.errorText(err), "\n") {
		fmt.Fprintf(w, "counsel: error: %s\n", audit.TermSafe(line))
	}
	var h hinter
	if errors.As(err, &h) {
		for _, hint := range h.Hints() {
			fmt.Fprintf(w, "counsel: hint: %s\n", audit.TermSafe(tr.message(hint)))
		}
	}
}

// termLines is audit.TermSafe of text written over several lines: its line
// breaks and tabs stay, every other control character is shown escaped.
func termLines(s string) string {
	if plainLines(s) {
		return s
	}
	return termLinesSlow(s)
}

// plainLines reports whether s holds nothing termLines would escape: printable ASCII, line
// breaks and tabs, and any other character TermSafe leaves as it is. An e-mail is mostly
// ASCII, and looking at its bytes one by one costs a fraction of TermSafe's Unicode table
// lookups for every character and of splitting it into lines and columns.
func plainLines(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' {
			continue
		}
		if s[i] < utf8.RuneSelf {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		if audit.TermSafe(s[i:i+n]) != s[i:i+n] {
			return false
		}
		i += n - 1
	}
	return true
}

// termLinesSlow is termLines for text that holds something to escape (plainLines said so,
// and TermSafe escapes rune by rune, so a whole-text TermSafe first would find that again).
func termLinesSlow(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		cols := strings.Split(l, "\t")
		for j, c := range cols {
			cols[j] = audit.TermSafe(c)
		}
		lines[i] = strings.Join(cols, "\t")
	}
	return strings.Join(lines, "\n")
}

// warn prints a warning to stderr, in colour only for a person at a terminal
// who has not asked for NO_COLOR.
func (a *app) warn(format string, args ...any) {
	prefix := "counsel: warning: "
	if a.colour() {
		prefix = "\x1b[33mcounsel: warning:\x1b[0m "
	}
	fmt.Fprint(a.deps.Stderr, prefix+termLines(say(format, args...))+"\n")
}

// info prints a message for the person on stderr; stdout stays data only.
func (a *app) info(format string, args ...any) {
	fmt.Fprint(a.deps.Stderr, "counsel: "+termLines(say(format, args...))+"\n")
}

func (a *app) colour() bool {
	return a.deps.StderrTTY && a.deps.Getenv("NO_COLOR") == "" && a.deps.Getenv("TERM") != "dumb"
}
