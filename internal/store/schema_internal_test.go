package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// Open compares the record tables' statements with those the migrations write before it reads
// their columns (checkRecordSchemaAtOpen); currentRecordSchema must be what the migrations of
// this build write, and the full check must accept that schema, so that the short way never
// lets through what the full check refuses.
func TestCurrentRecordSchema(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "counsel.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, err := recordSchemaDigest(ctx, d.db)
	if err != nil {
		t.Fatal(err)
	}
	if got != currentRecordSchema {
		t.Errorf("the migrations write record tables whose digest is %s; set currentRecordSchema (internal/store/store.go) to it", got)
	}
	if err := checkRecordSchema(ctx, d.db); err != nil {
		t.Errorf("the full check refuses the schema the migrations write: %v", err)
	}
	// Every record table takes part: a table dropped or renamed changes the digest.
	for _, tbl := range recordTables {
		if _, err := d.db.ExecContext(ctx, "ALTER TABLE "+tbl.name+" RENAME TO x_"+tbl.name); err != nil {
			t.Fatal(err)
		}
		if dg, err := recordSchemaDigest(ctx, d.db); err != nil || dg == got {
			t.Errorf("table %s renamed: digest %s unchanged (%v)", tbl.name, dg, err)
		}
		if _, err := d.db.ExecContext(ctx, "ALTER TABLE x_"+tbl.name+" RENAME TO "+tbl.name); err != nil {
			t.Fatal(err)
		}
	}
}
