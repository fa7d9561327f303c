package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/store"
)

// The baseline makes the rows a session new for a new client makes: a person, a session,
// its participant link, the notice event and six audit events.
func TestSameWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "counsel.db")
	d, err := store.Open(context.Background(), path, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	count := func() (n [5]int) {
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for i, table := range []string{"people", "sessions", "session_participants", "consent_events", "audit_events"} {
			if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n[i]); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	before := count()
	if err := run(path); err != nil {
		t.Fatal(err)
	}
	after := count()
	for i, want := range []int{1, 1, 1, 1, 6} {
		if after[i]-before[i] != want {
			t.Errorf("table %d: %d rows added, want %d", i, after[i]-before[i], want)
		}
	}
}
