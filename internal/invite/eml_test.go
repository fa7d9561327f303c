package invite_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
)

func sampleHeader(t testing.TB) invite.Header {
	t.Helper()
	from, err := invite.ParseAddress("Muster Person <beratung@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	to, err := invite.ParseAddress("Client-Ä Beispiel <client-a@example.net>")
	if err != nil {
		t.Fatal(err)
	}
	return invite.Header{
		From:      from,
		To:        to,
		Date:      time.Date(2026, 11, 28, 9, 0, 0, 0, time.FixedZone("CET", 3600)),
		MessageID: "01JDX3Q7Z8.1764316800@counsel.invalid",
	}
}

// parsedEML is an .eml read back with the standard library only.
type parsedEML struct {
	msg      *mail.Message
	subject  string
	textBody string // decoded from quoted-printable, CRLF line endings
	textCT   map[string]string
	calCT    map[string]string
	calDisp  map[string]string
	calendar []byte
	parts    int
}

func readEML(t testing.TB, raw []byte) parsedEML {
	t.Helper()
	var p parsedEML
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v", err)
	}
	p.msg = msg
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("subject does not decode: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart() // raw: we decode the transfer encoding ourselves
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		p.parts++
		ct, ctParams, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("part Content-Type: %v", err)
		}
		raw, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		switch ct {
		case "text/plain":
			if cte := part.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
				t.Errorf("text part encoding %q", cte)
			}
			body, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
			if err != nil {
				t.Fatalf("text part is not quoted-printable: %v", err)
			}
			p.textBody, p.textCT = string(body), ctParams
		case "text/calendar":
			if cte := part.Header.Get("Content-Transfer-Encoding"); cte != "base64" {
				t.Errorf("calendar part encoding %q", cte)
			}
			cal, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(raw)))
			if err != nil {
				t.Fatalf("calendar part is not base64: %v", err)
			}
			p.calendar, p.calCT = cal, ctParams
			if _, p.calDisp, err = mime.ParseMediaType(part.Header.Get("Content-Disposition")); err != nil {
				t.Fatalf("calendar disposition: %v", err)
			}
		default:
			t.Errorf("unexpected part %q", ct)
		}
	}
	return p
}

// checkCRLF asserts that every line ends in CRLF and none exceeds RFC 5322's 998.
func checkCRLF(t testing.TB, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Error("message does not end in CRLF")
	}
	for i, l := range strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF", i+1)
		}
		if len(l) > 998 {
			t.Errorf("line %d has %d characters", i+1, len(l))
		}
	}
}

func TestEML(t *testing.T) {
	tm := mustLoad(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := sample(t, c.lang, c.kind)
			m := mustRender(t, tm, d)
			cal, err := invite.ICS(d, "01JDX3Q7Z8@counsel.invalid", fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			h := sampleHeader(t)
			var buf bytes.Buffer
			if err := invite.EML(&buf, m, h, cal); err != nil {
				t.Fatal(err)
			}
			raw := buf.Bytes()
			checkCRLF(t, raw)
			p := readEML(t, raw)

			if p.subject != m.Subject {
				t.Errorf("subject decodes to %q, want %q", p.subject, m.Subject)
			}
			if strings.Contains(m.Subject, "Client") {
				t.Error("subject carries the client name")
			}
			from, err := p.msg.Header.AddressList("From")
			if err != nil || len(from) != 1 || from[0].Address != "beratung@example.org" || from[0].Name != "Muster Person" {
				t.Errorf("From = %v, %v", from, err)
			}
			to, err := p.msg.Header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Address != "client-a@example.net" || to[0].Name != "Client-Ä Beispiel" {
				t.Errorf("To = %v, %v", to, err)
			}
			date, err := p.msg.Header.Date()
			if err != nil || !date.Equal(h.Date) {
				t.Errorf("Date = %v, %v", date, err)
			}
			for name, want := range map[string]string{
				"Message-Id":   "<01JDX3Q7Z8.1764316800@counsel.invalid>",
				"Mime-Version": "1.0",
				"X-Unsent":     "1",
			} {
				if got := p.msg.Header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if p.parts != 2 {
				t.Errorf("%d parts, want 2", p.parts)
			}
			if p.textCT["charset"] != "UTF-8" {
				t.Errorf("text charset %q", p.textCT["charset"])
			}
			if want := strings.ReplaceAll(m.Body, "\n", "\r\n"); p.textBody != want {
				t.Errorf("text part decodes to\n%q\nwant\n%q", p.textBody, want)
			}
			if p.calCT["method"] != "PUBLISH" || p.calCT["charset"] != "UTF-8" {
				t.Errorf("calendar params %v", p.calCT)
			}
			if p.calDisp["filename"] != "invite.ics" {
				t.Errorf("calendar disposition %v", p.calDisp)
			}
			if !bytes.Equal(p.calendar, cal) {
				t.Error("calendar part differs from the .ics")
			}
		})
	}
}

