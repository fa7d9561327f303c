package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
)

// The parallel chunk reader behind Export.Sessions: the export's snapshot read by several
// cursors at once, each over its own range of start times, the rows handed on in order.

func (x *Export) sessions(ctx context.Context, f ExportFilter, fn func(SessionRow) error) error {
	sorted, err := x.readSorted(ctx, f)
	if err != nil {
		return err
	}
	if sorted {
		x.how = "sorted"
		return x.sorted(ctx, f, fn)
	}
	x.how = "one cursor"
	if x.readers > 1 {
		bounds, err := x.planChunks(ctx, f, x.readers)
		if err != nil {
			return err
		}
		if bounds != nil {
			readers, err := x.extraReaders(ctx, x.readers-1, readerCacheKiB, "read sessions")
			if err != nil {
				return err
			}
			if readers != nil {
				x.how = "chunks"
				defer func() {
					for _, r := range readers {
						r.end()
					}
				}()
				qs := []*sql.Tx{x.tx}
				for _, r := range readers {
					qs = append(qs, r.tx)
				}
				return x.readChunks(ctx, f, bounds, qs, fn)
			}
		}
	}
	return scanSessions(ctx, x.tx, f, chunk{}, func(b []SessionRow) error {
		for _, s := range b {
			if err := fn(s); err != nil {
				return err
			}
		}
		return nil
	})
}

// Reading sessions is dominated by the driver's per-row and per-column work (SQLite
// compiled to Go), not by encoding. Two measures make a large export keep up with the C
// sqlite3 shell (docs/performance.md):
//
//   - each row is fetched as one text value, the columns joined by the unit separator
//     (char 31), and split in Go: one column fetch instead of eleven. A row whose values
//     themselves contain the separator (counsel never stores control characters, but the
//     file may have been edited), or that lacks a value (concat_ws skips NULLs, which the
//     schema does not allow), is read again column by column, so the output is the same;
//   - the range of start times is cut into chunks that separate read connections scan at
//     once, while the caller's goroutine takes the chunks in order.
const (
	sep = "\x1f"
	// parallelMinRows: below this, opening read connections costs more than it saves.
	parallelMinRows = 20_000
	// sortedMinRows: from here on an export without names reads the table in rowid order,
	// sorted by SQLite (sorted), instead of ranges of start times through the index
	// (readChunks): half the CPU at 100k rows, the same at 10k.
	sortedMinRows = parallelMinRows
	// chunkRows is the aimed-at size of a chunk. A reader can run ahead by readerQueue
	// batches of batchRows rows while the caller takes another reader's chunk, so a chunk
	// must fit in that queue or the readers take turns instead of working at once; many
	// small chunks also keep them evenly busy however the sessions are spread over time.
	// The queues bound the memory in flight (about half a MiB per reader).
	chunkRows   = 512
	maxChunks   = 8192
	maxReaders  = 4
	batchRows   = 256
	readerQueue = 2 * chunkRows / batchRows
)

// readerCacheKiB is the page cache of an extra read connection. Rows are looked up in start
// order, all over the table, so a larger cache saves next to nothing (measured up to
// 32 MiB) while each MiB counts against the export's flat memory.
const readerCacheKiB = 512

// sortCacheKiB is the page cache of the sorted read (see sorted). It reads pages one after
// another and needs next to none; SQLite also sorts in runs of this size, spilling each to
// a temporary file. A 1M-session export took the same CPU with 64 KiB to 512 KiB, and
// peaked a little lower with the smaller sizes.
const sortCacheKiB = 128

// chunk is a range of starts_at: [lo, hi) as stored text; an empty bound is open. With eq
// set it is the sessions starting at exactly eq instead. With sorted set it is every
// session, read in table order and sorted by SQLite (see readSorted).
type chunk struct {
	lo, hi, eq string
	sorted     bool
}

