package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A large export without names lets SQLite sort the sessions, and SQLite spills the sort to
// temporary files (docs/data-protection.md, "Where it is stored"). While the rows stream,
// every file the process holds open is the database, its -wal or -shm, or a file that no
// longer has a name: nothing of the sort can be found in a folder, or is left behind.
func TestSortedExportLeavesNoNamedFile(t *testing.T) {
	if raceEnabled {
		t.Skip("one goroutine looks at its own files; the fixture takes 90 s under the race detector")
	}
	// SQLite spills a sort of about 5,000 sessions and more (sortCacheKiB).
	d := filledDB(t, 6000)
	ctx := context.Background()
	x, err := d.BeginExport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Rollback()
	x.sortedMin = 0
	// openFiles returns what the process holds open, by descriptor.
	openFiles := func() map[string]string {
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		for _, fd := range fds {
			if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil {
				files[fd.Name()] = target
			}
		}
		return files
	}
	before := openFiles() // the test's own (go test's log file, among others)
	unnamed, rows := 0, 0
	err = x.Sessions(ctx, ExportFilter{}, func(SessionRow) error {
		if rows++; rows != 1 {
			return nil
		}
		// The first row comes once the sort has finished: its runs are all written.
		for fd, target := range openFiles() {
			if before[fd] == target || !strings.HasPrefix(target, "/") {
				continue // open before the export, or a pipe, socket or anon inode
			}
			switch {
			case strings.HasSuffix(target, " (deleted)"):
				unnamed++
			case strings.HasPrefix(target, d.path):
				// the database, its -wal and -shm
			case strings.HasPrefix(target, "/dev/") || strings.HasPrefix(target, "/proc/") || strings.HasPrefix(target, "/sys/"):
			default:
				if st, err := os.Stat(target); err == nil && st.Mode().IsRegular() && !strings.HasSuffix(target, ".test") {
					t.Errorf("open during the sorted export: %s, a file with a name", target)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if x.how != "sorted" {
		t.Fatalf("read %s, want sorted", x.how)
	}
	if unnamed == 0 {
		t.Fatalf("%d sessions: the sort spilled to no temporary file, so this test proves nothing", rows)
	}
}
