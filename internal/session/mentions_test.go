package session_test

import (
	"testing"

	"github.com/expeerienced/counsel/internal/session"
)

func TestMentionsName(t *testing.T) {
	for _, tt := range []struct {
		text, name string
		want       bool
	}{
		{"counsel consent revoke Client-A --yes", "Client-A", true},
		{"counsel consent revoke 'client-a' --yes", "Client-A", true},
		{"counsel session new --client \"Client  Zeta\"", "Client Zeta", true},
		{"counsel session new --client Cli\u00adent-A", "Client-A", true},
		{"counsel session new --client ＣＬＩＥＮＴ-Ａ", "Client-A", true},
		{": 1764450000:0;counsel consent revoke Kim", "Kim", true},
		{"sudo apt install vim", "Al", false},
		{"echo Alma", "Al", false},
		{"counsel consent revoke Al", "Al", true},
		{"counsel consent revoke Client-AB", "Client-A", false},
		{"ls", "", false},
	} {
		if got := session.MentionsName(tt.text, tt.name); got != tt.want {
			t.Errorf("MentionsName(%q, %q) = %v, want %v", tt.text, tt.name, got, tt.want)
		}
	}
}

// FuzzMentionsName: a name is always found in a line that holds it between
// spaces, whatever it is made of.
func FuzzMentionsName(f *testing.F) {
	for _, s := range []string{"Client-A", "Kim", "Ｋｉｍ", "a\u00adb", "Zoë", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if session.NameKey(name) == "" {
			return
		}
		if !session.MentionsName("counsel consent revoke "+name+" --yes", name) {
			t.Fatalf("%q not found in a line that holds it", name)
		}
	})
}
