package consent_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/safefile"
)

// keyStore is the database's side of the proof key, in memory.
type keyStore struct {
	st       consent.KeyState
	readOnly bool
	recorded []string
	// other, when set, is a fingerprint another process records just before
	// this one tries to.
	other string
}

func (s *keyStore) ProofKeyState(context.Context) (consent.KeyState, error) { return s.st, nil }
func (s *keyStore) ReadOnly() bool                                          { return s.readOnly }
func (s *keyStore) RecordProofKey(_ context.Context, fp string) error {
	if s.other != "" {
		s.st.Fingerprint, s.other = s.other, ""
	}
	switch s.st.Fingerprint {
	case fp:
		return nil
	case "":
		s.st.Fingerprint = fp
		s.recorded = append(s.recorded, fp)
		return nil
	}
	return consent.ErrOtherKeyRecorded
}

func hints(t *testing.T, err error) []string {
	t.Helper()
	var ke *consent.KeyError
	if !errors.As(err, &ke) {
		t.Fatalf("err = %v (%T), want a KeyError with advice", err, err)
	}
	return ke.Hints()
}

// writeKey writes a key file with the given content and mode.
func writeKey(t *testing.T, content string, mode os.FileMode) consent.KeyFile {
	t.Helper()
	path := filepath.Join(t.TempDir(), "proof.key")
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatal(err)
	}
	return consent.KeyFile{Path: path}
}

var keyHex = strings.Repeat("ab", consent.KeySize)

func TestKeyFileRead(t *testing.T) {
	t.Run("Missing", func(t *testing.T) {
		key, err := consent.KeyFile{Path: filepath.Join(t.TempDir(), "proof.key")}.Read()
		if key != nil || err != nil {
			t.Fatalf("Read = %x, %v; want nil, nil", key, err)
		}
	})
	for _, content := range []string{keyHex, keyHex + "\n", keyHex + "\r\n", " " + keyHex + "\n"} {
		t.Run(fmt.Sprintf("Valid%q", content[len(content)-1:]), func(t *testing.T) {
			f := writeKey(t, content, 0o600)
			var warned []string
			f.Warn = func(format string, args ...any) { warned = append(warned, fmt.Sprintf(format, args...)) }
			key, err := f.Read()
			if err != nil || hex.EncodeToString(key) != keyHex {
				t.Fatalf("Read = %x, %v", key, err)
			}
			if len(warned) != 0 {
				t.Errorf("a private key warned: %q", warned)
			}
		})
	}
	t.Run("ReadableByOthersWarns", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no Unix modes")
		}
		f := writeKey(t, keyHex+"\n", 0o644)
		var warned []string
		f.Warn = func(format string, args ...any) { warned = append(warned, fmt.Sprintf(format, args...)) }
		if key, err := f.Read(); err != nil || key == nil {
			t.Fatalf("a readable key is still used: %x, %v", key, err)
		}
		want := fmt.Sprintf("proof key %s is readable by others (mode 0644); run: chmod 600 %s", f.Path, f.Path)
		if len(warned) != 1 || warned[0] != want {
			t.Errorf("warnings %q, want %q", warned, want)
		}
		f.Warn = nil // no warner: still read, nothing said
		if key, err := f.Read(); err != nil || key == nil {
			t.Fatalf("without Warn: %x, %v", key, err)
		}
	})
	damaged := map[string]string{
		"Empty":    "",
		"Short":    keyHex[:62] + "\n",
		"NotHex":   strings.Repeat("zz", consent.KeySize),
		"Long":     keyHex + "ab",
		"TwoLines": keyHex[:32] + "\n" + keyHex[32:],
	}
	for name, content := range damaged {
		t.Run("Damaged"+name, func(t *testing.T) {
			f := writeKey(t, content, 0o600)
			key, err := f.Read()
			want := fmt.Sprintf("proof key %s is damaged (want 64 hex digits)", f.Path)
			if key != nil || err == nil || err.Error() != want {
				t.Fatalf("Read = %x, %v; want %q", key, err, want)
			}
			if h := hints(t, err); len(h) != 1 || !strings.HasPrefix(h[0], "restore it from your backup") {
				t.Errorf("hints %q", h)
			}
		})
	}
	t.Run("LargerThanAKey", func(t *testing.T) {
		f := writeKey(t, keyHex+"\n\n\n", 0o600)
		_, err := f.Read()
		want := fmt.Sprintf("proof key %s is larger than a key (%d bytes, at most %d); it was not read", f.Path, consent.MaxFileSize+1, consent.MaxFileSize)
		if err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %q", err, want)
		}
		hints(t, err)
	})
	t.Run("Directory", func(t *testing.T) {
		f := consent.KeyFile{Path: t.TempDir()}
		_, err := f.Read()
		want := fmt.Sprintf("proof key %s is not a regular file (a directory); it was not read", f.Path)
		if err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %q", err, want)
		}
		hints(t, err)
	})
}

func TestKeyFileCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var before []string
	f := consent.KeyFile{Path: filepath.Join(dir, "proof.key"), BeforeCreate: func(p string) error {
		before = append(before, p)
		return nil
	}}
	key, fp, err := f.Create()
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 1 || before[0] != f.Path {
		t.Errorf("BeforeCreate called with %q", before)
	}
	b, err := os.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}\n$`).Match(b) || string(b) != hex.EncodeToString(key)+"\n" {
		t.Errorf("file holds %q, key %x", b, key)
	}
	if want, _ := consent.KeyFingerprint(key); fp != want {
		t.Errorf("fingerprint %s, want %s", fp, want)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(f.Path); fi.Mode().Perm() != 0o600 {
			t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
		}
		if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
			t.Errorf("key folder mode %v, want 0700", fi.Mode().Perm())
		}
	}
	if again, err := f.Read(); err != nil || !bytes.Equal(again, key) {
		t.Errorf("the made key reads back as %x, %v", again, err)
	}

	// Never replaced: a second key is refused and the first stays.
	if _, _, err := f.Create(); !errors.Is(err, safefile.ErrExists) {
		t.Fatalf("second Create: err = %v, want ErrExists", err)
	}
	if b2, _ := os.ReadFile(f.Path); !bytes.Equal(b2, b) {
		t.Error("the key file was replaced")
	}
	// Nothing but the key is left in the folder (no temporary file).
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("folder holds %d entries", len(ents))
	}

	// BeforeCreate's error stops it before anything is made.
	stop := errors.New("data folder not private")
	g := consent.KeyFile{Path: filepath.Join(t.TempDir(), "new", "proof.key"), BeforeCreate: func(string) error { return stop }}
	if _, _, err := g.Create(); err != stop {
		t.Fatalf("err = %v, want BeforeCreate's own error", err)
	}
	if _, err := os.Stat(filepath.Dir(g.Path)); !errors.Is(err, os.ErrNotExist) {
		t.Error("the folder was made despite BeforeCreate's error")
	}
}

func TestKeyFileChecked(t *testing.T) {
	ctx := context.Background()
	key, _ := hex.DecodeString(keyHex)
	fp, _ := consent.KeyFingerprint(key)
	other := strings.Repeat("0", 64)

	t.Run("NoKeyNeverNeeded", func(t *testing.T) {
		f := consent.KeyFile{Path: filepath.Join(t.TempDir(), "proof.key")}
		got, err := f.Checked(ctx, &keyStore{}, true)
		if got != nil || err != nil {
			t.Fatalf("Checked = %x, %v; want nil, nil", got, err)
		}
	})
	t.Run("MissingWithProofs", func(t *testing.T) {
		f := consent.KeyFile{Path: filepath.Join(t.TempDir(), "proof.key")}
		_, err := f.Checked(ctx, &keyStore{st: consent.KeyState{Fingerprint: fp, Proofs: 2}}, true)
		want := fmt.Sprintf("proof key %s is missing, but this database holds 2 withdrawal proof(s) made with it", f.Path)
		if err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %q", err, want)
		}
		h := hints(t, err)
		if len(h) != 2 || !strings.HasPrefix(h[0], "restore "+f.Path+" from your backup") || !strings.Contains(h[1], "counsel consent new-key --lost") {
			t.Errorf("hints %q", h)
		}
	})
	t.Run("MissingWithFingerprintOnly", func(t *testing.T) {
		f := consent.KeyFile{Path: filepath.Join(t.TempDir(), "proof.key")}
		_, err := f.Checked(ctx, &keyStore{st: consent.KeyState{Fingerprint: fp}}, true)
		want := fmt.Sprintf("proof key %s is missing, but this database was used with one (fingerprint %s)", f.Path, fp[:16])
		if err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %q", err, want)
		}
	})
	t.Run("MissingWithProofsButNoFingerprint", func(t *testing.T) {
		f := consent.KeyFile{Path: filepath.Join(t.TempDir(), "proof.key")}
		if _, err := f.Checked(ctx, &keyStore{st: consent.KeyState{Proofs: 1}}, true); err == nil {
			t.Fatal("a database with proofs and no key file: no error")
		}
	})
	t.Run("Matches", func(t *testing.T) {
		f := writeKey(t, keyHex+"\n", 0o600)
		s := &keyStore{st: consent.KeyState{Fingerprint: fp, Proofs: 3}}
		got, err := f.Checked(ctx, s, true)
		if err != nil || !bytes.Equal(got, key) || len(s.recorded) != 0 {
			t.Fatalf("Checked = %x, %v (recorded %q)", got, err, s.recorded)
		}
	})
	t.Run("Differs", func(t *testing.T) {
		f := writeKey(t, keyHex+"\n", 0o600)
		got, err := f.Checked(ctx, &keyStore{st: consent.KeyState{Fingerprint: other}}, true)
		want := fmt.Sprintf("proof key %s is not the key this database was used with (it was changed or replaced)", f.Path)
		if got != nil || err == nil || err.Error() != want {
			t.Fatalf("Checked = %x, %v; want %q", got, err, want)
		}
		if h := hints(t, err); len(h) != 1 || !strings.Contains(h[0], "fingerprint "+other[:16]+"…") {
			t.Errorf("hints %q, want the recorded fingerprint's beginning", h)
		}
	})
	t.Run("DamagedRecordedFingerprint", func(t *testing.T) {
		// A fingerprint shortened outside counsel is a mismatch, not a crash.
		f := writeKey(t, keyHex+"\n", 0o600)
		if _, err := f.Checked(ctx, &keyStore{st: consent.KeyState{Fingerprint: "abc"}}, true); err == nil {
			t.Fatal("no error")
		}
		g := consent.KeyFile{Path: filepath.Join(t.TempDir(), "proof.key")}
		if _, err := g.Checked(ctx, &keyStore{st: consent.KeyState{Fingerprint: "abc"}}, true); err == nil || !strings.Contains(err.Error(), "(fingerprint abc)") {
			t.Fatalf("err = %v", err)
		}
	})
	for _, tc := range []struct {
		name     string
		record   bool
		readOnly bool
		want     int
	}{
		{"UnrecordedIsRecorded", true, false, 1},
		{"UnrecordedDryRun", false, false, 0},
		{"UnrecordedReadOnly", true, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := writeKey(t, keyHex+"\n", 0o600)
			s := &keyStore{readOnly: tc.readOnly}
			got, err := f.Checked(ctx, s, tc.record)
			if err != nil || !bytes.Equal(got, key) {
				t.Fatalf("Checked = %x, %v", got, err)
			}
			if len(s.recorded) != tc.want || (tc.want == 1 && s.recorded[0] != fp) {
				t.Errorf("recorded %q, want %d of %s", s.recorded, tc.want, fp)
			}
		})
	}
}

func TestKeyFileEnsure(t *testing.T) {
	ctx := context.Background()
	t.Run("MadeOnceThenUsed", func(t *testing.T) {
		f := consent.KeyFile{Path: filepath.Join(t.TempDir(), "proof.key")}
		s := &keyStore{}
		key, err := f.Ensure(ctx, s)
		if err != nil || len(key) != consent.KeySize {
			t.Fatalf("Ensure = %x, %v", key, err)
		}
		fp, _ := consent.KeyFingerprint(key)
		if len(s.recorded) != 1 || s.recorded[0] != fp {
			t.Fatalf("recorded %q, want %s", s.recorded, fp)
		}
		again, err := f.Ensure(ctx, s)
		if err != nil || !bytes.Equal(again, key) || len(s.recorded) != 1 {
			t.Fatalf("second Ensure = %x, %v, recorded %q", again, err, s.recorded)
		}
	})
	t.Run("MissingKeyIsNotMadeAgain", func(t *testing.T) {
		f := consent.KeyFile{Path: filepath.Join(t.TempDir(), "proof.key")}
		if _, err := f.Ensure(ctx, &keyStore{st: consent.KeyState{Proofs: 1}}); err == nil {
			t.Fatal("a database that needs a key got a new one")
		}
		if _, err := os.Stat(f.Path); !errors.Is(err, os.ErrNotExist) {
			t.Error("a key file was made")
		}
	})
	t.Run("AnotherKeyRecordedMeanwhile", func(t *testing.T) {
		f := consent.KeyFile{Path: filepath.Join(t.TempDir(), "proof.key")}
		other := strings.Repeat("c", 64)
		_, err := f.Ensure(ctx, &keyStore{other: other})
		if err == nil || !strings.Contains(err.Error(), "is not the key this database was used with") {
			t.Fatalf("err = %v", err)
		}
		// The advice names the key the database holds, not the one just made.
		if h := hints(t, err); len(h) != 1 || !strings.Contains(h[0], other[:16]) {
			t.Errorf("hints %q", h)
		}
	})
}

func TestKeyStatus(t *testing.T) {
	key, _ := hex.DecodeString(keyHex)
	fp, _ := consent.KeyFingerprint(key)
	dir := t.TempDir()
	missing := consent.KeyFile{Path: filepath.Join(dir, "none.key")}
	good := writeKey(t, keyHex+"\n", 0o600)
	bad := writeKey(t, "x", 0o600)
	for _, tc := range []struct {
		f       consent.KeyFile
		st      consent.KeyState
		want    consent.KeyStatus
		key, er bool
	}{
		{missing, consent.KeyState{}, consent.KeyNone, false, false},
		{missing, consent.KeyState{Proofs: 1}, consent.KeyMissing, false, true},
		{missing, consent.KeyState{Fingerprint: fp}, consent.KeyMissing, false, true},
		{bad, consent.KeyState{Fingerprint: fp}, consent.KeyUnreadable, false, true},
		{good, consent.KeyState{}, consent.KeyUnrecorded, true, false},
		{good, consent.KeyState{Fingerprint: strings.Repeat("1", 64)}, consent.KeyDiffers, false, true},
		{good, consent.KeyState{Fingerprint: fp}, consent.KeyMatches, true, false},
	} {
		t.Run(string(tc.want), func(t *testing.T) {
			k, got, err := tc.f.Status(tc.st)
			if got != tc.want || (k != nil) != tc.key || (err != nil) != tc.er {
				t.Fatalf("Status = %x, %s, %v; want %s (key %v, error %v)", k, got, err, tc.want, tc.key, tc.er)
			}
		})
	}
}

// lostKeyStore is the database's side of replacing a lost key.
type lostKeyStore struct {
	fingerprints []string
	err          error
}

func (s *lostKeyStore) ReplaceLostProofKey(_ context.Context, fp string) (consent.Unmatchable, error) {
	if s.err != nil {
		return consent.Unmatchable{}, s.err
	}
	s.fingerprints = append(s.fingerprints, fp)
	return consent.Unmatchable{Proofs: 4, Rooms: 7}, nil
}

func TestKeyFileReplaceLost(t *testing.T) {
	ctx := context.Background()
	t.Run("Made", func(t *testing.T) {
		f := consent.KeyFile{Path: filepath.Join(t.TempDir(), "proof.key")}
		s := &lostKeyStore{}
		n, err := f.ReplaceLost(ctx, s)
		if err != nil || n != (consent.Unmatchable{Proofs: 4, Rooms: 7}) {
			t.Fatalf("ReplaceLost = %+v, %v", n, err)
		}
		key, err := f.Read()
		if err != nil || key == nil {
			t.Fatalf("the new key reads as %x, %v", key, err)
		}
		if fp, _ := consent.KeyFingerprint(key); len(s.fingerprints) != 1 || s.fingerprints[0] != fp {
			t.Errorf("recorded %q, want the new key's %s", s.fingerprints, fp)
		}
	})
	t.Run("ExistingNeverReplaced", func(t *testing.T) {
		// Whatever the file holds, even a damaged key, it stays.
		f := writeKey(t, "damaged", 0o600)
		s := &lostKeyStore{}
		for _, err := range []error{f.Absent(), func() error { _, err := f.ReplaceLost(ctx, s); return err }()} {
			want := fmt.Sprintf("proof key %s exists; it is not replaced", f.Path)
			if err == nil || err.Error() != want {
				t.Fatalf("err = %v, want %q", err, want)
			}
			hints(t, err)
		}
		if b, _ := os.ReadFile(f.Path); string(b) != "damaged" || len(s.fingerprints) != 0 {
			t.Errorf("file %q, recorded %q", b, s.fingerprints)
		}
	})
	t.Run("RecordFailsKeyRemoved", func(t *testing.T) {
		f := consent.KeyFile{Path: filepath.Join(t.TempDir(), "proof.key")}
		boom := errors.New("database is locked")
		if _, err := f.ReplaceLost(ctx, &lostKeyStore{err: boom}); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the store's", err)
		}
		if err := f.Absent(); err != nil {
			t.Errorf("the unrecorded key file stayed: %v", err)
		}
	})
}