func TestEMLWithoutToOrCalendar(t *testing.T) {
	tm := mustLoad(t)
	m := mustRender(t, tm, sample(t, "de", provider.KindJitsi))
	h := sampleHeader(t)
	h.To = nil
	h.MessageID = "<x@counsel.invalid>"
	var buf bytes.Buffer
	if err := invite.EML(&buf, m, h, nil); err != nil {
		t.Fatal(err)
	}
	p := readEML(t, buf.Bytes())
	if _, ok := p.msg.Header["To"]; ok {
		t.Error("To header without an address")
	}
	if p.parts != 1 || p.calendar != nil {
		t.Errorf("%d parts, calendar %v; want the text only", p.parts, p.calendar != nil)
	}
	if got := p.msg.Header.Get("Message-Id"); got != "<x@counsel.invalid>" {
		t.Errorf("Message-ID %q", got)
	}
}

func TestEMLSubjectEncoding(t *testing.T) {
	tests := []struct {
		name    string
		subject string
		encoded bool
	}{
		{"ASCII", "Invitation to a video consultation on Thursday, 3 December 2026, 10:00", false},
		{"Umlaut", "Einladung zur Videoberatung am Donnerstag, 3. März 2026, 10:00 Uhr", true},
		{"LooksEncoded", "=?UTF-8?B?SGFsbG8=?=", true},
		{"LongWord", strings.Repeat("x", 200), true},
		{"Emoji", strings.Repeat("😀 ", 40) + "end", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := invite.Message{Subject: tt.subject, Body: "Body\n"}
			var buf bytes.Buffer
			if err := invite.EML(&buf, m, sampleHeader(t), nil); err != nil {
				t.Fatal(err)
			}
			checkCRLF(t, buf.Bytes())
			p := readEML(t, buf.Bytes())
			if p.subject != tt.subject {
				t.Errorf("subject decodes to %q", p.subject)
			}
			raw := p.msg.Header.Get("Subject")
			if encoded := strings.Contains(raw, "=?UTF-8?B?"); encoded != tt.encoded {
				t.Errorf("raw subject %q: encoded = %v, want %v", raw, encoded, tt.encoded)
			}
			for _, l := range strings.Split(buf.String(), "\r\n") {
				if l == "" {
					break // end of the header
				}
				if len(l) > 78 && strings.HasPrefix(l, "Subject") {
					t.Errorf("subject line of %d characters", len(l))
				}
			}
		})
	}
}

