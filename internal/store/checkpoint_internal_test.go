package store

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
)

// The checkpoint shortens the busy timeout of its connection; the statements after it
// must wait for other processes as long as every other statement does.
func TestCheckpointRestoresBusyTimeout(t *testing.T) {
	d := filledDB(t, 1)
	if _, err := d.checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ms int
	if err := d.db.QueryRow("PRAGMA busy_timeout").Scan(&ms); err != nil {
		t.Fatal(err)
	}
	if want := int(busyTimeout / time.Millisecond); ms != want {
		t.Errorf("busy_timeout after a checkpoint = %d ms, want %d", ms, want)
	}
}

// A checkpoint that fails (not merely blocked by a reader) after a withdrawal committed
// must not make the withdrawal look failed: the result is complete and the error says it
// is the checkpoint's.
func TestRevokeCheckpointFailureIsNotAFailedWithdrawal(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "counsel.db"), func() time.Time { return fixtureNow })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	key := bytes.Repeat([]byte{0x5a}, consent.KeySize)
	id, _ := session.NewID()
	s := session.Session{ID: id, ClientName: "Pseudo-Fail-Q3", ProviderID: "prov-jitsi", Kind: "jitsi", Place: "Videoberatung",
		JoinURL: "https://jitsi.example.org/r" + strings.ReplaceAll(id, "-", ""), Start: fixtureNow.Add(24 * time.Hour),
		Timezone: "Europe/Berlin", Duration: 50 * time.Minute}
	if _, err := d.CreateSession(ctx, NewSession{Session: s, Notice: consent.Notice{Language: "de", Version: "v1", Hash: strings.Repeat("ab", 32)},
		RecordedBy: "Counsellor X", ProofKey: key}); err != nil {
		t.Fatal(err)
	}
	sub, err := d.FindSubject(ctx, SubjectQuery{Ref: id, AllowSession: true, ProofKey: key})
	if err != nil {
		t.Fatal(err)
	}
	saved := walCheckpoint
	walCheckpoint = "SELECT 1, 2, 3 FROM no_such_table"
	t.Cleanup(func() { walCheckpoint = saved })
	res, err := d.RevokeConsent(ctx, Revocation{PersonID: sub.Person.ID, ProofKey: key, RetentionYears: 3, Location: time.UTC})
	var ce *CheckpointError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *CheckpointError", err)
	}
	if res.Checkpointed || res.Withdrawal.ID == "" || len(res.Plan.Delete) != 1 {
		t.Errorf("result %+v, want the committed withdrawal, not checkpointed", res)
	}
	var n int
	if err := d.db.QueryRow("SELECT count(*) FROM withdrawals").Scan(&n); err != nil || n != 1 {
		t.Errorf("withdrawals stored: %d (%v), want 1", n, err)
	}
}
