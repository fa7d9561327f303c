//go:build !linux

package main

import "github.com/rogpeppe/go-internal/testscript"

// A small tmpfs needs Linux; scripts that use these skip elsewhere ([!linux]).
func cmdTmpfs(ts *testscript.TestScript, neg bool, args []string) { ts.Fatalf("tmpfs: Linux only") }
func cmdFill(ts *testscript.TestScript, neg bool, args []string)  { ts.Fatalf("fill: Linux only") }