// sessionsQuery returns the query for f within c: the rowid of the row's session (with
// names: of its participant, which a session's rows do not share), then the export's columns
// joined by sep, in the layout splitSession reads: session, provider … cancelled_at, then the
// number of participants, the person and the name (with names: one row per participant),
// or one participant marked "+" or "-" for none (without names: one row per participant,
// at least one per session; scanSessions folds a session's rows into one).
func sessionsQuery(f ExportFilter, c chunk) (string, []any) {
	cols := []string{"s.rowid", "s.id", "s.provider_id", "s.kind", "s.starts_at", "s.timezone", "s.duration_min",
		"s.place", "s.status", "s.created_at", "COALESCE(s.cancelled_at, '')"}
	if f.WithNames {
		cols[0] = "x.rowid"
		cols = append(cols, participantCount, "x.person_id", "COALESCE(p.name, '')")
	} else {
		cols = append(cols, "COALESCE('+' || x.person_id, '-')")
	}
	// concat_ws builds the row in one pass, where || copies it once per column.
	q := "SELECT concat_ws(char(31), " + strings.Join(cols, ", ") + ") FROM sessions s"
	if c.sorted {
		// The table in rowid order, not the index on starts_at in start order.
		q += " NOT INDEXED"
	}
	if f.WithNames {
		q += participantJoin
	} else {
		// A join instead of subqueries that count the participants: SQLite's aggregate
		// functions cost more than the rows (about a third less read time at 100k rows).
		// LEFT keeps sessions without participants and the sessions as the outer loop, so
		// a session's rows come one after another.
		q += " LEFT JOIN session_participants x ON x.session_id = s.id"
	}
	var w conds
	w.startsWithin(f.From, f.To)
	w.startsIn(c.lo, c.hi)
	if c.eq != "" {
		w.add("s.starts_at = ?", c.eq)
	}
	where, args := w.clause(), w.args
	if c.eq != "" || c.sorted {
		if f.WithNames {
			return q + where + " ORDER BY s.starts_at, s.id, x.person_id", args
		}
		return q + where + " ORDER BY s.starts_at, s.id", args
	}
	// The index on starts_at gives this order without sorting; scanSessions orders the
	// sessions that start at the same time by ID, as ORDER BY s.starts_at, s.id would.
	return q + where + " ORDER BY s.starts_at", args
}

// maxGroupRows bounds the sessions starting at the same time that scanSessions holds to
// order them by ID; a larger group is read again, sorted by SQLite.
const maxGroupRows = 1024

