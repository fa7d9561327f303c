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

// Kept rows are told in the README and the retention schedule, in both languages: how many,
// since when, why (changed rows or a trail that does not verify) and what to do; with none
// kept, neither says anything of them.
func TestDocumentsTellKeptRows(t *testing.T) {
	since := time.Date(2029, 1, 2, 8, 30, 0, 0, time.UTC)
	for _, tt := range []struct {
		lang  string
		kept  Kept
		wants []string
	}{
		{"en", Kept{}, nil},
		{"de", Kept{}, nil},
		{"en", Kept{N: 3, Since: since}, []string{"since 2029-01-02 08:30 UTC, 3 withdrawal proof(s)", "changed outside counsel", "restore the database file from a backup made before the change"}},
		{"en", Kept{N: 2, TrailBroken: true, Since: since}, []string{"since 2029-01-02 08:30 UTC, 2 withdrawal proof(s)", "the audit trail does not verify", "kept until the trail is restored", "backup made before the break"}},
		{"en", Kept{N: 1}, []string{"since a time the trail no longer shows, 1 withdrawal"}},
		{"de", Kept{N: 3, Since: since}, []string{"seit 2029-01-02 08:30 UTC werden 3 Widerrufsnachweis(e)", "außerhalb von counsel geändert", "Sicherung von vor der Änderung"}},
		{"de", Kept{N: 2, TrailBroken: true, Since: since}, []string{"seit 2029-01-02 08:30 UTC werden 2 ", "Prüfprotokoll nicht in Ordnung", "Sicherung von vor dem Bruch"}},
	} {
		f := Facts{Lang: tt.lang, Generated: since, Location: time.UTC, Kept: tt.kept}
		for _, d := range Documents(f) {
			if d.Name != "README.md" && d.Name != "05-retention-schedule.md" {
				continue
			}
			if tt.wants == nil && (strings.Contains(d.Body, "kept_tampered") || strings.Contains(d.Body, "**Due records") || strings.Contains(d.Body, "**Fällige")) {
				t.Errorf("%s %s tells of kept rows when none are kept:\n%s", tt.lang, d.Name, d.Body)
			}
			for _, w := range tt.wants {
				if !strings.Contains(d.Body, w) {
					t.Errorf("%s %s with %+v lacks %q:\n%s", tt.lang, d.Name, tt.kept, w, d.Body)
				}
			}
			if tt.kept.TrailBroken && strings.Contains(d.Body, "were changed outside counsel after") {
				t.Errorf("%s %s says rows were changed when the trail is broken", tt.lang, d.Name)
			}
		}
	}
}

// While the chain does not verify, purge holds audit retention: the README and the retention
// schedule say that old events are kept past their retention and that this ends once the
// damage is dealt with; with the chain intact or no audit retention, they say nothing of it.
func TestDocumentsTellAuditRetentionHeld(t *testing.T) {
	for _, tt := range []struct {
		lang        string
		broken      bool
		years       int
		wants, nots []string
	}{
		{"en", true, 4, []string{"**Audit retention is held**", "(4 years after the end of its year)", "old audit events are being kept past their retention", "This ends once the damage is dealt with", "backup made before the break"}, nil},
		{"de", true, 4, []string{"**Die Löschfrist des Prüfprotokolls ist ausgesetzt**", "(4 Jahre nach Ende des Jahres", "über ihre Frist hinaus aufbewahrt", "Das endet, sobald der Schaden behoben ist", "Sicherung von vor dem Bruch"}, nil},
		{"en", false, 4, nil, []string{"Audit retention is held"}},
		{"de", false, 4, nil, []string{"Löschfrist des Prüfprotokolls ist ausgesetzt"}},
		{"en", true, 0, nil, []string{"Audit retention is held"}},
	} {
		f := Facts{Lang: tt.lang, Generated: time.Date(2029, 1, 2, 8, 30, 0, 0, time.UTC), Location: time.UTC,
			AuditYears: tt.years, ChainBroken: tt.broken}
		for _, d := range Documents(f) {
			if d.Name != "README.md" && d.Name != "05-retention-schedule.md" {
				continue
			}
			for _, w := range tt.wants {
				if !strings.Contains(d.Body, w) {
					t.Errorf("%s %s (broken %v, %d years) lacks %q:\n%s", tt.lang, d.Name, tt.broken, tt.years, w, d.Body)
				}
			}
			for _, w := range tt.nots {
				if strings.Contains(d.Body, w) {
					t.Errorf("%s %s (broken %v, %d years) says %q:\n%s", tt.lang, d.Name, tt.broken, tt.years, w, d.Body)
				}
			}
		}
	}
}

// The README's instructions for checking the trail fit what the pack holds: without
// audit.json (an event that cannot be read back) it names the event and gives no command for
// audit.json; with a broken chain the head is the last event that verifies, said as such.
func TestReadmeFitsTheTrail(t *testing.T) {
	head := strings.Repeat("cd", 32)
	for _, tt := range []struct {
		name        string
		f           Facts
		wants, nots []string
	}{
		{"intact", Facts{Lang: "en", Intact: true, AuditHeadSeq: 9, AuditHeadHash: head},
			[]string{"ended at seq 9 with hash", "counsel audit verify --file audit.json\ncounsel audit verify --head " + head},
			[]string{"does not verify from", "not in this pack"}},
		{"broken, exported", Facts{Lang: "en", ChainBroken: true, BrokenSeq: 4, AuditHeadSeq: 3, AuditHeadHash: head},
			[]string{"does not verify from event seq 4 on", "up to seq 3 with hash `" + head + "`", "counsel audit verify --file audit.json\ncounsel audit verify --head " + head},
			[]string{"ended at seq", "not in this pack"}},
		{"broken, not exported", Facts{Lang: "en", ChainBroken: true, BrokenSeq: 4, AuditHeadSeq: 3, AuditHeadHash: head, NoAuditExport: true, UnreadSeq: 4},
			[]string{"does not verify from event seq 4 on", "```\ncounsel audit verify --head " + head + "\n```", "**audit.json is not in this pack**: the audit event at seq 4 "},
			[]string{"ended at seq", "--file audit.json"}},
		{"broken at the first event", Facts{Lang: "en", ChainBroken: true, BrokenSeq: 1, NoAuditExport: true, UnreadSeq: 1},
			[]string{"does not verify from event seq 1 on, its first event", "the audit event at seq 1 "},
			[]string{"--head", "--file audit.json", "ended at seq"}},
		{"nicht exportiert", Facts{Lang: "de", ChainBroken: true, BrokenSeq: 4, AuditHeadSeq: 3, AuditHeadHash: head, NoAuditExport: true, UnreadSeq: 4},
			[]string{"ab Ereignis seq 4 nicht in Ordnung", "bis seq 3 mit dem Hash", "**audit.json ist nicht in diesem Paket**: das Protokollereignis seq 4 "},
			[]string{"--file audit.json"}},
	} {
		tt.f.Generated, tt.f.Location = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), time.UTC
		readme := Documents(tt.f)[0]
		if readme.Name != "README.md" {
			t.Fatalf("first document %s", readme.Name)
		}
		for _, w := range tt.wants {
			if !strings.Contains(readme.Body, w) {
				t.Errorf("%s: README lacks %q:\n%s", tt.name, w, readme.Body)
			}
		}
		for _, w := range tt.nots {
			if strings.Contains(readme.Body, w) {
				t.Errorf("%s: README says %q:\n%s", tt.name, w, readme.Body)
			}
		}
	}
}
