package cli

import (
	"time"

	"github.com/spf13/cobra"
)

// CommandTree is the full command tree for generating documentation. It is
// never executed: its dependencies are empty.
func CommandTree() *cobra.Command {
	return newRootCmd(&app{deps: Deps{Getenv: func(string) string { return "" }, Now: time.Now}})
}
