package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/data"
	"github.com/expeerienced/counsel/internal/config"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

func newSessionCmd(a *app) *cobra.Command {
	return groupCmd(a, "session", "Plan, list, move and cancel video consultations",
		`Plan, list, move and cancel video consultations.

Each session stores only what the consent form names: the meeting ID or
address, the place and date, and the client's name or pseudonym.
`, func() []*cobra.Command {
			return []*cobra.Command{newSessionNewCmd(a), newSessionListCmd(a), newSessionShowCmd(a), newSessionMoveCmd(a), newSessionCancelCmd(a)}
		})
}

type sessionNewOptions struct {
	clients, tos                            []string
	every, count, until                     string
	providerID, at, duration, tz, place     string
	meetingID, url, lang, eml, ics, format  string
	force, dryRun, allowPast, allowWeakRoom bool
	newConsent                              bool
}

func newSessionNewCmd(a *app) *cobra.Command {
	opts := &sessionNewOptions{}
	cmd := &cobra.Command{
		Use:   "new --client NAME --provider ID --at TIME [flags]",
		Short: "Plan a session and write the consent-and-invite e-mail",
		Long: `Plan a video consultation and write the e-mail that both invites the client
and tells them, before they take part, what is stored and how to withdraw.

For a Jitsi provider counsel makes a fresh, unguessable room (or checks the
--url you give). For Blizz, create a scheduled meeting with a password in the
Blizz app and pass its meeting ID with --meeting-id.

A client is one person whatever the spelling: names are compared without
regard to case, spacing and invisible characters, so a second session for
"client-a" belongs to "Client-A" (counsel says so). A room or Blizz meeting
ID already stored for another client is refused, and so is one whose sessions
counsel has deleted (a withdrawal, a purge): their people still have it. A
client who withdrew consent is refused unless --new-consent; --dry-run refuses
the same.

The e-mail goes to stdout (subject, blank line, body); --eml writes a draft
your mail program opens (with the calendar event attached) and --ics the
calendar event alone. The --to address is used for the draft only and is never
stored. Nothing is stored when any input is refused, or with --dry-run.

A group: repeat --client (and --to, in the same order). The clients share
one room; each gets their own e-mail naming only them, and --eml and --ics
take a folder with one file per participant. A series: --every 1w or 2w
with --count N or --until DATE; one session per date, all in one room, at
the same local time, one e-mail listing every date and one calendar file
with an event per date.

--format json prints one object: the room, the first date, and for one
client subject and body; for a group or a series also every date
(sessions), series_id, participants and every e-mail (emails).

The start must lie between now and horizon_years (default 2) ahead; with
--allow-past it may lie in the past, but not so far that the session ended
longer ago than retention_session_days (its record would be deleted at once).
A local time that happens twice (the hour repeated when clocks go back) is
refused with both meanings: add the offset you mean, as in
--at "2026-10-25 02:30 +01:00".
` + exitStatusHelp,
		Example: `  $ counsel session new --client "Client-A" --provider sichere-videokonferenz --at "2026-12-03 10:00"
  $ counsel session new --client "Client-B" --provider blizz --meeting-id m12-345-678 \
      --at "2026-12-04 16:30" --duration 1h --lang en --to client@example.org --eml invite.eml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSessionNew(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.clients, "client", nil, "the client's name or pseudonym, or the person's ID; - reads it from standard input (asked for at a terminal); repeat for a group")
	f.StringVar(&opts.providerID, "provider", "", "provider id from 'counsel providers list' (required)")
	f.StringVar(&opts.at, "at", "", `start, e.g. "2026-12-03 10:00", "tomorrow 10:00" or "2026-10-25 02:30 +01:00", in --tz (required)`)
	f.StringVar(&opts.duration, "duration", "50m", `length, e.g. "50m" or "1h30m"`)
	f.StringVar(&opts.tz, "tz", "", "time zone of --at and of the e-mail (default: config timezone)")
	f.StringVar(&opts.place, "place", "", "place recorded for the session (default: config place, or place_de / place_en by --lang)")
	f.StringVar(&opts.meetingID, "meeting-id", "", "Blizz meeting ID, e.g. m12-345-678 (required for Blizz)")
	f.StringVar(&opts.url, "url", "", "Jitsi meeting URL on the provider's host (default: a fresh room)")
	f.StringVar(&opts.lang, "lang", "", "language of the e-mail: de or en (default: config language)")
	f.StringArrayVar(&opts.tos, "to", nil, "client's e-mail address for the draft (never stored); for a group one per --client, in the same order")
	f.StringVar(&opts.eml, "eml", "", "write an e-mail draft (.eml) to this file (a folder for a group or series)")
	f.StringVar(&opts.ics, "ics", "", "write the calendar event (.ics) to this file (a folder for a group or series)")
	f.StringVar(&opts.every, "every", "", `a series: "1w" (weekly) or "2w" (every two weeks), with --count or --until`)
	f.StringVar(&opts.count, "count", "", "number of dates of the series (2 to 52)")
	f.StringVar(&opts.until, "until", "", `last day of the series, e.g. "2027-02-23", in --tz`)
	f.BoolVar(&opts.force, "force", false, "replace existing --eml / --ics files")
	f.BoolVar(&opts.dryRun, "dry-run", false, "show the e-mail but store nothing and write no file")
	f.BoolVar(&opts.allowPast, "allow-past", false, "accept a start in the past (to record a session afterwards)")
	f.BoolVar(&opts.allowWeakRoom, "allow-weak-room", false, "accept a guessable Jitsi room name in --url (still warns)")
	f.BoolVar(&opts.newConsent, "new-consent", false, "start a fresh consent for a client who withdrew earlier")
	addFormatFlag(cmd, &opts.format, formatText, formatText, formatJSON)
	return cmd
}

// plannedSession is a session new request after every check passed.
type plannedSession struct {
	session.Planned
	to       []string // the --to addresses, checked
	warnings []string
	person   store.Created // after storing: whose session it is
}

// scriptMix says which look-alike scripts a name mixes, as the messages
// (and their German entries) spell it.
func scriptMix(scripts []string) string {
	switch strings.Join(scripts, "+") {
	case "Latin+Cyrillic":
		return "Latin and Cyrillic"
	case "Latin+Greek":
		return "Latin and Greek"
	case "Cyrillic+Greek":
		return "Cyrillic and Greek"
	}
	return "Latin and Cyrillic and Greek"
}

// flagError is a refused flag value: the message names the flag, never the
// value (which may be a client's name, address or link).
func flagError(flag string, err error) error {
	return usageErrorf("--%s: %v", flag, err)
}

func (a *app) providerRegistry() (*provider.Registry, error) {
	dir, err := config.Dir()
	if err != nil {
		return nil, err
	}
	return provider.LoadBuiltIn(filepath.Join(dir, "providers.yaml"))
}

func (a *app) templates() (*invite.Templates, error) {
	dir, err := config.Dir()
	if err != nil {
		return nil, err
	}
	return invite.LoadTemplates(data.Templates(), filepath.Join(dir, "templates"))
}

// planSession checks every input of session new for clients (names, person
// IDs resolved) and to (the --to addresses, one per client or none) through
// session.Plan, and words a refusal by its flag; it stores nothing.
func (a *app) planSession(opts *sessionNewOptions, clients, to []string, now time.Time) (*plannedSession, error) {
	reg, err := a.providerRegistry()
	if err != nil {
		return nil, err
	}
	lang := a.cfg.Language
	if opts.lang != "" {
		lang = opts.lang
	}
	req := session.Request{Clients: clients, ProviderID: opts.providerID, MeetingID: opts.meetingID, URL: opts.url,
		AllowWeakRoom: opts.allowWeakRoom, At: opts.at, Duration: opts.duration, Timezone: a.cfg.Timezone,
		Lang: lang, Place: a.cfg.PlaceFor(lang), Every: opts.every, Count: opts.count, Until: opts.until,
		AllowPast: opts.allowPast, HorizonYears: a.cfg.HorizonYears, RetentionDays: a.cfg.RetentionSessionDays}
	if opts.tz != "" {
		req.Timezone = opts.tz
	}
	if opts.place != "" {
		req.Place = opts.place
	}
	planned, err := session.Plan(req, reg, now.In(a.cfg.Location()))
	if err != nil {
		return nil, a.planError(err)
	}
	p := &plannedSession{Planned: planned}
	for _, scripts := range planned.LookAlike {
		if scripts != nil {
			p.warnings = append(p.warnings, fmt.Sprintf("--client: the name mixes %s letters, which look alike; a look-alike letter makes another person: check it is spelled as before",
				scriptMix(scripts)))
		}
	}
	p.warnings = append(p.warnings, planned.Warnings...)
	for i, t := range to {
		addr, err := invite.ParseAddress(t)
		switch {
		case err != nil && !opts.group():
			return nil, flagError("to", errors.New("not a valid e-mail address"))
		case err != nil:
			return nil, flagError("to", fmt.Errorf("address %d is not a valid e-mail address", i+1))
		}
		p.to = append(p.to, addr.String())
	}
	return p, nil
}

// planFlags are the flags of session new by the request field they give.
var planFlags = map[session.Field]string{
	session.FieldClient: "client", session.FieldProvider: "provider", session.FieldTimezone: "tz",
	session.FieldAt: "at", session.FieldDuration: "duration", session.FieldLang: "lang", session.FieldPlace: "place",
	session.FieldMeetingID: "meeting-id", session.FieldURL: "url", session.FieldEvery: "every",
	session.FieldCount: "count", session.FieldUntil: "until",
}

// planError words a refused planning request by the flag that gave the
// input, with the way out where there is one.
func (a *app) planError(err error) error {
	var in *session.InputError
	if !errors.As(err, &in) {
		return err
	}
	var pe *session.ProviderError
	var de *session.DateError
	switch {
	case errors.As(err, &pe):
		return withHint(pe, "choose another provider from 'counsel providers list'")
	case errors.Is(err, session.ErrUnknownProvider):
		return withHint(flagError("provider", in.Err), "see 'counsel providers list' for the vetted providers")
	case errors.Is(err, session.ErrMeetingIDRequired):
		return withHint(usageErrorf("--meeting-id is required for Blizz"),
			"create a scheduled meeting with a password in Blizz and pass its ID, e.g. --meeting-id m12-345-678")
	case errors.Is(err, provider.ErrWeakRoom):
		return withHint(flagError("url", in.Err),
			"leave out --url: counsel then makes an unguessable room (or add --allow-weak-room to keep this one)")
	case in.Field == session.FieldAt:
		return startError(in.Err, a.cfg)
	case in.Field == session.FieldEvery && errors.As(err, &de):
		return withHint(flagError("every", in.Err), "shorten the series with --count or --until, or raise horizon_years in the config file")
	}
	return flagError(planFlags[in.Field], in.Err)
}

// startError words a start outside the plan window, with the way out.
func startError(err error, cfg config.Config) error {
	switch {
	case errors.Is(err, session.ErrStartPast):
		return withHint(flagError("at", err), "add --allow-past to record a session that already happened")
	case errors.Is(err, session.ErrStartRetention):
		return withHint(flagError("at", fmt.Errorf("%w (%d days, config key retention_session_days)", err, cfg.RetentionSessionDays)),
			"a session this old is not recorded: its record would already be due for deletion")
	case errors.Is(err, session.ErrStartTooFarAway):
		return withHint(flagError("at", fmt.Errorf("%w (%d years, config key horizon_years)", err, cfg.HorizonYears)),
			"check the year; to plan further ahead, raise horizon_years in the config file")
	}
	return flagError("at", err)
}

// inviteData is what the templates render for a session.
func (a *app) inviteData(s session.Session, prov provider.Provider, meeting provider.BlizzID, loc *time.Location, lang string) invite.Data {
	name, email := "", ""
	if addr, err := invite.ParseAddress(a.cfg.Counsellor); err == nil {
		name, email = addr.Name, addr.Address
	}
	return invite.Data{
		Lang: lang, SessionID: s.ID, ClientName: s.ClientName, Provider: prov,
		Start: s.Start, Duration: s.Duration, Location: loc, JoinURL: s.JoinURL,
		MeetingID: meeting.Display(), Place: s.Place, Organisation: a.cfg.Organisation,
		CounsellorName: name, CounsellorEmail: email, PolicyURL: a.cfg.PolicyURL,
		PrivacyURL: a.cfg.PrivacyURL, WithdrawalContact: a.cfg.WithdrawalContact,
		ComplaintAuthority: a.cfg.ComplaintAuthority, ComplaintURL: a.cfg.ComplaintURL,
		SessionDays: a.cfg.RetentionSessionDays, ConsentYears: a.cfg.RetentionConsentYears,
	}
}

// group reports whether session new plans a group or a series.
func (opts *sessionNewOptions) group() bool {
	return len(opts.clients) > 1 || opts.every != "" || opts.count != "" || opts.until != ""
}

func runSessionNew(ctx context.Context, a *app, opts *sessionNewOptions) error {
	if opts.group() {
		return runSessionGroup(ctx, a, opts)
	}
	if len(opts.tos) > 1 {
		return usageErrorf("--to is given %d times for one --client; give one --to per --client", len(opts.tos))
	}
	client := ""
	if len(opts.clients) == 1 {
		client = opts.clients[0]
	}
	now := a.deps.Now()
	if opts.providerID != "" && opts.at != "" { // ask only once the rest is there
		name, err := a.clientName(client, "--client")
		if err != nil {
			return err
		}
		if client, err = a.personByID(ctx, name); err != nil {
			return err
		}
	}
	for _, req := range []struct{ flag, val string }{{"client", client}, {"provider", opts.providerID}, {"at", opts.at}} {
		if req.val == "" {
			return usageErrorf("--%s is required", req.flag)
		}
	}
	p, err := a.planSession(opts, []string{client}, opts.tos, now)
	if err != nil {
		return err
	}
	to := ""
	if len(p.to) == 1 {
		to = p.to[0]
	}
	out := mailOutput{eml: opts.eml, ics: opts.ics, to: to, force: opts.force, dryRun: opts.dryRun}
	if err := a.checkMailOutput(out, false); err != nil {
		return err
	}
	tmpl, err := a.templates()
	if err != nil {
		return err
	}
	s := &p.Sessions[0]
	d := a.inviteData(*s, p.Provider, p.Meeting, p.Location, p.Lang)
	msg, err := tmpl.Render(d)
	if err != nil {
		return err
	}
	s.InviteVersion = msg.InviteVersion
	ics, err := invite.ICS(d, calendarUID(s.ID), now)
	if err != nil {
		return err
	}

	if opts.dryRun {
		if err := a.checkSession(ctx, p, opts); err != nil {
			return err
		}
	} else {
		if err := a.storeSession(ctx, p, msg, ics, out, opts.newConsent, now); err != nil {
			return err
		}
	}
	return a.printNewSession(p, []groupMail{{msg: msg}}, opts)
}

// printNewSession is what session new prints once the session, group or series is stored (or
// checked, with --dry-run): every e-mail on stdout (one session's also as JSON), then on stderr
// the planning's warnings and what was done.
func (a *app) printNewSession(p *plannedSession, mails []groupMail, opts *sessionNewOptions) error {
	group := opts.group()
	first := p.Sessions[0]
	short := session.ShortID(first.ID)
	switch {
	case opts.format == formatJSON:
		if err := writeSessionJSON(a.deps.Stdout, p, mails, group); err != nil {
			return err
		}
	case len(mails) > 1:
		if err := a.printGroupMails(mails); err != nil {
			return err
		}
	default:
		if err := printMail(a.deps.Stdout, mails[0].msg); err != nil {
			return err
		}
	}
	for _, w := range p.warnings {
		a.warn("%s", w)
	}
	if p.person.SpellingDiffers {
		// Neither spelling is printed: stderr may end up in a log.
		a.info("the client is person %s, known under another spelling of this name; the session is theirs",
			session.ShortID(p.person.PersonID))
	}
	if group && p.Provider.Kind == provider.KindJitsi && len(p.Clients) > 1 {
		a.warn("a Jitsi call of three or more people is not end-to-end encrypted by default; the group e-mail says so")
		a.info("to switch it on: in the meeting, open the shield icon (security options) and turn on end-to-end encryption; every participant needs a browser that supports it")
		a.info("it cannot be switched on from 20 participants, and from 25 it is switched off")
	}
	if opts.dryRun {
		a.info("dry run: session %s was not stored and no file was written", short)
		return nil
	}
	start := when(first.Start.In(p.Location), "Mon 2 Jan 2006 15:04 MST")
	if group {
		a.info("session %s created: %d date(s) from %s, %d participant(s), one room", short, len(p.Sessions), start, len(p.Clients))
	} else {
		a.info("session %s created for %s", short, start)
	}
	if p.Provider.Kind == provider.KindBlizz {
		if group {
			a.info("send the meeting password to each client separately, not in this e-mail")
		} else {
			a.info("send the meeting password to the client separately, not in this e-mail")
		}
	}
	return nil
}

// checkSession is the dry run's part of storeSession: every rule the stored
// records decide (a withdrawn client, a room of another client) refuses the
// dry run as it would the real one. Nothing is created: no database, no proof
// key. Without a key file the real run would make a new key, which matches no
// proof; a throw-away key does the same here.
func (a *app) checkSession(ctx context.Context, p *plannedSession, opts *sessionNewOptions) error {
	c, err := a.checkNewSession(ctx, store.NewSession{Session: p.Sessions[0], NewConsent: opts.newConsent})
	if err != nil {
		return err
	}
	p.person = c
	return nil
}

// checkNewSession is a dry run's check against the stored records: what the real run would
// refuse (a withdrawn client, a room of someone else's) is refused, and nothing is written.
// Without a database there is nothing to refuse; without a proof key a throwaway one stands in
// (no withdrawal can exist without the real one).
func (a *app) checkNewSession(ctx context.Context, ns store.NewSession) (store.Created, error) {
	db, key, err := a.openStore(ctx, storeUse{access: changeDB, key: peekKey, missingOK: true})
	if err != nil || db == nil {
		return store.Created{}, err
	}
	defer db.Close()
	if key == nil {
		key = make([]byte, consent.KeySize)
		if _, err := rand.Read(key); err != nil {
			return store.Created{}, err
		}
	}
	ns.ProofKey = key
	c, err := db.CheckNewSession(ctx, ns)
	if err != nil {
		return store.Created{}, personError(err)
	}
	return c, nil
}

// storeSession prepares the requested files, stores the session, and only
// then publishes the files (outputFiles): a file that cannot be made refuses
// the session, and a file that --force would replace survives a failure.
func (a *app) storeSession(ctx context.Context, p *plannedSession, msg invite.Message, ics []byte, out mailOutput, newConsent bool, now time.Time) error {
	s := p.Sessions[0]
	files := &outputFiles{}
	defer files.discard()
	if err := a.prepareMail(files, out.ics, out.eml, out.force, msg, ics, messageID(s.ID, 0), out.to, now); err != nil {
		return err
	}
	// The database work is a few short statements and runs to its end once begun: with a
	// context that Ctrl-C can cancel, the driver starts two goroutines for every statement to
	// be able to interrupt it, which cost more than the statements (5-9% of the command). An
	// interrupt now takes effect when the session is stored and its files are published (or
	// once a busy database has made counsel give up, after at most the busy timeout).
	ctx = context.WithoutCancel(ctx)
	db, key, err := a.openStore(ctx, storeUse{access: createDB, key: ensureKey, purge: true})
	if err != nil {
		return err
	}
	defer db.Close()
	if a.deps.Pause != nil {
		a.deps.Pause("session-new-write")
	}
	notice := consent.Notice{Language: msg.Lang, Version: msg.TemplateVersion, Hash: msg.ConsentSHA256}
	c, err := db.CreateSessionFor(ctx, store.NewSession{Session: s, Notice: notice, RecordedBy: a.recordedBy(),
		ProofKey: key, NewConsent: newConsent, WeakRoom: p.WeakRoom})
	if err != nil {
		return personError(err)
	}
	p.person = c
	if c.ConsentPending {
		// A returning client who never replied: the new e-mail asks again,
		// and the counsellor should know the earlier one went unanswered.
		a.info("this client's consent is still pending: no agreement is recorded for the earlier invitation")
		a.info("when the client replies, record it with 'counsel consent confirm CLIENT --method email'")
	}
	short := session.ShortID(s.ID)
	a.changed = fmt.Sprintf("session %s is stored", short)
	a.again = []string{fmt.Sprintf("'counsel session show %s --format text' prints the e-mail again (--format eml: the draft)", short)}
	return files.publish(a.changed, sessionAgain(short))
}

// recordedBy names the counsellor in consent records: the configured name,
// not the address.
func (a *app) recordedBy() string {
	if addr, err := invite.ParseAddress(a.cfg.Counsellor); err == nil && addr.Name != "" {
		return addr.Name
	}
	return "counsellor"
}

// writeSessionJSON prints session new's result as one JSON object. One session for one client
// keeps the shape scripts know: its e-mail as subject and body. A group or a series gives the
// same keys about the room and its first date, then every date as sessions (id, starts_at),
// the series ID (several dates only), the number of participants and every e-mail (subject,
// body), in the order the text output prints them.
func writeSessionJSON(w io.Writer, p *plannedSession, mails []groupMail, group bool) error {
	s, warnings := p.Sessions[0], p.warnings
	if warnings == nil {
		warnings = []string{}
	}
	type dated struct {
		ID       string `json:"id"`
		StartsAt string `json:"starts_at"`
	}
	type mail struct {
		Subject string `json:"subject"`
		Body    string `json:"body"`
	}
	v := struct {
		ID           string   `json:"id"`
		Provider     string   `json:"provider"`
		Kind         string   `json:"kind"`
		JoinURL      string   `json:"join_url"`
		MeetingID    string   `json:"meeting_id"`
		StartsAt     string   `json:"starts_at"`
		Timezone     string   `json:"timezone"`
		Place        string   `json:"place"`
		Subject      *string  `json:"subject,omitempty"`
		Body         *string  `json:"body,omitempty"`
		SeriesID     string   `json:"series_id,omitempty"`
		Participants int      `json:"participants,omitempty"`
		Sessions     []dated  `json:"sessions,omitempty"`
		Emails       []mail   `json:"emails,omitempty"`
		Warnings     []string `json:"warnings"`
	}{
		ID: s.ID, Provider: s.ProviderID, Kind: s.Kind, JoinURL: s.JoinURL, MeetingID: p.Meeting.Display(),
		StartsAt: s.Start.In(p.Location).Format(time.RFC3339), Timezone: p.Location.String(), Place: s.Place,
		Warnings: warnings,
	}
	if !group {
		v.Subject, v.Body = &mails[0].msg.Subject, &mails[0].msg.Body
	} else {
		v.SeriesID = p.SeriesID // several dates only
		v.Participants = len(p.Clients)
		for _, d := range p.Sessions {
			v.Sessions = append(v.Sessions, dated{d.ID, d.Start.In(p.Location).Format(time.RFC3339)})
		}
		for _, m := range mails {
			v.Emails = append(v.Emails, mail{m.msg.Subject, m.msg.Body})
		}
	}
	return writeJSON(w, v)
}
