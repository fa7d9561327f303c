package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/provider"
)

func newProvidersCmd(a *app) *cobra.Command {
	return groupCmd(a, "providers", "The vetted video providers and their data-protection facts",
		`The vetted list of video providers: for each, who runs it, what it collects,
how it encrypts, where data is kept, how a supervisory authority rated it, and
when the record was last reviewed, with sources.

The list ships with counsel. Your own file (see 'counsel config path') adds
providers or replaces them by id; 'counsel providers check FILE' validates one.
`, func() []*cobra.Command {
			return []*cobra.Command{newProvidersListCmd(a), newProvidersShowCmd(a), newProvidersCheckCmd(a)}
		})
}

type providersListOptions struct {
	all    bool
	format string
}

func newProvidersListCmd(a *app) *cobra.Command {
	opts := &providersListOptions{}
	cmd := &cobra.Command{
		Use:   "list [--all]",
		Short: "List the vetted providers with warnings",
		Long: `List the vetted providers. The table shows what you decide by; the warnings
column flags an overdue review, a deprecated provider, a red rating by a data
protection authority, and facts that could not be verified. Retired providers
are shown only with --all.

--format json and --format csv carry every attribute; the keys are listed in
docs/providers.md.
` + exitStatusHelp,
		Example: "  $ counsel providers list\n  $ counsel providers list --all --format json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProvidersList(a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.all, "all", false, "include retired providers")
	addListingFormatFlag(cmd, &opts.format)
	return cmd
}

// providerJSON is a provider with the warnings computed for today.
type providerJSON struct {
	provider.Provider
	Warnings []string `json:"warnings"`
}

// providerCSVHeader are the flat CSV columns: every attribute.
var providerCSVHeader = []string{
	"id", "name", "kind", "status", "base_url", "join_url_template", "operator",
	"registration_host", "registration_guest", "gdpr_statement", "privacy_policy_url",
	"data_collected", "encryption_transport", "encryption_e2e", "encryption_limits",
	"data_location", "phone_dial_in", "help_url", "rating_value", "rating_authority",
	"rating_date", "rating_source", "rating_subject", "reviewed_on", "review_due", "unverified", "notes",
	"sources", "translations", "warnings",
}

func providerCSVRow(p provider.Provider, warnings []string) []string {
	var rv, ra, rd, rs, rsub string
	if p.Rating != nil {
		rv, ra, rd, rs, rsub = p.Rating.Value, p.Rating.Authority, p.Rating.Date, p.Rating.Source, p.Rating.Subject
	}
	sources := make([]string, len(p.Sources))
	for i, s := range p.Sources {
		sources[i] = s.Title + " <" + s.URL + ">"
	}
	b := strconv.FormatBool
	return []string{
		p.ID, p.Name, string(p.Kind), string(p.Status), p.BaseURL, p.JoinURL, p.Operator,
		b(p.Registration.Host), b(p.Registration.Guest), p.GDPRStatement, p.PrivacyPolicy,
		p.DataCollected, p.Encryption.Transport, p.Encryption.E2E, p.Encryption.Limits,
		p.DataLocation, b(p.PhoneDialIn), p.HelpURL, rv, ra, rd, rs, rsub, p.ReviewedOn, p.ReviewDue,
		b(p.Unverified), p.Notes, strings.Join(sources, " | "), translationsCell(p), strings.Join(warnings, "; "),
	}
}

// translationsCell keeps the per-language texts in one CSV cell as JSON, so
// the columns stay the same however many languages a record has.
func translationsCell(p provider.Provider) string {
	if len(p.Translations) == 0 {
		return ""
	}
	b, err := json.Marshal(p.Translations)
	if err != nil {
		return ""
	}
	return string(b)
}

func (a *app) today() time.Time { return a.deps.Now().In(a.cfg.Location()) }

func runProvidersList(a *app, opts *providersListOptions) error {
	reg, err := a.providerRegistry()
	if err != nil {
		return err
	}
	today := a.today()
	l := listing{
		header:    []string{"ID", "Kind", "End-to-end", "Rating", "Warnings"},
		csvHeader: providerCSVHeader,
		maxWidth:  80,
	}
	rows := []providerJSON{}
	for _, p := range reg.All() {
		if p.Status == provider.StatusRetired && !opts.all {
			continue
		}
		w := p.Warnings(today)
		if w == nil {
			w = []string{}
		}
		rows = append(rows, providerJSON{p, w})
		rating := "-"
		if p.Rating != nil {
			rating = T(p.Rating.Value) + " " + p.Rating.Date[:min(4, len(p.Rating.Date))]
		}
		l.rows = append(l.rows, []string{p.ID, string(p.Kind), p.Encryption.E2E, rating, strings.Join(translateAll(w), ", ")})
		l.csvRows = append(l.csvRows, providerCSVRow(p, w))
	}
	l.json = rows
	return writeListing(a.deps.Stdout, opts.format, l)
}

type providersShowOptions struct{ format string }

func newProvidersShowCmd(a *app) *cobra.Command {
	opts := &providersShowOptions{}
	cmd := &cobra.Command{
		Use:     "show ID",
		Short:   "Show every fact about one provider, with sources",
		Long:    "Show every data-protection fact about one provider, its review dates and its sources.\n" + exitStatusHelp,
		Example: "  $ counsel providers show blizz\n  $ counsel providers show jitsi-fem-tu-ilmenau --format json",
		Args:    exactArgs("provider ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProvidersShow(a, args[0], opts)
		},
	}
	addFormatFlag(cmd, &opts.format, formatText, formatText, formatJSON)
	return cmd
}

func runProvidersShow(a *app, id string, opts *providersShowOptions) error {
	reg, err := a.providerRegistry()
	if err != nil {
		return err
	}
	p, ok := reg.Get(id)
	if !ok {
		return withHint(fmt.Errorf("unknown provider %q", id), "'counsel providers list --all' shows the ids")
	}
	w := p.Warnings(a.today())
	if opts.format == formatJSON {
		if w == nil {
			w = []string{}
		}
		enc := json.NewEncoder(a.deps.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(providerJSON{p, w})
	}
	yes := map[bool]string{true: T("yes"), false: T("no")}
	// fact marks a fact no source fully confirms, where the counsellor reads it.
	fact := func(field, v string) string {
		if v != "" && p.FactUnverified(field) {
			return v + " " + T("[not verified, or only in part]")
		}
		return v
	}
	fields := [][2]string{
		{"Name", p.Name},
		{"ID", p.ID},
		{"Kind", string(p.Kind)},
		{"Status", T(string(p.Status))},
		{"Operator", fact("operator", p.Operator)},
		{"Address", firstNonEmpty(p.BaseURL, fact("join_url_template", p.JoinURL))},
		{"Registration", fact("registration", Tf("host: %s, guests: %s", yes[p.Registration.Host], yes[p.Registration.Guest]))},
		{"GDPR statement", fact("gdpr_statement", p.GDPRStatement)},
		{"Privacy policy", fact("privacy_policy_url", p.PrivacyPolicy)},
		{"Data collected", fact("data_collected", p.DataCollected)},
		{"Transport", fact("encryption.transport", p.Encryption.Transport)},
		{"End-to-end", fact("encryption.e2e", p.Encryption.E2E)},
		{"E2E limits", fact("encryption.limits", p.Encryption.Limits)},
		{"Data location", fact("data_location", p.DataLocation)},
		{"Phone dial-in", fact("phone_dial_in", yes[p.PhoneDialIn])},
		{"Help", fact("help_url", p.HelpURL)},
	}
	if p.Rating != nil {
		fields = append(fields, [2]string{"Authority rating", fmt.Sprintf("%s (%s, %s) %s", T(p.Rating.Value), p.Rating.Authority, p.Rating.Date, p.Rating.Source)})
	}
	fields = append(fields,
		[2]string{"Reviewed on", p.ReviewedOn},
		[2]string{"Review due", p.ReviewDue},
		[2]string{"Unverified", yes[p.Unverified]},
		[2]string{"Notes", p.Notes},
		[2]string{"Warnings", strings.Join(translateAll(w), ", ")},
	)
	if reg.Local(p.ID) {
		fields = append(fields, [2]string{"Defined in", T("your own provider file")})
	}
	out := a.deps.Stdout
	for _, f := range fields {
		if f[1] == "" {
			continue
		}
		writeWrapped(out, T(f[0]), f[1])
	}
	if len(p.ConsentForm) > 0 {
		// Once per record, so the organisation can update its form; the
		// client's e-mail states only what holds.
		fmt.Fprintln(out, T("Consent form outdated:"))
		for _, n := range p.ConsentForm {
			writeIndented(out, "  -", Tf("the consent form says %s; current sources say %s (%s)", n.Says, n.Current, n.Source))
		}
	}
	for _, lang := range []string{"de", "en"} {
		if ls := p.Lines(lang); len(ls) > 0 {
			fmt.Fprintln(out, Tf("In the e-mail (%s):", lang))
			for _, l := range ls {
				fmt.Fprintln(out, "  - "+l)
			}
		}
	}
	if len(p.Sources) > 0 {
		fmt.Fprintln(out, T("Sources:"))
		for _, s := range p.Sources {
			line := "  - " + s.Title + "\n    " + s.URL
			if s.Retrieved != "" {
				line += Tf(" (retrieved %s)", s.Retrieved)
			}
			if len(s.Facts) > 0 {
				line += "\n    " + Tf("confirms: %s", strings.Join(s.Facts, ", "))
			}
			fmt.Fprintln(out, line)
		}
	}
	return nil
}

// writeWrapped prints "Label:  text" with the text wrapped at 78 columns and
// aligned under itself, so long facts stay readable in a terminal.
func writeWrapped(w interface{ Write([]byte) (int, error) }, label, text string) {
	writeIndented(w, fmt.Sprintf("%-*s", wrapIndent, label+":"), text)
}

const wrapIndent = 18

// writeIndented prints first (padded to wrapIndent) and text wrapped at 78
// columns, continuation lines aligned under the text.
func writeIndented(w interface{ Write([]byte) (int, error) }, first, text string) {
	const indent, width = wrapIndent, 78
	line := fmt.Sprintf("%-*s", indent, first)
	col := indent
	for _, word := range strings.Fields(text) {
		if col > indent && col+1+len([]rune(word)) > width {
			fmt.Fprintln(w, strings.TrimRight(line, " "))
			line, col = strings.Repeat(" ", indent), indent
		}
		if col > indent {
			line += " "
			col++
		}
		line += word
		col += len([]rune(word))
	}
	fmt.Fprintln(w, line)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func newProvidersCheckCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE",
		Short: "Validate a provider file without using it",
		Long: `Check a provider file (same schema as the built-in list) exactly as counsel
would load it as your own list, and report every problem with its line and
field. Nothing is changed and the file is not put into use.

It also holds the file to the review standard of the built-in list: each
fact a record states (operator, registration, encryption, data location, ...)
is named in the facts of a source or listed in unverified_facts, each source
says when it was retrieved, and every record has client_lines for de and en
(at most 4 lines of at most 74 characters, no technical jargon).
` + exitStatusHelp,
		Example: "  $ counsel providers check ./providers.yaml",
		Args:    exactArgs("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProvidersCheck(a, args[0])
		},
	}
}

func runProvidersCheck(a *app, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("provider file %s: %w", path, err)
	}
	// The review standard first (sources, dates, client lines), then the
	// file as it would merge with the built-in list.
	if _, err := provider.Check(path, b); err != nil {
		return err
	}
	reg, err := provider.LoadBuiltIn(path)
	if err != nil {
		return err
	}
	n := 0
	for _, p := range reg.All() {
		if reg.Local(p.ID) {
			n++
		}
	}
	fprintf(a.deps.Stdout, "%s: ok, %d provider(s)\n", path, n)
	return nil
}
