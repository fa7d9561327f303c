package provider_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/expeerienced/counsel/internal/provider"
)

// validFile is a small valid list; cases below edit it by line number, so
// keep the numbering comments in step.
const validFile = `- id: example-jitsi
  name: Example Jitsi
  kind: jitsi
  base_url: https://meet.example.org/
  operator: Example e.V.
  registration:
    host: false
    guest: false
  gdpr_statement: Example statement.
  privacy_policy_url: https://meet.example.org/privacy
  data_collected: Room name and display name.
  encryption:
    transport: TLS and DTLS-SRTP
    e2e: 1:1 peer-to-peer
  data_location: Germany
  phone_dial_in: false
  help_url: https://meet.example.org/help
  authority_rating:
    value: green
    authority: Example authority
    date: 2020-07-03
    source: https://authority.example.org/list
  reviewed_on: 2026-11-28
  review_due: 2027-05-28
  status: active
  sources:
    - title: Example source
      url: https://source.example.org/
      retrieved: 2026-11-28
- id: example-blizz
  name: Example Blizz
  kind: blizz
  join_url_template: https://go.blizz.com/join/{id}
  operator: Example GmbH
  registration:
    host: true
    guest: false
  gdpr_statement: The vendor says so.
  privacy_policy_url: https://blizz.example.org/privacy
  data_collected: Account data of the host.
  encryption:
    transport: TLS
    e2e: default
  data_location: EU
  phone_dial_in: true
  reviewed_on: 2026-11-28
  review_due: 2027-05-28
  status: active
  sources:
    - title: Example
      url: https://blizz.example.org/
`

// edit returns validFile with line n (1-based) replaced by text; an empty
// text deletes the line, and text may hold several lines.
func edit(n int, text string) string {
	lines := strings.Split(validFile, "\n")
	if text == "" {
		lines = append(lines[:n-1], lines[n:]...)
	} else {
		lines[n-1] = text
	}
	return strings.Join(lines, "\n")
}

func TestParseValid(t *testing.T) {
	ps, err := provider.Parse("ok.yaml", []byte(validFile))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(ps) != 2 {
		t.Fatalf("got %d providers, want 2", len(ps))
	}
	j, b := ps[0], ps[1]
	if j.ID != "example-jitsi" || j.Kind != provider.KindJitsi || j.Encryption.E2E != provider.E2EOneToOne ||
		j.Rating == nil || j.Rating.Date != "2020-07-03" || j.ReviewedOn != "2026-11-28" || len(j.Sources) != 1 {
		t.Errorf("jitsi record decoded wrongly: %+v", j)
	}
	if b.ID != "example-blizz" || !b.PhoneDialIn || !b.Registration.Host || b.Rating != nil || b.HelpURL != "" {
		t.Errorf("blizz record decoded wrongly: %+v", b)
	}
}

