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
	// roomLength characters of a 36-letter alphabet give about 124 bits.
	// 24 rather than 20 (103 bits) so that the estimator that judges
	// hand-given rooms (JudgeRoom) stays above MinRoomBits for generated
	// ones too: at 20 characters it finds enough chance words and
	// keyboard runs to put about one name in 700 below 80 bits.
	roomLength = 24
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
	ErrWeakRoom = errors.New("the room name is guessable")
)

// NewRoom makes a Jitsi room name: 24 characters from a-z and 0-9, about
// 124 bits, drawn uniformly from random (crypto/rand when random is nil). It
// is never derived from a name or a date: a room name is the meeting's
// secret.
//
// NewRoom does not run the strength estimator (its dictionaries cost about
// 20 ms to build, and the length alone keeps a drawn name far above
// MinRoomBits: the lowest estimate in 20,000 draws was 87 bits). It only
// refuses a draw of fewer than 8 different characters, which a uniform
// source gives about once in ten billion times: a source that keeps giving
// such names is broken, and NewRoom says so.
func NewRoom(random io.Reader) (string, error) {
	if random == nil {
		random = rand.Reader
	}
	for range maxRoomDraws {
		room, err := drawRoom(random)
		if err != nil {
			return "", err
		}
		if distinct(room) >= minDistinct {
			return room, nil
		}
	}
	return "", errors.New("room name: the random source keeps giving names of a few letters; it looks broken")
}

const (
	maxRoomDraws = 100
	minDistinct  = 8
)

func distinct(s string) int {
	var seen [256]bool
	n := 0
	for i := 0; i < len(s); i++ {
		if !seen[s[i]] {
			seen[s[i]] = true
			n++
		}
	}
	return n
}

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
	Bits     float64 // estimated guess entropy of the room name (JudgeRoom)
	Weak     bool    // Bits < MinRoomBits
	Warnings []string
}

// CheckJitsiURL checks a meeting URL a counsellor typed or pasted. It must
// be https, on the host of a vetted Jitsi provider that is not retired, with
// no user information and no query, and with exactly one path segment: the
// room (letters, digits, '-', '_', '.'). Any fragment is dropped; the
// canonical URL carries the pre-join fragment. A guessable room (words,
// names, keyboard rows, sequences, repeats, dates; estimated below
// MinRoomBits by JudgeRoom) is refused with ErrWeakRoom unless allowWeak,
// which returns it with a warning.
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
	judged := JudgeRoom(room)
	res := JitsiRoom{Provider: p, Room: room, Bits: judged.Bits, Weak: judged.Bits < MinRoomBits}
	if res.Weak {
		why := weakRoomWhy(judged)
		if !allowWeak {
			return JitsiRoom{}, fmt.Errorf("jitsi url: %w: %s", ErrWeakRoom, why)
		}
		res.Warnings = append(res.Warnings, "the room name is guessable: "+why+"; anyone who guesses it can join")
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

// weakRoomWhy says why a room is weak in words a counsellor understands,
// without repeating the name: what the guesser would try, and how many
// guesses that takes against how many are wanted.
func weakRoomWhy(j RoomStrength) string {
	what := "it is too short"
	if len(j.Reasons) > 0 {
		what = fmt.Sprintf("it contains %s", strings.Join(j.Reasons, ", "))
	}
	return fmt.Sprintf("%s, so a guesser who tries such names first needs about 2^%.0f tries (want at least 2^%d)",
		what, math.Floor(j.Bits), MinRoomBits)
}
