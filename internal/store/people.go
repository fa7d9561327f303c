package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
)

// personByKey finds the person (not erased) whose name has this comparison
// key (session.NameKey).
func personByKey(ctx context.Context, tx querier, key string) (consent.Person, error) {
	return scanPerson(tx.QueryRowContext(ctx, "SELECT "+personColumns+" FROM people WHERE name_key = ?", key))
}

// foundPerson is the person a new session belongs to.
type foundPerson struct {
	ID string
	// Created: the person is new. Otherwise SpellingDiffers says the name was
	// typed differently from the stored spelling (same key).
	Created, SpellingDiffers bool
}

// findOrCreatePerson returns the person whose name has the key of name
// (normalised, session.NormaliseName), creating the row with this spelling
// if there is none. known is that person as admitSession found them in the
// same transaction (a zero Person for a new name), so they are not looked up
// twice. rec binds the new row to the trail.
func findOrCreatePerson(ctx context.Context, tx *sql.Tx, rec *recorder, now time.Time, name string, known consent.Person) (foundPerson, error) {
	key := session.NameKey(name)
	if key == "" {
		return foundPerson{}, fmt.Errorf("the name or pseudonym %w", session.ErrNameEmpty)
	}
	if known.ID != "" {
		return foundPerson{ID: known.ID, SpellingDiffers: known.Name != name}, nil
	}
	id, err := session.NewID()
	if err != nil {
		return foundPerson{}, err
	}
	// The name's own digest key is erased with the name (docs/audit-chain.md, "Records").
	if _, err := tx.ExecContext(ctx, "INSERT INTO people (id, name, name_key, created_at, name_digest_key) VALUES (?, ?, ?, ?, randomblob(32))",
		id, name, key, formatTime(now)); err != nil {
		return foundPerson{}, fmt.Errorf("store person: %w", err)
	}
	return foundPerson{ID: id, Created: true}, rec.row(ctx, tx, now, tablePeople, id)
}

// fillNameKeys is the Go step of migration 0003: it gives every person not
// erased the key of their name. People whose names have the same key (made
// by earlier versions, which compared spellings) are one person: the later
// ones are merged into the earliest, their sessions and consent events
// moved to it, each merge an audit event with the two IDs and counts. A name
// whose key is empty (only invisible characters, accepted by earlier
// versions) keeps no key: that person is found by a session ID.
func fillNameKeys(ctx context.Context, tx *sql.Tx, now time.Time) error {
	type row struct{ id, name string }
	people, err := selectAll(ctx, tx, func(s scanner) (r row, err error) { return r, s.Scan(&r.id, &r.name) },
		"SELECT id, name FROM people WHERE name IS NOT NULL AND name_key IS NULL ORDER BY created_at, id")
	if err != nil {
		return err
	}
	owner := make(map[string]string) // key -> the earliest person with it
	for _, p := range people {
		key := session.NameKey(p.name)
		if key == "" {
			continue
		}
		if into, ok := owner[key]; ok {
			if err := mergePerson(ctx, tx, now, into, p.id); err != nil {
				return err
			}
			continue
		}
		owner[key] = p.id
		if _, err := tx.ExecContext(ctx, "UPDATE people SET name_key = ? WHERE id = ?", key, p.id); err != nil {
			return fmt.Errorf("person %s: store the name key: %w", p.id, err)
		}
	}
	return nil
}

// mergePerson moves everything of person from to person into and deletes
// from, with an audit event.
func mergePerson(ctx context.Context, tx *sql.Tx, now time.Time, into, from string) error {
	moved := make(map[string]string)
	var rows [][]string // IDs of the moved rows, per table, for the trail
	tables := []string{tableSessions, tableConsentEvents}
	for _, table := range tables {
		ids, err := selectStrings(ctx, tx, "SELECT id FROM "+table+" WHERE person_id = ? ORDER BY id", from)
		if err != nil {
			return fmt.Errorf("merge person %s into %s: %w", from, into, err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET person_id = ? WHERE person_id = ?", into, from); err != nil {
			return fmt.Errorf("merge person %s into %s: %w", from, into, err)
		}
		moved[table] = fmt.Sprint(len(ids))
		rows = append(rows, ids)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM people WHERE id = ?", from); err != nil {
		return fmt.Errorf("merge person %s into %s: %w", from, into, err)
	}
	moved["merged_person"] = from
	moved["reason"] = "same_name_key"
	if err := appendAudit(ctx, tx, now, audit.ActionPersonMerged, into, moved); err != nil {
		return err
	}
	// Every changed row is bound to the trail again (record.put for the moved
	// rows, record.deleted for the merged person's row).
	for i, table := range tables {
		if err := recordRows(ctx, tx, now, table, rows[i]); err != nil {
			return err
		}
	}
	return recordRow(ctx, tx, now, tablePeople, from)
}
