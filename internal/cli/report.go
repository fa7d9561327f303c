package cli

import (
	"context"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

type reportOptions struct {
	from, to, by, format string
}

func newReportCmd(a *app) *cobra.Command {
	opts := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report [--from DATE] [--to DATE] [--by month|provider] [--format table|json|csv]",
		Short: "Count sessions and consents for funders, without personal data",
		Long: `Count, per month or per provider: sessions held (scheduled, start in the past),
planned (scheduled, start still ahead), cancelled, consents given and consents
withdrawn. Counts only: no names, no IDs.

Sessions count by their start, consents by when they were given, withdrawals by
when they happened; months are calendar months in the configured time zone.
--from and --to (dates such as 2026-01-01; --to is inclusive) narrow the range;
with both, every month between them is listed, empty ones too. Withdrawals
keep no session, so by provider they count under "(none)", as do consents
given without a session.

The report counts what is still stored: records purged after their retention
period no longer count, so report on a period before its records expire. A
person who withdrew no longer counts as having given consent (their consent
events are erased); the withdrawal counts.

group_sessions counts held and planned sessions with several participants,
participants their participants summed over held and planned sessions.
` + exitStatusHelp,
		Example: `  $ counsel report --from 2026-01-01 --to 2026-12-31
  $ counsel report --by provider --format csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.from, "from", "", "first day, e.g. 2026-01-01")
	cmd.Flags().StringVar(&opts.to, "to", "", "last day, e.g. 2026-12-31")
	addEnumFlag(cmd.Flags(), &opts.by, "by", store.ReportByMonth, "group counts by", store.ReportByMonth, store.ReportByProvider)
	addListingFormatFlag(cmd, &opts.format)
	return cmd
}

// reportCounts is one row of the report in JSON.
type reportCounts struct {
	Group             string `json:"group,omitempty"`
	Held              int64  `json:"held"`
	Planned           int64  `json:"planned"`
	Cancelled         int64  `json:"cancelled"`
	ConsentsGiven     int64  `json:"consents_given"`
	ConsentsWithdrawn int64  `json:"consents_withdrawn"`
	GroupSessions     int64  `json:"group_sessions"`
	Participants      int64  `json:"participants"`
}

func (c reportCounts) cells() []string {
	return []string{c.Group, strconv.FormatInt(c.Held, 10), strconv.FormatInt(c.Planned, 10),
		strconv.FormatInt(c.Cancelled, 10), strconv.FormatInt(c.ConsentsGiven, 10), strconv.FormatInt(c.ConsentsWithdrawn, 10),
		strconv.FormatInt(c.GroupSessions, 10), strconv.FormatInt(c.Participants, 10)}
}

type reportJSON struct {
	By          string         `json:"by"`
	From        string         `json:"from,omitempty"`
	To          string         `json:"to,omitempty"`
	Timezone    string         `json:"timezone"`
	GeneratedAt string         `json:"generated_at"`
	Rows        []reportCounts `json:"rows"`
	Total       reportCounts   `json:"total"`
}

func runReport(ctx context.Context, a *app, opts *reportOptions) error {
	loc := a.cfg.Location()
	now := a.deps.Now()
	f := store.ReportFilter{By: opts.by, Location: loc, Now: now}
	out := reportJSON{By: opts.by, Timezone: loc.String(), GeneratedAt: now.UTC().Format("2006-01-02T15:04:05Z")}
	if opts.from != "" {
		t, err := session.ParseDate(opts.from, loc)
		if err != nil {
			return flagError("from", err)
		}
		f.From, out.From = t, t.Format("2006-01-02")
	}
	if opts.to != "" {
		t, err := session.ParseDate(opts.to, loc)
		if err != nil {
			return flagError("to", err)
		}
		f.To, out.To = t.AddDate(0, 0, 1), t.Format("2006-01-02")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return usageErrorf("--to is before --from")
	}
	db, _, err := a.openStore(ctx, storeUse{access: readDB})
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.Report(ctx, f)
	if err != nil {
		return err
	}
	out.Rows = make([]reportCounts, 0, len(rows))
	for _, r := range rows {
		c := reportCounts{Group: r.Group, Held: r.Held, Planned: r.Planned, Cancelled: r.Cancelled,
			ConsentsGiven: r.ConsentsGiven, ConsentsWithdrawn: r.ConsentsWithdrawn,
			GroupSessions: r.GroupSessions, Participants: r.Participants}
		out.Rows = append(out.Rows, c)
		out.Total.Held += c.Held
		out.Total.Planned += c.Planned
		out.Total.Cancelled += c.Cancelled
		out.Total.ConsentsGiven += c.ConsentsGiven
		out.Total.ConsentsWithdrawn += c.ConsentsWithdrawn
		out.Total.GroupSessions += c.GroupSessions
		out.Total.Participants += c.Participants
	}
	header := []string{opts.by, "held", "planned", "cancelled", "consents_given", "consents_withdrawn", "group_sessions", "participants"}
	l := listing{header: header, json: out, csvHeader: header}
	for _, c := range out.Rows {
		l.rows = append(l.rows, reportTableCells(c.cells(), opts.by))
		l.csvRows = append(l.csvRows, c.cells())
	}
	// The total is a table line for people; CSV rows stay one kind, so a spreadsheet sums.
	total := out.Total
	total.Group = T("total")
	l.rows = append(l.rows, total.cells())
	return writeListing(a.deps.Stdout, opts.format, l)
}
