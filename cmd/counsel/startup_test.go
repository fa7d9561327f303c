package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// counsel does not re-read the CPU limits while it runs (main.go's //go:debug line;
// docs/performance.md, "--help").
func TestNoGOMAXPROCSUpdates(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information")
	}
	var godebug string
	for _, s := range bi.Settings {
		if s.Key == "DefaultGODEBUG" {
			godebug = s.Value
		}
	}
	for _, want := range []string{"updatemaxprocs=0"} {
		if !strings.Contains(","+godebug+",", ","+want+",") {
			t.Errorf("DefaultGODEBUG %q lacks %s", godebug, want)
		}
	}
}
