package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/store"
)

// TestConcurrentFirstOpen opens one new database from several connections at the same
// moment, as counsel processes started together do. While the first one creates the file,
// turns on the write-ahead log and migrates, the others read its schema version: SQLite may
// answer them "busy" without waiting (a journal-mode change or WAL recovery in progress), and
// Open must wait that out like any other lock instead of failing.
func TestConcurrentFirstOpen(t *testing.T) {
	rounds, workers := 12, 8
	if testing.Short() {
		rounds = 3
	}
	for r := range rounds {
		path := filepath.Join(t.TempDir(), "counsel.db")
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		start := make(chan struct{})
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				db, err := store.Open(context.Background(), path, func() time.Time { return fixedNow })
				if err != nil {
					errs <- err
					return
				}
				if err := db.Close(); err != nil {
					errs <- err
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v", r, err)
		}
		if t.Failed() {
			return
		}
	}
}
