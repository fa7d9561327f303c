package invite

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/expeerienced/counsel/internal/provider"
)

// ProdID identifies counsel as the producer of calendar files (RFC 5545 3.7.3).
const ProdID = "-//exPEERienced//counsel//EN"

// ICS returns a calendar (RFC 5545) with one event for the session:
// METHOD:PUBLISH, times in UTC, lines folded at 75 octets and CRLF-ended.
// It never contains the client's name. uid must be unique and stable per
// session (for example SessionID + "@counsel"); now is the DTSTAMP.
func ICS(d Data, uid string, now time.Time) ([]byte, error) {
	return Calendar(d, Event{UID: uid}, now)
}

// Event says which version of a session's calendar event to write.
type Event struct {
	UID string
	// Sequence counts the changes the client was sent (RFC 5545 3.8.7.4):
	// 0 for the invitation, higher for each move or the cancellation, so a
	// calendar replaces the event it has under the same UID.
	Sequence int
	// Cancel writes METHOD:CANCEL and STATUS:CANCELLED, which makes a
	// calendar remove the event (RFC 5546 3.2.5).
	Cancel bool
}

// Calendar returns the calendar for one version of the session's event.
// A cancellation names the counsellor as ORGANIZER when d has an address
// (RFC 5546 requires one for CANCEL); nothing in it names the client.
func Calendar(d Data, ev Event, now time.Time) ([]byte, error) {
	uid := ev.UID
	if ev.Sequence < 0 {
		return nil, errors.New("invite: Sequence is negative")
	}
	if ev.Cancel && ev.Sequence == 0 {
		return nil, errors.New("invite: a cancellation needs a Sequence above the invitation's")
	}
	lang, err := checkLang(d.Lang)
	if err != nil {
		return nil, err
	}
	if err := checkEvent(d); err != nil {
		return nil, err
	}
	if err := checkLine("uid", uid, true); err != nil {
		return nil, err
	}
	if uid == "" {
		return nil, errors.New("invite: uid is empty")
	}
	if now.IsZero() {
		return nil, errors.New("invite: now is not set")
	}

	kind := "Jitsi"
	location := d.JoinURL
	if d.Provider.Kind == provider.KindBlizz {
		kind = "Blizz"
		location = "Blizz " + d.MeetingID
	}
	summary := "Videoberatung (" + kind + ")"
	if lang == "en" {
		summary = "Video counselling (" + kind + ")"
	}

	var b bytes.Buffer
	line := func(name, value string) { fold(&b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", escapeText(ProdID))
	line("CALSCALE", "GREGORIAN")
	method, status := "PUBLISH", "CONFIRMED"
	if ev.Cancel {
		method, status = "CANCEL", "CANCELLED"
	}
	line("METHOD", method)
	line("BEGIN", "VEVENT")
	line("UID", escapeText(uid))
	if ev.Sequence > 0 {
		line("SEQUENCE", strconv.Itoa(ev.Sequence))
	}
	line("DTSTAMP", icsTime(now))
	if ev.Cancel && d.CounsellorEmail != "" {
		if err := checkLine("CounsellorEmail", d.CounsellorEmail, true); err != nil {
			return nil, err
		}
		line("ORGANIZER", "mailto:"+d.CounsellorEmail)
	}
	line("DTSTART", icsTime(d.Start))
	line("DTEND", icsTime(d.Start.Add(d.Duration)))
	line("SUMMARY", escapeText(summary))
	line("LOCATION", escapeText(location))
	line("DESCRIPTION", escapeText(joinHint(lang, d)))
	if d.JoinURL != "" {
		line("URL", d.JoinURL) // a URI, not TEXT: never escaped; checkEvent refused white space and controls
	}
	line("STATUS", status)
	line("TRANSP", "OPAQUE")
	line("END", "VEVENT")
	line("END", "VCALENDAR")
	return b.Bytes(), nil
}

// joinHint is the event's DESCRIPTION: how to join, in brief. The e-mail has
// the full text; a calendar entry only needs enough to get in.
func joinHint(lang string, d Data) string {
	var s strings.Builder
	switch {
	case d.Provider.Kind == provider.KindBlizz && lang == "de":
		s.WriteString("Teilnahme mit der Blizz-App oder im Browser.\n")
		s.WriteString("Meeting-ID: " + d.MeetingID + "\n")
		if d.JoinURL != "" {
			s.WriteString("Link: " + d.JoinURL + "\n")
		}
		s.WriteString("Das Passwort für das geplante Meeting erhalten Sie gesondert.")
	case d.Provider.Kind == provider.KindBlizz:
		s.WriteString("Join with the Blizz app or in your browser.\n")
		s.WriteString("Meeting ID: " + d.MeetingID + "\n")
		if d.JoinURL != "" {
			s.WriteString("Link: " + d.JoinURL + "\n")
		}
		s.WriteString("You will receive the password for the scheduled meeting separately.")
	case lang == "de":
		s.WriteString("Teilnahme im Browser, ohne Installation:\n" + d.JoinURL)
	default:
		s.WriteString("Join in your browser, nothing to install:\n" + d.JoinURL)
	}
	return s.String()
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value (RFC 5545 3.3.11). Line breaks become \n;
// other control characters are not allowed in TEXT and are dropped.
func escapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold writes one content line, folded so that no line exceeds 75 octets
// (RFC 5545 3.1) and never inside a UTF-8 sequence, ended with CRLF.
func fold(b *bytes.Buffer, s string) {
	const limit = 75
	room := limit
	for len(s) > room {
		cut := room
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		room = limit - 1 // the continuation line starts with a space
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
