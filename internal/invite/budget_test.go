package invite_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
)

// The e-mail is read by a person seeking counselling, not by a reviewer:
// these budgets hold for the default templates with the default settings
// and the vetted list's own providers.
var budgets = []struct {
	lang     string
	kind     provider.Kind
	maxWords int
}{
	{"de", provider.KindJitsi, 320},
	{"de", provider.KindBlizz, 350},
	{"en", provider.KindJitsi, 350},
	{"en", provider.KindBlizz, 380},
}

// clientJargon are terms a client cannot be expected to know, beyond the
// provider lines' list: the notice explains DSGVO/GDPR once, and says
// nothing in these words at all.
var clientJargon = append([]string{"IP", "Server-Log", "Auftragsverarbeitung", "Art. 28", "Instanz", "instance",
	"Videobridge", "Vorschaltseite", "pre-join", "nicht bestätigt", "not confirmed", "veraltet", "out of date"},
	provider.ClientJargon...)

// rendered returns every message a client can get with the defaults: the
// invitation, the moved invitation and the cancellation.
func rendered(t *testing.T, lang string, kind provider.Kind) map[string]invite.Message {
	tm := mustLoad(t)
	d := sample(t, lang, kind)
	out := map[string]invite.Message{"invitation": mustRender(t, tm, d)}
	moved := d
	moved.Moved, moved.PreviousStart = true, d.Start.Add(-48*60*60*1e9)
	out["move"] = mustRender(t, tm, moved)
	c, err := tm.RenderCancel(d)
	if err != nil {
		t.Fatal(err)
	}
	out["cancellation"] = c
	return out
}

func TestBudgets(t *testing.T) {
	for _, b := range budgets {
		t.Run(b.lang+"_"+string(b.kind), func(t *testing.T) {
			for name, m := range rendered(t, b.lang, b.kind) {
				words := len(strings.Fields(m.Subject)) + len(strings.Fields(m.Body))
				t.Logf("%s: %d words, %d lines", name, words, strings.Count(m.Body, "\n"))
				if words > b.maxWords {
					t.Errorf("%s: %d words, budget %d", name, words, b.maxWords)
				}
				for i, l := range strings.Split(m.Body, "\n") {
					if n := utf8.RuneCountInString(l); n > invite.LineWidth && !urlOnly(l) {
						t.Errorf("%s: line %d has %d characters: %q", name, i+1, n, l)
					}
				}
				lower := strings.ToLower(withoutURLs(m.Subject + "\n" + m.Body))
				for _, term := range clientJargon {
					if containsWord(lower, strings.ToLower(term)) {
						t.Errorf("%s: uses %q", name, term)
					}
				}
			}
		})
	}
}

// No sentence of the notice is longer than 25 words: a reader in distress
// must not have to hold a long sentence in mind.
func TestNoticeSentences(t *testing.T) {
	for _, b := range budgets {
		m := rendered(t, b.lang, b.kind)["invitation"]
		for _, s := range sentences(m.ConsentText) {
			if n := len(strings.Fields(s)); n > 25 {
				t.Errorf("%s/%s: sentence of %d words: %q", b.lang, b.kind, n, s)
			}
		}
	}
}

// Every Art. 13 item a client must find, and the explicit request for
// consent, are in the notice (what is hashed and stored as sent).
func TestNoticeIsComplete(t *testing.T) {
	want := map[string][]string{
		"de": {
			"Verantwortlich ist exPEERienced", "beratung@example.org", // controller and contact
			"Wir speichern Ihren Namen oder Ihr Pseudonym, Datum, Uhrzeit, Dauer", "Videosystem", "Einwilligung", // what is stored
			"nur für die Beratung", "Art. 9 Abs. 2 a", // purpose and basis
			"betreibt ein anderer Anbieter", "Seine Datenschutzerklärung:", // recipient
			"90 Tage", "3 volle Kalenderjahre", // retention
			"Auskunft", "Berichtigung", "Löschung", "Einschränkung", "Datenübertragung", "Widerspruch", // rights
			"beschweren", "Berliner Beauftragte für Datenschutz und Informationsfreiheit\nhttps://www.datenschutz-berlin.de/\n", "https://www.datenschutz-berlin.de/",
			"jederzeit widerrufen", "Eine kurze Antwort auf diese E-Mail genügt", // withdrawal, as easy as replying
			"https://gut-beraten.berlin/impressum/datenschutz-in-der-videoberatung\nhttps://gut-beraten.berlin/impressum/datenschutz\n",
			"„Ja, ich bin einverstanden.“", "findet nur mit Ihrer Einwilligung statt",
			"Datenschutz-Grundverordnung, kurz DSGVO",
		},
		"en": {
			"exPEERienced is responsible", "beratung@example.org",
			"We store your name or pseudonym, date, time, length", "video system", "your consent",
			"only for the counselling", "Art. 9(2)(a)",
			"Another company runs the video system", "Its privacy policy:",
			"90 days", "3 full calendar years",
			"access", "rectification", "erasure", "restriction", "portability", "object",
			"complain", "Berliner Beauftragte für Datenschutz und Informationsfreiheit\nhttps://www.datenschutz-berlin.de/\n", "https://www.datenschutz-berlin.de/",
			"withdraw your consent at any time", "A short reply\nto this e-mail is enough",
			"https://gut-beraten.berlin/impressum/datenschutz-in-der-videoberatung\nhttps://gut-beraten.berlin/impressum/datenschutz\n",
			"\"Yes, I agree.\"", "takes place only with your consent",
			"General Data Protection\nRegulation, GDPR",
		},
	}
	for _, b := range budgets {
		m := rendered(t, b.lang, b.kind)["invitation"]
		flat := strings.Join(strings.Fields(m.ConsentText), " ")
		for _, w := range want[b.lang] {
			if !strings.Contains(m.ConsentText, w) && !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
				t.Errorf("%s/%s: notice lacks %q", b.lang, b.kind, w)
			}
		}
		p := sample(t, b.lang, b.kind).Provider
		if !strings.Contains(m.ConsentText, p.PrivacyPolicy) {
			t.Errorf("%s/%s: notice lacks the provider's privacy policy", b.lang, b.kind)
		}
		for _, l := range p.Lines(b.lang) {
			if !strings.Contains(m.ConsentText, "- "+l+"\n") {
				t.Errorf("%s/%s: notice lacks the client line %q", b.lang, b.kind, l)
			}
		}
	}
}

