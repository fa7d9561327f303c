package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/store"
)

// FuzzRecordRowsMatchExact writes any value (NULL, integer, real, text, blob, holding the
// unit separator, NUL bytes or bytes that are not UTF-8) into any column of a record table,
// or a new row, with plain SQL as someone with the file could, and expects verify to find
// the same reading each row as one text as reading it column by column (verifyRecords
// compares both ways).
func FuzzRecordRowsMatchExact(f *testing.F) {
	// One fixture with a row in every record table, copied for each input.
	fx := newRecordFixture(f)
	tmpl := fx.db.Path()
	if err := fx.db.Close(); err != nil {
		f.Fatal(err)
	}
	raw := rawOpen(f, tmpl)
	// A setting written behind counsel's back, so that every table has a row to change.
	if _, err := raw.Exec("INSERT INTO settings (name, value) VALUES ('fuzz', 'x')"); err != nil {
		f.Fatal(err)
	}
	raw.Close()
	f.Add(uint8(0), uint8(1), uint8(3), "a\x1fb", []byte{0, 1}, int64(7), 0.5, false)
	f.Add(uint8(1), uint8(5), uint8(1), "", []byte{}, int64(-1), 1e300, true)
	f.Add(uint8(0), uint8(0), uint8(4), "x\x00y\xff", []byte("\x1f"), int64(0), -0.0, false)
	f.Add(uint8(5), uint8(0), uint8(2), "Client-Q", []byte(nil), int64(1<<62), 3.0, true)
	f.Add(uint8(1), uint8(8), uint8(2), "", []byte(nil), int64(0), 50.0, false)
	f.Add(uint8(2), uint8(2), uint8(0), "01a22f4b-d6b2-7942-a87b-9d518dc38357", []byte("k"), int64(42), 2.5, false)
	f.Fuzz(func(t *testing.T, table, col, kind uint8, text string, blob []byte, n int64, fl float64, insert bool) {
		var err error
		dir, err := os.MkdirTemp("", "counsel-fuzz") // t.TempDir's name may hold '#'
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "counsel.db")
		b, err := os.ReadFile(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		var v any
		switch kind % 5 {
		case 1:
			v = n
		case 2:
			v = fl
		case 3:
			v = text
		case 4:
			v = blob
		}
		tables := store.RecordTables()
		name := tables[int(table)%len(tables)]
		raw := rawOpen(t, path)
		var cols []string
		rows, err := raw.Query("SELECT name FROM pragma_table_info(?) ORDER BY cid", name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			rows.Scan(&c)
			cols = append(cols, c)
		}
		rows.Close()
		c := cols[int(col)%len(cols)]
		first := "(SELECT min(rowid) FROM " + name + ")"
		if insert {
			// A copy of the first row under another key, with the value in column c.
			sel := make([]string, len(cols))
			for i, x := range cols {
				switch {
				case x == c:
					sel[i] = "?"
				case i == 0: // the key
					sel[i] = "'copy-' || " + x
				default:
					sel[i] = x
				}
			}
			_, err = raw.Exec("INSERT INTO "+name+" ("+strings.Join(cols, ", ")+") SELECT "+strings.Join(sel, ", ")+" FROM "+name+" WHERE rowid = "+first, v)
		} else {
			_, err = raw.Exec("UPDATE "+name+" SET "+c+" = ? WHERE rowid = "+first, v)
		}
		raw.Close()
		if err != nil {
			return // a constraint refused it
		}
		db, err := store.Open(context.Background(), path, func() time.Time { return fixedNow })
		if err != nil {
			return
		}
		defer db.Close()
		verifyRecords(t, db)
	})
}
