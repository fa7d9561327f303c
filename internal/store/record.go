package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/session"
)

// recordTable says how the rows of one record table are bound to the audit trail (see
// docs/audit-chain.md, "Records"). Every column of the table is either encoded (columns, in
// this order) or secret (covered only by a digest under the row's own key, which is erased
// together with them). Open fails when a table has a column listed in neither, so a column
// added by a migration must be listed here: add its name at the end of columns, or to
// secrets if it holds or is derived from a name.
type recordTable struct {
	name    string
	key     string   // the primary key column: the row ID in the trail
	columns []string // encoded in clear, in this order
	// secrets are covered by audit.SecretValue under the key in secretKey; the item stands
	// in the encoding after the columns, under the name secretItem.
	secrets    []string
	secretKey  string
	secretItem string
}

// recordTables are the tables whose rows the trail binds, in the order verify checks them.
var recordTables = []recordTable{
	{name: "people", key: "id",
		columns: []string{"id", "created_at", "erased_at"},
		secrets: []string{"name", "name_key"}, secretKey: "name_digest_key", secretItem: "name"},
	{name: "sessions", key: "id",
		columns: []string{"id", "provider_id", "kind", "meeting_id", "join_url", "place",
			"starts_at", "timezone", "duration_min", "status", "created_at", "cancelled_at",
			"sequence", "invite_version", "series_id"}},
	{name: "session_participants", key: "id",
		columns: []string{"id", "session_id", "person_id"}},
	{name: "consent_events", key: "id",
		columns: []string{"id", "person_id", "session_id", "event", "timestamp", "jurisdiction",
			"legal_basis", "purpose", "notice_language", "notice_version", "notice_hash",
			"collection_method", "recorded_by"}},
	{name: "withdrawals", key: "id",
		columns: []string{"id", "subject_hmac", "withdrawn_at", "notice_hashes", "retain_until"}},
	{name: "settings", key: "name",
		columns: []string{"name", "value"}},
	{name: "retired_rooms", key: "id",
		columns: []string{"id", "digest", "retain_until"}},
}

// RecordTables names the tables whose rows the trail binds, in the order verify checks them.
func RecordTables() []string {
	out := make([]string, len(recordTables))
	for i, t := range recordTables {
		out[i] = t.name
	}
	return out
}

// Table names for recordRow.
const (
	tablePeople        = "people"
	tableSessions      = "sessions"
	tableParticipants  = "session_participants"
	tableConsentEvents = "consent_events"
	tableWithdrawals   = "withdrawals"
	tableSettings      = "settings"
	tableRetiredRooms  = "retired_rooms"
)

func recordTableNamed(name string) (*recordTable, bool) {
	for i := range recordTables {
		if recordTables[i].name == name {
			return &recordTables[i], true
		}
	}
	return nil, false
}

// selectList is the columns read for a row: the encoded ones, the secret ones, then the key.
func (t *recordTable) selectList() string {
	cols := slices.Concat(t.columns, t.secrets)
	if t.secretKey != "" {
		cols = append(cols, t.secretKey)
	}
	return strings.Join(cols, ", ")
}

// selectListIn is selectList for the table as it is in q, during a migration: a column that
// a later migration adds reads as NULL (that migration records the table's rows again).
func (t *recordTable) selectListIn(ctx context.Context, q querier) (string, error) {
	have, err := tableColumns(ctx, q, t.name)
	if err != nil {
		return "", err
	}
	cols := slices.Concat(t.columns, t.secrets)
	if t.secretKey != "" {
		cols = append(cols, t.secretKey)
	}
	for i, c := range cols {
		if !slices.Contains(have, c) {
			cols[i] = "NULL"
		}
	}
	return strings.Join(cols, ", "), nil
}

// itemNames are the names of the encoding's items.
func (t *recordTable) itemNames() []string {
	if t.secretItem == "" {
		return t.columns
	}
	return append(slices.Clone(t.columns), t.secretItem)
}

// rowBuffer reads rows of one table into the columns of its encoding.
type rowBuffer struct {
	t    *recordTable
	sel  string // the select list; t.selectList() unless set
	vals []any
	ptrs []any
	cols []audit.Column
	sec  []audit.Column
}

func newRowBuffer(t *recordTable) *rowBuffer {
	n := len(t.columns) + len(t.secrets)
	if t.secretKey != "" {
		n++
	}
	b := &rowBuffer{t: t, vals: make([]any, n), ptrs: make([]any, n)}
	for i := range b.vals {
		b.ptrs[i] = &b.vals[i]
	}
	return b
}

// scan reads one row and returns its ID and encoding items (valid until the next scan).
func (b *rowBuffer) scan(r scanner) (string, []audit.Column, error) {
	clear(b.vals)
	if err := r.Scan(b.ptrs...); err != nil {
		return "", nil, err
	}
	t := b.t
	b.cols, b.sec = b.cols[:0], b.sec[:0]
	var id string
	for i, name := range t.columns {
		v := b.vals[i]
		if name == t.key {
			id = keyString(v)
		}
		b.cols = append(b.cols, audit.Column{Name: name, Value: v})
	}
	if t.secretItem != "" {
		for i, name := range t.secrets {
			b.sec = append(b.sec, audit.Column{Name: name, Value: b.vals[len(t.columns)+i]})
		}
		key, _ := b.vals[len(b.vals)-1].([]byte)
		b.cols = append(b.cols, audit.Column{Name: t.secretItem, Value: audit.SecretValue(key, b.sec)})
	}
	return id, b.cols, nil
}

