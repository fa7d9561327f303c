package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/expeerienced/counsel/internal/cli"

	_ "modernc.org/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden sections of failing scripts")

// testNow is the fixed clock of every script, unless a script sets
// COUNSEL_TEST_NOW (RFC 3339) to travel in time. Production code has no such
// hook: the clock is injected here, through cli.Main.
var testNow = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"counsel": func() {
			d := cli.System(cli.Build{Version: "v0.0.0-test", Commit: "test", Date: "2026-01-01"})
			now := testNow
			if s := os.Getenv("COUNSEL_TEST_NOW"); s != "" {
				t, err := time.Parse(time.RFC3339, s)
				if err != nil {
					panic("COUNSEL_TEST_NOW: " + err.Error())
				}
				now = t
			}
			d.Now = func() time.Time { return now }
			// Scripts can make stdout fail like a full disk after N bytes.
			if s := os.Getenv("COUNSEL_TEST_STDOUT_FULL"); s != "" {
				n, err := strconv.Atoi(s)
				if err != nil {
					panic("COUNSEL_TEST_STDOUT_FULL: " + err.Error())
				}
				d.Stdout = &fullWriter{w: d.Stdout, left: n}
			}
			// COUNSEL_TEST_PAUSE=point:duration holds the command at that point (cli.Deps.Pause).
			if point, dur, ok := strings.Cut(os.Getenv("COUNSEL_TEST_PAUSE"), ":"); ok {
				d.Pause = func(at string) {
					if at == point {
						wait, err := time.ParseDuration(dur)
						if err != nil {
							panic("COUNSEL_TEST_PAUSE: " + err.Error())
						}
						time.Sleep(wait)
					}
				}
			}
			// Scripts can pretend to be a person at a terminal.
			if os.Getenv("COUNSEL_TEST_TTY") == "1" {
				d.StdinTTY, d.StderrTTY = true, true
			}
			os.Exit(cli.Main(context.Background(), os.Args[1:], d))
		},
	})
}

func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			work := env.WorkDir
			env.Setenv("HOME", filepath.Join(work, "home"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(work, "home", ".config"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(work, "home", ".local", "share"))
			env.Setenv("COUNSEL_DB", filepath.Join(work, "db.sqlite"))
			// Databases made by older counsel versions (internal/store/testdata/schema*.db).
			fixtures, err := filepath.Abs(filepath.Join("..", "..", "internal", "store", "testdata"))
			if err != nil {
				return err
			}
			env.Setenv("STORE_TESTDATA", fixtures)
			env.Setenv("TZ", "UTC")
			env.Setenv("NO_COLOR", "")
			// The machine's language must not leak in: scripts run in
			// English unless they set LANG or COUNSEL_LANGUAGE themselves.
			for _, v := range []string{"LANG", "LC_ALL", "LC_MESSAGES", "COUNSEL_LANGUAGE"} {
				env.Setenv(v, "")
			}
			env.Values[heldKey{}] = &held{}
			return nil
		},
		// [root]: file modes do not stop root, so read-only checks skip.
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mode": cmdMode,
			"code": cmdCode,
			"sql":  cmdSQL,
			// reseal DB: recompute the chain after an edit (termsafe_test.go)
			"reseal": cmdReseal,
			// the data protection officer's pack (pack_cmds_test.go)
			"sha256check": cmdSHA256Check,
			"scan":        cmdScan,
			// hold DB / release: another program reading the database
			"hold":    cmdHold,
			"release": cmdRelease,
			// tmpfs DIR SIZE / fill DIR KB: a full disk (full_linux_test.go)
			"tmpfs": cmdTmpfs,
			"fill":  cmdFill,
		},
	})
}

// fullWriter takes left bytes, then fails as a full disk does (/dev/full).
type fullWriter struct {
	w    io.Writer
	left int
}

func (f *fullWriter) Write(p []byte) (int, error) {
	if len(p) <= f.left {
		f.left -= len(p)
		return f.w.Write(p)
	}
	n, _ := f.w.Write(p[:f.left])
	f.left = 0
	return n, &os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.ENOSPC}
}

// heldKey finds a script's held reader among its testscript values.
type heldKey struct{}

// held is the read transaction that hold keeps open in the test process.
type held struct {
	db *sql.DB
	tx *sql.Tx
}

// hold DB opens the database file as another program would (a sqlite3 shell) and keeps a
// read transaction open, with its snapshot taken, until release or the end of the script.
func cmdHold(ts *testscript.TestScript, neg bool, args []string) {
	h := ts.Value(heldKey{}).(*held)
	if len(args) != 1 || neg || h.tx != nil {
		ts.Fatalf("usage: hold DB (once, until release)")
	}
	db, err := sql.Open("sqlite", ts.MkAbs(args[0]))
	ts.Check(err)
	tx, err := db.Begin()
	ts.Check(err)
	var n int
	ts.Check(tx.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&n)) // takes the snapshot
	h.db, h.tx = db, tx
	ts.Defer(func() { cmdRelease(ts, false, nil) })
}

// release ends what hold keeps open.
func cmdRelease(ts *testscript.TestScript, neg bool, args []string) {
	h := ts.Value(heldKey{}).(*held)
	if h.tx == nil {
		if args != nil {
			ts.Fatalf("release: nothing held")
		}
		return
	}
	h.tx.Rollback()
	ts.Check(h.db.Close())
	h.db, h.tx = nil, nil
}

// code N PROG ARGS... runs a program and asserts its exit code is N: the
// language must never change an exit code, and "! exec" only says non-zero.
func cmdCode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || neg {
		ts.Fatalf("usage: code N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// mode PATH PERM asserts a file's permission bits, e.g. "mode db.sqlite 0600".
func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mode PATH PERM")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	got := fi.Mode().Perm()
	if (got == os.FileMode(want)) == neg {
		ts.Fatalf("%s has mode %#o, want %s%#o", args[0], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// sql DB QUERY runs one statement against a database file, bypassing
// counsel, and prints the result rows tab-separated: scripts use it to prove
// what is (not) stored and to tamper with files.
func cmdSQL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: sql DB QUERY")
	}
	db, err := sql.Open("sqlite", ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	rows, err := db.Query(args[1])
	if err != nil {
		if neg {
			return
		}
		ts.Fatalf("sql: %v", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	ts.Check(err)
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		ts.Check(rows.Scan(ptrs...))
		out := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			out[i] = fmt.Sprint(v)
		}
		fmt.Fprintln(ts.Stdout(), strings.Join(out, "\t"))
	}
	ts.Check(rows.Err())
	if neg {
		ts.Fatalf("sql: unexpected success")
	}
}
