package consent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/expeerienced/counsel/internal/safefile"
)

// KeyState is what the database knows of the proof key: the fingerprint
// recorded when the key was made or first used ("" if none) and how many
// withdrawal proofs depend on it.
type KeyState struct {
	Fingerprint string
	Proofs      int
}

// KeyStore is where the key's fingerprint is recorded (the database).
type KeyStore interface {
	ProofKeyState(ctx context.Context) (KeyState, error)
	// RecordProofKey records a first fingerprint; a different one already
	// recorded is ErrOtherKeyRecorded.
	RecordProofKey(ctx context.Context, fingerprint string) error
	ReadOnly() bool
}

// ErrOtherKeyRecorded means a different proof key fingerprint is already recorded.
var ErrOtherKeyRecorded = errors.New("a different proof key is recorded for this database")

// KeyError is a problem with the proof key file, with advice for the
// counsellor. The message names the file, never anything of a person.
type KeyError struct {
	Err    error
	Advice []string
}

func (e *KeyError) Error() string { return e.Err.Error() }
func (e *KeyError) Unwrap() error { return e.Err }

// Hints is the advice, shown after the error.
func (e *KeyError) Hints() []string { return e.Advice }

// restoreKey is the advice for a key file that cannot be used.
const restoreKey = "restore it from your backup; docs/data-protection.md explains what a lost key means"

// KeyFile is the file of the proof key: in the user's data folder, never
// inside the database, so that a copy of the database alone cannot be used
// to test guessed names against the proofs.
type KeyFile struct {
	Path string
	// Warn is told of a key file others can read (the key is used all the
	// same); nil says nothing.
	Warn func(format string, args ...any)
	// BeforeCreate runs, with Path, before the key's folder is made (0700)
	// for a new key; its error is returned as it is. nil does nothing.
	BeforeCreate func(path string) error
}

// MaxFileSize is the largest proof key file: the key in hex and a line end.
const MaxFileSize = 2*KeySize + 2

