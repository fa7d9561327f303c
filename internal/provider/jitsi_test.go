package provider_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/expeerienced/counsel/data"
	"github.com/expeerienced/counsel/internal/provider"
)

const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func TestNewRoomDistinctAndInAlphabet(t *testing.T) {
	const n = 10000
	seen := make(map[string]bool, n)
	for i := 0; i < n; i++ {
		room, err := provider.NewRoom(nil) // crypto/rand
		if err != nil {
			t.Fatal(err)
		}
		if len(room) != 24 {
			t.Fatalf("room has %d characters, want 24", len(room))
		}
		if strings.Trim(room, alphabet) != "" {
			t.Fatalf("room has characters outside a-z0-9")
		}
		if seen[room] {
			t.Fatalf("room name repeated after %d draws", i)
		}
		seen[room] = true
	}
}

func TestNewRoomUnbiased(t *testing.T) {
	t.Run("bytes from 252 are skipped", func(t *testing.T) {
		// 0, 37 and 74 are a, b, c (modulo 36); 251 = 6*36+35 is '9'.
		in := []byte{252, 253, 254, 255, 0, 37, 74, 251, 10, 23, 5, 30, 17, 3, 33, 20, 8, 27, 14, 31, 2, 25, 12, 29}
		in = append(in, make([]byte, 64)...)
		room, err := provider.NewRoom(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if want := "abc9kxf4rd7ui1o5czm3aaaa"; room != want {
			t.Errorf("room = %q, want %q", room, want)
		}
	})
	t.Run("each character equally often", func(t *testing.T) {
		// A fixed-seed source keeps the test deterministic. A modulo bias
		// (256 = 7*36+4) would give a-d an eighth more than the rest and a
		// chi-square in the thousands.
		src := rand.NewChaCha8([32]byte{'u', 'n', 'b', 'i', 'a', 's', 'e', 'd'})
		counts := map[rune]float64{}
		const rooms = 10000
		for i := 0; i < rooms; i++ {
			room, err := provider.NewRoom(src)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range room {
				counts[r]++
			}
		}
		expected := rooms * 24.0 / 36
		var chi2 float64
		for _, r := range alphabet {
			d := counts[r] - expected
			chi2 += d * d / expected
		}
		// 35 degrees of freedom: 66.6 is the 0.1% critical value.
		if chi2 > 66.6 {
			t.Errorf("chi-square %.1f over 35 degrees of freedom: biased (counts %v)", chi2, counts)
		}
		t.Logf("chi-square %.1f", chi2)
	})
}

func TestNewRoomReaderFailure(t *testing.T) {
	t.Run("short reader", func(t *testing.T) {
		_, err := provider.NewRoom(bytes.NewReader([]byte{1, 2, 3}))
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("err = %v, want io.ErrUnexpectedEOF", err)
		}
	})
	t.Run("constant reader", func(t *testing.T) {
		// A stuck source gives "aaaa..." forever: refused, never returned.
		_, err := provider.NewRoom(zeros{})
		if err == nil || !strings.Contains(err.Error(), "broken") {
			t.Errorf("err = %v, want the source called broken", err)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Every generated room passes the hand-given URL check without allowWeak
// (10,000 from a fixed seed, so the test is the same every run; NewRoom does
// not run the estimator itself).
func TestNewRoomIsStrong(t *testing.T) {
	r := registry(t)
	src := rand.NewChaCha8([32]byte{'c', 'o', 'u', 'n', 's', 'e', 'l'})
	lowest := 1000.0
	for i := 0; i < 10000; i++ {
		room, err := provider.NewRoom(src)
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.CheckJitsiURL("https://sichere-videokonferenz.de/"+room, false)
		if err != nil || res.Room != room || res.Weak {
			t.Fatalf("generated room judged weak: bits %.1f, err %v", provider.JudgeRoom(room).Bits, err)
		}
		lowest = min(lowest, res.Bits)
	}
	t.Logf("lowest estimate of 10,000 generated rooms: %.1f bits", lowest)
}

func registry(t *testing.T) *provider.Registry {
	t.Helper()
	r, err := provider.Load(data.Providers(), "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// weakRooms are names a careless counsellor might paste: each must be
// refused. The comment is the estimator's verdict (bits), for the record.
var weakRooms = []string{
	"abcdefghijklmnopqrst",          // the alphabet in order
	"qwertyuiopasdfghjklz",          // keyboard rows
	"qwertzuiopasdfghjklyxcvbnm",    // German keyboard rows, all of them
	"abcabcabcabcabcabcab",          // a repeat
	"passwordpassword1234",          // password twice and a count
	"beratung",                      // a German counselling word
	"b3ratung2026",                  // the same with a digit and a year
	"b3ratungsg3spraech-2026-12-03", // words, substitutions and a date
	"s1tzung-m1ttw0ch",              // German words with substitutions
	"selbsthilfegruppe-berlin",      // words and a city
	"muenchen-beratung-2026",
	"peerberatung-koeln-0312",
	"2026-12-03",             // a date
	"03122026",               // a date without separators
	"termin-03-12-2026-1000", // a word, a date and a time
	"anna1987",               // a name and a year
	"thomas-mueller-42",      // a German first name and surname
	"sabine.schmidt.2026",
	"stefanie1234567890",
	"clienta-28112026",
	"musterpersonberatungmittwoch", // words run together
	"pleasantmagicsgrowforever",    // Jitsi's own word generator
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"12345678901234567890",
	"xk3j9q2mzt7w", // random but short
	"test",
	"meeting-room-1",
}

func TestJudgeRoomRefusesWeakNames(t *testing.T) {
	r := registry(t)
	for _, room := range weakRooms {
		t.Run(room, func(t *testing.T) {
			j := provider.JudgeRoom(room)
			t.Logf("%.1f bits: %s", j.Bits, strings.Join(j.Reasons, "; "))
			if j.Bits >= provider.MinRoomBits {
				t.Fatalf("JudgeRoom = %.1f bits, want below %d", j.Bits, provider.MinRoomBits)
			}
			_, err := r.CheckJitsiURL("https://sichere-videokonferenz.de/"+room, false)
			if !errors.Is(err, provider.ErrWeakRoom) {
				t.Fatalf("CheckJitsiURL: err = %v, want ErrWeakRoom", err)
			}
			// The error explains in words and never repeats the name.
			if !strings.Contains(err.Error(), "guesser") || strings.Contains(err.Error(), room) {
				t.Errorf("error %q: want an explanation without the name", err)
			}
		})
	}
}

func TestJudgeRoomReasons(t *testing.T) {
	for _, tt := range []struct{ room, reason string }{
		{"abcdefghijklmnopqrst", "in order"},
		{"sdfghjkl-ertzuiop", "keyboard"},
		{"abcabcabcabcabcabcab", "repeated"},
		{"b3ratung2026", "digits in place of letters"},
		{"2026-12-03", "date"},
		{"thomas-mueller-42", "name"},
		{"xk3j9q2mzt7w", ""},
	} {
		j := provider.JudgeRoom(tt.room)
		got := strings.Join(j.Reasons, "; ")
		if tt.reason == "" && got != "" || !strings.Contains(got, tt.reason) {
			t.Errorf("%s: reasons %q, want one with %q", tt.room, got, tt.reason)
		}
	}
}

// Random names of the generated length and alphabet, and longer hand-made
// random ones, are strong.
func TestJudgeRoomAcceptsRandom(t *testing.T) {
	for _, room := range []string{
		"k3x9q2mzt7wb4n8p1vhdq7c2", // random, 24 characters
		"q7c2m9x4k1z8r5t3w6y0",     // random, 20 characters
	} {
		if j := provider.JudgeRoom(room); j.Bits < provider.MinRoomBits {
			t.Errorf("%s: %.1f bits (%v), want at least %d", room, j.Bits, j.Reasons, provider.MinRoomBits)
		}
	}
}

func TestJitsiJoinURL(t *testing.T) {
	r := registry(t)
	p, _ := r.Get("sichere-videokonferenz")
	got, err := p.JitsiJoinURL("k3x9q2mzt7wb4n8p1vhd")
	if want := "https://sichere-videokonferenz.de/k3x9q2mzt7wb4n8p1vhd#config.prejoinConfig.enabled=true"; err != nil || got != want {
		t.Errorf("JitsiJoinURL = %q, %v; want %q", got, err, want)
	}
	for _, room := range []string{"", "Upper", "a/b", "a b", "room?x=1", "room#frag"} {
		if _, err := p.JitsiJoinURL(room); err == nil {
			t.Errorf("JitsiJoinURL accepted room %q", room)
		}
	}
	b, _ := r.Get("blizz")
	if _, err := b.JitsiJoinURL("k3x9q2mzt7wb4n8p1vhd"); err == nil {
		t.Error("JitsiJoinURL accepted a Blizz provider")
	}
}

func TestCheckJitsiURL(t *testing.T) {
	r := registry(t)
	const room = "k3x9q2mzt7wb4n8p1vhd"
	tests := []struct {
		name      string
		url       string
		allowWeak bool
		wantErr   error  // sentinel, if any
		wantMsg   string // substring of the error
		wantURL   string
		wantWarn  bool
	}{
		{name: "generated room", url: "https://sichere-videokonferenz.de/" + room,
			wantURL: "https://sichere-videokonferenz.de/" + room + "#config.prejoinConfig.enabled=true"},
		{name: "upper case and fragment dropped", url: "  HTTPS://Jitsi.Fem.TU-Ilmenau.de/K3X9Q2MZT7WB4N8P1VHD#userInfo.displayName=%22x%22 ",
			wantURL: "https://jitsi.fem.tu-ilmenau.de/" + room + "#config.prejoinConfig.enabled=true"},
		{name: "default port", url: "https://sichere-videokonferenz.de:443/" + room,
			wantURL: "https://sichere-videokonferenz.de/" + room + "#config.prejoinConfig.enabled=true"},
		{name: "deprecated host still accepted", url: "https://jitsi.hamburg.freifunk.net/" + room,
			wantURL: "https://jitsi.hamburg.freifunk.net/" + room + "#config.prejoinConfig.enabled=true"},
		{name: "weak room refused", url: "https://sichere-videokonferenz.de/beratung", wantErr: provider.ErrWeakRoom, wantMsg: "common word"},
		{name: "weak room allowed with warning", url: "https://sichere-videokonferenz.de/beratung", allowWeak: true, wantWarn: true,
			wantURL: "https://sichere-videokonferenz.de/beratung#config.prejoinConfig.enabled=true"},
		{name: "http", url: "http://sichere-videokonferenz.de/" + room, wantMsg: "must start with https://"},
		{name: "no scheme", url: "sichere-videokonferenz.de/" + room, wantMsg: "must start with https://"},
		{name: "unvetted host", url: "https://meet.jit.si/" + room, wantErr: provider.ErrNotVetted, wantMsg: "sichere-videokonferenz.de"},
		{name: "misspelt seed host", url: "https://jitsi.fem.tu-ilmeneau.de/" + room, wantErr: provider.ErrNotVetted},
		{name: "lookalike host", url: "https://sichere-videokonferenz.de.evil.example/" + room, wantErr: provider.ErrNotVetted},
		{name: "other port", url: "https://sichere-videokonferenz.de:8443/" + room, wantErr: provider.ErrNotVetted},
		{name: "user info", url: "https://sichere-videokonferenz.de@evil.example/" + room, wantMsg: "user name"},
		{name: "query", url: "https://sichere-videokonferenz.de/" + room + "?jwt=x", wantMsg: "query"},
		{name: "no room", url: "https://sichere-videokonferenz.de/", wantMsg: "no room"},
		{name: "two segments", url: "https://sichere-videokonferenz.de/a/" + room, wantMsg: "room name alone"},
		{name: "encoded slash", url: "https://sichere-videokonferenz.de/a%2F" + room, wantMsg: "room name alone"},
		{name: "odd characters", url: "https://sichere-videokonferenz.de/r%C3%A4um" + room, wantMsg: "only letters"},
		{name: "dots only", url: "https://sichere-videokonferenz.de/..", wantMsg: "at least one letter"},
		{name: "garbage", url: "https://%zz", wantMsg: "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := r.CheckJitsiURL(tt.url, tt.allowWeak)
			if tt.wantURL != "" {
				if err != nil {
					t.Fatalf("CheckJitsiURL: %v", err)
				}
				if res.URL != tt.wantURL {
					t.Errorf("URL = %q, want %q", res.URL, tt.wantURL)
				}
				if (len(res.Warnings) > 0) != tt.wantWarn || res.Weak != tt.wantWarn {
					t.Errorf("warnings %q, weak %v; want warning %v", res.Warnings, res.Weak, tt.wantWarn)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckJitsiURL accepted %q", tt.url)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantMsg != "--" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %v, want it to mention %q", err, tt.wantMsg)
			}
		})
	}
}

func TestCheckJitsiURLRefusesRetired(t *testing.T) {
	path := writeFile(t, strings.NewReplacer(
		"- id: example-jitsi", "- id: jitsi-fem-tu-ilmenau",
		"https://meet.example.org/\n", "https://jitsi.fem.tu-ilmenau.de/\n",
		"status: active", "status: retired\n  notes: Instance shut down.",
	).Replace(validFile[:strings.Index(validFile, "- id: example-blizz")]))
	r, err := provider.Load(data.Providers(), path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.CheckJitsiURL("https://jitsi.fem.tu-ilmenau.de/k3x9q2mzt7wb4n8p1vhd", true)
	if !errors.Is(err, provider.ErrRetired) {
		t.Errorf("err = %v, want ErrRetired", err)
	}
}

// Errors about a hand-given URL never repeat the room, which may be a
// client's name.
func TestCheckJitsiURLDoesNotEchoInput(t *testing.T) {
	r := registry(t)
	for _, u := range []string{
		"https://sichere-videokonferenz.de/muster-person",
		"https://sichere-videokonferenz.de/muster-person?x=muster-person",
		"https://evil.example/muster-person",
		"http://muster-person.example/muster-person",
		"https://sichere-videokonferenz.de/muster-person/x",
		"https://sichere-videokonferenz.de/muster person",
	} {
		_, err := r.CheckJitsiURL(u, false)
		if err == nil {
			t.Fatalf("accepted %q", u)
		}
		if strings.Contains(strings.ToLower(err.Error()), "muster") {
			t.Errorf("error repeats the input: %v", err)
		}
	}
}
