package invite_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/invite"
	"github.com/expeerienced/counsel/internal/provider"
)

// The cancellation and the moved invitation, as the client's mail program
// and calendar read them: net/mail and mime/multipart for the draft,
// golang-ical for the event. Same UID as the invitation, higher SEQUENCE;
// the cancellation is METHOD:CANCEL and STATUS:CANCELLED in the calendar and
// in the MIME type.
func TestChangesAsCalendarsReadThem(t *testing.T) {
	tm := mustLoad(t)
	uid := "01JDX3Q7Z8@counsel.invalid"
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := sample(t, c.lang, c.kind)
			inv, err := invite.Calendar(d, invite.Event{UID: uid}, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			_, invEv := parseICS(t, inv)

			moved := d
			moved.Moved, moved.PreviousStart, moved.Start = true, d.Start, d.Start.Add(26*time.Hour)
			mm := mustRender(t, tm, moved)
			mics, err := invite.Calendar(moved, invite.Event{UID: uid, Sequence: 1}, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			cm, err := tm.RenderCancel(d)
			if err != nil {
				t.Fatal(err)
			}
			cics, err := invite.Calendar(d, invite.Event{UID: uid, Sequence: 2, Cancel: true}, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range []struct {
				name           string
				msg            invite.Message
				ics            []byte
				method, status string
				seq            int
				start          time.Time
			}{
				{"move", mm, mics, "PUBLISH", "CONFIRMED", 1, moved.Start},
				{"cancel", cm, cics, "CANCEL", "CANCELLED", 2, d.Start},
			} {
				checkLines(t, ch.ics)
				cal, ev := parseICS(t, ch.ics)
				var method string
				for _, p := range cal.CalendarProperties {
					if p.IANAToken == "METHOD" {
						method = p.Value
					}
				}
				if method != ch.method || ev.Id() != invEv.Id() {
					t.Errorf("%s: METHOD %q UID %q, want %q and the invitation's %q", ch.name, method, ev.Id(), ch.method, invEv.Id())
				}
				if got := prop(ev, "SEQUENCE"); got != strconv.Itoa(ch.seq) {
					t.Errorf("%s: SEQUENCE %q, want %d", ch.name, got, ch.seq)
				}
				if got := prop(ev, "STATUS"); got != ch.status {
					t.Errorf("%s: STATUS %q", ch.name, got)
				}
				if start, err := ev.GetStartAt(); err != nil || !start.Equal(ch.start) {
					t.Errorf("%s: DTSTART %v, %v; want %v", ch.name, start, err, ch.start)
				}
				if ch.method == "CANCEL" && prop(ev, "ORGANIZER") != "mailto:beratung@example.org" {
					t.Errorf("cancel: ORGANIZER %q", prop(ev, "ORGANIZER"))
				}
				unfolded := strings.ReplaceAll(string(ch.ics), "\r\n ", "")
				if strings.Contains(unfolded, "Client-A") {
					t.Errorf("%s: calendar names the client", ch.name)
				}

				var eml bytes.Buffer
				if err := invite.EML(&eml, ch.msg, sampleHeader(t), ch.ics); err != nil {
					t.Fatal(err)
				}
				checkCRLF(t, eml.Bytes())
				p := readEML(t, eml.Bytes())
				if p.subject != ch.msg.Subject || p.calCT["method"] != ch.method || !bytes.Equal(p.calendar, ch.ics) {
					t.Errorf("%s: subject %q, calendar method %q, calendar intact %v", ch.name, p.subject, p.calCT["method"], bytes.Equal(p.calendar, ch.ics))
				}
				if strings.ReplaceAll(p.textBody, "\r\n", "\n") != ch.msg.Body {
					t.Errorf("%s: body does not survive the draft", ch.name)
				}
				if strings.Contains(p.subject, "Client-A") {
					t.Errorf("%s: subject names the client", ch.name)
				}
			}
			// The cancellation is in the invitation's language and names
			// the date; the move names the old and the new date.
			wantCancel := map[string]string{"de": "fällt\nleider aus", "en": "is cancelled"}[c.lang]
			if !strings.Contains(cm.Body, wantCancel) || !strings.Contains(cm.Body, "3") {
				t.Errorf("cancellation body:\n%s", cm.Body)
			}
			if c.kind == provider.KindBlizz && !strings.Contains(cm.Body, map[string]string{"de": "Meeting-ID", "en": "meeting ID"}[c.lang]) {
				t.Errorf("Blizz cancellation does not mention the meeting ID")
			}
			if !strings.Contains(mm.Body, map[string]string{"de": "Freitag, 4. Dezember 2026, 12:00", "en": "Friday, 4 December 2026, 12:00"}[c.lang]) ||
				!strings.Contains(mm.Body, map[string]string{"de": "Donnerstag, 3. Dezember 2026, 10:00 Uhr", "en": "Thursday, 3 December 2026, 10:00"}[c.lang]) {
				t.Errorf("moved invitation lacks the new or the old date:\n%s", mm.Body)
			}
		})
	}
}

func TestCalendarRefuses(t *testing.T) {
	d := sample(t, "de", provider.KindJitsi)
	if _, err := invite.Calendar(d, invite.Event{UID: "x@y", Cancel: true}, fixedNow); err == nil {
		t.Error("a cancellation with SEQUENCE 0 was written")
	}
	if _, err := invite.Calendar(d, invite.Event{UID: "x@y", Sequence: -1}, fixedNow); err == nil {
		t.Error("a negative SEQUENCE was written")
	}
}
