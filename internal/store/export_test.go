package store_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/export"
	"github.com/expeerienced/counsel/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// seedExport stores three sessions of two people, cancels one, and returns them in start
// order.
func seedExport(t *testing.T) *store.DB {
	t.Helper()
	db := mustOpen(t)
	ctx := context.Background()
	day := 24 * time.Hour
	var cancel string
	for i, s := range []struct {
		client, provider string
		start            time.Time
	}{
		{"Client-A", "jitsi-fem-tu-ilmenau", fixedNow.Add(5 * day)},
		{"Client-B", "blizz", fixedNow.Add(6 * day)},
		{"Client-A", "sichere-videokonferenz", fixedNow.Add(40 * day)},
	} {
		ns := newSession(t, s.client, s.start, s.provider)
		if _, err := db.CreateSession(ctx, ns); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			cancel = ns.Session.ID
		}
	}
	if _, err := db.CancelSession(ctx, cancel); err != nil {
		t.Fatal(err)
	}
	return db
}

// exportSessions runs a sessions export the way `counsel export sessions` does and returns
// the output and the export's event.
func exportSessions(t *testing.T, db *store.DB, format string, f store.ExportFilter) ([]byte, audit.Event) {
	t.Helper()
	ctx := context.Background()
	x, err := db.BeginExport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Rollback()
	var buf bytes.Buffer
	w, err := export.NewRowWriter(&buf, format, export.Header{Kind: "sessions", GeneratedAt: x.Now(),
		Params: map[string]string{"with_names": strconv.FormatBool(f.WithNames)}}, export.SessionColumns(f.WithNames))
	if err != nil {
		t.Fatal(err)
	}
	want, err := x.CountSessions(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Sessions(ctx, f, func(s store.SessionRow) error { return w.Write(export.Session(s)) }); err != nil {
		t.Fatal(err)
	}
	if w.Rows() != want {
		t.Errorf("streamed %d rows, counted %d", w.Rows(), want)
	}
	ev, err := x.Record(ctx, audit.ActionExportSessions, map[string]string{
		"format": format, "count": strconv.FormatInt(w.Rows(), 10), "with_names": strconv.FormatBool(f.WithNames),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ev.Head()); err != nil {
		t.Fatal(err)
	}
	if err := x.Commit(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), ev
}

func exportAudit(t *testing.T, db *store.DB, format string) ([]byte, audit.Event) {
	t.Helper()
	ctx := context.Background()
	x, err := db.BeginExport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Rollback()
	var buf bytes.Buffer
	w, err := export.NewRowWriter(&buf, format, export.Header{Kind: "audit", GeneratedAt: x.Now()}, export.AuditColumns())
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Audit(ctx, func(e audit.Event) error { return w.Write(export.AuditRow{Event: e}) }); err != nil {
		t.Fatal(err)
	}
	// The export's own event is its last row, so the head it states is that row's hash.
	ev, err := x.Record(ctx, audit.ActionExportAudit, map[string]string{"format": format, "count": strconv.FormatInt(w.Rows()+1, 10)})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(export.AuditRow{Event: ev}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ev.Head()); err != nil {
		t.Fatal(err)
	}
	if err := x.Commit(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), ev
}

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	hashRE = regexp.MustCompile(`[0-9a-f]{64}`)
)

// normalise replaces the random UUIDv7s and the hashes that depend on them with numbered
// placeholders in order of first appearance, so equal IDs stay equal.
// hintsRE matches the column hints of a record event, which depend on the database's
// random record key.
var hintsRE = regexp.MustCompile(`[0-9a-f]{8}(\.[0-9a-f]{8})+`)

func normalise(b []byte) []byte {
	for _, r := range []struct {
		re     *regexp.Regexp
		prefix string
	}{{hashRE, "hash"}, {uuidRE, "id"}, {hintsRE, "columns"}} {
		seen := map[string]string{}
		b = r.re.ReplaceAllFunc(b, func(m []byte) []byte {
			if strings.Trim(string(m), "0") == "" {
				return m // the genesis hash is fixed
			}
			p, ok := seen[string(m)]
			if !ok {
				p = fmt.Sprintf("<%s-%d>", r.prefix, len(seen)+1)
				seen[string(m)] = p
			}
			return []byte(p)
		})
	}
	return b
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update to accept):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestExportGolden checks every export shape end to end from a real database, with IDs and
// hashes normalised.
func TestExportGolden(t *testing.T) {
	tests := []struct {
		golden    string
		format    string
		audit     bool
		withNames bool
	}{
		{"sessions.csv", export.FormatCSV, false, false},
		{"sessions.json", export.FormatJSON, false, false},
		{"sessions.ndjson", export.FormatNDJSON, false, false},
		{"sessions_names.json", export.FormatJSON, false, true},
		{"audit.json", export.FormatJSON, true, false},
		{"audit.csv", export.FormatCSV, true, false},
		{"audit.ndjson", export.FormatNDJSON, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			db := seedExport(t)
			var out []byte
			var ev audit.Event
			if tt.audit {
				out, ev = exportAudit(t, db, tt.format)
			} else {
				out, ev = exportSessions(t, db, tt.format, store.ExportFilter{WithNames: tt.withNames})
			}
			golden(t, "export_"+tt.golden, normalise(out))
			if got := strings.Contains(string(out), "Client-"); got != tt.withNames {
				t.Errorf("names in output = %v, want %v", got, tt.withNames)
			}
			if strings.Contains(string(out), "meet.example") {
				t.Error("the output holds a meeting link")
			}
			// The stated head is the export's own event, and it is the trail's head now.
			head, err := db.AuditHead(context.Background())
			if err != nil || head != ev.Head() || head.Seq != 20 {
				t.Errorf("trail head %+v (%v), export event %+v; want both at seq 20", head, err, ev.Head())
			}
			if tt.format == export.FormatJSON {
				st, err := export.ReadHead(bytes.NewReader(out))
				if err != nil || st.Head != ev.Head() {
					t.Errorf("stated head %+v (%v), want %+v", st.Head, err, ev.Head())
				}
			}
			if _, err := verifyDB(db, ev.Hash); err != nil {
				t.Errorf("audit verify --head <stated head>: %v", err)
			}
		})
	}
}

