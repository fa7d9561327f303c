// Command counselbench fills databases for counsel's benchmarks and reliability tests
// (bench/run.sh, docs/performance.md). It is a development tool: releases build only
// ./cmd/counsel.
//
//	counselbench fill -db /tmp/bench/1m.db -n 1000000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/expeerienced/counsel/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stderr, time.Now)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "counselbench: error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer, clock func() time.Time) error {
	if len(args) == 0 || args[0] != "fill" {
		return errors.New("usage: counselbench fill -db PATH -n SESSIONS [flags]")
	}
	fs := flag.NewFlagSet("fill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("db", "", "database file to create (must not exist)")
	n := fs.Int("n", 10_000, "sessions")
	perPerson := fs.Int("per-person", 20, "sessions per person on average")
	days := fs.Int("days", 80, "creation times spread over this many days before now (keep it below the retention of 90 days)")
	cancelEvery := fs.Int("cancel-every", 20, "cancel every n-th session (0: none)")
	confirmEvery := fs.Int("confirm-every", 2, "every n-th person confirms consent (0: none)")
	seed := fs.Uint64("seed", 1, "seed for plans and names")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *path == "" {
		return errors.New("-db is required")
	}
	if _, err := os.Stat(*path); err == nil {
		return fmt.Errorf("%s exists; fill makes a new database", *path)
	}
	now := clock().UTC().Truncate(time.Second)
	db, err := store.Open(ctx, *path, func() time.Time { return now })
	if err != nil {
		return err
	}
	start := time.Now()
	spec := store.FixtureSpec{Sessions: *n, PerPerson: *perPerson, From: now.AddDate(0, 0, -*days), Until: now,
		CancelEvery: *cancelEvery, ConfirmEvery: *confirmEvery, Seed: *seed}
	st, err := store.Fill(ctx, db, spec, func(done int) {
		if done%100_000 == 0 {
			fmt.Fprintf(stderr, "counselbench: %d sessions after %v\n", done, time.Since(start).Round(time.Second))
		}
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "counselbench: %s: %d sessions (%d cancelled), %d people, %d consent events, %d audit events in %v\n",
		*path, st.Sessions, st.Cancelled, st.People, st.ConsentEvents, st.AuditEvents, time.Since(start).Round(time.Millisecond))
	return nil
}
