package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

func newConsentRenameCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "rename CLIENT-or-SESSION-ID NEW-NAME",
		Short: "Correct a client's name or pseudonym (GDPR Art. 16)",
		Long: `Correct the spelling of a client's name or pseudonym (right to
rectification, GDPR Art. 16). The first argument is the name as stored (in
any case and spacing), the person's ID or the ID of one of their sessions; the
second is the corrected name. Either may be - to read it from standard input
(the person first, then the new name, one line each), so names do not stay in
the shell's history.

Every session of the person then shows the corrected name. The audit trail
records the correction with the person's ID only, never either name. A new
name that belongs to another person is refused (two people are never merged
by a correction), and so is the name of someone who withdrew their consent.
Invitations already sent keep the spelling they had.
` + exitStatusHelp,
		Example: `  $ counsel consent rename Cleint-A Client-A
  $ counsel consent rename 3f9a2c1e - < corrected-name.txt`,
		Args: exactArgs("CLIENT-or-SESSION-ID", "NEW-NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConsentRename(cmd.Context(), a, args[0], args[1])
		},
	}
}

func runConsentRename(ctx context.Context, a *app, ref, newName string) error {
	// Either may be "-": the person's name first, then the new name, each
	// on its own line of standard input.
	ref, err := a.clientName(ref, "CLIENT-or-SESSION-ID")
	if err != nil {
		return err
	}
	if strings.TrimSpace(ref) == "" {
		return usageErrorf("CLIENT-or-SESSION-ID is empty")
	}
	if newName == stdinName {
		line, err := a.readLine()
		if err != nil && !errors.Is(err, io.EOF) || strings.TrimSpace(line) == "" {
			return usageErrorf("NEW-NAME: nothing on standard input")
		}
		newName = line
	}
	name, err := session.NormaliseName(newName)
	if err != nil {
		return usageErrorf("NEW-NAME: the name or pseudonym %v", err)
	}
	db, key, err := a.openStore(ctx, storeUse{access: changeDB, key: checkKey})
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.RenamePerson(ctx, store.Rename{Ref: ref, NewName: name, ProofKey: key})
	switch {
	case errors.Is(err, store.ErrNameTaken):
		return withHint(fmt.Errorf("NEW-NAME: %w; nothing changed", err),
			"names are compared without regard to case, spaces and invisible characters; 'counsel consent show' shows who has it")
	case errors.Is(err, store.ErrNameUnchanged), errors.Is(err, store.ErrNameWithdrawn):
		return fmt.Errorf("NEW-NAME: %w; nothing changed", err)
	case err != nil:
		return personError(err)
	}
	a.info("corrected the name of person %s (%d session(s))", session.ShortID(res.PersonID), res.Sessions)
	return nil
}
