package sqlitedsn

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// The settings the DSN promises are the ones a connection gets.
func TestWriteSettings(t *testing.T) {
	db, err := sql.Open("sqlite", Write(filepath.Join(t.TempDir(), "x.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for q, want := range map[string]string{
		"PRAGMA foreign_keys": "1", "PRAGMA busy_timeout": "10000", "PRAGMA journal_mode": "wal",
		"PRAGMA synchronous": "2", "PRAGMA secure_delete": "1",
	} {
		var got string
		if err := db.QueryRow(q).Scan(&got); err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", q, got, err, want)
		}
	}
}

// A reading connection waits for a writer as long as the write connection does.
func TestReadWaits(t *testing.T) {
	db, err := sql.Open("sqlite", Read(filepath.Join(t.TempDir(), "x.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.QueryRow("PRAGMA busy_timeout").Scan(&got); err != nil || got != "10000" {
		t.Errorf("busy_timeout = %q (%v), want 10000", got, err)
	}
}
