package cli

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/expeerienced/counsel/data"
	"github.com/expeerienced/counsel/internal/audit"
	"github.com/expeerienced/counsel/internal/session"
	"github.com/expeerienced/counsel/internal/store"
)

// counsel speaks English or German. The English text in the code is the key
// of the catalogue (data/i18n/de.yaml), as in gettext: the code stays
// readable, and a changed English text is a missing German one, which
// TestCatalogueComplete reports.
const (
	langEN = "en"
	langDE = "de"
)

// entry is one message of the catalogue.
type entry struct {
	EN string `yaml:"en"`
	DE string `yaml:"de"`
}

// catalogue is the parsed German catalogue, built once.
type catalogue struct {
	de      map[string]string // trimmed English -> German
	entries []entry

	once     sync.Once
	patterns []pattern // entries with verbs, most specific first
}

var (
	catOnce sync.Once
	theCat  *catalogue
	catErr  error
)

// loadCatalogue parses the embedded catalogue; a broken one is a build
// defect that TestCatalogueComplete reports.
func loadCatalogue() (*catalogue, error) {
	catOnce.Do(func() { theCat, catErr = parseCatalogue(data.Messages()) })
	return theCat, catErr
}

func parseCatalogue(b []byte) (*catalogue, error) {
	var es []entry
	if err := yaml.Unmarshal(b, &es); err != nil {
		return nil, fmt.Errorf("message catalogue: %w", err)
	}
	c := &catalogue{de: map[string]string{}, entries: es}

	for _, e := range es {
		en, de := strings.TrimSpace(e.EN), strings.TrimSpace(e.DE)
		if en == "" {
			return nil, fmt.Errorf("message catalogue: an entry has no English text")
		}
		if _, dup := c.de[en]; dup {
			return nil, fmt.Errorf("message catalogue: %q is there twice", en)
		}
		c.de[en] = de
	}
	return c, nil
}

// translator speaks one language.
type translator struct {
	lang string
	cat  *catalogue // nil for English
}

// tr is the language of this run. counsel runs one command per process; Main
// sets it before the command tree is built and nothing changes it after.
var tr = &translator{lang: langEN}

func newTranslator(lang string) *translator {
	if lang != langDE {
		return &translator{lang: langEN}
	}
	c, err := loadCatalogue()
	if err != nil {
		return &translator{lang: langEN} // English is always complete
	}
	return &translator{lang: langDE, cat: c}
}

// T translates a fixed text (help, table heading, cell word). Surrounding
// blank space is kept as it is; unknown texts stay English.
func T(s string) string { return tr.text(s) }

// Tf translates a format and fills it in, like fmt.Sprintf.
func Tf(format string, args ...any) string { return tr.sprintf(format, args...) }

func (t *translator) text(s string) string {
	if t.cat == nil {
		return s
	}
	core := strings.TrimSpace(s)
	de, ok := t.cat.de[core]
	if !ok || de == "" || core == "" {
		return s
	}
	i := strings.Index(s, core)
	return s[:i] + de + s[i+len(core):]
}

func (t *translator) sprintf(format string, args ...any) string {
	if t.cat == nil {
		return fmt.Sprintf(format, args...)
	}
	core := strings.TrimSpace(format)
	de, ok := t.cat.de[core]
	if !ok || de == "" {
		return fmt.Sprintf(format, args...)
	}
	i := strings.Index(format, core)
	// Errors given as arguments are translated too (they are messages).
	// Whole numbers are printed plainly, without the German thousands dot:
	// they are counts and sequence numbers that people compare with JSON,
	// CSV and the audit trail ("seq 12345", not "seq 12.345"). Fractions
	// are written the German way (germanFloat).
	for j, a := range args {
		switch v := a.(type) {
		case error:
			args[j] = t.message(v.Error())
		case float64:
			args[j] = germanFloat(v)
		case float32:
			args[j] = germanFloat(v)
		}
	}
	return format[:i] + fmt.Sprintf(noW(de), args...) + format[i+len(core):]
}

