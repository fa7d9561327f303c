package provider

import (
	"reflect"
	"testing"

	"github.com/expeerienced/counsel/data"
)

// The list compiled in (builtin_gen.go) is data/providers.yaml as Parse reads and validates
// it: after editing the YAML, run go generate ./internal/provider.
func TestBuiltInIsTheYAML(t *testing.T) {
	want, err := Parse(EmbeddedName, data.Providers())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(builtIn, want) {
		for i := range min(len(builtIn), len(want)) {
			if !reflect.DeepEqual(builtIn[i], want[i]) {
				t.Fatalf("built-in provider %d (%s) differs from data/providers.yaml: run go generate ./internal/provider", i, want[i].ID)
			}
		}
		t.Fatalf("built-in list has %d providers, data/providers.yaml %d: run go generate ./internal/provider", len(builtIn), len(want))
	}
	a, err := Load(data.Providers(), "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadBuiltIn("")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("LoadBuiltIn and Load of the embedded YAML give different registries")
	}
}
