package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// The tests in this file prove design rule 3: erased means not recoverable
// from the database file, its -wal, -shm or -journal. They build a database
// the way a counsellor's grows (hundreds of sessions, people with short,
// long, non-ASCII and page-overflowing names, consent events, cancellations,
// earlier withdrawals, WAL checkpoints along the way), erase one person, and
// scan the raw bytes of every file whose name begins with the database
// file's name.

var testKey = bytes.Repeat([]byte{0x5a}, consent.KeySize)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock(t time.Time) *clock    { return &clock{t: t} }
func openWith(tb testing.TB, path string, c *clock) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), path, c.now)
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

// person is a synthetic client. needle is what the raw scan looks for: the
// name itself, or for names longer than a page can hold locally a tag that
// repeats through the whole name, so that any fragment of it on an overflow
// page is found too.
type person struct {
	name   string
	needle string
}

func people() []person {
	var ps []person
	for i := range 20 {
		tag := fmt.Sprintf("Pseudo%02dQx", i)
		var name string
		switch i % 5 {
		case 0: // short
			name = tag
		case 1: // non-ASCII, NFC
			name = tag + " Müller-Çelik"
		case 2: // as long as the CLI allows (100 characters)
			name = tag + " " + strings.Repeat("ä", 100-len(tag)-1)
		case 3: // longer than an index cell holds on a 4 KiB page: overflow pages
			name = strings.Repeat(tag+" ", 300)
		case 4: // longer than a table cell holds: overflow in the table b-tree too
			name = strings.Repeat(tag+"-", 500)
		}
		ps = append(ps, person{name: strings.TrimSpace(name), needle: tag})
	}
	return ps
}

func notice(i int) consent.Notice {
	sum := sha256.Sum256([]byte(fmt.Sprint("notice ", i%3)))
	return consent.Notice{Language: "de", Version: fmt.Sprint("v", i%3), Hash: hex.EncodeToString(sum[:])}
}

// realistic builds a database with 300 sessions for 20 people over a year of
// clock time, with consents, cancellations and two earlier withdrawals
// interleaved, and returns the session IDs of each person.
func realistic(t *testing.T, db *store.DB, c *clock, ps []person) map[int][]string {
	t.Helper()
	ctx := context.Background()
	ids := map[int][]string{}
	for i := range 300 {
		p := i % len(ps)
		if i == 150 || i == 220 {
			// earlier withdrawals of people 17 and 18, with writes after them
			revokeBySession(t, db, ids[17+(i-150)/70][0])
		}
		if (p == 17 && i >= 150) || (p == 18 && i >= 220) {
			p = 0 // a withdrawn person gets no new sessions
		}
		id, err := session.NewID()
		if err != nil {
			t.Fatal(err)
		}
		kind, meeting, url := "jitsi", "", "https://jitsi.example.org/room"+strings.ReplaceAll(id, "-", "")
		if i%4 == 0 {
			kind, meeting, url = "blizz", fmt.Sprintf("m%08d", 10000000+i), fmt.Sprintf("https://go.blizz.com/join/m%08d", 10000000+i)
		}
		s := session.Session{ID: id, ClientName: ps[p].name, ProviderID: "prov-" + kind, Kind: kind,
			MeetingID: meeting, JoinURL: url, Place: "Videoberatung",
			Start: c.now().Add(time.Duration(i%7-2) * 24 * time.Hour), Timezone: "Europe/Berlin", Duration: 50 * time.Minute}
		if _, err := db.CreateSession(ctx, store.NewSession{Session: s, Notice: notice(i), RecordedBy: "Counsellor X", ProofKey: testKey}); err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
		ids[p] = append(ids[p], id)
		if i%10 == 3 && !longName(ps[p].name) {
			if _, err := db.ConfirmConsent(ctx, store.Confirmation{Name: ps[p].name, Method: consent.MethodEmail, RecordedBy: "Counsellor X"}); err != nil {
				t.Fatalf("confirm %d: %v", i, err)
			}
		}
		if i%9 == 5 {
			if _, err := db.CancelSession(ctx, id); err != nil {
				t.Fatalf("cancel %d: %v", i, err)
			}
		}
		c.add(26 * time.Hour)
	}
	return ids
}

func longName(n string) bool { return len([]rune(n)) > session.MaxNameLen }