// germanFloat prints a fraction as German text writes it with %f and %.Nf: a decimal comma
// and a dot between thousands ("1.234,5"), as golang.org/x/text/message's German printer did
// (TestGermanFloatMatchesPrinter). That printer and its catalogue cost every start of counsel
// the initialisation of x/text's language tables; nothing else of it was used, since
// whole numbers were printed plainly anyway. Other verbs print as fmt does.
type germanFloat float64

func (g germanFloat) Format(f fmt.State, verb rune) {
	v := float64(g)
	if verb != 'f' && verb != 'F' {
		fmt.Fprintf(f, fmt.FormatString(f, verb), v)
		return
	}
	var s string
	switch {
	case math.IsNaN(v):
		s = "NaN"
	case math.IsInf(v, 0):
		s = "∞"
		if v < 0 {
			s = "-∞"
		}
	default:
		prec, ok := f.Precision()
		if !ok {
			prec = 6
		}
		digits := strconv.FormatFloat(math.Abs(v), 'f', prec, 64)
		whole, frac, _ := strings.Cut(digits, ".")
		var b strings.Builder
		if v < 0 {
			b.WriteByte('-')
		}
		for i := range len(whole) {
			if i > 0 && (len(whole)-i)%3 == 0 {
				b.WriteByte('.')
			}
			b.WriteByte(whole[i])
		}
		if frac != "" {
			b.WriteString("," + frac)
		}
		s = b.String()
	}
	if w, ok := f.Width(); ok && utf8.RuneCountInString(s) < w {
		pad := strings.Repeat(" ", w-utf8.RuneCountInString(s))
		if f.Flag('-') {
			s += pad
		} else {
			s = pad + s
		}
	}
	io.WriteString(f, s)
}

// noW turns %w, which only fmt.Errorf knows, into %v.
func noW(f string) string { return strings.ReplaceAll(f, "%w", "%v") }

// message translates a finished English message, such as an error's text:
// an exact entry, or the most specific entry whose format matches it, with
// its arguments translated in turn. Errors are built in English with
// fmt.Errorf all over the code and in the domain packages; this finds their
// German form where they are printed, without threading a language through
// every function that returns an error.
func (t *translator) message(s string) string {
	if t.cat == nil || s == "" {
		return s
	}
	if de, ok := t.cat.de[strings.TrimSpace(s)]; ok && de != "" {
		return t.text(s)
	}
	for _, p := range t.cat.patternList() {
		m := p.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		args := make([]any, len(p.verbs))
		for i, v := range p.verbs {
			a := m[i+1]
			if (v == 'v' || v == 'w' || v == 's') && !p.keep[i] {
				a = t.message(a)
			}
			args[i] = a
		}
		return fmt.Sprintf(p.de, args...)
	}
	// A list joined with ", " (reasons, warnings): its items one by one.
	if parts := strings.Split(s, ", "); len(parts) > 1 {
		changed := false
		for i, part := range parts {
			if de, ok := t.cat.de[part]; ok && de != "" {
				parts[i], changed = de, true
			}
		}
		if changed {
			return strings.Join(parts, ", ")
		}
	}
	return s
}

// pattern is a catalogue entry with verbs, compiled to match its English
// output; de is the German format with every verb turned into %s (the
// arguments are the captured, already formatted English text).
type pattern struct {
	re    *regexp.Regexp
	verbs []rune
	// keep marks arguments that are never translated: a flag's name after "--" is
	// the same word in every language ("--client", not "--Person").
	keep    []bool
	de      string
	literal int // characters outside verbs: more is more specific
}

// verbRE finds fmt verbs; compiled on first use, as only German output needs it.
var verbRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`%(\[(\d+)\])?[-+# 0]*(\d+|\*)?(\.\d+)?([a-zA-Z%])`)
})

