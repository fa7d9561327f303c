package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

func newConsentCmd(a *app) *cobra.Command {
	return groupCmd(a, "consent", "Record, show and withdraw a client's consent",
		`Record, show and withdraw a client's consent to video consultations.

Consent is a record of events per person that are appended, never changed:
notice_sent (written by 'counsel session new', with the hash of the exact
consent text), given ('consent confirm'), and the withdrawal ('consent revoke'),
which erases the person's name and keeps only a proof entry.
See docs/data-protection.md.

CLIENT may be the person's ID shown by 'counsel session list' instead of the
name, or '-' to read the name from standard input; left out at a terminal, it
is asked for. So the name need not be typed on the command line, where the
shell's history keeps it.
`, func() []*cobra.Command {
			return []*cobra.Command{newConsentConfirmCmd(a), newConsentShowCmd(a), newConsentRevokeCmd(a), newConsentRenameCmd(a), newConsentNewKeyCmd(a)}
		})
}

// clientArg checks a CLIENT argument; the message never repeats it.
func clientArg(s string) (string, error) {
	name, err := session.NormaliseName(s)
	if err != nil {
		return "", usageErrorf("CLIENT: the name or pseudonym %v", err)
	}
	return name, nil
}

// personError adds advice to the lookup errors of the consent commands.
func personError(err error) error {
	switch {
	case errors.Is(err, store.ErrNoPerson):
		return withHint(fmt.Errorf("%w; nothing changed", err),
			"names are compared without regard to case, spaces and invisible characters, but a look-alike letter of another alphabet makes another name; 'counsel session list --all' shows the sessions")
	case errors.Is(err, store.ErrWithdrawn):
		return withHint(err, "a person who gives consent again starts a new record with 'counsel session new --new-consent'")
	case errors.Is(err, store.ErrRoomTaken):
		return withHint(fmt.Errorf("%w; nothing stored", err),
			"each client gets their own room: leave out --url for a fresh Jitsi room, or create another Blizz meeting")
	case errors.Is(err, store.ErrRoomRetired):
		return withHint(fmt.Errorf("%w; nothing stored", err),
			"someone who is no longer a client may still have that link or meeting ID: leave out --url for a fresh Jitsi room, or create a new Blizz meeting and give its --meeting-id")
	case errors.Is(err, store.ErrAmbiguousPerson), errors.Is(err, store.ErrAmbiguous):
		return withHint(err, "give the full session ID shown by 'counsel session show'")
	}
	return err
}

// --- consent new-key ---

func newConsentNewKeyCmd(a *app) *cobra.Command {
	var lost bool
	cmd := &cobra.Command{
		Use:   "new-key --lost",
		Short: "Make a new proof key when the old one is lost for good",
		Long: `Make a new proof key in place of one that is lost and has no backup.

Every command that needs the proof key refuses to run while the database
expects a key that is missing, because without it clients who withdrew
consent would be accepted again. Restore the key file from a backup if you
can. If it is lost for good, this command makes a new key and records its
fingerprint, with an audit event that says how many withdrawal proofs can no
longer be matched to a name: a client who withdrew before is then no longer
recognised by 'session new', so check your own records before inviting anyone
again. The rooms counsel remembers from erased or purged sessions were
digested with the lost key as well: they are no longer refused, so give no old
link or meeting ID to anyone again. --lost confirms that you know this. A key
file that exists is never replaced.
` + exitStatusHelp,
		Example: "  $ counsel consent new-key --lost",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !lost {
				return usageErrorf("--lost is required: this is only for a proof key that is lost for good")
			}
			return runConsentNewKey(cmd.Context(), a)
		},
	}
	cmd.Flags().BoolVar(&lost, "lost", false, "confirm that the old key is lost for good")
	return cmd
}

func runConsentNewKey(ctx context.Context, a *app) error {
	kf, err := a.keyFile()
	if err != nil {
		return err
	}
	// Refused before the database is opened: nothing is touched.
	if err := kf.Absent(); err != nil {
		return err
	}
	db, _, err := a.openStore(ctx, storeUse{access: changeDB})
	if err != nil {
		return err
	}
	defer db.Close()
	// The counts are those of the replacement's transaction, as its audit event states them.
	n, err := kf.ReplaceLost(ctx, db)
	if err != nil {
		return err
	}
	a.changed = "a new proof key is made and recorded"
	fprintf(a.deps.Stdout, "made a new proof key %s; %d earlier withdrawal proof(s) can no longer be matched to a name\n", kf.Path, n.Proofs)
	if n.Rooms > 0 {
		fprintf(a.deps.Stdout, "%d remembered room(s) can no longer be recognised: give no link or meeting ID of an erased or purged session to anyone again\n", n.Rooms)
	}
	return nil
}