func keyString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func recordDigester(ctx context.Context, q querier) (*audit.RecordDigester, error) {
	var key []byte
	if err := q.QueryRowContext(ctx, "SELECT key FROM record_key WHERE id = 1").Scan(&key); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errors.New("the record key is missing from the database (table record_key)")
		}
		return nil, fmt.Errorf("read record key: %w", mapErr(err))
	}
	d, err := audit.NewRecordDigester(key)
	if err != nil {
		return nil, fmt.Errorf("the database's record key is damaged: %w", err)
	}
	return d, nil
}

// recordRow binds the current state of one row to the trail, in tx, the transaction that
// wrote it: after an INSERT or UPDATE it appends a record.put event with the row's digest,
// after a DELETE (the row is gone) a record.deleted event. Every write to a record table calls
// it once per row it changed, after the change; `audit verify` reports any row that differs.
func recordRow(ctx context.Context, tx *sql.Tx, now time.Time, table, id string) error {
	return (&recorder{}).row(ctx, tx, now, table, id)
}

// recorder is recordRow for a transaction that binds several rows: it reads the record key
// once, at the first row (session new binds four).
type recorder struct{ dg *audit.RecordDigester }

func (r *recorder) row(ctx context.Context, tx *sql.Tx, now time.Time, table, id string) error {
	t, ok := recordTableNamed(table)
	if !ok {
		return fmt.Errorf("record %s: not a record table", table)
	}
	if r.dg == nil {
		dg, err := recordDigester(ctx, tx)
		if err != nil {
			return err
		}
		r.dg = dg
	}
	return recordRowWith(ctx, tx, now, r.dg, t, newRowBuffer(t), id)
}

// recordTableAndDigester is what recordRow and recordRows need to record rows of table.
func recordTableAndDigester(ctx context.Context, tx *sql.Tx, table string) (*recordTable, *audit.RecordDigester, error) {
	t, ok := recordTableNamed(table)
	if !ok {
		return nil, nil, fmt.Errorf("record %s: not a record table", table)
	}
	dg, err := recordDigester(ctx, tx)
	return t, dg, err
}

func recordRowWith(ctx context.Context, tx *sql.Tx, now time.Time, dg *audit.RecordDigester, t *recordTable, b *rowBuffer, id string) error {
	sel := b.sel
	if sel == "" {
		sel = t.selectList()
	}
	_, cols, err := b.scan(tx.QueryRowContext(ctx, "SELECT "+sel+" FROM "+t.name+" WHERE "+t.key+" = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return appendAudit(ctx, tx, now, audit.ActionRecordDeleted, id, map[string]string{"table": t.name})
	}
	if err != nil {
		return fmt.Errorf("read %s row for the trail: %w", t.name, err)
	}
	return appendAudit(ctx, tx, now, audit.ActionRecordPut, id, dg.RecordDetails(t.name, cols))
}

// lastRecordQuery finds the last record event of a row through the partial index of
// migration 0010 (the actions written out, as the index's WHERE); the table is compared
// too, as the trail keys a row by table and ID.
const lastRecordQuery = `SELECT seq, action, details FROM audit_events
	WHERE object = ? AND action IN ('record.put', 'record.deleted') AND json_extract(details, '$.table') = ?
	ORDER BY seq DESC LIMIT 1`

// rowChangedSince compares the row of table with key id, as stored, with its last record
// event, as verify does (the same encoding and digest as recordRow's). It returns that
// event's seq and changed true when they differ: the row's digest is not the event's, the
// row is there though the event says deleted, or gone though it says put. A row with no
// record event that is there was never written by counsel (seq 0); one that is not there
// too is nothing to compare.
func rowChangedSince(ctx context.Context, tx *sql.Tx, dg *audit.RecordDigester, t *recordTable, id string) (seq int64, changed bool, err error) {
	var action, details string
	err = tx.QueryRowContext(ctx, lastRecordQuery, id, t.name).Scan(&seq, &action, &details)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("read the last record event of %s %s: %w", t.name, audit.SafeID(id), mapErr(err))
	}
	_, cols, rerr := newRowBuffer(t).scan(tx.QueryRowContext(ctx, "SELECT "+t.selectList()+" FROM "+t.name+" WHERE "+t.key+" = ?", id))
	exists := rerr == nil
	if rerr != nil && !errors.Is(rerr, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("read %s row for the trail: %w", t.name, rerr)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, exists, nil
	case action == audit.ActionRecordDeleted || !exists:
		return seq, exists != (action == audit.ActionRecordPut), nil
	}
	var det map[string]string
	if json.Unmarshal([]byte(details), &det) != nil {
		return seq, true, nil
	}
	return seq, dg.Digest(t.name, cols) != det["digest"], nil
}

// checkRowUnchanged fails with a *RowChangedError when the row of table with key id is not
// what its last record event says (rowChangedSince). Every write that changes or deletes an
// existing record row calls it first: recordRow after the write binds the row as it is then,
// so an edit made outside counsel before it would no longer be found by verify.
func checkRowUnchanged(ctx context.Context, tx *sql.Tx, table, id string) error {
	t, dg, err := recordTableAndDigester(ctx, tx, table)
	if err != nil {
		return err
	}
	seq, changed, err := rowChangedSince(ctx, tx, dg, t, id)
	if err != nil || !changed {
		return err
	}
	return &RowChangedError{Table: t.name, ID: shortRowID(t, id), SinceSeq: seq}
}

