package cli

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/config"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// german switches the run's language for one test.
func german(t *testing.T) {
	t.Helper()
	old := tr
	tr = newTranslator(langDE)
	if tr.lang != langDE {
		_, err := loadCatalogue()
		t.Fatalf("German catalogue does not load: %v", err)
	}
	t.Cleanup(func() { tr = old })
}

// TestCataloguePlaceholders: every entry has German text with the same
// arguments (count and verb per argument) as its English text.
func TestCataloguePlaceholders(t *testing.T) {
	c, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.entries {
		en, de := strings.TrimSpace(e.EN), strings.TrimSpace(e.DE)
		if de == "" {
			t.Errorf("no German text for %q", en)
			continue
		}
		if ve, vd := verbs(en), verbs(de); !maps.Equal(ve, vd) {
			t.Errorf("placeholders differ:\n  en %q %v\n  de %q %v", en, ve, de, vd)
		}
	}
}

// letters is true for text with a word in it; "%s: %w" needs no German.
var wordRE = regexp.MustCompile(`[A-Za-z]{2,}`)

// keyLine is a commented-out setting in the config file template.
var keyLine = regexp.MustCompile(`^[a-z_]+: `)

func hasWords(s string) bool {
	return wordRE.MatchString(verbRE().ReplaceAllString(s, ""))
}

