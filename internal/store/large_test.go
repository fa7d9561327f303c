package store_test

import (
	"context"
	"flag"
	"io"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/export"
	"github.com/expeerienced/counsel/internal/store"
)

// Timing exports needs a large database filled through the store's own code. It is made only
// on request, never in the default test run:
//
//	go test ./internal/store -run TestFillLargeDB -large-db /tmp/big.db -large-n 100000
//	counsel --db /tmp/big.db export sessions --format csv --out /tmp/big.csv
//
// cmd/counselbench fills databases the same way for bench/run.sh.
var (
	largeDB = flag.String("large-db", "", "fill this database file with -large-n sessions and keep it")
	largeN  = flag.Int("large-n", 100_000, "sessions for -large-db and BenchmarkExportSessions")
)

// fillSessions adds n sessions through store.Fill, the generator behind cmd/counselbench,
// created over the 80 days before the fixed clock.
func fillSessions(tb testing.TB, db *store.DB, n int) {
	tb.Helper()
	start := time.Now()
	st, err := store.Fill(context.Background(), db, store.FixtureSpec{Sessions: n, From: fixedNow.AddDate(0, 0, -80),
		Until: fixedNow, CancelEvery: 20, ConfirmEvery: 2, Seed: 1}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("%d sessions, %d audit events in %v", st.Sessions, st.AuditEvents, time.Since(start).Round(time.Millisecond))
}

func TestFillLargeDB(t *testing.T) {
	if *largeDB == "" {
		t.Skip("set -large-db PATH to fill a database for timing exports")
	}
	db, err := store.Open(context.Background(), *largeDB, func() time.Time { return fixedNow })
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fillSessions(t, db, *largeN)
	if _, err := verifyDB(db); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkExportSessions streams -large-n sessions to CSV, the path of
// `counsel export sessions --format csv`, without the file. With -large-db it reads that
// (already filled) database instead.
func BenchmarkExportSessions(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		x, err := db.BeginExport(ctx)
		if err != nil {
			b.Fatal(err)
		}
		w, err := export.NewRowWriter(io.Discard, export.FormatCSV, export.Header{}, export.SessionColumns(false))
		if err != nil {
			b.Fatal(err)
		}
		if err := x.Sessions(ctx, store.ExportFilter{}, func(s store.SessionRow) error { return w.Write(export.Session(s)) }); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(audit.Head{}); err != nil {
			b.Fatal(err)
		}
		// Not recorded: the benchmark measures reading and writing only.
		x.Rollback()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N**largeN), "ns/row")
}

// BenchmarkVerifyRecords checks the trail and the records of -large-n sessions, the path of
// `counsel audit verify`. With -large-db it reads that (already filled) database instead.
func BenchmarkVerifyRecords(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	var events int64
	b.ResetTimer()
	for b.Loop() {
		var v audit.Verifier
		if _, err := db.VerifyRecords(ctx, &v); err != nil {
			b.Fatal(err)
		}
		events = v.Count()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*events), "ns/event")
}

// benchDB opens -large-db, or fills a new database with -large-n sessions.
func benchDB(b *testing.B) *store.DB {
	if *largeDB == "" {
		db := mustOpen(b)
		fillSessions(b, db, *largeN)
		return db
	}
	db, err := store.Open(context.Background(), *largeDB, func() time.Time { return fixedNow })
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}
