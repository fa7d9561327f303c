package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/expeerienced/counsel/internal/audit"
)

// snapshot is one WAL read snapshot on connections of its own, for a long read (an export,
// audit verify) that must see one state and hold no lock: the store's own connection begins
// every transaction IMMEDIATE (a write lock). Extra readers (extraReaders) read the same snapshot
// on further connections, so that several cursors read at once.
type snapshot struct {
	// rdb holds the snapshot's connection and the extra readers'.
	rdb *sql.DB
	tx  *sql.Tx // the read snapshot
	// head is the trail's head in the snapshot: extra readers must see the same.
	head audit.Head
}

// beginSnapshot opens a read transaction on a connection of its own; up to conns
// connections are opened for it and its extra readers. what names the use in errors.
func (d *DB) beginSnapshot(ctx context.Context, conns int, what string) (snapshot, error) {
	// The file is read, not mapped (mmap_size): see TestSnapshotDoesNotMapTheFile for why.
	rdb, err := sql.Open("sqlite", d.readDSN+"&_pragma=query_only(1)")
	if err != nil {
		return snapshot{}, fmt.Errorf("%s: %w", what, err)
	}
	rdb.SetMaxOpenConns(conns) // opened as needed
	tx, err := rdb.BeginTx(ctx, nil)
	if err != nil {
		rdb.Close()
		return snapshot{}, fmt.Errorf("%s: %w", what, mapErr(err))
	}
	// The first read fixes the snapshot.
	head, err := auditHead(ctx, tx)
	if err != nil {
		tx.Rollback()
		rdb.Close()
		return snapshot{}, fmt.Errorf("%s: %w", what, err)
	}
	return snapshot{rdb: rdb, tx: tx, head: head}, nil
}

// end closes the snapshot and its connections.
func (s snapshot) end() error {
	err := s.tx.Rollback()
	if cerr := s.rdb.Close(); err == nil {
		err = cerr
	}
	return mapErr(err)
}

// snapshotReader is an extra read transaction on its own connection.
type snapshotReader struct {
	conn *sql.Conn
	tx   *sql.Tx
}

func (r snapshotReader) end() {
	r.tx.Rollback()
	r.conn.Close()
}

// extraReaders opens n extra read transactions that see the snapshot, each with a page cache of
// cacheKiB (0: SQLite's default), or returns nil when one of them sees a later state (a
// write committed since the snapshot began): then the snapshot's own cursor reads alone.
// Every write counsel makes appends an audit event, so the same head is the same state.
func (s snapshot) extraReaders(ctx context.Context, n, cacheKiB int, what string) ([]snapshotReader, error) {
	var rs []snapshotReader
	fail := func(err error) ([]snapshotReader, error) {
		for _, r := range rs {
			r.end()
		}
		return nil, err
	}
	for range n {
		conn, err := s.rdb.Conn(ctx)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", what, mapErr(err)))
		}
		if cacheKiB > 0 {
			if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -"+strconv.Itoa(cacheKiB)); err != nil {
				conn.Close()
				return fail(fmt.Errorf("%s: %w", what, mapErr(err)))
			}
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			conn.Close()
			return fail(fmt.Errorf("%s: %w", what, mapErr(err)))
		}
		rs = append(rs, snapshotReader{conn, tx})
		head, err := auditHead(ctx, tx)
		if err != nil {
			return fail(err)
		}
		if head != s.head {
			return fail(nil)
		}
	}
	return rs, nil
}
