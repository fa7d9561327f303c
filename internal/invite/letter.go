package invite

import (
	"fmt"
	"strings"
	"time"
)

// AccessLetter is the answer to a client's request for access (GDPR
// Art. 15) written for the client: what is stored about them in words and
// local times, why, on which basis, who received it, how long it is kept,
// their rights, where to complain and how to withdraw. It is client-facing
// text like the e-mail and shares its date spelling and line width.
type AccessLetter struct {
	Lang     string         // "de" or "en"
	Location *time.Location // dates are shown here
	Date     time.Time      // of the letter

	Organisation, Counsellor         string
	WithdrawalContact                string
	PolicyURL, PrivacyURL            string
	ComplaintAuthority, ComplaintURL string
	RetentionSessionDays, ProofYears int
	Name                             string    // empty once erased
	Since                            time.Time // the person record's creation; zero if there is none
	Sessions                         []LetterSession
	Events                           []LetterEvent
	Withdrawals                      []LetterWithdrawal
	Recipients                       []Recipient
}

// LetterSession is one stored session, as the letter tells it.
type LetterSession struct {
	Start      time.Time
	Duration   time.Duration
	Provider   string // the provider's name in the letter's language
	Place      string
	Access     string // the join link or Blizz meeting ID
	Cancelled  bool
	NameErased bool
	// Group: the session has other participants. The letter says only
	// that: nothing about who else was there.
	Group bool
}

// LetterEvent is one consent event: consent.NoticeSent, Given or
// Withdrawn, with the collection method of a Given event.
type LetterEvent struct {
	At            time.Time
	Event, Method string
	NoticeVersion string
	Session       time.Time // start of the session the event is about; zero if none
}

// LetterWithdrawal is a withdrawal proof that matches the name; it is
// kept until the end of the day KeepUntil falls on.
type LetterWithdrawal struct {
	At, KeepUntil time.Time
}

// Recipient is a provider that received data for a session: its name,
// who runs it and where the data is (the provider's first client line),
// and its privacy policy.
type Recipient struct {
	Name, About, PrivacyURL string
}

// Render writes the letter as plain text, wrapped like the e-mail.
func (l AccessLetter) Render() string {
	w := letterWords[l.Lang]
	if w == nil {
		w = letterWords["en"]
	}
	loc := l.Location
	if loc == nil {
		loc = time.UTC
	}
	date := func(t time.Time) string { return spell(l.Lang, t, 0, loc).Date }
	full := func(t time.Time) string { return spell(l.Lang, t, 0, loc).Full }
	var b []string
	add := func(format string, args ...any) { b = append(b, fmt.Sprintf(format, args...)) }
	blank := func() { b = append(b, "") }

	add("%s", l.Organisation)
	add("%s", date(l.Date))
	blank()
	add("%s", w.subject)
	blank()
	if l.Name != "" {
		add(w.greeting, l.Name)
	} else {
		add("%s", w.greetingNoName)
	}
	blank()
	add("%s", w.intro)
	blank()

	add("1. %s", w.h1)
	blank()
	switch {
	case l.Name != "":
		add(w.name, l.Name, date(l.Since))
	case !l.Since.IsZero():
		add("%s", w.nameErased)
	}
	if len(l.Sessions) == 0 {
		add("%s", w.noSessions)
	} else {
		add("%s", w.sessions)
		for _, s := range l.Sessions {
			line := fmt.Sprintf(w.session, full(s.Start), int(s.Duration/time.Minute), s.Provider, s.Place)
			if s.Group {
				line += " " + w.group
			}
			if s.Cancelled {
				line += " " + w.cancelled
			}
			add("- %s", line)
			if s.Access != "" {
				add("  %s %s", w.access, s.Access)
			}
		}
	}
	if len(l.Events) > 0 {
		blank()
		add("%s", w.events)
		for _, e := range l.Events {
			text := w.event(e)
			if !e.Session.IsZero() && e.Event == "notice_sent" {
				text = fmt.Sprintf(w.noticeFor, date(e.Session), e.NoticeVersion)
			}
			add("- %s: %s", full(e.At), text)
		}
	}
	if len(l.Withdrawals) > 0 {
		blank()
		add("%s", w.withdrawals)
		for _, x := range l.Withdrawals {
			add("- "+w.withdrawal, full(x.At), date(x.KeepUntil))
		}
	}
	if len(l.Sessions) == 0 && len(l.Events) == 0 && len(l.Withdrawals) == 0 && l.Name == "" {
		add("%s", w.nothing)
	}
	blank()

	add("2. %s", w.h2)
	blank()
	add("%s", w.purpose)
	blank()

	add("3. %s", w.h3)
	blank()
	if len(l.Recipients) == 0 {
		add("%s", w.noRecipients)
	} else {
		add("%s", w.recipients)
		for _, r := range l.Recipients {
			add("- %s: %s", r.Name, r.About)
			if r.PrivacyURL != "" {
				add("  %s", r.PrivacyURL)
			}
		}
		add("%s", w.noOthers)
	}
	blank()

	add("4. %s", w.h4)
	blank()
	add(w.retention, l.RetentionSessionDays, l.ProofYears)
	blank()

	add("5. %s", w.h5)
	blank()
	add("%s", w.rights)
	if l.ComplaintAuthority != "" {
		blank()
		add("%s", w.complaint)
		add("  %s", l.ComplaintAuthority)
		if l.ComplaintURL != "" {
			add("  %s", l.ComplaintURL)
		}
	}
	blank()

	add("6. %s", w.h6)
	blank()
	add("%s", w.withdraw)
	if l.WithdrawalContact != "" {
		add("  %s", l.WithdrawalContact)
	}
	add("%s", w.withdrawEffect)
	if l.PolicyURL != "" || l.PrivacyURL != "" {
		blank()
		add("%s", w.more)
		for _, u := range []string{l.PolicyURL, l.PrivacyURL} {
			if u != "" {
				add("  %s", u)
			}
		}
	}
	blank()
	add("%s", w.closing)
	if l.Counsellor != "" {
		add("%s", l.Counsellor)
	}
	add("%s", l.Organisation)

	var lines []string
	for _, para := range b {
		lines = append(lines, strings.Split(para, "\n")...)
	}
	return strings.Join(wrapLines(lines), "\n") + "\n"
}

