package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/store"
)

// seedReport stores sessions around the fixed clock (2026-11-28 09:00 UTC), cancels one, and
// adds consents given and withdrawals directly (as the consent commands will).
func seedReport(t *testing.T) *store.DB {
	t.Helper()
	db := mustOpen(t)
	ctx := context.Background()
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	var ids []string
	for _, s := range []struct{ client, provider, start string }{
		{"Client-A", "jitsi-fem-tu-ilmenau", "2026-10-05T10:00:00Z"}, // held, October
		{"Client-B", "blizz", "2026-11-02T10:00:00Z"},                // held, November
		{"Client-A", "jitsi-fem-tu-ilmenau", "2026-11-30T23:30:00Z"}, // planned; 1 December in Berlin
		{"Client-C", "blizz", "2026-11-20T10:00:00Z"},                // cancelled, November
		{"Client-B", "jitsi-fem-tu-ilmenau", "2026-11-28T08:59:00Z"}, // held: started a minute ago
	} {
		ns := newSession(t, s.client, at(s.start), s.provider)
		if _, err := db.CreateSession(ctx, ns); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ns.Session.ID)
	}
	if _, err := db.CancelSession(ctx, ids[3]); err != nil {
		t.Fatal(err)
	}
	return tamper(t, db,
		// given for the October session (jitsi), and once without a session
		fmt.Sprintf(`INSERT INTO consent_events (id, person_id, session_id, event, timestamp, jurisdiction, legal_basis, purpose)
			SELECT 'c1', person_id, session_id, 'given', '2026-10-01T08:00:00Z', 'DE', 'x', 'y' FROM session_participants WHERE session_id = '%s'`, ids[0]),
		`INSERT INTO consent_events (id, person_id, session_id, event, timestamp, jurisdiction, legal_basis, purpose)
			SELECT 'c2', person_id, NULL, 'given', '2026-11-03T08:00:00Z', 'DE', 'x', 'y' FROM session_participants LIMIT 1`,
		`INSERT INTO withdrawals (id, subject_hmac, withdrawn_at, retain_until)
			VALUES ('w1', 'h', '2026-11-10T12:00:00Z', '2029-12-31T23:59:59Z'), ('w2', 'h2', '2025-01-10T12:00:00Z', '2028-12-31T23:59:59Z')`,
	)
}

func TestReport(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name string
		f    store.ReportFilter
		want []store.ReportRow
	}{
		{
			name: "ByMonth",
			f:    store.ReportFilter{By: store.ReportByMonth},
			want: []store.ReportRow{
				{Group: "2025-01", ConsentsWithdrawn: 1},
				{Group: "2026-10", Held: 1, ConsentsGiven: 1, Participants: 1},
				{Group: "2026-11", Held: 2, Cancelled: 1, ConsentsGiven: 1, ConsentsWithdrawn: 1, Participants: 2},
				{Group: "2026-12", Planned: 1, Participants: 1},
			},
		},
		{
			name: "ByMonthInRangeListsEmptyMonths",
			f:    store.ReportFilter{By: store.ReportByMonth, From: day("2026-09-01"), To: day("2027-01-01")},
			want: []store.ReportRow{
				{Group: "2026-09"},
				{Group: "2026-10", Held: 1, ConsentsGiven: 1, Participants: 1},
				{Group: "2026-11", Held: 2, Cancelled: 1, ConsentsGiven: 1, ConsentsWithdrawn: 1, Participants: 2},
				{Group: "2026-12", Planned: 1, Participants: 1},
			},
		},
		{
			name: "ByMonthNovemberOnly",
			f:    store.ReportFilter{By: store.ReportByMonth, From: day("2026-11-01"), To: day("2026-12-01")},
			want: []store.ReportRow{
				{Group: "2026-11", Held: 2, Cancelled: 1, ConsentsGiven: 1, ConsentsWithdrawn: 1, Participants: 2},
			},
		},
		{
			name: "ByProvider",
			f:    store.ReportFilter{By: store.ReportByProvider},
			want: []store.ReportRow{
				{Group: store.ReportUnattributed, ConsentsGiven: 1, ConsentsWithdrawn: 2},
				{Group: "blizz", Held: 1, Cancelled: 1, Participants: 1},
				{Group: "jitsi-fem-tu-ilmenau", Held: 2, Planned: 1, ConsentsGiven: 1, Participants: 3},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := seedReport(t)
			tt.f.Location, tt.f.Now = berlin, fixedNow
			got, err := db.Report(context.Background(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("report\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestReportEmptyAndInvalid(t *testing.T) {
	db := mustOpen(t)
	got, err := db.Report(context.Background(), store.ReportFilter{By: store.ReportByProvider, Now: fixedNow})
	if err != nil || len(got) != 0 {
		t.Errorf("empty database: %v, %v; want no rows", got, err)
	}
	if _, err := db.Report(context.Background(), store.ReportFilter{By: "week"}); err == nil {
		t.Error("want an error for an unknown grouping")
	}
}
