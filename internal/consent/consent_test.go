package consent_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/consent"
	"github.com/expeerienced/counsel/internal/session"
)

func TestParseMethod(t *testing.T) {
	tests := []struct {
		in, want string
		explicit bool
	}{
		{"email", consent.MethodEmail, true},
		{" Verbal ", consent.MethodVerbal, true},
		{"FORM", consent.MethodForm, true},
		{"use", consent.MethodUse, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := consent.ParseMethod(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("ParseMethod(%q) = %q, %v", tc.in, got, err)
			}
			if consent.Explicit(got) != tc.explicit {
				t.Errorf("Explicit(%q) = %v", got, !tc.explicit)
			}
		})
	}
	for _, bad := range []string{"", "mail", "e-mail", "used"} {
		t.Run("Refuses"+bad, func(t *testing.T) {
			if _, err := consent.ParseMethod(bad); err == nil {
				t.Errorf("ParseMethod(%q): no error", bad)
			}
		})
	}
	if got := consent.Methods(); !slices.Equal(got, []string{"email", "verbal", "form", "use"}) {
		t.Errorf("Methods() = %v", got)
	}
}

func TestSubjectHMAC(t *testing.T) {
	key := bytes.Repeat([]byte{1}, consent.KeySize)
	other := bytes.Repeat([]byte{2}, consent.KeySize)
	mac, err := consent.SubjectHMAC(key, "Client-A")
	if err != nil {
		t.Fatal(err)
	}
	// Independent recomputation of the documented construction.
	m := hmac.New(sha256.New, key)
	m.Write([]byte("counsel-subject-v1\x00Client-A"))
	if want := hex.EncodeToString(m.Sum(nil)); mac != want {
		t.Errorf("mac %s, want %s", mac, want)
	}
	same, _ := consent.SubjectHMAC(key, "Client-A")
	otherName, _ := consent.SubjectHMAC(key, "Client-B")
	otherKey, _ := consent.SubjectHMAC(other, "Client-A")
	if same != mac || otherName == mac || otherKey == mac {
		t.Error("the hash must depend on exactly the key and the name")
	}
	// Callers normalise first: spellings the tool treats as one person match.
	n1, _ := session.NormaliseName("  Client   M. ")
	n2, _ := session.NormaliseName("Client M.")
	h1, _ := consent.SubjectHMAC(key, n1)
	h2, _ := consent.SubjectHMAC(key, n2)
	if h1 != h2 {
		t.Error("normalised spellings give different hashes")
	}
	for _, k := range [][]byte{nil, make([]byte, 16), make([]byte, 33)} {
		if _, err := consent.SubjectHMAC(k, "x"); !errors.Is(err, consent.ErrKeySize) {
			t.Errorf("key of %d bytes: err = %v", len(k), err)
		}
	}
}

func TestRetainUntil(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		withdrawn time.Time
		years     int
		loc       *time.Location
		want      time.Time
	}{
		{"MidYear", time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC), 3, time.UTC, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"FirstSecondOfYear", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 3, time.UTC, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"NewYearsEveInBerlin", time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC), 3, berlin, time.Date(2029, 12, 31, 23, 0, 0, 0, time.UTC)},
		// 23:30 UTC on 31 December is already the next year in Berlin.
		{"NewYearInBerlin", time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), 3, berlin, time.Date(2030, 12, 31, 23, 0, 0, 0, time.UTC)},
		{"OneYear", time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), 1, time.UTC, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"NilLocationIsUTC", time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), 3, nil, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := consent.RetainUntil(tc.withdrawn, tc.years, tc.loc)
			if !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("RetainUntil = %v, want %v (UTC)", got, tc.want)
			}
		})
	}
}

func TestSessionCutoff(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	if got, want := consent.SessionCutoff(now, 90), time.Date(2026, 8, 30, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("cutoff %v, want %v", got, want)
	}
}

func TestNoticeHashes(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"Empty", nil, ""},
		{"BlanksDropped", []string{"", " "}, ""},
		{"SortedDistinct", []string{"bb", "aa", "bb", " aa "}, "aa,bb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := consent.JoinNoticeHashes(tc.in)
			if got != tc.want {
				t.Fatalf("Join = %q, want %q", got, tc.want)
			}
			if back := strings.Join(consent.SplitNoticeHashes(got), ","); back != got {
				t.Errorf("Split does not reverse Join: %q", back)
			}
		})
	}
}