type letterText struct {
	subject, greeting, greetingNoName, intro                           string
	h1, name, nameErased, noSessions, sessions, session                string
	cancelled, group, access, events, withdrawals, withdrawal, nothing string
	h2, purpose, h3, noRecipients, recipients                          string
	noOthers, h4, retention, h5, rights, complaint                     string
	h6, withdraw, withdrawEffect, more, closing                        string
	noticeSent, noticeFor, given, withdrawn                            string
	methods                                                            map[string]string
}

func (w *letterText) event(e LetterEvent) string {
	switch e.Event {
	case "notice_sent":
		return fmt.Sprintf(w.noticeSent, e.NoticeVersion)
	case "given":
		m := w.methods[e.Method]
		if m == "" {
			m = e.Method
		}
		return fmt.Sprintf(w.given, m)
	case "withdrawn":
		return w.withdrawn
	}
	return e.Event
}

var letterWords = map[string]*letterText{
	"de": {
		subject:        "Auskunft über Ihre Daten (Art. 15 DSGVO)",
		greeting:       "Guten Tag %s,",
		greetingNoName: "Guten Tag,",
		intro:          "Sie haben gefragt, welche Daten wir über Sie gespeichert haben. Hier ist die vollständige Auskunft. Alle Zeiten sind Ortszeit.",
		h1:             "Was wir über Sie gespeichert haben",
		name:           "Ihr Name oder Pseudonym: %s (gespeichert seit %s)",
		nameErased:     "Ihr Name ist nach Ihrem Widerruf gelöscht.",
		noSessions:     "Termine: keine.",
		sessions:       "Termine:",
		session:        "%s, %d Minuten, Videoberatung über %s, Ort: %s",
		cancelled:      "(abgesagt)",
		group:          "(ein Gruppentermin)",
		access:         "Zugang:",
		events:         "Ihre Einwilligung:",
		withdrawals:    "Nachweis Ihres Widerrufs:",
		withdrawal:     "Sie haben am %s widerrufen. Wir bewahren nur diesen Nachweis auf (ohne Ihren Namen im Klartext), bis zum %s.",
		nothing:        "Wir haben keine Daten über Sie gespeichert.",
		h2:             "Wozu und auf welcher Grundlage",
		purpose:        "Wir nutzen diese Daten nur, um Videoberatungen mit Ihnen zu planen und durchzuführen. Grundlage ist Ihre ausdrückliche Einwilligung (Art. 6 Abs. 1 lit. a und Art. 9 Abs. 2 lit. a DSGVO). Den Nachweis eines Widerrufs bewahren wir auf, um ihn belegen zu können (Art. 7 Abs. 1, Art. 17 Abs. 3 lit. e DSGVO).",
		h3:             "Wer Daten erhalten hat",
		noRecipients:   "Zu Ihnen ist kein Termin gespeichert, also auch kein Videoanbieter. Wir geben Ihre Daten nicht weiter.",
		recipients:     "Der Videoanbieter Ihrer Termine hat die Daten erhalten, die er für die Verbindung braucht:",
		noOthers:       "Sonst niemand. Wir geben Ihre Daten nicht weiter.",
		h4:             "Wie lange wir sie aufbewahren",
		retention:      "Jeden Termin löschen wir %d Tage nach dem Termin, Ihren Namen mit dem letzten Ihrer Termine, nach einem Widerruf alles sofort. Den Nachweis eines Widerrufs löschen wir %d Jahre nach Ende des Jahres, in dem Sie widerrufen haben.",
		h5:             "Ihre Rechte",
		rights:         "Sie können Auskunft verlangen (Art. 15 DSGVO), falsche Daten berichtigen lassen (Art. 16), die Löschung verlangen (Art. 17), die Verarbeitung einschränken lassen (Art. 18) und Ihre Daten in einem gängigen Format erhalten (Art. 20). Ihre Einwilligung können Sie jederzeit widerrufen (Art. 7 Abs. 3, siehe unten).",
		complaint:      "Sie können sich bei der Datenschutzaufsicht beschweren (Art. 77 DSGVO):",
		h6:             "So widerrufen Sie Ihre Einwilligung",
		withdraw:       "Sie können Ihre Einwilligung jederzeit ohne Angabe von Gründen widerrufen, formlos, zum Beispiel hier:",
		withdrawEffect: "Dann sagen wir Ihre künftigen Termine ab und löschen Ihren Namen. Was vor dem Widerruf geschah, bleibt rechtmäßig.",
		more:           "Mehr zum Datenschutz:",
		closing:        "Mit freundlichen Grüßen",
		noticeSent:     "Wir haben Ihnen die Datenschutzhinweise geschickt (Fassung %s).",
		noticeFor:      "Wir haben Ihnen mit der Einladung zum Termin am %s die Datenschutzhinweise geschickt (Fassung %s).",
		given:          "Sie haben eingewilligt (%s).",
		withdrawn:      "Sie haben Ihre Einwilligung widerrufen.",
		methods: map[string]string{"email": "per Antwort auf die E-Mail", "verbal": "mündlich",
			"form": "mit dem unterschriebenen Formular", "use": "durch Teilnahme"},
	},
	"en": {
		subject:        "Access to your data (Art. 15 GDPR)",
		greeting:       "Dear %s,",
		greetingNoName: "Hello,",
		intro:          "You asked which data we hold about you. This is the complete answer. All times are local time.",
		h1:             "What we hold about you",
		name:           "Your name or pseudonym: %s (stored since %s)",
		nameErased:     "Your name was erased after you withdrew your consent.",
		noSessions:     "Sessions: none.",
		sessions:       "Sessions:",
		session:        "%s, %d minutes, video consultation via %s, place: %s",
		cancelled:      "(cancelled)",
		group:          "(a group session)",
		access:         "Access:",
		events:         "Your consent:",
		withdrawals:    "Proof of your withdrawal:",
		withdrawal:     "You withdrew on %s. We keep only this proof (without your name in plain text) until %s.",
		nothing:        "We hold no data about you.",
		h2:             "Why, and on which basis",
		purpose:        "We use these data only to plan and hold video consultations with you. The basis is your explicit consent (Art. 6(1)(a) and Art. 9(2)(a) GDPR). We keep the proof of a withdrawal to be able to show it (Art. 7(1), Art. 17(3)(e) GDPR).",
		h3:             "Who received data",
		noRecipients:   "No session of yours is stored, so no video provider either. We do not pass your data on.",
		recipients:     "The video provider of your sessions received the data it needs for the call:",
		noOthers:       "No one else. We do not pass your data on.",
		h4:             "How long we keep them",
		retention:      "We delete each session %d days after it took place, your name with the last of your sessions, and everything at once when you withdraw. We delete the proof of a withdrawal %d years after the end of the year in which you withdrew.",
		h5:             "Your rights",
		rights:         "You may ask for access (Art. 15 GDPR), have wrong data corrected (Art. 16), have data erased (Art. 17), have processing restricted (Art. 18) and receive your data in a common format (Art. 20). You may withdraw your consent at any time (Art. 7(3), see below).",
		complaint:      "You may complain to the data protection authority (Art. 77 GDPR):",
		h6:             "How to withdraw your consent",
		withdraw:       "You may withdraw your consent at any time, without giving reasons, in any form, for example here:",
		withdrawEffect: "We then cancel your future sessions and erase your name. What happened before the withdrawal stays lawful.",
		more:           "More on data protection:",
		closing:        "Kind regards",
		noticeSent:     "We sent you the privacy notice (version %s).",
		noticeFor:      "We sent you the privacy notice with the invitation to the session on %s (version %s).",
		given:          "You gave your consent (%s).",
		withdrawn:      "You withdrew your consent.",
		methods: map[string]string{"email": "by replying to the e-mail", "verbal": "verbally",
			"form": "with the signed form", "use": "by taking part"},
	},
}