// --- consent confirm ---

type consentConfirmOptions struct {
	method, at string
}

func newConsentConfirmCmd(a *app) *cobra.Command {
	opts := &consentConfirmOptions{}
	cmd := &cobra.Command{
		Use:   "confirm CLIENT --method email|verbal|form|use [--at TIME]",
		Short: "Record that a client gave consent",
		Long: `Record that a client gave consent (a 'given' event), and how:

  email   the client replied to the invitation agreeing to its notice
  verbal  the client said so, e.g. at the start of the call
  form    the client signed the consent form
  use     the client took part; the service's form says taking part confirms
          consent. This is not the explicit consent GDPR Art. 9(2)(a) asks for
          health data: prefer one of the others (docs/data-protection.md).

CLIENT is the name or pseudonym as given to 'counsel session new'. The event
refers to the consent text the client last received before --at.
` + exitStatusHelp,
		Example: `  $ counsel consent confirm Client-A --method email
  $ counsel consent confirm "Client-A" --method verbal --at "2026-12-03 10:05"`,
		Args: optionalClientArg("CLIENT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := a.clientName(firstArg(args), "CLIENT")
			if err != nil {
				return err
			}
			return runConsentConfirm(cmd.Context(), a, client, opts)
		},
	}
	addEnumFlag(cmd.Flags(), &opts.method, "method", "", "how consent was given (required)", consent.Methods()...)
	cmd.Flags().StringVar(&opts.at, "at", "", `when consent was given, e.g. "2026-12-03 10:05" (default: now)`)
	return cmd
}

func runConsentConfirm(ctx context.Context, a *app, client string, opts *consentConfirmOptions) error {
	name, err := clientArg(client)
	if err != nil {
		return err
	}
	if opts.method == "" {
		return usageErrorf("--method is required (one of %s)", strings.Join(consent.Methods(), ", "))
	}
	loc := a.cfg.Location()
	var at time.Time
	if opts.at != "" {
		if at, err = session.ParseStart(opts.at, loc, a.deps.Now()); err != nil {
			return flagError("at", err)
		}
		if at.After(a.deps.Now()) {
			return flagError("at", errors.New("consent cannot be given in the future"))
		}
	}
	db, key, err := a.openStore(ctx, storeUse{access: changeDB, key: checkKey, purge: true})
	if err != nil {
		return err
	}
	defer db.Close()
	e, err := db.ConfirmConsent(ctx, store.Confirmation{Name: name, Method: opts.method, At: at,
		RecordedBy: a.recordedBy(), ProofKey: key})
	if err != nil {
		return personError(err)
	}
	a.info("consent recorded: given %s, method %s (event %s)", showWhen(e.Timestamp, loc, "2006-01-02 15:04 MST"),
		T(e.CollectionMethod), session.ShortID(e.ID))
	if !consent.Explicit(e.CollectionMethod) {
		a.warn("taking part is not the explicit consent GDPR Art. 9(2)(a) asks for health data; " +
			"when the client confirms by e-mail, form or in words, record that too")
	}
	return nil
}

// --- consent show ---

type consentShowOptions struct{ format string }

func newConsentShowCmd(a *app) *cobra.Command {
	opts := &consentShowOptions{}
	cmd := &cobra.Command{
		Use:   "show CLIENT [--format table|json|csv]",
		Short: "Show a client's consent history",
		Long: `Show a client's consent record, oldest event first: each notice sent (with
the version and hash of the text), each consent given (when and how).

After a withdrawal the name is erased, and all that remains is a proof entry
found through a keyed hash of the name: show then answers "did this person
withdraw, and when" (it needs the proof key, see docs/data-protection.md).
` + exitStatusHelp,
		Example: "  $ counsel consent show Client-A\n  $ counsel consent show Client-A --format json",
		Args:    optionalClientArg("CLIENT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := a.clientName(firstArg(args), "CLIENT")
			if err != nil {
				return err
			}
			return runConsentShow(cmd.Context(), a, client, opts)
		},
	}
	addListingFormatFlag(cmd, &opts.format)
	return cmd
}

