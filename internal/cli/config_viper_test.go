package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/viper"
)

// viperConfig is how counsel read its config file with viper: the keys, each with its value,
// or the error.
func viperConfig(path string) (map[string]any, error) {
	v := viper.New()
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		return nil, err
	}
	m := map[string]any{}
	for _, k := range v.AllKeys() {
		m[k] = v.Get(k)
	}
	return m, nil
}

// checkConfigAsViper reads doc both ways: the same error, or the same keys and values. A
// document viper itself reads in no fixed way (ambiguousConfig) is compared by error alone.
func checkConfigAsViper(t *testing.T, doc string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	want, werr := viperConfig(path)
	got, gerr := readConfigFile(path)
	if (werr != nil) != (gerr != nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("config %q: error %v, viper's %v", doc, gerr, werr)
	}
	if werr != nil || ambiguousConfig(doc) {
		return
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("config %q:\n got  %#v\n viper %#v", doc, got, want)
	}
}

// ambiguousConfig: keys that fold to one (Db and db, or a.b beside a: {b: }), which viper
// resolves in map order, so two runs of viper itself can differ.
func ambiguousConfig(doc string) bool {
	var seen = map[string]int{}
	for _, l := range strings.Split(doc, "\n") {
		k, _, ok := strings.Cut(strings.TrimSpace(l), ":")
		if ok {
			seen[strings.ToLower(strings.Trim(k, `"' `))]++
		}
	}
	for k, n := range seen {
		if n > 1 || strings.Contains(k, ".") {
			return true
		}
	}
	return false
}

func TestConfigFileAsViper(t *testing.T) {
	for _, doc := range []string{
		"", "\n", "# only a comment\n", "timezone: Europe/Berlin\n", "Timezone: Europe/Berlin\nDB: x.db\n",
		"retention_session_days: 90\n", "retention_session_days: ninety\n", "db:\n", "db: ~\n",
		"colour: blue\n", "timezone: [unclosed\n", "- a\n- b\n", "just text\n", "notice:\n  a: 1\n  B: two\n",
		"notice: {}\n", "x: [1, 2]\n", "x: 1.5\n", "x: true\n", "x: 2026-12-01\n", "1: a\n", "n:\n  1: a\n  true: b\n",
		"a: &x 1\nb: *x\n", "a: !!binary aGVsbG8=\n", "---\ntimezone: UTC\n---\ndb: y\n",
	} {
		checkConfigAsViper(t, doc)
	}
}

func FuzzConfigFileAsViper(f *testing.F) {
	for _, doc := range []string{"timezone: Europe/Berlin\n", "Db: x\nn:\n  a: 1\n", "x: [1\n", "1: a\n"} {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		checkConfigAsViper(t, doc)
	})
}
