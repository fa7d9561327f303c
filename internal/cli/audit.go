package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/export"
	"github.com/expeerienced/counsel/internal/store"
)

func newAuditCmd(a *app) *cobra.Command {
	return groupCmd(a, "audit", "Check the tamper-evident audit trail",
		`Check the audit trail: every change counsel makes (a session created or
cancelled, consent events, purges, exports) is an event in a hash chain, so
that editing, inserting or deleting an event is detectable. docs/auditing.md
explains how auditors use it.
`, func() []*cobra.Command {
			return []*cobra.Command{newAuditVerifyCmd(a)}
		})
}

type auditVerifyOptions struct {
	heads  []string
	file   string
	format string
}

func newAuditVerifyCmd(a *app) *cobra.Command {
	opts := &auditVerifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify [--head HASH|FILE]... [--file EXPORT]",
		Short: "Prove that the audit trail was not edited",
		Long: `Walk the audit trail in order and check every event's sequence number, link
to the previous event and hash. Prints one line when the trail is intact; fails
naming the first broken event (its seq and id) when an event was edited,
inserted or deleted.

Then compare the records with the trail: every row of people, sessions,
consent_events, withdrawals and settings must be as the trail's last event for
it says (docs/audit-chain.md, "Records"). A row edited, inserted or deleted
outside counsel, or an erased name put back, is listed with its table, its ID
and what differs, and the command fails. Rows removed by a purge or a
withdrawal are expected to be missing. The proof key file is compared with
the fingerprint the database recorded; a changed, replaced or unreadable key
fails, a missing one is reported as not checked.

Deleting the newest events, or rewriting the chain from some event on, leaves a
consistent chain: only a head kept from an earlier export shows it. --head
takes that head: its 64-digit hash, or the export's side file (FILE.head.json)
or JSON export, which state it. The check then also fails unless the trail
still holds that head. Give --head once per head you kept.

--file verifies an audit export (from 'counsel export audit') instead of the
database, offline: its format is taken from its name (.json, .ndjson, .csv);
for CSV and NDJSON the side file beside it is read too, and the data must
match the hash it states. The head the export states must be its last event.
An export holds no records, so only its chain is checked.

--format json prints one JSON object, also when the check fails: "intact"
(true or false), "source" ("database" or "export"), "events" (the number of
events), "head" ({"seq", "hash"}), "kept_heads" (the --head hashes, all found
when intact), "rows" (rows per record table; {} for an export), "proof_key"
(matches, differs, unreadable, missing, unrecorded, none; "" for an export)
and "problems" (a list of {"table", "id", "kind", "columns", "seq",
"message"}; kind is changed, inserted, deleted, revived, chain_broken,
head_missing or proof_key).
docs/auditing.md describes every key.
` + exitStatusHelp,
		Example: `  $ counsel audit verify
  $ counsel audit verify --head 73c0b25a4225969997c047d24d414f3af1963984612fdae262d8a65f92858600
  $ counsel audit verify --head sessions-2026.csv.head.json
  $ counsel audit verify --file audit-2026.json
  $ counsel audit verify --format json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAuditVerify(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.heads, "head", nil, "a head kept from an earlier export: its hash, or its side file or JSON export (repeatable)")
	cmd.Flags().StringVar(&opts.file, "file", "", "verify this audit export instead of the database")
	addFormatFlag(cmd, &opts.format, formatText, formatText, formatJSON)
	return cmd
}

// verifyResult is the outcome of audit verify; --format json prints it as it is, so its
// keys are an interface (documented in docs/auditing.md).
type verifyResult struct {
	Intact bool       `json:"intact"`
	Source string     `json:"source"`
	Events int64      `json:"events"`
	Head   audit.Head `json:"head"`
	// Start is the head the trail starts from: seq 0 and "" from the beginning, else what
	// the checkpoint of audit retention states.
	Start     audit.Head     `json:"start"`
	KeptHeads []string       `json:"kept_heads"`
	Rows      map[string]int `json:"rows"`
	// ProofKey is what the check of the proof key file found: "matches", "differs",
	// "unreadable", "missing" (no file, but the database expects one), "unrecorded" (a key,
	// no fingerprint recorded yet), "none" (no file, none expected) or "" for an export.
	ProofKey string          `json:"proof_key"`
	Problems []audit.Problem `json:"problems"`
}

func runAuditVerify(ctx context.Context, a *app, opts *auditVerifyOptions) error {
	var v audit.Verifier
	res := verifyResult{Source: "database", KeptHeads: []string{}, Rows: map[string]int{}, Problems: []audit.Problem{}}
	for _, h := range opts.heads {
		hash, err := parseHeadFlag(h)
		if err != nil {
			return err
		}
		if err := v.Expect(hash); err != nil {
			return flagError("head", err)
		}
		res.KeptHeads = append(res.KeptHeads, hash)
	}
	what := T("audit trail")
	var failure error
	if opts.file != "" {
		what, res.Source = Tf("audit export %s", filepath.Base(opts.file)), "export"
		failure = verifyExportFile(opts.file, &v)
		if failure == nil {
			failure = v.Finish()
		}
	} else {
		db, _, err := a.openStore(ctx, storeUse{access: readDB})
		if err != nil {
			return err
		}
		defer db.Close()
		rep, err := db.VerifyRecords(ctx, &v)
		failure = err
		res.Rows = rep.Rows
		res.Problems = append(res.Problems, rep.Problems...)
		if failure == nil {
			var p *audit.Problem
			if res.ProofKey, p, err = a.checkProofKey(ctx, db); err != nil {
				return err
			}
			if p != nil {
				res.Problems = append(res.Problems, *p)
			}
		}
	}
	res.Head, res.Events, res.Start = v.Head(), v.Count(), v.Start()
	if p, ok := chainProblem(failure); ok {
		res.Problems = append(res.Problems, p)
	} else if failure != nil {
		return verifyError(failure) // could not check at all: no result to print
	}
	for i := range res.Problems {
		if res.Problems[i].Columns == nil {
			res.Problems[i].Columns = []string{}
		}
		if res.Problems[i].Message == "" {
			res.Problems[i].Message = res.Problems[i].String()
		}
	}
	res.Intact = len(res.Problems) == 0
	if opts.format == formatJSON {
		if err := writeJSON(a.deps.Stdout, res); err != nil {
			return err
		}
	} else if res.Intact {
		line := Tf("%s intact: %d events, head seq %d hash %s", what, res.Events, res.Head.Seq, res.Head.Hash)
		if res.Head.Seq == 0 {
			line = Tf("%s intact: 0 events (empty)", what)
		}
		if res.Start.Seq > 0 {
			line += Tf(" (from seq %d: older events were removed by audit retention; a checkpoint states where the trail starts)", res.Start.Seq+1)
		}
		for _, k := range res.KeptHeads {
			line += Tf(", contains kept head %s", k)
		}
		if res.Source == "database" {
			line += Tf("; records match the trail (%s)", rowCounts(res.Rows))
		}
		switch res.ProofKey {
		case "matches":
			line += T("; proof key matches")
		case "missing":
			line += T("; proof key not checked (no key file here)")
		}
		fmt.Fprintln(a.deps.Stdout, line)
	} else if failure == nil {
		for _, p := range res.Problems {
			fmt.Fprintln(a.deps.Stdout, audit.TermSafe(tr.local(p.Words())))
		}
	}
	if failure != nil {
		return verifyError(failure)
	}
	if !res.Intact {
		first := res.Problems[0]
		if len(res.Problems) == 1 && first.Kind == audit.ProblemProofKey {
			return withHint(errors.New(first.Message), "restore the proof key file from your backup (docs/data-protection.md)")
		}
		return withHint(findingError{audit.Say("%d record row(s) differ from the audit trail; first: %s", len(res.Problems), first.Words())},
			"the trail verifies, so these rows were changed outside counsel; keep a copy of the database file as evidence",
			"docs/auditing.md explains each kind of difference")
	}
	return nil
}

// findingError is an error in audit.Words, which printError translates by its format.
type findingError struct{ words audit.Words }

func (e findingError) Error() string      { return e.words.String() }
func (e findingError) Words() audit.Words { return e.words }

// checkProofKey compares the proof key file with the fingerprint the database recorded; see
// verifyResult.ProofKey. A differing or unreadable key is a problem of the result.
func (a *app) checkProofKey(ctx context.Context, db *store.DB) (string, *audit.Problem, error) {
	kf, err := a.keyFile()
	if err != nil {
		return "", nil, err
	}
	st, err := db.ProofKeyState(ctx)
	if err != nil {
		return "", nil, err
	}
	problem := func(msg string) *audit.Problem {
		return &audit.Problem{Table: "settings", ID: "proof_key_fingerprint", Kind: audit.ProblemProofKey, Message: msg}
	}
	// A missing key is no problem of the trail: the commands that need it say so.
	_, status, err := kf.Status(st)
	if err != nil && (status == consent.KeyUnreadable || status == consent.KeyDiffers) {
		return string(status), problem(err.Error()), nil
	}
	return string(status), nil, nil
}

// rowCounts writes the rows per table in the order verify checks them.
func rowCounts(rows map[string]int) string {
	var parts []string
	for _, t := range store.RecordTables() {
		parts = append(parts, fmt.Sprintf("%s %d", t, rows[t]))
	}
	return strings.Join(parts, ", ")
}

// chainProblem turns a broken chain or a missing kept head into a problem of the result. Its
// message is the error's own text, the line the text form prints, reason and all.
func chainProblem(err error) (audit.Problem, bool) {
	var be *audit.BrokenError
	var hn *audit.HeadNotFoundError
	switch {
	case errors.As(err, &be):
		return audit.Problem{Table: "audit_events", ID: be.ID, Kind: audit.ProblemChainBroken, Seq: be.Seq, Columns: []string{}, Message: be.Error()}, true
	case errors.As(err, &hn):
		return audit.Problem{Table: "audit_events", ID: hn.Want, Kind: audit.ProblemHeadMissing, Seq: hn.Head.Seq, Columns: []string{}, Message: hn.Error()}, true
	}
	return audit.Problem{}, false
}

// verifyError adds advice to a broken chain; other errors pass unchanged.
func verifyError(err error) error {
	var be *audit.BrokenError
	var hn *audit.HeadNotFoundError
	switch {
	case errors.As(err, &be) && be.Seq <= 1:
		// Nothing before the break to vouch for: seq 0 or below is never written by counsel.
		return withHint(err, "no event before it verifies; keep a copy of the database file as evidence",
			"docs/auditing.md explains what each kind of break means")
	case errors.As(err, &be):
		return withHint(err, fmt.Sprintf("the events before seq %d verify; keep a copy of the database file as evidence", be.Seq),
			"docs/auditing.md explains what each kind of break means")
	case errors.As(err, &hn):
		return withHint(err, "the kept head was in the trail when it was exported; the trail no longer holds it")
	}
	return err
}

// parseHeadFlag reads --head: a hash, or a file that states a head. Anything else is a usage
// error.
func parseHeadFlag(s string) (string, error) {
	if h, err := audit.ParseHash(s); err == nil {
		return h, nil
	}
	f, err := os.Open(s)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", flagError("head", errors.New("want a 64-hex-digit hash, or an export's side file or JSON export"))
		}
		return "", fmt.Errorf("--head: %w", err)
	}
	defer f.Close()
	st, err := export.ReadHead(f)
	if err != nil {
		return "", flagError("head", fmt.Errorf("%s: %w", s, err))
	}
	return st.Head.Hash, nil
}

// verifyExportFile verifies an audit export offline: the chain in its rows, and that the head
// and count it states (in the envelope or side file) are those of its rows.
func verifyExportFile(path string, v *audit.Verifier) error {
	format := strings.TrimPrefix(filepath.Ext(path), ".")
	if format != export.FormatJSON && format != export.FormatNDJSON && format != export.FormatCSV {
		return usageErrorf("--file: cannot tell the format of %s (want a name ending .json, .ndjson or .csv)", filepath.Base(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--file: %w", err)
	}
	defer f.Close()
	var stated export.Stated
	var side *export.Summary
	if format != export.FormatJSON {
		s, err := readSummary(export.SideFile(path))
		if err != nil {
			return err
		}
		side, stated = &s, export.Stated{Kind: s.Kind, Count: s.Count, Head: s.AuditHead}
	}
	sum := sha256.New()
	st, err := export.ReadAudit(io.TeeReader(f, sum), format, v.Add)
	if err != nil {
		return err
	}
	if side == nil {
		stated = st
	} else if got := hex.EncodeToString(sum.Sum(nil)); got != side.SHA256 {
		return fmt.Errorf("%s does not match the sha256 its side file states: the file was changed after the export", filepath.Base(path))
	}
	if stated.Kind != "audit" {
		return fmt.Errorf("%s is a %q export, not an audit export", filepath.Base(path), stated.Kind)
	}
	if stated.Count != st.Count {
		return fmt.Errorf("the export states %d events but holds %d", stated.Count, st.Count)
	}
	if h := v.Head(); h != stated.Head {
		return fmt.Errorf("the export states head seq %d but its last event is seq %d: rows were removed or added", stated.Head.Seq, h.Seq)
	}
	return nil
}

func readSummary(path string) (export.Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return export.Summary{}, fmt.Errorf("side file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return export.Summary{}, fmt.Errorf("side file: %w", err)
	}
	var s export.Summary
	if err := s.UnmarshalJSON(b); err != nil {
		return export.Summary{}, fmt.Errorf("side file %s: %w", filepath.Base(path), err)
	}
	return s, nil
}
