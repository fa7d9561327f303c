package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/doctor"
	"github.com/expeerienced/counsel/internal/dpo"
	"github.com/expeerienced/counsel/internal/export"
	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/store"
)

type exportDPOOptions struct {
	out, lang string
	withNames bool
}

func newExportDPOCmd(a *app) *cobra.Command {
	opts := &exportDPOOptions{}
	cmd := &cobra.Command{
		Use:   "dpo --out DIR [--lang de|en] [--with-names]",
		Short: "Write the data protection officer's pack into a new folder",
		Long: `Write everything a data protection officer needs for an audit of counsel into
a new folder (it must not exist yet): in Markdown, in German or English
(--lang, default: the config language)

  README.md                                   what is in the pack, how to check it
  01-record-of-processing.md                  record of processing (GDPR Art. 30(1))
  02-technical-and-organisational-measures.md the measures (Art. 32), each with how
                                              to check it, and this machine's
                                              'counsel doctor' results
  03-dpia-screening.md                        DPIA screening note (Art. 35)
  04-recipients-and-processors.md             the video providers: operator, data
                                              location, rating, review dates
  05-retention-schedule.md                    how long each kind of data is kept

and the data: audit.json (the audit export with its head), audit-verify.json
(the verification result), sessions.csv with its side file (without names),
report-by-month.csv and report-by-provider.csv (the funder report), and
doctor.json. MANIFEST lists every file with its SHA-256 in the format of
'sha256sum -c MANIFEST'.

When the audit trail does not verify, the pack is still written, and the
command exits 1: audit-verify.json and the README say where the trail breaks.
An audit event that can no longer be read (its time or details edited outside
counsel) cannot be exported: the pack then holds no audit.json, and the README
names the event.

No client name is in the pack unless --with-names, which puts names into
sessions.csv and is recorded in the audit trail. The exports in the pack are
audit events like any export. The folder appears only when complete; until
then it is a hidden folder beside it (.counsel-NAME-digits), which an export
that was stopped can leave behind: the next export to the same folder removes
it, or names it if it holds anything else.

EXIT STATUS

    0  success
    1  failure (the error message says what went wrong; nothing was changed),
       or the audit trail does not verify: the pack was written all the same,
       and its exports are recorded in the trail
    2  usage error (unknown command or flag, missing or invalid argument)`,
		Example: `  $ counsel export dpo --out dpo-2026-12
  $ cd dpo-2026-12 && sha256sum -c MANIFEST`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExportDPO(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "the new folder to write the pack into (required)")
	cmd.Flags().StringVar(&opts.lang, "lang", "", "language of the documents: de or en (default: config language)")
	cmd.Flags().BoolVar(&opts.withNames, "with-names", false, "include client names in sessions.csv (recorded in the audit trail)")
	return cmd
}

// dpoFiles are the data files of the pack, in the order they are made:
// the audit export comes after the exports it records, and the
// verification after it.
const (
	dpoSessions = "sessions.csv"
	dpoReportM  = "report-by-month.csv"
	dpoReportP  = "report-by-provider.csv"
	dpoDoctor   = "doctor.json"
	dpoAudit    = "audit.json"
	dpoVerify   = "audit-verify.json"
)

// dpoFile reports whether name is a file of the pack: a folder beside --out that a killed run
// left is removed only if it holds nothing else.
func dpoFile(name string) bool {
	switch name {
	case dpoSessions, export.SideFile(dpoSessions), dpoReportM, dpoReportP, dpoDoctor, dpoAudit, dpoVerify, dpo.ManifestName:
		return true
	}
	return slices.Contains(dpo.DocumentNames(), name)
}

func runExportDPO(ctx context.Context, a *app, opts *exportDPOOptions) (err error) {
	if opts.out == "" || opts.out == stdoutPath {
		return usageErrorf("--out is required: the pack is a folder")
	}
	lang := a.cfg.Language
	if opts.lang != "" {
		lang = opts.lang
	}
	if lang != "de" && lang != "en" {
		return flagError("lang", errors.New("want de or en"))
	}
	dir := filepath.Clean(opts.out)
	if _, err := os.Lstat(dir); err == nil {
		return withHint(flagError("out", errors.New("exists; the pack is written into a new folder")), "choose a new name, e.g. one with today's date")
	}
	parent := filepath.Dir(dir)
	if fi, err := os.Stat(parent); err != nil || !fi.IsDir() {
		return flagError("out", errors.New("the folder it goes into does not exist"))
	}
	reg, err := a.providerRegistry()
	if err != nil {
		return err
	}
	// Everything is written into a private folder beside the target and
	// renamed into place at the end (outputFiles), so the pack appears whole
	// or not at all.
	out := &outputFiles{}
	defer out.discard()
	defer func() { err = packDiskFull(err, a.changed != "") }()
	tmp, err := out.prepareFolder(a, "out", dir, dpoFile)
	if err != nil {
		return err
	}

	// The pieces are the commands' own work; their messages are not the
	// pack's, so they go nowhere while it is made.
	stdout, stderr := a.deps.Stdout, a.deps.Stderr
	a.deps.Stderr = io.Discard
	defer func() { a.deps.Stdout, a.deps.Stderr = stdout, stderr }()
	capture := func(name string, run func() error) error {
		var buf bytes.Buffer
		a.deps.Stdout = &buf
		runErr := run()
		a.deps.Stdout = stdout
		if buf.Len() > 0 {
			if err := os.WriteFile(filepath.Join(tmp, name), buf.Bytes(), 0o600); err != nil {
				return err
			}
		}
		return runErr
	}

	if err := runExportSessions(ctx, a, &exportSessionsOptions{withNames: opts.withNames,
		exportOptions: exportOptions{out: filepath.Join(tmp, dpoSessions), format: export.FormatCSV}}); err != nil {
		return err
	}
	for _, r := range []struct{ name, by string }{{dpoReportM, store.ReportByMonth}, {dpoReportP, store.ReportByProvider}} {
		if err := capture(r.name, func() error { return runReport(ctx, a, &reportOptions{by: r.by, format: formatCSV}) }); err != nil {
			return err
		}
	}
	checks, err := a.doctorChecks()
	if err != nil {
		return err
	}
	if err := capture(dpoDoctor, func() error { return writeDoctor(a.deps.Stdout, formatJSON, checks) }); err != nil {
		return err
	}
	// An event that cannot be read back stops the audit export (it names the event). The pack
	// is wanted most then: it is written without audit.json, and audit-verify.json and the
	// README name the break.
	var unread *audit.BrokenError
	if err := runExportAudit(ctx, a, &exportAuditOptions{exportOptions{out: filepath.Join(tmp, dpoAudit), format: export.FormatJSON}}); err != nil && !errors.As(err, &unread) {
		return err
	}
	// A trail that does not verify is part of the finding: the result goes
	// into the pack and the command says so afterwards.
	verifyErr := capture(dpoVerify, func() error { return runAuditVerify(ctx, a, &auditVerifyOptions{format: formatJSON}) })
	var verified verifyResult
	if b, err := os.ReadFile(filepath.Join(tmp, dpoVerify)); err != nil || json.Unmarshal(b, &verified) != nil {
		return fmt.Errorf("the audit trail could not be checked: %w", verifyErr)
	}

	kept, err := a.keptTampered(ctx)
	if err != nil {
		return err
	}

	// The documents speak --lang, doctor.json stays data (English).
	lt := newTranslator(lang)
	shown := make([]doctor.Check, len(checks))
	for i, c := range checks {
		c.Summary, c.Hint = lt.message(c.Summary), lt.message(c.Hint)
		shown[i] = c
	}
	f := dpo.Facts{
		Lang: lang, Generated: a.deps.Now(), Location: a.cfg.Location(), Version: a.deps.Build.withBuildInfo().Version,
		Organisation: a.cfg.Organisation, WithdrawalContact: a.cfg.WithdrawalContact,
		PolicyURL: a.cfg.PolicyURL, PrivacyURL: a.cfg.PrivacyURL,
		ComplaintAuthority: a.cfg.ComplaintAuthority, ComplaintURL: a.cfg.ComplaintURL,
		RetentionSessionDays: a.cfg.RetentionSessionDays, ProofYears: a.cfg.RetentionConsentYears,
		AuditYears: a.cfg.RetentionAuditYears, Doctor: shown, WithNames: opts.withNames,
		AuditHeadSeq: verified.Head.Seq, AuditHeadHash: verified.Head.Hash, Intact: verified.Intact,
		Kept:  dpo.Kept{N: kept.N, TrailBroken: kept.TrailBroken, Since: kept.Since},
		Files: []string{dpoAudit, dpoVerify, dpoSessions, export.SideFile(dpoSessions), dpoReportM, dpoReportP, dpoDoctor},
	}
	if i := slices.IndexFunc(verified.Problems, func(p audit.Problem) bool { return p.Kind == audit.ProblemChainBroken }); i >= 0 {
		f.ChainBroken, f.BrokenSeq = true, verified.Problems[i].Seq
	}
	if unread != nil {
		f.NoAuditExport, f.UnreadSeq = true, unread.Seq
		f.Files = slices.DeleteFunc(f.Files, func(n string) bool { return n == dpoAudit })
	}
	if addr, err := invite.ParseAddress(a.cfg.Counsellor); err == nil {
		f.Counsellor, f.CounsellorEmail = addr.Name, addr.Address
	}
	for _, p := range reg.All() {
		f.Providers = append(f.Providers, p.Localized(lang))
	}
	sort.Slice(f.Providers, func(i, j int) bool { return f.Providers[i].ID < f.Providers[j].ID })
	for _, d := range dpo.Documents(f) {
		if err := os.WriteFile(filepath.Join(tmp, d.Name), []byte(d.Body), 0o600); err != nil {
			return err
		}
	}
	files := map[string][]byte{}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return err
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(tmp, e.Name()))
		if err != nil {
			return err
		}
		files[e.Name()] = b
	}
	var manifest bytes.Buffer
	if err := dpo.Manifest(&manifest, files); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, dpo.ManifestName), manifest.Bytes(), 0o600); err != nil {
		return err
	}
	if err := out.publish("the exports of the pack are recorded in the audit trail",
		"to get the pack, run the export again; the audit trail will show both exports"); err != nil {
		return err
	}
	a.deps.Stderr = stderr
	a.info("wrote the data protection pack to %s (%d files); check it there with: sha256sum -c MANIFEST", dir, len(files)+1)
	if opts.withNames {
		a.warn("this pack holds names: it is personal health data; hand it over encrypted")
	}
	if unread != nil {
		return withHint(fmt.Errorf("the audit trail does not verify and could not be exported: the event at seq %d cannot be read; the pack was written without audit.json, and audit-verify.json records the break", unread.Seq),
			"keep a copy of the database file as evidence and restore the file from a backup made before the break (docs/auditing.md)")
	}
	if !verified.Intact {
		return withHint(errors.New("the audit trail does not verify; the pack records the problems in audit-verify.json"),
			"docs/auditing.md explains each kind of problem")
	}
	return nil
}

// packDiskFull words a pack that its full disk stopped: a file of the pack (ENOSPC) or
// an export's file (outputFileError) could not be written. The pack's exports are recorded
// as each is written, so when one was (recorded), "nothing was stored" would not be true.
// A full disk of the database is left to Main.
func packDiskFull(err error, recorded bool) error {
	var ff *fileFullError
	if err == nil || store.Full(err) || !errors.As(err, &ff) && !diskFull(err) {
		return err
	}
	again := "free space on that disk (or choose a folder on another disk), then run the command again"
	if recorded {
		return withHint(errors.New(T("--out: the pack could not be written because its disk is full; no folder was made, but the exports made for it so far are recorded in the audit trail")),
			again, "the audit trail will show the exports of both runs")
	}
	return withHint(errors.New(T("--out: the pack could not be written because its disk is full; no folder was made, and nothing was stored")), again)
}

// keptTampered is what the purge events say of due rows purges keep (store.Kept), for the
// pack to tell the DPO.
func (a *app) keptTampered(ctx context.Context) (store.Kept, error) {
	db, _, err := a.openStore(ctx, storeUse{access: readDB})
	if err != nil {
		return store.Kept{}, err
	}
	defer db.Close()
	return db.KeptTampered(ctx)
}
