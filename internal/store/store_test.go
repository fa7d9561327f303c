package store_test

import (
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

var fixedNow = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// mustOpen opens a real database file in a temp folder with a fixed clock.
func mustOpen(tb testing.TB) *store.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "data", "counsel.db")
	db, err := store.Open(context.Background(), path, func() time.Time { return fixedNow })
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func rawOpen(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func userVersion(t *testing.T, path string) int {
	t.Helper()
	var v int
	if err := rawOpen(t, path).QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	db := mustOpen(t)
	dir := filepath.Dir(db.Path())
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("folder mode %#o, want 0700", got)
	}
	// While the database is open in WAL mode, -wal and -shm exist too; all
	// of them must be readable by the owner only.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(db.Path() + suffix)
		if err != nil {
			t.Fatalf("%s: %v", suffix, err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("file%s mode %#o, want 0600", suffix, got)
		}
	}
}

func TestMigrationsApplyOnceAndRecordVersion(t *testing.T) {
	db := mustOpen(t)
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := userVersion(t, path), store.SchemaVersion(); got != want || want < 1 {
		t.Fatalf("user_version %d, want %d", got, want)
	}
	// Opening again is a no-op: same version, no error.
	again, err := store.Open(context.Background(), path, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
	if got := userVersion(t, path); got != store.SchemaVersion() {
		t.Fatalf("user_version after reopen %d", got)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	db := mustOpen(t)
	path := db.Path()
	db.Close()
	if _, err := rawOpen(t, path).Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	_, err := store.Open(context.Background(), path, time.Now)
	if !errors.Is(err, store.ErrNewerSchema) {
		t.Fatalf("err = %v, want ErrNewerSchema", err)
	}
}

// Open trusts the version in the file's header only to skip its probe: a newer schema that
// another process has committed to the log but not yet copied into the file is still refused,
// by the write connection, before anything is written.
func TestNewerSchemaOnlyInTheLogIsRefused(t *testing.T) {
	db := mustOpen(t)
	path := db.Path()
	db.Close()
	raw := rawOpen(t, path)
	raw.SetMaxOpenConns(1)
	for _, q := range []string{"PRAGMA wal_autocheckpoint = 0", "PRAGMA user_version = 999"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	head := make([]byte, 64)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.ReadAt(head, 0)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if v := int(head[60])<<24 | int(head[61])<<16 | int(head[62])<<8 | int(head[63]); v != store.SchemaVersion() {
		t.Fatalf("the file's header says schema %d, want the old %d (the new version only in the log)", v, store.SchemaVersion())
	}
	var events int
	if err := raw.QueryRow("SELECT count(*) FROM audit_events").Scan(&events); err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(context.Background(), path, time.Now)
	if !errors.Is(err, store.ErrNewerSchema) {
		t.Fatalf("err = %v, want ErrNewerSchema", err)
	}
	var v, after int
	if err := raw.QueryRow("SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM audit_events)").Scan(&v, &after); err != nil {
		t.Fatal(err)
	}
	if v != 999 || after != events {
		t.Fatalf("after the refusal: user_version %d, %d audit events (before %d)", v, after, events)
	}
}

func TestNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	if err := os.WriteFile(path, []byte("this is not sqlite, just text that is long enough to be a header"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(context.Background(), path, time.Now); err == nil {
		t.Fatal("opened a text file as a database")
	}
}

func TestPathWithQueryCharactersIsRefused(t *testing.T) {
	_, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "a?b.db"), time.Now)
	if err == nil {
		t.Fatal("want an error for a path containing '?'")
	}
}

// Every stored time reads back: a start outside years 1 to 9999 (year 10000
// in UTC is what "9999-12-31 23:59" in New York becomes) is refused, not
// stored as text that no reader can parse.
func TestCreateSessionRefusesUnstorableTime(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	for _, start := range []time.Time{
		time.Date(10000, 1, 1, 4, 59, 0, 0, time.UTC),
		time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		_, err := db.CreateSession(ctx, newSession(t, "Client-A", start, "sichere-videokonferenz"))
		if !errors.Is(err, store.ErrBadTime) {
			t.Errorf("start %v: %v, want ErrBadTime", start, err)
		}
	}
	list, _, err := db.ListSessions(ctx, store.SessionFilter{WithCancelled: true})
	if err != nil || len(list) != 0 {
		t.Fatalf("stored %d sessions (%v), want none", len(list), err)
	}
}

// OpenReadOnly reads without writing: the file's bytes stay the same, no
// -wal or -shm appears, and a change is refused.
func TestOpenReadOnlyWritesNothing(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	if _, err := db.CreateSession(ctx, newSession(t, "Client-A", fixedNow.Add(time.Hour), "sichere-videokonferenz")); err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ro, err := store.OpenReadOnly(ctx, path, func() time.Time { return fixedNow })
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := ro.ListSessions(ctx, store.SessionFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %d sessions, %v", len(list), err)
	}
	if _, err := ro.CancelSession(ctx, list[0].ID); err == nil {
		t.Error("a read-only database accepted a change")
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("the file changed")
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + suffix); err == nil {
			t.Errorf("%s appeared", suffix)
		}
	}
	if _, err := store.OpenReadOnly(ctx, path+".missing", time.Now); !errors.Is(err, store.ErrNoDatabase) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := os.Stat(path + ".missing"); err == nil {
		t.Error("a missing database was created")
	}
}

// A column added to a record table behind counsel's back (with the sqlite3 shell) would be
// stored without the trail covering it; a listed column that is gone would be read as
// nothing; a trigger could copy what counsel erases. Open refuses the database and writes
// nothing.
func TestOpenRefusesRecordTableChangedOutside(t *testing.T) {
	for _, c := range []struct{ name, alter, want string }{
		{"added column", "ALTER TABLE sessions ADD COLUMN note TEXT", `column "sessions"."note" is not covered by the audit trail: no schema of counsel has it`},
		{"added column, table named in capitals", "ALTER TABLE people RENAME TO t; ALTER TABLE t RENAME TO PEOPLE; ALTER TABLE PEOPLE ADD COLUMN email TEXT", `column "people"."email" is not covered`},
		{"dropped column", "ALTER TABLE sessions DROP COLUMN place", `table "sessions" lacks its column "place" of schema`},
		// A trigger would run inside counsel's own transactions: this one keeps every name a
		// withdrawal erases, where neither the erasure nor the trail would see it.
		{"trigger", "CREATE TABLE stash(v TEXT); CREATE TRIGGER keep BEFORE UPDATE OF name ON people BEGIN INSERT INTO stash VALUES (old.name); END",
			`trigger "keep" was added outside counsel`},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := mustOpen(t)
			path := db.Path()
			db.Close()
			raw := rawOpen(t, path)
			if _, err := raw.Exec(c.alter); err != nil {
				t.Fatal(err)
			}
			var events int
			if err := raw.QueryRow("SELECT count(*) FROM audit_events").Scan(&events); err != nil {
				t.Fatal(err)
			}
			_, err := store.Open(context.Background(), path, time.Now)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			var after int
			if err := raw.QueryRow("SELECT count(*) FROM audit_events").Scan(&after); err != nil || after != events {
				t.Fatalf("%d audit events after the refusal, %d before (%v)", after, events, err)
			}
		})
	}
}
