package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
	"github.com/expeerienced/counsel/internal/safefile"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// mailOutput are the --to, --eml and --ics flags that session new, cancel
// and move share: the e-mail always goes to stdout, these add files.
type mailOutput struct {
	eml, ics, to  string
	force, dryRun bool
}

func addMailFlags(cmd *cobra.Command, out *mailOutput) {
	f := cmd.Flags()
	f.StringVar(&out.to, "to", "", "client's e-mail address for the draft (never stored)")
	f.StringVar(&out.eml, "eml", "", "write an e-mail draft (.eml) to this file")
	f.StringVar(&out.ics, "ics", "", "write the calendar event (.ics) to this file")
	f.BoolVar(&out.force, "force", false, "replace existing --eml / --ics files")
}

// checkMailOutput refuses, before anything is stored, what would make the
// files fail afterwards. For a group or a series (group), --eml and --ics
// are folders that get one file per participant.
func (a *app) checkMailOutput(out mailOutput, group bool) error {
	if group {
		if err := a.checkGroupOutput(out.eml, out.ics); err != nil {
			return err
		}
	} else {
		if out.eml != "" && out.ics != "" && filepath.Clean(out.eml) == filepath.Clean(out.ics) {
			return usageErrorf("--eml and --ics name the same file")
		}
		for _, o := range []struct{ flag, path string }{{"eml", out.eml}, {"ics", out.ics}} {
			if o.path != "" && !out.dryRun {
				if err := safefile.Check(o.path, out.force); err != nil {
					return outputFileError(o.flag, err)
				}
			}
		}
	}
	if out.to != "" {
		if _, err := invite.ParseAddress(out.to); err != nil {
			return flagError("to", errors.New("not a valid e-mail address"))
		}
	}
	if out.eml != "" && a.cfg.Counsellor == "" {
		return withHint(errors.New("--eml needs your sender address"),
			`set counsellor in the config file, e.g. counsellor: "Anna Beispiel <anna@example.org>"`,
			"or set COUNSEL_COUNSELLOR; 'counsel config init' writes a config file to start from")
	}
	return nil
}

// calendarUID is the UID of a session's calendar event: the same for the
// invitation, every move and the cancellation, so calendars update it.
func calendarUID(sessionID string) string { return sessionID + "@counsel" }

// messageID is the Message-ID of the e-mail of a session's change seq (0:
// the invitation): unique per message, never naming the client.
func messageID(sessionID string, seq int) string {
	if seq == 0 {
		return sessionID + "@counsel.invalid"
	}
	return sessionID + "." + strconv.Itoa(seq) + "@counsel.invalid"
}

// mailHeader is the header of a draft from the counsellor; to may be empty.
func (a *app) mailHeader(msgID, to string, now time.Time) (invite.Header, error) {
	from, err := invite.ParseAddress(a.cfg.Counsellor)
	if err != nil {
		return invite.Header{}, err
	}
	h := invite.Header{From: from, Date: now, MessageID: msgID}
	if to != "" {
		h.To, _ = invite.ParseAddress(to)
	}
	return h, nil
}

// prepareMail adds one e-mail's files to files: the calendar event at icsPath and the draft
// with the event attached at emlPath (each only when its path is given).
func (a *app) prepareMail(files *outputFiles, icsPath, emlPath string, force bool, msg invite.Message, ics []byte,
	msgID, to string, now time.Time) error {
	if icsPath != "" {
		if err := files.prepare("ics", icsPath, force, func(w io.Writer) error { _, err := w.Write(ics); return err }); err != nil {
			return err
		}
	}
	if emlPath == "" {
		return nil
	}
	h, err := a.mailHeader(msgID, to, now)
	if err != nil {
		return err
	}
	return files.prepare("eml", emlPath, force, func(w io.Writer) error { return invite.EML(w, msg, h, ics) })
}

// sessionAgain is how to get the files of a one-client session again.
func sessionAgain(short string) string {
	return fmt.Sprintf("'counsel session show %s --format eml' writes the e-mail again", short)
}

// sessionMail is what a stored session's e-mails are rendered from.
type sessionMail struct {
	s    session.Session
	prov provider.Provider
	loc  *time.Location
	lang string
	data invite.Data
}

