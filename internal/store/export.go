package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
)

// ErrExportDone means an Export was used after Commit or Rollback.
var ErrExportDone = errors.New("export already committed or rolled back")

// Export is one export in progress. Its rows are read from one WAL read snapshot, so the
// rows it streams, their count and the audit trail it states are one consistent state, and
// it holds no lock while it reads: a counsellor's write (session new) goes ahead while a
// million rows are exported. The export's own audit event (Record) is appended in a short
// write transaction at the end, which stays open until Commit, so the event is committed
// together with the published output or not at all. Callers stream the rows, Record the
// event, publish the output, and only then Commit; on any failure they Rollback, and the
// trail shows no export.
type Export struct {
	d        *DB
	snapshot                 // the rows' snapshot and its readers
	wtx      *sql.Tx         // the write transaction from Record (or Lock) to Commit
	wctx     context.Context // Lock's context: database/sql rolls wtx back when it ends
	now      time.Time
	done     bool
	// readers, parallelMin, chunkRows and sortedMin tune them (see Sessions); tests shrink
	// them (sortedMin 0: always sorted) and read how (which read Sessions took).
	readers, parallelMin, chunkRows, sortedMin int
	how                                        string
	// counted remembers the last CountSessions, which Sessions needs again: counting a
	// million rows is not free, and the snapshot cannot change.
	counted *countedSessions
}

type countedSessions struct {
	f ExportFilter
	n int64
}

// BeginExport starts an export: it takes the read snapshot the export will state. Call
// Rollback when done (it is a no-op after Commit).
func (d *DB) BeginExport(ctx context.Context) (*Export, error) {
	x := &Export{d: d, now: d.now().UTC().Truncate(time.Second),
		readers: min(runtime.GOMAXPROCS(0), maxReaders), parallelMin: parallelMinRows, chunkRows: chunkRows,
		sortedMin: sortedMinRows}
	var err error
	if x.snapshot, err = d.beginSnapshot(ctx, maxReaders, "begin export"); err != nil {
		return nil, err
	}
	return x, nil
}

// Now is the time of the export: its audit event's time and the generated_at it states.
func (x *Export) Now() time.Time { return x.now }

// soleParticipant is a session's subject_id without names: the person when
// there is one, empty for a group session (whose participants an export
// without names does not list).
const soleParticipant = `COALESCE((SELECT CASE WHEN count(*) = 1 THEN max(x.person_id) ELSE '' END
	FROM session_participants x WHERE x.session_id = s.id), '')`

// participantCount is a session's number of participants.
const participantCount = "(SELECT count(*) FROM session_participants n WHERE n.session_id = s.id)"

// participantJoin gives one row per participant, for an export with names.
const participantJoin = " JOIN session_participants x ON x.session_id = s.id JOIN people p ON p.id = x.person_id"

// SessionRow is one row of a sessions export as the store reads it: the stored text of its
// times, the person's ID as subject, the name only for an export with names. Package export
// gives it its columns and JSON keys (export.Session has the same fields).
type SessionRow struct {
	SessionID   string
	SubjectID   string
	Name        *string // nil without names
	Provider    string
	Kind        string
	StartsAt    string
	Timezone    string
	DurationMin int
	Place       string
	Status      string
	CreatedAt   string
	CancelledAt string // "" unless cancelled
	// Participants is the session's number of participants: more than one for a group
	// session, whose rows with names come one per participant.
	Participants int
}

// ExportFilter selects sessions for an export.
type ExportFilter struct {
	From, To  time.Time // start in [From, To); zero means unbounded
	WithNames bool      // include the name or pseudonym; otherwise only the person's ID
}

func (f ExportFilter) where() (string, []any) {
	var c conds
	c.startsWithin(f.From, f.To)
	return c.clause(), c.args
}

// CountSessions returns how many sessions Sessions will stream for f.
func (x *Export) CountSessions(ctx context.Context, f ExportFilter) (int64, error) {
	if x.done {
		return 0, ErrExportDone
	}
	if c := x.counted; c != nil && c.f.WithNames == f.WithNames && c.f.From.Equal(f.From) && c.f.To.Equal(f.To) {
		return c.n, nil
	}
	where, args := f.where()
	var n int64
	from := " FROM sessions s"
	if f.WithNames {
		from += participantJoin
	}
	if err := x.tx.QueryRowContext(ctx, "SELECT COUNT(*)"+from+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count sessions: %w", mapErr(err))
	}
	x.counted = &countedSessions{f: f, n: n}
	return n, nil
}

