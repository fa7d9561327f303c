package dpo

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/doctor"
	"github.com/expeerienced/counsel/internal/provider"
)

// The manifest is what sha256sum -c reads: "HEX  NAME" per file, sorted.
func TestManifest(t *testing.T) {
	files := map[string][]byte{"b.md": []byte("b\n"), "a.json": []byte("{}"), "c.csv": nil}
	var buf bytes.Buffer
	if err := Manifest(&buf, files); err != nil {
		t.Fatal(err)
	}
	var names []string
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		want := sha256.Sum256(files[name])
		if !ok || sum != hex.EncodeToString(want[:]) {
			t.Errorf("line %q: want %x for %s", sc.Text(), want, name)
		}
		names = append(names, name)
	}
	if strings.Join(names, " ") != "a.json b.md c.csv" {
		t.Errorf("names %v, want sorted", names)
	}
}

// Both languages render every document, with no formatting slip and the
// facts they were given.
func TestDocuments(t *testing.T) {
	f := Facts{Generated: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Location: time.UTC, Version: "v1.2.3",
		Organisation: "Org-X", Counsellor: "Anna Beispiel", CounsellorEmail: "anna@example.org",
		RetentionSessionDays: 77, ProofYears: 4, AuditYears: 6, AuditHeadSeq: 12, AuditHeadHash: strings.Repeat("ab", 32), Intact: true,
		Providers: []provider.Provider{{ID: "p1", Name: "Prov One", Kind: provider.KindJitsi, Operator: "Op | Inc",
			Status: provider.StatusActive, Rating: &provider.Rating{Value: provider.RatingRed, Authority: "BlnBDI", Date: "2021"}}},
		Doctor: []doctor.Check{{ID: "disk_encryption", Status: doctor.Fail, Summary: "no layer", Hint: "encrypt"}},
		Files:  []string{"audit.json", "sessions.csv"}}
	for _, lang := range []string{"de", "en"} {
		f.Lang = lang
		docs := Documents(f)
		if len(docs) != 6 {
			t.Fatalf("%s: %d documents", lang, len(docs))
		}
		all := ""
		for _, d := range docs {
			if strings.Contains(d.Body, "%!") || !strings.HasPrefix(d.Body, "# ") {
				t.Errorf("%s %s: formatting slip or no title:\n%s", lang, d.Name, d.Body)
			}
			all += d.Body
		}
		for _, want := range []string{"Org-X", "Anna Beispiel <anna@example.org>", "77", "v1.2.3", strings.Repeat("ab", 32),
			"| `disk_encryption` | fail | no layer | encrypt |", `Op \| Inc`, "red (BlnBDI, 2021)", "Prov One", " 6 "} {
			if !strings.Contains(all, want) {
				t.Errorf("%s: documents lack %q", lang, want)
			}
		}
	}
}

// The measures document promises a DPO no more about remembered rooms than counsel keeps:
// the refusal lasts as long as the digest, and a purge without the proof key or a new key
// after a lost one leaves rooms unrecognised (docs/data-protection.md, "Limits, stated plainly").
func TestRoomMeasureStatesItsLimits(t *testing.T) {
	for _, lang := range []string{"de", "en"} {
		var measures string
		for _, d := range Documents(Facts{Generated: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Location: time.UTC, Lang: lang, Organisation: "Org-X"}) {
			if d.Name == "02-technical-and-organisational-measures.md" {
				measures = d.Body
			}
		}
		var row string
		for _, l := range strings.Split(measures, "\n") {
			if strings.Contains(l, "Meeting-ID") || strings.Contains(l, "meeting ID") {
				if strings.Contains(l, "Besprechungsraum") || strings.Contains(l, "meeting room") {
					row = l
				}
			}
		}
		if row == "" {
			t.Fatalf("%s: no measure for remembered rooms in:\n%s", lang, measures)
		}
		if strings.Contains(row, " nie einer ") || strings.Contains(row, "never given") {
			t.Errorf("%s: the room measure promises more than counsel keeps: %s", lang, row)
		}
		for _, want := range []string{"05-retention-schedule.md", "rooms_unremembered", "new-key --lost", "Rooms counsel no longer stores"} {
			if !strings.Contains(row, want) {
				t.Errorf("%s: the room measure does not name %q: %s", lang, want, row)
			}
		}
	}
}