// Read reads the key; it returns nil, nil when there is no file. Anything
// but a regular file of at most MaxFileSize bytes (a symlink to /dev/zero, a
// directory, a fifo, a large file) is refused before a byte is read, so a
// wrong path can neither hang counsel nor fill its memory.
func (f KeyFile) Read() ([]byte, error) {
	path := f.Path
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("proof key: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &KeyError{fmt.Errorf("proof key %s is not a regular file (%s); it was not read", path, fileKind(fi.Mode())), []string{restoreKey}}
	}
	if fi.Size() > MaxFileSize {
		return nil, &KeyError{fmt.Errorf("proof key %s is larger than a key (%d bytes, at most %d); it was not read", path, fi.Size(), MaxFileSize), []string{restoreKey}}
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("proof key: %w", err)
	}
	defer file.Close()
	// The file that was opened must be the one that was checked.
	if ofi, err := file.Stat(); err != nil || !os.SameFile(fi, ofi) {
		return nil, fmt.Errorf("proof key %s changed while it was read", path)
	}
	b, err := io.ReadAll(io.LimitReader(file, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("proof key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != KeySize || len(b) > MaxFileSize {
		return nil, &KeyError{fmt.Errorf("proof key %s is damaged (want %d hex digits)", path, 2*KeySize), []string{restoreKey}}
	}
	if fi.Mode().Perm()&0o077 != 0 && f.Warn != nil {
		f.Warn("proof key %s is readable by others (mode %#o); run: chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	return key, nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a fifo"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "mode " + m.String()
}

// KeyStatus is how the key file stands to what the database recorded.
type KeyStatus string

// The statuses, as 'audit verify' reports them.
const (
	KeyNone       KeyStatus = "none"       // no file, and the database never needed one
	KeyMissing    KeyStatus = "missing"    // no file, but the database recorded one or holds proofs
	KeyUnreadable KeyStatus = "unreadable" // the file is refused (Read's error)
	KeyUnrecorded KeyStatus = "unrecorded" // a key, and no fingerprint recorded yet
	KeyDiffers    KeyStatus = "differs"    // a key, but not the one recorded
	KeyMatches    KeyStatus = "matches"
)

// Status reads the key file and compares it with st. The key comes back
// with KeyUnrecorded and KeyMatches; an error says what is wrong with
// KeyMissing, KeyUnreadable and KeyDiffers.
func (f KeyFile) Status(st KeyState) ([]byte, KeyStatus, error) {
	key, err := f.Read()
	switch {
	case err != nil:
		return nil, KeyUnreadable, err
	case key == nil && (st.Fingerprint != "" || st.Proofs > 0):
		what := fmt.Sprintf("this database holds %d withdrawal proof(s) made with it", st.Proofs)
		if st.Proofs == 0 {
			what = fmt.Sprintf("this database was used with one (fingerprint %s)", short(st.Fingerprint))
		}
		return nil, KeyMissing, &KeyError{fmt.Errorf("proof key %s is missing, but %s", f.Path, what), []string{
			fmt.Sprintf("restore %s from your backup: without it, clients who withdrew consent cannot be recognised; counsel will not make a new key while the database expects one", f.Path),
			"only if the key is lost for good: 'counsel consent new-key --lost'"}}
	case key == nil:
		return nil, KeyNone, nil
	case st.Fingerprint == "":
		return key, KeyUnrecorded, nil
	}
	fp, err := KeyFingerprint(key)
	if err != nil {
		return nil, KeyUnreadable, err
	}
	if fp != st.Fingerprint {
		return nil, KeyDiffers, f.mismatch(st.Fingerprint)
	}
	return key, KeyMatches, nil
}

// mismatch is the error for a key file that is not the key whose
// fingerprint the database recorded (want).
func (f KeyFile) mismatch(want string) error {
	return &KeyError{fmt.Errorf("proof key %s is not the key this database was used with (it was changed or replaced)", f.Path),
		[]string{fmt.Sprintf("restore %s from your backup: the right key has the fingerprint %s… (docs/data-protection.md)", f.Path, short(want))}}
}

// short is the beginning of a fingerprint that identifies it to a person.
func short(fp string) string { return fp[:min(16, len(fp))] }

// Checked reads the key and checks it against the fingerprint the database
// recorded when the key was made: a key changed, truncated or replaced is an
// error naming the file, never a silently different key (which would match
// no proof, so withdrawn clients would be accepted again). It returns nil,
// nil only when there is no key file and the database has never needed one.
// A key without a recorded fingerprint (a database from before
// fingerprints) is recorded on this first use, unless record is false (a dry
// run changes nothing) or the database is read-only (the next writing
// command records it).
func (f KeyFile) Checked(ctx context.Context, db KeyStore, record bool) ([]byte, error) {
	st, err := db.ProofKeyState(ctx)
	if err != nil {
		return nil, err
	}
	key, status, err := f.Status(st)
	if err != nil {
		return nil, err
	}
	if status == KeyUnrecorded && record && !db.ReadOnly() {
		fp, err := KeyFingerprint(key)
		if err != nil {
			return nil, err
		}
		if err := db.RecordProofKey(ctx, fp); err != nil {
			return nil, err
		}
	}
	return key, nil
}

// Ensure returns the checked key, making it on first need (see Create) with
// its fingerprint recorded in the database.
func (f KeyFile) Ensure(ctx context.Context, db KeyStore) ([]byte, error) {
	key, err := f.Checked(ctx, db, true)
	if err != nil || key != nil {
		return key, err
	}
	key, fp, err := f.Create()
	if errors.Is(err, safefile.ErrExists) { // another counsel made it just now: use that one
		return f.Checked(ctx, db, true)
	}
	if err != nil {
		return nil, err
	}
	if err := db.RecordProofKey(ctx, fp); err != nil {
		if errors.Is(err, ErrOtherKeyRecorded) {
			if st, serr := db.ProofKeyState(ctx); serr == nil {
				return nil, f.mismatch(st.Fingerprint)
			}
		}
		return nil, err
	}
	return key, nil
}

// Create makes a new key: KeySize random bytes, in hex, in a 0600 file in a
// 0700 folder. It returns the key and its fingerprint. The file is written
// atomically and exclusively: a crash cannot leave an empty or half-written
// key (which would read as damaged), of two processes racing here exactly
// one key wins, and a file that exists is never replaced (the error matches
// safefile.ErrExists).
func (f KeyFile) Create() (key []byte, fingerprint string, err error) {
	if f.BeforeCreate != nil {
		if err := f.BeforeCreate(f.Path); err != nil {
			return nil, "", err
		}
	}
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return nil, "", fmt.Errorf("proof key folder: %w", err)
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, "", err
	}
	if fingerprint, err = KeyFingerprint(key); err != nil {
		return nil, "", err
	}
	if err := safefile.Write(f.Path, false, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, hex.EncodeToString(key))
		return err
	}); err != nil {
		return nil, "", fmt.Errorf("proof key: %w", err)
	}
	return key, fingerprint, nil
}

// Absent refuses a key file that exists (whatever it holds): a key is only
// ever made where there is none.
func (f KeyFile) Absent() error {
	_, err := os.Lstat(f.Path)
	switch {
	case err == nil:
		return &KeyError{fmt.Errorf("proof key %s exists; it is not replaced", f.Path),
			[]string{"if counsel says the key is not the one the database was used with, restore the right key from your backup"}}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("proof key: %w", err)
	}
	return nil
}

// Unmatchable counts what a lost key leaves that no new key can match: withdrawal
// proofs (keyed hashes of names) and remembered rooms (keyed digests, RoomDigest).
type Unmatchable struct{ Proofs, Rooms int }

// LostKeyStore records a new key's fingerprint in place of a lost key's and
// says what can no longer be matched, as its audit event does.
type LostKeyStore interface {
	ReplaceLostProofKey(ctx context.Context, fingerprint string) (Unmatchable, error)
}

// ReplaceLost makes a new key (see Create) in place of one that is lost for
// good and records it, returning what the lost key leaves unmatchable. The
// key file comes first: if recording fails it is removed again, and a key the
// database does not know would be refused anyway.
func (f KeyFile) ReplaceLost(ctx context.Context, db LostKeyStore) (Unmatchable, error) {
	if err := f.Absent(); err != nil {
		return Unmatchable{}, err
	}
	_, fp, err := f.Create()
	if err != nil {
		return Unmatchable{}, err
	}
	u, err := db.ReplaceLostProofKey(ctx, fp)
	if err != nil {
		os.Remove(f.Path)
		return Unmatchable{}, err
	}
	return u, nil
}
