// Command counsel helps peer counsellors plan video consultations while
// keeping their clients' data to the minimum. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"

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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], cli.System(cli.Build{Version: version, Commit: commit, Date: date}))
	stop()
	os.Exit(code)
}
