// Package store keeps counsel's records in one SQLite file. It is the only
// package that knows SQL: every use case is one method that runs in one
// transaction and writes its audit event in that same transaction.
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/expeerienced/counsel/internal/store/sqlitedsn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrNewerSchema means the file was written by a newer counsel.
var ErrNewerSchema = errors.New("database was written by a newer version of counsel")

// timeFormat is how every time is stored: UTC, fixed width, so text order is
// time order.
const timeFormat = "2006-01-02T15:04:05Z"

// DB is an open counsel database.
type DB struct {
	db   *sql.DB
	path string
	now  func() time.Time

	readOnly bool
	readDSN  string // how extra reader connections open the file (exports)
}

// Errors of opening a file that is not a database counsel can use.
var (
	// ErrNotCounsel means the file is not a counsel database (a text file,
	// another program's SQLite database).
	ErrNotCounsel = errors.New("not a counsel database")
	// ErrUnknownSchema means PRAGMA user_version holds a value no counsel
	// writes (such as -1).
	ErrUnknownSchema = errors.New("unknown schema version")
	// ErrNoDatabase means a read-only open found no file.
	ErrNoDatabase = errors.New("the database does not exist")
	// ErrReadOnlyOld means a read-only database needs an upgrade it cannot get.
	ErrReadOnlyOld = errors.New("the database was written by an older counsel and is read-only, so it cannot be upgraded")
)

// sqliteMagic begins every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// Open opens (creating if needed) the database at path and brings its schema
// up to date. The folder is created 0700 and the file 0600. now is the clock
// used for every record; each transaction reads it once. A file that is not
// a counsel database, or has a schema version counsel does not know, is
// refused before anything is changed.
func Open(ctx context.Context, path string, now func() time.Time) (*DB, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	// The check reads through a plain connection: it changes nothing in the
	// file (no journal mode), and it waits for a writer like any reader.
	writable := func() error {
		// A file this user may not write fails here, before the check's
		// connection could leave a -shm file next to it.
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("open database: %w", err)
		}
		return f.Close()
	}
	// A file whose header already names a schema this counsel knows is a counsel database
	// in WAL mode; the write connection reads the version again, from the newest snapshot,
	// before it changes anything. Any other file, new, foreign or newer, is probed first.
	if v, ok := headerVersion(path); ok && v >= 1 && v <= SchemaVersion() {
		if err := writable(); err != nil {
			return nil, err
		}
	} else if _, err := inspect(ctx, path, sqlitedsn.Read(path), writable); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create database folder: %w", err)
	}
	// Create the file ourselves so it is 0600 from the first byte; SQLite
	// gives its -wal, -shm and -journal files the same mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// A file made readable by others (a copy, a restore from backup) is
	// made private again; SQLite copies the mode to -wal and -shm.
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 && runtime.GOOS != "windows" {
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return nil, fmt.Errorf("make the database private (mode 0600): %w", err)
		}
		for _, suffix := range []string{"-wal", "-shm", "-journal"} {
			if err := os.Chmod(path+suffix, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
				f.Close()
				return nil, fmt.Errorf("make the database private (mode 0600): %w", err)
			}
		}
	}
	f.Close()

	sdb, err := sql.Open("sqlite", sqlitedsn.Write(path))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// One writer at a time is what SQLite allows anyway; a single connection
	// keeps transactions simple and avoids pool surprises.
	sdb.SetMaxOpenConns(1)
	d := &DB{db: sdb, path: path, now: now, readDSN: sqlitedsn.Read(path)}
	if err := d.migrate(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return d, nil
}

// OpenReadOnly opens an existing database without writing to it: for a file
// or folder this user may not write (a backup, an archived copy). Nothing is
// created, changed or migrated; writes fail. The schema must be current.
func OpenReadOnly(ctx context.Context, path string, now func() time.Time) (*DB, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	version, err := inspect(ctx, path, readOnlyDSN(path), func() error { return nil })
	if err != nil {
		return nil, err
	}
	switch {
	case version < 0:
		return nil, ErrNoDatabase
	case version < SchemaVersion():
		return nil, fmt.Errorf("%w (schema %d, this version knows %d)", ErrReadOnlyOld, version, SchemaVersion())
	}
	dsn := readOnlyDSN(path)
	sdb, err := sql.Open("sqlite", dsn+"&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sdb.SetMaxOpenConns(1)
	d := &DB{db: sdb, path: path, now: now, readOnly: true, readDSN: dsn}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open database: %w", mapErr(err))
	}
	return d, nil
}

// OpenExisting opens a database that must already exist, for a command that
// only reads (or, like an export, records itself when it can). A database
// this user may write is opened as by Open, and upgraded; one whose file or
// folder is read-only is opened as by OpenReadOnly.
func OpenExisting(ctx context.Context, path string, now func() time.Time) (*DB, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoDatabase
	}
	d, err := Open(ctx, path, now)
	if err != nil && cannotWrite(err) {
		return OpenReadOnly(ctx, path, now)
	}
	return d, err
}

