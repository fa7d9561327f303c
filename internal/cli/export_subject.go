package cli

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/safefile"
	"github.com/expeerienced/counsel/internal/store"
)

type exportSubjectOptions struct {
	out   string
	force bool
}

func newExportSubjectCmd(a *app) *cobra.Command {
	opts := &exportSubjectOptions{}
	cmd := &cobra.Command{
		Use:   "subject CLIENT [--out FILE] [--force]",
		Short: "Export everything stored about one client (GDPR Art. 15)",
		Long: `Export everything counsel stores about one client, for a request under GDPR
Art. 15 (right of access): the person record, every session, every consent
event, and any withdrawal proof that matches the name, as one JSON document,
together with the purpose, the legal basis and the retention periods.

CLIENT is the name or pseudonym as given to 'counsel session new'. The file
is written readable by you only (0600), appears only when complete and never
replaces an existing file unless --force. Without --out (or with --out -) the
JSON goes to stdout. The export is recorded in the audit trail (IDs and counts
only). Send the file to the client by a secure channel and delete your copy
after.
` + exitStatusHelp,
		Example: "  $ counsel export subject Client-A --out client-a.json",
		Args:    exactArgs("CLIENT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExportSubject(cmd.Context(), a, args[0], opts)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", `write to this file (0600) instead of stdout ("-" means stdout)`)
	cmd.Flags().BoolVar(&opts.force, "force", false, "replace an existing --out file")
	return cmd
}

// subjectExport is the Art. 15 document. Besides the data it states what
// Art. 15(1) asks to be told: purpose, legal basis, storage period.
type subjectExport struct {
	Kind        string             `json:"kind"`
	GeneratedAt string             `json:"generated_at"`
	Controller  string             `json:"controller"`
	Purpose     string             `json:"purpose"`
	LegalBasis  string             `json:"legal_basis"`
	Retention   subjectRetention   `json:"retention"`
	Person      *personJSON        `json:"person"`
	Sessions    []sessionJSON      `json:"sessions"`
	Events      []consentEventJSON `json:"consent_events"`
	Withdrawals []withdrawalJSON   `json:"withdrawals"`
}

type subjectRetention struct {
	SessionDays int    `json:"session_days_after_session"`
	ProofYears  int    `json:"withdrawal_proof_years_after_end_of_year"`
	Person      string `json:"person_and_consent_events"`
}

func (a *app) subjectDocument(s store.Subject, now time.Time) subjectExport {
	loc := a.cfg.Location()
	doc := subjectExport{
		Kind: "subject", GeneratedAt: now.UTC().Format(time.RFC3339), Controller: a.cfg.Organisation,
		Purpose: consent.Purpose, LegalBasis: consent.LegalBasis,
		Retention: subjectRetention{
			SessionDays: a.cfg.RetentionSessionDays, ProofYears: a.cfg.RetentionConsentYears,
			Person: "while a session of the person is kept, or until consent is withdrawn",
		},
		Person:   toPersonJSON(s.Person),
		Sessions: []sessionJSON{}, Events: []consentEventJSON{}, Withdrawals: []withdrawalJSON{},
	}
	for _, x := range s.Sessions {
		doc.Sessions = append(doc.Sessions, toSessionJSON(x, loc))
	}
	for _, e := range s.Events {
		doc.Events = append(doc.Events, toConsentEventJSON(e))
	}
	for _, w := range s.Withdrawals {
		doc.Withdrawals = append(doc.Withdrawals, toWithdrawalJSON(w))
	}
	return doc
}

// runExportSubject writes the Art. 15 document. The file is prepared inside the transaction
// that records the export and published only after it committed: a failed export leaves
// neither file nor event, and an earlier file that --force would replace survives it.
func runExportSubject(ctx context.Context, a *app, client string, opts *exportSubjectOptions) error {
	if _, err := clientArg(client); err != nil {
		return err
	}
	if opts.out == stdoutPath {
		opts.out = ""
	}
	if opts.out != "" {
		if err := safefile.Check(opts.out, opts.force); err != nil {
			return outputFileError("out", err)
		}
	}
	db, err := a.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := a.proofKey(ctx, db)
	if err != nil {
		return err
	}
	a.autoPurge(ctx, db)

	to := "stdout"
	if opts.out != "" {
		to = "file"
	}
	emit := func(w io.Writer, doc subjectExport) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	var file *safefile.Pending
	defer func() { file.Discard() }() // does nothing once committed
	err = db.ExportSubject(ctx, store.SubjectQuery{Ref: client, ProofKey: key}, to, func(s store.Subject, now time.Time) error {
		doc := a.subjectDocument(s, now)
		if opts.out == "" {
			return emit(a.deps.Stdout, doc)
		}
		f, err := safefile.Prepare(opts.out, opts.force, func(w io.Writer) error { return emit(w, doc) })
		if err != nil {
			return outputFileError("out", err)
		}
		file = f
		return nil
	})
	if err != nil {
		return personError(err)
	}
	if file == nil {
		return nil
	}
	if err := publishCommitted("the export is recorded in the audit trail", preparedFile{opts.out, file}); err != nil {
		return err
	}
	a.info("wrote %s; send it to the client by a secure channel and delete your copy afterwards", opts.out)
	return nil
}
