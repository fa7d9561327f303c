package store

import (
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// A write lock held by another program (here a second connection, as a sqlite3 shell with
// BEGIN IMMEDIATE holds it) is ErrBusy, whose message must not say that the other writer is
// a counsel: the counsellor would look for the wrong program.
func TestBusyNamesAnyProgram(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	holder, err := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	holder.SetMaxOpenConns(1)
	if _, err := holder.Exec("CREATE TABLE t (v TEXT)"); err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Exec("BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer holder.Exec("ROLLBACK")
	writer, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	_, err = writer.Exec("INSERT INTO t VALUES ('x')")
	err = mapErr(err)
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("a write behind another program's write lock: %v, want ErrBusy", err)
	}
	if msg := ErrBusy.Error(); strings.Contains(msg, "another counsel is") || !strings.Contains(msg, "another program") {
		t.Errorf("ErrBusy says %q: it must name any program, a sqlite3 shell too", msg)
	}
}
