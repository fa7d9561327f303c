package provider_test

import (
	"errors"
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/expeerienced/counsel/data"
	"github.com/expeerienced/counsel/internal/provider"
)

// FuzzParse: parsing never panics; every error is a *FieldError naming
// the file; an accepted list re-encodes to YAML that parses to the same list.
func FuzzParse(f *testing.F) {
	f.Add([]byte(validFile))
	f.Add(data.Providers())
	f.Add([]byte(""))
	f.Add([]byte("[]"))
	f.Add([]byte("- id: x\n"))
	f.Add([]byte("- &a {id: x}\n- *a\n"))
	f.Add([]byte("- id: a\n  sources: [{title: t, url: 'https://x.example/'}]\n  <<: {name: n}\n"))
	f.Add([]byte(edit(24, "  review_due: 2026-02-30")))
	f.Add([]byte(edit(2, "  name: \"\\u2028\"")))
	f.Add([]byte(strings.Replace(validFile, "Example Jitsi", "\"true\"", 1)))
	f.Add([]byte("---\n- id: x\n---\n- id: y\n"))
	f.Add([]byte(sourcedFile(sourcedTail)))
	f.Add([]byte(sourcedFile(sourcedTail + "  consent_form:\n    - {says: x, current: y, source: 'https://s.example/'}\n")))
	f.Add([]byte(sourcedFile(strings.Replace(sourcedTail, `de: ["Betrieb: Beispiel e. V."]`, `de: [~, "", "P2P", 3]`, 1))))
	f.Add([]byte(withTranslations(deBlock)))
	f.Add([]byte(withTranslations("  translations: {de: {}, en: ~, fr: {name: x}}\n")))
	f.Add([]byte(withSubject("  translations:\n    de:\n      authority_rating:\n        subject: Beispieldienste als Gruppe\n    en:\n      authority_rating: {subject: ~}\n")))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := provider.Parse("fuzz.yaml", b)
		if err != nil {
			joined, ok := err.(interface{ Unwrap() []error })
			if !ok {
				t.Fatalf("error is not a list of field errors: %v", err)
			}
			for _, e := range joined.Unwrap() {
				var fe *provider.FieldError
				if !errors.As(e, &fe) || fe.File != "fuzz.yaml" || fe.Line < 1 || fe.Field == "" || strings.Contains(e.Error(), "\n") {
					t.Fatalf("error without file, line and field, or not on one line: %q", e)
				}
			}
			return
		}
		out, err := yaml.Marshal(ps)
		if err != nil {
			t.Fatalf("re-encoding an accepted list: %v", err)
		}
		again, err := provider.Parse("fuzz.yaml", out)
		if err != nil {
			t.Fatalf("re-encoded list does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(ps, again) {
			t.Fatalf("round trip changed the list:\n%#v\n%#v", ps, again)
		}
	})
}

// FuzzParseBlizzID: never panics; an accepted ID is canonical (m and 8-10
// digits), and parsing its canonical and display forms gives it back.
func FuzzParseBlizzID(f *testing.F) {
	for _, s := range []string{
		"m12345678", "M12 345 678", "m12-345-678", "m-1234567890", "12345678",
		"https://go.blizz.com/join/m12345678?x=1", "https://go.blizz.com/join/m12345678/",
		"https://go.blizz.com/join/%6d12345678", "https://go.teamviewer.com/meet/m12-345-678",
		"https://go.teamviewer.com/meet/m12345678?pwd=x#y", "https://go.teamviewer.com/meet/../join/m12345678", "m12\u00a0345\u00a0678", "m１２３４５６７８", "",
	} {
		f.Add(s)
	}
	_, refused := provider.ParseBlizzID("")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := provider.ParseBlizzID(s)
		if err != nil {
			// One fixed message for every bad input: it cannot echo any.
			if err.Error() != refused.Error() {
				t.Fatalf("error %q differs from the fixed message", err)
			}
			return
		}
		c := id.String()
		if len(c) < 9 || len(c) > 11 || c[0] != 'm' || strings.Trim(c[1:], "0123456789") != "" {
			t.Fatalf("accepted ID is not canonical: %q", c)
		}
		// Both link forms carry the same meeting ID.
		for _, form := range []string{c, id.Display(), "https://go.blizz.com/join/" + c, "https://go.teamviewer.com/meet/" + id.Display()} {
			again, err := provider.ParseBlizzID(form)
			if err != nil || again != id {
				t.Fatalf("%q does not parse back to %q: %v", form, c, err)
			}
		}
	})
}