// mailFor gathers a stored session's e-mail data: its provider from the list
// (a provider no longer listed is named by its ID, enough for a
// cancellation), its time zone and the language of its invitation.
func (a *app) mailFor(s session.Session, needProvider bool) (*sessionMail, error) {
	reg, err := a.providerRegistry()
	if err != nil {
		return nil, err
	}
	prov, ok := reg.Get(s.ProviderID)
	if !ok {
		if needProvider {
			return nil, withHint(fmt.Errorf("provider %s of session %s is no longer in the provider list", s.ProviderID, session.ShortID(s.ID)),
				"add it back to your own provider file, or cancel the session and plan a new one")
		}
		prov = provider.Provider{ID: s.ProviderID, Name: s.ProviderID, Kind: provider.Kind(s.Kind)}
	}
	m := &sessionMail{s: s, prov: prov, loc: a.cfg.Location(), lang: s.Lang}
	if tz, err := time.LoadLocation(s.Timezone); err == nil {
		m.loc = tz
	}
	if m.lang != "de" && m.lang != "en" {
		m.lang = a.cfg.Language // a session from before the language was recorded
	}
	var meeting provider.BlizzID
	if s.MeetingID != "" {
		meeting, _ = provider.ParseBlizzID(s.MeetingID)
	}
	m.data = a.inviteData(s, prov, meeting, m.loc, m.lang)
	return m, nil
}

// storedMailFor is mailFor for a session as stored, whose e-mail names its
// client. A session that had started stays after a withdrawal without the
// name: an e-mail for it would greet nobody.
func (a *app) storedMailFor(s session.Session, needProvider bool) (*sessionMail, error) {
	if s.Erased() {
		return nil, fmt.Errorf("session %s belongs to a person who withdrew consent and whose name is erased: there is no e-mail to write for it", session.ShortID(s.ID))
	}
	return a.mailFor(s, needProvider)
}

func printMail(w io.Writer, msg invite.Message) error {
	_, err := fmt.Fprintf(w, "%s\n\n%s", termLines(msg.Subject), termLines(msg.Body))
	return err
}

func newSessionCancelCmd(a *app) *cobra.Command {
	out := &mailOutput{}
	var series bool
	cmd := &cobra.Command{
		Use:   "cancel ID",
		Short: "Cancel a session and write the cancellation e-mail",
		Long: `Mark a session cancelled (the record stays until its retention ends) and
write the e-mail that tells the client, in the language of the invitation.

The e-mail goes to stdout (subject, blank line, body); --eml writes a draft
with the calendar cancellation attached and --ics the cancellation alone
(METHOD:CANCEL, STATUS:CANCELLED, the invitation's UID and a higher
SEQUENCE), which removes the event from the client's calendar. What is left
to do outside counsel (cancel the Blizz meeting) is listed on stderr. Nothing
is stored when a flag is refused. For a group session every participant gets
their own e-mail (--eml and --ics then take a folder); --series cancels every
date of the session's series still to come.
` + exitStatusHelp,
		Example: "  $ counsel session cancel 3f9a2c1e\n  $ counsel session cancel 3f9a2c1e --to client@example.org --eml cancel.eml",
		Args:    exactArgs("session ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSessionCancel(cmd.Context(), a, args[0], *out, series)
		},
	}
	addMailFlags(cmd, out)
	cmd.Flags().BoolVar(&series, "series", false, "cancel every date of the session's series still to come")
	return cmd
}

// sessionToChange opens the database for a change to the session ref names
// (cancel, move) and finds it.
func (a *app) sessionToChange(ctx context.Context, ref string) (*store.DB, session.Session, error) {
	db, _, err := a.openStore(ctx, storeUse{access: createDB, purge: true})
	if err != nil {
		return nil, session.Session{}, err
	}
	s, err := db.FindSession(ctx, ref)
	if err != nil {
		db.Close()
		return nil, session.Session{}, sessionLookupError(err)
	}
	// A row edited outside counsel is refused before any file or dry run, as the write would.
	if err := db.CheckSessionUnchanged(ctx, s.ID); err != nil {
		db.Close()
		return nil, session.Session{}, err
	}
	return db, s, nil
}

