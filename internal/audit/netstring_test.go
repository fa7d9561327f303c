package audit

import (
	"strconv"
	"testing"
)

func TestAppendLen(t *testing.T) {
	for n := range 100000 {
		if got, want := string(appendLen([]byte("x"), n)), "x"+strconv.Itoa(n); got != want {
			t.Fatalf("%d: %q, want %q", n, got, want)
		}
	}
}