// consentEventJSON is the stable JSON form of a consent event.
type consentEventJSON struct {
	ID               string `json:"id"`
	Event            string `json:"event"`
	Timestamp        string `json:"timestamp"`
	SessionID        string `json:"session_id,omitempty"`
	Jurisdiction     string `json:"jurisdiction"`
	LegalBasis       string `json:"legal_basis"`
	Purpose          string `json:"purpose"`
	NoticeLanguage   string `json:"notice_language,omitempty"`
	NoticeVersion    string `json:"notice_version,omitempty"`
	NoticeHash       string `json:"notice_hash,omitempty"`
	CollectionMethod string `json:"collection_method,omitempty"`
	RecordedBy       string `json:"recorded_by,omitempty"`
}

func toConsentEventJSON(e consent.ConsentEvent) consentEventJSON {
	return consentEventJSON{ID: e.ID, Event: e.Event, Timestamp: e.Timestamp.UTC().Format(time.RFC3339),
		SessionID: e.SessionID, Jurisdiction: e.Jurisdiction, LegalBasis: e.LegalBasis, Purpose: e.Purpose,
		NoticeLanguage: e.NoticeLanguage, NoticeVersion: e.NoticeVersion, NoticeHash: e.NoticeHash,
		CollectionMethod: e.CollectionMethod, RecordedBy: e.RecordedBy}
}

// withdrawalJSON is the stable JSON form of a withdrawal proof.
type withdrawalJSON struct {
	ID           string   `json:"id"`
	SubjectHMAC  string   `json:"subject_hmac"`
	WithdrawnAt  string   `json:"withdrawn_at"`
	NoticeHashes []string `json:"notice_hashes"`
	RetainUntil  string   `json:"retain_until"`
}

func toWithdrawalJSON(w consent.Withdrawal) withdrawalJSON {
	return withdrawalJSON{ID: w.ID, SubjectHMAC: w.SubjectHMAC, WithdrawnAt: w.WithdrawnAt.UTC().Format(time.RFC3339),
		NoticeHashes: w.NoticeHashes, RetainUntil: w.RetainUntil.UTC().Format(time.RFC3339)}
}

// personJSON is a person as scripts see it.
type personJSON struct {
	ID        string `json:"id"`
	Client    string `json:"client"`
	Erased    bool   `json:"erased"`
	CreatedAt string `json:"created_at"`
	ErasedAt  string `json:"erased_at,omitempty"`
}

func toPersonJSON(p consent.Person) *personJSON {
	if p.ID == "" {
		return nil
	}
	j := &personJSON{ID: p.ID, Client: p.Name, Erased: p.Erased(), CreatedAt: p.CreatedAt.UTC().Format(time.RFC3339)}
	if p.Erased() {
		j.ErasedAt = p.ErasedAt.UTC().Format(time.RFC3339)
	}
	return j
}

// lastDay is the last day a record with this exclusive end is kept.
func lastDay(until time.Time, loc *time.Location) string {
	return when(until.Add(-time.Second).In(loc), "2006-01-02")
}