// shortRowID is a row's ID as counsel's messages show it: a generated ID by its short form,
// a setting by its name, anything else not at all (audit.SafeID).
func shortRowID(t *recordTable, id string) string {
	if safe := audit.SafeID(id); safe != id || t.key != "id" {
		return safe
	}
	return session.ShortID(id)
}

// CheckSessionUnchanged is checkRowUnchanged of a session's row in a read transaction of its
// own: a move or cancel asks it before it writes a file or shows a dry run, so that those
// refuse what the write refuses. The write checks again in its own transaction.
func (d *DB) CheckSessionUnchanged(ctx context.Context, id string) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	return checkRowUnchanged(ctx, tx, tableSessions, id)
}

// noteOverwritten is checkRowUnchanged for a write that must not be refused: a withdrawal
// of consent (GDPR Art. 7(3)). For each row of table in ids that differs from its last record
// event it appends a record.overwritten event (object: the row's ID, details: the table and
// that event's seq) before the write, so the edit stays a finding of verify after the write
// binds the row as it is.
func noteOverwritten(ctx context.Context, tx *sql.Tx, now time.Time, table string, ids ...string) error {
	t, dg, err := recordTableAndDigester(ctx, tx, table)
	if err != nil {
		return err
	}
	for _, id := range ids {
		seq, changed, err := rowChangedSince(ctx, tx, dg, t, id)
		if err != nil {
			return err
		}
		if changed {
			if err := appendAudit(ctx, tx, now, audit.ActionRecordOverwritten, id, map[string]string{
				"table": t.name, "since_seq": strconv.FormatInt(seq, 10)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// RowChangedError is the refusal to change a record row that differs from its last record
// event (checkRowUnchanged): it was changed outside counsel since event SinceSeq (0: it was
// never written by counsel). ID is the row's ID as verify shows it; nothing was written.
type RowChangedError struct {
	Table    string
	ID       string
	SinceSeq int64
}

func (e *RowChangedError) Error() string { return e.Words().String() }

// Words is the refusal for the cli to translate (audit.Words).
func (e *RowChangedError) Words() audit.Words {
	if e.SinceSeq == 0 {
		return audit.Say("the record %s %s was not written by counsel; counsel does not write over it, so nothing was changed", e.Table, e.ID)
	}
	return audit.Say("the record %s %s was changed outside counsel since event seq %d; counsel does not write over it, so nothing was changed", e.Table, e.ID, e.SinceSeq)
}

// recordRows is recordRow for many rows of one table.
func recordRows(ctx context.Context, tx *sql.Tx, now time.Time, table string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	t, dg, err := recordTableAndDigester(ctx, tx, table)
	if err != nil {
		return err
	}
	b := newRowBuffer(t)
	// The columns the table has now (see selectListIn): a migration's Go step
	// (fillNameKeys) records rows before a later migration adds the table's
	// newest columns; that migration's baseline records them again with every
	// column.
	if b.sel, err = t.selectListIn(ctx, tx); err != nil {
		return err
	}
	for _, id := range ids {
		if err := recordRowWith(ctx, tx, now, dg, t, b, id); err != nil {
			return err
		}
	}
	return nil
}

// baseline records every row of tables as they are, after a record.baseline event that says
// why (schema is the schema version being applied) and how many rows of each table follow.
// A database whose tables are all empty gets no event.
func baseline(ctx context.Context, tx *sql.Tx, now time.Time, schema int, tables []string) error {
	details := map[string]string{"schema": strconv.Itoa(schema)}
	ids := make(map[string][]string)
	total := 0
	for _, name := range tables {
		t, _ := recordTableNamed(name)
		list, err := selectStrings(ctx, tx, "SELECT "+t.key+" FROM "+t.name+" ORDER BY "+t.key)
		if err != nil {
			return fmt.Errorf("baseline %s: %w", name, err)
		}
		ids[name] = list
		details[name] = strconv.Itoa(len(list))
		total += len(list)
	}
	if total == 0 {
		return nil
	}
	if err := appendAudit(ctx, tx, now, audit.ActionRecordBaseline, "", details); err != nil {
		return err
	}
	dg, err := recordDigester(ctx, tx)
	if err != nil {
		return err
	}
	for _, name := range tables {
		t, _ := recordTableNamed(name)
		b := newRowBuffer(t)
		// A baseline runs inside a migration, when the table may not have every column yet.
		if b.sel, err = t.selectListIn(ctx, tx); err != nil {
			return err
		}
		for _, id := range ids[name] {
			if err := recordRowWith(ctx, tx, now, dg, t, b, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// tableColumns returns the columns of a table in declaration order (nil if it does not exist).
func tableColumns(ctx context.Context, q querier, table string) ([]string, error) {
	return selectStrings(ctx, q, "SELECT name FROM pragma_table_info(?) ORDER BY cid", table)
}

// recordSchema is the column sets of the record tables, to notice a migration that changes one.
func recordSchema(ctx context.Context, q querier) (map[string]string, error) {
	out := make(map[string]string)
	for _, t := range append([]recordTable{{name: "record_key"}}, recordTables...) {
		cols, err := tableColumns(ctx, q, t.name)
		if err != nil {
			return nil, err
		}
		slices.Sort(cols)
		out[t.name] = strings.Join(cols, ",")
	}
	return out, nil
}

// checkNoTrigger fails when the database has a trigger. counsel makes none; one made outside
// would run inside counsel's transactions (a migration's too) and could keep a copy of what a
// withdrawal or a purge erases, unseen by the trail.
func checkNoTrigger(ctx context.Context, q querier) error {
	triggers, err := selectStrings(ctx, q, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name LIMIT 1")
	if err != nil {
		return err
	}
	if len(triggers) > 0 {
		return &TriggerError{Name: triggers[0]}
	}
	return nil
}

// TriggerError is the refusal of a database that holds a trigger (checkNoTrigger); Name is the
// first trigger, for the advice on removing it.
type TriggerError struct{ Name string }

func (e *TriggerError) Error() string {
	return fmt.Sprintf("trigger %q was added outside counsel: it could keep what counsel erases; keep a copy of the file as evidence, then remove it", e.Name)
}

// checkRecordSchema fails when a record table has a column that recordTables does not list:
// such a column would be written without the trail covering it; and when there is a trigger.
// It runs at every open (when the record tables' digest differs) and in every verify, so one
// statement reads the columns of every table; only a refusal compares them with the
// migrations (checkSchemaAt), to say what was found.
func checkRecordSchema(ctx context.Context, q querier) error {
	have := map[string][]string{}
	err := eachRow(ctx, q, func(r scanner) error {
		var table, col string
		if err := r.Scan(&table, &col); err != nil {
			return err
		}
		table = strings.ToLower(table) // as pragma_table_info finds a table
		have[table] = append(have[table], col)
		return nil
	}, "SELECT m.name, p.name FROM sqlite_master AS m, pragma_table_info(m.name) AS p WHERE m.type = 'table' ORDER BY m.name, p.cid")
	if err != nil {
		return err
	}
	if err := checkNoTrigger(ctx, q); err != nil {
		return err
	}
	for _, t := range recordTables {
		cols := have[t.name]
		known := slices.Concat(t.columns, t.secrets, []string{t.secretKey})
		for _, c := range cols {
			if !slices.Contains(known, c) {
				return changedOrDefect(ctx, q, fmt.Errorf("column %s.%s is not covered by the audit trail: list it in recordTables (internal/store/record.go)", t.name, c))
			}
		}
		for _, c := range t.columns {
			if !slices.Contains(cols, c) {
				return changedOrDefect(ctx, q, fmt.Errorf("recordTables lists %s.%s, which the table does not have", t.name, c))
			}
		}
	}
	return nil
}

// changedOrDefect is the refusal of record tables that recordTables does not describe: a
// *SchemaError when they are not what the migrations make (a file changed outside counsel),
// else defect, a build whose recordTables does not list what its migrations make.
func changedOrDefect(ctx context.Context, q querier, defect error) error {
	if err := checkSchemaAt(ctx, q, SchemaVersion()); err != nil {
		return err
	}
	return defect
}

// migratedSchema is what the migrations 1..v make in an empty database.
type migratedSchema struct {
	columns map[string][]string // of each record table made yet, in declaration order
	objects map[string]string   // every table and index by name, to its type
}

// migratedSchemas holds, for each schema version v at index v-1, what the migrations 1..v
// make. The migrations themselves are the list: they are applied to an in-memory database,
// once, and only when a database is migrated or refused.
var migratedSchemas = sync.OnceValues(func() ([]migratedSchema, error) {
	ctx := context.Background()
	mem, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	defer mem.Close()
	mem.SetMaxOpenConns(1) // every connection to :memory: is a database of its own
	names, err := migrationNames()
	if err != nil {
		return nil, err
	}
	var out []migratedSchema
	for _, name := range names {
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if _, err := mem.ExecContext(ctx, string(body)); err != nil {
			return nil, fmt.Errorf("migration %s in memory: %w", filepath.Base(name), err)
		}
		s := migratedSchema{columns: make(map[string][]string), objects: make(map[string]string)}
		for _, t := range recordTables {
			c, err := tableColumns(ctx, mem, t.name)
			if err != nil {
				return nil, err
			}
			if len(c) > 0 {
				s.columns[t.name] = c
			}
		}
		if s.objects, err = schemaObjects(ctx, mem); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
})

// schemaObjects is the tables and indexes of a database by name (lower case, as SQLite
// compares them), to their type; SQLite's own are left out.
func schemaObjects(ctx context.Context, q querier) (map[string]string, error) {
	out := make(map[string]string)
	err := eachRow(ctx, q, func(r scanner) error {
		var typ, name string
		if err := r.Scan(&typ, &name); err != nil {
			return err
		}
		out[strings.ToLower(name)] = typ
		return nil
	}, "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index') AND substr(name, 1, 7) <> 'sqlite_'")
	return out, err
}

// checkSchemaAt fails with a *SchemaError unless the record tables of a database at schema
// version v have exactly the columns the migrations 1..v create, and it holds no table or
// index that only a later migration makes (a file whose PRAGMA user_version was set back).
// Before a migration, checkRecordSchema at the end would see a column added outside counsel
// only after a baseline had recorded its data into the trail, and a migration would fail on
// an object it makes again.
func checkSchemaAt(ctx context.Context, q querier, v int) error {
	schemas, err := migratedSchemas()
	if err != nil {
		return err
	}
	// The schema nearest to v that has the column (or object), else 0.
	whose := func(has func(s migratedSchema) bool) int {
		for d := 1; d < len(schemas); d++ {
			for _, k := range []int{v + d, v - d} {
				if k >= 1 && k <= len(schemas) && has(schemas[k-1]) {
					return k
				}
			}
		}
		return 0
	}
	want := schemas[v-1]
	for _, t := range recordTables {
		if want.columns[t.name] == nil {
			continue // a table of a later schema: among the objects below
		}
		have, err := tableColumns(ctx, q, t.name)
		if err != nil {
			return err
		}
		var extra *SchemaError
		for _, c := range have {
			if !slices.Contains(want.columns[t.name], c) {
				extra = &SchemaError{Schema: v, Table: t.name, Column: c, Of: whose(func(s migratedSchema) bool {
					return slices.Contains(s.columns[t.name], c)
				})}
				break
			}
		}
		for _, c := range want.columns[t.name] {
			if slices.Contains(have, c) {
				continue
			}
			missing := &SchemaError{Schema: v, Table: t.name, Column: c, Missing: true}
			if extra != nil && extra.Of == 0 {
				missing.Instead = extra.Column // a column lost and one no schema has: renamed
			}
			if extra == nil || missing.Instead != "" {
				return missing
			}
		}
		if extra != nil {
			return extra
		}
	}
	have, err := schemaObjects(ctx, q)
	if err != nil {
		return err
	}
	for k := v + 1; k <= len(schemas); k++ {
		// In a stable order: the objects made by the first later schema, by name.
		var names []string
		for name, typ := range schemas[k-1].objects {
			if want.objects[name] == "" && have[name] == typ {
				names = append(names, name)
			}
		}
		if len(names) > 0 {
			slices.Sort(names)
			return &SchemaError{Schema: v, Object: names[0], ObjectType: have[names[0]], Of: k}
		}
	}
	return nil
}

// SchemaError is the refusal of a database whose tables are not what counsel's migrations make
// for the schema version the file gives (PRAGMA user_version): a record table with a column
// more or less, or, before a migration, a table or index of a later schema. It names what was
// found and the version, never a value.
type SchemaError struct {
	Schema  int    // the version the file gives
	Table   string // the record table whose columns differ
	Column  string
	Missing bool // Column is one of schema Schema that the table lacks
	// Instead is the column no schema has that the table holds in place of a Missing one.
	Instead string
	// Object is a table or index (ObjectType) of schema Of that schema Schema has not.
	Object, ObjectType string
	// Of is the schema nearest to Schema that has Column (or makes Object); 0 when none does.
	Of int
}

func (e *SchemaError) Error() string {
	switch {
	case e.Object != "" && e.ObjectType == "index":
		return fmt.Sprintf("the file says schema %d, but it holds the index %q of schema %d: its schema version was set back outside counsel; keep a copy of the file as evidence", e.Schema, e.Object, e.Of)
	case e.Object != "":
		return fmt.Sprintf("the file says schema %d, but it holds the table %q of schema %d: its schema version was set back outside counsel; keep a copy of the file as evidence", e.Schema, e.Object, e.Of)
	case e.Missing && e.Instead != "":
		return fmt.Sprintf("table %q lacks its column %q of schema %d, the version the file says, and has the column %q instead, which no schema of counsel has: the column was renamed outside counsel; keep a copy of the file as evidence", e.Table, e.Column, e.Schema, e.Instead)
	case e.Missing:
		return fmt.Sprintf("table %q lacks its column %q of schema %d, the version the file says: the file was changed outside counsel; keep a copy of the file as evidence", e.Table, e.Column, e.Schema)
	case e.Of != 0:
		return fmt.Sprintf("table %q has the column %q of schema %d, but the file says schema %d, which has no such column: its schema version or the table was changed outside counsel; keep a copy of the file as evidence", e.Table, e.Column, e.Of, e.Schema)
	}
	return fmt.Sprintf("column %q.%q is not covered by the audit trail: no schema of counsel has it (the file says schema %d), so it was added outside counsel; keep a copy of the file as evidence", e.Table, e.Column, e.Schema)
}

// RecordReport is what VerifyRecords found.
type RecordReport struct {
	// Rows counts the rows of each record table.
	Rows map[string]int
	// Problems lists every row that differs from the trail, table by table.
	Problems []audit.Problem
}

// VerifyRecords walks the trail through v (which checks the chain) and replays its record
// events; if the chain verifies, it compares every row of every record table with the
// replay. A broken chain is returned as the error (its records are not compared: the trail
// itself cannot be trusted). Time grows linearly with events and rows; memory with rows.
// The trail and the tables are read in one read snapshot, so a write at the same moment
// cannot show as a difference, and no lock is held.
func (d *DB) VerifyRecords(ctx context.Context, v *audit.Verifier) (RecordReport, error) {
	rep := RecordReport{Rows: make(map[string]int)}
	s, err := d.beginSnapshot(ctx, 2, "verify")
	if err != nil {
		return rep, err
	}
	defer s.end()
	recs := audit.NewRecords()
	if err := verifyTrail(ctx, s.tx, v, recs); err != nil {
		return rep, err
	}
	if err := v.Finish(); err != nil {
		return rep, err
	}
	if err := checkRecordSchema(ctx, s.tx); err != nil {
		return rep, err
	}
	// Two cursors read the tables at once when a second connection sees the snapshot.
	qs := []querier{s.tx}
	extra, err := s.extraReaders(ctx, 1, 0, "verify")
	if err != nil {
		return rep, err
	}
	for _, r := range extra {
		defer r.end()
		qs = append(qs, r.tx)
	}
	return compareRecords(ctx, qs, recordTables, recs)
}

// compareRecords compares every row of tables, read through the cursors in qs (all in one
// snapshot), with the replay recs of a verified trail, as verify does.
func compareRecords(ctx context.Context, qs []querier, tables []recordTable, recs *audit.Records) (RecordReport, error) {
	rep := RecordReport{Rows: make(map[string]int)}
	checks, err := checkRecordTables(ctx, qs, tables, recs)
	if err != nil {
		return rep, err
	}
	type changed struct {
		i     int
		t     *recordTable
		hints string
	}
	var diffs []changed
	for ti, c := range checks {
		rep.Rows[tables[ti].name] = c.rows
		for _, p := range c.problems {
			if p.Kind == audit.ProblemChanged {
				diffs = append(diffs, changed{len(rep.Problems), &tables[ti], p.hints})
			}
			rep.Problems = append(rep.Problems, p.Problem)
		}
	}
	rep.Problems = append(rep.Problems, recs.Missing()...)
	rep.Problems = append(rep.Problems, recs.Overwritten()...)
	// Name the changed columns from the hints of the event that last recorded each row.
	for _, c := range diffs {
		p := &rep.Problems[c.i]
		var details string
		if err := qs[0].QueryRowContext(ctx, "SELECT details FROM audit_events WHERE seq = ?", p.Seq).Scan(&details); err != nil {
			return rep, fmt.Errorf("read audit event %d: %w", p.Seq, mapErr(err))
		}
		var det map[string]string
		if json.Unmarshal([]byte(details), &det) == nil {
			p.Columns = audit.DiffHints(det["columns"], c.hints, c.t.itemNames())
		}
	}
	return rep, nil
}

// tableCheck is what checking one record table found: its rows, and its problems in the
// order of its rows, with the current column hints of a changed row.
type tableCheck struct {
	rows     int
	problems []tableProblem
}

type tableProblem struct {
	audit.Problem
	hints string
}

// checkRecordTables compares every row of every record table with the replay, the tables
// shared out among the cursors in qs (all in one snapshot), each reading its tables on a
// goroutine of its own and checking their rows as it goes. The result is in the order of
// recordTables, as one cursor reading table after table would give it.
func checkRecordTables(ctx context.Context, qs []querier, tables []recordTable, recs *audit.Records) ([]tableCheck, error) {
	out := make([]tableCheck, len(tables))
	// Share the tables by their columns (what reading and digesting a row costs), the widest
	// first, each to the cursor with the least so far.
	order := make([]int, len(tables))
	for i := range order {
		order[i] = i
	}
	width := func(t *recordTable) int { return len(t.columns) + len(t.secrets) }
	slices.SortStableFunc(order, func(a, b int) int { return width(&tables[b]) - width(&tables[a]) })
	share := make([][]int, len(qs))
	load := make([]int, len(qs))
	for _, ti := range order {
		r := slices.Index(load, slices.Min(load))
		share[r] = append(share[r], ti)
		load[r] += width(&tables[ti])
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The first cursor to fail stops the others; theirs (context canceled) is not the error.
	var failed error
	var fail sync.Once
	var wg sync.WaitGroup
	for r, q := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dg, err := recordDigester(ctx, q)
			var finger audit.Finger // this cursor's own
			for _, ti := range share[r] {
				if err != nil {
					break
				}
				err = checkRecordTable(ctx, q, dg, &tables[ti], recs, &finger, &out[ti])
			}
			if err != nil {
				fail.Do(func() { failed = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if failed != nil {
		return nil, failed
	}
	return out, nil
}

// Reading a record table column by column costs several driver calls per column, each
// taking the connection's mutex, and a value allocated per column. verify reads each row as
// one text instead (typedLine): the rowid, the type of each column (typeof) and the values
// that are not NULL, joined by the unit separator; the Go side builds the row's items
// (audit.Items) from it as a scanned row gives them (Items.Value), so the digest and the
// hints are the same. A row that the text cannot represent exactly (a REAL, whose text form
// rounds; a value holding the separator) is read again by its rowid column by column; a
// table SQLite cannot read that way (no rowid), a database not in UTF-8 and a column whose
// declared type makes the driver turn text into a time are read column by column throughout.
//
// exactRecordRows reads every table column by column (tests compare both ways).
var exactRecordRows bool

// typedLine is the select list of one row as one text.
func (t *recordTable) typedLine() string {
	cols := strings.Split(t.selectList(), ", ")
	parts := []string{"rowid"}
	for _, c := range cols {
		parts = append(parts, "typeof("+c+")")
	}
	return "concat_ws(char(31), " + strings.Join(append(parts, cols...), ", ") + ")"
}

// typedLineUsable reports whether t can be read through typedLine in q (see above).
func typedLineUsable(ctx context.Context, q querier, t *recordTable) (bool, error) {
	var enc string
	if err := q.QueryRowContext(ctx, "PRAGMA encoding").Scan(&enc); err != nil {
		return false, fmt.Errorf("read %s: %w", t.name, mapErr(err))
	}
	if enc != "UTF-8" {
		return false, nil
	}
	rows, err := q.QueryContext(ctx, "SELECT "+t.selectList()+" FROM "+t.name+" LIMIT 0")
	if err != nil {
		return false, fmt.Errorf("read %s: %w", t.name, mapErr(err))
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return false, fmt.Errorf("read %s: %w", t.name, mapErr(err))
	}
	for _, ct := range types {
		switch ct.DatabaseTypeName() { // the driver's conversions of text and integers to times
		case "DATE", "DATETIME", "TIMESTAMP":
			return false, nil
		}
	}
	return true, rows.Err()
}

// rowItems builds a row's items from a row of typedLine or a scanned row.
type rowItems struct {
	t       *recordTable
	names   []string
	items   audit.Items
	secrets audit.Items
	buf     *rowBuffer
	fields  []string
	types   []byte
}

func newRowItems(t *recordTable) *rowItems {
	return &rowItems{t: t, names: t.itemNames(), buf: newRowBuffer(t)}
}

// fromLine reads a row of typedLine. It returns the row's rowid and ID; ok is false when
// the row must be read column by column.
func (r *rowItems) fromLine(line string) (rowid int64, id string, ok bool, err error) {
	t := r.t
	n := len(t.columns) + len(t.secrets)
	if t.secretKey != "" {
		n++
	}
	// At most the rowid, n types and n values; more is true when the line holds more.
	r.fields = r.fields[:0]
	more := true
	for more && len(r.fields) <= 2*n {
		var f string
		f, line, more = strings.Cut(line, sep)
		r.fields = append(r.fields, f)
	}
	if len(r.fields) < 1+n {
		return 0, "", false, fmt.Errorf("read %s: a row without its column types", t.name)
	}
	if rowid, err = strconv.ParseInt(r.fields[0], 10, 64); err != nil {
		return 0, "", false, fmt.Errorf("read %s: a row without a rowid", t.name)
	}
	r.types = r.types[:0]
	values := 0
	for _, name := range r.fields[1 : 1+n] {
		var tag byte
		switch name {
		case "null":
			tag = 'N'
		case "integer":
			tag = 'I'
		case "text":
			tag = 'T'
		case "blob":
			tag = 'B'
		default:
			return rowid, "", false, nil
		}
		if tag != 'N' {
			values++
		}
		r.types = append(r.types, tag)
	}
	if more || len(r.fields) != 1+n+values {
		return rowid, "", false, nil // a value holds the separator
	}
	vals := r.fields[1+n:]
	next := func(it *audit.Items, tag byte) string {
		switch tag {
		case 'N':
			it.Null()
			return ""
		case 'I':
			it.Integer(vals[0])
		case 'T':
			it.Text(vals[0])
		case 'B':
			it.Blob(vals[0])
		}
		v := vals[0]
		vals = vals[1:]
		return v
	}
	r.items.Reset()
	for i, c := range t.columns {
		if v := next(&r.items, r.types[i]); c == t.key {
			id = v // as keyString gives it: the text, the integer's decimal, a blob's bytes
		}
	}
	if t.secretItem != "" {
		r.secrets.Reset()
		for i := range t.secrets {
			next(&r.secrets, r.types[len(t.columns)+i])
		}
		var key []byte
		if r.types[n-1] == 'B' {
			key = []byte(vals[0])
		}
		r.items.Secret(key, t.secrets, &r.secrets)
	}
	return rowid, id, true, nil
}

// scan reads a row column by column.
func (r *rowItems) scan(s scanner) (string, error) {
	id, cols, err := r.buf.scan(s)
	if err != nil {
		return "", err
	}
	r.items.Reset()
	for _, c := range cols {
		r.items.Value(c.Value)
	}
	return id, nil
}

// checkRecordTable reads every row of t through q and checks it against recs, finding states
// from f.
func checkRecordTable(ctx context.Context, q querier, dg *audit.RecordDigester, t *recordTable, recs *audit.Records,
	f *audit.Finger, out *tableCheck) error {
	r := newRowItems(t)
	var sum [sha256.Size]byte
	check := func(id string) {
		out.rows++
		dg.DigestItems(&sum, t.name, &r.items, r.names)
		// Each table is read by one cursor: its rows are applied in their order, and the
		// cursors touch the states of their own tables only (see Records.Apply).
		p, bad := recs.Apply(recs.Look(f, t.name, id, &sum))
		if bad {
			tp := tableProblem{Problem: p}
			if p.Kind == audit.ProblemChanged {
				tp.hints = dg.ColumnHintsItems(t.name, &r.items, r.names)
			}
			out.problems = append(out.problems, tp)
		}
	}
	fast := !exactRecordRows
	if fast {
		var err error
		if fast, err = typedLineUsable(ctx, q, t); err != nil {
			return err
		}
	}
	var rows *sql.Rows
	if fast {
		var err error
		// The same columns of the same table without ORDER BY, as the query below: SQLite
		// plans the same scan, so problems come in the same order (the tests compare).
		if rows, err = q.QueryContext(ctx, "SELECT "+t.typedLine()+" FROM "+t.name); err != nil {
			fast = false // a table without rowid
		}
	}
	if !fast {
		var err error
		if rows, err = q.QueryContext(ctx, "SELECT "+t.selectList()+" FROM "+t.name); err != nil {
			return fmt.Errorf("read %s: %w", t.name, mapErr(err))
		}
	}
	defer rows.Close()
	var line string // the driver's own copy: no second one
	for rows.Next() {
		if !fast {
			id, err := r.scan(rows)
			if err != nil {
				return fmt.Errorf("read %s: %w", t.name, mapErr(err))
			}
			check(id)
			continue
		}
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("read %s: %w", t.name, mapErr(err))
		}
		rowid, id, ok, err := r.fromLine(line)
		if err != nil {
			return err
		}
		if !ok {
			if id, err = r.scan(q.QueryRowContext(ctx, "SELECT "+t.selectList()+" FROM "+t.name+" WHERE rowid = ?", rowid)); err != nil {
				return fmt.Errorf("read %s: %w", t.name, mapErr(err))
			}
		}
		check(id)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", t.name, mapErr(err))
	}
	return nil
}

// recordTablesAt is recordTables as the counsel of schema v had them, whose encoding the
// trail of a database at schema v holds: the record tables the migrations 1..v make, each
// item a column they declare, in declaration order, the secret columns (those of recordTables
// the table has) standing in the name item. TestRecordTablesAt compares it with the lists of
// earlier versions and the current one.
func recordTablesAt(v int) ([]recordTable, error) {
	schemas, err := migratedSchemas()
	if err != nil {
		return nil, err
	}
	var out []recordTable
	for _, t := range recordTables {
		cols := schemas[v-1].columns[t.name]
		if cols == nil {
			continue
		}
		old := t
		old.columns, old.secrets = nil, nil
		for _, c := range cols {
			if c != t.secretKey && !slices.Contains(t.secrets, c) {
				old.columns = append(old.columns, c)
			}
		}
		for _, c := range t.secrets {
			if slices.Contains(cols, c) {
				old.secrets = append(old.secrets, c)
			}
		}
		out = append(out, old)
	}
	return out, nil
}

// rebaselinesFrom reports whether a migration from schema v on changes the columns of a
// record table that schema v has: its rebaseline records the table's rows as they are.
func rebaselinesFrom(v int) (bool, error) {
	schemas, err := migratedSchemas()
	if err != nil {
		return false, err
	}
	for k := v; k < len(schemas); k++ {
		for name, cols := range schemas[k-1].columns {
			if !slices.Equal(slices.Sorted(slices.Values(cols)), slices.Sorted(slices.Values(schemas[k].columns[name]))) {
				return true, nil
			}
		}
	}
	return false, nil
}

// verifyBeforeUpgrade runs in tx, the first migration's, before it writes anything, what
// `counsel audit verify` runs (the chain, then every record row against the trail's replay),
// with the tables and encoding of schema v. A migration that changes a record table's columns
// records its rows again (rebaseline): a row edited outside counsel before the upgrade would
// become part of the trail, and verify would pass after it.
func verifyBeforeUpgrade(ctx context.Context, tx *sql.Tx, v int) error {
	tables, err := recordTablesAt(v)
	if err != nil {
		return err
	}
	var ver audit.Verifier
	recs := audit.NewRecords()
	err = verifyTrail(ctx, tx, &ver, recs)
	if err == nil {
		err = ver.Finish()
	}
	var be *audit.BrokenError
	if errors.As(err, &be) {
		return &UpgradeUnverifiedError{Schema: v, Chain: be}
	}
	if err != nil {
		return err
	}
	rep, err := compareRecords(ctx, []querier{tx}, tables, recs)
	if err != nil {
		return err
	}
	if len(rep.Problems) > 0 {
		return &UpgradeUnverifiedError{Schema: v, Rows: len(rep.Problems), First: rep.Problems[0]}
	}
	return nil
}

// UpgradeUnverifiedError is the refusal to upgrade a database of schema Schema whose trail or
// records do not verify (verifyBeforeUpgrade): the chain broken (Chain), or Rows record rows
// differing from the trail, First the first as verify names it (table, row ID, event seq).
// Nothing was written: the counsel of that schema still opens the file.
type UpgradeUnverifiedError struct {
	Schema int
	Chain  *audit.BrokenError
	Rows   int
	First  audit.Problem
}

func (e *UpgradeUnverifiedError) Error() string { return e.Words().String() }

// Words is the refusal with the finding in it, for the cli to translate (audit.Words).
func (e *UpgradeUnverifiedError) Words() audit.Words {
	if e.Chain != nil {
		return audit.Say("the database (schema %d) does not verify, so counsel did not upgrade it (an upgrade records every row as it is): %v", e.Schema, e.Chain.Words())
	}
	return audit.Say("the database (schema %d) does not verify, so counsel did not upgrade it (an upgrade records every row as it is): %d record row(s) differ from the audit trail; first: %s", e.Schema, e.Rows, e.First.Words())
}

func (e *UpgradeUnverifiedError) Unwrap() error {
	if e.Chain != nil {
		return e.Chain
	}
	return nil
}
