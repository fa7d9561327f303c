package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/cli"
)

// hostile is what an attacker with the database file puts into an ID: a screen clear, a
// window title (OSC ... BEL), NUL, the unit separator, a right-to-left override.
const hostile = "\x1b[2J\x1b]0;owned\x07\x00\x1f\u202e"

// reseal DB recomputes every event's prev_hash and hash in seq order, as an attacker with
// the file and docs/audit-chain.md can: the chain verifies again after an edit, and what
// the edited events say is then checked against the records.
func cmdReseal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: reseal DB")
	}
	db, err := sql.Open("sqlite", ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	ts.Check(reseal(db))
}

func reseal(db *sql.DB) error {
	rows, err := db.Query("SELECT seq, id, at, action, object, details FROM audit_events ORDER BY seq")
	if err != nil {
		return err
	}
	var evs []audit.Stored
	for rows.Next() {
		var s audit.Stored
		if err := rows.Scan(&s.Seq, &s.ID, &s.At, &s.Action, &s.Object, &s.Details); err != nil {
			rows.Close()
			return err
		}
		evs = append(evs, s)
	}
	rows.Close()
	prev := audit.GenesisHash
	for _, s := range evs {
		e, err := s.Event()
		if err != nil {
			return err
		}
		e.PrevHash = prev
		e.Hash = e.ComputeHash()
		if _, err := db.Exec("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?", e.PrevHash, e.Hash, e.Seq); err != nil {
			return err
		}
		prev = e.Hash
	}
	return nil
}

// terminalUnsafe reports a character that steers a terminal: a control other than the
// newline ending each line, or a format character such as U+202E.
func terminalUnsafe(r rune) bool {
	return (unicode.IsControl(r) && r != '\n') || unicode.Is(unicode.Cf, r)
}

