package store_test

import (
	"context"
	"flag"
	"fmt"
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
var (
	largeDB = flag.String("large-db", "", "fill this database file with -large-n sessions and keep it")
	largeN  = flag.Int("large-n", 100_000, "sessions for -large-db and BenchmarkExportSessions")
)

// fillSessions creates n sessions for n/20 people, spread over two years from the fixed clock.
func fillSessions(tb testing.TB, db *store.DB, n int) {
	tb.Helper()
	ctx := context.Background()
	start := time.Now()
	providers := []string{"jitsi-fem-tu-ilmenau", "sichere-videokonferenz", "jitsi-hamburg-freifunk", "blizz"}
	for i := range n {
		ns := newSession(tb, fmt.Sprintf("Client-%05d", i%max(1, n/20)),
			fixedNow.Add(time.Duration(i%730)*24*time.Hour+time.Duration(i%9)*time.Hour), providers[i%len(providers)])
		if _, err := db.CreateSession(ctx, ns); err != nil {
			tb.Fatal(err)
		}
		if i > 0 && i%10_000 == 0 {
			tb.Logf("%d sessions after %v", i, time.Since(start).Round(time.Second))
		}
	}
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
// `counsel export sessions --format csv`, without the file.
func BenchmarkExportSessions(b *testing.B) {
	db := mustOpen(b)
	fillSessions(b, db, *largeN)
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
		if err := x.Sessions(ctx, store.ExportFilter{}, func(s export.Session) error { return w.Write(s) }); err != nil {
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
