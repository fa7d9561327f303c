package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/session"
)

// Errors of RenamePerson.
var (
	ErrNameTaken     = errors.New("the new name belongs to another person")
	ErrNameUnchanged = errors.New("the person's name is already spelt this way")
	ErrNameWithdrawn = errors.New("a person of the new name withdrew their consent")
)

// Rename is a correction of a person's name (GDPR Art. 16).
type Rename struct {
	Ref      string // the person: name or session ID, as for FindSubject
	NewName  string // normalised (session.NormaliseName)
	ProofKey []byte // nil: withdrawal proofs cannot be matched
}

// Renamed says what RenamePerson changed.
type Renamed struct {
	PersonID string
	Sessions int // sessions that now show the corrected name
}

// RenamePerson corrects a person's name in one transaction: the name and
// its comparison key change, the name's digest key is renewed (so the old
// spelling cannot be tested against the trail's earlier digest), and the
// audit event names only the person's ID. A new name whose comparison key
// belongs to another person is refused (ErrNameTaken), as is one whose
// consent was withdrawn (ErrNameWithdrawn): neither may be merged by a
// rename.
func (d *DB) RenamePerson(ctx context.Context, r Rename) (Renamed, error) {
	var res Renamed
	key := session.NameKey(r.NewName)
	if key == "" {
		return res, fmt.Errorf("the new name or pseudonym %w", session.ErrNameEmpty)
	}
	err := d.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		sub, err := findSubject(ctx, tx, SubjectQuery{Ref: r.Ref, AllowSession: true})
		if err != nil {
			return err
		}
		p := sub.Person
		if p.ID == "" || p.Erased() {
			return &WithdrawnError{At: p.ErasedAt}
		}
		if p.Name == r.NewName {
			return ErrNameUnchanged
		}
		if other, err := personByKey(ctx, tx, key); err == nil && other.ID != p.ID {
			return ErrNameTaken
		} else if err != nil && !errors.Is(err, ErrNoPerson) {
			return err
		}
		if r.ProofKey != nil && session.NameKey(p.Name) != key {
			ws, err := withdrawalsByName(ctx, tx, r.ProofKey, r.NewName)
			if err != nil {
				return err
			}
			if len(ws) > 0 {
				return ErrNameWithdrawn
			}
		}
		if err := checkRowUnchanged(ctx, tx, tablePeople, p.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE people SET name = ?, name_key = ?, name_digest_key = randomblob(32) WHERE id = ?",
			r.NewName, key, p.ID); err != nil {
			if strings.Contains(err.Error(), "UNIQUE") { // the key's index: another person has it
				return ErrNameTaken
			}
			return fmt.Errorf("rename person: %w", err)
		}
		res = Renamed{PersonID: p.ID, Sessions: len(sub.Sessions)}
		if err := appendAudit(ctx, tx, now, audit.ActionPersonRenamed, p.ID, map[string]string{
			"sessions": strconv.Itoa(res.Sessions),
		}); err != nil {
			return err
		}
		return recordRow(ctx, tx, now, tablePeople, p.ID)
	})
	return res, err
}
