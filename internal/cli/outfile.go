package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/expeerienced/counsel/internal/safefile"
)

// stdoutPath is the output file name that means stdout, as in most command-line tools.
const stdoutPath = "-"

// outputFileError words a failure to check, prepare or create the output file named by the
// flag --flag (flag without dashes, e.g. "out"), and adds advice for the two cases a user can
// fix on the spot: the file exists, or its folder does not.
func outputFileError(flag string, err error) error {
	err = fmt.Errorf("--%s: %w", flag, err)
	switch {
	case errors.Is(err, fs.ErrExist):
		return withHint(err, "add --force to replace it, or choose another file")
	case errors.Is(err, fs.ErrNotExist):
		return withHint(err, "create the folder first or choose another path")
	}
	return err
}

// preparedFile is an output file written to a temporary file, waiting for the database commit
// it belongs to.
type preparedFile struct {
	path string
	file *safefile.Pending
}

// publishCommitted publishes files prepared before a database commit that has succeeded, in
// order: a side file comes after the file it describes, so it never describes a missing file.
// recorded says what the commit recorded. On a failure the remaining files are discarded, and
// the error says what is recorded, what was written and what was not: the change cannot be
// undone, so the error must not read as if nothing happened.
func publishCommitted(recorded string, files ...preparedFile) error {
	for i, f := range files {
		if f.file == nil {
			continue
		}
		err := f.file.Commit()
		if err == nil {
			continue
		}
		for _, rest := range files[i+1:] {
			rest.file.Discard()
		}
		var written []string
		for _, w := range files[:i] {
			if w.file != nil {
				written = append(written, w.path)
			}
		}
		if len(written) > 0 {
			err = fmt.Errorf("%s and %s written, but %s was not: %w", recorded, strings.Join(written, ", "), f.path, err)
		} else {
			err = fmt.Errorf("%s, but %s was not written: %w", recorded, f.path, err)
		}
		return withHint(err, "to get the missing file, run the export again; the audit trail will show both exports")
	}
	return nil
}
