package export_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/expeerienced/counsel/internal/export"
)

func readCSV(t testing.TB, b []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read the output: %v\n%q", err, b)
	}
	return recs
}

// wantRead is what encoding/csv gives back for cell: the neutralised cell, with "\r\n"
// normalised to "\n" as the package documents.
func wantRead(cell string) string {
	return strings.ReplaceAll(export.SafeCell(cell), "\r\n", "\n")
}

func TestSafeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"S-0001", "S-0001"},
		{"=1+2", "'=1+2"},
		{"+49 30 1234", "'+49 30 1234"},
		{"-3", "'-3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"'=1", "'=1"},
		{"a=1", "a=1"},
		{" =1", " =1"},
		{"\n=1", "\n=1"},
		{"München", "München"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			if got := export.SafeCell(tt.in); got != tt.want {
				t.Errorf("SafeCell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCSV(t *testing.T) {
	tests := []struct {
		name    string
		header  []string
		rows    [][]string
		wantRaw string
	}{
		{
			name:    "Plain",
			header:  []string{"id", "n"},
			rows:    [][]string{{"S-1", "3"}},
			wantRaw: "id,n\nS-1,3\n",
		},
		{
			name:    "Formula",
			header:  []string{"place"},
			rows:    [][]string{{`=HYPERLINK("https://x.example","click")`}, {"-1"}, {"@cmd"}},
			wantRaw: "place\n\"'=HYPERLINK(\"\"https://x.example\"\",\"\"click\"\")\"\n'-1\n'@cmd\n",
		},
		{
			name:    "Quoting",
			header:  []string{"a", "b", "c"},
			rows:    [][]string{{"x,y", `say "hi"`, "two\nlines"}, {" lead", "", "\ttab"}},
			wantRaw: "a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n\" lead\",,\"'\ttab\"\n",
		},
		{
			name:    "LoneEmptyCell",
			header:  []string{"a"},
			rows:    [][]string{{""}, {"x"}},
			wantRaw: "a\n\"\"\nx\n",
		},
		{
			name:    "HeaderOnly",
			header:  []string{"a", "b"},
			wantRaw: "a,b\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := export.NewCSV(&buf, tt.header)
			for _, r := range tt.rows {
				if err := w.Write(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.wantRaw {
				t.Errorf("output =\n%q\nwant\n%q", got, tt.wantRaw)
			}
			if got := w.Rows(); got != int64(len(tt.rows)) {
				t.Errorf("Rows() = %d, want %d", got, len(tt.rows))
			}
			recs := readCSV(t, buf.Bytes())
			if len(recs) != len(tt.rows)+1 {
				t.Fatalf("read %d records, want %d", len(recs), len(tt.rows)+1)
			}
			for i, r := range tt.rows {
				for j, cell := range r {
					if got := recs[i+1][j]; got != wantRead(cell) {
						t.Errorf("row %d cell %d reads back %q, want %q", i, j, got, wantRead(cell))
					}
				}
			}
		})
	}
}

func TestCSVErrors(t *testing.T) {
	t.Run("WrongCellCount", func(t *testing.T) {
		var buf bytes.Buffer
		w := export.NewCSV(&buf, []string{"a", "b"})
		if err := w.Write([]string{"1"}); err == nil || !strings.Contains(err.Error(), "has 1 cells, header has 2") {
			t.Errorf("err = %v, want a cell count error", err)
		}
		// The refused row does not poison the writer.
		if err := w.Write([]string{"1", "2"}); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if buf.String() != "a,b\n1,2\n" || w.Rows() != 1 {
			t.Errorf("output %q rows %d", buf.String(), w.Rows())
		}
	})
	t.Run("EmptyHeader", func(t *testing.T) {
		w := export.NewCSV(io.Discard, nil)
		if err := w.Write(nil); err == nil {
			t.Error("Write: want an error")
		}
		if err := w.Flush(); err == nil {
			t.Error("Flush: want an error")
		}
	})
	t.Run("WriterFails", func(t *testing.T) {
		boom := errors.New("disk full")
		w := export.NewCSV(failWriter{boom}, []string{"a"})
		if err := w.Flush(); !errors.Is(err, boom) {
			t.Fatalf("Flush = %v, want %v", err, boom)
		}
		if err := w.Write([]string{"x"}); !errors.Is(err, boom) {
			t.Errorf("Write after failure = %v, want the sticky error", err)
		}
	})
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// FuzzCSV writes arbitrary cells and reads them back with encoding/csv.
func FuzzCSV(f *testing.F) {
	for _, s := range [][3]string{
		{"S-1", "3", "Client-A"},
		{"=1+2", "+1", "-1"},
		{"@x", "\tx", "\rx"},
		{"", "", ""},
		{`"`, ",", "\n"},
		{"a\r\nb", "\r", "\r\n"},
		{" x", "x ", "'="},
		{"\xff\xfe", "ü", "\u2028"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		for _, rec := range [][]string{{a, b, c}, {a}} {
			var buf bytes.Buffer
			w := export.NewCSV(&buf, make([]string, len(rec)))
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			recs := readCSV(t, buf.Bytes())
			if len(recs) != 2 {
				t.Fatalf("read %d records from %q, want header and one row", len(recs), buf.Bytes())
			}
			for i, cell := range rec {
				got := recs[1][i]
				if got != wantRead(cell) {
					t.Errorf("cell %d: wrote %q, read %q, want %q", i, cell, got, wantRead(cell))
				}
				if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
					t.Errorf("cell %d reads back %q: a dangerous first character was kept", i, got)
				}
			}
		}
	})
}

func BenchmarkCSV(b *testing.B) {
	const rows = 1_000_000
	header := []string{"session_id", "subject_id", "provider", "starts_at", "status", "place", "consent"}
	rec := []string{"7c9e6679-7425-40de-944b-e07fc1f90ae7", "subj-3f1f3c2a", "jitsi-meet-example",
		"2026-03-04T15:00:00Z", "held", "Beratungsstelle, Raum 2", "given"}
	b.ReportAllocs()
	for b.Loop() {
		w := export.NewCSV(io.Discard, header)
		for range rows {
			if err := w.Write(rec); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}
