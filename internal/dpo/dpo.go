// Package dpo writes the documents of the data protection officer's pack
// (`counsel export dpo`): the record of processing activities (GDPR
// Art. 30(1)), the technical and organisational measures (Art. 32) with
// this machine's doctor results, a DPIA screening note (Art. 35), the
// recipients and processors, and the retention schedule, in German or
// English Markdown, from the configuration and the provider list. It
// never sees a client's name: the documents describe the processing, not
// the people.
package dpo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/expeerienced/counsel/internal/doctor"
	"github.com/expeerienced/counsel/internal/provider"
)

// Facts is everything the documents say.
type Facts struct {
	Lang      string // "de" or "en"
	Generated time.Time
	Location  *time.Location
	Version   string // counsel's version

	Organisation, Counsellor, CounsellorEmail string
	WithdrawalContact                         string
	PolicyURL, PrivacyURL                     string
	ComplaintAuthority, ComplaintURL          string
	RetentionSessionDays, ProofYears          int
	AuditYears                                int

	Providers []provider.Provider // localized to Lang
	Doctor    []doctor.Check
	WithNames bool // the session export holds names

	AuditHeadSeq  int64
	AuditHeadHash string
	Intact        bool // audit verify found no problem
	// ChainBroken: the chain itself does not verify (not only records that differ), so
	// purge holds audit retention (store.Purged.AuditHeld); BrokenSeq is the event where it
	// breaks, and AuditHeadSeq/AuditHeadHash the last event before it that verifies.
	ChainBroken bool
	BrokenSeq   int64
	// NoAuditExport: audit.json is not in the pack, for the event at UnreadSeq cannot be read
	// back (its time or details were edited into a form counsel never writes).
	NoAuditExport bool
	UnreadSeq     int64
	// Kept: due withdrawal proofs and remembered rooms purges keep, for they or the trail
	// were changed outside counsel (from the purge events; N 0: none).
	Kept  Kept
	Files []string // the data files of the pack, for the index
}

// Kept is what the purge events say of due rows kept: how many, whether because the trail
// does not verify, and since when (zero: unknown).
type Kept struct {
	N           int
	TrailBroken bool
	Since       time.Time
}

// keptNote is the paragraph on kept rows, in the README and the retention schedule; empty
// when none are kept.
func keptNote(f Facts, w *wordSet) string {
	if f.Kept.N == 0 {
		return ""
	}
	since := w.keptSinceUnknown
	if !f.Kept.Since.IsZero() {
		since = f.Kept.Since.In(f.Location).Format("2006-01-02 15:04 MST")
	}
	if f.Kept.TrailBroken {
		return fmt.Sprintf(w.keptBroken, since, f.Kept.N)
	}
	return fmt.Sprintf(w.keptChanged, since, f.Kept.N)
}

// auditHeldNote is the paragraph on audit events kept past their retention while the chain
// does not verify, in the README and the retention schedule; empty when retention is not held.
func auditHeldNote(f Facts, w *wordSet) string {
	if !f.ChainBroken || f.AuditYears <= 0 {
		return ""
	}
	return fmt.Sprintf(w.auditHeld, f.AuditYears)
}

// Document is one Markdown file of the pack.
type Document struct {
	Name, Body string
}

// documents are the pack's Markdown documents: their names and how each is written.
var documents = []struct {
	name  string
	write func(Facts, *wordSet) string
}{
	{"README.md", readme},
	{"01-record-of-processing.md", record},
	{"02-technical-and-organisational-measures.md", measures},
	{"03-dpia-screening.md", dpia},
	{"04-recipients-and-processors.md", recipients},
	{"05-retention-schedule.md", retention},
}

// Documents renders the pack's Markdown documents.
func Documents(f Facts) []Document {
	w := words(f.Lang)
	out := make([]Document, len(documents))
	for i, d := range documents {
		out[i] = Document{d.name, d.write(f, w)}
	}
	return out
}

// DocumentNames are the file names of Documents, in their order.
func DocumentNames() []string {
	names := make([]string, len(documents))
	for i, d := range documents {
		names[i] = d.name
	}
	return names
}

// ManifestName is the manifest's file name.
const ManifestName = "MANIFEST"

// Manifest writes one line per file, "SHA-256  name", sorted by name: the
// format `sha256sum -c` reads.
func Manifest(w io.Writer, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sum := sha256.Sum256(files[n])
		if _, err := fmt.Fprintf(w, "%s  %s\n", hex.EncodeToString(sum[:]), n); err != nil {
			return err
		}
	}
	return nil
}

// md is a small Markdown builder.
type md struct{ b strings.Builder }

