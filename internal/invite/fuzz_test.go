package invite_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/mail"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
)

// clean turns arbitrary text into what the CLI would pass on: valid UTF-8
// without control characters or line separators.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "?")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, s)
}

func FuzzRender(f *testing.F) {
	f.Add("Client-A", "Videoberatung", "Beispiel-Beratung e. V.", false)
	f.Add("Muster Person", "Berlin", "", true)
	f.Add("Ä\r\nBcc: x@example.org", "=?utf-8?q?x?=", "Org\nX-Evil: 1", false)
	f.Add("\"quoted\" \\ <a@b>", "Ort, mit; Zeichen\\", strings.Repeat("Überlang ", 40), true)
	f.Add("\xff\xfe", "\u2028", "{{.ClientName}}", false)
	f.Add("😀 Emoji-Name", " ", "=?UTF-8?B?SGFsbG8=?=", true)

	tm := mustLoad(f)
	from, err := invite.ParseAddress("Muster Person <beratung@example.org>")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, client, place, org string, blizz bool) {
		kind := provider.KindJitsi
		if blizz {
			kind = provider.KindBlizz
		}
		d := sample(t, "de", kind)
		d.ClientName, d.Place, d.Organisation = client, place, org
		if m, err := tm.Render(d); err == nil {
			checkMessage(t, m)
		}

		// The same input as the CLI would pass it must always render.
		d.ClientName, d.Place, d.Organisation = clean(client), clean(place), clean(org)
		if strings.TrimSpace(d.ClientName) == "" {
			d.ClientName = "Client-A"
		}
		if strings.TrimSpace(d.Organisation) == "" {
			d.Organisation = "exPEERienced" // the configuration refuses an empty one
		}
		for _, lang := range invite.Langs() {
			d.Lang = lang
			m, err := tm.Render(d)
			if err != nil {
				t.Fatalf("clean input refused: %v", err)
			}
			checkMessage(t, m)

			// The subject never depends on the client's name.
			other := d
			other.ClientName = "Client-B"
			if mo := mustRender(t, tm, other); mo.Subject != m.Subject {
				t.Fatalf("subject depends on the client name: %q vs %q", m.Subject, mo.Subject)
			}

			h := sampleHeader(t)
			h.From = from
			h.To = &mail.Address{Name: d.ClientName, Address: "client-a@example.net"}
			var buf bytes.Buffer
			if err := invite.EML(&buf, m, h, nil); err != nil {
				t.Fatalf("eml: %v", err)
			}
			checkCRLF(t, buf.Bytes())
			p := readEML(t, buf.Bytes())
			if p.subject != m.Subject {
				t.Fatalf("subject %q decodes to %q", m.Subject, p.subject)
			}
			to, err := p.msg.Header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Address != "client-a@example.net" || to[0].Name != d.ClientName {
				t.Fatalf("To does not parse back: %v %v", to, err)
			}
			if want := strings.ReplaceAll(m.Body, "\n", "\r\n"); p.textBody != want {
				t.Fatal("text part does not decode to the body")
			}
		}
	})
}

func checkMessage(t *testing.T, m invite.Message) {
	t.Helper()
	if m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") {
		t.Fatalf("subject %q", m.Subject)
	}
	if !utf8.ValidString(m.Subject) || !utf8.ValidString(m.Body) {
		t.Fatal("invalid UTF-8 in the message")
	}
	if !strings.Contains(m.Body, m.ConsentText) {
		t.Fatal("body lacks the consent text")
	}
	sum := sha256.Sum256([]byte(m.ConsentText))
	if m.ConsentSHA256 != hex.EncodeToString(sum[:]) {
		t.Fatal("hash mismatch")
	}
	if strings.Contains(m.Body, "\r") {
		t.Fatal("CR in body")
	}
	// Whatever the client's name, place or organisation: no line is longer
	// than the e-mail's width unless it is one unbreakable word.
	for _, l := range strings.Split(m.Body, "\n") {
		if utf8.RuneCountInString(l) > invite.LineWidth && len(strings.Fields(l)) > 1 {
			t.Fatalf("overlong line of words: %q", l)
		}
	}
}

func FuzzICS(f *testing.F) {
	f.Add("01JDX3Q7Z8@counsel.invalid", "m12-345-678", "k3m9x2p7q4w8z5r1t6y0", false)
	f.Add("a,b;c\\d@x", "m,;\\N", "ä,ö;ü\\n", true)
	f.Add(strings.Repeat("ü", 80), strings.Repeat("€", 40), strings.Repeat("😀", 30), false)
	f.Add("x:y", "\\n\\N\\;", "a\r\nb", true)
	f.Add("", "", "", false)

	f.Fuzz(func(t *testing.T, uid, meetingID, room string, en bool) {
		d := sample(t, "de", provider.KindBlizz)
		if en {
			d.Lang = "en"
		}
		d.MeetingID = meetingID
		d.JoinURL = "https://go.blizz.com/join/" + room
		b, err := invite.ICS(d, uid, fixedNow)
		if err != nil {
			return // refused input; the refusal rules have their own tests
		}
		checkLines(t, b)
		if strings.Contains(string(b), "Client-A") {
			t.Fatal("client name in the calendar")
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("golang-ical: %v", err)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		ev := evs[0]
		// Not ev.Id(): golang-ical v0.3.4 unescapes the UID a second time there.
		if got := prop(ev, ics.ComponentPropertyUniqueId); got != uid {
			t.Fatalf("UID %q reads back as %q", uid, got)
		}
		if got := prop(ev, ics.ComponentPropertyLocation); got != "Blizz "+meetingID {
			t.Fatalf("LOCATION reads back as %q", got)
		}
		if desc := prop(ev, ics.ComponentPropertyDescription); !strings.Contains(desc, meetingID) || !strings.Contains(desc, d.JoinURL) {
			t.Fatalf("DESCRIPTION reads back as %q", desc)
		}
		if got := prop(ev, ics.ComponentPropertyUrl); got != d.JoinURL {
			t.Fatalf("URL reads back as %q", got)
		}
	})
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{
		"client-a@example.net", "Muster Person <person@example.org>", "=?utf-8?q?J=C3=B6rg?= <j@example.org>",
		"a@b\r\nBcc: c@d", "=?utf-8?q?a=0D=0Ab?= <a@b.example>", "\"q\\\"uote\" <q@example.org>", "<@>", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := invite.ParseAddress(s)
		if err != nil {
			if !errors.Is(err, invite.ErrAddress) || err.Error() != invite.ErrAddress.Error() {
				t.Fatalf("error %q is not the bare ErrAddress", err)
			}
			return
		}
		out := a.String()
		if strings.ContainsFunc(a.Name+a.Address+out, unicode.IsControl) {
			t.Fatalf("control character in %q", out)
		}
		back, err := mail.ParseAddress(out)
		if err != nil || back.Address != a.Address {
			t.Fatalf("%q does not parse back: %v", out, err)
		}
	})
}
