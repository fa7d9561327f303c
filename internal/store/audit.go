package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/session"
)

// appendAudit adds the next event to the chain inside tx, the transaction of
// the change it records.
func appendAudit(ctx context.Context, tx *sql.Tx, now time.Time, action, object string, details map[string]string) error {
	var head audit.Head
	err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").Scan(&head.Seq, &head.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read audit head: %w", err)
	}
	id, err := session.NewID()
	if err != nil {
		return err
	}
	e, err := audit.Seal(head, audit.Event{ID: id, At: now, Action: action, Object: object, Details: details})
	if err != nil {
		return fmt.Errorf("audit event %s: %w", action, err)
	}
	det, err := json.Marshal(e.Details)
	if err != nil {
		return err
	}
	if e.Details == nil {
		det = []byte("{}")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_events (seq, id, at, action, object, details, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.ID, audit.FormatTime(e.At), e.Action, e.Object, string(det), e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("write audit event: %w", err)
	}
	return nil
}
