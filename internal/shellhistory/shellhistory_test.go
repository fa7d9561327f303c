package shellhistory

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func holds(name string) func(string) bool {
	return func(s string) bool { return strings.Contains(s, name) }
}

func TestRemove(t *testing.T) {
	for _, tt := range []struct {
		shell      Shell
		in, want   string
		removedNum int
	}{
		{Bash, "ls\ncounsel consent revoke Client-A\npwd\n", "ls\npwd\n", 1},
		{Bash, "#1764450000\ncounsel session new --client Client-A\n#1764450001\nls\n", "#1764450001\nls\n", 1},
		{Bash, "ls\ncounsel consent revoke Client-A", "ls\n", 1}, // no final newline
		{Zsh, ": 1764450000:0;counsel session new --client Client-A\n: 1764450001:0;ls\n", ": 1764450001:0;ls\n", 1},
		{Zsh, ": 1:0;echo one \\\nClient-A\n: 2:0;ls\n", ": 2:0;ls\n", 1},
		{Fish, "- cmd: counsel consent revoke Client-A\n  when: 1764450000\n- cmd: ls\n  when: 1764450001\n  paths:\n    - x\n",
			"- cmd: ls\n  when: 1764450001\n  paths:\n    - x\n", 1},
		{PowerShell, "counsel consent revoke Client-A\r\nGet-ChildItem `\r\n  -Path Client-A\r\nls\r\n", "ls\r\n", 2},
	} {
		path := filepath.Join(t.TempDir(), "history")
		if err := os.WriteFile(path, []byte(tt.in), 0o600); err != nil {
			t.Fatal(err)
		}
		f := File{tt.shell, path}
		hits, err := Find([]File{f}, holds("Client-A"))
		if err != nil || len(hits) != 1 || hits[0].Entries != tt.removedNum {
			t.Errorf("%s: Find = %v, %v; want %d entries", tt.shell, hits, err, tt.removedNum)
		}
		n, err := Remove(f, holds("Client-A"))
		if err != nil || n != tt.removedNum {
			t.Errorf("%s: Remove = %d, %v; want %d", tt.shell, n, err, tt.removedNum)
		}
		got, _ := os.ReadFile(path)
		if string(got) != tt.want {
			t.Errorf("%s: file is %q, want %q", tt.shell, got, tt.want)
		}
	}
}

// zsh writes some bytes of UTF-8 letters metafied; "Groß" (ß is C3 9F) is
// stored as C3 83 BF. The entry must still be found by the name.
func TestZshMetafied(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".zsh_history")
	raw := []byte(": 1:0;counsel consent revoke Gro\xc3\x83\xbf\n: 2:0;ls\n")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	n, err := Remove(File{Zsh, path}, holds("Groß"))
	if err != nil || n != 1 {
		t.Fatalf("Remove = %d, %v", n, err)
	}
	if got, _ := os.ReadFile(path); string(got) != ": 2:0;ls\n" {
		t.Errorf("file is %q", got)
	}
}

// A history file reached through a symbolic link (dotfiles in a repository)
// is rewritten where it lives; the link stays a link.
func TestRemoveFollowsLink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles-bash_history")
	link := filepath.Join(dir, ".bash_history")
	if err := os.WriteFile(real, []byte("counsel consent revoke Client-A\nls\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	if _, err := Remove(File{Bash, link}, holds("Client-A")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
	if got, _ := os.ReadFile(real); string(got) != "ls\n" {
		t.Errorf("file is %q", got)
	}
}

func TestFiles(t *testing.T) {
	env := map[string]string{"APPDATA": `C:\Users\a\AppData\Roaming`}
	got := Files("/home/a", func(k string) string { return env[k] })
	var paths []string
	for _, f := range got {
		paths = append(paths, string(f.Shell)+" "+f.Path)
	}
	all := strings.Join(paths, "\n")
	for _, want := range []string{
		"bash /home/a/.bash_history",
		"zsh /home/a/.zsh_history",
		"fish /home/a/.local/share/fish/fish_history",
		"powershell /home/a/.local/share/powershell/PSReadLine/ConsoleHost_history.txt",
		"powershell " + filepath.Join(`C:\Users\a\AppData\Roaming`, "Microsoft", "Windows", "PowerShell", "PSReadLine", "ConsoleHost_history.txt"),
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %s in\n%s", want, all)
		}
	}
}

// FuzzEntries: cutting a file into entries loses and adds no byte, whatever
// the shell.
func FuzzEntries(f *testing.F) {
	f.Add("ls\n#123\nx\n")
	f.Add(": 1:0;a \\\nb\n")
	f.Add("- cmd: a\n  when: 1\n")
	f.Add("a `\r\nb\r\nc")
	f.Fuzz(func(t *testing.T, in string) {
		for _, sh := range []Shell{Bash, Zsh, Fish, PowerShell} {
			if got := bytes.Join(entries(sh, []byte(in)), nil); string(got) != in {
				t.Fatalf("%s: entries join to %q, want %q", sh, got, in)
			}
		}
	})
}
