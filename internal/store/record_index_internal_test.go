package store

import (
	"strings"
	"testing"
)

// The check before a write (checkRowUnchanged) finds the row's last record event through the
// partial index of migration 0010, never by a scan of the trail. It fails when the index is
// gone or the statement stops naming the index's WHERE.
func TestLastRecordEventSearchedByIndex(t *testing.T) {
	d := filledDB(t, 300)
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			if _, err := d.db.Exec("ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		plan := strings.Join(queryPlan(t, d, lastRecordQuery, "01a2348c-a8e2-7e84-b135-eb48c567af9b", tableSessions), "\n")
		if !strings.Contains(plan, "SEARCH audit_events USING INDEX audit_events_record (object=?)") {
			t.Errorf("analyzed %v: the last record event is not searched by its index:\n%s", analyzed, plan)
		}
		if strings.Contains(plan, "SCAN") {
			t.Errorf("analyzed %v: the lookup scans:\n%s", analyzed, plan)
		}
	}
}
