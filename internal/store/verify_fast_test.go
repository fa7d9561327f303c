package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/expeerienced/counsel/internal/audit"
)

// An event holding the unit separator that the fast path joins columns with (counsel never
// writes one, an edited file may) is read again column by column: verify ends as the exact
// path does (verifyDB compares them), whether the edit breaks the chain or was resealed by
// the editor.
func TestVerifyRowHoldingTheSeparator(t *testing.T) {
	db := seedTrail(t, 3)
	mid := events(t, db)[4]
	db = tamper(t, db, fmt.Sprintf("UPDATE audit_events SET object = object || char(31) || 'x' WHERE seq = %d", mid.Seq))
	_, err := verifyDB(db)
	var be *audit.BrokenError
	if !errors.As(err, &be) || be.Seq != mid.Seq {
		t.Fatalf("edited event %d: %v", mid.Seq, err)
	}
}

func TestVerifyResealedRowHoldingTheSeparator(t *testing.T) {
	db := seedTrail(t, 3)
	evs := events(t, db)
	// Edit event 5 and reseal it and every event after it, as an attacker with the file can.
	var stmts []string
	for j := 4; j < len(evs); j++ {
		if j == 4 {
			evs[j].Object += "\x1fx"
			stmts = append(stmts, fmt.Sprintf("UPDATE audit_events SET object = object || char(31) || 'x' WHERE seq = %d", evs[j].Seq))
		} else {
			evs[j].PrevHash = evs[j-1].Hash
		}
		evs[j].Hash = evs[j].ComputeHash()
		stmts = append(stmts, fmt.Sprintf("UPDATE audit_events SET prev_hash = '%s', hash = '%s' WHERE seq = %d", evs[j].PrevHash, evs[j].Hash, evs[j].Seq))
	}
	db = tamper(t, db, stmts...)
	head, err := verifyDB(db)
	if last := evs[len(evs)-1]; err != nil || head != last.Head() {
		t.Fatalf("resealed trail: head %v, %v; want head %v", head, err, last.Head())
	}
	// The rows after the refetched one are still checked.
	evs = events(t, db)
	db = tamper(t, db, fmt.Sprintf("UPDATE audit_events SET action = 'purge' WHERE seq = %d", evs[8].Seq))
	_, err = verifyDB(db)
	var be *audit.BrokenError
	if !errors.As(err, &be) || be.Seq != evs[8].Seq {
		t.Fatalf("edited event %d after the refetched one: %v", evs[8].Seq, err)
	}
}

// A trail of many batches (the reader reuses a batch once the link goroutine hands it back)
// with more recorded rows than one chunk of the replay holds: intact it verifies, records
// included, as the exact path does; an event edited deep in it, or one holding the separator
// (read again from there), ends verify at that event, as the exact path does.
func TestVerifyLongTrailReusesBatches(t *testing.T) {
	db := mustOpen(t)
	fillSessions(t, db, 2000)
	evs := events(t, db)
	if len(evs) < 16*512 {
		t.Fatalf("%d events, want enough for batches to be reused many times", len(evs))
	}
	if _, err := verifyDB(db); err != nil {
		t.Fatal(err)
	}
	rep, err := verifyRecords(t, db)
	rows := 0
	for _, n := range rep.Rows {
		rows += n
	}
	if err != nil || len(rep.Problems) != 0 || rows <= 4096 {
		t.Fatalf("records: %d rows, %+v, %v", rows, rep.Problems, err)
	}
	for _, edit := range []string{"object || 'x'", "object || char(31) || 'x'"} {
		for _, e := range []audit.Event{evs[len(evs)-700], evs[len(evs)-1]} {
			db = tamper(t, db, fmt.Sprintf("UPDATE audit_events SET object = %s WHERE seq = %d", edit, e.Seq))
			_, err := verifyDB(db)
			var be *audit.BrokenError
			if !errors.As(err, &be) || be.Seq != e.Seq {
				t.Fatalf("%s at event %d: %v", edit, e.Seq, err)
			}
			db = tamper(t, db, fmt.Sprintf("UPDATE audit_events SET object = '%s' WHERE seq = %d", e.Object, e.Seq))
		}
	}
	if _, err := verifyDB(db); err != nil {
		t.Fatalf("restored: %v", err)
	}
}