func TestPlanRevoke(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	s := func(id, kind, meeting string, start time.Duration, st session.Status) session.Session {
		return session.Session{ID: id, Kind: kind, MeetingID: meeting, Start: now.Add(start), Duration: time.Hour, Status: st}
	}
	sessions := []session.Session{
		s("past", "jitsi", "", -48*time.Hour, session.Scheduled),
		s("running", "blizz", "m11111111", -10*time.Minute, session.Scheduled),
		s("now", "blizz", "m22222222", 0, session.Scheduled),
		s("future-cancelled", "blizz", "m33333333", 24*time.Hour, session.Cancelled),
		s("future-jitsi", "jitsi", "", 48*time.Hour, session.Scheduled),
	}
	p := consent.PlanRevoke(sessions, now)
	ids := func(ss []session.Session) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	// Whatever has not started goes, also a session cancelled before; what
	// has started stays.
	if got := ids(p.Delete); !slices.Equal(got, []string{"now", "future-cancelled", "future-jitsi"}) {
		t.Errorf("delete %v", got)
	}
	if got := ids(p.Keep); !slices.Equal(got, []string{"past", "running"}) {
		t.Errorf("keep %v", got)
	}
	var kinds []consent.StepKind
	for _, st := range p.ExternalSteps() {
		kinds = append(kinds, st.Kind)
		// The Blizz meeting of the session cancelled before was called off then.
		if st.Kind == consent.StepCancelBlizz && (st.MeetingID != "m22222222" || st.SessionID != "now") {
			t.Errorf("blizz step %+v", st)
		}
	}
	want := []consent.StepKind{consent.StepCancelBlizz, consent.StepTellCancelled, consent.StepDeleteMail, consent.StepDeleteCalendar}
	if !slices.Equal(kinds, want) {
		t.Errorf("steps %v, want %v", kinds, want)
	}
	// Nothing to cancel: only the mailbox and calendar remain.
	if got := consent.PlanRevoke(sessions[:1], now).ExternalSteps(); len(got) != 2 || got[0].Kind != consent.StepDeleteMail {
		t.Errorf("steps without future sessions: %+v", got)
	}
}

func FuzzParseMethod(f *testing.F) {
	for _, s := range []string{"email", " USE ", "", "verbal\x00", "förm"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := consent.ParseMethod(s)
		if err != nil {
			return
		}
		if !slices.Contains(consent.Methods(), m) {
			t.Fatalf("ParseMethod(%q) = %q, not a method", s, m)
		}
		if again, err := consent.ParseMethod(m); err != nil || again != m {
			t.Fatalf("method %q does not parse to itself", m)
		}
	})
}

func FuzzNoticeHashes(f *testing.F) {
	f.Add("aa,bb")
	f.Add(",,")
	f.Add(" x , y ,x")
	f.Fuzz(func(t *testing.T, s string) {
		joined := consent.JoinNoticeHashes(strings.Split(s, ","))
		again := consent.JoinNoticeHashes(consent.SplitNoticeHashes(joined))
		if again != joined {
			t.Fatalf("not stable: %q -> %q -> %q", s, joined, again)
		}
	})
}

func TestWithdraw(t *testing.T) {
	key := bytes.Repeat([]byte{7}, consent.KeySize)
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	proofs := consent.Proofs{Key: key, RetentionYears: 3, Location: time.UTC}
	events := []consent.ConsentEvent{{NoticeHash: "bb"}, {NoticeHash: ""}, {NoticeHash: "aa"}, {NoticeHash: "bb"}}
	w, err := proofs.Withdraw(consent.Person{ID: "p1", Name: "Client  Zeta"}, events, now)
	if err != nil {
		t.Fatal(err)
	}
	// The proof names the person by the keyed hash of the comparison key,
	// recomputed here independently, never by the name.
	m := hmac.New(sha256.New, key)
	m.Write([]byte("counsel-subject-v1\x00" + session.NameKey("Client  Zeta")))
	if want := hex.EncodeToString(m.Sum(nil)); w.SubjectHMAC != want {
		t.Errorf("subject %s, want %s", w.SubjectHMAC, want)
	}
	if w.ID == "" || !w.WithdrawnAt.Equal(now) || !w.RetainUntil.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("proof %+v", w)
	}
	if !slices.Equal(w.NoticeHashes, []string{"aa", "bb"}) || !slices.Equal(consent.NoticeHashesOf(events), w.NoticeHashes) {
		t.Errorf("notice hashes %q", w.NoticeHashes)
	}
	// Every spelling of the person finds the proof under the first subject;
	// the second is the spelling's own (proofs of schema 1).
	for _, spelling := range []string{"client zeta", "CLIENT ZETA", "Client Zeta"} {
		subjects, err := consent.ProofSubjects(key, spelling)
		if err != nil || len(subjects) != 2 || subjects[0] != w.SubjectHMAC {
			t.Errorf("ProofSubjects(%q) = %q, %v", spelling, subjects, err)
		}
		if own, _ := consent.SubjectHMAC(key, spelling); subjects[1] != own {
			t.Errorf("ProofSubjects(%q)[1] is not the spelling's own hash", spelling)
		}
	}
	other, _ := proofs.Withdraw(consent.Person{ID: "p2", Name: "Client Zeta"}, nil, now)
	if other.ID == w.ID || other.NoticeHashes == nil || len(other.NoticeHashes) != 0 {
		t.Errorf("second proof %+v", other)
	}

	for name, bad := range map[string]consent.Proofs{
		"NoKey":      {RetentionYears: 3},
		"ShortKey":   {Key: key[:16], RetentionYears: 3},
		"NoYears":    {Key: key},
		"NegYears":   {Key: key, RetentionYears: -1},
		"ZeroYears0": {Key: key, RetentionYears: 0, Location: time.UTC},
	} {
		t.Run(name, func(t *testing.T) {
			if err := bad.Check(); err == nil {
				t.Error("Check: no error")
			}
			if _, err := bad.Withdraw(consent.Person{ID: "p", Name: "Client-A"}, nil, now); err == nil {
				t.Error("Withdraw: no error")
			}
		})
	}
	if _, err := consent.ProofSubjects(nil, "Client-A"); !errors.Is(err, consent.ErrKeySize) {
		t.Errorf("ProofSubjects without a key: %v", err)
	}
}

