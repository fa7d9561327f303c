package store

import (
	"reflect"
	"testing"
)

// A database of an older schema is verified before an upgrade with the tables and encoding
// its counsel wrote (recordTablesAt, derived from the migrations). These are recordTables as
// the commits that brought schemas 2, 3 (0c85e08) and 4 (a588d4e) had them; the current
// schema must give recordTables itself.
func TestRecordTablesAt(t *testing.T) {
	people := recordTable{name: "people", key: "id", columns: []string{"id", "created_at", "erased_at"},
		secrets: []string{"name", "name_key"}, secretKey: "name_digest_key", secretItem: "name"}
	sessions := recordTable{name: "sessions", key: "id",
		columns: []string{"id", "person_id", "provider_id", "kind", "meeting_id", "join_url", "place",
			"starts_at", "timezone", "duration_min", "status", "created_at", "cancelled_at"}}
	rest := []recordTable{
		{name: "consent_events", key: "id",
			columns: []string{"id", "person_id", "session_id", "event", "timestamp", "jurisdiction",
				"legal_basis", "purpose", "notice_language", "notice_version", "notice_hash",
				"collection_method", "recorded_by"}},
		{name: "withdrawals", key: "id",
			columns: []string{"id", "subject_hmac", "withdrawn_at", "notice_hashes", "retain_until"}},
		{name: "settings", key: "name", columns: []string{"name", "value"}},
	}
	people2 := people
	people2.secrets = []string{"name"}
	sessions4 := sessions
	sessions4.columns = append(sessions4.columns[:len(sessions4.columns):len(sessions4.columns)], "sequence", "invite_version")
	for _, c := range []struct {
		schema int
		want   []recordTable
	}{
		{2, append([]recordTable{people2, sessions}, rest...)},
		{3, append([]recordTable{people, sessions}, rest...)},
		{4, append([]recordTable{people, sessions4}, rest...)},
		{SchemaVersion(), recordTables},
	} {
		got, err := recordTablesAt(c.schema)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("schema %d:\n got %+v\nwant %+v", c.schema, got, c.want)
		}
	}
}