func runConsentShow(ctx context.Context, a *app, client string, opts *consentShowOptions) error {
	if _, err := clientArg(client); err != nil {
		return err
	}
	db, key, err := a.openStore(ctx, storeUse{access: readDB, key: checkKey})
	if err != nil {
		return err
	}
	defer db.Close()
	sub, err := db.FindSubject(ctx, store.SubjectQuery{Ref: client, ProofKey: key})
	if err != nil {
		return personError(err)
	}
	loc := a.cfg.Location()
	v := struct {
		Person      *personJSON        `json:"person"`
		Events      []consentEventJSON `json:"events"`
		Withdrawals []withdrawalJSON   `json:"withdrawals"`
	}{Person: toPersonJSON(sub.Person), Events: []consentEventJSON{}, Withdrawals: []withdrawalJSON{}}
	type row struct {
		at    time.Time
		cells []string
	}
	var rows []row
	for _, e := range sub.Events {
		v.Events = append(v.Events, toConsentEventJSON(e))
		text := ""
		if e.NoticeHash != "" {
			text = fmt.Sprintf("%s %s %.12s", e.NoticeLanguage, e.NoticeVersion, e.NoticeHash)
		}
		rows = append(rows, row{e.Timestamp, []string{showWhen(e.Timestamp, loc, "2006-01-02 15:04"), T(e.Event),
			T(e.CollectionMethod), text, shortOrEmpty(e.SessionID), e.RecordedBy}})
	}
	for _, w := range sub.Withdrawals {
		v.Withdrawals = append(v.Withdrawals, toWithdrawalJSON(w))
		rows = append(rows, row{w.WithdrawnAt, []string{showWhen(w.WithdrawnAt, loc, "2006-01-02 15:04"), T(consent.Withdrawn),
			"", Tf("%d text(s); proof kept to %s", len(w.NoticeHashes), lastDay(w.RetainUntil, loc)), "", ""}})
	}
	// A withdrawal is shown where it happened among the events.
	l := listing{header: []string{"Time", "Event", "Method", "Consent text", "Session", "Recorded by"}, json: v}
	for len(rows) > 0 {
		first := 0
		for i, r := range rows {
			if r.at.Before(rows[first].at) {
				first = i
			}
		}
		l.rows = append(l.rows, rows[first].cells)
		rows = append(rows[:first], rows[first+1:]...)
	}
	if err := writeListing(a.deps.Stdout, opts.format, l); err != nil {
		return err
	}
	if sub.Person.ID == "" && opts.format == formatTable {
		a.info("this person withdrew consent; only the proof of the withdrawal is kept")
	}
	return nil
}

func shortOrEmpty(id string) string {
	if id == "" {
		return ""
	}
	return session.ShortID(id)
}

// --- consent revoke ---

type consentRevokeOptions struct {
	yes, dryRun, scrubHistory bool
	reinvite                  string
}

