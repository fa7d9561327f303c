package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docs/data-protection.md maps each GDPR article to the tests that show it:
// every script and test function the table names must exist, so the table
// cannot point at a test that was renamed or removed.
func TestGDPRTableNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("../../docs/data-protection.md")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(doc), "## GDPR articles")
	if start < 0 {
		t.Fatal("docs/data-protection.md has no GDPR articles table")
	}
	table := string(doc[start:])
	table = table[:strings.Index(table, "\n## ")]
	var source strings.Builder
	err = filepath.WalkDir("../../internal", func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			source.Write(b)
			return err
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	scripts := regexp.MustCompile("`([a-z_]+\\.txtar)`").FindAllStringSubmatch(table, -1)
	funcs := regexp.MustCompile(`\b((?:Test|Fuzz)[A-Z][A-Za-z0-9]+)\b`).FindAllStringSubmatch(table, -1)
	if len(scripts) < 10 || len(funcs) < 10 {
		t.Fatalf("the table names %d scripts and %d tests; want the table, not a stub", len(scripts), len(funcs))
	}
	for _, m := range scripts {
		if _, err := os.Stat(filepath.Join("testdata", "script", m[1])); err != nil {
			t.Errorf("the table names %s, which does not exist", m[1])
		}
	}
	for _, m := range funcs {
		if !strings.Contains(source.String(), "func "+m[1]+"(") {
			t.Errorf("the table names %s, which no test defines", m[1])
		}
	}
}
