// Command mininsert is the baseline for `counsel session new` in bench/run.sh: the least a
// Go program must do to store one row the way counsel stores it. It opens the database
// with the same driver and the same connection settings as internal/store (WAL,
// synchronous FULL, secure_delete, foreign keys, busy timeout), inserts one row in one
// immediate transaction and closes.
//
//	mininsert DB
package main

import (
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"time"

	_ "modernc.org/sqlite"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mininsert DB")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "mininsert:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	db, err := sql.Open("sqlite", path+"?_txlock=immediate&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)"+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=secure_delete(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	id := rand.Text()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	if _, err := tx.Exec("INSERT INTO people (id, name, created_at) VALUES (?, ?, ?)",
		id, "Bench-"+id, time.Now().UTC().Format("2006-01-02T15:04:05Z")); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return db.Close()
}
