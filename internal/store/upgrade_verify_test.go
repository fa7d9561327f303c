package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/store"
)

// The fixtures are databases made by the counsel of an older schema, with pseudonyms only:
// testdata/schema2.db by commit 91faeea (the one that brought 0002_records.sql) and
// testdata/schema4.db by a588d4e, each with `session new` for Client-A, Client-B, Client-C
// and Client-A again, `consent confirm Client-A --method email` and `consent revoke Client-C`;
// schema4.db also has a session moved and one cancelled. Both verified with that counsel.

// copyFixture copies a fixture into a temporary folder, edits it with stmt (if any) outside
// counsel, as sqlite3 would, and returns its path and its bytes after the edit.
func copyFixture(t *testing.T, name, stmt string) (string, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "counsel.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if stmt != "" {
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		res, err := raw.Exec(stmt)
		if err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s: %d rows changed, want 1", stmt, n)
		}
		if _, err := raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		if b, err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	return path, b
}

// TestUpgradeVerifiesFirst: a migration that changes a record table's columns records its rows
// again (a record.baseline), so a row edited outside counsel before the upgrade would become
// part of the trail. A database of schema 2 or 4 is therefore verified, as audit verify does,
// before the first migration writes: one that does not verify is refused naming the first
// problem (table, row ID, event seq; no client data), its file unchanged to the byte, so the
// older counsel still opens it; an untouched one upgrades and verifies.
func TestUpgradeVerifiesFirst(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return fixedNow }
	firstSession := "UPDATE sessions SET starts_at = '2026-12-09T09:00:00Z' WHERE rowid = (SELECT min(rowid) FROM sessions)"
	for _, fx := range []struct {
		name   string
		schema int
	}{{"schema2.db", 2}, {"schema4.db", 4}} {
		for _, c := range []struct {
			name, stmt, table, kind string
			chainSeq                int64
		}{
			{"session start moved", firstSession, "sessions", "changed", 0},
			{"person renamed", "UPDATE people SET name = 'Client-Z' WHERE name = 'Client-A'", "people", "changed", 0},
			{"consent event deleted", "DELETE FROM consent_events WHERE rowid = (SELECT max(rowid) FROM consent_events)", "consent_events", "deleted", 0},
			{"audit event edited", "UPDATE audit_events SET at = '2026-01-01T00:00:00Z' WHERE seq = 5", "", "", 5},
		} {
			t.Run(fx.name+"/"+c.name, func(t *testing.T) {
				path, before := copyFixture(t, fx.name, c.stmt)
				_, err := store.Open(ctx, path, now)
				var ue *store.UpgradeUnverifiedError
				if !errors.As(err, &ue) {
					t.Fatalf("err = %v, want an UpgradeUnverifiedError", err)
				}
				if ue.Schema != fx.schema {
					t.Errorf("refusal names schema %d, want %d", ue.Schema, fx.schema)
				}
				if c.chainSeq != 0 {
					if ue.Chain == nil || ue.Chain.Seq != c.chainSeq {
						t.Errorf("err = %v, want the chain broken at seq %d", err, c.chainSeq)
					}
				} else if ue.Rows != 1 || ue.First.Table != c.table || ue.First.Kind != c.kind || ue.First.ID == "" || ue.First.Seq == 0 {
					t.Errorf("err = %v (%+v), want one %s row of %s", err, ue.First, c.kind, c.table)
				}
				if strings.Contains(err.Error(), "Client-") {
					t.Errorf("the refusal holds client data: %v", err)
				}
				after, rerr := os.ReadFile(path)
				if rerr != nil {
					t.Fatal(rerr)
				}
				if !bytes.Equal(before, after) {
					t.Error("the refused file changed")
				}
				if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
					t.Errorf("the refusal left %d bytes in the write-ahead log", fi.Size())
				}
				if v := userVersion(t, path); v != fx.schema {
					t.Errorf("user_version %d after the refusal, want %d", v, fx.schema)
				}
			})
		}
		t.Run(fx.name+"/untouched", func(t *testing.T) {
			path, _ := copyFixture(t, fx.name, "")
			db, err := store.Open(ctx, path, now)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if v := userVersion(t, path); v != store.SchemaVersion() {
				t.Errorf("user_version %d after the upgrade, want %d", v, store.SchemaVersion())
			}
			if _, err := verifyDB(db); err != nil {
				t.Fatal(err)
			}
			rep, err := verifyRecords(t, db)
			if err != nil || len(rep.Problems) != 0 || rep.Rows["sessions"] == 0 {
				t.Fatalf("after the upgrade: %+v, %v", rep, err)
			}
		})
	}
}
