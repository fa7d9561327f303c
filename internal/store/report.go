package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Report groupings.
const (
	ReportByMonth    = "month"
	ReportByProvider = "provider"
)

// ReportUnattributed is the provider group of counts that belong to no provider: withdrawals
// (the proof entry keeps no session) and consents given without a session.
const ReportUnattributed = "(none)"

// ReportFilter selects what Report counts.
type ReportFilter struct {
	// From and To bound the counted times to [From, To); zero means unbounded. Sessions
	// count by their start, consents by when they were given, withdrawals by when they
	// happened.
	From, To time.Time
	By       string         // ReportByMonth or ReportByProvider
	Location *time.Location // months are calendar months in this zone (UTC when nil)
	Now      time.Time      // a scheduled session that started before Now counts as held
}

// ReportRow holds the counts of one month or provider. Counts only: no IDs, no names.
type ReportRow struct {
	Group             string // "2026-12" or a provider ID
	Held              int64  // scheduled, start before Now
	Planned           int64  // scheduled, start at or after Now
	Cancelled         int64
	ConsentsGiven     int64
	ConsentsWithdrawn int64
	// GroupSessions counts the held and planned sessions with several
	// participants; Participants sums the participants of all held and
	// planned sessions (a person at six dates counts six times). No names.
	GroupSessions int64
	Participants  int64
}

// Report counts sessions held, planned and cancelled, consents given and consents withdrawn
// per month or per provider, for funders. It counts what is still stored: records purged
// after their retention period no longer count. By month, every month from From to To is
// listed when both are set; otherwise only months with counts. Rows are in month or provider
// order.
func (d *DB) Report(ctx context.Context, f ReportFilter) ([]ReportRow, error) {
	if f.By != ReportByMonth && f.By != ReportByProvider {
		return nil, fmt.Errorf("report: unknown grouping %q", f.By)
	}
	loc := f.Location
	if loc == nil {
		loc = time.UTC
	}
	groups := map[string]*ReportRow{}
	row := func(key string) *ReportRow {
		r := groups[key]
		if r == nil {
			r = &ReportRow{Group: key}
			groups[key] = r
		}
		return r
	}
	month := func(stored string) (string, error) {
		t, err := parseTime(stored)
		if err != nil {
			return "", err
		}
		return t.In(loc).Format("2006-01"), nil
	}
	now := formatTime(f.Now)

	type source struct {
		what, query string
		count       func(r *ReportRow, kind string)
	}
	sources := []source{
		{"sessions", `SELECT s.starts_at, s.provider_id, CASE WHEN s.status = 'cancelled' THEN 'c' WHEN s.starts_at < ? THEN 'h' ELSE 'p' END
			|| (SELECT count(*) FROM session_participants x WHERE x.session_id = s.id) FROM sessions s`,
			func(r *ReportRow, kind string) {
				n, _ := strconv.ParseInt(kind[1:], 10, 64)
				switch kind[0] {
				case 'c':
					r.Cancelled++
					return
				case 'h':
					r.Held++
				default:
					r.Planned++
				}
				r.Participants += n
				if n > 1 {
					r.GroupSessions++
				}
			}},
		{"consents", "SELECT c.timestamp, COALESCE(s.provider_id, ''), '' FROM consent_events c LEFT JOIN sessions s ON s.id = c.session_id",
			func(r *ReportRow, _ string) { r.ConsentsGiven++ }},
		{"withdrawals", "SELECT w.withdrawn_at, '', '' FROM withdrawals w",
			func(r *ReportRow, _ string) { r.ConsentsWithdrawn++ }},
	}
	timeCol := map[string]string{"sessions": "s.starts_at", "consents": "c.timestamp", "withdrawals": "w.withdrawn_at"}
	for _, src := range sources {
		var args []any
		if src.what == "sessions" {
			args = append(args, now) // the SELECT's own parameter comes first
		}
		var c conds
		if src.what == "consents" {
			c.add("c.event = 'given'")
		}
		c.within(timeCol[src.what], f.From, f.To)
		q := src.query + c.clause()
		args = append(args, c.args...)
		if err := d.countRows(ctx, q, args, func(at, provider, kind string) error {
			key := provider
			if f.By == ReportByMonth {
				m, err := month(at)
				if err != nil {
					return fmt.Errorf("report: a stored %s time is not a time", src.what)
				}
				key = m
			} else if key == "" {
				key = ReportUnattributed
			}
			src.count(row(key), kind)
			return nil
		}); err != nil {
			return nil, err
		}
	}

	if f.By == ReportByMonth && !f.From.IsZero() && !f.To.IsZero() {
		first := time.Date(f.From.In(loc).Year(), f.From.In(loc).Month(), 1, 0, 0, 0, 0, loc)
		for m := first; m.Before(f.To); m = m.AddDate(0, 1, 0) {
			row(m.Format("2006-01"))
		}
	}
	out := make([]ReportRow, 0, len(groups))
	for _, r := range groups {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out, nil
}

// countRows streams the (time, provider, kind) rows of q to fn.
func (d *DB) countRows(ctx context.Context, q string, args []any, fn func(at, provider, kind string) error) error {
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("report: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var at, provider, kind string
		if err := rows.Scan(&at, &provider, &kind); err != nil {
			return fmt.Errorf("report: %w", mapErr(err))
		}
		if err := fn(at, provider, kind); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report: %w", mapErr(err))
	}
	return nil
}