// The settings the issue names are configurable: another authority and
// other links appear instead of the defaults.
func TestNoticeSettings(t *testing.T) {
	tm := mustLoad(t)
	d := sample(t, "de", provider.KindJitsi)
	d.ComplaintAuthority, d.ComplaintURL = "Landesbeauftragte für Datenschutz Beispielland", "https://lfd.example.org/"
	d.PolicyURL, d.PrivacyURL = "https://example.org/einwilligung", "https://example.org/datenschutz"
	d.SessionDays, d.ConsentYears = 30, 2
	m := mustRender(t, tm, d)
	for _, w := range []string{"zuständig ist:\nLandesbeauftragte für Datenschutz Beispielland\nhttps://lfd.example.org/", "https://example.org/einwilligung\nhttps://example.org/datenschutz\n", "30 Tage", "2 volle Kalenderjahre"} {
		if !strings.Contains(m.ConsentText, w) {
			t.Errorf("notice lacks %q:\n%s", w, m.ConsentText)
		}
	}
	if strings.Contains(m.ConsentText, "datenschutz-berlin") {
		t.Error("notice still names the default authority")
	}
	// A long setting is wrapped, never an overlong line.
	d.Organisation = strings.Repeat("Beratungsstelle ", 8) + "e. V."
	m = mustRender(t, tm, d)
	for _, l := range strings.Split(m.Body, "\n") {
		if utf8.RuneCountInString(l) > invite.LineWidth && !urlOnly(l) {
			t.Errorf("overlong line %q", l)
		}
	}
}

var urlRE = regexp.MustCompile(`https?://\S+`)

func withoutURLs(s string) string { return urlRE.ReplaceAllString(s, "") }

var urlOnlyRE = regexp.MustCompile(`^\s*https?://\S+$`)

func urlOnly(l string) bool { return urlOnlyRE.MatchString(l) }

func containsWord(s, w string) bool {
	re := regexp.MustCompile(`(^|[^\pL\pN])` + regexp.QuoteMeta(w) + `($|[^\pL\pN])`)
	return re.MatchString(s)
}

// sentences splits text at sentence ends (". ", "? ", "! ", ": " before a
// line break, and empty lines); list items and URL lines count as their own.
func sentences(text string) []string {
	var out []string
	for _, para := range strings.Split(text, "\n\n") {
		var cur []string
		flush := func() {
			if len(cur) > 0 {
				out = append(out, strings.Join(cur, " "))
				cur = nil
			}
		}
		for _, l := range strings.Split(para, "\n") {
			if strings.HasPrefix(l, "- ") || urlOnly(l) {
				flush()
				out = append(out, l)
				continue
			}
			for _, w := range strings.Fields(l) {
				cur = append(cur, w)
				if strings.HasSuffix(w, ".") || strings.HasSuffix(w, "?") || strings.HasSuffix(w, "!") || strings.HasSuffix(w, ".“") || strings.HasSuffix(w, ".\"") {
					if !abbreviation(w) {
						flush()
					}
				}
			}
			if strings.HasSuffix(l, ":") {
				flush()
			}
		}
		flush()
	}
	return out
}

// abbreviation: "Art." and "Abs." end no sentence.
func abbreviation(w string) bool { return w == "Art." || w == "Abs." || w == "z." || w == "B." }
