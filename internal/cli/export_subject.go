package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
	"github.com/expeerienced/counsel/internal/safefile"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

type exportSubjectOptions struct {
	out, format, lang string
	force             bool
}

func newExportSubjectCmd(a *app) *cobra.Command {
	opts := &exportSubjectOptions{}
	cmd := &cobra.Command{
		Use:   "subject CLIENT [--format json|letter] [--lang de|en] [--out FILE] [--force]",
		Short: "Export everything stored about one client (GDPR Art. 15)",
		Long: `Export everything counsel stores about one client, for a request under GDPR
Art. 15 (right of access): the person record, every session, every consent
event, and any withdrawal proof that matches the name, as one JSON document,
together with the purpose, the legal basis and the retention periods.

--format letter writes the same as a letter the client can read, in German or
English (--lang, default: the config language): what is stored in words and
local times, why and on which basis, who received data (the video providers
of their sessions), how long it is kept, their rights, the authority to
complain to and how to withdraw.

CLIENT is the name or pseudonym as given to 'counsel session new'. The file
is written readable by you only (0600), appears only when complete and never
replaces an existing file unless --force. Without --out (or with --out -) the
JSON goes to stdout. The export is recorded in the audit trail (IDs and counts
only). Send the file to the client by a secure channel and delete your copy
after.
` + exitStatusHelp,
		Example: "  $ counsel export subject Client-A --out client-a.json\n  $ counsel export subject Client-A --format letter --lang en --out client-a.txt",
		Args:    optionalClientArg("CLIENT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := a.clientName(firstArg(args), "CLIENT")
			if err != nil {
				return err
			}
			return runExportSubject(cmd.Context(), a, client, opts)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", `write to this file (0600) instead of stdout ("-" means stdout)`)
	cmd.Flags().BoolVar(&opts.force, "force", false, "replace an existing --out file")
	addFormatFlag(cmd, &opts.format, formatJSON, formatJSON, formatLetter)
	cmd.Flags().StringVar(&opts.lang, "lang", "", "language of the letter: de or en (default: config language)")
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
		j := toSessionJSON(x, loc)
		if x.IsGroup() {
			// Nothing about the others: how many agreed is theirs to know.
			j.Agreed, j.Consent = 0, ""
		}
		doc.Sessions = append(doc.Sessions, j)
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
	lang := a.cfg.Language
	if opts.lang != "" {
		lang = opts.lang
	}
	if lang != "de" && lang != "en" {
		return flagError("lang", errors.New("want de or en"))
	}
	reg, err := a.providerRegistry()
	if err != nil {
		return err
	}
	if opts.out != "" {
		if err := safefile.Check(opts.out, opts.force); err != nil {
			return outputFileError("out", err)
		}
	}
	db, key, err := a.openStore(ctx, storeUse{access: changeDB, key: checkKey, purge: true})
	if err != nil {
		return err
	}
	defer db.Close()

	to := "stdout"
	if opts.out != "" {
		to = "file"
	}
	var emit func(w io.Writer, s store.Subject, now time.Time) error
	if opts.format == formatLetter {
		emit = func(w io.Writer, s store.Subject, now time.Time) error {
			_, err := io.WriteString(w, a.subjectLetter(s, now, lang, reg).Render())
			return err
		}
	} else {
		emit = func(w io.Writer, s store.Subject, now time.Time) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(a.subjectDocument(s, now))
		}
	}
	files := &outputFiles{}
	defer files.discard()
	err = db.ExportSubject(ctx, store.SubjectQuery{Ref: client, ProofKey: key}, to, func(s store.Subject, now time.Time) error {
		if opts.out == "" {
			return emit(a.deps.Stdout, s, now)
		}
		return files.prepare("out", opts.out, opts.force, func(w io.Writer) error { return emit(w, s, now) })
	})
	if err != nil {
		return personError(err)
	}
	if len(files.files) == 0 { // written to stdout
		return nil
	}
	if err := files.publish("the export is recorded in the audit trail", exportAgain); err != nil {
		return err
	}
	a.info("wrote %s; send it to the client by a secure channel and delete your copy afterwards", opts.out)
	return nil
}

// subjectLetter is the Art. 15 answer as a letter for the client: the
// same facts as subjectDocument, in words and local times, with the
// recipients (the providers of the person's sessions) and their rights.
func (a *app) subjectLetter(s store.Subject, now time.Time, lang string, reg *provider.Registry) invite.AccessLetter {
	counsellor := ""
	if addr, err := invite.ParseAddress(a.cfg.Counsellor); err == nil {
		counsellor = addr.Name
	}
	l := invite.AccessLetter{
		Lang: lang, Location: a.cfg.Location(), Date: now,
		Organisation: a.cfg.Organisation, Counsellor: counsellor, WithdrawalContact: a.cfg.WithdrawalContact,
		PolicyURL: a.cfg.PolicyURL, PrivacyURL: a.cfg.PrivacyURL,
		ComplaintAuthority: a.cfg.ComplaintAuthority, ComplaintURL: a.cfg.ComplaintURL,
		RetentionSessionDays: a.cfg.RetentionSessionDays, ProofYears: a.cfg.RetentionConsentYears,
		Name: s.Person.Name, Since: s.Person.CreatedAt,
	}
	seen := map[string]bool{}
	for _, x := range s.Sessions {
		name := x.ProviderID
		p, ok := reg.Get(x.ProviderID)
		if ok {
			p = p.Localized(lang)
			name = p.Name
		}
		access := x.JoinURL
		if x.MeetingID != "" {
			if id, err := provider.ParseBlizzID(x.MeetingID); err == nil {
				access = id.Display()
			}
		}
		l.Sessions = append(l.Sessions, invite.LetterSession{Start: x.Start, Duration: x.Duration, Provider: name,
			Place: x.Place, Access: access, Cancelled: x.Status == session.Cancelled, Group: x.IsGroup()})
		if ok && !seen[p.ID] {
			seen[p.ID] = true
			about := p.Operator
			if lines := p.ClientLines[lang]; len(lines) > 0 {
				about = lines[0]
			}
			l.Recipients = append(l.Recipients, invite.Recipient{Name: p.Name, About: about, PrivacyURL: p.PrivacyPolicy})
		}
	}
	starts := map[string]time.Time{}
	for _, x := range s.Sessions {
		starts[x.ID] = x.Start
	}
	for _, e := range s.Events {
		l.Events = append(l.Events, invite.LetterEvent{At: e.Timestamp, Event: e.Event, Method: e.CollectionMethod,
			NoticeVersion: e.NoticeVersion, Session: starts[e.SessionID]})
	}
	for _, w := range s.Withdrawals {
		// RetainUntil is the first moment after retention (as lastDay reads it).
		l.Withdrawals = append(l.Withdrawals, invite.LetterWithdrawal{At: w.WithdrawnAt, KeepUntil: w.RetainUntil.Add(-time.Second)})
	}
	return l
}
