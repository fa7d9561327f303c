package provider_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/expeerienced/counsel/data"
	"github.com/expeerienced/counsel/internal/provider"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "providers.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func ids(ps []provider.Provider) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestLoadEmbeddedOnly(t *testing.T) {
	for name, path := range map[string]string{
		"no override":      "",
		"missing override": filepath.Join(t.TempDir(), "counsel", "providers.yaml"),
	} {
		t.Run(name, func(t *testing.T) {
			r, err := provider.Load(data.Providers(), path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := []string{"blizz", "jitsi-hamburg-freifunk", "jitsi-fem-tu-ilmenau", "sichere-videokonferenz"}
			if got := ids(r.All()); !reflect.DeepEqual(got, want) {
				t.Errorf("All = %v, want %v", got, want)
			}
			if r.Local("blizz") {
				t.Error("embedded provider reported as local")
			}
		})
	}
}

func TestLoadOverride(t *testing.T) {
	// validFile's Jitsi record, re-used with other ids and hosts.
	jitsi := validFile[:strings.Index(validFile, "- id: example-blizz")]
	replaced := strings.NewReplacer(
		"- id: example-jitsi", "- id: sichere-videokonferenz",
		"https://meet.example.org/\n", "https://sichere-videokonferenz.de/\n",
		"status: active", "status: retired\n  notes: Contract ended.",
	).Replace(jitsi)
	path := writeFile(t, jitsi+replaced)

	r, err := provider.Load(data.Providers(), path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []string{"blizz", "jitsi-hamburg-freifunk", "jitsi-fem-tu-ilmenau", "sichere-videokonferenz", "example-jitsi"}
	if got := ids(r.All()); !reflect.DeepEqual(got, want) {
		t.Fatalf("All = %v, want %v (replacements keep their place, additions come last)", got, want)
	}
	s, ok := r.Get("sichere-videokonferenz")
	if !ok || s.Status != provider.StatusRetired || s.Operator != "Example e.V." {
		t.Errorf("override did not replace the whole record: %+v", s)
	}
	if !r.Local("sichere-videokonferenz") || !r.Local("example-jitsi") || r.Local("blizz") {
		t.Error("Local reports the wrong records")
	}
	if _, ok := r.Get("nope"); ok {
		t.Error("Get found an unknown id")
	}
	all := r.All()
	all[0].ID = "changed"
	if p, _ := r.Get("blizz"); p.ID != "blizz" {
		t.Error("All returned the registry's own slice")
	}
}

func TestLoadErrors(t *testing.T) {
	jitsi := validFile[:strings.Index(validFile, "- id: example-blizz")]
	tests := []struct {
		name string
		body string
		want string // after the path
	}{
		{"broken field", edit(24, "  review_due: soon"), ":24: review_due: not a date (want YYYY-MM-DD)"},
		{"unknown field", edit(9, "  gdpr: yes"), ":9: gdpr: unknown field"},
		{"host of an embedded provider", strings.Replace(jitsi, "https://meet.example.org/\n", "https://jitsi.fem.tu-ilmenau.de/\n", 1),
			":4: base_url: host already used by provider \"jitsi-fem-tu-ilmenau\"; give this record id \"jitsi-fem-tu-ilmenau\" to replace it"},
		{"host taken by a replaced record", strings.NewReplacer(
			"- id: example-jitsi", "- id: blizz",
			"https://meet.example.org/\n", "https://sichere-videokonferenz.de/\n").Replace(jitsi),
			":4: base_url: host already used by provider \"sichere-videokonferenz\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.body)
			_, err := provider.Load(data.Providers(), path)
			if err == nil {
				t.Fatal("Load accepted a broken override file")
			}
			if !strings.Contains(err.Error(), path+tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s%s", err, path, tt.want)
			}
		})
	}
	t.Run("unreadable", func(t *testing.T) {
		_, err := provider.Load(data.Providers(), t.TempDir()) // a directory
		if err == nil || !strings.Contains(err.Error(), "reading provider list") {
			t.Errorf("err = %v, want a read error", err)
		}
	})
	t.Run("broken embedded list", func(t *testing.T) {
		_, err := provider.Load([]byte("- id: x\n"), "")
		if err == nil || !strings.HasPrefix(err.Error(), provider.EmbeddedName+":1: ") {
			t.Errorf("err = %v, want it to name %s", err, provider.EmbeddedName)
		}
	})
}

func TestJitsiHost(t *testing.T) {
	r, err := provider.Load(data.Providers(), "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host string
		want string
	}{
		{"jitsi.fem.tu-ilmenau.de", "jitsi-fem-tu-ilmenau"},
		{"JITSI.FEM.TU-ILMENAU.DE", "jitsi-fem-tu-ilmenau"},
		{"jitsi.fem.tu-ilmenau.de.", "jitsi-fem-tu-ilmenau"},
		{"sichere-videokonferenz.de:443", "sichere-videokonferenz"},
		{"sichere-videokonferenz.de:8443", ""},
		{"jitsi.fem.tu-ilmeneau.de", ""}, // the seed's misspelling is not vetted
		{"go.blizz.com", ""},             // not a Jitsi provider
		{"evil.example", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			p, ok := r.JitsiHost(tt.host)
			if ok != (tt.want != "") || p.ID != tt.want {
				t.Errorf("JitsiHost = %q, %v; want %q", p.ID, ok, tt.want)
			}
		})
	}
}
