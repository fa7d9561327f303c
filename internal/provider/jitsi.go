package provider

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strings"
)

const (
	// roomAlphabet is what Jitsi keeps intact: it lower-cases room names.
	roomAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	// roomLength characters of a 36-letter alphabet give about 103 bits.
	roomLength = 20
	// prejoinFragment turns on Jitsi's pre-join page, so a client checks
	// camera and microphone and picks a display name before entering.
	prejoinFragment = "config.prejoinConfig.enabled=true"
	maxRoomLen      = 200
)

// MinRoomBits is the estimated entropy a room name needs not to count as
// guessable.
const MinRoomBits = 80

var (
	// ErrNotVetted is returned (wrapped) for a Jitsi URL whose host is not
	// on the provider list.
	ErrNotVetted = errors.New("host is not a vetted jitsi provider")
	// ErrWeakRoom is returned (wrapped) for a guessable room name when weak
	// rooms are not allowed.
	ErrWeakRoom = errors.New("room name is guessable")
)

// NewRoom makes a Jitsi room name: 20 characters from a-z and 0-9, about
// 103 bits, drawn uniformly from random (crypto/rand when random is nil). It
// is never derived from a name or a date: a room name is the meeting's
// secret.
//
// A draw that RoomBits would judge guessable (about one random string in
// two hundred looks like words to it) is drawn again, so every name NewRoom
// makes also passes CheckJitsiURL; that costs less than a hundredth of a
// bit. A source that keeps giving such names is broken, and NewRoom says so.
func NewRoom(random io.Reader) (string, error) {
	if random == nil {
		random = rand.Reader
	}
	for range maxRoomDraws {
		room, err := drawRoom(random)
		if err != nil {
			return "", err
		}
		if RoomBits(room) >= MinRoomBits {
			return room, nil
		}
	}
	return "", errors.New("room name: the random source keeps giving guessable names; it looks broken")
}

const maxRoomDraws = 100

// drawRoom draws roomLength characters uniformly. Bytes from 252 up are
// thrown away: 252 = 7*36, so every character keeps the same chance
// (rejection sampling, no modulo bias).
func drawRoom(random io.Reader) (string, error) {
	const limit = 256 - 256%len(roomAlphabet)
	out := make([]byte, 0, roomLength)
	buf := make([]byte, roomLength+8)
	for len(out) < roomLength {
		if _, err := io.ReadFull(random, buf); err != nil {
			return "", fmt.Errorf("room name: reading random source: %w", err)
		}
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, roomAlphabet[int(b)%len(roomAlphabet)])
			if len(out) == roomLength {
				break
			}
		}
	}
	return string(out), nil
}

// JitsiJoinURL is the link a client opens: https://<host>/<room> plus a
// fragment that turns on the pre-join page. The room must be a lower-case
// room name as made by NewRoom or returned by CheckJitsiURL; nothing else
// (such as a display name) is ever added to the link.
func (p Provider) JitsiJoinURL(room string) (string, error) {
	if p.Kind != KindJitsi {
		return "", fmt.Errorf("provider %s: not a jitsi provider", p.ID)
	}
	host, ok := jitsiBaseHost(p.BaseURL)
	if !ok {
		return "", fmt.Errorf("provider %s: base_url is not https://host/", p.ID)
	}
	if msg := checkRoomSyntax(room); msg != "" {
		return "", fmt.Errorf("jitsi room: %s", msg)
	}
	if room != strings.ToLower(room) {
		return "", errors.New("jitsi room: must be lower-case")
	}
	return "https://" + host + "/" + room + "#" + prejoinFragment, nil
}

// JitsiRoom is a hand-given Jitsi meeting URL after checking.
type JitsiRoom struct {
	Provider Provider
	Room     string  // lower-cased, as Jitsi treats it
	URL      string  // canonical join URL, with the pre-join fragment
	Bits     float64 // estimated entropy of the room name
	Weak     bool    // Bits < MinRoomBits
	Warnings []string
}