func newConsentRevokeCmd(a *app) *cobra.Command {
	opts := &consentRevokeOptions{}
	cmd := &cobra.Command{
		Use:   "revoke CLIENT-or-SESSION-ID [--yes] [--dry-run]",
		Short: "Withdraw a client's consent: delete, erase, keep only a proof",
		Long: `Withdraw a client's consent (GDPR Art. 7(3)) and erase their data (Art. 17).
The one argument is the name or pseudonym, or the ID of any of their sessions.

It deletes every session that has not started yet, with its meeting ID or
link, and the consent events, and erases the name from the person; sessions
that have started stay, without the name, until their retention ends (without
them the person's row goes too). Of the consent it keeps only a proof entry:
a keyed hash of the name, the time of the withdrawal and the hashes of the
consent texts the client received, until the end of the year of withdrawal
plus retention_consent_years; for as long, a keyed digest of each room of the
deleted sessions that no session holds any more (never the link or the ID), so
that no later session is given a room the person still has. The erased bytes
are overwritten in the database file and its write-ahead log. It reports
exactly what stays, then lists what you still have to do outside counsel:
Blizz meetings to cancel, invitations to delete.

While another program reads the database (a sqlite3 shell, a long export),
the erased bytes stay on disk until it closes; so they do when clearing them
fails. The withdrawal is done all the same: counsel warns, waits at most a
second, and exits 0. Close that program, then run 'counsel purge', which
clears them and says whether it could.

At a terminal it asks before it changes anything; otherwise add --yes.
--dry-run shows what would happen and changes nothing. Revoking a consent that
was already withdrawn says so, changes nothing and exits 0. A later
'counsel session new' for this person is refused unless --new-consent.

In a group the person's link to each group session goes; the others stay. A
Jitsi group session still to come gets a new room, and each remaining
participant a new invitation (--reinvite FOLDER, else on stdout); for Blizz it
lists the meetings whose password you must change. The room the person knew
is given to nobody again, the others included; the new room is the remaining
group's, exactly theirs, for later dates too.

It also lists your shell history files (bash, zsh, fish, PowerShell) that
still hold the name, without printing it, and offers to remove those entries;
--scrub-history removes them without asking (--yes does not). See
docs/data-protection.md.
` + exitStatusHelp,
		Example: `  $ counsel consent revoke Client-A
  $ counsel consent revoke 3f9a2c1e --dry-run
  $ counsel consent revoke "Client-A" --yes`,
		Args: optionalClientArg("CLIENT-or-SESSION-ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.clientName(firstArg(args), "CLIENT-or-SESSION-ID")
			if err != nil {
				return err
			}
			return runConsentRevoke(cmd.Context(), a, ref, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.yes, "yes", false, "do not ask for confirmation (needed when not at a terminal)")
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "show what would happen and change nothing")
	cmd.Flags().StringVar(&opts.reinvite, "reinvite", "", "folder for the new invitations of the other participants of group sessions still to come (default: stdout)")
	cmd.Flags().BoolVar(&opts.scrubHistory, "scrub-history", false, "remove the entries that hold the name from your shell history files without asking")
	return cmd
}

func runConsentRevoke(ctx context.Context, a *app, ref string, opts *consentRevokeOptions) error {
	if strings.TrimSpace(ref) == "" {
		return usageErrorf("CLIENT-or-SESSION-ID is empty")
	}
	if !opts.dryRun && !opts.yes && !a.deps.StdinTTY {
		return withHint(usageErrorf("not at a terminal, so counsel cannot ask: confirm with --yes"),
			"try --dry-run first to see what would happen")
	}
	if opts.reinvite != "" {
		// Refused before anything changes: after the withdrawal the folder could only be
		// reported missing.
		fi, err := os.Stat(opts.reinvite)
		switch {
		case err == nil && !fi.IsDir():
			return withHint(flagError("reinvite", errors.New("not a folder")),
				"give a folder (new or existing): it gets one file per participant, named by number and session ID")
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return flagError("reinvite", err)
		}
	}
	// Retention runs after the withdrawal (below), not here: a purge first
	// could delete the person (say, whose only session has an unreadable
	// date) and leave the withdrawal unrecorded.
	db, key, err := a.openStore(ctx, storeUse{access: changeDB, key: checkKey})
	if err != nil {
		return err
	}
	defer db.Close()
	sub, err := db.FindSubject(ctx, store.SubjectQuery{Ref: ref, AllowSession: true, ProofKey: key})
	if err != nil {
		return personError(err)
	}
	loc := a.cfg.Location()
	if sub.Person.ID == "" || sub.Person.Erased() {
		at := sub.Person.ErasedAt
		if w, ok := consent.LastWithdrawal(sub.Withdrawals); ok && sub.Person.ID == "" {
			at = w.WithdrawnAt
		}
		a.info("consent was already withdrawn on %s; nothing changed", showWhen(at, loc, "2006-01-02 15:04 MST"))
		if !sub.ByID && !personIDShaped(ref) && sub.Person.Name == "" {
			// The name was given: the history can still be cleaned of it.
			a.checkHistory(a.deps.Stdout, ref, opts.scrubHistory, opts.dryRun)
		}
		return nil
	}
	now := a.deps.Now()
	solo, groups := splitGroups(sub.Sessions)
	plan := consent.PlanRevoke(solo, now)
	until := consent.RetainUntil(now, a.cfg.RetentionConsentYears, loc)
	w := a.deps.Stdout
	if opts.dryRun || !opts.yes {
		writeRevokePlan(w, sub, plan, groups, now, until, a.cfg.RetentionSessionDays, loc)
		writeGroupPlan(w, groups, now, loc)
	}
	if opts.dryRun {
		fprintf(w, "Then still to do outside counsel:\n")
		writeExternalSteps(w, plan, loc)
		a.checkHistory(w, sub.Person.Name, false, true)
		a.info("dry run: nothing was changed")
		return nil
	}
	if !opts.yes {
		ok, err := a.confirm("Withdraw this person's consent and erase their name? This cannot be undone. [y/N]")
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("not confirmed; nothing changed")
		}
	}
	if err := a.outputLost(); err != nil {
		return err // the plan was not shown: change nothing
	}
	if key == nil {
		kf, err := a.keyFile()
		if err != nil {
			return err
		}
		if key, err = kf.Ensure(ctx, db); err != nil {
			return err
		}
	}
	res, err := db.RevokeConsent(ctx, store.Revocation{PersonID: sub.Person.ID, ProofKey: key,
		RetentionYears: a.cfg.RetentionConsentYears, Location: loc, NewJoinURL: a.newJitsiRoom})
	// A failed checkpoint comes after the commit: the withdrawal is done and reported as
	// done, and the warning at the end says what is still on disk.
	cpErr := checkpointFailure(&err)
	if err != nil {
		return personError(err)
	}
	a.changed = fmt.Sprintf("consent of person %s is withdrawn and the name erased", session.ShortID(res.PersonID))
	a.again = stepHints(res.Plan, loc)
	a.autoPurge(ctx, db, key)
	writeRevokeDone(w, res, a.cfg.RetentionSessionDays, loc)
	writeGroupsLeft(w, res, loc)
	fprintf(w, "Still to do outside counsel:\n")
	writeExternalSteps(w, res.Plan, loc)
	if err := a.reinvite(w, res, opts.reinvite, now); err != nil {
		return err
	}
	a.checkHistory(w, sub.Person.Name, opts.scrubHistory, false)
	// Only a person at a terminal has typed the line into an interactive shell.
	if a.nameArg && a.deps.StdinTTY && session.NameKey(ref) == session.NameKey(sub.Person.Name) {
		a.info("the name is on this command line, so your shell adds it to its history after this command; next time give the person's ID (%s) or '-' (see docs/data-protection.md)", session.ShortID(sub.Person.ID))
	}
	a.warnErasedLeft(res.Checkpointed, cpErr)
	return nil
}

