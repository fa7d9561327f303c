package provider

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

var (
	idRE       = lazyRE(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	yearRE     = lazyRE(`^[0-9]{4}$`)
	yearMonRE  = lazyRE(`^[0-9]{4}-(0[1-9]|1[0-2])$`)
	fullDateRE = lazyRE(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// validate checks one record; every message names the field it is about.
func validate(el *errList, r record) {
	p := r.p
	at := r.lineOf

	// required single-line text
	line := func(field, v string, required bool, max int) bool {
		if v == "" {
			if required {
				el.add(at(field), field, "required")
			}
			return false
		}
		if msg := checkText(v, false, max); msg != "" {
			el.add(at(field), field, "%s", msg)
			return false
		}
		return true
	}
	text := func(field, v string, required bool) {
		if v == "" {
			if required {
				el.add(at(field), field, "required")
			}
			return
		}
		if msg := checkText(v, true, maxText); msg != "" {
			el.add(at(field), field, "%s", msg)
		}
	}
	link := func(field, v string, required bool) {
		if !line(field, v, required, maxURL) {
			return
		}
		if msg := checkHTTPS(v); msg != "" {
			el.add(at(field), field, "%s", msg)
		}
	}
	date := func(field, v string) (time.Time, bool) {
		if !line(field, v, true, maxLine) {
			return time.Time{}, false
		}
		t, ok := parseDate(v)
		if !ok {
			el.add(at(field), field, "not a date (want YYYY-MM-DD)")
		}
		return t, ok
	}
	// choice checks a field that takes one of a few words, which words names.
	choice := func(field, v, words string, allowed ...string) {
		switch {
		case v == "":
			el.add(at(field), field, "required (%s)", words)
		case !slices.Contains(allowed, v):
			el.add(at(field), field, "want %s", words)
		}
	}

	if line("id", p.ID, true, maxLine) {
		if len(p.ID) > maxIDLen || !idRE().MatchString(p.ID) {
			el.add(at("id"), "id", "want a lower-case slug of letters, digits and single hyphens, at most %d characters (e.g. jitsi-example)", maxIDLen)
		}
	}
	line("name", p.Name, true, maxName)
	choice("kind", string(p.Kind), "jitsi or blizz", string(KindJitsi), string(KindBlizz))
	line("operator", p.Operator, true, maxLine)
	text("gdpr_statement", p.GDPRStatement, true)
	link("privacy_policy_url", p.PrivacyPolicy, true)
	text("data_collected", p.DataCollected, true)
	text("encryption.transport", p.Encryption.Transport, true)
	choice("encryption.e2e", p.Encryption.E2E, fmt.Sprintf("one of %q, %q, %q or %q", E2ENone, E2EOneToOne, E2EOptional, E2EDefault),
		E2ENone, E2EOneToOne, E2EOptional, E2EDefault)
	text("encryption.limits", p.Encryption.Limits, false)
	text("data_location", p.DataLocation, true)
	link("help_url", p.HelpURL, false)

	switch p.Kind {
	case KindJitsi:
		if line("base_url", p.BaseURL, true, maxURL) {
			if msg := checkJitsiBase(p.BaseURL); msg != "" {
				el.add(at("base_url"), "base_url", "%s", msg)
			}
		}
		if p.JoinURL != "" {
			el.add(at("join_url_template"), "join_url_template", "only for kind blizz (a Jitsi link is base_url plus the room)")
		}
	case KindBlizz:
		link("base_url", p.BaseURL, false)
		if line("join_url_template", p.JoinURL, true, maxURL) {
			if msg := checkTemplate(p.JoinURL); msg != "" {
				el.add(at("join_url_template"), "join_url_template", "%s", msg)
			}
		}
	}

	if p.Rating != nil {
		rt := *p.Rating
		choice("authority_rating.value", rt.Value, "green, yellow or red", RatingGreen, RatingYellow, RatingRed)
		line("authority_rating.authority", rt.Authority, true, maxLine)
		if line("authority_rating.date", rt.Date, true, maxLine) && !ratingDate(rt.Date) {
			el.add(at("authority_rating.date"), "authority_rating.date", "not a date (want YYYY, YYYY-MM or YYYY-MM-DD)")
		}
		link("authority_rating.source", rt.Source, true)
		line("authority_rating.subject", rt.Subject, false, maxLine)
	}

	rev, revOK := date("reviewed_on", p.ReviewedOn)
	due, dueOK := date("review_due", p.ReviewDue)
	if revOK && dueOK && !due.After(rev) {
		el.add(at("review_due"), "review_due", "must be after reviewed_on")
	}
	choice("status", string(p.Status), "active, deprecated or retired", string(StatusActive), string(StatusDeprecated), string(StatusRetired))
	text("notes", p.Notes, false)
	if p.Notes == "" && (p.Unverified || p.Status == StatusDeprecated || p.Status == StatusRetired) {
		el.add(at("notes"), "notes", "required when a provider is deprecated, retired or unverified: say why")
	}

	validateTranslations(el, r, line, text)
	validateFacts(el, r, line, link)

	if len(p.Sources) == 0 {
		el.add(at("sources"), "sources", "required: at least one source with title and url")
	}
	for i, s := range p.Sources {
		pre := fmt.Sprintf("sources[%d].", i)
		line(pre+"title", s.Title, true, maxLine)
		link(pre+"url", s.URL, true)
		if line(pre+"retrieved", s.Retrieved, false, maxLine) {
			if _, ok := parseDate(s.Retrieved); !ok {
				el.add(at(pre+"retrieved"), pre+"retrieved", "not a date (want YYYY-MM-DD)")
			}
		}
	}
}

// validateFacts checks the fields that tie facts to sources and the client
// lines: names must be fact fields the record states, notes complete, and
// client lines short, plain and few.
func validateFacts(el *errList, r record, line func(field, v string, required bool, max int) bool, link func(field, v string, required bool)) {
	p := r.p
	claimed := map[string]bool{}
	for _, f := range p.claimedFacts() {
		claimed[f] = true
	}
	factName := func(field, v string) {
		if !line(field, v, true, maxLine) {
			return
		}
		if !claimed[v] {
			el.add(r.lineOf(field), field, "not a fact this record states (want one of %s)", strings.Join(p.claimedFacts(), ", "))
		}
	}
	for i, f := range p.UnverifiedFacts {
		factName(fmt.Sprintf("unverified_facts[%d]", i), f)
	}
	for i, s := range p.Sources {
		for j, f := range s.Facts {
			factName(fmt.Sprintf("sources[%d].facts[%d]", i, j), f)
		}
	}
	for i, n := range p.ConsentForm {
		pre := fmt.Sprintf("consent_form[%d].", i)
		line(pre+"says", n.Says, true, maxLine)
		line(pre+"current", n.Current, true, maxLine)
		link(pre+"source", n.Source, true)
	}
	eachLang(el, r, "client_lines", p.ClientLines, func(pre string, ls []string) {
		if len(ls) == 0 || len(ls) > MaxClientLines {
			el.add(r.lineOf(pre), pre, "want 1 to %d lines", MaxClientLines)
		}
		for i, l := range ls {
			field := fmt.Sprintf("%s[%d]", pre, i)
			if !line(field, l, true, MaxClientLineLen) {
				continue
			}
			if j := Jargon(l); len(j) > 0 {
				el.add(r.lineOf(field), field, "uses %q, which a client cannot be expected to know; say it in plain words", j[0])
			}
		}
	})
}

// Jargon returns the ClientJargon terms in s, matched as whole words
// regardless of case.
func Jargon(s string) []string {
	var out []string
	for i, re := range jargonREs() {
		if re.MatchString(s) {
			out = append(out, ClientJargon[i])
		}
	}
	return out
}

// jargonREs are compiled on first use: with Unicode classes and case folding they took
// about 2 ms of every command's start-up as a package variable.
var jargonREs = sync.OnceValue(func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(ClientJargon))
	for i, term := range ClientJargon {
		out[i] = regexp.MustCompile(`(?i)(^|[^\pL\pN])` + regexp.QuoteMeta(term) + `($|[^\pL\pN])`)
	}
	return out
})

func checkSourced(el *errList, r record) {
	p := r.p
	for _, f := range p.claimedFacts() {
		if len(p.FactSources(f)) == 0 && !p.FactUnverified(f) {
			el.add(r.lineOf(f), f, "no source confirms this fact: name it in a source's facts, or list it in unverified_facts")
		}
	}
	for i, s := range p.Sources {
		if s.Retrieved == "" {
			field := fmt.Sprintf("sources[%d].retrieved", i)
			el.add(r.lineOf(field), field, "required: the date the source was read (YYYY-MM-DD)")
		}
	}
	for _, lang := range translationLangs() {
		if len(p.ClientLines[lang]) == 0 {
			el.add(r.lineOf("client_lines"), "client_lines."+lang, "required: the short lines the client's e-mail carries about this provider")
		}
	}
}

// validateTranslations checks each language's overrides with the rules of
// the base field they replace. A translation of a field the base leaves
// empty is refused: it would tell a client more than the reviewed record.
func validateTranslations(el *errList, r record, line func(field, v string, required bool, max int) bool, text func(field, v string, required bool)) {
	p := r.p
	eachLang(el, r, "translations", p.Translations, func(pre string, t Translation) {
		pre += "."
		for _, f := range translatedFields(&p, t) {
			if f.v == "" {
				continue
			}
			if f.base == nil || *f.base == "" {
				el.add(r.lineOf(pre+f.name), pre+f.name, "%s is empty, so there is nothing to translate", f.name)
				continue
			}
			if f.multiline {
				text(pre+f.name, f.v, false)
			} else {
				line(pre+f.name, f.v, false, f.max)
			}
		}
	})
}

// eachLang calls fn, in the order of the language codes, for each entry of m, a field of r
// keyed by language, with the entry's path (field.lang); a language the e-mail is not
// written in is an error instead.
func eachLang[V any](el *errList, r record, field string, m map[string]V, fn func(path string, v V)) {
	for _, lang := range slices.Sorted(maps.Keys(m)) {
		path := field + "." + shownKey(lang)
		if !knownLang(lang) {
			el.add(r.lineOf(path), path, "unknown language (want %s)", strings.Join(translationLangs(), " or "))
			continue
		}
		fn(path, m[lang])
	}
}

// translationLangs are the languages a record may carry translations for:
// the languages the e-mail is written in.
func translationLangs() []string { return []string{"de", "en"} }

func knownLang(lang string) bool {
	for _, l := range translationLangs() {
		if lang == l {
			return true
		}
	}
	return false
}

// checkUnique rejects two records with one id, and two Jitsi records on one
// host (a hand-given URL must map to exactly one provider).
func checkUnique(el *errList, recs []record) {
	ids := map[string]int{}
	hosts := map[string]record{}
	for _, r := range recs {
		if r.p.ID != "" {
			if first, dup := ids[r.p.ID]; dup {
				el.add(r.lineOf("id"), "id", "duplicate id %q (first at line %d)", r.p.ID, first)
			} else {
				ids[r.p.ID] = r.lineOf("id")
			}
		}
		if r.p.Kind != KindJitsi {
			continue
		}
		h, ok := jitsiBaseHost(r.p.BaseURL)
		if !ok {
			continue
		}
		if first, dup := hosts[h]; dup {
			el.add(r.lineOf("base_url"), "base_url", "host already used by provider %q (line %d)", first.p.ID, first.lineOf("base_url"))
		} else {
			hosts[h] = r
		}
	}
}

// checkText refuses control characters (they would break a table, a CSV
// cell or an e-mail header); multi-line fields may hold newlines and tabs.
func checkText(s string, multiline bool, max int) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	if utf8.RuneCountInString(s) > max {
		return fmt.Sprintf("longer than %d characters", max)
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			if multiline {
				return "contains a control character"
			}
			return "must be a single line without control characters"
		}
	}
	if strings.TrimSpace(s) == "" {
		return "must not be blank"
	}
	return ""
}

