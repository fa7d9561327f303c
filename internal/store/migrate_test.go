package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/store"
)

// schema1 builds a database as counsel with schema 1 left it: people compared
// by spelling, so one client could be three people.
func schema1(t *testing.T, path string, stmts ...string) {
	t.Helper()
	init, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	raw := rawOpen(t, path)
	for _, q := range append([]string{string(init), "PRAGMA user_version = 1"}, stmts...) {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	raw.Close()
}

// TestMigrationMergesSpellings: migration 0003 gives every person the key of
// their name; people whose names share a key are merged into the earliest,
// their sessions and consent events moved, each merge an audit event with IDs
// and counts only; an erased person and a name that has no key stay as they
// are; nothing is dropped; the trail verifies; and the next session for any
// spelling goes to the merged person.
func TestMigrationMergesSpellings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	person := func(id, name, created string) string {
		if name == "" {
			return "INSERT INTO people (id, name, created_at, erased_at) VALUES ('" + id + "', NULL, '" + created + "', '" + created + "')"
		}
		return "INSERT INTO people (id, name, created_at) VALUES ('" + id + "', '" + name + "', '" + created + "')"
	}
	sess := func(id, personID, start string) string {
		return "INSERT INTO sessions (id, person_id, provider_id, kind, join_url, place, starts_at, timezone, duration_min, status, created_at) " +
			"VALUES ('" + id + "', '" + personID + "', 'p', 'jitsi', 'https://x.example/" + id + "', 'p', '" + start + "', 'UTC', 50, 'scheduled', '2026-11-01T00:00:00Z')"
	}
	event := func(id, personID, sessionID string) string {
		return "INSERT INTO consent_events (id, person_id, session_id, event, timestamp, jurisdiction, legal_basis, purpose) " +
			"VALUES ('" + id + "', '" + personID + "', '" + sessionID + "', 'notice_sent', '2026-11-01T00:00:00Z', 'DE', 'x', 'x')"
	}
	schema1(t, path,
		person("p2", "client-a", "2026-11-02T00:00:00Z"),
		person("p1", "Client-A", "2026-11-01T00:00:00Z"), // the earliest: it stays
		person("p3", "CLI\u200bENT-A", "2026-11-03T00:00:00Z"),
		person("p4", "Client-B", "2026-11-01T00:00:00Z"),
		person("p5", "", "2026-11-01T00:00:00Z"),             // erased
		person("p6", "\u200b\u200b", "2026-11-01T00:00:00Z"), // accepted by schema 1, no key now
		sess("s1", "p1", "2026-12-01T10:00:00Z"), sess("s2", "p2", "2026-12-02T10:00:00Z"),
		sess("s3", "p2", "2026-12-03T10:00:00Z"), sess("s4", "p3", "2026-12-04T10:00:00Z"),
		sess("s5", "p4", "2026-12-05T10:00:00Z"), sess("s6", "p5", "2026-11-05T10:00:00Z"),
		sess("abcd0007", "p6", "2026-12-07T10:00:00Z"),
		event("e1", "p1", "s1"), event("e2", "p2", "s2"), event("e3", "p2", "s3"), event("e4", "p3", "s4"),
		event("e5", "p4", "s5"), event("e7", "p6", "abcd0007"),
	)
	db, err := store.Open(context.Background(), path, func() time.Time { return fixedNow })
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw := rawOpen(t, path)
	rows := func(q string) string {
		t.Helper()
		r, err := raw.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var out []string
		for r.Next() {
			var s string
			if err := r.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct{ q, want string }{
		{"SELECT id || ':' || COALESCE(name_key, '-') FROM people ORDER BY id", "p1:client-a p4:client-b p5:- p6:-"},
		// Schema 5 moved the person into session_participants.
		{"SELECT session_id || ':' || person_id FROM session_participants ORDER BY session_id", "abcd0007:p6 s1:p1 s2:p1 s3:p1 s4:p1 s5:p4 s6:p5"},
		{"SELECT id || ':' || person_id FROM consent_events ORDER BY id", "e1:p1 e2:p1 e3:p1 e4:p1 e5:p4 e7:p6"},
		{"SELECT object || ' ' || details FROM audit_events WHERE action = 'person.merged' ORDER BY seq",
			`p1 {"consent_events":"2","merged_person":"p2","reason":"same_name_key","sessions":"2"} ` +
				`p1 {"consent_events":"1","merged_person":"p3","reason":"same_name_key","sessions":"1"}`},
		{"SELECT count(*) FROM audit_events WHERE action = 'person.merged'", "2"},
		// the merged people's rows leave the trail; the moved rows are recorded anew
		{"SELECT group_concat(object, ' ') FROM (SELECT object FROM audit_events WHERE action = 'record.deleted' ORDER BY object)", "p2 p3"},
		// nothing in the trail holds a name or its key
		{"SELECT count(*) FROM audit_events WHERE lower(object || details) LIKE '%client%'", "0"},
	} {
		if got := rows(c.q); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.q, got, c.want)
		}
	}
	if rep, err := verifyRecords(t, db); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("audit verify after the migration: %+v, %v", rep.Problems, err)
	}
	// The merged person takes new sessions under any spelling; the person
	// without a key is still found by a session ID.
	c, err := db.CreateSessionFor(context.Background(), newSession(t, "ＣＬＩＥＮＴ-a", fixedNow.Add(time.Hour), "jitsi"))
	if err != nil || c.PersonID != "p1" || c.NewPerson || !c.SpellingDiffers {
		t.Fatalf("session for another spelling: %+v, %v", c, err)
	}
	sub, err := db.FindSubject(context.Background(), store.SubjectQuery{Ref: "abcd0007", AllowSession: true})
	if err != nil || sub.Person.ID != "p6" {
		t.Fatalf("person without a key by session ID: %+v, %v", sub.Person, err)
	}
	if rep, err := verifyRecords(t, db); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("audit verify: %+v, %v", rep.Problems, err)
	}
	// The unique key holds from now on, also against a raw insert.
	if _, err := raw.Exec("INSERT INTO people (id, name, name_key, created_at) VALUES ('p9', 'CLIENT-a', 'client-a', '2026-11-28T00:00:00Z')"); err == nil {
		t.Error("a second live person with the same key was stored")
	}
}

