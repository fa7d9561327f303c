// Command gendocs regenerates counsel's CLI reference (docs/cli) and man pages
// (docs/man) from the command tree. It is a build tool, not shipped:
//
//	go run ./cmd/gendocs [dir]
package main

import (
	"fmt"
	"os"

	"github.com/expeerienced/counsel/internal/cli/clidoc"
)

func main() {
	dir := "docs"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := clidoc.GenDocs(dir); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}
