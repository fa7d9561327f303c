package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
)

// FixtureSpec describes a synthetic database for benchmarks and reliability tests
// (cmd/counselbench). counsel itself never calls Fill, so the linker leaves it out of the
// released binary.
type FixtureSpec struct {
	Sessions int // sessions to create
	// PerPerson is how many sessions one person has on average (default 20): names are
	// synthetic pseudonyms "Client-NNNNNNN".
	PerPerson int
	// From and Until bound the creation times, spread evenly; each session starts an hour
	// to half a year (ten days on average) after it was created. Keep From within the retention period of
	// the clock that later uses the database, or its first write purges the sessions.
	From, Until time.Time
	// CancelEvery cancels every n-th session, ConfirmEvery records consent given by every
	// n-th person (0: none).
	CancelEvery, ConfirmEvery int
	Seed                      uint64 // the same seed gives the same plans and names; IDs stay random
	// ProgressEvery is how many sessions pass between calls of Fill's progress (default
	// 10,000). CacheKiB is the page cache of the one transaction (default 256 MiB, so that
	// nothing is written before the commit); a small one makes SQLite write uncommitted
	// pages to the log early, as the crash tests want.
	ProgressEvery, CacheKiB int
}

// FixtureStats counts what Fill stored.
type FixtureStats struct {
	Sessions, People, Cancelled, ConsentEvents, AuditEvents int
}

// fixturePlaces includes a comma and a quote so that CSV exports quote some cells.
var fixturePlaces = [...]string{"Online", "Beratungsstelle Erfurt", "Ilmenau, Raum 2", "Praxis \"Am Markt\" Weimar", "Online"}

// Fill adds spec.Sessions sessions to d through the code CreateSession runs, with their
// people, consent notices, some cancellations and confirmations and every audit event (one
// valid chain), in a single transaction: all or nothing, and fast because SQLite syncs once.
// progress (may be nil) is called every spec.ProgressEvery sessions.
func Fill(ctx context.Context, d *DB, spec FixtureSpec, progress func(done int)) (FixtureStats, error) {
	var st FixtureStats
	if spec.Sessions < 0 || spec.CancelEvery < 0 || spec.ConfirmEvery < 0 {
		return st, errors.New("fixture counts must not be negative")
	}
	if !spec.Until.After(spec.From) {
		return st, errors.New("fixture: Until must be after From")
	}
	if spec.PerPerson <= 0 {
		spec.PerPerson = 20
	}
	people := max(1, spec.Sessions/spec.PerPerson)
	step := spec.Until.Sub(spec.From) / time.Duration(max(1, spec.Sessions))
	rng := rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15))
	sum := sha256.Sum256([]byte("Einwilligung (synthetisch)"))
	notice := consent.Notice{Language: "de", Version: "fixture-1", Hash: hex.EncodeToString(sum[:])}
	confirmed := make(map[int]bool)
	// No fixture person has withdrawn; the key only lets the check run.
	proofKey := sha256.Sum256([]byte("fixture proof key"))

	if spec.ProgressEvery <= 0 {
		spec.ProgressEvery = 10_000
	}
	if spec.CacheKiB <= 0 {
		spec.CacheKiB = 256 << 10
	}
	// A large page cache keeps the indexes of a million rows in memory for the one big
	// transaction; the connection is the database's only one, and this is a fixture tool.
	if _, err := d.db.ExecContext(ctx, "PRAGMA cache_size = -"+strconv.Itoa(spec.CacheKiB)); err != nil {
		return st, mapErr(err)
	}
	defer d.db.ExecContext(ctx, "PRAGMA cache_size = -2000")
	err := d.inTx(ctx, func(tx *sql.Tx, _ time.Time) error {
		st = FixtureStats{}
		var eventsBefore int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM audit_events").Scan(&eventsBefore); err != nil {
			return err
		}
		for i := range spec.Sessions {
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			now := spec.From.Add(time.Duration(i) * step).UTC().Truncate(time.Second)
			person := rng.IntN(people)
			ns, err := fixtureSession(rng, now, person)
			if err != nil {
				return err
			}
			ns.Notice, ns.RecordedBy, ns.ProofKey = notice, "Muster Person", proofKey[:]
			c, err := createSession(ctx, tx, now, ns)
			if err != nil {
				return fmt.Errorf("fixture session %d: %w", i, err)
			}
			s := c.Session
			st.Sessions++
			st.ConsentEvents++
			if spec.CancelEvery > 0 && i%spec.CancelEvery == spec.CancelEvery-1 {
				if _, err := tx.ExecContext(ctx, "UPDATE sessions SET status = 'cancelled', cancelled_at = ? WHERE id = ?",
					formatTime(now), s.ID); err != nil {
					return fmt.Errorf("fixture cancel: %w", err)
				}
				if err := appendAudit(ctx, tx, now, audit.ActionSessionCancelled, s.ID, map[string]string{"reason": "counsellor"}); err != nil {
					return err
				}
				if err := recordRow(ctx, tx, now, tableSessions, s.ID); err != nil {
					return err
				}
				st.Cancelled++
			}
			if spec.ConfirmEvery > 0 && person%spec.ConfirmEvery == 0 && !confirmed[person] {
				confirmed[person] = true
				if err := fixtureConsent(ctx, tx, now, s.ClientName, notice); err != nil {
					return err
				}
				st.ConsentEvents++
			}
			if progress != nil && (i+1)%spec.ProgressEvery == 0 {
				progress(i + 1)
			}
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM audit_events").Scan(&st.AuditEvents); err != nil {
			return err
		}
		st.AuditEvents -= eventsBefore
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM people").Scan(&st.People)
	})
	if err != nil {
		return FixtureStats{}, err
	}
	return st, nil
}