// TestMigration0006IndexesEarlierRemovals: a schema-5 database (as counsel left it before
// the removal index: the same tables, no index) with a room left by a withdrawal is
// upgraded: the index is made over the removals already in the trail, the room stays
// refused, the migration writes no event (an index is no record), the trail and records
// verify, and opening again changes nothing.
func TestMigration0006IndexesEarlierRemovals(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	path := db.Path()
	c, err := db.CreateSessionFor(ctx, groupSeries(t, "blizz", fixedNow.Add(24*time.Hour), 2, "Client-A", "Client-B", "Client-C"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RevokeConsent(ctx, store.Revocation{PersonID: c.People[1].ID, ProofKey: testKey, RetentionYears: 3, Location: time.UTC}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw := rawOpen(t, path)
	// Schema 5 had neither the index nor the table of schema 7 nor the index of schema 8 (this group withdrawal
	// retired no room: the old room stays stored in the others' sessions).
	var retired int
	if err := raw.QueryRow("SELECT count(*) FROM retired_rooms").Scan(&retired); err != nil || retired != 0 {
		t.Fatalf("%d retired rooms, %v", retired, err)
	}
	for _, q := range []string{"DROP INDEX audit_events_participant_removed", "DROP TABLE retired_rooms", "DROP INDEX audit_events_room_changed", "DROP INDEX audit_events_record", "PRAGMA user_version = 5"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	events := count("SELECT count(*) FROM audit_events")
	for round := range 2 {
		db, err := store.Open(ctx, path, func() time.Time { return fixedNow })
		if err != nil {
			t.Fatal(err)
		}
		if v := userVersion(t, path); v != store.SchemaVersion() || v < 6 {
			t.Fatalf("round %d: user_version %d", round, v)
		}
		if n := count("SELECT count(*) FROM audit_events INDEXED BY audit_events_participant_removed WHERE action = 'session.participant_removed' AND object <> ''"); n != 2 {
			t.Errorf("round %d: the index holds %d removals, want the 2 made before the upgrade", round, n)
		}
		if n := count("SELECT count(*) FROM audit_events"); n != events {
			t.Errorf("round %d: %d audit events, %d before the upgrade", round, n, events)
		}
		_, err = db.CreateSession(ctx, groupSeries(t, "blizz", fixedNow.AddDate(0, 1, 0), 1, "Client-A", "Client-C"))
		if !errors.Is(err, store.ErrRoomTaken) {
			t.Errorf("round %d: the room left before the upgrade: err = %v", round, err)
		}
		if _, err := verifyDB(db); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if rep, err := verifyRecords(t, db); err != nil || len(rep.Problems) != 0 {
			t.Fatalf("round %d: records: %+v, %v", round, rep.Problems, err)
		}
		db.Close()
	}
}

// TestMigrationRefusesTrigger: a database from an older counsel that holds a trigger is
// refused before any migration runs. A migration writes records (0003 merges people, 0002
// and later record every row in the trail), so the trigger would run inside it; the file
// must stay as it was: same version, no event, nothing the trigger would have kept.
func TestMigrationRefusesTrigger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	schema1(t, path,
		"INSERT INTO people (id, name, created_at) VALUES ('p1', 'Client-A', '2026-11-01T00:00:00Z')",
		"CREATE TABLE stash(v TEXT)",
		"CREATE TRIGGER keep AFTER INSERT ON audit_events BEGIN INSERT INTO stash VALUES (NEW.action); END",
	)
	_, err := store.Open(context.Background(), path, func() time.Time { return fixedNow })
	if err == nil || !strings.Contains(err.Error(), `trigger "keep" was added outside counsel`) {
		t.Fatalf("err = %v, want the trigger refused", err)
	}
	if v := userVersion(t, path); v != 1 {
		t.Errorf("user_version %d after the refusal, want 1: a migration ran", v)
	}
	var kept, events int
	raw := rawOpen(t, path)
	if err := raw.QueryRow("SELECT (SELECT count(*) FROM stash), (SELECT count(*) FROM audit_events)").Scan(&kept, &events); err != nil {
		t.Fatal(err)
	}
	if kept != 0 || events != 0 {
		t.Errorf("the trigger kept %d rows, %d audit events written, want none", kept, events)
	}
}

// TestMigrationRefusesColumnAddedOutside: an older database whose record tables differ from
// what the migrations up to its version made (a column added or dropped with sqlite3, or
// PRAGMA user_version set back on a newer file) is refused before the first migration
// writes: no migration runs, no baseline records the column's data, the version stays.
func TestMigrationRefusesColumnAddedOutside(t *testing.T) {
	ctx := context.Background()
	person := "INSERT INTO people (id, name, created_at) VALUES ('p1', 'Client-A', '2026-11-01T00:00:00Z')"
	// setBack makes a current file with one session and sets its user_version back to v.
	setBack := func(v int) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			db, err := store.Open(ctx, path, func() time.Time { return fixedNow })
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.CreateSessionFor(ctx, newSession(t, "Client-A", fixedNow.Add(time.Hour), "jitsi")); err != nil {
				t.Fatal(err)
			}
			db.Close()
			if _, err := rawOpen(t, path).Exec("PRAGMA user_version = " + strconv.Itoa(v)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range []struct {
		name    string
		make    func(t *testing.T, path string)
		version int
		want    string
	}{
		{"column added to schema 1", func(t *testing.T, path string) {
			schema1(t, path, "ALTER TABLE people ADD COLUMN email TEXT", person)
		}, 1, `column "people"."email" is not covered by the audit trail: no schema of counsel has it (the file says schema 1), so it was added outside counsel`},
		{"column dropped from schema 1", func(t *testing.T, path string) {
			schema1(t, path, "ALTER TABLE consent_events DROP COLUMN recorded_by", person)
		}, 1, `table "consent_events" lacks its column "recorded_by" of schema 1, the version the file says`},
		{"column renamed in schema 1", func(t *testing.T, path string) {
			schema1(t, path, person, "ALTER TABLE people RENAME COLUMN name TO nom")
		}, 1, `table "people" lacks its column "name" of schema 1, the version the file says, and has the column "nom" instead, which no schema of counsel has: the column was renamed outside counsel`},
		{"current file set back to schema 4", setBack(4), 4, `table "sessions" has the column "series_id" of schema 5, but the file says schema 4, which has no such column`},
		// Schema 9 adds only an index: the record tables are those of schema 8.
		{"current file set back to schema 8", setBack(8), 8, `the file says schema 8, but it holds the index "retired_rooms_by_retain_until" of schema 9: its schema version was set back outside counsel`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.db")
			c.make(t, path)
			var events int
			if err := rawOpen(t, path).QueryRow("SELECT count(*) FROM audit_events").Scan(&events); err != nil {
				t.Fatal(err)
			}
			_, err := store.Open(ctx, path, func() time.Time { return fixedNow })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if strings.Contains(err.Error(), "Client-A") {
				t.Errorf("the refusal holds client data: %v", err)
			}
			var se *store.SchemaError
			if !errors.As(err, &se) || se.Schema != c.version {
				t.Errorf("err = %#v, want a *store.SchemaError of schema %d (the CLI's hint)", err, c.version)
			}
			if v := userVersion(t, path); v != c.version {
				t.Errorf("user_version %d after the refusal, want %d: a migration ran", v, c.version)
			}
			var after int
			if err := rawOpen(t, path).QueryRow("SELECT count(*) FROM audit_events").Scan(&after); err != nil || after != events {
				t.Errorf("%d audit events after the refusal, %d before (%v)", after, events, err)
			}
		})
	}
}