// TestVerifyOfHostileIDs tampers with an event's ID, with the object of a record event
// (resealed, so the chain verifies and the trail names a row that is not there) and with a
// row's key, each through SQL as an attacker would, then runs audit verify: the text
// output and the error hold no control character and still name the row; the JSON output
// decodes to exactly what is stored.
func TestVerifyOfHostileIDs(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	env := map[string]string{"HOME": dir, "COUNSEL_DB": filepath.Join(dir, "db.sqlite"), "COUNSEL_LANG": "en", "TZ": "UTC"}
	run := func(args ...string) (code int, stdout, stderr string) {
		var out, errb bytes.Buffer
		code = cli.Main(context.Background(), args, cli.Deps{
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
			Getenv: func(k string) string { return env[k] },
			Now:    func() time.Time { return testNow },
		})
		return code, out.String(), errb.String()
	}
	for _, c := range []string{"Client-A", "Client-B"} {
		if code, _, stderr := run("session", "new", "--client", c, "--provider", "sichere-videokonferenz", "--at", "2026-12-03 10:00"); code != 0 {
			t.Fatalf("session new: %s", stderr)
		}
	}
	if code, _, stderr := run("audit", "verify"); code != 0 {
		t.Fatalf("untouched database: %s", stderr)
	}
	for _, tt := range []struct {
		name   string
		stmt   string
		reseal bool
		kind   string
		phrase string // what the text output says of the problem
	}{
		{"event id", "UPDATE audit_events SET id = ? || id || ? WHERE seq = 5", false,
			audit.ProblemChainBroken, "audit chain broken at event seq 5 (id "},
		{"event object", "UPDATE audit_events SET object = ? || object || ? WHERE seq = (SELECT max(seq) FROM audit_events WHERE action = 'record.put' AND json_extract(details, '$.table') = 'sessions')", true,
			audit.ProblemDeleted, ": deleted outside counsel"},
		{"row id", "UPDATE consent_events SET id = ? || id || ? WHERE rowid = (SELECT min(rowid) FROM consent_events)", false,
			audit.ProblemInserted, "consent_events (not an ID): inserted outside counsel"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db.sqlite")
			copyFile(t, env["COUNSEL_DB"], path)
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tt.stmt, hostile, "x"+hostile); err != nil {
				t.Fatal(err)
			}
			if tt.reseal {
				if err := reseal(db); err != nil {
					t.Fatal(err)
				}
			}
			stored := map[string]bool{}
			for _, q := range []string{"SELECT id FROM audit_events", "SELECT object FROM audit_events", "SELECT id FROM consent_events"} {
				rows, err := db.Query(q)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						t.Fatal(err)
					}
					if strings.Contains(s, hostile) {
						stored[s] = true
					}
				}
				rows.Close()
			}
			db.Close()
			if len(stored) != 1 {
				t.Fatalf("the edit stored %d hostile values, want 1", len(stored))
			}

			code, stdout, stderr := run("audit", "verify", "--db", path)
			if code != 1 {
				t.Fatalf("verify exit %d, want 1; stderr %q", code, stderr)
			}
			if i := strings.IndexFunc(stdout+stderr, terminalUnsafe); i >= 0 {
				t.Fatalf("text output holds %q:\n%q\n%q", []rune((stdout + stderr)[i:])[0], stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tt.phrase) {
				t.Errorf("text output does not name the problem:\n%s%s", stdout, stderr)
			}
			for s := range stored {
				// The row is named by its ID, escaped, unless it is not shaped like an ID
				// (an inserted row): then the placeholder, since a key may hold a name.
				want := audit.TermSafe(s)
				if tt.kind == audit.ProblemInserted {
					want = "(not an ID)"
				}
				if !strings.Contains(stdout+stderr, want) {
					t.Errorf("text output does not name %q:\n%s%s", want, stdout, stderr)
				}
			}

			code, stdout, stderr = run("audit", "verify", "--db", path, "--format", "json")
			if code != 1 {
				t.Fatalf("verify --format json exit %d, want 1; stderr %q", code, stderr)
			}
			if i := strings.IndexFunc(stdout+stderr, terminalUnsafe); i >= 0 {
				t.Fatalf("JSON output holds %q:\n%q", []rune((stdout + stderr)[i:])[0], stdout)
			}
			var res struct {
				Problems []audit.Problem `json:"problems"`
			}
			if err := json.Unmarshal([]byte(stdout), &res); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range res.Problems {
				if p.Kind != tt.kind {
					continue
				}
				if tt.kind == audit.ProblemInserted {
					found = found || p.ID == "(not an ID)"
				} else {
					found = found || stored[p.ID]
				}
			}
			if !found {
				t.Errorf("no %s problem with the stored ID in %+v", tt.kind, res.Problems)
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTerminalOfHostileValues edits a name, a join link, a meeting ID and a consent method
// into escape sequences through SQL, as whoever holds the file can, and runs every command
// that prints stored values. With stdout a terminal nothing steers it and JSON still decodes
// to what is stored; redirected, CSV holds the stored bytes exactly.
func TestTerminalOfHostileValues(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	env := map[string]string{"HOME": dir, "COUNSEL_DB": filepath.Join(dir, "db.sqlite"), "COUNSEL_LANG": "en", "TZ": "UTC"}
	run := func(tty bool, args ...string) (code int, stdout, stderr string) {
		var out, errb bytes.Buffer
		code = cli.Main(context.Background(), args, cli.Deps{
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, StdoutTTY: tty,
			Getenv: func(k string) string { return env[k] },
			Now:    func() time.Time { return testNow },
		})
		return code, out.String(), errb.String()
	}
	if code, _, stderr := run(false, "session", "new", "--client", "Client-A", "--provider", "blizz", "--meeting-id", "m12-345-678", "--at", "2026-12-03 10:00"); code != 0 {
		t.Fatalf("session new: %s", stderr)
	}
	db, err := sql.Open("sqlite", env["COUNSEL_DB"])
	if err != nil {
		t.Fatal(err)
	}
	var session, person string
	for _, q := range []string{
		"UPDATE people SET name = 'Client-A' || ?",
		"UPDATE sessions SET join_url = join_url || ?, meeting_id = meeting_id || ?",
		"UPDATE consent_events SET collection_method = collection_method || ?",
	} {
		args := []any{hostile}
		if strings.Count(q, "?") == 2 {
			args = append(args, hostile)
		}
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.QueryRow("SELECT sessions.id, person_id FROM sessions JOIN session_participants ON session_id = sessions.id").Scan(&session, &person); err != nil {
		t.Fatal(err)
	}
	db.Close()
	name := "Client-A" + hostile

	for _, args := range [][]string{
		{"session", "list", "--format", "table"}, {"session", "list", "--format", "json"}, {"session", "list", "--format", "csv"},
		{"session", "show", session, "--format", "table"}, {"session", "show", session, "--format", "json"}, {"session", "show", session, "--format", "csv"},
		{"consent", "show", person, "--format", "table"}, {"consent", "show", person, "--format", "json"}, {"consent", "show", person, "--format", "csv"},
		{"export", "sessions", "--with-names", "--format", "csv"}, {"export", "sessions", "--with-names", "--format", "json"},
		{"export", "sessions", "--with-names", "--format", "ndjson"},
		{"export", "subject", person}, {"export", "subject", person, "--format", "letter"},
		{"export", "audit"}, {"audit", "verify"}, {"audit", "verify", "--format", "json"}, {"report", "--format", "csv"},
	} {
		cmd := strings.Join(args, " ")
		_, stdout, stderr := run(true, args...)
		if stdout == "" {
			t.Errorf("%s printed nothing: %s", cmd, stderr)
			continue
		}
		for i, r := range stdout {
			if terminalUnsafe(r) && !(r == '\r' && strings.HasPrefix(stdout[i:], "\r\n")) {
				t.Errorf("%s on a terminal holds %q:\n%q", cmd, r, stdout)
				break
			}
		}
		if i := strings.IndexFunc(stderr, terminalUnsafe); i >= 0 {
			t.Errorf("%s: stderr holds %q", cmd, []rune(stderr[i:])[0])
		}
		switch {
		case strings.Contains(cmd, "json") || args[0] == "export" && args[1] != "subject" && !strings.Contains(cmd, "csv") || cmd == "export subject "+person:
			// Every JSON document or line decodes to the stored bytes: find the name.
			found := false
			for _, line := range strings.Split(stdout, "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "{") && json.Valid([]byte(line)) {
					found = found || strings.Contains(decodeAll(t, line), name)
				}
			}
			if json.Valid([]byte(stdout)) {
				found = found || strings.Contains(decodeAll(t, stdout), name) || strings.Contains(decodeAll(t, stdout), hostile)
			}
			if !found && args[0] != "audit" && cmd != "export audit" {
				t.Errorf("%s on a terminal: no JSON decodes to the stored value:\n%s", cmd, stdout)
			}
		}
	}
	// Redirected, CSV holds exactly what is stored.
	for _, args := range [][]string{{"session", "list", "--format", "csv"}, {"export", "sessions", "--with-names", "--format", "csv"}} {
		if _, stdout, stderr := run(false, args...); !strings.Contains(stdout, name) {
			t.Errorf("%s to a file: the stored name is not there byte for byte:\n%q\n%s", strings.Join(args, " "), stdout, stderr)
		}
	}
}

// decodeAll is every string in the JSON document s, joined, as stored.
func decodeAll(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			b.WriteString(v)
			b.WriteByte(0x1e)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}