func (m *md) h(level int, s string) { fmt.Fprintf(&m.b, "%s %s\n\n", strings.Repeat("#", level), s) }
func (m *md) p(format string, args ...any) {
	fmt.Fprintf(&m.b, format, args...)
	m.b.WriteString("\n\n")
}
func (m *md) li(format string, args ...any) {
	m.b.WriteString("- ")
	fmt.Fprintf(&m.b, format, args...)
	m.b.WriteString("\n")
}
func (m *md) end() { m.b.WriteString("\n") }

// table writes a Markdown table; cells have | escaped and line breaks
// flattened.
func (m *md) table(header []string, rows [][]string) {
	cell := func(s string) string {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", `\|`)
		if s == "" {
			return "-"
		}
		return s
	}
	line := func(cs []string) {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = cell(c)
		}
		m.b.WriteString("| " + strings.Join(out, " | ") + " |\n")
	}
	line(header)
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
	}
	m.b.WriteString("| " + strings.Join(seps, " | ") + " |\n")
	for _, r := range rows {
		line(r)
	}
	m.b.WriteString("\n")
}
func (m *md) String() string { return strings.TrimRight(m.b.String(), "\n") + "\n" }

func orUnset(s string, w *wordSet) string {
	if strings.TrimSpace(s) == "" {
		return w.unset
	}
	return s
}

func readme(f Facts, w *wordSet) string {
	var m md
	m.h(1, fmt.Sprintf(w.readmeTitle, orUnset(f.Organisation, w)))
	m.p(w.readmeIntro, f.Generated.In(f.Location).Format("2006-01-02 15:04 MST"), f.Version)
	m.h(2, w.contents)
	for _, d := range []struct{ name, what string }{
		{"01-record-of-processing.md", w.idxRecord},
		{"02-technical-and-organisational-measures.md", w.idxMeasures},
		{"03-dpia-screening.md", w.idxDPIA},
		{"04-recipients-and-processors.md", w.idxRecipients},
		{"05-retention-schedule.md", w.idxRetention},
	} {
		m.li("`%s`: %s", d.name, d.what)
	}
	for _, name := range f.Files {
		m.li("`%s`: %s", name, w.fileWhat(name))
	}
	m.li("`%s`: %s", ManifestName, w.idxManifest)
	m.end()
	m.h(2, w.checkTitle)
	m.p("%s", w.checkManifest)
	m.p("```\nsha256sum -c %s\n```", ManifestName)
	// The commands to check the trail: the export offline when the pack has it, and the
	// database against the head when there is one.
	var cmds []string
	if !f.NoAuditExport {
		cmds = append(cmds, "counsel audit verify --file audit.json")
	}
	switch {
	case !f.ChainBroken:
		m.p(w.checkAudit, f.AuditHeadSeq, f.AuditHeadHash)
		cmds = append(cmds, "counsel audit verify --head "+f.AuditHeadHash)
	case f.AuditHeadHash != "":
		// The head verify reports is the last event before the break, not the trail's end.
		m.p(w.checkBroken, f.BrokenSeq, f.AuditHeadSeq, f.AuditHeadHash)
		cmds = append(cmds, "counsel audit verify --head "+f.AuditHeadHash)
	default:
		m.p(w.checkBrokenAll, f.BrokenSeq)
	}
	if len(cmds) > 0 {
		m.p("```\n%s\n```", strings.Join(cmds, "\n"))
	}
	if f.Intact {
		m.p("%s", w.intact)
	} else {
		m.p("%s", w.notIntact)
	}
	if f.NoAuditExport {
		m.p(w.noAudit, f.UnreadSeq)
	}
	if k := keptNote(f, w); k != "" {
		m.p("%s", k)
	}
	if h := auditHeldNote(f, w); h != "" {
		m.p("%s", h)
	}
	if f.WithNames {
		m.p("%s", w.withNames)
	} else {
		m.p("%s", w.noNames)
	}
	return m.String()
}

