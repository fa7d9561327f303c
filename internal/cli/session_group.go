package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// groupMail is one participant's e-mail of a group session or series.
type groupMail struct {
	msg invite.Message
	ics []byte
	to  string
}

// runSessionGroup is session new for several clients, a series, or both:
// one room, one session per date, one e-mail per participant naming only
// them.
func runSessionGroup(ctx context.Context, a *app, opts *sessionNewOptions) error {
	now := a.deps.Now()
	if len(opts.clients) == 0 {
		return usageErrorf("--client is required")
	}
	if len(opts.tos) > 0 && len(opts.tos) != len(opts.clients) {
		return usageErrorf("--to is given %d times for %d --client; give one --to per --client, in the same order, or none",
			len(opts.tos), len(opts.clients))
	}
	if opts.providerID == "" || opts.at == "" {
		for _, req := range []struct{ flag, val string }{{"provider", opts.providerID}, {"at", opts.at}} {
			if req.val == "" {
				return usageErrorf("--%s is required", req.flag)
			}
		}
	}
	var names []string
	stdinUsed := false
	for _, c := range opts.clients {
		if c == stdinName {
			if stdinUsed {
				return usageErrorf("--client - may be given once (standard input holds one name)")
			}
			stdinUsed = true
		}
		name, err := a.clientName(c, "--client")
		if err != nil {
			return err
		}
		if name, err = a.personByID(ctx, name); err != nil {
			return err
		}
		names = append(names, name)
	}
	p, err := a.planSession(opts, names, opts.tos, now)
	if err != nil {
		return err
	}
	names = p.Clients
	if err := a.checkMailOutput(mailOutput{eml: opts.eml, ics: opts.ics, to: "", force: opts.force, dryRun: opts.dryRun}, true); err != nil {
		return err
	}

	// One session per date, one e-mail per participant.
	first, dates := p.Sessions[0], p.Dates()
	var uids []string
	for _, s := range p.Sessions {
		uids = append(uids, calendarUID(s.ID))
	}
	tmpl, err := a.templates()
	if err != nil {
		return err
	}
	var mails []groupMail
	var notices []consent.Notice
	for i, n := range names {
		s := first
		s.ClientName = n
		d := a.inviteData(s, p.Provider, p.Meeting, p.Location, p.Lang)
		d.Participants = len(names)
		if len(dates) > 1 {
			d.Dates = dates
		}
		msg, err := tmpl.Render(d)
		if err != nil {
			return err
		}
		ics, err := invite.SeriesICS(d, uids, now)
		if err != nil {
			return err
		}
		m := groupMail{msg: msg, ics: ics}
		if len(p.to) > 0 {
			m.to = p.to[i]
		}
		mails = append(mails, m)
		notices = append(notices, consent.Notice{Language: msg.Lang, Version: msg.TemplateVersion, Hash: msg.ConsentSHA256})
	}
	first.InviteVersion = mails[0].msg.InviteVersion
	first.ClientName = names[0]
	ns := store.NewSession{Session: first, Clients: names, Notices: notices, Later: p.Sessions[1:], SeriesID: p.SeriesID,
		RecordedBy: a.recordedBy(), NewConsent: opts.newConsent, WeakRoom: p.WeakRoom}

	short := session.ShortID(first.ID)
	if opts.dryRun {
		if _, err := a.checkNewSession(ctx, ns); err != nil {
			return err
		}
	} else {
		if err := a.storeGroup(ctx, ns, mails, opts, now); err != nil {
			return err
		}
		a.changed = fmt.Sprintf("session %s is stored", short)
		a.again = []string{fmt.Sprintf("'counsel session list' shows its %d dates", len(dates))}
	}
	return a.printNewSession(p, mails, opts)
}

// checkGroupOutput checks --eml and --ics of a group or series: folders,
// not the same one as a file would be.
func (a *app) checkGroupOutput(eml, ics string) error {
	if eml != "" && ics != "" && filepath.Clean(eml) == filepath.Clean(ics) {
		return usageErrorf("--eml and --ics name the same folder")
	}
	for _, o := range []struct{ flag, path string }{{"eml", eml}, {"ics", ics}} {
		if o.path == "" {
			continue
		}
		fi, err := os.Stat(o.path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("--%s: %w", o.flag, err)
		case !fi.IsDir():
			return withHint(usageErrorf("--%s: for a group or a series, give a folder: it gets one file per participant", o.flag),
				"the files are named by number and session ID, never by a name")
		}
	}
	return nil
}

