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

// The warning after a withdrawal or purge says that it is done, why the bytes are still on
// disk, and what to do; a completed checkpoint says nothing.
func TestWarnBytesLeft(t *testing.T) {
	revoke := func(checkpointed bool, err *store.CheckpointError) func(*app) {
		return func(a *app) { a.warnErasedLeft(checkpointed, err) }
	}
	purge := func(checkpointed bool) func(*app) {
		return func(a *app) { a.warnDeletedLeft(store.Purged{Sessions: 1, Checkpointed: checkpointed}) }
	}
	idle := func(checkpointed bool) func(*app) {
		return func(a *app) { a.warnDeletedLeft(store.Purged{Checkpointed: checkpointed}) }
	}
	auto := func(checkpointed bool, err *store.CheckpointError) func(*app) {
		return func(a *app) { a.warnExpiredLeft(checkpointed, err) }
	}
	for _, tc := range []struct {
		name string
		warn func(*app)
		want []string
	}{
		{"revoke, checkpointed", revoke(true, nil), nil},
		{"purge, checkpointed", purge(true), nil},
		{"revoke, reader", revoke(false, nil), []string{"the withdrawal is done", "another program is reading the database", "-wal file", "run 'counsel purge'"}},
		{"revoke, failed", revoke(false, &store.CheckpointError{Err: errors.New("disk I/O error")}), []string{"the withdrawal is done", "(disk I/O error)", "run 'counsel purge'"}},
		{"purge, reader", purge(false), []string{"the purge is done", "another program is reading the database", "run 'counsel purge' again"}},
		{"purge of nothing, checkpointed", idle(true), nil},
		{"purge of nothing, reader", idle(false), []string{"nothing was due", "earlier withdrawals or purges erased", "run 'counsel purge' again"}},
		{"auto purge, checkpointed", auto(true, nil), nil},
		{"auto purge, reader", auto(false, nil), []string{"expired records were deleted", "another program is reading the database", "-wal file", "run 'counsel purge'"}},
		{"auto purge, failed", auto(false, &store.CheckpointError{Err: errors.New("disk I/O error")}), []string{"expired records were deleted", "(disk I/O error)", "run 'counsel purge'"}},
	} {
		var stderr bytes.Buffer
		a := &app{deps: Deps{Stderr: &stderr, Getenv: func(string) string { return "" }}}
		tc.warn(a)
		if tc.want == nil && stderr.Len() > 0 {
			t.Errorf("%s: warned %q", tc.name, stderr.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%s: %q does not say %q", tc.name, stderr.String(), w)
			}
		}
	}
}

// A purge by hand whose checkpoint failed and that kept rows says both, and exits 1.
func TestPurgeEndSaysKeptRowsAndFailedCheckpoint(t *testing.T) {
	var stderr bytes.Buffer
	a := &app{deps: Deps{Stderr: &stderr, Getenv: func(string) string { return "" }}}
	err := a.purgeEnd(store.Purged{Sessions: 1, KeptTampered: 2}, false, &store.CheckpointError{Err: errors.New("disk I/O error")})
	if err == nil || !strings.Contains(err.Error(), "could not be cleared from the disk (disk I/O error)") {
		t.Errorf("error %v, want the failed checkpoint", err)
	}
	if !strings.Contains(stderr.String(), "2 withdrawal proof(s) or remembered room(s)") {
		t.Errorf("stderr %q does not tell of the kept rows", stderr.String())
	}
	stderr.Reset()
	err = a.purgeEnd(store.Purged{Sessions: 1, KeptTampered: 2, Checkpointed: true}, false, nil)
	if err == nil || !strings.Contains(err.Error(), "2 withdrawal proof(s)") || stderr.Len() > 0 {
		t.Errorf("kept rows alone: error %v, stderr %q; want them as the error", err, stderr.String())
	}
}
