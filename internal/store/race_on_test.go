//go:build race

package store

// raceEnabled: SQLite compiled to Go runs about ten times slower under the race detector,
// so tests fill smaller databases.
const raceEnabled = true