// cannotWrite reports whether err says the file or its folder may not be
// written (by this user, or on a read-only file system).
func cannotWrite(err error) bool {
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
			return true
		}
	}
	return false
}

// ReadOnly reports whether the database was opened with OpenReadOnly.
func (d *DB) ReadOnly() bool { return d.readOnly }

func checkPath(path string) error {
	if path == "" {
		return errors.New("no database path")
	}
	if strings.ContainsAny(path, "?#") {
		// The driver reads parameters after '?'; such a path would be misread.
		return fmt.Errorf("database path %q must not contain '?' or '#'", path)
	}
	return nil
}

// readOnlyDSN opens path for reading only. Without a write-ahead log it is
// opened immutable: SQLite then needs no -shm file, which a read-only folder
// could not hold. That is safe because nobody can be writing: a writer of a
// database in WAL mode keeps a -wal file while it has the database open.
func readOnlyDSN(path string) string {
	u := "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=ro&_pragma=" + sqlitedsn.BusyTimeout
	if _, err := os.Stat(path + "-wal"); errors.Is(err, fs.ErrNotExist) {
		u += "&immutable=1"
	}
	return u
}

// inspect looks at an existing file before counsel changes anything in it:
// it must be empty (a new database) or an SQLite file whose user_version is
// one counsel wrote, and a version 0 file must hold no tables (else it is
// another program's database). It returns the schema version, or -1 when
// there is no file and 0 for an empty one. beforeProbe runs once the file is
// known to be SQLite, before a connection opens it through dsn.
func inspect(ctx context.Context, path, dsn string, beforeProbe func() error) (int, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return -1, nil
	}
	if err != nil {
		return 0, fmt.Errorf("open database: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("%w: not a regular file", ErrNotCounsel)
	}
	if fi.Size() == 0 {
		return 0, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open database: %w", err)
	}
	head := make([]byte, len(sqliteMagic))
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || string(head) != sqliteMagic {
		return 0, fmt.Errorf("%w: not an SQLite file", ErrNotCounsel)
	}
	if err := beforeProbe(); err != nil {
		return 0, err
	}
	probe, err := sql.Open("sqlite", dsn)
	if err != nil {
		return 0, fmt.Errorf("open database: %w", err)
	}
	defer probe.Close()
	var version, tables int
	err = retryBusy(ctx, func() error {
		// The version is in the file's header: reading it alone does not parse the schema,
		// which the write connection parses again anyway. Only version 0 needs the tables
		// counted, and then one statement reads both in one snapshot: read apart, another
		// counsel creating the schema between them made a new database look foreign.
		if err := probe.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil || version != 0 {
			return err
		}
		return probe.QueryRowContext(ctx, "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)").Scan(&version, &tables)
	})
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", mapErr(err))
	}
	switch {
	case version < 0:
		return 0, fmt.Errorf("%w %d (this version of counsel knows 1 to %d)", ErrUnknownSchema, version, SchemaVersion())
	case version > SchemaVersion():
		return 0, fmt.Errorf("%w (schema %d, this version knows %d)", ErrNewerSchema, version, SchemaVersion())
	case version == 0 && tables > 0:
		return 0, fmt.Errorf("%w: an SQLite database of another program", ErrNotCounsel)
	}
	return version, nil
}

// headerVersion reads the schema version (user_version) from the header of the SQLite file
// at path as the last checkpoint left it, without opening a connection; ok is false for
// anything but a regular file starting with an SQLite header in WAL mode.
func headerVersion(path string) (version int, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	var head [100]byte
	if _, err := io.ReadFull(f, head[:]); err != nil || string(head[:len(sqliteMagic)]) != sqliteMagic {
		return 0, false
	}
	if head[18] != 2 || head[19] != 2 { // file format versions: 2 is WAL
		return 0, false
	}
	return int(int32(binary.BigEndian.Uint32(head[60:64]))), true
}

// Close checkpoints the WAL into the main file and closes the database.
func (d *DB) Close() error {
	if d.readOnly {
		return d.db.Close()
	}
	// TRUNCATE leaves an empty -wal file: no stale frames stay on disk. It has to wait for
	// every reader, and an export reads one snapshot for as long as it streams: waiting for
	// it would make a write during an export as slow as the export. So the checkpoint waits
	// at most closeCheckpointWait and otherwise copies what it can; the last counsel to
	// close, the export itself when it ends, empties the log. (Erasure and purge wait longer,
	// checkpointWait, and report whether theirs completed; see checkpoint.)
	_, cerr := d.db.Exec(busyTimeoutPragma(closeCheckpointWait))
	if cerr == nil {
		var busy, logFrames, done int
		cerr = d.db.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done)
	}
	err := d.db.Close()
	if err == nil && cerr != nil {
		err = fmt.Errorf("checkpoint: %w", cerr)
	}
	return err
}