func TestEMLRefuses(t *testing.T) {
	good := invite.Message{Subject: "Invitation", Body: "Body\n"}
	tests := []struct {
		name   string
		m      invite.Message
		change func(*invite.Header)
		want   string
	}{
		{"NoFrom", good, func(h *invite.Header) { h.From = nil }, "From"},
		{"NoDate", good, func(h *invite.Header) { h.Date = time.Time{} }, "Date"},
		{"BadMessageID", good, func(h *invite.Header) { h.MessageID = "no-at-sign" }, "MessageID"},
		{"MessageIDWithCRLF", good, func(h *invite.Header) { h.MessageID = "a@b\r\nBcc: c@d" }, "MessageID"},
		{"SubjectWithCRLF", invite.Message{Subject: "Hi\r\nBcc: c@example.org", Body: "b"}, func(*invite.Header) {}, "Subject"},
		{"EmptySubject", invite.Message{Body: "b"}, func(*invite.Header) {}, "Subject"},
		{"DomainWithCRLF", good, func(h *invite.Header) {
			h.To = &mail.Address{Address: "a@example.org\r\nBcc: c@example.org"}
		}, "To"},
		{"NameWithLF", good, func(h *invite.Header) {
			h.From = &mail.Address{Name: "Muster\nBcc: c@example.org", Address: "a@example.org"}
		}, "From"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := sampleHeader(t)
			tt.change(&h)
			var buf bytes.Buffer
			err := invite.EML(&buf, tt.m, h, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
			if strings.Contains(fmtErr(err), "c@example.org") {
				t.Errorf("error %q echoes the address", err)
			}
		})
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		name, in, wantAddr, wantName string
		ok                           bool
	}{
		{"Bare", "client-a@example.net", "client-a@example.net", "", true},
		{"WithName", "Muster Person <person@example.org>", "person@example.org", "Muster Person", true},
		{"Umlaut", "Jörg Beispiel <j@example.org>", "j@example.org", "Jörg Beispiel", true},
		{"Encoded", "=?utf-8?q?J=C3=B6rg?= <j@example.org>", "j@example.org", "Jörg", true},
		{"Empty", "", "", "", false},
		{"NoAt", "secret-person", "", "", false},
		{"Two", "a@example.org, b@example.org", "", "", false},
		{"CRLF", "secret@example.org\r\nBcc: x@example.org", "", "", false},
		{"EncodedCRLF", "=?utf-8?q?secret=0D=0ABcc=3A_x?= <secret@example.org>", "", "", false},
		{"BadUTF8", "secret\xff <secret@example.org>", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := invite.ParseAddress(tt.in)
			if !tt.ok {
				if !errors.Is(err, invite.ErrAddress) {
					t.Fatalf("err = %v, want ErrAddress", err)
				}
				if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "@") {
					t.Errorf("error %q echoes the input", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Address != tt.wantAddr || a.Name != tt.wantName {
				t.Errorf("got %q <%s>", a.Name, a.Address)
			}
		})
	}
}

// Names net/mail cannot write and read back by itself, or that are too long
// to fold, still reach the header intact.
func TestEMLAddressNames(t *testing.T) {
	tests := []struct{ name, display string }{
		{"Plain", "Muster Person"},
		{"Quoted", `Person "Muster", Dr.`},
		{"Backslash", `Muster\Person`},
		{"EmojiBackslash", `😀\`}, // found by FuzzRender
		{"LooksEncoded", "=?utf-8?q?x?="},
		{"LongWord", strings.Repeat("x", 300)},
		{"LongUmlauts", strings.Repeat("Ää", 100)},
		{"Spaces", "  Muster  Person "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := sampleHeader(t)
			h.To = &mail.Address{Name: tt.display, Address: "client-a@example.net"}
			var buf bytes.Buffer
			if err := invite.EML(&buf, invite.Message{Subject: "S", Body: "B\n"}, h, nil); err != nil {
				t.Fatal(err)
			}
			checkCRLF(t, buf.Bytes())
			to, err := readEML(t, buf.Bytes()).msg.Header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Name != tt.display || to[0].Address != "client-a@example.net" {
				t.Fatalf("To reads back as %v, %v", to, err)
			}
			for _, l := range strings.Split(buf.String(), "\r\n") {
				if strings.HasPrefix(l, "To:") && len(l) > 998 {
					t.Errorf("To line of %d characters", len(l))
				}
			}
		})
	}
}
