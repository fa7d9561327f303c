package store

import (
	"context"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/store/sqlitedsn"
)

// personalColumns are the only columns that may hold personal data. Design
// rule 1: the schema itself shows that nothing else about a person is kept.
// A new column must be added to allowedColumns below, consciously.
var personalColumns = map[string]bool{"people.name": true, "people.name_key": true}

// allowedColumns is every column of the schema, each one reviewed: IDs,
// times, enumerations, hashes, and what the consent form names (meeting ID
// or address, place, date).
var allowedColumns = []string{
	"audit_events.action", "audit_events.at", "audit_events.details", "audit_events.hash",
	"audit_events.id", "audit_events.object", "audit_events.prev_hash", "audit_events.seq",
	"consent_events.collection_method", "consent_events.event", "consent_events.id",
	"consent_events.jurisdiction", "consent_events.legal_basis", "consent_events.notice_hash",
	"consent_events.notice_language", "consent_events.notice_version", "consent_events.person_id",
	"consent_events.purpose", "consent_events.recorded_by", "consent_events.session_id",
	"consent_events.timestamp",
	"people.created_at", "people.erased_at", "people.id", "people.name", "people.name_digest_key", "people.name_key",
	"record_key.id", "record_key.key",
	"settings.name", "settings.value",
	"sessions.cancelled_at", "sessions.created_at", "sessions.duration_min", "sessions.id",
	"sessions.join_url", "sessions.kind", "sessions.meeting_id",
	"sessions.place", "sessions.provider_id", "sessions.series_id", "sessions.starts_at", "sessions.status",
	"sessions.timezone",
	// Schema 3: a counter and a template version, nothing about the person.
	"sessions.sequence", "sessions.invite_version",
	"session_participants.id", "session_participants.person_id", "session_participants.session_id",
	"withdrawals.id", "withdrawals.notice_hashes", "withdrawals.retain_until",
	"withdrawals.subject_hmac", "withdrawals.withdrawn_at",
	// Schema 7: rooms no longer stored, each as HMAC-SHA256 under the proof key, which is not in
	// the file (consent.RoomDigest). Not personal data only because it is keyed: an unkeyed
	// hash of a Blizz meeting ID could be reversed by trying every ID. A random ID, and the
	// year the row may go: nothing that links a row to a person or a session.
	"retired_rooms.id", "retired_rooms.digest", "retired_rooms.retain_until",
}

func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), func() time.Time {
		return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSchemaHoldsNoOtherPersonalColumn(t *testing.T) {
	db := openTest(t)
	rows, err := db.db.Query(`SELECT m.name || '.' || p.name FROM sqlite_schema m
		JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	want := append([]string(nil), allowedColumns...)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("schema columns changed; review each new column for personal data\ngot:\n%s\nwant:\n%s",
			strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for c := range personalColumns {
		found := false
		for _, g := range got {
			found = found || g == c
		}
		if !found {
			t.Errorf("personal column %s missing", c)
		}
	}
}

func TestForeignKeysHoldOnEveryConnection(t *testing.T) {
	db := openTest(t)
	// Take the pool's connections one after another; each must refuse a
	// session for a person who does not exist.
	for i := 0; i < 3; i++ {
		conn, err := db.db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.ExecContext(context.Background(), `INSERT INTO session_participants
			(id, session_id, person_id) VALUES ('x1', 'no-session', 'nobody')`)
		conn.Close()
		if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
			t.Fatalf("connection %d: a participant of an unknown session and person was stored (%v)", i, err)
		}
	}
	for _, pragma := range []struct {
		name string
		want string
	}{{"foreign_keys", "1"}, {"journal_mode", "wal"}, {"synchronous", "2"}, {"secure_delete", "1"}} {
		var got string
		if err := db.db.QueryRow("PRAGMA " + pragma.name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != pragma.want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma.name, got, pragma.want)
		}
	}
}

// The waits counsel does itself (retryBusy) last as long as SQLite's busy handler.
func TestBusyTimeoutAgrees(t *testing.T) {
	if want := "busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")"; sqlitedsn.BusyTimeout != want {
		t.Errorf("sqlitedsn.BusyTimeout = %q, busyTimeout says %q", sqlitedsn.BusyTimeout, want)
	}
}
