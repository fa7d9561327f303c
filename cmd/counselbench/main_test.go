package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/provider"
	"github.com/expeerienced/counsel/internal/store"
)

var testNow = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func TestFill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.db")
	var stderr bytes.Buffer
	clock := func() time.Time { return testNow }
	if err := run(context.Background(), []string{"fill", "-db", path, "-n", "60", "-per-person", "6"}, &stderr, clock); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "60 sessions (3 cancelled), 10 people") {
		t.Errorf("summary %q", stderr.String())
	}
	db, err := store.Open(context.Background(), path, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v audit.Verifier
	if err := db.WalkAudit(context.Background(), v.Add); err != nil {
		t.Fatal(err)
	}
	if err := v.Finish(); err != nil {
		t.Fatal(err)
	}
	if v.Head().Seq < 120 {
		t.Errorf("%d audit events, want at least two per session", v.Head().Seq)
	}
	// Nothing is due for retention at the fill's own time.
	if due, err := db.PurgeDue(context.Background(), store.Retention{SessionDays: 90}); err != nil || due {
		t.Errorf("purge due = %v, %v; the fixture must survive the first write", due, err)
	}
	t.Run("Refusals", func(t *testing.T) {
		for _, args := range [][]string{nil, {"fill"}, {"fill", "-db", path}, {"other"}} {
			if err := run(context.Background(), args, &stderr, clock); err == nil {
				t.Errorf("run %q succeeded", args)
			}
		}
	})
}

// The fill's Blizz meeting IDs and links are in the form session new stores them, so that a
// benchmark's session new with a fixture client's meeting ID goes into that client's room.
func TestFillBlizzRoomsAsSessionNewStoresThem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.db")
	clock := func() time.Time { return testNow }
	if err := run(context.Background(), []string{"fill", "-db", path, "-n", "80", "-per-person", "8"}, &bytes.Buffer{}, clock); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), path, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg, err := provider.LoadBuiltIn("")
	if err != nil {
		t.Fatal(err)
	}
	blizz, _ := reg.Get("blizz")
	list, _, err := db.ListSessions(context.Background(), store.SessionFilter{WithCancelled: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range list {
		if s.Kind != "blizz" {
			continue
		}
		n++
		id, err := provider.ParseBlizzID(s.MeetingID)
		if err != nil || id.String() != s.MeetingID {
			t.Fatalf("meeting ID %q is not in the stored form %q (%v)", s.MeetingID, id.String(), err)
		}
		if url, err := blizz.BlizzJoinURL(id); err != nil || url != s.JoinURL {
			t.Fatalf("join URL %q, session new makes %q (%v)", s.JoinURL, url, err)
		}
	}
	if n == 0 {
		t.Fatal("no Blizz session in the fill")
	}
}