// confirm asks a yes/no question on stderr and reads the answer from stdin;
// only "y" or "yes" is a yes, in German also "j" or "ja" (see yes).
func (a *app) confirm(question string) (bool, error) {
	fmt.Fprint(a.deps.Stderr, T(question)+" ")
	line, err := a.readLine()
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	return yes(line), nil
}

func sessionLine(s session.Session, loc *time.Location) string {
	line := fmt.Sprintf("%s  %s  %s", session.ShortID(s.ID), showWhen(s.Start, loc, "Mon 2006-01-02 15:04 MST"), s.ProviderID)
	if s.MeetingID != "" {
		line += " " + meetingDisplay(s.MeetingID)
	}
	return line
}

// revokeReport is what a withdrawal does and what stays afterwards. The plan
// (dry run, the question at a terminal) and the result are written by one
// function, so that they say the same, and docs/data-protection.md's table
// "What remains after a withdrawal" lists exactly the "stays" part.
type revokeReport struct {
	person      string
	plan        consent.RevokePlan
	events      int       // consent events deleted
	texts       int       // consent text hashes the proof keeps
	proofUntil  time.Time // exclusive end of the proof's retention
	sessionDays int       // retention_session_days
	// rooms counts the rooms remembered as keyed digests (done); -1 in a plan
	// that deletes sessions (how many of their rooms are still stored
	// elsewhere is known when it is done).
	rooms int
}

func writeRevokeReport(w io.Writer, r revokeReport, done bool, loc *time.Location) {
	if len(r.plan.Delete) > 0 {
		if done {
			fprintf(w, "  - deleted %d session(s) that had not started, with their meeting IDs and links:\n", len(r.plan.Delete))
		} else {
			fprintf(w, "  - delete %d session(s) that have not started, with their meeting IDs and links:\n", len(r.plan.Delete))
		}
		for _, s := range r.plan.Delete {
			fmt.Fprintf(w, "      %s\n", termLines(sessionLine(s, loc)))
		}
	}
	if done {
		fprintf(w, "  - deleted %d consent event(s) and erased the name\n", r.events)
	} else {
		fprintf(w, "  - delete %d consent event(s) and erase the name\n", r.events)
	}
	if len(r.plan.Keep) == 0 {
		if done {
			fprintf(w, "  - deleted the person's row: no session of theirs had started\n")
		} else {
			fprintf(w, "  - delete the person's row: no session of theirs has started\n")
		}
	}
	if done {
		fprintf(w, "What stays in counsel:\n")
	} else {
		fprintf(w, "What would stay in counsel:\n")
	}
	if len(r.plan.Keep) > 0 {
		fprintf(w, "  - %d session(s) that had started, without the name (provider, meeting ID or address, place, time), each until its retention ends:\n",
			len(r.plan.Keep))
		for _, s := range r.plan.Keep {
			fprintf(w, "      %s  until %s\n", sessionLine(s, loc), lastDay(s.End().AddDate(0, 0, r.sessionDays), loc))
		}
		fprintf(w, "  - the person's row without the name (ID, when created and erased), until the last of those sessions is deleted\n")
	}
	fprintf(w, "  - the proof of the withdrawal (keyed hash of the name, time, %d consent text hash(es)), until %s\n",
		r.texts, lastDay(r.proofUntil, loc))
	// The rooms are kept as long as the proof (the same retention, from the same moment).
	switch {
	case r.rooms > 0:
		fprintf(w, "  - %d keyed digest(s) of rooms no session keeps (not the links or meeting IDs), so that no later session is given them, until %s\n",
			r.rooms, lastDay(r.proofUntil, loc))
	case r.rooms < 0:
		fprintf(w, "  - keyed digests of the rooms no session keeps (not the links or meeting IDs), so that no later session is given them, until %s\n",
			lastDay(r.proofUntil, loc))
	}
	fprintf(w, "  - the audit trail: events with IDs, counts and digests, no name\n")
}