func (c *catalogue) patternList() []pattern {
	c.once.Do(func() {
		for en, de := range c.de {
			if de == "" || !strings.Contains(en, "%") {
				continue
			}
			if p, ok := compilePattern(en, de); ok {
				c.patterns = append(c.patterns, p)
			}
		}
		sort.Slice(c.patterns, func(i, j int) bool {
			if c.patterns[i].literal != c.patterns[j].literal {
				return c.patterns[i].literal > c.patterns[j].literal
			}
			return c.patterns[i].re.String() < c.patterns[j].re.String()
		})
	})
	return c.patterns
}

func compilePattern(en, de string) (pattern, bool) {
	var re strings.Builder
	re.WriteString(`^`)
	p := pattern{}
	last := 0
	locs := verbRE().FindAllStringSubmatchIndex(en, -1)
	for _, l := range locs {
		lit := en[last:l[0]]
		re.WriteString(regexp.QuoteMeta(lit))
		p.literal += len(lit)
		verb := rune(en[l[1]-1])
		last = l[1]
		switch verb {
		case '%':
			re.WriteString("%")
			continue
		case 'd':
			re.WriteString(`(-?[0-9]+)`)
		case 'o':
			re.WriteString(`((?:0o?)?[0-7]+)`)
		case 'x', 'X':
			re.WriteString(`((?:0[xX])?[0-9a-fA-F]+)`)
		case 'f', 'g', 'e':
			re.WriteString(`(-?[0-9][0-9.e+-]*|[+-]?Inf|NaN)`)
		case 't':
			re.WriteString(`(true|false)`)
		case 'q':
			re.WriteString(`("(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `)`)
		default:
			re.WriteString(`([\s\S]*?)`)
		}
		p.verbs = append(p.verbs, verb)
		p.keep = append(p.keep, strings.HasSuffix(lit, "--"))
	}
	lit := en[last:]
	re.WriteString(regexp.QuoteMeta(lit) + `$`)
	p.literal += len(lit)
	if len(p.verbs) == 0 || p.literal == 0 {
		return p, false
	}
	var err error
	if p.re, err = regexp.Compile(re.String()); err != nil {
		return p, false
	}
	// German: each verb of the German text takes the captured text of the
	// English argument with the same index.
	var out strings.Builder
	last, seq := 0, 0
	for _, l := range verbRE().FindAllStringSubmatchIndex(de, -1) {
		out.WriteString(strings.ReplaceAll(de[last:l[0]], "%", "%%"))
		last = l[1]
		if de[l[1]-1] == '%' {
			out.WriteString("%%")
			continue
		}
		idx := seq + 1
		if l[4] >= 0 {
			fmt.Sscan(de[l[4]:l[5]], &idx)
		}
		seq = idx
		fmt.Fprintf(&out, "%%[%d]s", idx)
	}
	out.WriteString(strings.ReplaceAll(de[last:], "%", "%%"))
	p.de = out.String()
	return p, true
}

// --- choosing the language ---

// langChoice is the language of counsel's messages and why.
type langChoice struct {
	lang, why string
}

// chooseLanguage applies the rule: the language setting when the user set
// it (COUNSEL_LANGUAGE or the config file), else the first of LC_ALL,
// LC_MESSAGES, LANG that is set (de... is German, anything else English),
// else on Windows the user's display language, else English. setting is the
// value of the language key and from where ("" when not set).
func chooseLanguage(setting, settingSource string, getenv func(string) string) langChoice {
	if setting == langDE || setting == langEN {
		return langChoice{setting, fmt.Sprintf("setting language (%s)", settingSource)}
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if val := getenv(v); val != "" {
			return langChoice{localeLang(val), fmt.Sprintf("locale %s=%s", v, val)}
		}
	}
	if l := systemLocale(); l != "" {
		return langChoice{localeLang(l), fmt.Sprintf("system language %s", l)}
	}
	return langChoice{langEN, "default (no language setting and no locale)"}
}

// localeLang maps a POSIX locale (de_DE.UTF-8, de_AT@euro, C) or a BCP 47
// tag (de-DE) to de or en.
func localeLang(l string) string {
	l = strings.ToLower(l)
	if l == "de" || strings.HasPrefix(l, "de_") || strings.HasPrefix(l, "de-") || strings.HasPrefix(l, "de.") || strings.HasPrefix(l, "de@") {
		return langDE
	}
	return langEN
}

// --- dates for people ---

var (
	deWeekdays = [...]string{"So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"}
	deMonths   = [...]string{"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.", "Dez."}
)

// when formats a time for people in the run's language: the English layouts
// of the code become day.month.year with German day names in German
// ("Di 01.12.2026 10:00"). Machines get ISO forms, never this.
func when(t time.Time, layout string) string {
	if tr.lang != langDE {
		return t.Format(layout)
	}
	l := layout
	for _, r := range [][2]string{{"2006-01-02", "02.01.2006"}, {"2006-01", "01.2006"}, {"2 Jan 2006", "02.01.2006"}, {"Jan 2006", "01.2006"}} {
		l = strings.ReplaceAll(l, r[0], r[1])
	}
	// Name placeholders that time.Format leaves alone.
	l = strings.ReplaceAll(l, "Monday", "\x01")
	l = strings.ReplaceAll(l, "Mon", "\x02")
	l = strings.ReplaceAll(l, "Jan", "\x03")
	s := t.Format(l)
	s = strings.ReplaceAll(s, "\x01", [...]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}[t.Weekday()])
	s = strings.ReplaceAll(s, "\x02", deWeekdays[t.Weekday()])
	return strings.ReplaceAll(s, "\x03", deMonths[t.Month()-1])
}

// showWhen is showTime for people: in the run's language.
func showWhen(t time.Time, loc *time.Location, layout string) string {
	if t.IsZero() {
		return T(showTime(t, loc, layout))
	}
	return when(t.In(loc), layout)
}

// --- cells that differ between the table and CSV ---

// A table is for people and CSV for machines, but listings often share their
// rows. cell marks a value that the table shows translated while CSV keeps
// the English; writeListing unpacks it.
const (
	cellMark = "\uE000"
	cellSep  = "\uE001"
)

func cell(english, local string) string {
	if english == local {
		return english
	}
	return cellMark + local + cellSep + english
}

// word is a cell word from a fixed vocabulary (a status, a source).
func word(s string) string { return cell(s, T(s)) }

// unpackCell returns the table or the CSV form of a cell.
func unpackCell(s string, table bool) string {
	if !strings.HasPrefix(s, cellMark) {
		return s
	}
	local, english, _ := strings.Cut(strings.TrimPrefix(s, cellMark), cellSep)
	if table {
		return local
	}
	return english
}

func unpackRows(rows [][]string, table bool) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			out[i][j] = unpackCell(c, table)
		}
	}
	return out
}

// --- answers to prompts ---

// yes is true for the answers that mean yes: y and yes, and in German j and
// ja (English ones are accepted in German too: they cannot mean no).
func yes(answer string) bool {
	switch strings.ToLower(strings.TrimFunc(answer, unicode.IsSpace)) {
	case "y", "yes":
		return true
	case "j", "ja":
		return tr.lang == langDE
	}
	return false
}

// say is a message for the person in the run's language: its format's
// catalogue entry, or else (for a format such as "%s" around a text from
// elsewhere) the entry that matches the finished text.
func say(format string, args ...any) string { return tr.say(format, args...) }

func (t *translator) say(format string, args ...any) string {
	en := fmt.Sprintf(format, args...)
	if local := t.sprintf(format, args...); local != en {
		return local
	}
	return t.message(en)
}

// local is a finding of a domain package (audit.Words) in t's language: its format through
// the catalogue, its arguments (table names, IDs, seq numbers) as they are, a finding nested
// in it in turn. The domain packages keep the format, as counsel's English is the key.
func (t *translator) local(w audit.Words) string { return w.Local(t.say) }

// worded is an error that keeps its finding as audit.Words (audit.BrokenError,
// store.UpgradeUnverifiedError): its format finds the German, not its finished text, in
// which a table name or an ID could be mistaken for a word of the catalogue.
type worded interface{ Words() audit.Words }

// findingMark stands for a worded error's text while the text around it is translated.
const findingMark = "\uE002"

// errorText is err's message in t's language, line by line. The finding of a worded error
// in it is translated by its words; the text around it (say, "database PATH: ") by message,
// as the text of any error.
func (t *translator) errorText(err error) string {
	en := err.Error()
	if t.cat == nil {
		return en
	}
	var f worded
	if !errors.As(err, &f) {
		return t.lines(en)
	}
	w := f.Words()
	before, after, ok := strings.Cut(en, w.String())
	if !ok {
		return t.lines(en)
	}
	return strings.ReplaceAll(t.lines(before+findingMark+after), findingMark, t.local(w))
}

// lines is message of each line of s.
func (t *translator) lines(s string) string {
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = t.message(l)
	}
	return strings.Join(ls, "\n")
}

// chooseLanguage decides the language of this run's messages before the
// command tree is built (help needs it, and help runs without loading the
// configuration). The setting is read leniently here: a broken config file
// is reported later by loadConfig, in the language chosen without it.
func (a *app) chooseLanguage(args []string) langChoice {
	getenv := a.deps.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if v := getenv(envName("language")); v != "" {
		return chooseLanguage(v, fmt.Sprintf("env %s", envName("language")), getenv)
	}
	for i := 0; i < len(args); i++ {
		if args[i] == "--" {
			break
		}
		if v, ok := strings.CutPrefix(args[i], "--config="); ok {
			a.configFlag = v
		} else if args[i] == "--config" && i+1 < len(args) {
			a.configFlag = args[i+1]
		}
	}
	path, _, err := a.configFile()
	a.configFlag = "" // cobra sets it again while parsing
	if err == nil {
		if b, err := os.ReadFile(path); err == nil {
			var v struct {
				Language any `yaml:"language"`
			}
			if yaml.Unmarshal(b, &v) == nil {
				if s, ok := v.Language.(string); ok {
					return chooseLanguage(s, fmt.Sprintf("file %s", path), getenv)
				}
			}
		}
	}
	return chooseLanguage("", "", getenv)
}

// translateAll translates each word of a list (provider warnings, say).
func translateAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = T(w)
	}
	return out
}

// clientWord is the client cell: the name as stored, or the word for an
// erased one (a name is never looked up in the catalogue).
func clientWord(s session.Session) string {
	if s.IsGroup() {
		return cell(clientLabel(s), Tf("group of %d", s.Participants))
	}
	if s.Erased() {
		return word(clientLabel(s))
	}
	return clientLabel(s)
}

// reportTableCells is a report row for the table: a month for people, the
// words in the run's language (CSV and JSON keep "2026-11" and "(none)").
func reportTableCells(cells []string, by string) []string {
	if t, err := time.Parse("2006-01", cells[0]); err == nil && by == store.ReportByMonth {
		cells[0] = when(t, "2006-01")
	} else {
		cells[0] = T(cells[0])
	}
	return cells
}

// localTemplate puts the comments of the config file template into the run's
// language; the keys and values stay as they are.
func localTemplate(tmpl string) string {
	lines := strings.Split(tmpl, "\n")
	for i, l := range lines {
		if text, ok := strings.CutPrefix(l, "# "); ok {
			lines[i] = "# " + T(text)
		}
	}
	return strings.Join(lines, "\n")
}
