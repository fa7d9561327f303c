package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// sha256check DIR checks DIR/MANIFEST the way 'sha256sum -c' does, with
// Go's own SHA-256 (so the check does not depend on coreutils), and that it
// lists every other file of DIR: "! sha256check" expects a mismatch.
func cmdSHA256Check(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: sha256check DIR")
	}
	dir := ts.MkAbs(args[0])
	b, err := os.ReadFile(filepath.Join(dir, "MANIFEST"))
	ts.Check(err)
	listed := map[string]bool{}
	var problems []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 || name == "" || strings.ContainsAny(name, "/\\") {
			ts.Fatalf("MANIFEST line %q is not in sha256sum format", sc.Text())
		}
		listed[name] = true
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			problems = append(problems, name+": missing")
			continue
		}
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != sum {
			problems = append(problems, name+": FAILED")
		}
	}
	entries, err := os.ReadDir(dir)
	ts.Check(err)
	for _, e := range entries {
		if e.Name() != "MANIFEST" && !listed[e.Name()] {
			problems = append(problems, e.Name()+": not in MANIFEST")
		}
	}
	switch {
	case len(problems) > 0 && !neg:
		ts.Fatalf("manifest check failed: %s", strings.Join(problems, "; "))
	case len(problems) == 0 && neg:
		ts.Fatalf("manifest check passed, want a failure")
	}
	ts.Logf("manifest: %d files checked", len(listed))
}

// scan DIR WORD... fails when any file under DIR holds any WORD, compared
// as bytes without regard to ASCII case: the byte scan for client names.
// A WORD @FILE stands for the lines of FILE.
func cmdScan(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: scan DIR WORD...")
	}
	var words []string
	for _, w := range args[1:] {
		if f, ok := strings.CutPrefix(w, "@"); ok {
			for _, l := range strings.Split(ts.ReadFile(f), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					words = append(words, l)
				}
			}
			continue
		}
		words = append(words, w)
	}
	args = append(args[:1], words...)
	var found []string
	err := filepath.WalkDir(ts.MkAbs(args[0]), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		low := bytes.ToLower(data)
		for _, w := range args[1:] {
			if bytes.Contains(low, bytes.ToLower([]byte(w))) {
				found = append(found, filepath.Base(path)+" holds "+w)
			}
		}
		return nil
	})
	ts.Check(err)
	if len(found) > 0 && !neg {
		ts.Fatalf("%s", strings.Join(found, "; "))
	}
	if len(found) == 0 && neg {
		ts.Fatalf("no file under %s holds any of %v", args[0], args[1:])
	}
}
