// Package shellhistory finds and removes the entries of a shell's history
// file that hold a client's name: a name typed as a command-line argument
// stays in ~/.bash_history and its kin long after counsel erased it. It knows
// the files of bash, zsh (plain and extended), fish and PowerShell
// (PSReadLine), and keeps every other byte of a file as it was.
package shellhistory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/expeerienced/counsel/internal/safefile"
)

// Shell names a history format.
type Shell string

const (
	Bash       Shell = "bash"
	Zsh        Shell = "zsh"
	Fish       Shell = "fish"
	PowerShell Shell = "powershell"
)

// File is one history file of one shell.
type File struct {
	Shell Shell
	Path  string
}

// Files lists where the shells keep their history for the user whose home
// is home. getenv reads XDG_DATA_HOME, ZDOTDIR and APPDATA. Files that do not
// exist are listed too; Find skips them.
func Files(home string, getenv func(string) string) []File {
	var out []File
	seen := map[string]bool{}
	add := func(sh Shell, path string) {
		if path == "" || seen[path] {
			return
		}
		seen[path] = true
		out = append(out, File{sh, path})
	}
	data := getenv("XDG_DATA_HOME")
	if data == "" && home != "" {
		data = filepath.Join(home, ".local", "share")
	}
	if home != "" {
		add(Bash, filepath.Join(home, ".bash_history"))
		add(Zsh, filepath.Join(home, ".zsh_history"))
		add(Zsh, filepath.Join(home, ".histfile"))
	}
	if z := getenv("ZDOTDIR"); z != "" {
		add(Zsh, filepath.Join(z, ".zsh_history"))
	}
	if data != "" {
		add(Fish, filepath.Join(data, "fish", "fish_history"))
		add(PowerShell, filepath.Join(data, "powershell", "PSReadLine", "ConsoleHost_history.txt"))
	}
	if app := getenv("APPDATA"); app != "" {
		add(PowerShell, filepath.Join(app, "Microsoft", "Windows", "PowerShell", "PSReadLine", "ConsoleHost_history.txt"))
	}
	return out
}

// Hit is a history file with entries that match.
type Hit struct {
	File
	Entries int
}

// maxSize bounds the history file read; history files are small, and a
// huge one is not read into memory.
const maxSize = 64 << 20

// Find returns the files that hold entries for which match is true. match
// gets an entry's text: its lines joined, zsh's metafied bytes decoded.
// Missing files are skipped.
func Find(files []File, match func(string) bool) ([]Hit, error) {
	var hits []Hit
	for _, f := range files {
		b, err := read(f.Path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return hits, err
		}
		n := 0
		for _, e := range entries(f.Shell, b) {
			if match(text(f.Shell, e)) {
				n++
			}
		}
		if n > 0 {
			hits = append(hits, Hit{f, n})
		}
	}
	return hits, nil
}

// Remove rewrites the file without the entries for which match is true and
// returns how many it removed. The file is replaced whole (mode 0600) or not
// at all; a symbolic link is followed, so the link stays.
func Remove(f File, match func(string) bool) (int, error) {
	path, err := filepath.EvalSymlinks(f.Path)
	if err != nil {
		return 0, err
	}
	b, err := read(path)
	if err != nil {
		return 0, err
	}
	var keep bytes.Buffer
	n := 0
	for _, e := range entries(f.Shell, b) {
		if match(text(f.Shell, e)) {
			n++
			continue
		}
		keep.Write(e)
	}
	if n == 0 {
		return 0, nil
	}
	err = safefile.Write(path, true, func(w io.Writer) error {
		_, err := w.Write(keep.Bytes())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("rewrite %s: %w", f.Path, err)
	}
	return n, nil
}

func read(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSize {
		return nil, fmt.Errorf("%s is larger than %d MiB; not read", path, maxSize>>20)
	}
	return b, nil
}

var bashTime = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^#[0-9]+\r?\n$`) })

// entries cuts a history file into entries, each with its line endings, so
// that joining them gives the file back byte for byte. An entry is one
// command with what belongs to it: bash's "#<time>" line before it, the
// continuation lines of a multi-line command (zsh "\", PowerShell "`"), a
// fish entry's indented "when:" and "paths:" lines.
func entries(sh Shell, b []byte) [][]byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	var out [][]byte
	joinNext := false
	for _, l := range lines {
		belongs := joinNext
		switch sh {
		case Fish:
			belongs = len(out) > 0 && !bytes.HasPrefix(l, []byte("- cmd:"))
		}
		if belongs && len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], l...)
		} else {
			out = append(out, append([]byte(nil), l...))
		}
		body := bytes.TrimRight(l, "\r\n")
		switch sh {
		case Bash:
			joinNext = bashTime().Match(l)
		case Zsh:
			joinNext = bytes.HasSuffix(body, []byte(`\`))
		case PowerShell:
			joinNext = bytes.HasSuffix(body, []byte("`"))
		}
	}
	return out
}

// zshMeta marks a metafied byte in a zsh history file: zsh writes some bytes
// (parts of many UTF-8 letters, such as the ß in "Groß") as 0x83 followed by
// the byte xor 0x20.
const zshMeta = 0x83

// text is an entry as the user typed it.
func text(sh Shell, e []byte) string {
	if sh != Zsh || bytes.IndexByte(e, zshMeta) < 0 {
		return string(e)
	}
	out := make([]byte, 0, len(e))
	for i := 0; i < len(e); i++ {
		if e[i] == zshMeta && i+1 < len(e) {
			i++
			out = append(out, e[i]^0x20)
			continue
		}
		out = append(out, e[i])
	}
	return string(out)
}
