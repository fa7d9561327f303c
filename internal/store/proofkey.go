package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
)

// proofKeySetting is the settings row that holds the proof key's fingerprint.
const proofKeySetting = "proof_key_fingerprint"

// ErrFingerprintRemoved means the trail recorded a fingerprint that the settings table no
// longer holds: it was deleted outside counsel, and a key is not accepted in its place.
var ErrFingerprintRemoved = errors.New("the proof key fingerprint this database recorded was deleted outside counsel; run 'counsel audit verify' and restore the database and the key from your backup")

// The database is where consent.KeyFile checks and records the key.
var (
	_ consent.KeyStore     = (*DB)(nil)
	_ consent.LostKeyStore = (*DB)(nil)
)

// ProofKeyState reads the recorded fingerprint and the number of withdrawal proofs.
func (d *DB) ProofKeyState(ctx context.Context) (consent.KeyState, error) {
	var st consent.KeyState
	err := d.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT value FROM settings WHERE name = ?), ''),
		(SELECT count(*) FROM withdrawals)`, proofKeySetting).Scan(&st.Fingerprint, &st.Proofs)
	return st, mapErr(err)
}

// RecordProofKey records the fingerprint of the proof key, with its record event, when none is
// recorded yet. The same fingerprint again changes nothing; a different one is
// consent.ErrOtherKeyRecorded.
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
			return consent.ErrOtherKeyRecorded
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		// A first fingerprint only: one the trail already recorded must not be
		// replaced by deleting the row and using another key.
		var recorded bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_events WHERE action = ? AND object = ?
			AND json_extract(details, '$.table') = ?)`, audit.ActionRecordPut, proofKeySetting, tableSettings).Scan(&recorded); err != nil {
			return err
		}
		if recorded {
			return ErrFingerprintRemoved
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES (?, ?)", proofKeySetting, fingerprint); err != nil {
			return fmt.Errorf("record proof key fingerprint: %w", err)
		}
		return recordRow(ctx, tx, now, tableSettings, proofKeySetting)
	})
}

// ReplaceLostProofKey records the fingerprint of a new proof key in place of a lost one, with
// an audit event saying how many withdrawal proofs and remembered rooms can no longer be
// matched (the counts it returns), in one transaction. It is for a key that is lost for good;
// the caller makes sure no key file exists.
func (d *DB) ReplaceLostProofKey(ctx context.Context, fingerprint string) (consent.Unmatchable, error) {
	if len(fingerprint) != 64 {
		return consent.Unmatchable{}, errors.New("proof key fingerprint must be 64 hex digits")
	}
	var proofs, rooms int
	err := d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		// Remembered rooms are digests under the lost key too: the new key
		// recognises none of them.
		if err := tx.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM withdrawals), (SELECT count(*) FROM retired_rooms)").Scan(&proofs, &rooms); err != nil {
			return err
		}
		if err := checkRowUnchanged(ctx, tx, tableSettings, proofKeySetting); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, proofKeySetting, fingerprint); err != nil {
			return fmt.Errorf("record proof key fingerprint: %w", err)
		}
		if err := appendAudit(ctx, tx, now, audit.ActionProofKeyReplaced, "", map[string]string{
			"proofs_unmatchable": fmt.Sprint(proofs),
			"rooms_unmatchable":  fmt.Sprint(rooms),
		}); err != nil {
			return err
		}
		return recordRow(ctx, tx, now, tableSettings, proofKeySetting)
	})
	if err != nil {
		return consent.Unmatchable{}, err
	}
	return consent.Unmatchable{Proofs: proofs, Rooms: rooms}, nil
}
