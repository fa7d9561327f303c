package provider_test

import (
	"strings"
	"testing"

	"github.com/expeerienced/counsel/internal/provider"
)

func TestParseBlizzID(t *testing.T) {
	tests := []struct {
		in      string
		want    string // canonical; "" means refused
		display string
	}{
		{"m12345678", "m12345678", "m12-345-678"},
		{"M12345678", "m12345678", "m12-345-678"},
		{"m12 345 678", "m12345678", "m12-345-678"},
		{"m12-345-678", "m12345678", "m12-345-678"},
		{"  m12-345-678\n", "m12345678", "m12-345-678"},
		{"m-12345678", "m12345678", "m12-345-678"},
		{"m123456789", "m123456789", "m123-456-789"},
		{"m1234567890", "m1234567890", "m1-234-567-890"},
		{"https://go.blizz.com/join/m12345678", "m12345678", "m12-345-678"},
		{"https://go.blizz.com/join/M12-345-678/", "m12345678", "m12-345-678"},
		{"https://GO.BLIZZ.COM/join/m12345678?utm_source=mail&x=1", "m12345678", "m12-345-678"},
		{"https://go.blizz.com/join/m12345678#top", "m12345678", "m12-345-678"},
		// TeamViewer Meeting's link form carries the same ID.
		{"https://go.teamviewer.com/meet/m12345678", "m12345678", "m12-345-678"},
		{"https://GO.TeamViewer.com/meet/M12-345-678/?lang=de", "m12345678", "m12-345-678"},

		{"12345678", "", ""},     // bare number: could be a TeamViewer remote ID
		{"123456789", "", ""},    // the same
		{"m1234567", "", ""},     // 7 digits
		{"m12345678901", "", ""}, // 11 digits
		{"m12--345678", "", ""},
		{"m12 345 678 ", "m12345678", "m12-345-678"}, // trailing space is trimmed
		{"m12345678-", "", ""},
		{"m 12 345 678x", "", ""},
		{"m", "", ""},
		{"", "", ""},
		{"mm12345678", "", ""},
		{"m12_345_678", "", ""},
		{"m１２３４５６７８", "", ""}, // full-width digits
		{"http://go.blizz.com/join/m12345678", "", ""},
		{"https://go.blizz.com.evil.example/join/m12345678", "", ""},
		{"https://evil.example/join/m12345678", "", ""},
		{"https://go.blizz.com/m12345678", "", ""},
		{"https://go.blizz.com/join/m12345678/extra", "", ""},
		{"https://user@go.blizz.com/join/m12345678", "", ""},
		{"https://go.blizz.com/join/", "", ""},
		{"https://go.teamviewer.com/join/m12345678", "", ""},
		{"https://go.blizz.com/meet/m12345678", "", ""},
		{"https://go.teamviewer.com.evil.example/meet/m12345678", "", ""},
		{"https://go.teamviewer.com/meet/", "", ""},
		{"http://go.teamviewer.com/meet/m12345678", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			id, err := provider.ParseBlizzID(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("accepted, got %q", id)
				}
				if !strings.Contains(err.Error(), "m12-345-678") {
					t.Errorf("error %q does not show the expected form", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseBlizzID: %v", err)
			}
			if id.String() != tt.want || id.Display() != tt.display {
				t.Errorf("got %q / %q, want %q / %q", id.String(), id.Display(), tt.want, tt.display)
			}
			again, err := provider.ParseBlizzID(id.Display())
			if err != nil || again != id {
				t.Errorf("Display form does not parse back: %v", err)
			}
		})
	}
}

// The error message is the same for every bad input and repeats none of it.
func TestParseBlizzIDDoesNotEchoInput(t *testing.T) {
	for _, in := range []string{"muster person", "m9876543210123", "https://go.blizz.com/join/muster"} {
		_, err := provider.ParseBlizzID(in)
		if err == nil {
			t.Fatalf("accepted %q", in)
		}
		if strings.Contains(err.Error(), "muster") || strings.Contains(err.Error(), "9876543210123") {
			t.Errorf("error repeats the input: %v", err)
		}
	}
}

func TestBlizzIDZero(t *testing.T) {
	var id provider.BlizzID
	if !id.IsZero() || id.String() != "" || id.Display() != "" {
		t.Errorf("zero BlizzID = %q / %q", id.String(), id.Display())
	}
}

func TestBlizzJoinURL(t *testing.T) {
	r := registry(t)
	b, _ := r.Get("blizz")
	id, err := provider.ParseBlizzID("m12-345-678")
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.BlizzJoinURL(id)
	if want := "https://go.blizz.com/join/m12345678"; err != nil || got != want {
		t.Errorf("BlizzJoinURL = %q, %v; want %q", got, err, want)
	}
	if _, err := b.BlizzJoinURL(provider.BlizzID{}); err == nil {
		t.Error("BlizzJoinURL accepted the zero ID")
	}
	j, _ := r.Get("sichere-videokonferenz")
	if _, err := j.BlizzJoinURL(id); err == nil {
		t.Error("BlizzJoinURL accepted a Jitsi provider")
	}
}