// closeCheckpointWait bounds how long Close waits for readers and writers of other
// processes to let its checkpoint complete.
const closeCheckpointWait = 50 * time.Millisecond

// Path is the database file.
func (d *DB) Path() string { return d.path }

// SchemaVersion is the number of migrations this build knows.
func SchemaVersion() int {
	names, _ := migrationNames()
	return len(names)
}

func migrationNames() ([]string, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// migrate applies the missing migrations in order, each in its own
// transaction together with the new PRAGMA user_version.
func (d *DB) migrate(ctx context.Context) error {
	names, err := migrationNames()
	if err != nil {
		return err
	}
	var current int
	err = retryBusy(ctx, func() error {
		return d.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current)
	})
	if err != nil {
		return fmt.Errorf("read schema version: %w", mapErr(err))
	}
	if current < 0 {
		return fmt.Errorf("%w %d (this version of counsel knows 1 to %d)", ErrUnknownSchema, current, len(names))
	}
	if current > len(names) {
		return fmt.Errorf("%w (schema %d, this version knows %d)", ErrNewerSchema, current, len(names))
	}
	for i := current; i < len(names); i++ {
		body, err := migrationFiles.ReadFile(names[i])
		if err != nil {
			return err
		}
		err = d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
			// Another counsel may have applied it since the version was read above; this
			// transaction holds the write lock, so the version read here is final.
			var v int
			if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
				return fmt.Errorf("read schema version: %w", err)
			}
			if v > i {
				return nil
			}
			// A trigger would run inside the migration's writes, before the check at the end.
			if err := checkNoTrigger(ctx, tx); err != nil {
				return err
			}
			// So would a column added outside counsel: a baseline would record its data.
			if i == current && i >= 1 {
				if err := checkSchemaAt(ctx, tx, i); err != nil {
					return err
				}
			}
			// So would a row edited outside counsel: a baseline would record it as it is. A
			// database with a record key is verified first, in this transaction, so that
			// nothing is written when it does not verify.
			if i == current && i >= 2 {
				rebaselines, err := rebaselinesFrom(i)
				if err != nil {
					return err
				}
				if rebaselines {
					if err := verifyBeforeUpgrade(ctx, tx, i); err != nil {
						return err
					}
				}
			}
			before, err := recordSchema(ctx, tx)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", filepath.Base(names[i]), err)
			}
			if step := migrationSteps[filepath.Base(names[i])]; step != nil {
				if err := step(ctx, tx, now); err != nil {
					return fmt.Errorf("migration %s: %w", filepath.Base(names[i]), err)
				}
			}
			if err := rebaseline(ctx, tx, now, i+1, before); err != nil {
				return fmt.Errorf("migration %s: %w", filepath.Base(names[i]), err)
			}
			_, err = tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(i+1))
			return err
		})
		if err != nil {
			return err
		}
	}
	return checkRecordSchemaAtOpen(ctx, d.db)
}

// currentRecordSchema is the SHA-256 of the record tables' CREATE statements (recordSchemaDigest)
// as the migrations of this build leave them; TestCurrentRecordSchema fails when a migration
// changes them and gives the new value.
const currentRecordSchema = "8c1abbdde0d4f03ef0f2b9001fcdec58db5f68f69e0c077198586da2f4eb1f22"

// checkRecordSchemaAtOpen is checkRecordSchema for every open: the record tables' statements
// as sqlite_master holds them are compared first with those the migrations write, which is
// one short read; only a database whose tables differ (edited outside counsel, or a digest
// not yet updated) has its columns read and checked one by one. Statements equal to the
// migrations' mean columns equal to theirs, which checkRecordSchema accepts
// (TestCurrentRecordSchema), so the check refuses exactly what it refused before.
func checkRecordSchemaAtOpen(ctx context.Context, q querier) error {
	if digest, err := recordSchemaDigest(ctx, q); err != nil || digest != currentRecordSchema {
		return checkRecordSchema(ctx, q)
	}
	return nil
}