// scanSessions reads the sessions of f within c through q, in the order of
// ORDER BY s.starts_at, s.id, and hands them to emit in batches of at most batchRows; emit
// must not keep the slice. A row whose times are not in the stored form fails the scan at
// its place in that order.
func scanSessions(ctx context.Context, q querier, f ExportFilter, c chunk, emit func([]SessionRow) error) error {
	query, args := sessionsQuery(f, c)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read sessions: %w", mapErr(err))
	}
	defer rows.Close()
	batch := make([]SessionRow, 0, batchRows)
	add := func(s SessionRow) error {
		batch = append(batch, s)
		if len(batch) == batchRows {
			if err := emit(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
		return nil
	}
	// group holds the sessions that start at the same time, in index order, until the
	// next start time shows up; skip is a start time whose sessions were read sorted.
	var group []SessionRow
	var skip string
	flush := func() error {
		if len(group) > 1 {
			slices.SortFunc(group, func(a, b SessionRow) int {
				if c := strings.Compare(a.SessionID, b.SessionID); c != 0 {
					return c
				}
				return strings.Compare(a.SubjectID, b.SubjectID)
			})
		}
		for _, s := range group {
			if err := checkTimes(s); err != nil {
				return err
			}
			if err := add(s); err != nil {
				return err
			}
		}
		group = group[:0]
		return nil
	}
	take := func(s SessionRow) error {
		if c.eq != "" || c.sorted {
			if err := checkTimes(s); err != nil {
				return err
			}
			return add(s)
		}
		if skip != "" && s.StartsAt == skip {
			return nil
		}
		if len(group) > 0 && s.StartsAt != group[0].StartsAt {
			if err := flush(); err != nil {
				return err
			}
		}
		group = append(group, s)
		if len(group) == maxGroupRows {
			// Too many to hold: let SQLite sort this start time's sessions.
			skip, group = s.StartsAt, group[:0]
			if len(batch) > 0 {
				if err := emit(batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
			return scanSessions(ctx, q, f, chunk{eq: skip}, emit)
		}
		return nil
	}
	// Without names a session comes as one row per participant: cur is the session being
	// folded, known by its rowid; whole means it was read again column by column and is
	// complete.
	var cur SessionRow
	var curRowid string
	var whole bool
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("read sessions: %w", mapErr(err))
		}
		if f.WithNames {
			s, _, err := splitSession(ctx, q, true, line)
			if err != nil {
				return err
			}
			if err := take(s); err != nil {
				return err
			}
			continue
		}
		rowid, _, _ := strings.Cut(line, sep)
		if curRowid != "" && rowid == curRowid {
			if !whole {
				cur.Participants++
				cur.SubjectID = "" // the subject is a sole participant
			}
			continue
		}
		if curRowid != "" {
			if err := take(cur); err != nil {
				return err
			}
		}
		var err error
		if cur, whole, err = splitSession(ctx, q, false, line); err != nil {
			return err
		}
		curRowid = rowid
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read sessions: %w", mapErr(err))
	}
	if curRowid != "" {
		if err := take(cur); err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return emit(batch)
	}
	return nil
}

// splitSession turns one joined row into a session; whole reports that the row was read
// again column by column, so the session is complete (without names, a row from the query
// holds one participant at most).
func splitSession(ctx context.Context, q querier, withNames bool, line string) (s SessionRow, whole bool, err error) {
	want := 12
	if withNames {
		want = 14
	}
	var v [14]string
	split := strings.Count(line, sep) == want-1
	if split {
		rest := line
		for i := range want - 1 {
			v[i], rest, _ = strings.Cut(rest, sep)
		}
		v[want-1] = rest
	}
	if !split || !withNames && v[11] != "-" && !strings.HasPrefix(v[11], "+") {
		// A value holds the separator itself or is missing: read the row again, column by
		// column.
		rowid, _, _ := strings.Cut(line, sep)
		s, err = refetchSession(ctx, q, withNames, rowid)
		return s, true, err
	}
	s.SessionID, s.Provider, s.Kind, s.StartsAt, s.Timezone = v[1], v[2], v[3], v[4], v[5]
	if s.DurationMin, err = strconv.Atoi(v[6]); err != nil {
		return s, false, fmt.Errorf("session %s: stored duration_min is not a number", s.SessionID)
	}
	s.Place, s.Status, s.CreatedAt, s.CancelledAt = v[7], v[8], v[9], v[10]
	if !withNames {
		if v[11] != "-" {
			s.Participants, s.SubjectID = 1, v[11][1:]
		}
		return s, false, nil
	}
	if s.Participants, err = strconv.Atoi(v[11]); err != nil {
		return s, false, fmt.Errorf("session %s: participants is not a number", s.SessionID)
	}
	name := v[13]
	s.SubjectID, s.Name = v[12], &name
	return s, false, nil
}

// checkTimes refuses a row whose times are not in the stored form: exports promise one.
func checkTimes(s SessionRow) error {
	for _, t := range [...]struct{ field, v string }{{"starts_at", s.StartsAt}, {"created_at", s.CreatedAt}, {"cancelled_at", s.CancelledAt}} {
		if t.v == "" && t.field == "cancelled_at" {
			continue
		}
		if !isStoredTime(t.v) {
			return fmt.Errorf("session %s: stored %s is not a time", s.SessionID, t.field)
		}
	}
	return nil
}

// refetchSession reads one session by rowid, column by column: the session's rowid, or with
// names the participant's.
func refetchSession(ctx context.Context, q querier, withNames bool, rowid string) (SessionRow, error) {
	cols := "s.id, " + soleParticipant + ", s.provider_id, s.kind, s.starts_at, s.timezone, s.duration_min, s.place, s.status, s.created_at, COALESCE(s.cancelled_at, ''), " + participantCount
	from := " FROM sessions s"
	if withNames {
		cols = strings.Replace(cols, soleParticipant, "x.person_id", 1) + ", COALESCE(p.name, '')"
		from += participantJoin
	}
	var s SessionRow
	var name string
	dest := []any{&s.SessionID, &s.SubjectID, &s.Provider, &s.Kind, &s.StartsAt, &s.Timezone,
		&s.DurationMin, &s.Place, &s.Status, &s.CreatedAt, &s.CancelledAt, &s.Participants}
	if withNames {
		dest = append(dest, &name)
		s.Name = &name
	}
	where := " WHERE s.rowid = ?"
	if withNames {
		where = " WHERE x.rowid = ?"
	}
	if err := q.QueryRowContext(ctx, "SELECT "+cols+from+where, rowid).Scan(dest...); err != nil {
		return s, fmt.Errorf("read sessions: %w", mapErr(err))
	}
	return s, nil
}

// isStoredTime reports whether v parses in timeFormat, as parseTime would. The fixed form
// counsel writes is checked by hand (time.Parse dominated profiles of large exports);
// anything else, even what time.Parse might accept, is left to time.Parse.
func isStoredTime(v string) bool {
	if len(v) == len(timeFormat) && v[19] == 'Z' {
		if _, ok := audit.ParseFixedDateTime(v[:19]); ok {
			return true
		}
	}
	_, err := parseTime(v)
	return err == nil
}

// planChunks cuts the range of start times selected by f into chunks for readers, or
// returns nil when the export is too small to gain from it or its start times are not all
// in the stored form (then one cursor reads it and reports the bad row in order).
func (x *Export) planChunks(ctx context.Context, f ExportFilter, readers int) ([]string, error) {
	n, err := x.CountSessions(ctx, f)
	if err != nil || n < int64(x.parallelMin) {
		return nil, err
	}
	where, args := f.where()
	var lo, hi sql.NullString
	// Two queries: SQLite answers a lone min() or max() from the index.
	if err := x.tx.QueryRowContext(ctx, "SELECT min(s.starts_at) FROM sessions s"+where, args...).Scan(&lo); err != nil {
		return nil, fmt.Errorf("read sessions: %w", mapErr(err))
	}
	if err := x.tx.QueryRowContext(ctx, "SELECT max(s.starts_at) FROM sessions s"+where, args...).Scan(&hi); err != nil {
		return nil, fmt.Errorf("read sessions: %w", mapErr(err))
	}
	tlo, err1 := parseTime(lo.String)
	thi, err2 := parseTime(hi.String)
	if err1 != nil || err2 != nil {
		return nil, nil
	}
	k := min(max(n/int64(x.chunkRows), int64(readers)), maxChunks)
	step := thi.Sub(tlo) / time.Duration(k)
	if step < time.Second {
		return nil, nil
	}
	bounds := make([]string, 0, k-1)
	for i := int64(1); i < k; i++ {
		bounds = append(bounds, formatTime(tlo.Add(time.Duration(i)*step)))
	}
	return bounds, nil
}

// readSorted reports whether f selects enough of a large table for reading it whole, in
// table order, and letting SQLite sort the rows to pay (see sorted).
func (x *Export) readSorted(ctx context.Context, f ExportFilter) (bool, error) {
	if f.WithNames {
		// SQLite's sort spills to temporary files: names stay out of them.
		return false, nil
	}
	if x.sortedMin == 0 {
		return true, nil // tests
	}
	n, err := x.CountSessions(ctx, f)
	if err != nil || n < int64(x.sortedMin) {
		return false, err
	}
	// The rowids span the table (near enough: counsel never deletes sessions but to purge).
	var span sql.NullInt64
	if err := x.tx.QueryRowContext(ctx, "SELECT max(rowid) - min(rowid) + 1 FROM sessions").Scan(&span); err != nil {
		return false, fmt.Errorf("read sessions: %w", mapErr(err))
	}
	return 4*n >= span.Int64, nil
}

// sorted reads the sessions of f in table order, sorted by SQLite into the export's order,
// on a goroutine of its own in the export's transaction, while the caller's goroutine takes
// the rows: read in start order (readChunks) nearly every row costs a page read through the
// index, and at a million sessions those reads cost more than SQLite's sort of the rows,
// which reads each table page once (and spills runs of sortCacheKiB to temporary files:
// see docs/performance.md). One sorting reader, not several: each sort holds about 2 MiB
// more, and two passed the export's memory bound. The reader has finished when sorted
// returns.
func (x *Export) sorted(ctx context.Context, f ExportFilter, fn func(SessionRow) error) error {
	if err := setCache(ctx, x.tx, sortCacheKiB); err != nil {
		return err
	}
	defer x.tx.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000")
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel (deferred later, so run first)
	defer cancel()
	queue := make(chan batch, readerQueue)
	spares := make(chan []SessionRow, readerQueue+2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		x.readChunksOf(ctx, x.tx, f, []chunk{{sorted: true}}, 0, 1, queue, spares)
	}()
	return takeBatches(ctx, queue, spares, fn)
}

// batch is a run of rows of one chunk from a reader; last marks the chunk's end.
type batch struct {
	rows []SessionRow
	err  error
	last bool
}

// readChunks reads the chunks between bounds with one reader per transaction in qs (all in
// the export's snapshot, see extraReaders), reader r taking chunks r, r+readers, …, and
// calls fn with the rows in chunk order. All readers have finished when readChunks returns.
func (x *Export) readChunks(ctx context.Context, f ExportFilter, bounds []string, qs []*sql.Tx, fn func(SessionRow) error) error {
	readers := len(qs)
	// Reader 0 reads in the export's transaction: give its connection the readers' cache
	// for the while (see readerCacheKiB), then SQLite's default again.
	if err := setCache(ctx, x.tx, readerCacheKiB); err != nil {
		return err
	}
	defer x.tx.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000")
	chunks := make([]chunk, len(bounds)+1)
	for i := range chunks {
		if i > 0 {
			chunks[i].lo = bounds[i-1]
		}
		if i < len(bounds) {
			chunks[i].hi = bounds[i]
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel (deferred later, so run first)
	defer cancel()
	queues := make([]chan batch, readers)
	// Emptied batches go back to their reader, so that a large export allocates its batches
	// once instead of once per batchRows rows.
	spares := make([]chan []SessionRow, readers)
	for r := range queues {
		queues[r] = make(chan batch, readerQueue)
		spares[r] = make(chan []SessionRow, readerQueue+2)
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			x.readChunksOf(ctx, qs[r], f, chunks, r, readers, queues[r], spares[r])
		}(r)
	}
	for i := range chunks {
		if err := takeBatches(ctx, queues[i%readers], spares[i%readers], fn); err != nil {
			return err
		}
	}
	return nil
}

// takeBatches calls fn with the rows of one chunk from a reader's queue, and hands the
// emptied batches back to the reader.
func takeBatches(ctx context.Context, q <-chan batch, spare chan<- []SessionRow, fn func(SessionRow) error) error {
	for {
		var b batch
		select {
		case b = <-q:
		case <-ctx.Done():
			return ctx.Err()
		}
		for _, s := range b.rows {
			if err := fn(s); err != nil {
				return err
			}
		}
		if b.rows != nil {
			select {
			case spare <- b.rows[:0]:
			default:
			}
		}
		if b.err != nil || b.last {
			return b.err
		}
	}
}

// setCache sets the page cache of tx's connection to kib KiB.
func setCache(ctx context.Context, tx *sql.Tx, kib int) error {
	if _, err := tx.ExecContext(ctx, "PRAGMA cache_size = -"+strconv.Itoa(kib)); err != nil {
		return fmt.Errorf("read sessions: %w", mapErr(err))
	}
	return nil
}

// readChunksOf is reader r: it scans its chunks in order and queues their rows, ending each
// chunk (or the first failure) with a batch marked last.
func (x *Export) readChunksOf(ctx context.Context, tx *sql.Tx, f ExportFilter, chunks []chunk, r, readers int,
	out chan<- batch, spares <-chan []SessionRow) {
	q := &preparedTx{Tx: tx}
	defer q.close()
	send := func(b batch) bool {
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for i := r; i < len(chunks); i += readers {
		err := scanSessions(ctx, q, f, chunks[i], func(rows []SessionRow) error {
			var buf []SessionRow
			select {
			case buf = <-spares:
			default:
				buf = make([]SessionRow, 0, batchRows)
			}
			if !send(batch{rows: append(buf, rows...)}) {
				return ctx.Err()
			}
			return nil
		})
		if !send(batch{err: err, last: true}) || err != nil {
			return
		}
	}
}

// preparedTx is a reader's transaction that prepares each query once: the chunks between
// the first and the last all run the same statement with other bounds, and preparing it
// again for each of them cost about 20 µs a chunk.
type preparedTx struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

func (p *preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, ok := p.stmts[query]
	if !ok {
		var err error
		if st, err = p.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		if p.stmts == nil {
			p.stmts = map[string]*sql.Stmt{}
		}
		p.stmts[query] = st
	}
	return st.QueryContext(ctx, args...)
}

// close closes the statements; the transaction stays open.
func (p *preparedTx) close() {
	for _, st := range p.stmts {
		st.Close()
	}
}