// groupFileName names participant i's file: a number, the session's short ID
// as 'session list' shows it and, for a later message (seq > 0), its sequence
// number; never a name (a folder listing must not tell who takes part).
func groupFileName(i int, sessionID, ext string, seq int) string {
	if seq > 0 {
		return fmt.Sprintf("%02d-%s-%d.%s", i+1, session.ShortID(sessionID), seq, ext)
	}
	return fmt.Sprintf("%02d-%s.%s", i+1, session.ShortID(sessionID), ext)
}

// storeGroup prepares every participant's files, stores the sessions, then
// publishes the files (outputFiles).
func (a *app) storeGroup(ctx context.Context, ns store.NewSession, mails []groupMail, opts *sessionNewOptions, now time.Time) error {
	files := &outputFiles{}
	defer files.discard()
	out := mailOutput{eml: opts.eml, ics: opts.ics, force: opts.force}
	if err := a.prepareGroupFiles(files, out, mails, ns.Session.ID, 0, now); err != nil {
		return err
	}
	db, key, err := a.openStore(ctx, storeUse{access: createDB, key: ensureKey, purge: true})
	if err != nil {
		return err
	}
	defer db.Close()
	ns.ProofKey = key
	if _, err := db.CreateSessionFor(ctx, ns); err != nil {
		return personError(err)
	}
	a.changed = fmt.Sprintf("session %s is stored", session.ShortID(ns.Session.ID))
	return files.publish(a.changed, "cancel the sessions and plan them again to get the files")
}

// participantMails renders one e-mail per participant of a stored group
// session: msg words it from the session's data base with the participant's
// name and the group's size, ev is its calendar event.
func (a *app) participantMails(ctx context.Context, db *store.DB, s session.Session, base invite.Data,
	msg func(invite.Data) (invite.Message, error), ev invite.Event, now time.Time) ([]groupMail, error) {
	people, err := db.Participants(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	var out []groupMail
	for _, p := range people {
		if p.Name == "" {
			continue // erased: nobody to write to
		}
		d := base
		d.ClientName, d.Participants = p.Name, len(people)
		m, err := msg(d)
		if err != nil {
			return nil, err
		}
		ics, err := invite.Calendar(d, ev, now)
		if err != nil {
			return nil, err
		}
		out = append(out, groupMail{msg: m, ics: ics})
	}
	return out, nil
}

// groupChange gathers every participant's e-mail and prepared files of a
// change to dates of a group session, all before the change is stored: a
// file that cannot be made (it exists, the folder is missing) refuses the
// change instead of leaving it recorded without its e-mails.
type groupChange struct {
	out   mailOutput
	now   time.Time
	files outputFiles
	mails []groupMail
}

// addDate renders every participant's e-mail of date x from base (msg words
// it, ev is the calendar event of the change) and prepares their files.
func (a *app) addDate(ctx context.Context, db *store.DB, g *groupChange, x session.Session, base invite.Data,
	msg func(invite.Data) (invite.Message, error), ev invite.Event) ([]groupMail, error) {
	ms, err := a.participantMails(ctx, db, x, base, msg, ev, g.now)
	if err != nil {
		return nil, err
	}
	if err := a.prepareGroupFiles(&g.files, g.out, ms, x.ID, ev.Sequence, g.now); err != nil {
		return nil, err
	}
	g.mails = append(g.mails, ms...)
	return ms, nil
}

// prepareGroupFiles adds one .eml and one .ics per participant in the --eml
// and --ics folders to files, named by number, session and change number.
func (a *app) prepareGroupFiles(files *outputFiles, out mailOutput, mails []groupMail, sessionID string, seq int, now time.Time) error {
	if out.dryRun {
		return nil
	}
	for _, dir := range []string{out.eml, out.ics} {
		if dir == "" {
			continue
		}
		if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
			return withHint(usageErrorf("for a group session, --eml and --ics take a folder: it gets one file per participant"),
				"the files are named by number and session ID, never by a name")
		}
		if err := files.mkdir(dir); err != nil {
			return err
		}
	}
	for i, g := range mails {
		var icsPath, emlPath string
		if out.ics != "" {
			icsPath = filepath.Join(out.ics, groupFileName(i, sessionID, "ics", seq))
		}
		if out.eml != "" {
			emlPath = filepath.Join(out.eml, groupFileName(i, sessionID, "eml", seq))
		}
		if err := a.prepareMail(files, icsPath, emlPath, out.force, g.msg, g.ics, groupMessageID(sessionID, seq, i), g.to, now); err != nil {
			return err
		}
	}
	return nil
}