// recordSchemaDigest is the SHA-256, in hex, of the names and CREATE statements of the record
// tables in sqlite_master, in the order of their names. A table whose name differs in case
// from recordTables' is left out, so it changes the digest; a trigger (counsel makes none)
// is taken in, so it changes it too.
func recordSchemaDigest(ctx context.Context, q querier) (string, error) {
	names := make([]any, len(recordTables))
	marks := make([]string, len(recordTables))
	for i, t := range recordTables {
		names[i], marks[i] = t.name, "?"
	}
	h := sha256.New()
	err := eachRow(ctx, q, func(r scanner) error {
		var name, stmt string
		if err := r.Scan(&name, &stmt); err != nil {
			return err
		}
		h.Write([]byte(name + "\x00" + stmt + "\x00"))
		return nil
	}, "SELECT name, sql FROM sqlite_master WHERE (type = 'table' AND name IN ("+strings.Join(marks, ", ")+")) OR type = 'trigger' ORDER BY name", names...)
	return hex.EncodeToString(h.Sum(nil)), err
}

// rebaseline records rows whose encoding a migration changed: every row when the migration
// brought the record key (schema 2, a database from before the trail bound its records), else
// the rows of each record table whose columns the migration changed. Rows edited behind
// counsel's back before the migration would become part of the baseline: migrate verifies
// a database with a record key before the first migration that rebaselines it.
func rebaseline(ctx context.Context, tx *sql.Tx, now time.Time, schema int, before map[string]string) error {
	after, err := recordSchema(ctx, tx)
	if err != nil {
		return err
	}
	if after["record_key"] == "" { // before schema 2
		return nil
	}
	var tables []string
	for _, t := range recordTables {
		if after[t.name] == "" {
			continue // made by a later migration, which records its rows
		}
		if before["record_key"] == "" || before[t.name] != after[t.name] {
			tables = append(tables, t.name)
		}
	}
	if len(tables) == 0 {
		return nil
	}
	return baseline(ctx, tx, now, schema, tables)
}

// migrationSteps are the parts of migrations that SQL cannot do, run in the
// migration's transaction right after its SQL.
var migrationSteps = map[string]func(ctx context.Context, tx *sql.Tx, now time.Time) error{
	"0003_name_key.sql": fillNameKeys,
}

// inTx runs fn in one transaction with one fixed "now".
func (d *DB) inTx(ctx context.Context, fn func(tx *sql.Tx, now time.Time) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	if err := fn(tx, d.now().UTC().Truncate(time.Second)); err != nil {
		tx.Rollback()
		return mapErr(err)
	}
	return mapErr(tx.Commit())
}

// ErrBusy means another process held the database for too long: another counsel, or any
// program with a transaction open on the file (a sqlite3 shell), so the message names neither.
var ErrBusy = errors.New("the database is busy: another program (another counsel, or a sqlite3 shell with a transaction open) is writing to it; try again once it has finished")

// busyTimeout is sqlitedsn.BusyTimeout, for waits counsel does itself.
const busyTimeout = 10 * time.Second

// busyTimeoutPragma sets how long the connection it runs on waits for a lock: the checkpoints
// of Close and of erasure and purge wait less than busyTimeout for readers.
func busyTimeoutPragma(d time.Duration) string {
	return "PRAGMA busy_timeout = " + strconv.Itoa(int(d/time.Millisecond))
}

// retryBusy runs read until it is not refused as busy, for at most the busy timeout. The
// first read of a database that other counsel processes are creating at the same moment can be
// answered "busy" without SQLite's busy handler waiting (the connection is still being set up:
// its journal mode, or the other side's WAL recovery); seen once among 200 concurrent first
// runs under heavy load. Later statements wait in the busy handler as usual.
func retryBusy(ctx context.Context, read func() error) error {
	deadline := time.Now().Add(busyTimeout)
	for pause := 5 * time.Millisecond; ; pause = min(2*pause, 200*time.Millisecond) {
		err := read()
		if err == nil || !errors.Is(mapErr(err), ErrBusy) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// Full reports whether err is SQLite's refusal to write because the disk holding the database
// is full: SQLITE_FULL, or its failure to grow the -shm file when a connection opens, which on
// a full disk comes first (and has no other likely cause: the file is a few KiB beside the
// database).
func Full(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code()&0xff == sqlite3.SQLITE_FULL || se.Code() == sqlite3.SQLITE_IOERR_SHMSIZE
}

// mapErr turns driver errors users can act on into domain errors; it never
// matches on message text.
func mapErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %v", ErrBusy, err)
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w: %v", ErrNotCounsel, err)
		}
	}
	return err
}

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeFormat, s) }

// readTime reads a stored time for showing and deciding. A damaged value (a
// row edited by hand) reads as the zero time: one bad row must never block
// listing, withdrawing, erasing or purging (Purge deletes such rows).
func readTime(s string) time.Time {
	t, err := parseTime(s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// ErrBadTime means a time cannot be stored so that it reads back.
var ErrBadTime = errors.New("the time cannot be stored so that it reads back (want a year before 10000)")

// storable reports whether t, written in the stored form, reads back as t.
func storable(t time.Time) bool {
	back, err := parseTime(formatTime(t))
	return err == nil && back.Equal(t.Truncate(time.Second))
}
