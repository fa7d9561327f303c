// counsel is a short-lived command: the runtime's periodic re-reading of the CPU limits
// (updatemaxprocs) would only start one more goroutine, and with it often one more thread, in
// every run. GOMAXPROCS is still chosen from the CPUs and cgroup limits at start.
//
//go:debug updatemaxprocs=0

// Command counsel helps peer counsellors plan video consultations while
// keeping their clients' data to the minimum. See README.md.
package main

import (
	"context"
	"os"

	"github.com/expeerienced/counsel/internal/cli"
)

// Set by goreleaser through -ldflags; a `go install` build reads its
// version from the embedded build info instead.
var (
	version = ""
	commit  = ""
	date    = ""
)

func main() {
	// cli.System listens for Ctrl-C once a command runs (Deps.Interrupt).
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.System(cli.Build{Version: version, Commit: commit, Date: date})))
}
