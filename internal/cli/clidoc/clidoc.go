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

// GenDocs writes the Markdown reference to dir/cli and man pages to dir/man
// in English, and the same in German to dir/cli/de and dir/man/de. The
// output depends only on the command tree and the catalogue: a fixed date
// and no "auto generated" stamp keep regeneration byte-for-byte stable.
func GenDocs(dir string) error {
	for _, lang := range cli.Languages {
		md, man := filepath.Join(dir, "cli"), filepath.Join(dir, "man")
		if lang != cli.Languages[0] {
			md, man = filepath.Join(md, lang), filepath.Join(man, lang)
		}
		if err := genDocs(lang, md, man); err != nil {
			return err
		}
	}
	return nil
}

func genDocs(lang, md, man string) error {
	root, headings := cli.CommandTreeIn(lang)
	disableAutoGen(root)
	for _, d := range []string{md, man} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := doc.GenMarkdownTree(root, md); err != nil {
		return fmt.Errorf("markdown reference: %w", err)
	}
	if err := os.WriteFile(filepath.Join(md, "formats.md"), []byte(cli.FormatReference(root)), 0o644); err != nil {
		return err
	}
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	header := &doc.GenManHeader{Title: "COUNSEL", Section: "1", Source: "counsel", Manual: "counsel manual", Date: &date}
	if err := doc.GenManTree(root, header, man); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	// cobra/doc writes its own headings in English.
	for _, d := range []string{md, man} {
		files, err := os.ReadDir(d)
		if err != nil {
			return err
		}
		for _, f := range files {
			if f.IsDir() {
				continue
			}
			p := filepath.Join(d, f.Name())
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(headings.Replace(string(b))), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

func disableAutoGen(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, s := range c.Commands() {
		disableAutoGen(s)
	}
}
