package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/expeerienced/counsel/internal/store"
)

// A checkpoint that failed after the commit is taken out of the error (the command goes
// on as done); any other error stays the command's failure.
func TestCheckpointFailureIsTakenOut(t *testing.T) {
	cause := errors.New("disk I/O error")
	err := fmt.Errorf("revoke: %w", &store.CheckpointError{Err: cause})
	ce := checkpointFailure(&err)
	if ce == nil || ce.Err != cause || err != nil {
		t.Errorf("checkpointFailure = %v, err left %v; want the checkpoint error out and err nil", ce, err)
	}
	other := error(store.ErrBusy)
	if ce := checkpointFailure(&other); ce != nil || other != store.ErrBusy {
		t.Errorf("checkpointFailure took %v out of ErrBusy, left %v", ce, other)
	}
}

// The warning after a withdrawal says that it is done, why the bytes are still on disk,
// and what to do; a completed checkpoint says nothing.
func TestWarnBytesLeft(t *testing.T) {
	for _, tc := range []struct {
		what         int
		checkpointed bool
		err          *store.CheckpointError
		want         []string
	}{
		{revokeLeft, true, nil, nil},
		{purgeLeft, true, nil, nil},
		{revokeLeft, false, nil, []string{"the withdrawal is done", "another program is reading the database", "-wal file", "run 'counsel purge'"}},
		{revokeLeft, false, &store.CheckpointError{Err: errors.New("disk I/O error")}, []string{"the withdrawal is done", "(disk I/O error)", "run 'counsel purge'"}},
		{purgeLeft, false, nil, []string{"the purge is done", "another program is reading the database", "run 'counsel purge' again"}},
	} {
		var stderr bytes.Buffer
		a := &app{deps: Deps{Stderr: &stderr, Getenv: func(string) string { return "" }}}
		a.warnBytesLeft(tc.what, tc.checkpointed, tc.err)
		if tc.want == nil && stderr.Len() > 0 {
			t.Errorf("%d, checkpointed: warned %q", tc.what, stderr.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%d, %v: %q does not say %q", tc.what, tc.err, stderr.String(), w)
			}
		}
	}
}