// groupMessageID is the Message-ID of participant i's e-mail of a session's
// change seq (0: the invitation).
func groupMessageID(sessionID string, seq, i int) string {
	if seq == 0 {
		return fmt.Sprintf("%s.%d@counsel.invalid", sessionID, i+1)
	}
	return fmt.Sprintf("%s.%d.%d@counsel.invalid", sessionID, seq, i+1)
}

// groupAgain is how to get the files of a group session's change again.
func groupAgain(short string) string {
	return fmt.Sprintf("'counsel session show %s' shows each participant's e-mail again (--format ics: the calendar events)", short)
}

// printGroupMails writes every participant's e-mail to stdout.
func (a *app) printGroupMails(mails []groupMail) error {
	for i, m := range mails {
		if _, err := fmt.Fprint(a.deps.Stdout, Tf("=== e-mail %d of %d ===\n", i+1, len(mails))); err != nil {
			return err
		}
		if err := printMail(a.deps.Stdout, m.msg); err != nil {
			return err
		}
	}
	return nil
}

// cancelGroup cancels a group session, or with series every date of its
// series still to come, and writes each participant's cancellation of each
// date; the calendar files remove the events under their UIDs.
func (a *app) cancelGroup(ctx context.Context, db *store.DB, s session.Session, out mailOutput, series bool, now time.Time) error {
	if !series && s.Status == session.Cancelled {
		return fmt.Errorf("session %s %w", session.ShortID(s.ID), store.ErrCancelled)
	}
	planned := []session.Session{s}
	if series {
		var err error
		if planned, err = db.PlanSeriesCancel(ctx, s.ID); err != nil {
			return sessionLookupError(err)
		}
	}
	tmpl, err := a.templates()
	if err != nil {
		return err
	}
	g := &groupChange{out: out, now: now}
	defer g.files.discard()
	for _, c := range planned {
		c.Status, c.CancelledAt, c.Sequence = session.Cancelled, now, c.Sequence+1
		m, err := a.mailFor(c, false)
		if err != nil {
			return err
		}
		ev := invite.Event{UID: calendarUID(c.ID), Sequence: c.Sequence, Cancel: true}
		if _, err := a.addDate(ctx, db, g, c, m.data, tmpl.RenderCancel, ev); err != nil {
			return err
		}
	}
	var cancelled []session.Session
	if series {
		cancelled, err = db.CancelSeries(ctx, s.ID, planned)
	} else {
		var c session.Session
		c, err = db.CancelSessionAt(ctx, s.ID, s.Sequence)
		cancelled = []session.Session{c}
	}
	if err != nil {
		return sessionLookupError(err)
	}
	short := session.ShortID(s.ID)
	a.changed = fmt.Sprintf("%d session(s) of %s are cancelled", len(cancelled), short)
	if err := g.files.publish(a.changed, groupAgain(short)); err != nil {
		return err
	}
	if err := a.printGroupMails(g.mails); err != nil {
		return err
	}
	loc := a.cfg.Location()
	for _, c := range cancelled {
		a.info("session %s on %s is cancelled", session.ShortID(c.ID), when(c.Start.In(loc), "Mon 2006-01-02 15:04 MST"))
	}
	if s.Kind == string(provider.KindBlizz) {
		a.info("still to do: cancel the meeting %s in Blizz (TeamViewer Meeting) for these dates", meetingDisplay(s.MeetingID))
	}
	return nil
}

