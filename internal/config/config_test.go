package config_test

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/expeerienced/counsel/internal/config"
)

func TestDefaultsAreValid(t *testing.T) {
	c, errs := config.FromValues(nil)
	if len(errs) > 0 {
		t.Fatalf("defaults invalid: %v", errs)
	}
	if c.Timezone != "Europe/Berlin" || c.Language != "de" || c.PolicyURL != config.DefaultPolicyURL ||
		c.RetentionSessionDays != 90 || c.RetentionConsentYears != 3 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestFromValuesRefusesBadValues(t *testing.T) {
	tests := []struct{ key, value string }{
		{"timezone", "Mars/Olympus"},
		{"timezone", ""},
		{"language", "fr"},
		{"counsellor", "not an address"},
		{"policy_url", "http://example.org/"},
		{"policy_url", "example.org"},
		{"retention_session_days", "0"},
		{"retention_session_days", "ninety"},
		{"retention_consent_years", "-1"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			_, errs := config.FromValues(map[string]string{tt.key: tt.value})
			if len(errs) != 1 || errs[0].Key != tt.key {
				t.Fatalf("errs = %v, want one problem with %s", errs, tt.key)
			}
		})
	}
}

func TestEveryKeyHasAFieldAndHelp(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range config.Keys {
		if k.Help == "" || seen[k.Name] {
			t.Errorf("key %q: missing help or duplicate", k.Name)
		}
		seen[k.Name] = true
		if _, ok := config.Lookup(k.Name); !ok {
			t.Errorf("Lookup(%q) failed", k.Name)
		}
	}
}

// The template written by `config init` must parse as YAML and, once every
// line is uncommented, set every key to its default.
func TestTemplateRoundTrips(t *testing.T) {
	tmpl := config.Template()
	var empty map[string]any
	if err := yaml.Unmarshal([]byte(tmpl), &empty); err != nil || len(empty) != 0 {
		t.Fatalf("commented template should set nothing: %v %v", empty, err)
	}
	var lines []string
	for _, l := range strings.Split(tmpl, "\n") {
		for _, k := range config.Keys {
			if strings.HasPrefix(l, "# "+k.Name+": ") {
				lines = append(lines, strings.TrimPrefix(l, "# "))
			}
		}
	}
	var set map[string]any
	if err := yaml.Unmarshal([]byte(strings.Join(lines, "\n")), &set); err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for _, k := range config.Keys {
		v, ok := set[k.Name]
		if !ok {
			t.Fatalf("template lacks key %s", k.Name)
		}
		values[k.Name] = strings.TrimSpace(strings.Trim(strings.TrimSpace(toString(v)), `"`))
	}
	if _, errs := config.FromValues(values); len(errs) > 0 {
		t.Fatalf("uncommented template is invalid: %v", errs)
	}
}

func toString(v any) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}

func TestDataDir(t *testing.T) {
	env := map[string]string{"HOME": "/home/c", "XDG_DATA_HOME": "", "LocalAppData": `C:\Users\c\AppData\Local`}
	getenv := func(k string) string { return env[k] }
	got, err := config.DataDir(getenv)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"linux":   filepath.Join("/home/c", ".local", "share", "counsel"),
		"darwin":  filepath.Join("/home/c", "Library", "Application Support", "counsel"),
		"windows": filepath.Join(`C:\Users\c\AppData\Local`, "counsel"),
	}[runtime.GOOS]
	if want != "" && got != want {
		t.Fatalf("DataDir = %q, want %q", got, want)
	}
	if runtime.GOOS == "linux" {
		env["XDG_DATA_HOME"] = "/data"
		if got, _ := config.DataDir(getenv); got != filepath.Join("/data", "counsel") {
			t.Fatalf("XDG_DATA_HOME ignored: %q", got)
		}
		env["XDG_DATA_HOME"], env["HOME"] = "relative", ""
		if _, err := config.DataDir(getenv); err == nil {
			t.Fatal("want an error without HOME and with a relative XDG_DATA_HOME")
		}
	}
}