func revokeBySession(t *testing.T, db *store.DB, sessionID string) store.Revoked {
	t.Helper()
	ctx := context.Background()
	sub, err := db.FindSubject(ctx, store.SubjectQuery{Ref: sessionID, AllowSession: true, ProofKey: testKey})
	if err != nil {
		t.Fatalf("find subject: %v", err)
	}
	r, err := db.RevokeConsent(ctx, store.Revocation{PersonID: sub.Person.ID, ProofKey: testKey, RetentionYears: 3, Location: time.UTC})
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if !r.Checkpointed {
		t.Fatalf("revoke: checkpoint did not complete")
	}
	return r
}

// scanFiles returns, for each file beginning with the database file's name,
// how often needle occurs in its raw bytes.
func scanFiles(t *testing.T, dbPath, needle string) map[string]int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dbPath))
	if err != nil {
		t.Fatal(err)
	}
	hits := map[string]int{}
	seen := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), filepath.Base(dbPath)) {
			continue
		}
		seen++
		b, err := os.ReadFile(filepath.Join(filepath.Dir(dbPath), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(b, []byte(needle)); n > 0 {
			hits[e.Name()] = n
		}
	}
	if seen == 0 {
		t.Fatalf("no database files next to %s", dbPath)
	}
	return hits
}

func TestRevokeLeavesNoTraceOnDisk(t *testing.T) {
	ps := people()
	targets := []int{5, 1, 2, 3, 4} // short, non-ASCII, 100 characters, index overflow, table overflow
	if testing.Short() {
		targets = []int{5, 4}
	}
	for _, target := range targets {
		t.Run(fmt.Sprintf("person%02d", target), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "counsel.db")
			c := newClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
			db := openWith(t, path, c)
			ids := realistic(t, db, c, ps)
			other := (target + 5) % len(ps) // same kind of name, not revoked

			// Before: the scan sees both names, so it can fail.
			for _, p := range []int{target, other} {
				if hits := scanFiles(t, path, ps[p].needle); len(hits) == 0 {
					t.Fatalf("control: %s not found before the erasure; the scan is blind", ps[p].needle)
				}
			}
			// Two sessions that have not started, with their rooms: deleted with them.
			for i, url := range []string{"https://jitsi.example.org/futureroom" + fmt.Sprint(target), fmt.Sprintf("https://go.blizz.com/join/m%08d", 77000000+target)} {
				id, _ := session.NewID()
				s := session.Session{ID: id, ClientName: ps[target].name, ProviderID: "prov-jitsi", Kind: "jitsi", JoinURL: url,
					Place: "Videoberatung", Start: c.now().Add(time.Duration(i+1) * 48 * time.Hour), Timezone: "Europe/Berlin", Duration: time.Hour}
				if i == 1 {
					s.ProviderID, s.Kind, s.MeetingID = "prov-blizz", "blizz", strings.TrimPrefix(url, "https://go.blizz.com/join/")
				}
				if _, err := db.CreateSession(context.Background(), store.NewSession{Session: s, Notice: notice(i), RecordedBy: "Counsellor X", ProofKey: testKey}); err != nil {
					t.Fatal(err)
				}
			}
			sub, err := db.FindSubject(context.Background(), store.SubjectQuery{Ref: ids[target][0], AllowSession: true, ProofKey: testKey})
			if err != nil {
				t.Fatal(err)
			}
			var rooms []string
			for _, s := range consent.PlanRevoke(sub.Sessions, c.now()).Delete {
				room := strings.TrimPrefix(strings.TrimPrefix(s.JoinURL, "https://jitsi.example.org/"), "https://go.blizz.com/join/")
				if hits := scanFiles(t, path, room); len(hits) == 0 {
					t.Fatalf("control: room of session %s not found before the erasure", s.ID)
				}
				rooms = append(rooms, room)
			}
			if len(rooms) != 2 {
				t.Fatalf("%d sessions that have not started, want the 2 just made", len(rooms))
			}
			r := revokeBySession(t, db, ids[target][len(ids[target])-1])
			if r.EventsDeleted == 0 || len(r.Withdrawal.NoticeHashes) == 0 {
				t.Errorf("revoke folded %d events into %d notice hashes, want both > 0", r.EventsDeleted, len(r.Withdrawal.NoticeHashes))
			}
			if len(r.Plan.Delete) != len(rooms) {
				t.Errorf("revoke deleted %d sessions, want %d", len(r.Plan.Delete), len(rooms))
			}

			// While still open (the explicit checkpoint did the work) and after Close.
			check := func(when string) {
				// The name, and its comparison key (case-folded), anywhere.
				for _, needle := range []string{ps[target].needle, strings.ToLower(ps[target].needle)} {
					if hits := scanFiles(t, path, needle); len(hits) > 0 {
						t.Errorf("%s: erased name %q found in %v", when, needle, hits)
					}
				}
				for _, room := range rooms {
					if hits := scanFiles(t, path, room); len(hits) > 0 {
						t.Errorf("%s: room of a deleted session found in %v", when, hits)
					}
				}
				for _, p := range []int{17, 18} { // withdrew earlier
					if hits := scanFiles(t, path, ps[p].needle); len(hits) > 0 {
						t.Errorf("%s: earlier withdrawn name %d found in %v", when, p, hits)
					}
				}
				if hits := scanFiles(t, path, ps[other].needle); len(hits) == 0 {
					t.Errorf("%s: control: name of a person who did not withdraw not found", when)
				}
			}
			check("open")
			// More writes after the erasure must not bring anything back.
			realisticTail(t, db, c, ps, other)
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			check("closed")
		})
	}
}