func parseDate(s string) (time.Time, bool) {
	if !fullDateRE().MatchString(s) {
		return time.Time{}, false
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil || t.Format(dateLayout) != s {
		return time.Time{}, false
	}
	return t, true
}

func ratingDate(s string) bool {
	if yearRE().MatchString(s) || yearMonRE().MatchString(s) {
		return true
	}
	_, ok := parseDate(s)
	return ok
}

// checkHTTPS returns "" for an absolute https URL with a host and no user
// information, or says what is wrong.
func checkHTTPS(s string) string {
	if !strings.HasPrefix(s, "https://") {
		return "want an https:// URL"
	}
	if strings.ContainsAny(s, " \\") {
		return "not a valid URL (spaces or backslashes)"
	}
	u, err := url.Parse(s)
	if err != nil {
		return "not a valid URL"
	}
	if u.Host == "" || u.Hostname() == "" {
		return "URL has no host"
	}
	if u.User != nil {
		return "URL must not contain a user name or password"
	}
	return ""
}

func checkJitsiBase(s string) string {
	if msg := checkHTTPS(s); msg != "" {
		return msg
	}
	u, _ := url.Parse(s)
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#") {
		return "want https://host/ with no path, query or fragment"
	}
	if u.Host != strings.ToLower(u.Host) {
		return "host must be lower-case"
	}
	return ""
}

// jitsiBaseHost returns the normalised host of a valid Jitsi base URL.
func jitsiBaseHost(s string) (string, bool) {
	if checkJitsiBase(s) != "" {
		return "", false
	}
	u, _ := url.Parse(s)
	return normalHost(u.Host), true
}

// normalHost lower-cases a URL host, drops a trailing dot and the default
// https port, so that equal hosts compare equal.
func normalHost(h string) string {
	h = strings.ToLower(h)
	h = strings.TrimSuffix(h, ":443")
	h = strings.TrimSuffix(h, ".")
	return h
}

const idPlaceholder = "{id}"

func checkTemplate(s string) string {
	if strings.Count(s, idPlaceholder) != 1 {
		return "want exactly one {id} placeholder (e.g. https://go.blizz.com/join/{id})"
	}
	example := strings.Replace(s, idPlaceholder, "m12345678", 1)
	if msg := checkHTTPS(example); msg != "" {
		return msg
	}
	u, _ := url.Parse(example)
	if !strings.Contains(u.Path+"?"+u.RawQuery, "m12345678") {
		return "the {id} placeholder must be in the path or query"
	}
	return ""
}
