package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/export"
)

// ErrExportDone means an Export was used after Commit or Rollback.
var ErrExportDone = errors.New("export already committed or rolled back")

// Export is one export in progress. It holds one write transaction from BeginExport to
// Commit, so the rows it streams, their count and the audit head it states are one
// consistent snapshot that no other writer can change, and the export's own audit event
// (Record) is committed together with it or not at all. Callers stream the rows, Record the
// event, publish the output, and only then Commit; on any failure they Rollback, and the
// trail shows no export.
type Export struct {
	tx   *sql.Tx
	now  time.Time
	done bool
}

// BeginExport starts an export. Call Rollback when done (it is a no-op after Commit).
func (d *DB) BeginExport(ctx context.Context) (*Export, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin export: %w", mapErr(err))
	}
	return &Export{tx: tx, now: d.now().UTC().Truncate(time.Second)}, nil
}

// Now is the time of the export: its audit event's time and the generated_at it states.
func (x *Export) Now() time.Time { return x.now }

// ExportFilter selects sessions for an export.
type ExportFilter struct {
	From, To  time.Time // start in [From, To); zero means unbounded
	WithNames bool      // include the name or pseudonym; otherwise only the person's ID
}

func (f ExportFilter) where() (string, []any) {
	var where []string
	var args []any
	if !f.From.IsZero() {
		where, args = append(where, "s.starts_at >= ?"), append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "s.starts_at < ?"), append(args, formatTime(f.To))
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// CountSessions returns how many sessions Sessions will stream for f.
func (x *Export) CountSessions(ctx context.Context, f ExportFilter) (int64, error) {
	if x.done {
		return 0, ErrExportDone
	}
	where, args := f.where()
	var n int64
	if err := x.tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM sessions s"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count sessions: %w", mapErr(err))
	}
	return n, nil
}

// Sessions calls fn with every session selected by f, ordered by start then ID, one at a time
// from a rows cursor. Without f.WithNames the name is not even read; the person's ID stands
// in for it. The meeting link and meeting ID are never read.
func (x *Export) Sessions(ctx context.Context, f ExportFilter, fn func(export.Session) error) error {
	if x.done {
		return ErrExportDone
	}
	cols := "s.id, s.person_id, s.provider_id, s.kind, s.starts_at, s.timezone, s.duration_min, s.place, s.status, s.created_at, COALESCE(s.cancelled_at, '')"
	from := " FROM sessions s"
	if f.WithNames {
		cols += ", COALESCE(p.name, '')"
		from += " JOIN people p ON p.id = s.person_id"
	}
	where, args := f.where()
	rows, err := x.tx.QueryContext(ctx, "SELECT "+cols+from+where+" ORDER BY s.starts_at, s.id", args...)
	if err != nil {
		return fmt.Errorf("read sessions: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var s export.Session
		var name string
		dest := []any{&s.SessionID, &s.SubjectID, &s.Provider, &s.Kind, &s.StartsAt, &s.Timezone,
			&s.DurationMin, &s.Place, &s.Status, &s.CreatedAt, &s.CancelledAt}
		if f.WithNames {
			dest = append(dest, &name)
			s.Name = &name
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("read sessions: %w", mapErr(err))
		}
		// Exports promise one time format; a row that breaks it is refused, not passed on.
		for _, t := range []struct{ field, v string }{{"starts_at", s.StartsAt}, {"created_at", s.CreatedAt}, {"cancelled_at", s.CancelledAt}} {
			if t.v == "" && t.field == "cancelled_at" {
				continue
			}
			if _, err := parseTime(t.v); err != nil {
				return fmt.Errorf("session %s: stored %s is not a time", s.SessionID, t.field)
			}
		}
		if err := fn(s); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read sessions: %w", mapErr(err))
	}
	return nil
}

// CountAudit returns how many audit events Audit will stream.
func (x *Export) CountAudit(ctx context.Context) (int64, error) {
	if x.done {
		return 0, ErrExportDone
	}
	var n int64
	if err := x.tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_events").Scan(&n); err != nil {
		return 0, fmt.Errorf("count audit events: %w", mapErr(err))
	}
	return n, nil
}

// Audit calls fn with every audit event in seq order, as WalkAudit does.
func (x *Export) Audit(ctx context.Context, fn func(audit.Event) error) error {
	if x.done {
		return ErrExportDone
	}
	return walkAudit(ctx, x.tx, fn)
}

// Head returns the trail's head as this export sees it.
func (x *Export) Head(ctx context.Context) (audit.Head, error) {
	if x.done {
		return audit.Head{}, ErrExportDone
	}
	return auditHead(ctx, x.tx)
}

// Record appends the export's audit event (action is one of the export actions) in the
// export's transaction and returns it as sealed: its Head is the head the export states,
// which therefore covers the record of the export itself. details hold formats, counts,
// dates and flags only.
func (x *Export) Record(ctx context.Context, action string, details map[string]string) (audit.Event, error) {
	if x.done {
		return audit.Event{}, ErrExportDone
	}
	if !slices.Contains([]string{audit.ActionExportSessions, audit.ActionExportAudit, audit.ActionExportSubject}, action) {
		return audit.Event{}, fmt.Errorf("record export: %s is not an export action", action)
	}
	if err := appendAudit(ctx, x.tx, x.now, action, "", details); err != nil {
		return audit.Event{}, mapErr(err)
	}
	row := x.tx.QueryRowContext(ctx, "SELECT "+auditColumns+" FROM audit_events ORDER BY seq DESC LIMIT 1")
	return scanEvent(row)
}

// Commit makes the recorded export event durable.
func (x *Export) Commit() error {
	if x.done {
		return ErrExportDone
	}
	x.done = true
	if err := x.tx.Commit(); err != nil {
		return fmt.Errorf("commit export: %w", mapErr(err))
	}
	return nil
}

// Rollback abandons the export and its event; after Commit it does nothing.
func (x *Export) Rollback() error {
	if x.done {
		return nil
	}
	x.done = true
	return mapErr(x.tx.Rollback())
}
