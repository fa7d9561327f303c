package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/expeerienced/counsel/internal/safefile"
	"github.com/expeerienced/counsel/internal/store"
)

// stdoutPath is the output file name that means stdout, as in most command-line tools.
const stdoutPath = "-"

// outputFileError words a failure to check, prepare or create the output file named by the
// flag --flag (flag without dashes, e.g. "out"), and adds advice for the two cases a user can
// fix on the spot: the file exists, or its folder does not.
func outputFileError(flag string, err error) error {
	if diskFull(err) {
		// Every caller prepares its files before the database changes (export dpo, whose
		// exports each prepare theirs, words it again: packDiskFull).
		return withHint(&fileFullError{Tf("--%s: the file could not be written because its disk is full; it was not written, and nothing was stored", flag)},
			"free space on that disk (or choose a file on another disk), then run the command again")
	}
	err = fmt.Errorf("--%s: %w", flag, err)
	switch {
	case errors.Is(err, fs.ErrExist):
		return withHint(err, "add --force to replace it, or choose another file")
	case errors.Is(err, fs.ErrNotExist):
		return withHint(err, "create the folder first or choose another path")
	}
	return err
}

// fileFullError is outputFileError's full disk, worded; no longer a full disk to diskFull,
// so that Main does not word it again.
type fileFullError struct{ msg string }

func (e *fileFullError) Error() string { return e.msg }

// diskFull reports whether err says a disk is full: the database's (store.Full: SQLite's
// code) or that of any other file (ENOSPC). It is counsel's one test for a full disk;
// outputFileError words it for a file a flag names, fullDiskError for the rest.
func diskFull(err error) bool {
	return store.Full(err) || errors.Is(err, syscall.ENOSPC)
}

// fullDiskError words an error of a full disk that no flag's file explains: the database
// (at its path, which is no client data) could not be written, so the transaction was
// rolled back; or some other file could not be.
func (a *app) fullDiskError(err error) error {
	if !store.Full(err) {
		return withHint(err, "the disk is full: free space on it, then run the command again")
	}
	path, perr := a.dbPath()
	if perr != nil {
		path = "" // the configuration was read before the database was opened; kept safe
	}
	return a.databaseFull(path)
}

// databaseFull words the database's full disk: after the change a.changed, or with nothing
// stored. The error is English, as lostOutput's, so that printError translates it whole,
// a.changed too.
func (a *app) databaseFull(path string) error {
	if a.changed != "" {
		return withHint(fmt.Errorf("%s, but then the database %s could not be written because its disk is full", a.changed, path),
			append([]string{"free space on that disk"}, a.again...)...)
	}
	return withHint(fmt.Errorf("the database %s could not be written because its disk is full; nothing was stored", path),
		"free space on that disk, then run the command again")
}

// exportAgain is how to get an export file that could not be published.
const exportAgain = "to get the missing file, run the export again; the audit trail will show both exports"

// outputFiles is the one way a command writes files that belong to a database change: prepare
// each file (complete, in a temporary file, 0600) before the change, commit the change, then
// publish the files (rename into place, never over an existing file without --force). A file
// that cannot be made refuses the change; a change never half-publishes silently. Callers
// defer discard, which drops what was not published.
type outputFiles struct {
	files []preparedFile
	made  []string // folders mkdir made, innermost first
}

// preparedFile is an output written to a temporary file (or folder), waiting for the database
// commit it belongs to.
type preparedFile struct {
	path string
	file pendingOutput
}

// pendingOutput is a prepared output: a file (*safefile.Pending) or a folder (*safefile.Folder).
type pendingOutput interface {
	Commit() error
	Discard()
}

// prepare writes path's content to a temporary file; flag (without dashes) is the flag that
// named path, for the error.
func (o *outputFiles) prepare(flag, path string, force bool, write func(io.Writer) error) error {
	f, err := safefile.Prepare(path, force, write)
	if err != nil {
		return outputFileError(flag, err)
	}
	o.files = append(o.files, preparedFile{path, f})
	return nil
}