// Sessions calls fn with every session selected by f, ordered by start then ID, one at a time
// and in order on the caller's goroutine. Without f.WithNames the name is not even read; the
// person's ID stands in for it. The meeting link and meeting ID are never read.
//
// A large export is read by several cursors at once (see readChunks); a small one by one
// cursor in the export's transaction; a very large one without names in table order, sorted
// by SQLite (see sorted). Either way the rows are the export's snapshot.
func (x *Export) Sessions(ctx context.Context, f ExportFilter, fn func(SessionRow) error) error {
	if x.done {
		return ErrExportDone
	}
	// The rows streamed must be the rows counted: a reader that saw another state than the
	// snapshot would show here.
	var streamed int64
	count := func(s SessionRow) error {
		streamed++
		return fn(s)
	}
	err := x.sessions(ctx, f, count)
	if err != nil {
		return err
	}
	n, err := x.CountSessions(ctx, f)
	if err != nil {
		return err
	}
	if streamed != n {
		return fmt.Errorf("read sessions: %d rows read but the snapshot holds %d; nothing was recorded, try again", streamed, n)
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

// Audit calls fn with every audit event of the snapshot in seq order, from seq 1 (WalkAudit,
// the reference path, reads every row; a row below 1 makes this refuse the table).
func (x *Export) Audit(ctx context.Context, fn func(audit.Event) error) error {
	if x.done {
		return ErrExportDone
	}
	var streamed int64
	// The events from seq 1 on, the numbers counsel writes; the count below refuses a
	// table that holds others.
	if err := walkAuditAfter(ctx, x.tx, 0, func(e audit.Event) error {
		streamed++
		return fn(e)
	}); err != nil {
		return err
	}
	n, err := x.CountAudit(ctx)
	if err != nil {
		return err
	}
	if streamed != n {
		// One transaction reads both, so no writer can cause this (unlike the parallel
		// session readers): the table holds events the walk by seq skips, which counsel
		// never writes. Trying again cannot help.
		return fmt.Errorf("read audit trail: %d events read but the table holds %d: some have a sequence number counsel never writes; nothing was recorded; 'counsel audit verify' shows what changed", streamed, n)
	}
	return nil
}

// Lock starts the export's short write transaction (Record starts it too): from here to
// Commit no other write can come between the trail the export states and its own event.
func (x *Export) Lock(ctx context.Context) error {
	if x.done {
		return ErrExportDone
	}
	if x.wtx != nil {
		return nil
	}
	tx, err := x.d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record export: %w", mapErr(err))
	}
	x.wtx, x.wctx = tx, ctx
	return nil
}

// AuditSince calls fn with the events appended after the snapshot, up to now, in seq order:
// an export of the trail ends with them and its own event, so that it holds every event up
// to the head it states. It needs Lock.
func (x *Export) AuditSince(ctx context.Context, fn func(audit.Event) error) error {
	if x.done {
		return ErrExportDone
	}
	if x.wtx == nil {
		return errors.New("read audit trail: the export is not locked")
	}
	return walkAuditAfter(ctx, x.wtx, x.head.Seq, fn)
}

// Record appends the export's audit event (action is one of the export actions) in the
// export's write transaction (see Lock) and returns it as sealed: its Head is the head the
// export states, which therefore covers the record of the export itself. details hold
// formats, counts, dates and flags only.
func (x *Export) Record(ctx context.Context, action string, details map[string]string) (audit.Event, error) {
	if x.done {
		return audit.Event{}, ErrExportDone
	}
	if !slices.Contains([]string{audit.ActionExportSessions, audit.ActionExportAudit, audit.ActionExportSubject}, action) {
		return audit.Event{}, fmt.Errorf("record export: %s is not an export action", action)
	}
	if err := x.Lock(ctx); err != nil {
		return audit.Event{}, err
	}
	if err := appendAudit(ctx, x.wtx, x.now, action, "", details); err != nil {
		return audit.Event{}, mapErr(err)
	}
	row := x.wtx.QueryRowContext(ctx, "SELECT "+auditColumns+" FROM audit_events ORDER BY seq DESC LIMIT 1")
	return scanEvent(row)
}

// Commit makes the recorded export event durable and ends the snapshot.
func (x *Export) Commit() error {
	if x.done {
		return ErrExportDone
	}
	x.done = true
	// Ending a read transaction cannot lose anything: its error does not matter here.
	defer x.end()
	if x.wtx != nil {
		if err := x.wtx.Commit(); err != nil {
			// An interrupt (Ctrl-C) ends Lock's context, and database/sql rolls the transaction
			// back on its own: the commit then only learns that it is done. Say why instead.
			if errors.Is(err, sql.ErrTxDone) && x.wctx.Err() != nil {
				err = x.wctx.Err()
			}
			return fmt.Errorf("commit export: %w", mapErr(err))
		}
	}
	return nil
}

// Rollback abandons the export and its event; after Commit it does nothing.
func (x *Export) Rollback() error {
	if x.done {
		return nil
	}
	x.done = true
	err := x.end()
	if x.wtx != nil {
		if werr := x.wtx.Rollback(); err == nil {
			err = mapErr(werr)
		}
	}
	return err
}