// TestCatalogueComplete walks the command tree and the source of package
// cli and fails for every user-facing English text that has no German
// entry; it prints the missing entries ready to paste into
// data/i18n/de.yaml. It also fails for entries nothing uses any more.
func TestCatalogueComplete(t *testing.T) {
	german(t)
	c, _ := loadCatalogue()
	var missing, untranslated []string
	used := map[string]bool{}
	need := func(where, s string, patternOK bool) {
		core := strings.TrimSpace(s)
		if core == "" || !hasWords(core) {
			return
		}
		if de, ok := c.de[core]; ok && de != "" {
			used[core] = true
			return
		}
		if patternOK {
			if got := tr.message(core); got != core {
				for _, p := range c.patternList() {
					if p.re.MatchString(core) {
						used[p.re.String()] = true
					}
				}
				return
			}
		}
		missing = append(missing, where+"\x00"+core)
	}

	// The command tree, as it is built for a run (with cobra's help command
	// and flags).
	root := CommandTree()
	root.InitDefaultHelpCmd()
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		cmd.InitDefaultHelpFlag()
		where := "command " + cmd.CommandPath()
		need(where+" Short", cmd.Short, true)
		if body, ok := strings.CutSuffix(cmd.Long, exitStatusHelp); ok {
			need(where+" Long", body, false)
			need(where+" EXIT STATUS", exitStatusHelp, false)
		} else {
			need(where+" Long", cmd.Long, true)
		}
		for _, g := range cmd.Groups() {
			need(where+" group", g.Title, false)
		}
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			u := f.Usage
			if e, ok := f.Value.(*enumFlag); ok {
				u = strings.TrimSuffix(u, ": "+strings.Join(e.allowed, "|"))
			}
			need(where+" --"+f.Name, u, true)
		})
		for _, s := range cmd.Commands() {
			walk(s)
		}
	}
	walk(root)
	// The comments of the file 'config init' writes.
	for _, line := range strings.Split(config.Template(), "\n") {
		if text, ok := strings.CutPrefix(line, "# "); ok && !keyLine.MatchString(text) {
			need("config init template", text, false)
		}
	}
	for _, k := range config.Keys {
		need("config key "+k.Name, k.Help, false)
	}
	for _, f := range FormatWords {
		need("--format word "+f.Word, f.Meaning, false)
	}

	// The source: the literal texts handed to the functions that print or
	// return messages.
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "i18n") {
			continue // the translation machinery's own errors are build defects
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			// Table headings: listing{header: []string{...}}.
			if kv, ok := n.(*ast.KeyValueExpr); ok {
				if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "header" {
					if cl, ok := kv.Value.(*ast.CompositeLit); ok {
						for _, e := range cl.Elts {
							if s, ok := constString(e); ok {
								need(fset.Position(e.Pos()).String(), s, false)
							}
						}
					}
				}
			}
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			lit := func(e ast.Expr) {
				if fc, ok := e.(*ast.CallExpr); ok && calleeName(fc) == "fmt.Sprintf" && len(fc.Args) > 0 {
					e = fc.Args[0]
				}
				s, ok := constString(e)
				if !ok {
					return
				}
				need(fset.Position(e.Pos()).String(), s, false)
			}
			switch calleeName(call) {
			case "T", "Tf", "say", "word", "usageErrorf", "fmt.Errorf", "errors.New", ".info", ".warn", ".confirm", "audit.Say":
				lit(call.Args[0])
			case "fprintf": // fprintf(w, format, ...)
				if len(call.Args) > 1 {
					lit(call.Args[1])
				}
			case "withHint":
				for _, a := range call.Args[1:] {
					lit(a)
				}
			case "fmt.Fprintf", "fmt.Fprintln", "fmt.Fprint":
				// Printed as is: only texts whose German is the English
				// (machine-read lines such as 'config path') may be.
				if len(call.Args) > 1 {
					if s, ok := constString(call.Args[1]); ok && hasWords(s) {
						lit(call.Args[1])
						if de, ok := c.de[strings.TrimSpace(s)]; ok && de != "" && de != strings.TrimSpace(s) {
							untranslated = append(untranslated, fset.Position(call.Pos()).String()+": "+s)
						}
					}
				}
			}
			return true
		})
	}

	// The findings of the domain packages (audit.Words), which package cli prints through
	// the catalogue by their format: each made by audit.Say with a literal format.
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			if name := calleeName(call); name == "audit.Say" || name == "Say" && f.Name.Name == "audit" {
				if s, ok := constString(call.Args[0]); ok {
					need(fset.Position(call.Pos()).String(), s, false)
				} else {
					t.Errorf("%s: audit.Say needs a literal format, for this test to find its German", fset.Position(call.Pos()))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	if len(missing) > 0 {
		slices.Sort(missing)
		missing = slices.Compact(missing)
		var b strings.Builder
		for _, m := range missing {
			where, text, _ := strings.Cut(m, "\x00")
			y, _ := yaml.Marshal([]entry{{EN: text, DE: ""}})
			b.WriteString("# " + where + "\n" + string(y))
		}
		t.Errorf("%d texts have no German entry in data/i18n/de.yaml (German in docs/glossar.md terms); add:\n%s", len(missing), b.String())
	}

	for _, u := range untranslated {
		t.Errorf("%s is printed in English in German too: print it with fprintf, Tf or T", u)
	}

	// An entry nobody uses is a text that changed or went away; the domain
	// packages' messages (printed through package cli) count as used.
	known := literalsUnder(t, "..")
	for en := range c.de {
		if used[en] || known[en] {
			continue
		}
		if p, ok := compilePattern(en, c.de[en]); ok && used[p.re.String()] {
			continue
		}
		t.Errorf("data/i18n/de.yaml: no code uses %q any more; delete or update the entry", en)
	}
}

// calleeName is "fmt.Errorf" for a package function, ".info" for a method,
// "T" for a function of this package.
func calleeName(call *ast.CallExpr) string {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return fn.Name
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok && (x.Name == "fmt" || x.Name == "errors" || x.Name == "audit") {
			return x.Name + "." + fn.Sel.Name
		}
		return "." + fn.Sel.Name
	}
	return ""
}

