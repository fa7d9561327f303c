//go:build race

package main

// raceEnabled: under the race detector every counsel process a test starts is
// instrumented too, about ten times slower, so reliability tests start fewer.
const raceEnabled = true
