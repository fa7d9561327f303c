package store_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/expeerienced/counsel/internal/store"
)

// Full knows SQLite's "database or disk is full" as the driver returns it, wrapped as the
// store wraps it, and nothing else: not another SQLite error, not a file's ENOSPC (the CLI
// tests that one itself).
func TestFull(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	mustExec(t, db, "CREATE TABLE t (v BLOB)")
	var pages int
	if err := db.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// A file that may not grow is full to SQLite, as a full disk is.
	mustExec(t, db, fmt.Sprintf("PRAGMA max_page_count = %d", pages))
	_, full := db.Exec("INSERT INTO t VALUES (zeroblob(100000))")
	if full == nil {
		t.Fatal("control: the insert did not fail")
	}
	_, syntax := db.Exec("INSERT INTO")
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{full, true},
		{fmt.Errorf("commit export: %w", full), true},
		{syntax, false},
		{&os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, false},
		{errors.New("database or disk is full (13)"), false}, // text is never matched
		{nil, false},
	} {
		if got := store.Full(tc.err); got != tc.want {
			t.Errorf("Full(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
