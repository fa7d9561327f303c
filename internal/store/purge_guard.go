package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
)

// trailGuard keeps purge from laundering a row changed outside counsel. Withdrawal proofs and
// remembered rooms end at the end of a year: a retain_until moved into the past with sqlite3
// would make the row due, and its deletion, recorded properly, would leave `audit verify`
// nothing to name. So before such a row is deleted it must be exactly as its last record event
// says, by the digest verify computes; the trail is replayed (the code verify uses) once, and
// only when such rows are due, which is rare.
type trailGuard struct {
	recs *audit.Records // nil: the chain does not verify, so no row is proven
	dg   *audit.RecordDigester
}

func newTrailGuard(ctx context.Context, tx *sql.Tx) (*trailGuard, error) {
	g := &trailGuard{recs: audit.NewRecords()}
	var v audit.Verifier
	err := verifyTrail(ctx, tx, &v, g.recs)
	if err == nil {
		err = v.Finish()
	}
	var be *audit.BrokenError
	var hn *audit.HeadNotFoundError
	switch {
	case errors.As(err, &be) || errors.As(err, &hn):
		g.recs = nil
	case err != nil:
		return nil, err
	}
	if g.dg, err = recordDigester(ctx, tx); err != nil {
		return nil, err
	}
	return g, nil
}

// split divides the rows ids of table into those the trail vouches for and those it does not
// (changed, inserted or revived outside counsel, or every row when the chain is broken).
func (g *trailGuard) split(ctx context.Context, tx *sql.Tx, table string, ids []string) (honest, kept []string, err error) {
	if g.recs == nil {
		return nil, ids, nil
	}
	t, _ := recordTableNamed(table)
	b := newRowBuffer(t)
	var sum [sha256.Size]byte
	for _, id := range ids {
		_, cols, err := b.scan(tx.QueryRowContext(ctx, "SELECT "+t.selectList()+" FROM "+t.name+" WHERE "+t.key+" = ?", id))
		if err != nil {
			return nil, nil, fmt.Errorf("read %s row: %w", t.name, mapErr(err))
		}
		g.dg.DigestTo(&sum, t.name, cols)
		if _, bad := g.recs.Check(t.name, id, &sum); bad {
			kept = append(kept, id)
		} else {
			honest = append(honest, id)
		}
	}
	return honest, kept, nil
}

// keptTrailBroken is the purge event's kept_reason when the rows were kept because the chain
// does not verify (Purged.TrailBroken); without it they did not match their record events.
const keptTrailBroken = "trail_broken"

// keptState is what a purge event says of kept rows: how many, and whether for a broken chain.
type keptState struct {
	n      int
	broken bool
}

func (p Purged) kept() keptState { return keptState{p.KeptTampered, p.TrailBroken} }

// keptOf reads keptState from a purge event's details (zero when it kept nothing).
func keptOf(details string) keptState {
	var d struct {
		Kept   string `json:"kept_tampered"`
		Reason string `json:"kept_reason"`
	}
	if json.Unmarshal([]byte(details), &d) != nil {
		return keptState{}
	}
	n, _ := strconv.Atoi(d.Kept)
	return keptState{n, n > 0 && d.Reason == keptTrailBroken}
}

// lastKept is what the newest purge event says of kept rows. Purge events come often, so the
// walk back from the newest event is short.
func lastKept(ctx context.Context, tx *sql.Tx) (keptState, error) {
	var details string
	err := tx.QueryRowContext(ctx, "SELECT details FROM audit_events WHERE action = ? ORDER BY seq DESC LIMIT 1", audit.ActionPurge).Scan(&details)
	if errors.Is(err, sql.ErrNoRows) {
		return keptState{}, nil
	}
	if err != nil {
		return keptState{}, fmt.Errorf("read the last purge event: %w", mapErr(err))
	}
	return keptOf(details), nil
}

// Kept is what the audit trail says of due withdrawal proofs and remembered rooms that purges
// keep (Purged.KeptTampered): how many the newest purge kept, whether because the chain does
// not verify, and Since, the time of the first of the unbroken run of purge events that kept
// rows. N is 0 when the newest purge kept none.
type Kept struct {
	N           int
	TrailBroken bool
	Since       time.Time
}

// KeptTampered reads Kept from the purge events, newest first, as far back as they kept rows.
func (d *DB) KeptTampered(ctx context.Context) (Kept, error) {
	var k Kept
	err := eachRow(ctx, d.db, func(row scanner) error {
		var at, details string
		if err := row.Scan(&at, &details); err != nil {
			return err
		}
		s := keptOf(details)
		if s.n == 0 {
			return errStopWalk
		}
		if k.N == 0 {
			k.N, k.TrailBroken = s.n, s.broken
		}
		k.Since, _ = audit.ParseTime(at) // an edited time reads as zero: the count still stands
		return nil
	}, "SELECT at, details FROM audit_events WHERE action = ? ORDER BY seq DESC", audit.ActionPurge)
	if err != nil && !errors.Is(err, errStopWalk) {
		return Kept{}, fmt.Errorf("read purge events: %w", mapErr(err))
	}
	return k, nil
}

// errStopWalk ends an eachRow walk early.
var errStopWalk = errors.New("stop")