// fixtureSession plans one session of person created at now, the way session new would.
func fixtureSession(rng *rand.Rand, now time.Time, person int) (NewSession, error) {
	id, err := session.NewID()
	if err != nil {
		return NewSession{}, err
	}
	// Most sessions are booked a week or two ahead, a few months ahead.
	ahead := time.Duration(min(rng.ExpFloat64()*10, 180) * float64(24*time.Hour))
	start := now.Add(time.Hour + ahead).Truncate(15 * time.Minute)
	s := session.Session{
		ID:         id,
		ClientName: fmt.Sprintf("Client-%07d", person),
		Place:      fixturePlaces[rng.IntN(len(fixturePlaces))],
		Start:      start,
		Timezone:   "Europe/Berlin",
		Duration:   []time.Duration{50 * time.Minute, time.Hour, 90 * time.Minute}[rng.IntN(3)],
		Kind:       "jitsi",
	}
	switch rng.IntN(4) {
	case 0:
		s.ProviderID, s.Kind = "blizz", "blizz"
		// A Blizz personal meeting ID is the person's own (one room, one client), in the
		// form session new stores (provider.BlizzID.String, no dashes), so that a session new
		// with it goes into the person's room as a counsellor's would.
		s.MeetingID = fmt.Sprintf("m%08d", person%100_000_000)
		s.JoinURL = "https://go.blizz.com/join/" + s.MeetingID
	case 1:
		s.ProviderID, s.JoinURL = "jitsi-fem-tu-ilmenau", "https://jitsi.fem.tu-ilmenau.de/"+fixtureRoom(rng)
	case 2:
		s.ProviderID, s.JoinURL = "sichere-videokonferenz", "https://sichere-videokonferenz.de/"+fixtureRoom(rng)
	default:
		s.ProviderID, s.JoinURL = "jitsi-hamburg-freifunk", "https://meet.hamburg.freifunk.net/"+fixtureRoom(rng)
	}
	return NewSession{Session: s}, nil
}

func fixtureRoom(rng *rand.Rand) string {
	const alphabet = "abcdefghijkmnopqrstuvwxyz23456789"
	b := make([]byte, 24)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// fixtureConsent records consent given by e-mail at now, as ConfirmConsent does.
func fixtureConsent(ctx context.Context, tx *sql.Tx, now time.Time, name string, n consent.Notice) error {
	p, err := personByKey(ctx, tx, session.NameKey(name))
	if err != nil {
		return err
	}
	e, err := consent.GivenEvent(p.ID, n, consent.MethodEmail, now, "Muster Person")
	if err != nil {
		return err
	}
	return consentGiven(ctx, tx, now, e)
}