func record(f Facts, w *wordSet) string {
	var m md
	m.h(1, w.recordTitle)
	m.p("%s", w.recordIntro)
	contact := orUnset(f.Counsellor, w)
	if f.CounsellorEmail != "" {
		contact += " <" + f.CounsellorEmail + ">"
	}
	var names []string
	for _, p := range f.Providers {
		if p.Status != provider.StatusRetired {
			names = append(names, p.Name)
		}
	}
	m.table([]string{w.item, w.entry}, [][]string{
		{w.rController, orUnset(f.Organisation, w) + "; " + w.contactPerson + ": " + contact},
		{w.rDPO, w.rDPOText},
		{w.rPurpose, w.rPurposeText},
		{w.rBasis, w.rBasisText},
		{w.rSubjects, w.rSubjectsText},
		{w.rData, w.rDataText},
		{w.rRecipients, strings.Join(names, "; ") + ". " + w.rRecipientsText},
		{w.rTransfers, w.rTransfersText},
		{w.rRetention, fmt.Sprintf(w.rRetentionText, f.RetentionSessionDays, f.ProofYears)},
		{w.rMeasures, w.rMeasuresText},
	})
	m.p(w.noticeLinks, orUnset(f.PolicyURL, w), orUnset(f.PrivacyURL, w), orUnset(f.WithdrawalContact, w),
		orUnset(f.ComplaintAuthority, w))
	return m.String()
}

func measures(f Facts, w *wordSet) string {
	var m md
	m.h(1, w.measuresTitle)
	m.p("%s", w.measuresIntro)
	var rows [][]string
	for _, x := range w.measureList {
		rows = append(rows, []string{x[0], x[1], x[2]})
	}
	m.table([]string{w.measure, w.article, w.howToCheck}, rows)
	m.h(2, fmt.Sprintf(w.doctorTitle, f.Generated.In(f.Location).Format("2006-01-02 15:04 MST")))
	m.p("%s", w.doctorIntro)
	var drows [][]string
	for _, c := range f.Doctor {
		drows = append(drows, []string{"`" + c.ID + "`", string(c.Status), c.Summary, c.Hint})
	}
	m.table([]string{"id", "status", w.finding, w.whatToDo}, drows)
	return m.String()
}

func dpia(f Facts, w *wordSet) string {
	var m md
	m.h(1, w.dpiaTitle)
	m.p("%s", w.dpiaIntro)
	m.h(2, w.dpiaWhy)
	for _, s := range w.dpiaReasons {
		m.li("%s", s)
	}
	m.end()
	m.h(2, w.dpiaRisks)
	var rows [][]string
	for _, r := range w.riskList {
		rows = append(rows, []string{r[0], r[1], r[2]})
	}
	m.table([]string{w.risk, w.measureCounsel, w.left}, rows)
	red := []string{}
	for _, p := range f.Providers {
		if p.Rating != nil && p.Rating.Value == provider.RatingRed && p.Status != provider.StatusRetired {
			red = append(red, p.Name)
		}
	}
	if len(red) > 0 {
		m.p(w.redProviders, strings.Join(red, ", "))
	}
	m.h(2, w.dpiaNext)
	for _, s := range w.nextSteps {
		m.li("%s", s)
	}
	return m.String()
}

func recipients(f Facts, w *wordSet) string {
	var m md
	m.h(1, w.recipientsTitle)
	m.p("%s", w.recipientsIntro)
	var rows [][]string
	for _, p := range f.Providers {
		rating := "-"
		if p.Rating != nil {
			var about []string
			for _, x := range []string{p.Rating.Authority, p.Rating.Date, p.Rating.Subject, p.Rating.Source} {
				if x != "" {
					about = append(about, x)
				}
			}
			rating = p.Rating.Value
			if len(about) > 0 {
				rating += " (" + strings.Join(about, ", ") + ")"
			}
		}
		rows = append(rows, []string{"`" + p.ID + "`", p.Name, string(p.Kind), p.Operator, p.DataLocation,
			string(p.Status), rating, p.ReviewedOn, p.ReviewDue, p.PrivacyPolicy})
	}
	m.table(w.recipientsHeader, rows)
	m.p("%s", w.recipientsRole)
	return m.String()
}

func retention(f Facts, w *wordSet) string {
	var m md
	m.h(1, w.retentionTitle)
	m.table([]string{w.whatData, w.howLong, w.howDeleted}, [][]string{
		{w.retSessions, fmt.Sprintf(w.retSessionsHow, f.RetentionSessionDays), w.retPurge},
		{w.retPeople, w.retPeopleHow, w.retPurge},
		{w.retEvents, w.retEventsHow, w.retRevoke},
		{w.retProofs, fmt.Sprintf(w.retProofsHow, f.ProofYears), w.retPurge},
		{w.retRooms, fmt.Sprintf(w.retRoomsHow, f.ProofYears), w.retPurge},
		{w.retAudit, fmt.Sprintf(w.retAuditHow, f.AuditYears), w.retAuditDel},
		{w.retExports, w.retExportsHow, w.retExportsDel},
	})
	m.p("%s", w.retentionNote)
	if k := keptNote(f, w); k != "" {
		m.p("%s", k)
	}
	if h := auditHeldNote(f, w); h != "" {
		m.p("%s", h)
	}
	return m.String()
}
