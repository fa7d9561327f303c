package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/store"
)

type purgeOptions struct{ dryRun bool }

func newPurgeCmd(a *app) *cobra.Command {
	opts := &purgeOptions{}
	cmd := &cobra.Command{
		Use:   "purge [--dry-run]",
		Short: "Delete records whose retention has ended",
		Long: `Delete what has been kept long enough (GDPR Art. 5(1)(e)):

  - sessions that ended more than retention_session_days ago (default 90);
  - people left without any session, with their consent events;
  - withdrawal proofs whose time has come (the end of the year of withdrawal
    plus retention_consent_years, default 3);
  - remembered rooms whose time has come (the same period);
  - audit events whose time has come (the end of their year plus
    retention_audit_years, default 3). A checkpoint event states the seq and
    hash the remaining trail starts from, so it still verifies, and so does a
    head kept after it; rows recorded only by removed events are recorded
    again with the digest the trail held. --dry-run shows what the trail would
    lose. While the trail does not verify, no audit event is removed: they are
    kept past their time as evidence of the break, and the purge warns.

A person who still has a session keeps their consent record. The rooms of the
deleted sessions that no session holds any more are remembered as keyed
digests, so that no later session is given them (their clients keep the
links); that needs the proof key. Without it the purge runs all the same and
warns how many rooms it could not remember. The deleted bytes are
overwritten in the database file and its write-ahead log; a purge run by
hand does that even when nothing is due, so it also clears what an earlier
withdrawal or purge had to leave while another program read the database.
If another program is still reading, it warns and exits 0. A purge is
recorded in the audit trail with the counts when it deletes something, and
when the due rows it keeps (below) are not what the last purge recorded: how
many, or why, so the trail says since when rows are kept.

A withdrawal proof or remembered room is deleted only as the audit trail last
recorded it: one changed outside counsel (say, its retention end moved into
the past with sqlite3) is kept, and so is every due one when the trail itself
does not verify (counsel cannot then tell which were changed, and says so).
The purge deletes the rest, warns how many rows it kept and exits 1 (--dry-run
only warns). 'counsel audit verify' names the changed rows when the trail
verifies; when it does not, verify names only the first event where the trail
breaks. Restore the database file from a backup made before the change or the
break; until then 'counsel export dpo' tells the data protection officer how
many rows are kept and since when (and, while the trail does not verify, that
audit retention is held).

'session new', 'session cancel', 'session move', 'consent confirm', 'consent
revoke' and 'export subject' run this purge first, so running it by hand is
only needed to see (--dry-run) or to force it. Their purge only warns of rows
it kept: the command itself goes on.

EXIT STATUS

    0  success
    1  failure (the error message says what went wrong; nothing was changed),
       or due rows were kept, changed outside counsel or with a trail that
       does not verify (the rest was purged),
       or the bytes could not be cleared from the disk (the purge is done)
    2  usage error (unknown command or flag, missing or invalid argument)`,
		Example: "  $ counsel purge --dry-run\n  $ counsel purge",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPurge(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "count what would be deleted and change nothing")
	return cmd
}

// retention is the configured retention; key is the proof key, with which the rooms of
// purged sessions are remembered (see purgeKey).
func (a *app) retention(key []byte) store.Retention {
	return store.Retention{SessionDays: a.cfg.RetentionSessionDays, AuditYears: a.cfg.RetentionAuditYears, Location: a.cfg.Location(),
		ProofKey: key, ConsentYears: a.cfg.RetentionConsentYears}
}

// purgeKey is the proof key for a purge whose command did not read it: the key file if it
// is there and is the key the database recorded, else nil and why not (nil too when there
// is no key and the database never needed one). A purge never waits for the key (storage
// limitation comes first): without it the rooms of the purged sessions cannot be
// remembered, and warnRooms says so and why.
func (a *app) purgeKey(ctx context.Context, db *store.DB) ([]byte, error) {
	kf, err := a.keyFile()
	if err != nil {
		return nil, err
	}
	return kf.Checked(ctx, db, false)
}

// warnRooms tells of rooms a purge could not remember, and why: a key file that is
// missing, unreadable or another key than the database's each needs another repair.
func (a *app) warnRooms(p store.Purged, why error) {
	switch {
	case p.RoomsUnremembered == 0:
	case why != nil:
		a.warn("the proof key could not be used (%v), so %d room(s) of the deleted sessions are not remembered: counsel no longer refuses them to another session; do not give those links or meeting IDs to anyone again", why, p.RoomsUnremembered)
	default:
		a.warn("the proof key could not be read, so %d room(s) of the deleted sessions are not remembered: counsel no longer refuses them to another session; do not give those links or meeting IDs to anyone again", p.RoomsUnremembered)
	}
}

func runPurge(ctx context.Context, a *app, opts *purgeOptions) error {
	db, _, err := a.openStore(ctx, storeUse{access: changeDB})
	if err != nil {
		return err
	}
	defer db.Close()
	key, why := a.purgeKey(ctx, db)
	p, err := db.Purge(ctx, a.retention(key), opts.dryRun, "command")
	cpErr := checkpointFailure(&err)
	if err != nil {
		return err
	}
	if !opts.dryRun && p.Total() > 0 {
		a.changed = "the purge is done"
		a.again = []string{"the counts are in the purge event of the audit trail ('counsel export audit')"}
	}
	if opts.dryRun {
		fprintf(a.deps.Stdout, "would delete %s\n", purgedCounts(p))
	} else {
		fprintf(a.deps.Stdout, "deleted %s\n", purgedCounts(p))
	}
	if p.RoomsRetired > 0 {
		if opts.dryRun {
			fprintf(a.deps.Stdout, "would remember %d room(s) of the deleted sessions as keyed digests, so that no other session is given them\n", p.RoomsRetired)
		} else {
			fprintf(a.deps.Stdout, "remembered %d room(s) of the deleted sessions as keyed digests, so that no other session is given them\n", p.RoomsRetired)
		}
	}
	if p.RetiredRooms > 0 {
		if opts.dryRun {
			fprintf(a.deps.Stdout, "would delete %d remembered room(s) whose retention ended\n", p.RetiredRooms)
		} else {
			fprintf(a.deps.Stdout, "deleted %d remembered room(s) whose retention ended\n", p.RetiredRooms)
		}
	}
	if p.AuditEvents > 0 {
		before, first := p.AuditBefore.In(a.cfg.Location()).Format("2006-01-02"), p.AuditFrom-int64(p.AuditEvents)
		if opts.dryRun {
			fprintf(a.deps.Stdout, "audit trail: would remove %d event(s) from before %s (seq %d to %d) and start at seq %d after a checkpoint; heads kept from those events could no longer be checked\n",
				p.AuditEvents, before, first, p.AuditFrom-1, p.AuditFrom)
		} else {
			fprintf(a.deps.Stdout, "audit trail: removed %d event(s) from before %s (seq %d to %d); it starts at seq %d after a checkpoint\n",
				p.AuditEvents, before, first, p.AuditFrom-1, p.AuditFrom)
		}
	}
	a.warnRooms(p, why)
	a.warnAuditHeld(p)
	return a.purgeEnd(p, opts.dryRun, cpErr)
}

// purgeEnd says what a purge by hand left undone and gives its exit status: a failed
// checkpoint and kept rows are both exit 1, so a script notices; when both happened the kept
// rows are a warning and the checkpoint the error, so neither goes unsaid.
func (a *app) purgeEnd(p store.Purged, dryRun bool, cpErr *store.CheckpointError) error {
	if dryRun {
		a.info("dry run: nothing was changed")
	} else if cpErr == nil {
		a.warnDeletedLeft(p)
	}
	switch {
	case p.KeptTampered == 0:
	case dryRun || cpErr != nil:
		a.warn("%s", keptMessage(p))
	default:
		return withHint(errors.New(keptMessage(p)),
			"the rest of the purge is done; keep a copy of the database file as evidence (docs/data-protection.md, Retention)")
	}
	if cpErr != nil {
		// Clearing the disk is what a purge by hand is for.
		return withHint(errors.New(Tf("the purge is done, but the deleted and erased bytes could not be cleared from the disk (%v): they stay in the database file or its -wal file", cpErr.Err)),
			"run 'counsel purge' again once the cause is fixed; it clears them and says whether it could")
	}
	return nil
}

// keptMessage tells of due rows the purge kept because the trail does not vouch for them
// (store.Purged.KeptTampered): what is known, that they were not deleted, and what to do.
// With the chain broken counsel cannot tell which rows were changed, so it does not say so.
func keptMessage(p store.Purged) string {
	if p.TrailBroken {
		return Tf("the audit trail does not verify, so counsel cannot tell which records were changed outside counsel: %d withdrawal proof(s) or remembered room(s) whose retention has ended are kept, not deleted, until the trail is restored; run 'counsel audit verify' and restore the database file from a backup made before the break", p.KeptTampered)
	}
	return Tf("%d withdrawal proof(s) or remembered room(s) whose retention has ended were changed outside counsel, so they were kept, not deleted; 'counsel audit verify' names them; restore the database file from a backup made before the change", p.KeptTampered)
}

// warnAuditHeld tells of audit events kept past their retention because the chain does not
// verify (store.Purged.AuditHeld).
func (a *app) warnAuditHeld(p store.Purged) {
	if p.AuditHeld {
		a.warn("audit retention is held back: the audit trail does not verify, so its old events are kept as evidence, not deleted, until it is restored; run 'counsel audit verify' and restore the database file from a backup made before the break")
	}
}

func purgedCounts(p store.Purged) string {
	return Tf("%d session(s), %d person(s), %d consent event(s), %d withdrawal proof(s)",
		p.Sessions, p.People, p.ConsentEvents, p.Withdrawals)
}

// autoPurge deletes what is due before a command changes records (design
// rule 4). When nothing is due it costs one indexed query. A failure does
// not stop the command: it is reported, and the next command tries again.
//
// key is the proof key the command read, nil if it read none (then purgeKey
// reads it, when something is due).
func (a *app) autoPurge(ctx context.Context, db *store.DB, key []byte) {
	due, err := db.PurgeDue(ctx, a.retention(nil))
	if err == nil && !due {
		return
	}
	var p store.Purged
	var why error
	if err == nil {
		if key == nil {
			key, why = a.purgeKey(ctx, db)
		}
		p, err = db.Purge(ctx, a.retention(key), false, "auto")
	}
	cpErr := checkpointFailure(&err)
	if err != nil {
		a.warn("could not delete expired records (%v); run 'counsel purge' to retry", err)
		return
	}
	if p.Total() > 0 {
		a.info("retention: deleted %s", purgedCounts(p))
		a.warnExpiredLeft(p.Checkpointed, cpErr)
	}
	a.warnRooms(p, why)
	a.warnAuditHeld(p)
	if p.KeptTampered > 0 {
		// The counsellor's command goes on; the rows stay until verify's finding is resolved.
		a.warn("%s", keptMessage(p))
	}
}

// checkpointFailure takes a *store.CheckpointError out of *err and returns it: the change
// before the checkpoint was committed, so the command goes on to report it as done.
func checkpointFailure(err *error) *store.CheckpointError {
	var ce *store.CheckpointError
	if errors.As(*err, &ce) {
		*err = nil
		return ce
	}
	return nil
}

// warnErasedLeft tells the counsellor that a committed withdrawal left the erased bytes on
// disk (docs/data-protection.md, Physical erasure): the checkpoint failed (err), or another
// program reads the database (checkpointed false). The withdrawal is done and stays done;
// 'counsel purge' checkpoints and says whether it could.
func (a *app) warnErasedLeft(checkpointed bool, err *store.CheckpointError) {
	switch {
	case err != nil:
		a.warn("the withdrawal is done, but the erased bytes could not be cleared from the disk (%v): they stay in the database file or its -wal file; run 'counsel purge', which clears them and says whether it could", err.Err)
	case !checkpointed:
		a.warn("the withdrawal is done, but another program is reading the database, so the erased bytes stay on disk (in the database file or its -wal file) until it closes: close that program, then run 'counsel purge', which clears them and says whether it could")
	}
}

// warnDeletedLeft is warnErasedLeft for a purge by hand whose checkpoint a reader kept from
// completing; a failed one is runPurge's error. A purge that deleted nothing ran for the bytes
// an earlier withdrawal or purge left, so it speaks of those.
func (a *app) warnDeletedLeft(p store.Purged) {
	switch {
	case p.Checkpointed:
	case p.Total() == 0:
		a.warn("nothing was due, but another program is reading the database, so bytes that earlier withdrawals or purges erased may stay on disk (in the database file or its -wal file) until it closes: close that program, then run 'counsel purge' again")
	default:
		a.warn("the purge is done, but another program is reading the database, so the deleted bytes stay on disk (in the database file or its -wal file) until it closes: close that program, then run 'counsel purge' again")
	}
}

// warnExpiredLeft is warnErasedLeft for the purge a command runs first (autoPurge), when it
// deleted something: the command goes on either way.
func (a *app) warnExpiredLeft(checkpointed bool, err *store.CheckpointError) {
	switch {
	case err != nil:
		a.warn("expired records were deleted, but the bytes could not be cleared from the disk (%v); run 'counsel purge'", err.Err)
	case !checkpointed:
		a.warn("expired records were deleted, but another program is reading the database, so their bytes stay on disk (in the database file or its -wal file) until it closes: close that program, then run 'counsel purge', which clears them and says whether it could")
	}
}
