package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

// writeJSON escapes what encoding/json leaves raw (DEL, C1, U+202E, a tag character beyond
// the BMP), decodes to the exact value, and writes clean values as json.Encoder does.
func TestWriteJSONEscapesTerminalControls(t *testing.T) {
	for _, v := range []string{
		"01a22ff9-3374-7a7c-9e11-5be7ed0424f0",
		"a\x1b[2J\x00\x1f\x7f\u0085\u009b31m\u202e\u2066\u200b\ufeff\U000e0041 Zoë <&>",
	} {
		val := map[string]any{"id": v, "list": []string{v}}
		var got bytes.Buffer
		if err := writeJSON(&got, val); err != nil {
			t.Fatal(err)
		}
		for _, r := range got.String() {
			if (unicode.IsControl(r) && r != '\n') || unicode.Is(unicode.Cf, r) {
				t.Errorf("writeJSON(%q) keeps %U: %s", v, r, got.String())
			}
		}
		var back map[string]any
		if err := json.Unmarshal(got.Bytes(), &back); err != nil || back["id"] != v {
			t.Errorf("writeJSON(%q) decodes to %q, %v", v, back["id"], err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(val); err != nil {
			t.Fatal(err)
		}
		if clean := !strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }); clean && got.String() != want.String() {
			t.Errorf("writeJSON(%q) = %s, json.Encoder gives %s", v, got.String(), want.String())
		}
	}
}

// FuzzWriteJSON: whatever a stored value holds, writeJSON's output holds no control or
// format character but the indentation's newlines, and decodes to the value (a value that
// is not UTF-8 decodes as encoding/json's own output does: with U+FFFD).
func FuzzWriteJSON(f *testing.F) {
	for _, s := range []string{"01a22ff9-3374-7a7c-9e11-5be7ed0424f0", "\x1b[2J\u009b\u202e", "\x7f\U000e0041", "\xff<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		var got bytes.Buffer
		if err := writeJSON(&got, []string{v}); err != nil {
			t.Fatal(err)
		}
		for _, r := range got.String() {
			if (unicode.IsControl(r) && r != '\n') || unicode.Is(unicode.Cf, r) {
				t.Fatalf("writeJSON(%q) keeps %U", v, r)
			}
		}
		plain, _ := json.Marshal([]string{v})
		var want, back []string
		if err := json.Unmarshal(plain, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got.Bytes(), &back); err != nil || len(back) != 1 || back[0] != want[0] {
			t.Fatalf("writeJSON(%q) decodes to %q, %v; want %q", v, back, err, want[0])
		}
	})
}

// Errors, hints and warnings print one line each, whatever an ID in them holds.
func TestPrintErrorIsTerminalSafe(t *testing.T) {
	var b bytes.Buffer
	printError(&b, withHint(errorString("no session \x1b]0;x\x07 here\nsecond line \u202eok"), "hint \x1b[2J"))
	want := "counsel: error: no session \\x1b]0;x\\x07 here\ncounsel: error: second line \\u202eok\ncounsel: hint: hint \\x1b[2J\n"
	if b.String() != want {
		t.Errorf("printError wrote %q, want %q", b.String(), want)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// termLines' byte-wise fast path decides as the line-by-line TermSafe it stands in for.
func TestTermLinesPlain(t *testing.T) {
	for _, s := range []string{"", "Guten Tag,\n\nZoë\tß ok\n", "a\x1b[2Jb", "x\u202ey", "\xff", "\ufffd", "a\rb", "\u2028", "\x7f", "\u0085"} {
		if got, want := termLines(s), termLinesSlow(s); got != want {
			t.Errorf("termLines(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzTermLines(f *testing.F) {
	for _, s := range []string{"Guten Tag,\n\tZoë", "a\x1b[2Jb\n", "x\u202ey", "\xff\n", "\ufffd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := termLines(s), termLinesSlow(s); got != want {
			t.Fatalf("termLines(%q) = %q, want %q", s, got, want)
		}
	})
}
