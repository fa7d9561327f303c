package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

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

// walkAudit reads every row, as verifyTrail does: counsel numbers events from 1, but a row
// moved or inserted below seq 1 with sqlite3 is part of what verify judges, so the exact
// reference path tests compare verify against must see it too.
func walkAudit(ctx context.Context, q querier, fn func(audit.Event) error) error {
	return walkAuditRows(ctx, q, fn, "SELECT "+auditColumns+" FROM audit_events ORDER BY seq")
}

// walkAuditAfter is walkAudit of the events after seq after.
func walkAuditAfter(ctx context.Context, q querier, after int64, fn func(audit.Event) error) error {
	return walkAuditRows(ctx, q, fn, "SELECT "+auditColumns+" FROM audit_events WHERE seq > ? ORDER BY seq", after)
}

func walkAuditRows(ctx context.Context, q querier, fn func(audit.Event) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
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
	var st audit.Stored
	if err := r.Scan(&st.Seq, &st.ID, &st.At, &st.Action, &st.Object, &st.Details, &st.PrevHash, &st.Hash); err != nil {
		return audit.Event{}, fmt.Errorf("read audit event: %w", mapErr(err))
	}
	return st.Event()
}

// Verifying a long trail is dominated by fetching its rows through the driver (SQLite
// compiled to Go) and hashing them. verifyTrail fetches each event as one text value, its
// columns joined by the unit separator (the export's technique), on a goroutine of its own;
// a second goroutine computes each event's hash from its stored bytes (audit.CheckStored);
// the caller's goroutine checks the links from event to event in order and replays the
// record events. counsel never writes the separator into an event; a row holding it (an edited
// file) is read again column by column, so the outcome is the exact path's.
const (
	storedLine    = "concat_ws(char(31), seq, id, at, action, object, details, prev_hash, hash)"
	storedFields  = 8
	storedBatch   = 512
	storedBatches = 4
)

// storedBatchOf is a run of events with, for each, what CheckStored found.
type storedBatchOf struct {
	events []audit.Stored
	checks []audit.StoredCheck
	// refetch is the seq of a row that does not split, after the events (0: none); the
	// reader stops there.
	refetch int64
	err     error
}

// verifyTrail feeds every event of the trail, in seq order, to v and then to recs (when v
// took it), as walkAudit with v.Add and recs.Track would: the same error at the same event.
func verifyTrail(parent context.Context, q querier, v *audit.Verifier, recs *audit.Records) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	rows, err := q.QueryContext(ctx, "SELECT "+storedLine+" FROM audit_events ORDER BY seq")
	if err != nil {
		return fmt.Errorf("read audit trail: %w", mapErr(err))
	}
	// Three goroutines: the reader fetches and splits, the hasher hashes, the caller's
	// goroutine links; on two cores the first two take about as long.
	split := make(chan storedBatchOf, storedBatches)
	out := make(chan storedBatchOf, storedBatches)
	// The link goroutine hands each batch's slices back to the reader: made anew for every
	// batch they were a fifth of the garbage verify made. It holds room for every batch
	// that can be on its way, so handing back never waits.
	free := make(chan storedBatchOf, 2*storedBatches+3)
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		defer close(out)
		var hbuf []byte
		for b := range split {
			b.checks = slices.Grow(b.checks[:0], len(b.events))[:len(b.events)]
			for i := range b.events {
				b.checks[i], hbuf = audit.CheckStored(hbuf, &b.events[i])
			}
			select {
			case out <- b:
			case <-ctx.Done():
				for range split { // let the reader end
				}
				return
			}
		}
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		defer close(split)
		defer rows.Close()
		// Each row is the driver's own fresh string: the events' fields are cut from it
		// without copying.
		lines := make([]string, 0, storedBatch)
		send := func() bool {
			var b storedBatchOf
			select {
			case b = <-free:
			default:
				b.events = make([]audit.Stored, 0, storedBatch)
			}
			for _, line := range lines {
				var s audit.Stored
				if !splitStored(&s, line) {
					seq, _, _ := strings.Cut(line, sep)
					n, err := strconv.ParseInt(seq, 10, 64)
					if err != nil || n < 1 {
						b.err = errors.New("read audit trail: a row without a valid seq")
					}
					b.refetch = n
					break
				}
				b.events = append(b.events, s)
			}
			clear(lines)
			lines = lines[:0]
			select {
			case split <- b:
				return b.refetch == 0 && b.err == nil
			case <-ctx.Done():
				return false
			}
		}
		fail := func(err error) {
			select {
			case split <- storedBatchOf{err: err}:
			case <-ctx.Done():
			}
		}
		var line string
		for rows.Next() {
			if err := rows.Scan(&line); err != nil {
				fail(fmt.Errorf("read audit event: %w", mapErr(err)))
				return
			}
			lines = append(lines, line)
			if len(lines) == storedBatch && !send() {
				return
			}
		}
		if err := rows.Err(); err != nil {
			fail(fmt.Errorf("read audit trail: %w", mapErr(err)))
			return
		}
		if len(lines) > 0 {
			send()
		}
	}()
	// The reader holds the connection until it ends: reading a row again needs it back.
	var refetch int64
	err = func() error {
		for b := range out {
			for i := range b.events {
				if err := v.AddStored(&b.events[i], b.checks[i].Match); err != nil {
					return err
				}
				if err := recs.TrackChecked(&b.events[i], &b.checks[i]); err != nil {
					return err
				}
			}
			if b.err != nil {
				return b.err
			}
			if b.refetch != 0 {
				refetch = b.refetch
				return errRefetch
			}
			free <- storedBatchOf{events: b.events[:0], checks: b.checks[:0]}
		}
		return nil
	}()
	cancel()
	<-done
	<-done
	if errors.Is(err, errRefetch) {
		// A row that does not split: go on from it with the exact path.
		return walkAuditAfter(parent, q, refetch-1, func(e audit.Event) error {
			if err := v.Add(e); err != nil {
				return err
			}
			return recs.Track(e)
		})
	}
	return err
}

var errRefetch = errors.New("refetch")

// splitStored reads a row of storedLine into s; false when it does not have the fields.
func splitStored(s *audit.Stored, line string) bool {
	var f [storedFields]string
	rest := line
	for i := range storedFields - 1 {
		var ok bool
		if f[i], rest, ok = strings.Cut(rest, sep); !ok {
			return false
		}
	}
	if strings.Contains(rest, sep) {
		return false
	}
	f[storedFields-1] = rest
	seq, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return false
	}
	*s = audit.Stored{Seq: seq, ID: f[1], At: f[2], Action: f[3], Object: f[4], Details: f[5], PrevHash: f[6], Hash: f[7]}
	return true
}