func writeRevokePlan(w io.Writer, sub store.Subject, plan consent.RevokePlan, groups []session.Session, now, until time.Time,
	days int, loc *time.Location) {
	fprintf(w, "Withdrawing consent of person %s would:\n", session.ShortID(sub.Person.ID))
	// Rooms may be retired: those of the deleted sessions, and the old room of a group date
	// that gets a new one (store.leaveGroups).
	rooms := 0
	if len(plan.Delete) > 0 || slices.ContainsFunc(groups, func(s session.Session) bool { return getsNewRoom(s, now) }) {
		rooms = -1
	}
	writeRevokeReport(w, revokeReport{person: sub.Person.ID, plan: plan, events: len(sub.Events),
		texts: len(consent.NoticeHashesOf(sub.Events)), proofUntil: until, sessionDays: days, rooms: rooms}, false, loc)
}

func writeRevokeDone(w io.Writer, res store.Revoked, days int, loc *time.Location) {
	fprintf(w, "Consent of person %s withdrawn on %s.\n", session.ShortID(res.PersonID),
		showWhen(res.Withdrawal.WithdrawnAt, loc, "2006-01-02 15:04 MST"))
	writeRevokeReport(w, revokeReport{person: res.PersonID, plan: res.Plan, events: res.EventsDeleted,
		texts: len(res.Withdrawal.NoticeHashes), proofUntil: res.Withdrawal.RetainUntil, sessionDays: days, rooms: res.RoomsRetired}, true, loc)
}

// stepHints are the steps left after a withdrawal, for the error when its
// report is lost: it cannot be shown again (the records are erased). Errors
// never carry a meeting ID, so Blizz meetings are named by session and time.
func stepHints(plan consent.RevokePlan, loc *time.Location) []string {
	hints := []string{"the report cannot be shown again; what is left to do outside counsel:"}
	for _, st := range plan.ExternalSteps() {
		hints = append(hints, stepText(st, loc, false))
	}
	return hints
}

func writeExternalSteps(w io.Writer, plan consent.RevokePlan, loc *time.Location) {
	for _, st := range plan.ExternalSteps() {
		fmt.Fprintf(w, "  - %s\n", termLines(stepText(st, loc, true)))
	}
}

// stepText says one step left to do outside counsel; withMeeting adds the
// Blizz meeting ID (stdout only).
func stepText(st consent.Step, loc *time.Location, withMeeting bool) string {
	switch st.Kind {
	case consent.StepCancelBlizz:
		if withMeeting {
			return Tf("cancel the meeting %s in Blizz (TeamViewer Meeting): session %s, %s",
				meetingDisplay(st.MeetingID), session.ShortID(st.SessionID), showWhen(st.Start, loc, "Mon 2006-01-02 15:04 MST"))
		}
		return Tf("cancel the meeting in Blizz (TeamViewer Meeting): session %s, %s",
			session.ShortID(st.SessionID), showWhen(st.Start, loc, "Mon 2006-01-02 15:04 MST"))
	case consent.StepTellCancelled:
		return T("tell the client that the withdrawal is done and their sessions are cancelled")
	case consent.StepDeleteMail:
		return T("delete the invitations you sent to this client from your mailbox (sent items, drafts) and any saved .eml or .ics files")
	case consent.StepDeleteCalendar:
		return T("delete the calendar entries made from those invitations")
	}
	return string(st.Kind)
}
