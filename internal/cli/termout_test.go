package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

// terminalUnsafe reports what terminalWriter must never let through: a control other than
// the newline (a carriage return only before one) or a format character such as U+202E.
func terminalUnsafeAt(s string) int {
	for i, r := range s {
		if r == '\r' && strings.HasPrefix(s[i:], "\r\n") {
			continue
		}
		if (unicode.IsControl(r) && r != '\n') || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return i
		}
	}
	return -1
}

// throughTerminal writes b to a terminalWriter in pieces of at most size bytes.
func throughTerminal(t testing.TB, b []byte, size int) string {
	var got bytes.Buffer
	tw := &terminalWriter{w: &got}
	for len(b) > 0 {
		n := min(size, len(b))
		if k, err := tw.Write(b[:n]); err != nil || k != n {
			t.Fatalf("Write = %d, %v", k, err)
		}
		b = b[n:]
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	return got.String()
}

// A value from a tampered database reaches the terminal as text, however the output is cut
// into writes; the output's own line breaks pass; JSON still decodes to the stored value.
func TestTerminalWriter(t *testing.T) {
	hostile := "a\x1b[2J\x1b]0;x\x07\x00\x7f\u0085\u009b31m\u202e\u2066\u200b\ufeff\U000e0041\ufffd Zoë\xff\r<&>"
	for _, tt := range []struct{ in, want string }{
		{"id,name\r\nx,Zoë\n", "id,name\r\nx,Zoë\n"},
		{"Evil\x1b[2J\u202e\n", `Evil\u001b[2J\u202e` + "\n"},
		{"\x9b\xff\r", `\x9b\xff\u000d`},
		{"tag\U000e0041", `tag\udb40\udc41`},
	} {
		for size := 1; size <= len(tt.in); size++ {
			if got := throughTerminal(t, []byte(tt.in), size); got != tt.want {
				t.Errorf("%q in writes of %d: %q, want %q", tt.in, size, got, tt.want)
			}
		}
	}
	for _, v := range []any{
		map[string]string{"name": hostile},
		[]string{hostile, "Zoë"},
	} {
		var raw bytes.Buffer
		enc := json.NewEncoder(&raw)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 2, 3, 7, raw.Len()} {
			got := throughTerminal(t, raw.Bytes(), size)
			if i := terminalUnsafeAt(got); i >= 0 {
				t.Fatalf("writes of %d keep %q: %q", size, got[i:], got)
			}
			var want, back any
			if err := json.Unmarshal(raw.Bytes(), &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(got), &back); err != nil {
				t.Fatalf("%q: %v", got, err)
			}
			w, _ := json.Marshal(want)
			b, _ := json.Marshal(back)
			if !bytes.Equal(w, b) {
				t.Errorf("writes of %d decode to %s, want %s", size, b, w)
			}
		}
	}
}

// FuzzTerminalWriter: whatever the output holds, the terminal gets no control or format
// character but line breaks, and cutting it into writes changes nothing.
func FuzzTerminalWriter(f *testing.F) {
	for _, s := range []string{"id,name\r\n", "\x1b[2J\u009b\u202e", "\x7f\U000e0041\r", "\xff\xe2\x80", "Zoë\n"} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, b []byte, size int) {
		if size < 1 || size > len(b)+1 {
			size = len(b) + 1
		}
		whole := throughTerminal(t, b, len(b)+1)
		if i := terminalUnsafeAt(whole); i >= 0 {
			t.Fatalf("%q keeps %q: %q", b, whole[i:], whole)
		}
		if cut := throughTerminal(t, b, size); cut != whole {
			t.Fatalf("%q in writes of %d: %q, whole: %q", b, size, cut, whole)
		}
	})
}
