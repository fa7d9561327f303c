package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"unicode"

	"github.com/expeerienced/counsel/internal/config"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/store"
)

// dbAccess is how a command opens the database.
type dbAccess int

const (
	// readDB: the database must exist; one this user may not write (a
	// read-only file or folder) is opened read-only. For commands that only
	// read, or, like an export, record themselves when they can.
	readDB dbAccess = iota
	// changeDB: the database must exist and is opened for writing: checking,
	// exporting or reporting on a database that is not there would create an
	// empty one and report on that.
	changeDB
	// createDB: the database is created when missing (the first session).
	createDB
)

// keyUse is what a command does with the proof key.
type keyUse int

const (
	noKey keyUse = iota
	// checkKey: the key checked against the recorded fingerprint, nil when
	// there is none and the database never needed one; an unrecorded
	// fingerprint is recorded (consent.KeyFile.Checked).
	checkKey
	// peekKey: as checkKey, but records nothing (a dry run).
	peekKey
	// ensureKey: the checked key, made on first need (consent.KeyFile.Ensure).
	ensureKey
)

// storeUse is what a command needs of the database before its own work.
type storeUse struct {
	access dbAccess
	key    keyUse
	// purge deletes what is due first (design rule 4), after the key is
	// checked: a command refused for its key changes nothing.
	purge bool
	// missingOK makes a missing database no error: openStore returns a nil
	// DB (there is nothing in it to find or refuse).
	missingOK bool
}

// openStore opens the database the way a command needs it, reads and checks
// the proof key and purges what is due, in that order; it is the one way
// into the database for every command. The caller closes the DB; on an
// error nothing is left open.
func (a *app) openStore(ctx context.Context, use storeUse) (*store.DB, []byte, error) {
	path, err := a.dbPath()
	if err != nil {
		return nil, nil, err
	}
	if use.access != createDB || use.missingOK {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if use.missingOK {
				return nil, nil, nil
			}
			return nil, nil, dbError(path, store.ErrNoDatabase)
		}
	}
	var db *store.DB
	if use.access == readDB {
		db, err = store.OpenExisting(ctx, path, a.deps.Now)
	} else {
		if err := a.privateDataDir(path); err != nil {
			return nil, nil, err
		}
		db, err = store.Open(ctx, path, a.deps.Now)
	}
	if err != nil {
		return nil, nil, dbError(path, err)
	}
	var key []byte
	if use.key != noKey {
		kf, err := a.keyFile()
		if err == nil {
			if use.key == ensureKey {
				key, err = kf.Ensure(ctx, db)
			} else {
				key, err = kf.Checked(ctx, db, use.key == checkKey)
			}
		}
		if err != nil {
			db.Close()
			return nil, nil, err
		}
	}
	if use.purge {
		a.autoPurge(ctx, db, key)
	}
	return db, key, nil
}

// dbPath is the effective database file.
func (a *app) dbPath() (string, error) {
	if a.cfg.DB != "" {
		return filepath.Clean(a.cfg.DB), nil
	}
	dir, err := config.DataDir(a.deps.Getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "counsel.db"), nil
}

// dbError words a database that cannot be opened, with the advice that fits.
func dbError(path string, err error) error {
	if errors.Is(err, store.ErrNoDatabase) {
		return withHint(fmt.Errorf("database %s does not exist", path),
			"the database is chosen by --db, COUNSEL_DB or the config key db; 'counsel session new' creates it")
	}
	err = fmt.Errorf("database %s: %w", path, err)
	var te *store.TriggerError
	var se *store.SchemaError
	var ue *store.UpgradeUnverifiedError
	switch {
	case errors.As(err, &te):
		return withHint(err, triggerHint(path, te.Name))
	case errors.As(err, &ue):
		return withHint(err, "nothing was changed: the older version of counsel that wrote this file still opens it, and its 'counsel audit verify' shows the problem; keep a copy of the file as evidence and restore the database from a backup made before the change")
	case errors.As(err, &se):
		return withHint(err, "counsel does not repair a file changed outside it: restore the database from a backup made before the change, then run 'counsel audit verify'")
	case errors.Is(err, store.ErrNotCounsel), errors.Is(err, store.ErrUnknownSchema):
		return withHint(err, "nothing was changed in the file; check --db, COUNSEL_DB or the config key db")
	case errors.Is(err, store.ErrReadOnlyOld):
		return withHint(err, "make the file and its folder writable and run the command again")
	case errors.Is(err, fs.ErrPermission):
		return withHint(err, "the file or its folder is read-only: listing, showing, exporting and 'audit verify' still work",
			"the database is chosen by --db, COUNSEL_DB or the config key db")
	}
	return withHint(err, "the database is chosen by --db, COUNSEL_DB or the config key db")
}

// triggerHint says how to remove a trigger with the sqlite3 tool. The command is written out
// only when the trigger's name and the path need no quoting beyond double quotes around the
// path (the same in sh, cmd and PowerShell): whoever made the trigger chose its name, and a
// command pasted into a shell must not do more than it says.
func triggerHint(path, name string) string {
	plainName := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`).MatchString(name)
	plainPath := !strings.ContainsAny(path, "\"$`!%\n\r") && !strings.ContainsFunc(path, unicode.IsControl)
	if !plainName || !plainPath {
		return "remove it with the sqlite3 tool (DROP TRIGGER and its name in double quotes), then run 'counsel audit verify'"
	}
	return fmt.Sprintf("remove it with the sqlite3 tool: sqlite3 \"%s\" \"DROP TRIGGER %s\", then run 'counsel audit verify'", path, name)
}

// proofKeyPath is the key file of withdrawal proofs: in the user's data
// folder, never inside the database (see consent.KeyFile).
func (a *app) proofKeyPath() (string, error) {
	dir, err := config.DataDir(a.deps.Getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "proof.key"), nil
}

// keyFile is the proof key file, warning here of a key others can read and
// making the data folder private before a key is made in it.
func (a *app) keyFile() (consent.KeyFile, error) {
	path, err := a.proofKeyPath()
	return consent.KeyFile{Path: path, Warn: a.warn, BeforeCreate: a.privateDataDir}, err
}

// privateDataDir makes counsel's own data folder (where the default database
// and the proof key live) private: 0700. A --db elsewhere is the user's own
// choice of folder and is left alone.
func (a *app) privateDataDir(path string) error {
	dir, err := config.DataDir(a.deps.Getenv)
	if err != nil || filepath.Clean(filepath.Dir(path)) != filepath.Clean(dir) || runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return nil // missing: created 0700 when needed
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return withHint(fmt.Errorf("data folder %s is readable by others (mode %#o) and cannot be made private: %w", dir, fi.Mode().Perm(), err),
			"run: chmod 700 "+dir)
	}
	a.info("made the data folder %s private (mode 0700; it was %#o)", dir, fi.Mode().Perm())
	return nil
}
