package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/provider"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

type sessionListOptions struct {
	all      bool
	from, to string
	limit    int
	format   string
}

func newSessionListCmd(a *app) *cobra.Command {
	opts := &sessionListOptions{}
	cmd := &cobra.Command{
		Use:   "list [--all] [--from DATE] [--to DATE] [--limit N]",
		Short: "List your sessions, upcoming first",
		Long: `List sessions sorted by start. Without flags: the scheduled sessions from now
on. --all adds past and cancelled sessions; --from and --to (dates such as
2026-12-01, in the configured time zone; --to is inclusive) narrow the range.
` + exitStatusHelp,
		Example: "  $ counsel session list\n  $ counsel session list --all --from 2026-12-01 --to 2026-12-31 --format csv",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSessionList(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.all, "all", false, "include past and cancelled sessions")
	cmd.Flags().StringVar(&opts.from, "from", "", "first day, e.g. 2026-12-01")
	cmd.Flags().StringVar(&opts.to, "to", "", "last day, e.g. 2026-12-31")
	cmd.Flags().IntVar(&opts.limit, "limit", 50, "show at most N sessions (0: no limit)")
	addListingFormatFlag(cmd, &opts.format)
	return cmd
}

func runSessionList(ctx context.Context, a *app, opts *sessionListOptions) error {
	loc := a.cfg.Location()
	f := store.SessionFilter{WithCancelled: opts.all, Limit: opts.limit}
	if opts.limit < 0 {
		return usageErrorf("--limit: want 0 or more")
	}
	if !opts.all {
		f.From = a.deps.Now()
	}
	if opts.from != "" {
		t, err := session.ParseDate(opts.from, loc)
		if err != nil {
			return flagError("from", err)
		}
		f.From = t
	}
	if opts.to != "" {
		t, err := session.ParseDate(opts.to, loc)
		if err != nil {
			return flagError("to", err)
		}
		f.To = t.AddDate(0, 0, 1)
	}
	if !f.To.IsZero() && !f.From.IsZero() && !f.To.After(f.From) {
		return usageErrorf("--to is before --from")
	}
	db, _, err := a.openStore(ctx, storeUse{access: readDB})
	if err != nil {
		return err
	}
	defer db.Close()
	list, more, err := db.ListSessions(ctx, f)
	if err != nil {
		return err
	}
	l := listing{
		header:    []string{"ID", "Start", "Client", "Person ID", "Provider", "Meeting", "Status", "Consent"},
		csvHeader: []string{"id", "start", "client", "person", "provider", "meeting_id", "join_url", "status", "consent"},
	}
	rows := make([]sessionJSON, 0, len(list))
	for _, s := range list {
		j := toSessionJSON(s, loc)
		rows = append(rows, j)
		start := showTime(s.Start, loc, "Mon 2006-01-02 15:04")
		l.rows = append(l.rows, []string{j.ShortID, showWhen(s.Start, loc, "Mon 2006-01-02 15:04"), clientWord(s), j.PersonShortID, s.ProviderID, meetingLabel(s), T(string(s.Status)), consentWord(s)})
		l.csvRows = append(l.csvRows, []string{j.ShortID, start, clientLabel(s), j.PersonShortID, s.ProviderID, j.MeetingID, s.JoinURL, string(s.Status), s.Consent})
	}
	l.json = rows
	if err := writeListing(a.deps.Stdout, opts.format, l); err != nil {
		return err
	}
	if more {
		a.info("showing the first %d sessions; more exist (use --limit 0 for all, or --from/--to)", opts.limit)
	}
	if len(list) == 0 && opts.format == formatTable {
		a.info("no sessions (add --all for past and cancelled ones)")
	}
	return nil
}

// sessionJSON is the stable JSON form of a session for scripts.
type sessionJSON struct {
	ID      string `json:"id"`
	ShortID string `json:"short_id"`
	Client  string `json:"client"`
	// PersonID names the person without their name; its short form is what
	// every command taking a client name accepts instead.
	PersonID      string `json:"person_id"`
	PersonShortID string `json:"person_short_id"`
	Erased        bool   `json:"erased"`
	Provider      string `json:"provider"`
	Kind          string `json:"kind"`
	MeetingID     string `json:"meeting_id"`
	JoinURL       string `json:"join_url"`
	Place         string `json:"place"`
	StartsAt      string `json:"starts_at"`
	Timezone      string `json:"timezone"`
	DurationMin   int    `json:"duration_min"`
	Status        string `json:"status"`
	CreatedAt     string `json:"created_at"`
	CancelledAt   string `json:"cancelled_at,omitempty"`
	// Consent is the person's consent state: pending, given or withdrawn.
	Consent string `json:"consent"`
	// Sequence counts the changes sent to the client (moves, cancellation).
	Sequence      int    `json:"sequence"`
	Lang          string `json:"lang"`
	InviteVersion string `json:"invite_version"`
	NoticeVersion string `json:"notice_version"`
	// Participants counts the clients (a group has several; client and
	// person_id are then empty), Agreed how many of them gave consent.
	Participants int    `json:"participants"`
	Agreed       int    `json:"agreed"`
	SeriesID     string `json:"series_id"`
}

func toSessionJSON(s session.Session, loc *time.Location) sessionJSON {
	j := sessionJSON{
		ID: s.ID, ShortID: session.ShortID(s.ID), Client: s.ClientName, Erased: s.Erased(),
		PersonID: s.PersonID, PersonShortID: session.ShortID(s.PersonID),
		Provider: s.ProviderID, Kind: s.Kind, MeetingID: meetingDisplay(s.MeetingID), JoinURL: s.JoinURL,
		Place: s.Place, StartsAt: jsonTime(s.Start), Timezone: s.Timezone,
		DurationMin: int(s.Duration / time.Minute), Status: string(s.Status),
		CreatedAt: jsonTime(s.CreatedAt),
		Consent:   s.Consent, Sequence: s.Sequence, Lang: s.Lang,
		InviteVersion: s.InviteVersion, NoticeVersion: s.NoticeVersion,
		Participants: s.Participants, Agreed: s.Agreed, SeriesID: s.SeriesID,
	}
	if !s.CancelledAt.IsZero() {
		j.CancelledAt = s.CancelledAt.Format(time.RFC3339)
	}
	return j
}

// consentWord is the consent column: the state, or for a group how many of
// the participants agreed.
func consentWord(s session.Session) string {
	if s.IsGroup() {
		return Tf("%d of %d agreed", s.Agreed, s.Participants)
	}
	return T(s.Consent)
}

func clientLabel(s session.Session) string {
	if s.IsGroup() {
		return fmt.Sprintf("group of %d", s.Participants)
	}
	if s.Erased() {
		return "(erased)"
	}
	return s.ClientName
}

func meetingDisplay(id string) string {
	if b, err := provider.ParseBlizzID(id); err == nil {
		return b.Display()
	}
	return id
}

// meetingLabel is the short meeting column: the Blizz ID, or the Jitsi host
// and room without the scheme and the pre-join fragment. The full link is in
// 'session show' and in JSON and CSV.
func meetingLabel(s session.Session) string {
	if s.MeetingID != "" {
		return meetingDisplay(s.MeetingID)
	}
	if u, err := url.Parse(s.JoinURL); err == nil && u.Host != "" {
		return u.Host + u.Path
	}
	return s.JoinURL
}

type sessionShowOptions struct{ format string }

func newSessionShowCmd(a *app) *cobra.Command {
	opts := &sessionShowOptions{}
	cmd := &cobra.Command{
		Use:   "show ID [--format table|json|csv|text|eml|ics]",
		Short: "Show one session, or its e-mail again",
		Long: `Show everything stored about one session, with the client's consent state
(pending, given, withdrawn). ID is the short ID shown by 'counsel session
list', the full ID, or a unique beginning of the full ID.

--format text prints the last e-mail the client was sent for it again: the
invitation (for a moved session the updated one, without the former date,
which is not kept), or for a cancelled session the cancellation; --format
eml the draft with its calendar event and --format ics the event alone (same
UID and SEQUENCE as sent). It is rendered from the stored session with
today's templates; when they are not the versions the e-mail was sent with,
or the consent notice's hash differs from the one recorded, a warning says
so.
` + exitStatusHelp,
		Example: "  $ counsel session show 3f9a2c1e\n  $ counsel session show 3f9a2c1e --format eml > invite.eml",
		Args:    exactArgs("session ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSessionShow(cmd.Context(), a, args[0], opts)
		},
	}
	addFormatFlag(cmd, &opts.format, formatTable, formatTable, formatJSON, formatCSV, formatText, formatEML, formatICS)
	return cmd
}

func runSessionShow(ctx context.Context, a *app, ref string, opts *sessionShowOptions) error {
	db, _, err := a.openStore(ctx, storeUse{access: readDB})
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := db.FindSession(ctx, ref)
	if err != nil {
		return sessionLookupError(err)
	}
	switch opts.format {
	case formatText, formatEML, formatICS:
		if s.IsGroup() {
			return a.showGroupMail(ctx, db, s, opts.format)
		}
		return a.showSessionMail(s, opts.format)
	}
	loc := a.cfg.Location()
	if tz, err := time.LoadLocation(s.Timezone); err == nil {
		loc = tz
	}
	j := toSessionJSON(s, loc)
	// The table translates the field names and words; CSV keeps them English.
	l := listing{header: []string{"Field", "Value"}, json: j, rows: [][]string{
		{word("id"), s.ID},
		{word("client"), clientWord(s)},
		{word("provider"), s.ProviderID},
		{word("meeting"), meetingLabel(s)},
		{word("join link"), s.JoinURL},
		{word("place"), s.Place},
		{word("start"), cell(showTime(s.Start, loc, "Mon 2006-01-02 15:04 MST"), showWhen(s.Start, loc, "Mon 2006-01-02 15:04 MST")) + " (" + s.Timezone + ")"},
		{word("duration"), fmt.Sprintf("%d min", int(s.Duration/time.Minute))},
		{word("status"), word(string(s.Status))},
		{word("consent"), consentWord(s)},
		{word("participants"), fmt.Sprintf("%d", s.Participants)},
		{word("created"), cell(showTime(s.CreatedAt, loc, "2006-01-02 15:04 MST"), showWhen(s.CreatedAt, loc, "2006-01-02 15:04 MST"))},
	}}
	if !s.CancelledAt.IsZero() {
		l.rows = append(l.rows, []string{word("cancelled"), cell(showTime(s.CancelledAt, loc, "2006-01-02 15:04 MST"), showWhen(s.CancelledAt, loc, "2006-01-02 15:04 MST"))})
	}
	return writeListing(a.deps.Stdout, opts.format, l)
}

func sessionLookupError(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrAmbiguous):
		return withHint(err, "'counsel session list --all' shows the IDs")
	case errors.Is(err, store.ErrStarted):
		return withHint(err, "for a new appointment, plan a new session with 'counsel session new'")
	}
	return err
}