func runSessionCancel(ctx context.Context, a *app, ref string, out mailOutput, series bool) error {
	now := a.deps.Now()
	db, s, err := a.sessionToChange(ctx, ref)
	if err != nil {
		return err
	}
	defer db.Close()
	// Only the session tells whether --eml and --ics are files or folders.
	if err := a.checkMailOutput(out, series || s.IsGroup()); err != nil {
		return err
	}
	if series || s.IsGroup() {
		return a.cancelGroup(ctx, db, s, out, series, now)
	}
	if s.Status == session.Cancelled {
		return fmt.Errorf("session %s %w", session.ShortID(s.ID), store.ErrCancelled)
	}
	m, err := a.storedMailFor(s, false)
	if err != nil {
		return err
	}
	tmpl, err := a.templates()
	if err != nil {
		return err
	}
	msg, err := tmpl.RenderCancel(m.data)
	if err != nil {
		return err
	}
	seq := s.Sequence + 1
	ics, err := invite.Calendar(m.data, invite.Event{UID: calendarUID(s.ID), Sequence: seq, Cancel: true}, now)
	if err != nil {
		return err
	}
	files := &outputFiles{}
	defer files.discard()
	if err := a.prepareMail(files, out.ics, out.eml, out.force, msg, ics, messageID(s.ID, seq), out.to, now); err != nil {
		return err
	}
	if s, err = db.CancelSessionAt(ctx, s.ID, s.Sequence); err != nil {
		return sessionLookupError(err)
	}
	short := session.ShortID(s.ID)
	a.changed = fmt.Sprintf("session %s is cancelled", short)
	a.again = []string{fmt.Sprintf("'counsel session show %s --format text' shows the cancellation e-mail again", short)}
	if err := files.publish(a.changed, sessionAgain(short)); err != nil {
		return err
	}
	if err := printMail(a.deps.Stdout, msg); err != nil {
		return err
	}
	a.info("session %s on %s is cancelled", short, when(s.Start.In(m.loc), "Mon 2006-01-02 15:04 MST"))
	if s.Kind == string(provider.KindBlizz) {
		a.info("still to do: cancel the meeting %s in Blizz (TeamViewer Meeting)", meetingDisplay(s.MeetingID))
	}
	if out.eml == "" && out.ics == "" {
		a.info("send the client this e-mail; --ics or --eml also removes the event from their calendar")
	}
	return nil
}

type sessionMoveOptions struct {
	at, duration, tz string
	series           bool
	out              mailOutput
}

