package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/shellhistory"
	"github.com/expeerienced/counsel/internal/store"
)

// stdinName is the CLIENT (or --client) value that means: read the name from
// standard input, so it never appears on the command line, in the shell's
// history or in the process list (/proc/PID/cmdline).
const stdinName = "-"

// maxNameLine bounds the line read for a name; a longer line is not a name.
const maxNameLine = 4096

// stdin is the one buffered reader of standard input, shared by the name and
// the confirmation question so neither loses what the other buffered.
func (a *app) stdin() *bufio.Reader {
	if a.in == nil {
		a.in = bufio.NewReader(a.deps.Stdin)
	}
	return a.in
}

// readLine reads one line from standard input without its line ending. An interrupt
// (Ctrl-C) ends the wait with the command's context error: counsel listens for it, so it no
// longer ends the process, and a read of a terminal does not return by itself. The read then
// goes on aside until the process ends; nothing reads standard input after a failed read.
func (a *app) readLine() (string, error) {
	if a.running == nil || a.running.Done() == nil {
		return a.readLineNow()
	}
	type read struct {
		line string
		err  error
	}
	got := make(chan read, 1)
	go func() {
		line, err := a.readLineNow()
		got <- read{line, err}
	}()
	select {
	case r := <-got:
		return r.line, r.err
	case <-a.running.Done():
		return "", a.running.Err()
	}
}

func (a *app) readLineNow() (string, error) {
	var b strings.Builder
	for {
		line, isPrefix, err := a.stdin().ReadLine()
		b.Write(line)
		if b.Len() > maxNameLine {
			return "", errors.New("the line is too long")
		}
		if err != nil {
			if errors.Is(err, io.EOF) && b.Len() > 0 {
				return b.String(), nil
			}
			return b.String(), err
		}
		if !isPrefix {
			return b.String(), nil
		}
	}
}

// clientName resolves a client given as what (a flag such as "--client" or
// an argument such as "CLIENT"): "-" reads one line from standard input; an
// empty value is asked for at a terminal. The value is never repeated in an
// error.
func (a *app) clientName(value, what string) (string, error) {
	switch {
	case value == stdinName:
		line, err := a.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("%s -: reading the name from standard input: %w", what, err)
		}
		if strings.TrimSpace(line) == "" {
			return "", usageErrorf("%s -: standard input holds no name (want one line)", what)
		}
		return strings.TrimSpace(line), nil
	case value != "":
		a.nameArg = true
		return value, nil
	case !a.deps.StdinTTY:
		err := usageErrorf("missing %s", what)
		if strings.HasPrefix(what, "--") {
			err = usageErrorf("%s is required", what)
		}
		return "", withHint(err,
			fmt.Sprintf("give %s - to read the name from standard input, or the person's ID from 'counsel session list'", what))
	}
	fmt.Fprint(a.deps.Stderr, T("Client's name or pseudonym (or person ID): "))
	line, err := a.readLine()
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if strings.TrimSpace(line) == "" {
		return "", usageErrorf("%s: no name given", what)
	}
	return strings.TrimSpace(line), nil
}

// optionalClientArg takes zero or one CLIENT argument (a missing one is asked
// for, or read with '-').
func optionalClientArg(name string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usageErrorf("too many arguments (want one %s; quote a name with spaces)", name)
		}
		return nil
	}
}

// firstArg is args[0], or "" when there is none.
func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// personByID returns the name of the person whose ID (short, as session list
// shows it, or full) ref is, so that a name is typed once; any other ref is
// returned as it is, a name. A withdrawn person's name is erased: coming back
// needs the name again, with --new-consent.
func (a *app) personByID(ctx context.Context, ref string) (string, error) {
	if !personIDShaped(ref) {
		return ref, nil
	}
	db, _, err := a.openStore(ctx, storeUse{access: readDB, missingOK: true})
	if err != nil {
		return "", err
	}
	if db == nil {
		return "", noPersonID(ref) // no database yet: no person has an ID
	}
	defer db.Close()
	sub, err := db.FindSubject(ctx, store.SubjectQuery{Ref: ref})
	switch {
	case errors.Is(err, store.ErrNoPerson):
		return "", noPersonID(ref)
	case err != nil:
		return "", personError(err)
	case !sub.ByID:
		return ref, nil
	case sub.Person.Erased():
		return "", withHint(fmt.Errorf("--client: person %s withdrew consent and their name is erased", session.ShortID(sub.Person.ID)),
			"if they give consent again, start a new record with their name: --client - --new-consent")
	}
	a.info("client: person %s", session.ShortID(sub.Person.ID))
	return sub.Person.Name, nil
}

// personIDShaped reports whether s has the form of a person's short ID (8
// characters 0-9, a-f) or full ID.
func personIDShaped(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != session.ShortIDLen && len(s) != 36 {
		return false
	}
	return strings.Trim(s, "0123456789abcdef-") == ""
}

// noPersonID refuses an ID no person has, rather than take it as a new
// client's name: a mistyped ID, or the ID of someone whose record is gone.
func noPersonID(ref string) error {
	return withHint(fmt.Errorf("--client: no person has the ID %s", strings.ToLower(strings.TrimSpace(ref))),
		"'counsel session list --all' shows each person's ID; a person who withdrew consent has none any more",
		"a name or pseudonym must not look like an ID (8 characters 0-9, a-f)")
}

// checkHistory looks for the name in the counsellor's shell history files
// (bash, zsh, fish, PowerShell) and lists, on w, the files that still hold
// it, never the name. With scrub, or when the answer at a terminal is yes,
// it removes those entries; a dry run only lists. Removing lines from a
// user's own files is never implied by --yes: it takes --scrub-history or an
// answer to its own question.
func (a *app) checkHistory(w io.Writer, name string, scrub, dryRun bool) {
	if strings.TrimSpace(name) == "" {
		return
	}
	home := a.deps.Getenv("HOME")
	if home == "" {
		home = a.deps.Getenv("USERPROFILE")
	}
	files := shellhistory.Files(home, a.deps.Getenv)
	match := func(entry string) bool { return session.MentionsName(entry, name) }
	hits, err := shellhistory.Find(files, match)
	if err != nil {
		a.warn("could not read a shell history file: %v", err)
	}
	if len(hits) == 0 {
		return
	}
	var where []string
	total := 0
	for _, h := range hits {
		if h.Entries == 1 {
			where = append(where, Tf("%s (1 entry)", tildePath(h.Path, home)))
		} else {
			where = append(where, Tf("%s (%d entries)", tildePath(h.Path, home), h.Entries))
		}
		total += h.Entries
	}
	fprintf(w, "  - remove the name from your shell history: %s\n", strings.Join(where, ", "))
	if dryRun {
		return
	}
	if !scrub {
		if !a.deps.StdinTTY {
			a.info("add --scrub-history to remove those %d entries, or edit the files yourself", total)
			return
		}
		ok, err := a.confirm("Remove the entries that hold the name from these history files now? [y/N]")
		if err != nil || !ok {
			a.info("the history files were not changed")
			return
		}
	}
	for _, h := range hits {
		n, err := shellhistory.Remove(h.File, match)
		if err != nil {
			a.warn("%v", err)
			continue
		}
		if n == 1 {
			a.info("removed 1 entry from %s", tildePath(h.Path, home))
		} else {
			a.info("removed %d entries from %s", n, tildePath(h.Path, home))
		}
	}
}

// tildePath shows a path under home as ~/..., as the counsellor knows it.
func tildePath(path, home string) string {
	if home != "" {
		if rel, err := filepath.Rel(home, path); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.Join("~", rel)
		}
	}
	return path
}
