// Command samewrites is the baseline for `counsel session new` in bench/run.sh: the least a Go
// program must do to make the writes counsel makes for a session with a new client. It opens
// the database with the store's own connection settings (internal/store/sqlitedsn), and in one
// transaction inserts a person, a session, the participant link and the consent notice event,
// and the six audit events counsel appends for them (session created, notice sent, and one
// record event per row, each read back for its digest), each chained to the head it reads
// first; then it closes with the same checkpoint as the store.
//
//	samewrites DB
package main

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/expeerienced/counsel/internal/store/sqlitedsn"
	_ "modernc.org/sqlite"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: samewrites DB")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "samewrites:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	db, err := sql.Open("sqlite", sqlitedsn.Write(path))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	now := time.Now().UTC().Format("2006-01-02T15:04:05Z")
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	person, sess, link, event := rand.Text(), rand.Text(), rand.Text(), rand.Text()
	audit := func(action, object, details string) error {
		var seq int64
		var prev string
		if err := tx.QueryRow("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").Scan(&seq, &prev); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		h := sha256.Sum256([]byte(fmt.Sprintf("%d\x00%s\x00%s\x00%s\x00%s\x00%s", seq+1, now, action, object, details, prev)))
		_, err := tx.Exec(`INSERT INTO audit_events (seq, id, at, action, object, details, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, seq+1, rand.Text(), now, action, object, details, prev, hex.EncodeToString(h[:]))
		return err
	}
	// record reads a row back and appends its digest, as the store's record events do.
	record := func(table, id string) error {
		rows, err := tx.Query("SELECT * FROM "+table+" WHERE id = ?", id)
		if err != nil {
			return err
		}
		cols, _ := rows.Columns()
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		d := sha256.New()
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			for _, v := range vals {
				d.Write(v)
				d.Write([]byte{0})
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		return audit("record.put", id, fmt.Sprintf(`{"digest":"%x","table":"%s"}`, d.Sum(nil), table))
	}
	steps := []func() error{
		func() error {
			_, err := tx.Exec("INSERT INTO people (id, name, name_key, created_at, name_digest_key) VALUES (?, ?, ?, ?, randomblob(32))",
				person, "Bench-"+person, "bench-"+person, now)
			return err
		},
		func() error { return record("people", person) },
		func() error {
			_, err := tx.Exec(`INSERT INTO sessions (id, provider_id, kind, meeting_id, join_url, place, starts_at, timezone,
				duration_min, status, created_at, sequence, invite_version, series_id)
				VALUES (?, 'sichere-videokonferenz', 'jitsi', '', ?, 'Videoberatung', '2026-12-03T09:00:00Z', 'Europe/Berlin', 50, 'scheduled', ?, 0, 2, NULL)`,
				sess, "https://sichere-videokonferenz.de/"+sess, now)
			return err
		},
		func() error {
			return audit("session.created", sess, `{"participants":"1","person":"`+person+`","provider":"sichere-videokonferenz","starts_at":"2026-12-03T09:00:00Z"}`)
		},
		func() error { return record("sessions", sess) },
		func() error {
			_, err := tx.Exec("INSERT INTO session_participants (id, session_id, person_id) VALUES (?, ?, ?)", link, sess, person)
			return err
		},
		func() error { return record("session_participants", link) },
		func() error {
			_, err := tx.Exec(`INSERT INTO consent_events (id, person_id, session_id, event, timestamp, jurisdiction, legal_basis,
				purpose, notice_language, notice_version, notice_hash, collection_method, recorded_by)
				VALUES (?, ?, ?, 'notice_sent', ?, 'DE', 'GDPR Art. 9(2)(a)', 'peer counselling', 'de', '2026-11', ?, '', 'counsellor')`,
				event, person, sess, now, hex.EncodeToString(make([]byte, 32)))
			return err
		},
		func() error {
			return audit("consent.notice_sent", event, `{"notice_hash":"00","notice_version":"2026-11","person":"`+person+`","session":"`+sess+`"}`)
		},
		func() error { return record("consent_events", event) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return err
	}
	return db.Close()
}