// prepareFolder makes a private folder (0700) beside path, for the caller to fill; publish
// renames it to path. A folder at path is never replaced. First it removes what a run for the
// same path left when it was killed while filling its folder, if that holds only files known
// accepts (safefile.CleanLeftovers), and reports what it removed or had to keep.
func (o *outputFiles) prepareFolder(a *app, flag, path string, known func(name string) bool) (string, error) {
	left, err := safefile.CleanLeftovers(path, known)
	if err != nil {
		return "", fmt.Errorf("--%s: %w", flag, err)
	}
	reportLeftovers(a, left)
	f, err := safefile.PrepareFolder(path)
	if err != nil {
		return "", fmt.Errorf("--%s: %w", flag, err)
	}
	o.files = append(o.files, preparedFile{path, f})
	return f.Dir(), nil
}

// reportLeftovers says what an earlier, killed run left beside the output folder: removed, or
// kept and why (it may hold names, so the counsellor should look at it).
func reportLeftovers(a *app, left []safefile.Leftover) {
	for _, l := range left {
		var why string
		switch l.Kept {
		case safefile.Removed:
			a.info("removed %s, the unfinished folder of an earlier run that was stopped", l.Path)
			continue
		case safefile.KeptNotAFolder:
			why = T("it is not a folder")
		case safefile.KeptPermissions:
			why = T("its permissions are not those counsel gives its folders (0700)")
		case safefile.KeptOtherOwner:
			why = T("it belongs to another user")
		case safefile.KeptForeignContent:
			why = T("it holds something counsel does not write there")
		case safefile.KeptCannotTell:
			why = T("this system cannot tell whether another counsel is still writing it")
		}
		if why == "" {
			why = fmt.Sprint(l.Err)
		}
		a.warn("%s looks like the unfinished folder of an earlier run that was stopped, and may hold names; counsel left it (%s): look at it and delete it", l.Path, why)
	}
}

// prepareAfter is prepare for a file that can only be made after its change is recorded (the
// new invitations of consent revoke name the rooms its transaction makes): a file that cannot
// be made is then worded as one that cannot be published, saying what is recorded.
func (o *outputFiles) prepareAfter(recorded, path string, write func(io.Writer) error, hints ...string) error {
	f, err := safefile.Prepare(path, false, write)
	if err != nil {
		return withHint(fmt.Errorf("%s, but %s was not written: %w", recorded, path, err), hints...)
	}
	o.files = append(o.files, preparedFile{path, f})
	return nil
}

// mkdir makes the folder dir (0700) for files still to be prepared. The folders it makes are
// removed by discard while they are empty, so a command refused after planning its files (a
// withdrawn client, a missing proof key) leaves no trace of its --eml or --ics folder.
func (o *outputFiles) mkdir(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		missing = append(missing, d)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	o.made = append(o.made, missing...)
	return nil
}

// discard removes the files not published yet, and the folders mkdir made that stayed empty.
func (o *outputFiles) discard() {
	for _, f := range o.files {
		f.file.Discard() // no-op once committed
	}
	for _, d := range o.made {
		if fi, err := os.Lstat(d); err == nil && fi.IsDir() {
			_ = os.Remove(d) // fails, as it should, on a folder that holds a file
		}
	}
}

// publish publishes the files after the database commit has succeeded, in the order prepared:
// a side file comes after the file it describes, so it never describes a missing file.
// recorded says what the commit recorded, hints how to get a missing file. On a failure the
// remaining files are discarded, and the error says what is recorded, what was written and
// what was not: the change cannot be undone, so the error must not read as if nothing happened.
func (o *outputFiles) publish(recorded string, hints ...string) error {
	for i, f := range o.files {
		err := f.file.Commit()
		if err == nil {
			continue
		}
		for _, rest := range o.files[i+1:] {
			rest.file.Discard()
		}
		var written []string
		for _, w := range o.files[:i] {
			written = append(written, w.path)
		}
		if len(written) > 0 {
			err = fmt.Errorf("%s and %s written, but %s was not: %w", recorded, strings.Join(written, ", "), f.path, err)
		} else {
			err = fmt.Errorf("%s, but %s was not written: %w", recorded, f.path, err)
		}
		return withHint(err, hints...)
	}
	return nil
}
