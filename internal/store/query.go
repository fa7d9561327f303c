package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// querier is what *sql.DB, *sql.Tx and *sql.Conn share that the store needs: one
// interface, so a read helper runs the same inside a use case's transaction, on the
// database, or on an export reader's own connection.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// eachRow hands every row of query to fn, and stops at the first error.
func eachRow(ctx context.Context, q querier, fn func(scanner) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// selectAll returns every row of query, each read by scan.
func selectAll[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := eachRow(ctx, q, func(r scanner) error {
		v, err := scan(r)
		out = append(out, v)
		return err
	}, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// selectStrings returns the first column of every row of query, as text.
func selectStrings(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	return selectAll(ctx, q, func(r scanner) (s string, err error) { return s, r.Scan(&s) }, query, args...)
}

// scanner is one result row, *sql.Row or *sql.Rows: not a way to query but what a query
// gives back, so that one scan function reads a row whether it came alone or in a set.
type scanner interface{ Scan(dest ...any) error }

// conds is a WHERE clause built from conditions joined by AND, with their arguments.
type conds struct {
	where []string
	args  []any
}

func (c *conds) add(cond string, args ...any) {
	c.where, c.args = append(c.where, cond), append(c.args, args...)
}

// in limits the stored time col to [lo, hi), bounds in the stored form; an empty bound is
// open.
func (c *conds) in(col, lo, hi string) {
	if lo != "" {
		c.add(col+" >= ?", lo)
	}
	if hi != "" {
		c.add(col+" < ?", hi)
	}
}

// within is in for times; a zero time is an open bound.
func (c *conds) within(col string, from, to time.Time) {
	c.in(col, timeBound(from), timeBound(to))
}

// startsIn limits the sessions (aliased s) to those starting in [lo, hi), as in.
func (c *conds) startsIn(lo, hi string) { c.in("s.starts_at", lo, hi) }

// startsWithin is startsIn for times, as within.
func (c *conds) startsWithin(from, to time.Time) { c.within("s.starts_at", from, to) }

func timeBound(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

// clause is " WHERE ..." or, without conditions, "".
func (c *conds) clause() string {
	if len(c.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.where, " AND ")
}
