// counsel is a short-lived command on a person's computer: it does not read the cgroup CPU
// limits at every start (containermaxprocs=0; Go then uses the CPUs it may run on, which is the
// same outside a container) nor keep re-reading them while it runs (updatemaxprocs=0). Reading
// them cost about a tenth of the start-up CPU of 'counsel --help' (docs/performance.md).
//
//go:debug containermaxprocs=0
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