// FuzzCheckJitsiURL: never panics; an accepted URL is https, on the host of
// a vetted, not retired Jitsi provider, with a room in a-z0-9._- and the
// pre-join fragment, and checking it again gives the same result.
func FuzzCheckJitsiURL(f *testing.F) {
	r, err := provider.Load(data.Providers(), "")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"https://sichere-videokonferenz.de/k3x9q2mzt7wb4n8p1vhd",
		"https://jitsi.fem.tu-ilmenau.de/K3X9Q2MZT7WB4N8P1VHD#config.x=1",
		"https://sichere-videokonferenz.de:443/beratung",
		"https://sichere-videokonferenz.de./k3x9q2mzt7wb4n8p1vhd",
		"https://sichere-videokonferenz.de@evil.example/k3x9q2mzt7wb4n8p1vhd",
		"https://sichere-videokonferenz.de/a%2Fb",
		"https://[::1]/x", "https://sichere-videokonferenz.de/..", "http://x/", "",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, allowWeak bool) {
		res, err := r.CheckJitsiURL(s, allowWeak)
		if err != nil {
			return
		}
		u, err := url.Parse(res.URL)
		if err != nil || u.Scheme != "https" || u.User != nil || u.RawQuery != "" {
			t.Fatalf("accepted URL %q is not a plain https URL", res.URL)
		}
		p, ok := r.JitsiHost(u.Host)
		if !ok || p.ID != res.Provider.ID || p.Status == provider.StatusRetired {
			t.Fatalf("accepted URL %q is not on a usable vetted host", res.URL)
		}
		if u.Path != "/"+res.Room || strings.Trim(res.Room, "abcdefghijklmnopqrstuvwxyz0123456789._-") != "" {
			t.Fatalf("room %q of %q is not a single lower-case segment", res.Room, res.URL)
		}
		if u.Fragment != "config.prejoinConfig.enabled=true" {
			t.Fatalf("accepted URL %q lacks the pre-join fragment", res.URL)
		}
		if res.Weak != (res.Bits < provider.MinRoomBits) || (res.Weak && !allowWeak) {
			t.Fatalf("weak room %q accepted with allowWeak=%v", res.Room, allowWeak)
		}
		again, err := r.CheckJitsiURL(res.URL, allowWeak)
		if err != nil || again.URL != res.URL || again.Room != res.Room {
			t.Fatalf("canonical URL %q does not check the same: %v", res.URL, err)
		}
	})
}

// FuzzJudgeRoom: the estimator never panics, gives the same verdict for
// the same input, ignores case as Jitsi does, and never says a name is
// stronger than its random-alphabet upper bound.
func FuzzJudgeRoom(f *testing.F) {
	for _, s := range []string{"", "a", "abcdefghijklmnopqrst", "qwertyuiopasdfghjklz", "abcabcabcabcabcabcab",
		"passwordpassword1234", "b3ratung2026", "2026-12-03", "k3x9q2mzt7wb4n8p1vhdq7c2", "Beratung-Köln", "\xff\xfe",
		strings.Repeat("1l!|", 50), strings.Repeat("a", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 200 { // CheckJitsiURL refuses longer rooms before judging
			return
		}
		a, b := provider.JudgeRoom(s), provider.JudgeRoom(s)
		if a.Bits != b.Bits || strings.Join(a.Reasons, "|") != strings.Join(b.Reasons, "|") {
			t.Fatalf("two verdicts for one name: %v, %v", a, b)
		}
		// Not strings.EqualFold: JudgeRoom lowers the name, so only names whose upper case
		// lowers back to the same text must score the same ('ſ' folds to 's', lowers to itself).
		upperLowered, lowered := strings.ToLower(strings.ToUpper(s)), strings.ToLower(s)
		if c := provider.JudgeRoom(strings.ToUpper(s)); utf8.ValidString(s) && upperLowered == lowered && c.Bits != a.Bits {
			t.Fatalf("case changes the verdict: %.2f vs %.2f", a.Bits, c.Bits)
		}
		if math.IsNaN(a.Bits) || a.Bits < 0 || a.Bits > float64(len(strings.ToLower(s)))*math.Log2(39)+1 {
			t.Fatalf("%.2f bits for %d bytes", a.Bits, len(s))
		}
	})
}