func newSessionMoveCmd(a *app) *cobra.Command {
	opts := &sessionMoveOptions{}
	cmd := &cobra.Command{
		Use:   "move ID --at TIME [--duration D]",
		Short: "Move a session and write the updated invitation",
		Long: `Give a scheduled session a new start (and, with --duration, a new length),
checked as for 'session new', and write the updated invitation in the
language of the first one. The move is an audit event; the notice the
updated invitation carries is recorded like the first.

Only a session that has not started can be moved: one that has is the record
of a consultation that took place. For a new appointment, plan a new session
with 'counsel session new'.

The e-mail goes to stdout; --eml writes a draft with the calendar event
attached and --ics the event alone: the invitation's UID with a higher
SEQUENCE, so the client's calendar moves the event instead of adding one.
The meeting link or ID stays the same. Nothing is stored when any input is
refused, or with --dry-run.

With --series, this date and every later date of its series move together:
each by the same number of days, to the new time of day (wall time, across
clock changes); --eml and --ics then name folders that get one file per
participant and date. All dates move, or none.
` + exitStatusHelp,
		Example: "  $ counsel session move 3f9a2c1e --at \"2026-12-10 10:00\"\n  $ counsel session move 3f9a2c1e --at \"2026-12-10 16:00\" --duration 1h --ics move.ics\n  $ counsel session move 3f9a2c1e --series --at \"2026-12-11 18:00\" --ics moved/",
		Args:    exactArgs("session ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSessionMove(cmd.Context(), a, args[0], opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.at, "at", "", `new start, e.g. "2026-12-10 10:00", in --tz (required)`)
	f.StringVar(&opts.duration, "duration", "", `new length, e.g. "50m" or "1h30m" (default: unchanged)`)
	f.StringVar(&opts.tz, "tz", "", "time zone of --at (default: the session's)")
	f.BoolVar(&opts.series, "series", false, "move this date and every later date of its series")
	f.BoolVar(&opts.out.dryRun, "dry-run", false, "show the e-mail but store nothing and write no file")
	addMailFlags(cmd, &opts.out)
	return cmd
}

func runSessionMove(ctx context.Context, a *app, ref string, opts *sessionMoveOptions) error {
	if opts.at == "" {
		return usageErrorf("--at is required")
	}
	now := a.deps.Now()
	db, s, err := a.sessionToChange(ctx, ref)
	if err != nil {
		return err
	}
	defer db.Close()
	if opts.series && s.SeriesID == "" {
		return flagError("series", fmt.Errorf("session %s is not part of a series", session.ShortID(s.ID)))
	}
	if err := a.checkMailOutput(opts.out, s.IsGroup() || opts.series); err != nil {
		return err
	}
	if s.Status == session.Cancelled {
		return withHint(fmt.Errorf("session %s %w", session.ShortID(s.ID), store.ErrCancelled),
			"plan a new session with 'counsel session new'")
	}
	if s.Start.Before(now) {
		return sessionLookupError(fmt.Errorf("session %s %w", session.ShortID(s.ID), store.ErrStarted))
	}
	m, err := a.storedMailFor(s, true)
	if err != nil {
		return err
	}
	var series []session.Session
	if opts.series {
		if series, err = db.PlanSeriesMove(ctx, s); err != nil {
			return sessionLookupError(err)
		}
	}
	// Checked as for a new session: a retired provider is refused.
	mv, err := session.PlanMove(session.MoveRequest{At: opts.at, Duration: opts.duration, Timezone: opts.tz,
		Location: m.loc, HorizonYears: a.cfg.HorizonYears}, s, series, m.prov, now.In(a.cfg.Location()))
	var pe *session.ProviderError
	switch {
	case errors.As(err, &pe):
		return withHint(pe, "cancel the session and plan a new one with another provider")
	case errors.Is(err, session.ErrStartPast):
		// Not planError's hint: move has no --allow-past, a session moves only ahead of now.
		return withHint(flagError("at", session.ErrStartPast), "a session can only be moved to a time still to come")
	case err != nil:
		return a.planError(err)
	}
	warnings, loc, dur := mv.Warnings, mv.Location, mv.Duration
	if opts.series {
		return a.moveDates(ctx, db, s, series, mv.Starts, dur, opts, warnings, loc, now)
	}
	start := mv.Starts[0]

	d := m.data
	d.Start, d.Duration, d.Moved, d.PreviousStart = start, dur, true, s.Start
	if s.IsGroup() {
		return a.moveDates(ctx, db, s, []session.Session{s}, []time.Time{d.Start}, dur, opts, warnings, loc, now)
	}
	tmpl, err := a.templates()
	if err != nil {
		return err
	}
	msg, err := tmpl.Render(d)
	if err != nil {
		return err
	}
	seq := s.Sequence + 1
	ics, err := invite.Calendar(d, invite.Event{UID: calendarUID(s.ID), Sequence: seq}, now)
	if err != nil {
		return err
	}
	short := session.ShortID(s.ID)
	if !opts.out.dryRun {
		files := &outputFiles{}
		defer files.discard()
		if err := a.prepareMail(files, opts.out.ics, opts.out.eml, opts.out.force, msg, ics, messageID(s.ID, seq), opts.out.to, now); err != nil {
			return err
		}
		notice := consent.Notice{Language: msg.Lang, Version: msg.TemplateVersion, Hash: msg.ConsentSHA256}
		if _, _, err := db.MoveSession(ctx, store.Move{Ref: s.ID, Sequence: s.Sequence, Start: start.UTC(), Duration: dur,
			Notice: notice, Version: msg.InviteVersion, RecordedBy: a.recordedBy()}); err != nil {
			return sessionLookupError(err)
		}
		a.changed = fmt.Sprintf("session %s is moved", short)
		a.again = []string{fmt.Sprintf("'counsel session show %s --format text' shows the updated invitation again", short)}
		if err := files.publish(a.changed, sessionAgain(short)); err != nil {
			return err
		}
	}
	if err := printMail(a.deps.Stdout, msg); err != nil {
		return err
	}
	for _, w := range warnings {
		a.warn("%s", w)
	}
	if opts.out.dryRun {
		a.info("dry run: session %s was not moved and no file was written", short)
		return nil
	}
	a.info("session %s moved to %s", short, when(start.In(loc), "Mon 2 Jan 2006 15:04 MST"))
	if s.Kind == string(provider.KindBlizz) {
		a.info("still to do: move the meeting %s in Blizz (TeamViewer Meeting) to the new time", meetingDisplay(s.MeetingID))
	}
	return nil
}

// sessionMessage renders again the last e-mail a session's client was sent:
// the invitation (a moved one for a session moved since) or, for a cancelled
// session, the cancellation; with its calendar event. It warns when today's
// templates are not the ones the e-mail was sent with.
func (a *app) sessionMessage(s session.Session, now time.Time) (invite.Message, []byte, error) {
	m, err := a.storedMailFor(s, s.Status != session.Cancelled)
	if err != nil {
		return invite.Message{}, nil, err
	}
	tmpl, err := a.templates()
	if err != nil {
		return invite.Message{}, nil, err
	}
	ev := invite.Event{UID: calendarUID(s.ID), Sequence: s.Sequence}
	if s.Status == session.Cancelled {
		ev.Cancel = ev.Sequence > 0
		msg, err := tmpl.RenderCancel(m.data)
		if err != nil {
			return msg, nil, err
		}
		if !ev.Cancel { // cancelled by a withdrawal: no cancellation was sent
			a.warn("session %s was cancelled by a withdrawal of consent; no cancellation e-mail was sent", session.ShortID(s.ID))
			ev.Sequence, ev.Cancel = 1, true
		}
		ics, err := invite.Calendar(m.data, ev, now)
		return msg, ics, err
	}
	d := m.data
	d.Moved = s.Sequence > 0
	msg, err := tmpl.Render(d)
	if err != nil {
		return msg, nil, err
	}
	if s.InviteVersion != "" && s.InviteVersion != msg.InviteVersion {
		a.warn("the invitation was sent with template %s; today's is %s, so the wording may differ", s.InviteVersion, msg.InviteVersion)
	}
	switch {
	case s.NoticeHash == "":
	case s.NoticeHash != msg.ConsentSHA256:
		a.warn("the consent notice differs from the one sent (version %s, sha256 %s); shown is today's %s", s.NoticeVersion, short12(s.NoticeHash), msg.TemplateVersion)
	}
	if d.Moved {
		a.info("session %s was moved since the first invitation; the former date is not kept, so it is not shown", session.ShortID(s.ID))
	}
	ics, err := invite.Calendar(d, ev, now)
	return msg, ics, err
}

func short12(h string) string { return h[:min(12, len(h))] }

// showSessionMail prints a stored session's last e-mail as text, .eml or .ics.
func (a *app) showSessionMail(s session.Session, format string) error {
	now := a.deps.Now()
	msg, ics, err := a.sessionMessage(s, now)
	if err != nil {
		return err
	}
	switch format {
	case "ics":
		_, err = a.deps.Stdout.Write(ics)
		return err
	case "eml":
		if a.cfg.Counsellor == "" {
			return withHint(errors.New("--format eml needs your sender address"),
				`set counsellor in the config file, e.g. counsellor: "Anna Beispiel <anna@example.org>"`)
		}
		from, err := invite.ParseAddress(a.cfg.Counsellor)
		if err != nil {
			return err
		}
		return invite.EML(a.deps.Stdout, msg, invite.Header{From: from, Date: now, MessageID: messageID(s.ID, s.Sequence)}, ics)
	}
	return printMail(a.deps.Stdout, msg)
}
