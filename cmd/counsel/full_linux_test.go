//go:build linux

package main

import (
	"os"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

// tmpfs DIR SIZE mounts a small tmpfs (SIZE as mount takes it, e.g. 2m) at DIR, made if
// missing, until the end of the script: a disk that can be filled (root only).
func cmdTmpfs(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: tmpfs DIR SIZE")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	ts.Check(unix.Mount("tmpfs", dir, "tmpfs", 0, "size="+args[1]))
	ts.Defer(func() { unix.Unmount(dir, unix.MNT_DETACH) })
}

// fill DIR KB writes DIR/filler until at most KB kilobytes are left free on DIR's file system.
func cmdFill(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: fill DIR KB")
	}
	left, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	dir := ts.MkAbs(args[0])
	f, err := os.OpenFile(dir+"/filler", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	ts.Check(err)
	defer f.Close()
	block := make([]byte, 1024)
	for {
		var st unix.Statfs_t
		ts.Check(unix.Statfs(dir, &st))
		if int64(st.Bavail)*st.Bsize/1024 <= left {
			return
		}
		if _, err := f.Write(block); err != nil {
			ts.Fatalf("fill: %v", err)
		}
	}
}