// literalsUnder collects the (trimmed) string literals of the Go files under
// dir, and cobra's and pflag's texts that counsel translates.
func literalsUnder(t *testing.T, dir string) map[string]bool {
	known := map[string]bool{"help for %s": true, "Help about any command": true, "(default": true,
		// pflag's parse errors, which counsel prints as usage errors
		"unknown flag: --%s": true, "unknown shorthand flag: %q in -%s": true, "flag needs an argument: --%s": true,
		"flag needs an argument: %q in -%s": true, "invalid argument %q for %q flag: %v": true, "bad flag syntax: %s": true,
		"Help provides help for any command in the application.\nSimply type counsel help [path to command] for full details.": true}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if e, ok := n.(ast.Expr); ok {
				if s, ok := constString(e); ok {
					known[strings.TrimSpace(s)] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return known
}

func TestChooseLanguage(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, c := range []struct {
		name, setting string
		getenv        func(string) string
		want, why     string
	}{
		{"setting beats locale", "en", env("LANG", "de_DE.UTF-8", "LC_ALL", "de_DE.UTF-8"), "en", "setting language (file x)"},
		{"setting de beats C locale", "de", env("LANG", "C"), "de", "setting language (file x)"},
		{"LC_ALL beats LANG", "", env("LC_ALL", "de_DE.UTF-8", "LANG", "en_US.UTF-8"), "de", "locale LC_ALL=de_DE.UTF-8"},
		{"LC_ALL=C beats LANG=de", "", env("LC_ALL", "C", "LANG", "de_DE.UTF-8"), "en", "locale LC_ALL=C"},
		{"LC_MESSAGES beats LANG", "", env("LC_MESSAGES", "de_AT", "LANG", "C"), "de", "locale LC_MESSAGES=de_AT"},
		{"LANG", "", env("LANG", "de_CH.UTF-8"), "de", "locale LANG=de_CH.UTF-8"},
		{"LANG=C is English", "", env("LANG", "C"), "en", "locale LANG=C"},
		{"other languages are English", "", env("LANG", "fr_FR.UTF-8"), "en", "locale LANG=fr_FR.UTF-8"},
		{"a bad setting falls back to the locale", "fr", env("LANG", "de_DE"), "de", "locale LANG=de_DE"},
		{"nothing is English", "", env(), "en", "default (no language setting and no locale)"},
	} {
		got := chooseLanguage(c.setting, "file x", c.getenv)
		if got.lang != c.want || got.why != c.why {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}

func TestGermanDates(t *testing.T) {
	german(t)
	ti := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for layout, want := range map[string]string{
		"Mon 2006-01-02 15:04":     "Di 01.12.2026 10:00",
		"Mon 2006-01-02 15:04 MST": "Di 01.12.2026 10:00 UTC",
		"Mon 2 Jan 2006 15:04 MST": "Di 01.12.2026 10:00 UTC",
		"2006-01-02":               "01.12.2026",
	} {
		if got := when(ti, layout); got != want {
			t.Errorf("when(%q) = %q, want %q", layout, got, want)
		}
	}
}

func TestYes(t *testing.T) {
	for _, a := range []string{"y", "yes", "Y\n", " YES "} {
		if !yes(a) {
			t.Errorf("English: %q is not yes", a)
		}
	}
	for _, a := range []string{"", "n", "j", "ja", "no", "yess"} {
		if yes(a) {
			t.Errorf("English: %q is yes", a)
		}
	}
	german(t)
	for _, a := range []string{"j", "ja\n", "JA", "y", "yes"} {
		if !yes(a) {
			t.Errorf("German: %q is not yes", a)
		}
	}
	for _, a := range []string{"", "n", "nein", "jein"} {
		if yes(a) {
			t.Errorf("German: %q is yes", a)
		}
	}
}

// TestGermanMessages: a finished English error finds its German form through
// the format it was made from, with its arguments translated in turn; what
// has no entry stays English rather than turning into something else.
func TestGermanMessages(t *testing.T) {
	german(t)
	for _, c := range []struct{ en, de string }{
		{flagError("at", session.ErrStartPast).Error(), "--at: der Beginn liegt in der Vergangenheit"},
		{fmt.Errorf("config file %s: unknown key %q", "/x/config.yaml", "colour").Error(),
			`Konfigurationsdatei /x/config.yaml: unbekannter Schlüssel "colour"`},
		{"it contains a common password, a date or a year", "er enthält ein gängiges Passwort, ein Datum oder eine Jahreszahl"},
		{"something nobody translated: 42", "something nobody translated: 42"},
		// A flag's name is the same in every language, even when the word has German text.
		{flagError("client", errors.New("missing")).Error(), "--client: missing"},
		{flagError("provider", errors.New("missing")).Error(), "--provider: missing"},
	} {
		if got := tr.message(c.en); got != c.de {
			t.Errorf("message(%q)\n got %q\nwant %q", c.en, got, c.de)
		}
	}
}

// FuzzLocaleLang: any locale string means de or en, and de only for a
// German one.
func FuzzLocaleLang(f *testing.F) {
	for _, s := range []string{"de_DE.UTF-8", "C", "POSIX", "de", "de-AT", "de@euro", "deu", "en_US", "", "DE_ch", "dex"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := localeLang(s)
		l := strings.ToLower(s)
		german := l == "de" || strings.HasPrefix(l, "de_") || strings.HasPrefix(l, "de-") || strings.HasPrefix(l, "de.") || strings.HasPrefix(l, "de@")
		if (got == langDE) != german || (got != langDE && got != langEN) {
			t.Fatalf("localeLang(%q) = %q", s, got)
		}
	})
}

// FuzzMessage: translating any text (an error's, which may hold what a
// user typed) never panics, leaves English untouched in English, and never
// produces a broken format ("%!") the input did not have.
func FuzzMessage(f *testing.F) {
	for _, s := range []string{"--at: the start is in the past", `config file /x: unknown key "a%d"`,
		"unknown flag: --%!", "session 100%: not found", "it contains a common name, x", "%s, but %s could not be written to standard output: %v",
		"the export states 3 events but holds 4", "--%s: %v"} {
		f.Add(s)
	}
	german := newTranslator(langDE)
	english := newTranslator(langEN)
	f.Fuzz(func(t *testing.T, s string) {
		if got := english.message(s); got != s {
			t.Fatalf("English changed %q to %q", s, got)
		}
		got := german.message(s)
		if strings.Contains(got, "%!") && !strings.Contains(s, "%!") {
			t.Fatalf("message(%q) = %q", s, got)
		}
	})
}

// constString is the value of a string literal or of literals joined with +.
func constString(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			s, err := strconv.Unquote(x.Value)
			return s, err == nil
		}
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			l, ok1 := constString(x.X)
			r, ok2 := constString(x.Y)
			return l + r, ok1 && ok2
		}
	case *ast.ParenExpr:
		return constString(x.X)
	}
	return "", false
}