// showGroupMail prints every participant's last e-mail of a group session
// (text), or their calendar events (ics): one after the other, each naming
// only its participant. A single .eml draft cannot hold several e-mails.
func (a *app) showGroupMail(ctx context.Context, db *store.DB, s session.Session, format string) error {
	if format == "eml" {
		return withHint(usageErrorf("a group session has one e-mail per participant; --format eml shows one e-mail"),
			"use --format text, or 'session move'/'session cancel' with --eml FOLDER for one draft per participant")
	}
	m, err := a.mailFor(s, s.Status != session.Cancelled)
	if err != nil {
		return err
	}
	tmpl, err := a.templates()
	if err != nil {
		return err
	}
	ev := invite.Event{UID: calendarUID(s.ID), Sequence: s.Sequence}
	base, msg := m.data, tmpl.Render
	if s.Status == session.Cancelled {
		ev.Cancel, ev.Sequence, msg = true, max(ev.Sequence, 1), tmpl.RenderCancel
	} else {
		base.Moved = s.Sequence > 0
	}
	mails, err := a.participantMails(ctx, db, s, base, msg, ev, a.deps.Now())
	if err != nil {
		return err
	}
	if format == "ics" {
		for _, g := range mails {
			if _, err := a.deps.Stdout.Write(g.ics); err != nil {
				return err
			}
		}
		return nil
	}
	return a.printGroupMails(mails)
}

// moveDates moves each of dates to its new start in news, with the length dur, and writes every
// participant's updated invitation: all e-mails and files are made first, then the dates move in
// one transaction. A group session moved alone is one date; --series gives the later ones too.
func (a *app) moveDates(ctx context.Context, db *store.DB, s session.Session, dates []session.Session, news []time.Time,
	dur time.Duration, opts *sessionMoveOptions, warnings []string, loc *time.Location, now time.Time) error {
	tmpl, err := a.templates()
	if err != nil {
		return err
	}
	g := &groupChange{out: opts.out, now: now}
	defer g.files.discard()
	moves := make([]store.Move, 0, len(dates))
	for i, x := range dates {
		m, err := a.mailFor(x, true)
		if err != nil {
			return err
		}
		d := m.data
		d.Start, d.Duration, d.Moved, d.PreviousStart = news[i], dur, true, x.Start
		ms, err := a.addDate(ctx, db, g, x, d, tmpl.Render, invite.Event{UID: calendarUID(x.ID), Sequence: x.Sequence + 1})
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return fmt.Errorf("session %s has no participant to write to", session.ShortID(x.ID))
		}
		msg := ms[0].msg
		moves = append(moves, store.Move{Ref: x.ID, Sequence: x.Sequence, Start: news[i], Duration: dur,
			Notice:  consent.Notice{Language: msg.Lang, Version: msg.TemplateVersion, Hash: msg.ConsentSHA256},
			Version: msg.InviteVersion, RecordedBy: a.recordedBy()})
	}
	short := session.ShortID(s.ID)
	if !opts.out.dryRun {
		if err := db.MoveSessions(ctx, moves); err != nil {
			return sessionLookupError(err)
		}
		if opts.series {
			a.changed = fmt.Sprintf("%d date(s) of the series of %s are moved", len(moves), short)
		} else {
			a.changed = fmt.Sprintf("session %s is moved", short)
		}
		if err := g.files.publish(a.changed, groupAgain(short)); err != nil {
			return err
		}
	}
	if err := a.printGroupMails(g.mails); err != nil {
		return err
	}
	for _, w := range warnings {
		a.warn("%s", w)
	}
	switch {
	case opts.out.dryRun && opts.series:
		a.info("dry run: no date of the series was moved and no file was written")
		return nil
	case opts.out.dryRun:
		a.info("dry run: session %s was not moved and no file was written", short)
		return nil
	}
	for i, x := range dates {
		a.info("session %s moved to %s", session.ShortID(x.ID), when(news[i].In(loc), "Mon 2 Jan 2006 15:04 MST"))
	}
	switch {
	case s.Kind != string(provider.KindBlizz):
	case opts.series:
		a.info("still to do: move the meetings of %s in Blizz (TeamViewer Meeting) to the new times", meetingDisplay(s.MeetingID))
	default:
		a.info("still to do: move the meeting %s in Blizz (TeamViewer Meeting) to the new time", meetingDisplay(s.MeetingID))
	}
	return nil
}