func TestParseEmpty(t *testing.T) {
	for name, in := range map[string]string{
		"empty file":    "",
		"comments only": "# nothing yet\n",
		"empty list":    "[]\n",
		"null":          "~\n",
	} {
		t.Run(name, func(t *testing.T) {
			ps, err := provider.Parse("own.yaml", []byte(in))
			if err != nil || len(ps) != 0 {
				t.Errorf("Parse = %v, %v; want an empty list", ps, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	jitsiBlock := validFile[:strings.Index(validFile, "- id: example-blizz")]
	tests := []struct {
		name string
		in   string
		want string // the first error's text, or its start
	}{
		{"review_due not a date", edit(24, "  review_due: 28.05.2027"), "bad.yaml:24: review_due: not a date (want YYYY-MM-DD)"},
		{"impossible date", edit(23, "  reviewed_on: 2026-02-30"), "bad.yaml:23: reviewed_on: not a date"},
		{"due before review", edit(24, "  review_due: 2026-11-28"), "bad.yaml:24: review_due: must be after reviewed_on"},
		{"missing id", edit(1, "- id:"), "bad.yaml:1: id: required"},
		{"id not a slug", edit(1, "- id: Example_Jitsi"), "bad.yaml:1: id: want a lower-case slug"},
		{"id with double hyphen", edit(1, "- id: example--jitsi"), "bad.yaml:1: id: want a lower-case slug"},
		{"duplicate id", edit(30, "- id: example-jitsi"), "bad.yaml:30: id: duplicate id \"example-jitsi\" (first at line 1)"},
		{"unknown field", edit(5, "  operater: Example e.V."), "bad.yaml:5: operater: unknown field"},
		{"unknown nested field", edit(13, "    transprot: TLS"), "bad.yaml:13: encryption.transprot: unknown field"},
		{"missing nested field", edit(14, ""), "bad.yaml:12: encryption.e2e: required"},
		{"field given twice", edit(3, "  kind: jitsi\n  kind: jitsi"), "bad.yaml:4: kind: given twice"},
		{"bad kind", edit(3, "  kind: zoom"), "bad.yaml:3: kind: want jitsi or blizz"},
		{"bad status", edit(25, "  status: maybe"), "bad.yaml:25: status: want active, deprecated or retired"},
		{"bad e2e level", edit(14, "    e2e: yes please"), "bad.yaml:14: encryption.e2e: want one of"},
		{"http privacy policy", edit(10, "  privacy_policy_url: http://meet.example.org/privacy"), "bad.yaml:10: privacy_policy_url: want an https:// URL"},
		{"url with user", edit(17, "  help_url: https://me:pw@meet.example.org/"), "bad.yaml:17: help_url: URL must not contain a user name or password"},
		{"jitsi base_url http", edit(4, "  base_url: http://meet.example.org/"), "bad.yaml:4: base_url: want an https:// URL"},
		{"jitsi base_url with path", edit(4, "  base_url: https://meet.example.org/room"), "bad.yaml:4: base_url: want https://host/ with no path"},
		{"jitsi base_url upper case", edit(4, "  base_url: https://Meet.example.org/"), "bad.yaml:4: base_url: host must be lower-case"},
		{"jitsi base_url missing", edit(4, ""), "bad.yaml:1: base_url: required"},
		{"jitsi with template", edit(4, "  base_url: https://meet.example.org/\n  join_url_template: https://x.example.org/{id}"), "bad.yaml:5: join_url_template: only for kind blizz"},
		{"blizz template without id", edit(33, "  join_url_template: https://go.blizz.com/join/"), "bad.yaml:33: join_url_template: want exactly one {id} placeholder"},
		{"blizz template http", edit(33, "  join_url_template: http://go.blizz.com/join/{id}"), "bad.yaml:33: join_url_template: want an https:// URL"},
		{"blizz template id in host", edit(33, "  join_url_template: https://{id}.blizz.com/"), "bad.yaml:33: join_url_template:"},
		{"rating value", edit(19, "    value: amber"), "bad.yaml:19: authority_rating.value: want green, yellow or red"},
		{"rating date", edit(21, "    date: July 2020"), "bad.yaml:21: authority_rating.date: not a date (want YYYY, YYYY-MM or YYYY-MM-DD)"},
		{"rating source missing", edit(22, ""), "bad.yaml:18: authority_rating.source: required"},
		{"no sources", strings.Replace(validFile, "  sources:\n    - title: Example source\n      url: https://source.example.org/\n      retrieved: 2026-11-28\n", "  sources: []\n", 1), "bad.yaml:26: sources: required"},
		{"source url missing", edit(28, ""), "bad.yaml:27: sources[0].url: required"},
		{"source retrieved", edit(29, "      retrieved: yesterday"), "bad.yaml:29: sources[0].retrieved: not a date"},
		{"bool as text", edit(16, "  phone_dial_in: yes"), "bad.yaml:16: phone_dial_in: want true or false"},
		{"list for text", edit(5, "  operator: [a, b]"), "bad.yaml:5: operator: want text"},
		{"newline in a single-line field", edit(2, "  name: \"Example\\nJitsi\""), "bad.yaml:2: name: must be a single line"},
		{"control character in notes", edit(25, "  status: deprecated\n  notes: \"why\\u0007\""), "bad.yaml:26: notes: contains a control character"},
		{"deprecated without notes", edit(25, "  status: deprecated"), "bad.yaml:1: notes: required when a provider is deprecated"},
		{"unverified without notes", edit(25, "  status: active\n  unverified: true"), "bad.yaml:1: notes: required when"},
		{"two jitsi on one host", jitsiBlock + strings.Replace(jitsiBlock, "- id: example-jitsi", "- id: example-jitsi-two", 1), "bad.yaml:33: base_url: host already used by provider \"example-jitsi\" (line 4)"},
		{"alias", "- &a\n  id: x\n- *a\n", "bad.yaml:3: (item): aliases are not supported"},
		{"not a list", "id: example\n", "bad.yaml:1: (file): want a list of providers"},
		{"item not a mapping", "- just text\n", "bad.yaml:1: (item): want a provider record"},
		{"two documents", validFile + "---\n- id: x\n", "bad.yaml:52: (file): want exactly one YAML document"},
		{"yaml parser error", "- id: x\n  name: [unclosed\n", "bad.yaml:2: (yaml): did not find expected ',' or ']'"},
		{"yaml parser error in a mapping", "- id: x\n  name: y\n  sources:\n    - title: t\n   url: u\n", "bad.yaml:5: (yaml): did not find expected key"},
		{"yaml scanner error", "- id: x\n  name: \"unclosed\n", "bad.yaml:2: (yaml): found unexpected end of stream"},
		{"tab indentation", "- id: x\n\tname: y\n", "bad.yaml:2: (yaml):"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := provider.Parse("bad.yaml", []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse accepted the file; want %q", tt.want)
			}
			var fe *provider.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v carries no *FieldError", err)
			}
			if fe.File != "bad.yaml" || fe.Line < 1 || fe.Field == "" {
				t.Errorf("FieldError %+v lacks file, line or field", fe)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

// Every problem in a file is reported, in line order, each on its own line.
func TestParseReportsAllErrors(t *testing.T) {
	in := strings.Replace(validFile, "  kind: blizz", "  kind: zoom", 1)
	in = strings.Replace(in, "  status: active\n  sources:\n    - title: Example source", "  status: gone\n  sources:\n    - title: Example source", 1)
	_, err := provider.Parse("bad.yaml", []byte(in))
	if err == nil {
		t.Fatal("Parse accepted the file")
	}
	got := strings.Split(err.Error(), "\n")
	want := []string{
		"bad.yaml:25: status: want active, deprecated or retired",
		"bad.yaml:32: kind: want jitsi or blizz",
	}
	if len(got) != len(want) {
		t.Fatalf("errors:\n%v\nwant %d lines", err, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// Validation is pure: an old review date is valid; warnings report it.
func TestParseIgnoresTheClock(t *testing.T) {
	in := strings.ReplaceAll(validFile, "2026-11-28", "1999-01-01")
	in = strings.ReplaceAll(in, "2027-05-28", "1999-06-01")
	if _, err := provider.Parse("old.yaml", []byte(in)); err != nil {
		t.Fatalf("Parse: %v", err)
	}
}