// CheckJitsiURL checks a meeting URL a counsellor typed or pasted. It must
// be https, on the host of a vetted Jitsi provider that is not retired, with
// no user information and no query, and with exactly one path segment: the
// room (letters, digits, '-', '_', '.'). Any fragment is dropped; the
// canonical URL carries the pre-join fragment. A guessable room (a word, a
// name, short, a date; estimated below MinRoomBits) is refused with
// ErrWeakRoom unless allowWeak, which returns it with a warning.
//
// The provider's status and review date are not judged here beyond
// refusing a retired one: pass Provider to Provider.Usable for that.
// Errors never repeat the URL or the room: they may name a client.
func (r *Registry) CheckJitsiURL(raw string, allowWeak bool) (JitsiRoom, error) {
	s := strings.TrimSpace(raw)
	if len(s) > maxURL {
		return JitsiRoom{}, fmt.Errorf("jitsi url: longer than %d characters", maxURL)
	}
	if !strings.HasPrefix(strings.ToLower(s), "https://") {
		return JitsiRoom{}, errors.New("jitsi url: must start with https://")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || strings.ContainsAny(s, " \\") {
		// The parser's error quotes the input, so it is not wrapped.
		return JitsiRoom{}, errors.New("jitsi url: not a valid URL (want https://host/room)")
	}
	if u.User != nil {
		return JitsiRoom{}, errors.New("jitsi url: must not contain a user name or password")
	}
	p, ok := r.JitsiHost(u.Host)
	if !ok {
		return JitsiRoom{}, fmt.Errorf("jitsi url: %w (vetted hosts: %s)", ErrNotVetted, strings.Join(r.jitsiHosts(), ", "))
	}
	if p.Status == StatusRetired {
		return JitsiRoom{}, fmt.Errorf("jitsi url: provider %s: %w", p.ID, ErrRetired)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return JitsiRoom{}, errors.New("jitsi url: must not carry a query (\"?...\")")
	}
	room, found := strings.CutPrefix(u.Path, "/")
	if !found || room == "" {
		return JitsiRoom{}, errors.New("jitsi url: no room name (want https://host/room)")
	}
	if strings.Contains(room, "/") {
		return JitsiRoom{}, errors.New("jitsi url: the path must be the room name alone (want https://host/room)")
	}
	if msg := checkRoomSyntax(room); msg != "" {
		return JitsiRoom{}, fmt.Errorf("jitsi url: %s", msg)
	}
	room = strings.ToLower(room)
	bits := RoomBits(room)
	res := JitsiRoom{Provider: p, Room: room, Bits: bits, Weak: bits < MinRoomBits}
	if res.Weak {
		if !allowWeak {
			return JitsiRoom{}, fmt.Errorf("jitsi url: %w (estimated %.0f bits, want at least %d); use a generated room", ErrWeakRoom, bits, MinRoomBits)
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("the room name is guessable (estimated %.0f bits, want at least %d): anyone who guesses it can join", bits, MinRoomBits))
	}
	if res.URL, err = p.JitsiJoinURL(room); err != nil {
		return JitsiRoom{}, err
	}
	return res, nil
}

func checkRoomSyntax(room string) string {
	if room == "" {
		return "room name is empty"
	}
	if len(room) > maxRoomLen {
		return fmt.Sprintf("room name is longer than %d characters", maxRoomLen)
	}
	alnum := false
	for i := 0; i < len(room); i++ {
		c := room[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			alnum = true
		case c == '-', c == '_', c == '.':
		default:
			return "room name may use only letters, digits, '-', '_' and '.'"
		}
	}
	if !alnum {
		return "room name needs at least one letter or digit"
	}
	return ""
}

// RoomBits estimates how many bits of entropy a room name has against an
// attacker who tries words, names, dates and simple patterns first. It is
// deliberately pessimistic: a pronounceable run of letters counts about 2
// bits a letter instead of 4.7, a year or date a few bits, a repeated or
// counting run of digits almost nothing. Case is ignored, as Jitsi ignores
// it. A random name from NewRoom scores far above MinRoomBits.
func RoomBits(room string) float64 {
	s := strings.ToLower(room)
	if s == "" {
		return 0
	}
	if commonWord(stripSeparators(s)) {
		return 8
	}
	ts := tokens(s)
	// Each character is worth the alphabet it was drawn from: the classes
	// (letters, digits, separators) that occur in the name.
	size := 0
	for c, n := range map[int]int{classLetter: 26, classDigit: 10, classOther: 3} {
		for _, t := range ts {
			if t.class == c {
				size += n
				break
			}
		}
	}
	perChar := math.Log2(float64(size))
	var bits float64
	for _, t := range ts {
		switch t.class {
		case classLetter:
			bits += letterBits(t.text, perChar)
		case classDigit:
			bits += digitBits(t.text, perChar)
		default:
			bits += 1 // separators mostly split words; where one sits is little
		}
	}
	if p := period(s); p < len(s) {
		// "abcabcabc" is as strong as "abc" and a count.
		bits = bits*float64(p)/float64(len(s)) + math.Log2(float64(len(s)/p))
	}
	return bits
}

const (
	classLetter = iota
	classDigit
	classOther
)

type token struct {
	class int
	text  string
}

func classOf(c byte) int {
	switch {
	case c >= 'a' && c <= 'z':
		return classLetter
	case c >= '0' && c <= '9':
		return classDigit
	}
	return classOther
}

// tokens splits s into runs of letters, runs of digits and single others.
func tokens(s string) []token {
	var ts []token
	for i := 0; i < len(s); {
		c := classOf(s[i])
		j := i + 1
		if c != classOther {
			for j < len(s) && classOf(s[j]) == c {
				j++
			}
		}
		ts = append(ts, token{c, s[i:j]})
		i = j
	}
	return ts
}

func stripSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' {
			return -1
		}
		return r
	}, s)
}

