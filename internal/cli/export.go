package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/export"
	"github.com/expeerienced/counsel/internal/safefile"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

func newExportCmd(a *app) *cobra.Command {
	return groupCmd(a, "export", "Export records for a data protection officer or a funder",
		`Export the session records and the audit trail for a data protection officer,
an auditor or a funder. Every export is itself recorded in the audit trail and
states its row count and the audit chain head (docs/auditing.md says how to
keep the head and check the trail against it later).

Files are written readable by you only (0600), appear only when complete, and
never replace an existing file unless --force is given. Without --out (or with
--out -) the data goes to stdout and the summary to stderr. Without --format the
format follows the --out file's extension: .csv, .json, .ndjson or .jsonl.
`, func() []*cobra.Command {
			return []*cobra.Command{newExportSessionsCmd(a), newExportAuditCmd(a), newExportSubjectCmd(a), newExportDPOCmd(a)}
		})
}

// exportOptions are the flags every export shares.
type exportOptions struct {
	format        string // "" until given or resolved
	defaultFormat string // without --format and without an --out extension
	out           string
	force         bool
}

func addExportFlags(cmd *cobra.Command, o *exportOptions, defaultFormat string) {
	o.defaultFormat = defaultFormat
	f := cmd.Flags()
	// Not addEnumFlag: the default depends on --out, so the flag itself has none.
	f.Var(&enumFlag{value: &o.format, allowed: export.Formats(), aliases: formatAliases}, "format",
		strings.Join(export.Formats(), "|")+"; default: from the --out extension (.csv, .json, .ndjson or .jsonl), "+
			defaultFormat+" without one; another extension needs --format")
	f.StringVar(&o.out, "out", "", `write to this file (0600) instead of stdout ("-" means stdout); CSV and NDJSON get a side file FILE.head.json`)
	f.BoolVar(&o.force, "force", false, "replace existing output files")
}

// formatOfExt returns the format an --out extension (lower case) promises.
func formatOfExt(ext string) (string, bool) {
	switch ext {
	case ".csv":
		return export.FormatCSV, true
	case ".json":
		return export.FormatJSON, true
	case ".ndjson", ".jsonl":
		return export.FormatNDJSON, true
	}
	return "", false
}

// resolve settles what the flags leave open: --out - is stdout, and without --format the
// format follows the --out extension, so that s.json never silently holds CSV. A known
// extension that contradicts --format, and an unknown one without --format, are usage errors:
// the file's name would promise something it does not hold.
func (o *exportOptions) resolve() error {
	if o.out == stdoutPath {
		o.out = ""
	}
	ext := strings.ToLower(filepath.Ext(o.out))
	byExt, known := formatOfExt(ext)
	switch {
	case ext == "":
		if o.format == "" {
			o.format = o.defaultFormat
		}
	case !known:
		if o.format == "" {
			return usageErrorf("--out: cannot tell the format from the extension %s; give --format %s",
				ext, strings.Join(export.Formats(), "|"))
		}
	case o.format == "":
		o.format = byExt
	case o.format != byExt:
		return usageErrorf("--format %s does not match the %s extension of --out (%s); leave out --format or change one of them",
			o.format, ext, byExt)
	}
	return nil
}

type exportSessionsOptions struct {
	exportOptions
	from, to  string
	withNames bool
}