func TestExportSessionsRecordsItself(t *testing.T) {
	for _, withNames := range []bool{false, true} {
		t.Run(fmt.Sprintf("WithNames=%v", withNames), func(t *testing.T) {
			db := seedExport(t)
			_, ev := exportSessions(t, db, export.FormatCSV, store.ExportFilter{WithNames: withNames})
			want := map[string]string{"format": "csv", "count": "3", "with_names": strconv.FormatBool(withNames)}
			if ev.Action != audit.ActionExportSessions || fmt.Sprint(ev.Details) != fmt.Sprint(want) {
				t.Errorf("event %s %v, want %s %v", ev.Action, ev.Details, audit.ActionExportSessions, want)
			}
			if !ev.At.Equal(fixedNow) {
				t.Errorf("event at %v, want the fixed clock %v", ev.At, fixedNow)
			}
			evs := events(t, db)
			if last := evs[len(evs)-1]; last.Hash != ev.Hash {
				t.Errorf("the trail's last event is %s, want the export's", last.Action)
			}
		})
	}
}

func TestExportFilter(t *testing.T) {
	db := seedExport(t)
	day := 24 * time.Hour
	tests := []struct {
		name string
		f    store.ExportFilter
		want int
	}{
		{"All", store.ExportFilter{}, 3},
		{"From", store.ExportFilter{From: fixedNow.Add(6 * day)}, 2},
		{"To", store.ExportFilter{To: fixedNow.Add(6 * day)}, 1},
		{"FromTo", store.ExportFilter{From: fixedNow.Add(6 * day), To: fixedNow.Add(7 * day)}, 1},
		{"Empty", store.ExportFilter{From: fixedNow.Add(100 * day)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ev := exportSessions(t, db, export.FormatNDJSON, tt.f)
			if got := bytes.Count(out, []byte("\n")); got != tt.want || ev.Details["count"] != strconv.Itoa(tt.want) {
				t.Errorf("%d rows, event count %s; want %d", got, ev.Details["count"], tt.want)
			}
		})
	}
}

func TestExportRollbackRecordsNothing(t *testing.T) {
	db := seedExport(t)
	ctx := context.Background()
	before, err := db.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	x, err := db.BeginExport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Record(ctx, audit.ActionExportSessions, map[string]string{"format": "csv", "count": "3"}); err != nil {
		t.Fatal(err)
	}
	// The output could not be published: the export is abandoned.
	if err := x.Rollback(); err != nil {
		t.Fatal(err)
	}
	after, err := db.AuditHead(ctx)
	if err != nil || after != before {
		t.Fatalf("head after rollback %+v (%v), want unchanged %+v", after, err, before)
	}
	if _, err := x.Record(ctx, audit.ActionExportSessions, nil); !errors.Is(err, store.ErrExportDone) {
		t.Errorf("Record after Rollback: %v, want ErrExportDone", err)
	}
	if err := x.Commit(); !errors.Is(err, store.ErrExportDone) {
		t.Errorf("Commit after Rollback: %v, want ErrExportDone", err)
	}
	if err := x.Rollback(); err != nil {
		t.Errorf("second Rollback: %v", err)
	}
}

func TestExportRecordRefusesOtherActions(t *testing.T) {
	db := seedExport(t)
	ctx := context.Background()
	x, err := db.BeginExport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Rollback()
	if _, err := x.Record(ctx, audit.ActionSessionCancelled, nil); err == nil {
		t.Error("Record accepted a non-export action")
	}
	// Details that look like personal data are refused by the audit package.
	if _, err := x.Record(ctx, audit.ActionExportSessions, map[string]string{"to": "a@b.example"}); err == nil {
		t.Error("Record accepted an e-mail address in details")
	}
}

func TestExportRefusesBrokenTimes(t *testing.T) {
	db := seedExport(t)
	db = tamper(t, db, `UPDATE sessions SET starts_at = 'soon' WHERE provider_id = 'blizz'`)
	ctx := context.Background()
	x, err := db.BeginExport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Rollback()
	err = x.Sessions(ctx, store.ExportFilter{}, func(store.SessionRow) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "stored starts_at is not a time") || strings.Contains(err.Error(), "soon") {
		t.Fatalf("err = %v, want a refusal naming the field, not the value", err)
	}
}
