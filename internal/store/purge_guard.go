package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"

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
