// Package clidoc generates counsel's CLI reference and man pages from the
// command tree. It lives apart from package cli so that the counsel binary
// does not link the Markdown and man-page generators (start-up time).
package clidoc

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/expeerienced/counsel/internal/cli"
)

// GenDocs writes the Markdown reference to dir/cli and man pages to dir/man.
// The output depends only on the command tree: a fixed date and no
// "auto generated" stamp keep regeneration byte-for-byte stable.
func GenDocs(dir string) error {
	root := cli.CommandTree()
	disableAutoGen(root)
	md, man := filepath.Join(dir, "cli"), filepath.Join(dir, "man")
	for _, d := range []string{md, man} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := doc.GenMarkdownTree(root, md); err != nil {
		return fmt.Errorf("markdown reference: %w", err)
	}
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	header := &doc.GenManHeader{Title: "COUNSEL", Section: "1", Source: "counsel", Manual: "counsel manual", Date: &date}
	if err := doc.GenManTree(root, header, man); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	return nil
}

func disableAutoGen(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, s := range c.Commands() {
		disableAutoGen(s)
	}
}