// TestGermanNumbers: whole numbers stay as in JSON and the audit trail (no
// thousands dot), so "seq 12345" can be compared with an export.
func TestGermanNumbers(t *testing.T) {
	german(t)
	got := Tf("%s intact: %d events, head seq %d hash %s", T("audit trail"), 12345, int64(12345), "ab")
	if want := "Prüfprotokoll unversehrt: 12345 Ereignisse, Kopf seq 12345 Hash ab"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// verbs lists the verbs of a format by argument: index -> verb letter, for
// the test that German and English take the same arguments.
func verbs(format string) map[int]string {
	out := map[int]string{}
	seq := 0
	for _, m := range verbRE().FindAllStringSubmatch(format, -1) {
		if m[5] == "%" {
			continue
		}
		idx := seq + 1
		if m[2] != "" {
			fmt.Sscan(m[2], &idx)
		}
		seq = idx
		v := m[5]
		if v == "w" {
			v = "v"
		}
		out[idx] = v
	}
	return out
}

// The store's errors of a database counsel cannot open reach German users in German:
// printError translates each line as dbError words it.
func TestOpenErrorsInGerman(t *testing.T) {
	german(t)
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w (schema %d, this version knows %d)", store.ErrReadOnlyOld, 3, 9),
			"Datenbank c.db: die Datenbank wurde von einem älteren counsel geschrieben und ist schreibgeschützt, daher kann sie nicht aktualisiert werden (Schema 3, diese Version kennt 9)"},
		{fmt.Errorf("%w: not an SQLite file", store.ErrNotCounsel), "Datenbank c.db: keine counsel-Datenbank: keine SQLite-Datei"},
		{fmt.Errorf("%w %d (this version of counsel knows 1 to %d)", store.ErrUnknownSchema, -1, 9),
			"Datenbank c.db: unbekannte Schemaversion -1 (diese Version von counsel kennt 1 bis 9)"},
	} {
		if got := tr.message(dbError("c.db", c.err).Error()); got != c.want {
			t.Errorf("%v:\n got %s\nwant %s", c.err, got, c.want)
		}
	}
}

