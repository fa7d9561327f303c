package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// counsel does not read the cgroup CPU limits at start, nor re-read them while it runs
// (main.go's //go:debug lines; docs/performance.md, "--help").
func TestStartReadsNoCgroupLimits(t *testing.T) {
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
	for _, want := range []string{"containermaxprocs=0", "updatemaxprocs=0"} {
		if !strings.Contains(","+godebug+",", ","+want+",") {
			t.Errorf("DefaultGODEBUG %q lacks %s", godebug, want)
		}
	}
}