func newExportSessionsCmd(a *app) *cobra.Command {
	opts := &exportSessionsOptions{}
	cmd := &cobra.Command{
		Use:   "sessions [--from DATE] [--to DATE] [--format csv|json|ndjson] [--out FILE] [--with-names] [--force]",
		Short: "Export the session records, without names unless asked",
		Long: `Export the session records, past and future, cancelled ones included, ordered
by start. --from and --to (dates such as 2026-12-01 in the configured time
zone; --to is inclusive) narrow the range by the session's start.

Names are left out: a subject ID (the same for every session of one person,
and meaningless outside this database) stands in for them. --with-names adds
the name or pseudonym, which makes the export personal health data; the audit
trail records that names were exported. Meeting links and meeting IDs are never
exported.

The export states the audit chain head including its own audit event: in the
JSON envelope (audit_head), or for CSV and NDJSON in the side file
FILE.head.json (with --out) or on stderr (without).
` + exitStatusHelp,
		Example: `  $ counsel export sessions --from 2026-01-01 --to 2026-12-31 --out sessions-2026.csv
  $ counsel export sessions --format json --out sessions.json
  $ counsel export sessions --with-names --format ndjson > sessions.ndjson`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExportSessions(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.from, "from", "", "first day, e.g. 2026-01-01")
	cmd.Flags().StringVar(&opts.to, "to", "", "last day, e.g. 2026-12-31")
	cmd.Flags().BoolVar(&opts.withNames, "with-names", false, "include names or pseudonyms (recorded in the audit trail)")
	addExportFlags(cmd, &opts.exportOptions, export.FormatCSV)
	return cmd
}

func runExportSessions(ctx context.Context, a *app, opts *exportSessionsOptions) error {
	f := store.ExportFilter{WithNames: opts.withNames}
	params := map[string]string{"with_names": strconv.FormatBool(opts.withNames)}
	loc := a.cfg.Location()
	if opts.from != "" {
		t, err := session.ParseDate(opts.from, loc)
		if err != nil {
			return flagError("from", err)
		}
		f.From, params["from"] = t, t.Format("2006-01-02")
	}
	if opts.to != "" {
		t, err := session.ParseDate(opts.to, loc)
		if err != nil {
			return flagError("to", err)
		}
		f.To, params["to"] = t.AddDate(0, 0, 1), t.Format("2006-01-02")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return usageErrorf("--to is before --from")
	}
	err := a.runExport(ctx, opts.exportOptions, exportJob{
		kind:    "sessions",
		action:  audit.ActionExportSessions,
		columns: export.SessionColumns(opts.withNames),
		params:  params,
		count:   func(x *store.Export) (int64, error) { return x.CountSessions(ctx, f) },
		stream: func(x *store.Export, write func(export.Record) error) error {
			// One row at a time, written before the next: a Session put in the Record
			// interface by value would be a heap copy per row.
			var row export.Session
			return x.Sessions(ctx, f, func(s store.SessionRow) error {
				row = export.Session(s)
				return write(&row)
			})
		},
	})
	if err == nil && opts.withNames {
		a.warn("this export holds names: it is personal health data; hand it over only to whoever asked for names, encrypted")
	}
	return err
}

type exportAuditOptions struct{ exportOptions }

func newExportAuditCmd(a *app) *cobra.Command {
	opts := &exportAuditOptions{}
	cmd := &cobra.Command{
		Use:   "audit [--format json|csv|ndjson] [--out FILE] [--force]",
		Short: "Export the audit trail with its hashes",
		Long: `Export every audit event with its hashes, in order, so that an auditor can check
the chain offline ('counsel audit verify --file EXPORT') or with their own
program (docs/audit-chain.md). Events hold IDs, counts and dates, never names.

The export records itself as its last event (export.audit), and states that
event as the chain head: in the JSON envelope, or for CSV and NDJSON in the side
file FILE.head.json (with --out) or on stderr (without).
` + exitStatusHelp,
		Example: `  $ counsel export audit --out audit-2026.json
  $ counsel export audit --format csv --out audit.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExportAudit(cmd.Context(), a, opts)
		},
	}
	addExportFlags(cmd, &opts.exportOptions, export.FormatJSON)
	return cmd
}

func runExportAudit(ctx context.Context, a *app, opts *exportAuditOptions) error {
	err := a.runExport(ctx, opts.exportOptions, exportJob{
		kind:    "audit",
		action:  audit.ActionExportAudit,
		columns: export.AuditColumns(),
		ownRow:  true,
		count:   func(x *store.Export) (int64, error) { return x.CountAudit(ctx) },
		stream: func(x *store.Export, write func(export.Record) error) error {
			return x.Audit(ctx, func(e audit.Event) error { return write(export.AuditRow{Event: e}) })
		},
		tail: func(x *store.Export, write func(export.Record) error) error {
			return x.AuditSince(ctx, func(e audit.Event) error { return write(export.AuditRow{Event: e}) })
		},
	})
	// An event that cannot be read back cannot be exported as counsel wrote it; the error
	// names its seq, the hint what to do.
	var be *audit.BrokenError
	if errors.As(err, &be) {
		return withHint(err, fmt.Sprintf("the audit trail cannot be exported while the event at seq %d cannot be read; keep a copy of the database file as evidence and restore the file from a backup made before the break", be.Seq),
			"'counsel export dpo' writes the data protection officer's pack without audit.json, with the break in audit-verify.json")
	}
	return err
}

// exportJob is what differs between exports; runExport does the rest.
type exportJob struct {
	kind    string            // the envelope's kind: "sessions", "audit"
	action  string            // the audit action recording the export
	columns []string          // CSV header
	params  map[string]string // what was asked for: stated in the envelope and recorded in the event
	ownRow  bool              // the export's own event is its last row (the audit export)
	count   func(x *store.Export) (int64, error)
	stream  func(x *store.Export, write func(export.Record) error) error
	// tail streams, under the export's write lock, what was written since its snapshot and
	// must still be part of it (the audit export: it holds every event up to its own).
	tail func(x *store.Export, write func(export.Record) error) error
}

// Progress appears on a terminal once an export has run this long.
const (
	progressDelay    = time.Second
	progressInterval = 200 * time.Millisecond
)

// runExport writes one export. Order matters: the rows are streamed from a read snapshot (no
// lock: other commands write meanwhile) into a temporary file, and the export's audit event is
// written in a short write transaction at the end; the transaction is committed, and only then
// are the files published. So a failed export leaves neither a file nor an event, and
// an earlier file that --force would replace survives any failure before the publish. Data sent
// to stdout cannot be taken back: there a failure after the first rows leaves partial output,
// and the exit status says the export failed.
func (a *app) runExport(ctx context.Context, opts exportOptions, job exportJob) error {
	if err := opts.resolve(); err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		// An export allocates a string per row and keeps about 2 MiB: with Go's default the
		// heap's 4 MiB minimum set off a collection every 4,000 rows or so (26 at 100k rows,
		// 6 % of the CPU). Twice the default target collects far less often; the soft limit
		// of 12 MiB for the Go runtime's memory keeps a 1M-row export's peak RSS where it
		// was (28 MiB; 35 MiB with the target alone) at the same speed. An explicit GOGC
		// still wins.
		defer debug.SetGCPercent(debug.SetGCPercent(200))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(12 << 20))
	}
	side := ""
	if opts.out != "" {
		if opts.format != export.FormatJSON {
			side = export.SideFile(opts.out)
		}
		for _, p := range []string{opts.out, side} {
			if p == "" {
				continue
			}
			if err := safefile.Check(p, opts.force); err != nil {
				return outputFileError("out", err)
			}
		}
	}
	db, _, err := a.openStore(ctx, storeUse{access: readDB})
	if err != nil {
		return err
	}
	defer db.Close()
	x, err := db.BeginExport(ctx)
	if err != nil {
		return err
	}
	defer x.Rollback()

	total, err := job.count(x)
	if err != nil {
		return err
	}
	if job.ownRow {
		total++
	}
	progress, stopProgress := func() {}, func() {}
	if a.deps.StderrTTY {
		p := export.StartProgress(a.deps.Stderr, "exporting "+job.kind, total, progressDelay, progressInterval)
		defer p.Stop()
		progress, stopProgress = func() { p.Add(1) }, p.Stop
	}

	params := map[string]string{"format": opts.format}
	for k, v := range job.params {
		params[k] = v
	}
	var ev audit.Event
	var rows int64
	// emit writes the whole export to w and records it. beforeLock runs before the write lock
	// is taken for the end of the export.
	emit := func(w io.Writer, beforeLock func()) error {
		rw, err := export.NewRowWriter(w, opts.format, export.Header{Kind: job.kind, GeneratedAt: x.Now(), Params: params}, job.columns)
		if err != nil {
			return err
		}
		write := func(r export.Record) error {
			progress()
			return rw.Write(r)
		}
		if err := job.stream(x, write); err != nil {
			return err
		}
		// Everything streamed so far reaches w before the lock: a write error refuses the
		// export before anything is recorded.
		if err := rw.Flush(); err != nil {
			return err
		}
		beforeLock()
		if job.tail != nil && !db.ReadOnly() {
			if err := x.Lock(ctx); err != nil {
				return err
			}
			if err := job.tail(x, write); err != nil {
				return err
			}
		}
		rows = rw.Rows()
		if job.ownRow {
			rows++
		}
		details := map[string]string{"count": strconv.FormatInt(rows, 10), "output": "stdout"}
		if opts.out != "" {
			details["output"] = "file"
		}
		for k, v := range params {
			details[k] = v
		}
		if db.ReadOnly() {
			// Nothing can be recorded in a read-only file; the export says so.
			return rw.Close(ev.Head())
		}
		if ev, err = x.Record(ctx, job.action, details); err != nil {
			return err
		}
		if job.ownRow {
			if err := write(export.AuditRow{Event: ev}); err != nil {
				return err
			}
		}
		return rw.Close(ev.Head())
	}
	summary := export.Summary{Kind: job.kind, Format: opts.format, GeneratedAt: x.Now()}
	if db.ReadOnly() {
		a.warn("the database is read-only, so this export is not recorded in the audit trail")
	}

	if opts.out == "" {
		// Whoever reads stdout may be slow (a pager, a full pipe): the rows reach it before the
		// write lock is taken; what is written while the export holds the lock (the events
		// since its snapshot, its own row, the end) waits in memory until the commit, so no
		// reader of the output can keep another counsel from writing.
		out := &heldWriter{w: a.deps.Stdout}
		if err := emit(out, out.hold); err != nil {
			return err
		}
		if err := x.Commit(); err != nil {
			return err
		}
		if !db.ReadOnly() {
			a.changed = fmt.Sprintf("the export is recorded in the audit trail (head seq %d)", ev.Seq)
		}
		if err := out.release(); err != nil {
			return err
		}
		stopProgress()
		summary.Count, summary.AuditHead = rows, ev.Head()
		a.info("%s", summary.String())
		return nil
	}

	var sum string
	var emitErr error
	files := &outputFiles{}
	defer files.discard()
	err = files.prepare("out", opts.out, opts.force, func(w io.Writer) error {
		hw := export.NewHashWriter(w)
		if emitErr = emit(hw, func() {}); emitErr != nil {
			return emitErr
		}
		sum = hw.Sum()
		return nil
	})
	if emitErr != nil {
		return emitErr // the export itself failed, not the file
	}
	if err != nil {
		return err
	}
	summary.Count, summary.AuditHead = rows, ev.Head()
	if side != "" {
		summary.File, summary.SHA256 = filepath.Base(opts.out), sum
		if err := files.prepare("out", side, opts.force, func(w io.Writer) error {
			_, err := summary.WriteTo(w)
			return err
		}); err != nil {
			return err
		}
	}
	if err := x.Commit(); err != nil {
		return err
	}
	stopProgress()
	recorded := fmt.Sprintf("the export is recorded in the audit trail (head seq %d hash %s)", ev.Seq, ev.Hash)
	if !db.ReadOnly() {
		a.changed = recorded // as for stdout: a command made of exports (export dpo) words a later failure by it
	}
	if err := files.publish(recorded, exportAgain); err != nil {
		return err
	}
	if side != "" {
		a.info("wrote %s (%d rows) and %s; audit head seq %d hash %s", opts.out, rows, side, ev.Seq, ev.Hash)
	} else {
		a.info("wrote %s (%d rows); audit head seq %d hash %s", opts.out, rows, ev.Seq, ev.Hash)
	}
	return nil
}

// heldWriter passes writes through until hold, then keeps them in memory until release.
type heldWriter struct {
	w    io.Writer
	held *bytes.Buffer
}

func (h *heldWriter) Write(p []byte) (int, error) {
	if h.held != nil {
		return h.held.Write(p)
	}
	return h.w.Write(p)
}

func (h *heldWriter) hold() { h.held = new(bytes.Buffer) }

func (h *heldWriter) release() error {
	if h.held == nil {
		return nil
	}
	_, err := h.w.Write(h.held.Bytes())
	h.held = nil
	return err
}
