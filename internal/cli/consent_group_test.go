package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// The new invitations of consent revoke --reinvite go through outputFiles: when they cannot
// be made after the folder for them was (here the group's provider is no longer in the list),
// the folder goes again, with the folders made for it, and no file is left.
func TestReinviteRefusedLeavesNoFolder(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	a := &app{deps: Deps{Stdout: io.Discard, Stderr: io.Discard, Now: func() time.Time { return now }}}
	a.changed = "consent of person 0000abcd is withdrawn and the name erased"
	res := store.Revoked{Groups: []store.GroupLeft{{
		Session: session.Session{ID: "01a00000-0000-7000-8000-000000000001", ProviderID: "gone", Kind: "jitsi",
			JoinURL: "https://meet.example/newroom", Start: now.AddDate(0, 0, 7), Timezone: "Europe/Berlin", Duration: time.Hour},
		OldJoinURL: "https://meet.example/oldroom",
		Remaining:  []consent.Person{{ID: "p1", Name: "Client-A"}, {ID: "p2", Name: "Client-C"}},
	}}}
	parent := filepath.Join(home, "out")
	err := a.reinvite(io.Discard, res, filepath.Join(parent, "re"), now)
	if err == nil || !strings.Contains(err.Error(), "provider gone of session 00000001 is no longer in the provider list") {
		t.Fatalf("err = %v, want the missing provider", err)
	}
	if _, err := os.Lstat(parent); !os.IsNotExist(err) {
		t.Errorf("the folders made for the invitations are still there: %v", err)
	}

	// A folder that was there stays, with nothing of this run in it.
	if err := os.Mkdir(parent, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := a.reinvite(io.Discard, res, parent, now); err == nil {
		t.Fatal("no error")
	}
	if entries, err := os.ReadDir(parent); err != nil || len(entries) != 0 {
		t.Errorf("the existing folder: %v, %v; want it there and empty", entries, err)
	}
}