func TestLastWithdrawal(t *testing.T) {
	if _, ok := consent.LastWithdrawal(nil); ok {
		t.Error("none: ok")
	}
	ws := []consent.Withdrawal{{ID: "a"}, {ID: "b"}}
	if w, ok := consent.LastWithdrawal(ws); !ok || w.ID != "b" {
		t.Errorf("last %+v, %v", w, ok)
	}
}

func TestPersonErased(t *testing.T) {
	for _, tc := range []struct {
		p    consent.Person
		want bool
	}{
		{consent.Person{}, false},
		{consent.Person{ID: "p", Name: "Client-A"}, false},
		{consent.Person{ID: "p"}, true},
		{consent.Person{ID: "p", Name: "Client-A", ErasedAt: time.Unix(1, 0)}, true},
	} {
		if got := tc.p.Erased(); got != tc.want {
			t.Errorf("%+v.Erased() = %v", tc.p, got)
		}
	}
}

func TestConsentEvents(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	n1 := consent.Notice{Language: "de", Version: "v1", Hash: "h1"}
	n2 := consent.Notice{Language: "en", Version: "v2", Hash: "h2"}
	sent1, err := consent.NoticeEvent("p1", "s1", n1, t0, "Counsellor")
	if err != nil {
		t.Fatal(err)
	}
	sent2, _ := consent.NoticeEvent("p1", "s2", n2, t0.Add(48*time.Hour), "Counsellor")
	// Every event carries the fixed facts of the consent and its own ID.
	for _, e := range []consent.ConsentEvent{sent1, sent2} {
		if e.ID == "" || e.Jurisdiction != consent.Jurisdiction || e.LegalBasis != consent.LegalBasis ||
			e.Purpose != consent.Purpose || e.Event != consent.NoticeSent || e.CollectionMethod != "" {
			t.Errorf("notice event %+v", e)
		}
	}
	if sent1.ID == sent2.ID || sent1.SessionID != "s1" || sent1.NoticeHash != "h1" || !sent1.Timestamp.Equal(t0) {
		t.Errorf("notice events %+v, %+v", sent1, sent2)
	}
	history := []consent.ConsentEvent{sent1, sent2}
	// Consent given between the two notices agrees to the first text; after
	// the second, to the second; before any, to none.
	for _, tc := range []struct {
		at   time.Time
		want consent.Notice
	}{
		{t0.Add(-time.Minute), consent.Notice{}},
		{t0, n1},
		{t0.Add(24 * time.Hour), n1},
		{t0.Add(72 * time.Hour), n2},
	} {
		if got := consent.NoticeBefore(history, tc.at); got != tc.want {
			t.Errorf("NoticeBefore(%v) = %+v, want %+v", tc.at, got, tc.want)
		}
	}
	given, err := consent.GivenEvent("p1", n1, consent.MethodVerbal, t0.Add(time.Hour), "Counsellor")
	if err != nil {
		t.Fatal(err)
	}
	if given.Event != consent.Given || given.SessionID != "" || given.CollectionMethod != consent.MethodVerbal ||
		given.NoticeVersion != "v1" || given.Jurisdiction != consent.Jurisdiction || given.ID == "" {
		t.Errorf("given event %+v", given)
	}
}
