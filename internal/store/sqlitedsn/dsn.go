// Package sqlitedsn builds the connection string with which counsel writes its database. It
// is apart from the store so that the benchmark's same-writes baseline opens the file with
// exactly the store's settings without linking the store.
package sqlitedsn

// BusyTimeout is how long a connection waits for another process's lock before it fails;
// every connection counsel opens waits this long.
const BusyTimeout = "busy_timeout(10000)"

// pragmas reach every pooled connection because they are part of the DSN.
//   - foreign_keys: references hold.
//   - busy_timeout: a second counsel process waits instead of failing.
//   - journal_mode(WAL) + synchronous(FULL): a committed change survives a
//     power cut.
//   - secure_delete: deleted content is overwritten with zeros, so erased
//     names do not linger in free pages (design rule 3).
var pragmas = [...]string{
	"foreign_keys(1)",
	BusyTimeout,
	"journal_mode(WAL)",
	"synchronous(FULL)",
	"secure_delete(1)",
}

// Read is the DSN for a connection that only reads path (a probe, an export's readers): it
// waits for a writer as the write connection does.
func Read(path string) string { return path + "?_pragma=" + BusyTimeout }

// Write is the DSN for the writing connection to path: every transaction begins IMMEDIATE
// (it takes the write lock at once, so it never fails half-way on a lock), with the pragmas
// above. path must not contain '?' or '#'.
func Write(path string) string {
	dsn := path + "?_txlock=immediate"
	for _, p := range pragmas {
		dsn += "&_pragma=" + p
	}
	return dsn
}
