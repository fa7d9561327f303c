package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
)

// A full disk is one test (diskFull) for every kind of error that says so, and the words
// say what was not written and what to do, never the temporary file's "(unnamed)" name.
func TestDiskFullWords(t *testing.T) {
	enospc := &os.PathError{Op: "write", Path: "/mnt/usb/(unnamed)", Err: syscall.ENOSPC}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{enospc, true},
		{fmt.Errorf("--out: write x: %w", enospc), true},
		{&os.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}, false},
		{errors.New("no space left on device"), false}, // text is never matched
	} {
		if got := diskFull(tc.err); got != tc.want {
			t.Errorf("diskFull(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	err := outputFileError("out", enospc)
	if msg := err.Error(); msg != "--out: the file could not be written because its disk is full; it was not written, and nothing was stored" {
		t.Errorf("outputFileError = %q", msg)
	}
	var h hinter
	if !errors.As(err, &h) || len(h.Hints()) != 1 || !strings.Contains(h.Hints()[0], "free space") {
		t.Errorf("outputFileError hints: %v", h)
	}
	if diskFull(err) {
		t.Error("the worded error is still a full disk: Main would word it again")
	}
	// A full disk no flag names keeps its error and gets the advice.
	a := &app{}
	other := a.fullDiskError(enospc)
	if !errors.As(other, &h) || !errors.Is(other, syscall.ENOSPC) || !strings.Contains(strings.Join(h.Hints(), " "), "the disk is full") {
		t.Errorf("fullDiskError(ENOSPC) = %v, hints %v", other, h)
	}
}

// export dpo's pack on a full disk is named by --out whichever of its files met the full disk
// (an export's, worded by outputFileError, or one the pack writes itself), and says "nothing
// was stored" only while none of its exports was recorded. Other errors pass unchanged.
func TestPackDiskFull(t *testing.T) {
	enospc := &os.PathError{Op: "write", Path: "/mnt/usb/.counsel-pack-1/README.md", Err: syscall.ENOSPC}
	const none = "--out: the pack could not be written because its disk is full; no folder was made, and nothing was stored"
	const some = "--out: the pack could not be written because its disk is full; no folder was made, but the exports made for it so far are recorded in the audit trail"
	for _, tc := range []struct {
		err      error
		recorded bool
		want     string
	}{
		{outputFileError("out", enospc), false, none},
		{outputFileError("out", enospc), true, some},
		{enospc, true, some},
		{fmt.Errorf("write: %w", enospc), false, none},
	} {
		if got := packDiskFull(tc.err, tc.recorded); got.Error() != tc.want {
			t.Errorf("packDiskFull(%v, %v) = %q, want %q", tc.err, tc.recorded, got, tc.want)
		}
	}
	other := errors.New("the audit trail could not be checked")
	if got := packDiskFull(other, true); got != other {
		t.Errorf("packDiskFull(other) = %v", got)
	}
	if packDiskFull(nil, true) != nil {
		t.Error("packDiskFull(nil) is not nil")
	}
}

// The database's full disk after a change reaches a German counsellor in German, the change
// (a.changed) too, and in English as before.
func TestDatabaseFullWords(t *testing.T) {
	a := &app{changed: fmt.Sprintf("consent of person %s is withdrawn and the name erased", "0123abcd")}
	for _, c := range []struct {
		lang string
		want string
	}{
		{langEN, "counsel: error: consent of person 0123abcd is withdrawn and the name erased, but then the database /x/db.sqlite could not be written because its disk is full"},
		{langDE, "counsel: error: die Einwilligung von Person 0123abcd ist widerrufen und der Name gelöscht, aber danach konnte die Datenbank /x/db.sqlite nicht geschrieben werden, weil ihr Datenträger voll ist"},
	} {
		german(t) // restores the translator at the end
		tr = newTranslator(c.lang)
		var b strings.Builder
		printError(&b, a.databaseFull("/x/db.sqlite"))
		if line, _, _ := strings.Cut(b.String(), "\n"); line != c.want {
			t.Errorf("%v:\n got %s\nwant %s", c.lang, line, c.want)
		}
	}
}