// TestFindingsInGerman: what audit verify finds reaches a German counsellor in German through
// the catalogue by its format (audit.Words), also inside the error that wraps it (a refused
// upgrade, "database PATH: ..."); table names, IDs, columns and seq numbers stay as they are.
func TestFindingsInGerman(t *testing.T) {
	german(t)
	id := "01a00000-0000-7000-8000-000000000001"
	changed := audit.Problem{Table: "sessions", ID: id, Kind: audit.ProblemChanged, Seq: 34, Columns: []string{"starts_at"}}
	if got, want := tr.local(changed.Words()), "sessions "+id+": seit Ereignis seq 34 außerhalb von counsel geändert (anders in starts_at)"; got != want {
		t.Errorf("changed row:\n got %s\nwant %s", got, want)
	}
	gap := &audit.BrokenError{Seq: 5, ID: "ev-5", Reason: audit.Say("sequence gap: expected seq %d after %d (event deleted, inserted or reordered)", int64(4), int64(3))}
	for _, c := range []struct {
		err  error
		want string
	}{
		{withHint(gap, "x"), "das Prüfprotokoll bricht bei Ereignis seq 5 (ID ev-5): Lücke in der Folge: nach 3 wurde seq 4 erwartet (Ereignis gelöscht, eingefügt oder umgestellt)"},
		{dbError("c.db", &store.UpgradeUnverifiedError{Schema: 4, Rows: 2, First: changed}),
			"Datenbank c.db: die Datenbank (Schema 4) ist nicht in Ordnung, darum hat counsel sie nicht aktualisiert (eine Aktualisierung hält jede Zeile fest, wie sie ist): 2 Datenzeile(n) weichen vom Prüfprotokoll ab; die erste: " +
				"sessions " + id + ": seit Ereignis seq 34 außerhalb von counsel geändert (anders in starts_at)"},
		{dbError("c.db", &store.UpgradeUnverifiedError{Schema: 4, Chain: gap}),
			"Datenbank c.db: die Datenbank (Schema 4) ist nicht in Ordnung, darum hat counsel sie nicht aktualisiert (eine Aktualisierung hält jede Zeile fest, wie sie ist): " +
				"das Prüfprotokoll bricht bei Ereignis seq 5 (ID ev-5): Lücke in der Folge: nach 3 wurde seq 4 erwartet (Ereignis gelöscht, eingefügt oder umgestellt)"},
	} {
		var b strings.Builder
		printError(&b, c.err)
		line, _, _ := strings.Cut(b.String(), "\n")
		if want := "counsel: error: " + c.want; line != want {
			t.Errorf("%v:\n got %s\nwant %s", c.err, line, want)
		}
	}
	tr = newTranslator(langEN)
	if got := tr.errorText(gap); got != gap.Error() {
		t.Errorf("English: got %q, want %q", got, gap.Error())
	}
}