// realisticTail adds a few more sessions after an erasure.
func realisticTail(t *testing.T, db *store.DB, c *clock, ps []person, p int) {
	t.Helper()
	for i := range 20 {
		id, _ := session.NewID()
		s := session.Session{ID: id, ClientName: ps[p].name, ProviderID: "prov-jitsi", Kind: "jitsi",
			JoinURL: "https://jitsi.example.org/tail" + fmt.Sprint(i), Place: "Videoberatung",
			Start: c.now().Add(24 * time.Hour), Timezone: "Europe/Berlin", Duration: time.Hour}
		if _, err := db.CreateSession(context.Background(), store.NewSession{Session: s, Notice: notice(i), RecordedBy: "Counsellor X", ProofKey: testKey}); err != nil {
			t.Fatal(err)
		}
		c.add(time.Hour)
	}
}

func TestPurgeLeavesNoTraceOnDisk(t *testing.T) {
	ps := people()
	path := filepath.Join(t.TempDir(), "counsel.db")
	c := newClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	db := openWith(t, path, c)
	ids := realistic(t, db, c, ps)
	ctx := context.Background()

	// One recent session for person 0 keeps them; everyone else's sessions
	// are all older than the retention once the clock moves on.
	c.add(200 * 24 * time.Hour)
	recent, _ := session.NewID()
	if _, err := db.CreateSession(ctx, store.NewSession{Session: session.Session{ID: recent, ClientName: ps[0].name,
		ProviderID: "prov-jitsi", Kind: "jitsi", JoinURL: "https://jitsi.example.org/recent", Place: "Videoberatung",
		Start: c.now().Add(24 * time.Hour), Timezone: "Europe/Berlin", Duration: time.Hour},
		Notice: notice(0), RecordedBy: "Counsellor X", ProofKey: testKey}); err != nil {
		t.Fatal(err)
	}
	link := "room" + strings.ReplaceAll(ids[3][1], "-", "")
	for _, needle := range []string{ps[0].needle, ps[3].needle, ps[4].needle, link} {
		if hits := scanFiles(t, path, needle); len(hits) == 0 {
			t.Fatalf("control: %s not found before the purge", needle)
		}
	}
	res, err := db.Purge(ctx, store.Retention{SessionDays: 90}, false, "command")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Checkpointed || res.People != len(ps)-1 || res.Sessions < 250 {
		t.Fatalf("purge removed %+v, want all but person 0 and most sessions", res)
	}
	if _, err := db.FindSession(ctx, ids[3][0]); err == nil {
		t.Errorf("an expired session is still there")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for p := 1; p < len(ps); p++ {
		if hits := scanFiles(t, path, ps[p].needle); len(hits) > 0 {
			t.Errorf("purged name %d found in %v", p, hits)
		}
	}
	if hits := scanFiles(t, path, ps[0].needle); len(hits) == 0 {
		t.Errorf("control: the name of the person with a recent session is gone")
	}
	// A Jitsi room name is a secret too: the expired session's link is gone.
	if hits := scanFiles(t, path, link); len(hits) > 0 {
		t.Errorf("purged meeting link found in %v", hits)
	}
	if hits := scanFiles(t, path, "jitsi.example.org/recent"); len(hits) == 0 {
		t.Errorf("control: the recent session's link is gone")
	}
}

// TestScanSeesWhatSQLiteLeaves is the measurement behind the store's
// settings (secure_delete on, and a TRUNCATE checkpoint right after every
// erasing transaction). Leave either out and the name is still on disk, and
// the scan finds it; with both, nothing is left. So the scan in the tests
// above is not blind, and both measures are needed.
func TestScanSeesWhatSQLiteLeaves(t *testing.T) {
	// A name longer than a page holds: its tail goes to overflow pages,
	// which the erasure frees. (A short name's freed cell is sometimes
	// zeroed anyway when SQLite defragments the page; that is luck, not a
	// guarantee, so the measurement uses the case that always shows.)
	name := strings.Repeat("Pseudo-Measure-Kq9 ", 300)
	const needle = "Pseudo-Measure-Kq9"
	cases := []struct {
		name             string
		secureDelete     bool
		checkpointBefore bool // the name already reached the main file
		checkpointAfter  bool
		wantIn           string // file suffix that must still hold the name; "" = nowhere
	}{
		{"without secure_delete freed pages keep the name", false, true, true, ".db"},
		{"without a checkpoint old WAL frames keep the name", true, false, false, ".db-wal"},
		{"without a checkpoint the main file keeps the name", true, true, false, ".db"},
		{"secure_delete and a TRUNCATE checkpoint leave nothing", true, true, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.db")
			dsn := fmt.Sprintf("%s?_pragma=journal_mode(WAL)&_pragma=secure_delete(%d)", path, map[bool]int{false: 0, true: 1}[tc.secureDelete])
			db, err := sql.Open("sqlite", dsn)
			if err != nil {
				t.Fatal(err)
			}
			db.SetMaxOpenConns(1)
			defer db.Close()
			mustExec(t, db, "PRAGMA wal_autocheckpoint = 0") // checkpoints only where the case says
			mustExec(t, db, "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
			for i := range 50 {
				mustExec(t, db, "INSERT INTO people (name) VALUES (?)", fmt.Sprint("Other-", i))
			}
			mustExec(t, db, "INSERT INTO people (name) VALUES (?)", name)
			if tc.checkpointBefore {
				mustExec(t, db, "PRAGMA wal_checkpoint(TRUNCATE)")
			}
			mustExec(t, db, "UPDATE people SET name = NULL WHERE name = ?", name)
			if tc.checkpointAfter {
				mustExec(t, db, "PRAGMA wal_checkpoint(TRUNCATE)")
			}
			hits := scanFiles(t, path, needle)
			switch {
			case tc.wantIn == "" && len(hits) > 0:
				t.Errorf("name found in %v, want nowhere", hits)
			case tc.wantIn != "" && hits["m"+tc.wantIn] == 0:
				t.Errorf("name found in %v, want it in the %s file", hits, tc.wantIn)
			}
		})
	}
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// A reader holding an old snapshot keeps the checkpoint from completing:
// the store must say so (the CLI then warns) after a short wait, not the whole
// busy timeout, and a purge by hand after the reader is gone must finish the
// erasure, with nothing due to purge, before any close.
func TestRevokeReportsBlockedCheckpoint(t *testing.T) {
	f := newFixture(t)
	f.session("Pseudo-Blocked-Q7", fixedNow.Add(24*time.Hour), "jitsi")
	f.session("Client-B", fixedNow.Add(24*time.Hour), "jitsi")
	reader, err := f.raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRow("SELECT count(*) FROM people").Scan(&n); err != nil { // takes the snapshot
		t.Fatal(err)
	}
	start := time.Now()
	r, err := f.revoke("Pseudo-Blocked-Q7")
	if err != nil {
		t.Fatal(err)
	}
	// The wait is one second; the busy timeout ten. Only a full run measures it.
	if took := time.Since(start); !testing.Short() && took >= 9*time.Second {
		t.Errorf("the withdrawal took %v: its checkpoint waited for the reader as long as the busy timeout", took)
	}
	if r.Checkpointed {
		t.Fatal("checkpoint reported complete while a reader held an old snapshot")
	}
	if hits := scanFiles(t, f.db.Path(), "Pseudo-Blocked-Q7"); len(hits) == 0 {
		t.Error("control: the name is gone although the checkpoint was blocked; the test proves nothing")
	}
	reader.Rollback()
	p, err := f.db.Purge(context.Background(), store.Retention{SessionDays: 90}, false, "command")
	if err != nil {
		t.Fatal(err)
	}
	if p.Total() != 0 || !p.Checkpointed {
		t.Errorf("purge by hand: %+v, want nothing deleted and the checkpoint complete", p)
	}
	if hits := scanFiles(t, f.db.Path(), "Pseudo-Blocked-Q7"); len(hits) > 0 {
		t.Errorf("after the reader left and a purge, the name is in %v", hits)
	}
	// An automatic purge with nothing due does not checkpoint: it would cost every command.
	if p, err := f.db.Purge(context.Background(), store.Retention{SessionDays: 90}, false, "auto"); err != nil || p.Checkpointed {
		t.Errorf("automatic purge with nothing due: %+v, %v; want no checkpoint", p, err)
	}
}
