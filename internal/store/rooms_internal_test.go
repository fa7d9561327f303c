package store

import (
	"context"
	"strings"
	"testing"
)

// queryPlan is EXPLAIN QUERY PLAN of query, one line per step.
func queryPlan(t *testing.T, d *DB, query string, args ...any) []string {
	t.Helper()
	var plan []string
	err := eachRow(context.Background(), d.db, func(r scanner) error {
		var id, parent, unused int
		var detail string
		if err := r.Scan(&id, &parent, &unused, &detail); err != nil {
			return err
		}
		plan = append(plan, detail)
		return nil
	}, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// The room check finds the removals of a room's sessions through the partial index of
// migration 0006, and the room changes after them through that of migration 0008, never by a
// scan of the trail (which made every session new into a reused room read every audit event).
// It fails when an index is gone, or when the statement stops naming the index's WHERE (a
// bound parameter instead of the literal action).
func TestRoomCheckSearchesRemovalsByIndex(t *testing.T) {
	d := filledDB(t, 300)
	// Without statistics, and with them (as after a long use).
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			if _, err := d.db.Exec("ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		plan := queryPlan(t, d, roomQuery, "https://go.blizz.com/join/m00000001", "m00000001", "[]", 1)
		joined := strings.Join(plan, "\n")
		if !strings.Contains(joined, "SEARCH e USING INDEX audit_events_participant_removed (object=?)") &&
			!strings.Contains(joined, "SEARCH e USING COVERING INDEX audit_events_participant_removed (object=?)") {
			t.Errorf("analyzed %v: the room check does not search the removals by their index:\n%s", analyzed, joined)
		}
		if !strings.Contains(joined, "SEARCH c USING COVERING INDEX audit_events_room_changed (object=? AND rowid>?)") {
			t.Errorf("analyzed %v: the room check does not search the room changes after a removal by their index:\n%s", analyzed, joined)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN") && !strings.Contains(step, "json_each") {
				t.Errorf("analyzed %v: the room check scans a table: %q in\n%s", analyzed, step, joined)
			}
		}
	}
}

// The indexes are partial, so reading or counting the trail (audit verify, the exports' counts,
// the head) still reads the table itself: an index that was tampered with cannot change what
// verify sees. Only a statement naming the action can use it.
func TestTrailReadsDoNotUseTheRemovalIndex(t *testing.T) {
	d := filledDB(t, 50)
	for _, q := range []string{
		"SELECT " + auditColumns + " FROM audit_events ORDER BY seq",
		"SELECT " + auditColumns + " FROM audit_events WHERE seq > 3 ORDER BY seq",
		"SELECT count(*) FROM audit_events",
		"SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
		"SELECT object FROM audit_events WHERE object = 'x'",
	} {
		if plan := strings.Join(queryPlan(t, d, q), "\n"); strings.Contains(plan, "audit_events_participant_removed") ||
			strings.Contains(plan, "audit_events_room_changed") || strings.Contains(plan, "audit_events_record") {
			t.Errorf("%s reads through the removal or room-change index:\n%s", q, plan)
		}
	}
}

// FuzzRoomOfMatchesSQL: roomOf, the room key in Go (what a retired room is remembered by),
// is exactly the room key SQLite computes (roomKey, what checkRoom and the index compare):
// SQLite's lower() folds ASCII only, where strings.ToLower would fold every script, so a
// room written with other capitals would be remembered under another key than the one the
// room rule sees.
func FuzzRoomOfMatchesSQL(f *testing.F) {
	for _, s := range []string{"", "#", "https://meet.example/Room#config.x=1", "https://GO.BLIZZ.COM/join/M12345678",
		"https://meet.example/ÄÖÜ-İstanbul-ǅ-Σ#x#y", "https://meet.example/K\u212aelvin", "a\x00b#c", "\xff\xfe#\x80A"} {
		f.Add(s)
	}
	d := openTest(f)
	q := "SELECT " + strings.ReplaceAll(roomKey, "join_url", "?1")
	f.Fuzz(func(t *testing.T, s string) {
		var sql string
		if err := d.db.QueryRow(q, s).Scan(&sql); err != nil {
			t.Fatal(err)
		}
		if got := roomOf(s); got != sql {
			t.Errorf("roomOf(%q) = %q, SQLite says %q", s, got, sql)
		}
	})
}

// The retired-room rule costs session new one search of an index, and a purge one per room
// it retires: never a scan of the sessions or of the remembered rooms.
func TestRetiredRoomStatementsUseIndexes(t *testing.T) {
	d := filledDB(t, 300)
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			if _, err := d.db.Exec("ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			q     string
			args  []any
			index string
		}{
			{retiredQuery, []any{strings.Repeat("a", 64)}, "sqlite_autoindex_retired_rooms_"},
			{storedRoomQuery, []any{"https://go.blizz.com/join/m00000001"}, "sessions_by_room"},
			{storedMeetingQuery, []any{"m00000001"}, "sessions_by_meeting_id"},
		} {
			joined := strings.Join(queryPlan(t, d, tc.q, tc.args...), "\n")
			if !strings.Contains(joined, "INDEX "+tc.index) || strings.Contains(joined, "SCAN retired_rooms") || strings.Contains(joined, "SCAN sessions") {
				t.Errorf("analyzed %v: %s does not search %s:\n%s", analyzed, tc.q, tc.index, joined)
			}
		}
	}
}

// PurgeDue, asked before every write command, finds due remembered rooms by the index of
// migration 0009, not by reading retired_rooms, which grows by a row for every room forgotten.
func TestPurgeDueUsesIndexes(t *testing.T) {
	d := filledDB(t, 300)
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			if _, err := d.db.Exec("ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		plan := queryPlan(t, d, purgeDueQuery, "2026-08-30T09:00:00Z", "2026-11-28T09:00:00Z", "2023-01-01T00:00:00Z")
		joined := strings.Join(plan, "\n")
		if !strings.Contains(joined, "retired_rooms USING COVERING INDEX retired_rooms_by_retain_until (retain_until<?)") &&
			!strings.Contains(joined, "retired_rooms USING COVERING INDEX retired_rooms_by_retain_until (retain_until<=?)") {
			t.Errorf("analyzed %v: PurgeDue does not search retired_rooms by its index:\n%s", analyzed, joined)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN") && strings.Contains(step, "retired_rooms") {
				t.Errorf("analyzed %v: PurgeDue reads all of retired_rooms: %q in\n%s", analyzed, step, joined)
			}
		}
	}
}
