package invite

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrAddress is returned for an e-mail address that does not parse. It never
// carries the address itself.
var ErrAddress = errors.New("invite: not a valid e-mail address")

// ParseAddress parses one address such as "Muster Person <person@example.org>"
// or "person@example.org" (for --to and the sender). It refuses control
// characters and line breaks anywhere, also when RFC 2047-encoded in the
// name. The error is ErrAddress, without the input.
func ParseAddress(s string) (*mail.Address, error) {
	if !utf8.ValidString(s) || hasControl(s) {
		return nil, ErrAddress
	}
	a, err := mail.ParseAddress(s)
	if err != nil || hasControl(a.Name) || hasControl(a.Address) || !utf8.ValidString(a.Name) {
		return nil, ErrAddress
	}
	return a, nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	})
}

// Header is what the draft's header needs besides the subject.
type Header struct {
	From      *mail.Address // required
	To        *mail.Address // optional: the counsellor may fill it in the mail program
	Date      time.Time
	MessageID string // "id@domain", with or without angle brackets
}

// messageID is a dot-atom "@" dot-atom (RFC 5322 3.6.4, without the obsolete forms), compiled
// on first use: most commands never write a draft.
var messageID = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+)*@[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+)*$`)
})

// EML writes m as a draft e-mail (RFC 5322, MIME): multipart/mixed with the
// body as text/plain (UTF-8, quoted-printable) and, when ics is not empty,
// the calendar as text/calendar; method=PUBLISH (attachment invite.ics).
// X-Unsent: 1 makes Outlook and Thunderbird open it as a draft. Lines end in
// CRLF. The output is a function of its inputs (the MIME boundary is derived
// from them), so the same session gives the same file.
func EML(w io.Writer, m Message, h Header, ics []byte) error {
	if h.From == nil {
		return errors.New("invite: eml needs a From address")
	}
	if h.Date.IsZero() {
		return errors.New("invite: eml needs a Date")
	}
	from, err := addressHeader("From", h.From)
	if err != nil {
		return err
	}
	var to string
	if h.To != nil {
		if to, err = addressHeader("To", h.To); err != nil {
			return err
		}
	}
	id := strings.TrimSuffix(strings.TrimPrefix(h.MessageID, "<"), ">")
	if !messageID().MatchString(id) {
		return errors.New("invite: MessageID is not of the form id@domain")
	}
	if m.Subject == "" || m.Subject != oneLine(m.Subject) {
		return errors.New("invite: Subject is empty or not a single clean line")
	}
	body := strings.ReplaceAll(normaliseNewlines(m.Body), "\n", "\r\n")

	// Deterministic boundary; the hex digest cannot occur in QP or base64
	// output unless the body quotes this very digest.
	sum := sha256.New()
	for _, s := range []string{id, m.Subject, body, string(ics)} {
		sum.Write([]byte(s))
		sum.Write([]byte{0})
	}
	boundary := "counsel-" + hex.EncodeToString(sum.Sum(nil))[:40]

	bw := bufio.NewWriter(w)
	hdr := func(name, value string) { bw.WriteString(foldHeader(name, value)) }
	hdr("From", from)
	if to != "" {
		hdr("To", to)
	}
	hdr("Subject", encodeSubject(m.Subject))
	hdr("Date", h.Date.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+id+">")
	hdr("MIME-Version", "1.0")
	hdr("X-Unsent", "1")
	hdr("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
	bw.WriteString("\r\n")

	mw := multipart.NewWriter(bw)
	if err := mw.SetBoundary(boundary); err != nil {
		return fmt.Errorf("invite: eml boundary: %w", err)
	}
	text, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=UTF-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return fmt.Errorf("invite: eml text part: %w", err)
	}
	qp := quotedprintable.NewWriter(text)
	if _, err := io.WriteString(qp, body); err != nil {
		return fmt.Errorf("invite: eml text part: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("invite: eml text part: %w", err)
	}
	if len(ics) > 0 {
		cal, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {"text/calendar; charset=UTF-8; method=" + calendarMethod(ics)},
			"Content-Transfer-Encoding": {"base64"},
			"Content-Disposition":       {`attachment; filename="invite.ics"`},
		})
		if err != nil {
			return fmt.Errorf("invite: eml calendar part: %w", err)
		}
		enc := base64.StdEncoding.EncodeToString(ics)
		var lines strings.Builder
		for len(enc) > 76 {
			lines.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		lines.WriteString(enc + "\r\n")
		if _, err := io.WriteString(cal, lines.String()); err != nil {
			return fmt.Errorf("invite: eml calendar part: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("invite: eml: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("invite: writing eml: %w", err)
	}
	return nil
}

// addressHeader formats a for a header and proves the result is one clean
// line that parses back to the same name and address: a hand-built
// mail.Address could otherwise smuggle a line break in through its domain.
func addressHeader(field string, a *mail.Address) (string, error) {
	if hasControl(a.Name) || hasControl(a.Address) || !utf8.ValidString(a.Name) {
		return "", fmt.Errorf("invite: %s address contains control characters", field)
	}
	s := a.String()
	if back, err := mail.ParseAddress(s); err != nil || back.Name != a.Name || longestWord(s) > 76 {
		// net/mail cannot always read its own output back (a non-ASCII name
		// with a backslash), and a long quoted name cannot be folded:
		// base64 encoded-words are always readable and foldable.
		s = (&mail.Address{Address: a.Address}).String()
		if a.Name != "" {
			s = strings.Join(encodeWords(a.Name), " ") + " " + s
		}
	}
	back, err := mail.ParseAddress(s)
	if hasControl(s) || err != nil || back.Address != a.Address || back.Name != a.Name || longestWord(s) > 900 {
		return "", fmt.Errorf("invite: %s is not a valid address", field)
	}
	return s, nil
}

// encodeSubject returns s as is when it is printable ASCII, else as RFC 2047
// encoded-words. Text that merely looks like an encoded-word ("=?"), and
// words too long to fold, are encoded too, so that decoding gives back
// exactly s.
func encodeSubject(s string) string {
	plain := !strings.Contains(s, "=?") && longestWord(s) <= 70
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] >= ' ' && s[i] <= '~'
	}
	if plain {
		return s
	}
	return strings.Join(encodeWords(s), " ")
}

// encodeWords encodes s as RFC 2047 base64 encoded-words of at most 68
// characters each, never splitting a UTF-8 sequence; a header line holding
// a field name and one word then stays within 78 characters.
func encodeWords(s string) []string {
	const maxChunk = 42 // bytes: 56 base64 characters, plus "=?UTF-8?B?" and "?="
	var words []string
	for len(s) > 0 {
		n := min(len(s), maxChunk)
		for n < len(s) && n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		words = append(words, "=?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return words
}

func longestWord(s string) int {
	n := 0
	for _, w := range strings.Split(s, " ") {
		n = max(n, len(w))
	}
	return n
}

// foldHeader writes "Name: value" CRLF, folding at spaces so lines stay
// within 78 characters where the value allows (RFC 5322 2.2.3). Folding only
// inserts CRLF before an existing space, so unfolding restores the value.
func foldHeader(name, value string) string {
	var b strings.Builder
	line := name + ":"
	for i, word := range strings.Split(value, " ") {
		// Never fold before an empty word: a line of only white space is not allowed.
		if i > 0 && word != "" && len(line)+1+len(word) > 78 {
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + word
	}
	b.WriteString(line + "\r\n")
	return b.String()
}

// calendarMethod is the METHOD of a calendar we wrote (PUBLISH or
// CANCEL), which its MIME type must repeat (RFC 6047 2.4).
func calendarMethod(ics []byte) string {
	for _, l := range strings.Split(string(ics), "\r\n") {
		if m, ok := strings.CutPrefix(l, "METHOD:"); ok && (m == "PUBLISH" || m == "CANCEL") {
			return m
		}
	}
	return "PUBLISH"
}

func normaliseNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