func letterBits(w string, perChar float64) float64 {
	if commonWord(w) {
		return 8
	}
	n := float64(len(w))
	if len(w) >= 4 && wordLike(w) {
		return 2 * n
	}
	return n*perChar - repeatDiscount(w, perChar)
}

// wordLike guesses whether a run of letters is language (a word, a name, a
// few words run together) rather than random: language has about two
// vowels in five letters and is full of common letter pairs; random letters
// have one vowel in five and few such pairs.
func wordLike(w string) bool {
	vowels, common := 0, 0
	for i := 0; i < len(w); i++ {
		if strings.IndexByte("aeiouy", w[i]) >= 0 {
			vowels++
		}
		if i+1 < len(w) && strings.Contains(commonBigrams, " "+w[i:i+2]+" ") {
			common++
		}
	}
	pairs := len(w) - 1
	return float64(vowels) >= 0.3*float64(len(w)) && float64(common) >= 0.4*float64(pairs)
}

// commonBigrams are frequent letter pairs of English and German text.
const commonBigrams = " th he in er an re nd on en at ou ed ha to or it is hi es ng st ar te se me ve al le ti nt de ra ri ro ic ne ea ch ei ie un ge be sc au ns ra li la el ll ss mi ma ta ca co io nc ce ur ni di ut us ow om ag ac "

func digitBits(d string, perChar float64) float64 {
	n := len(d)
	switch {
	case n == 4 && (strings.HasPrefix(d, "19") || strings.HasPrefix(d, "20")):
		return 7 // a year
	case (n == 6 || n == 8) && dateLike(d):
		return 16
	case sequential(d):
		return math.Log2(20) + math.Log2(float64(n))
	}
	return float64(n)*perChar - repeatDiscount(d, perChar)
}

// dateLike matches ddmmyy, ddmmyyyy, yymmdd and yyyymmdd shapes.
func dateLike(d string) bool {
	ok := func(day, month string) bool {
		return day >= "01" && day <= "31" && month >= "01" && month <= "12"
	}
	if len(d) == 8 {
		return ok(d[0:2], d[2:4]) || ok(d[6:8], d[4:6])
	}
	return ok(d[0:2], d[2:4]) || ok(d[4:6], d[2:4])
}

// sequential is true for runs like 1234, 9876 or 5555.
func sequential(d string) bool {
	if len(d) < 3 {
		return false
	}
	step := int(d[1]) - int(d[0])
	if step < -1 || step > 1 {
		return false
	}
	for i := 2; i < len(d); i++ {
		if int(d[i])-int(d[i-1]) != step {
			return false
		}
	}
	return true
}

// repeatDiscount takes back the bits of characters equal to the one
// before them, beyond a pair ("aaaa" is barely more than "a").
func repeatDiscount(s string, perChar float64) float64 {
	var d float64
	for i := 2; i < len(s); i++ {
		if s[i] == s[i-1] && s[i-1] == s[i-2] {
			d += perChar - 1
		}
	}
	return d
}

// period is the length of the shortest unit s repeats (len(s) if none).
func period(s string) int {
	for p := 1; p <= len(s)/2; p++ {
		if len(s)%p == 0 && strings.Repeat(s[:p], len(s)/p) == s {
			return p
		}
	}
	return len(s)
}

// commonWord catches words a counsellor might well type as a room name.
func commonWord(w string) bool {
	return len(w) >= 3 && strings.Contains(commonRoomWords, " "+w+" ")
}

const commonRoomWords = " test testing meeting meet room raum team beratung berater beraterin beratungsgespraech gespraech sitzung termin session counsel counselling counseling peer peers gruppe group video videocall call konferenz conference jitsi blizz hallo hello welcome willkommen privat private geheim secret password passwort kennwort sicher secure sprechstunde support hilfe help online treffen chat talk besprechung exchange austausch experience expeerienced "
