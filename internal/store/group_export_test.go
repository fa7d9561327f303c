package store

import (
	"context"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
)

// An export keeps one row per group session with its participant count and
// no subject; with names, one row per participant.
func TestGroupExportRows(t *testing.T) {
	d := openTest(t)
	id, _ := session.NewID()
	key := make([]byte, consent.KeySize)
	ns := NewSession{Session: session.Session{ID: id, ProviderID: "p", Kind: "jitsi", JoinURL: "https://x.example/groupxyz",
		Place: "p", Start: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), Timezone: "UTC", Duration: time.Hour},
		Clients: []string{"Client-A", "Client-B", "Client Zeta"}, ProofKey: key}
	if _, err := d.CreateSession(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	rows, err := exportWith(t, d, ExportFilter{}, 1)
	if err != nil || len(rows) != 1 || rows[0].Participants != 3 || rows[0].SubjectID != "" || rows[0].Name != nil {
		t.Fatalf("without names: %+v, %v", rows, err)
	}
	rows, err = exportWith(t, d, ExportFilter{WithNames: true}, 1)
	if err != nil || len(rows) != 3 {
		t.Fatalf("with names: %+v, %v", rows, err)
	}
	names := map[string]bool{}
	for _, r := range rows {
		if r.SessionID != id || r.Participants != 3 || r.SubjectID == "" {
			t.Errorf("row %+v", r)
		}
		names[*r.Name] = true
	}
	if !names["Client-A"] || !names["Client-B"] || !names["Client Zeta"] {
		t.Errorf("names %v", names)
	}
}
