package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/expeerienced/counsel/internal/audit"
)

const auditColumns = "seq, id, at, action, object, details, prev_hash, hash"

// WalkAudit calls fn with every audit event in seq order, one at a time from a rows cursor,
// so memory stays flat however long the trail. fn must not use d: the cursor holds the
// database's only connection until the walk ends. An error from fn stops the walk and is
// returned. A row that cannot be read back as an event (its time or details were edited into
// a form counsel never writes) is reported as an *audit.BrokenError at that row.
func (d *DB) WalkAudit(ctx context.Context, fn func(audit.Event) error) error {
	return walkAudit(ctx, d.db, fn)
}

// AuditHead returns the head of the trail: the newest event's seq and hash, or the zero
// Head when there are no events.
func (d *DB) AuditHead(ctx context.Context) (audit.Head, error) {
	return auditHead(ctx, d.db)
}

func auditHead(ctx context.Context, q querier) (audit.Head, error) {
	var h audit.Head
	err := q.QueryRowContext(ctx, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Head{}, nil
	}
	if err != nil {
		return audit.Head{}, fmt.Errorf("read audit head: %w", mapErr(err))
	}
	return h, nil
}

func walkAudit(ctx context.Context, q querier, fn func(audit.Event) error) error {
	return walkAuditAfter(ctx, q, 0, fn)
}

// walkAuditAfter is walkAudit of the events after seq after.
func walkAuditAfter(ctx context.Context, q querier, after int64, fn func(audit.Event) error) error {
	rows, err := q.QueryContext(ctx, "SELECT "+auditColumns+" FROM audit_events WHERE seq > ? ORDER BY seq", after)
	if err != nil {
		return fmt.Errorf("read audit trail: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read audit trail: %w", mapErr(err))
	}
	return nil
}

func scanEvent(r scanner) (audit.Event, error) {
	var e audit.Event
	var at, details string
	if err := r.Scan(&e.Seq, &e.ID, &at, &e.Action, &e.Object, &details, &e.PrevHash, &e.Hash); err != nil {
		return e, fmt.Errorf("read audit event: %w", mapErr(err))
	}
	var err error
	if e.At, err = audit.ParseTime(at); err != nil {
		return e, &audit.BrokenError{Seq: e.Seq, ID: e.ID, Reason: "the stored time is not in the form counsel writes (event edited)"}
	}
	if e.Details, err = audit.DecodeDetails(details); err != nil {
		return e, &audit.BrokenError{Seq: e.Seq, ID: e.ID, Reason: "the stored details are not a JSON object of strings (event edited)"}
	}
	if len(e.Details) == 0 {
		e.Details = nil
	}
	return e, nil
}
