package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// proofKeySetting is the settings row that holds the proof key's fingerprint.
const proofKeySetting = "proof_key_fingerprint"

// ErrProofKeyMismatch means a different proof key fingerprint is already recorded.
var ErrProofKeyMismatch = errors.New("a different proof key is recorded for this database")

// ProofKeyState is what the database knows of the proof key: the fingerprint recorded when
// the key was made or first used ("" if none) and how many withdrawal proofs depend on it.
type ProofKeyState struct {
	Fingerprint string
	Proofs      int
}

// ProofKeyState reads the recorded fingerprint and the number of withdrawal proofs.
func (d *DB) ProofKeyState(ctx context.Context) (ProofKeyState, error) {
	var st ProofKeyState
	err := d.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT value FROM settings WHERE name = ?), ''),
		(SELECT count(*) FROM withdrawals)`, proofKeySetting).Scan(&st.Fingerprint, &st.Proofs)
	return st, mapErr(err)
}

// RecordProofKey records the fingerprint of the proof key, with its record event, when none is
// recorded yet. The same fingerprint again changes nothing; a different one is
// ErrProofKeyMismatch.
func (d *DB) RecordProofKey(ctx context.Context, fingerprint string) error {
	if len(fingerprint) != 64 {
		return errors.New("proof key fingerprint must be 64 hex digits")
	}
	return d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		var have string
		err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = ?", proofKeySetting).Scan(&have)
		switch {
		case err == nil && have == fingerprint:
			return nil
		case err == nil:
			return ErrProofKeyMismatch
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES (?, ?)", proofKeySetting, fingerprint); err != nil {
			return fmt.Errorf("record proof key fingerprint: %w", err)
		}
		return recordRow(ctx, tx, now, tableSettings, proofKeySetting)
	})
}
