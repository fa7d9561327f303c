package provider

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// EmbeddedName is how errors name the list built into the binary.
const EmbeddedName = "data/providers.yaml"

//go:generate go run ./internal/genbuiltin ../../data/providers.yaml builtin_gen.go

// Registry is the list a counsellor works with: the embedded vetted list,
// changed by the counsellor's own file. It is read-only once loaded.
type Registry struct {
	list  []Provider
	local map[string]bool // ids that come from the counsellor's file
}

// Load parses the embedded list and, if overridePath is not empty and the
// file exists, the counsellor's own list in the same schema. A record in
// the own list replaces the embedded record with the same id as a whole
// (fields are not merged); any other record is added after the embedded
// ones. A missing own file is fine; an unreadable or invalid one is an
// error naming the file, the line and the field. The merged list must not
// put two Jitsi providers on one host.
//
// `counsel providers check FILE` can call Load(embedded, FILE) to check a
// file exactly as it would be used.
func Load(embedded []byte, overridePath string) (*Registry, error) {
	base, err := parse(EmbeddedName, embedded)
	if err != nil {
		return nil, err
	}
	return loadOver(base, overridePath)
}

// LoadBuiltIn is Load of the list built into the binary: the vetted list is compiled in as Go
// values (builtin_gen.go, made from data/providers.yaml by go generate), so only the
// counsellor's own file is parsed.
func LoadBuiltIn(overridePath string) (*Registry, error) {
	base := make([]record, len(builtIn))
	for i, p := range builtIn {
		base[i] = record{p: p}
	}
	return loadOver(base, overridePath)
}

// loadOver merges the counsellor's own list at overridePath, if there is one, over base.
func loadOver(base []record, overridePath string) (*Registry, error) {
	var own []record
	if overridePath != "" {
		b, err := os.ReadFile(overridePath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("reading provider list: %w", err)
		default:
			if own, err = parse(overridePath, b); err != nil {
				return nil, err
			}
		}
	}
	return merge(overridePath, base, own)
}

func merge(ownName string, base, own []record) (*Registry, error) {
	recs := append([]record(nil), base...)
	local := map[string]bool{}
	pos := map[string]int{}
	for i, r := range recs {
		pos[r.p.ID] = i
	}
	for _, r := range own {
		if i, ok := pos[r.p.ID]; ok {
			recs[i] = r
		} else {
			pos[r.p.ID] = len(recs)
			recs = append(recs, r)
		}
		local[r.p.ID] = true
	}
	// Each list was checked on its own; only a local record can now clash
	// with an embedded one.
	el := &errList{file: ownName}
	hosts := map[string]record{}
	for _, r := range recs {
		if r.p.Kind != KindJitsi {
			continue
		}
		h, _ := jitsiBaseHost(r.p.BaseURL)
		other, dup := hosts[h]
		if !dup {
			hosts[h] = r
			continue
		}
		mine := r
		if !local[r.p.ID] {
			mine, other = other, r
		}
		el.add(mine.lineOf("base_url"), "base_url", "host already used by provider %q; give this record id %q to replace it", other.p.ID, other.p.ID)
	}
	if err := el.err(); err != nil {
		return nil, err
	}
	list := make([]Provider, len(recs))
	for i, r := range recs {
		list[i] = r.p
	}
	return &Registry{list: list, local: local}, nil
}

// All returns every provider, retired ones included, in a stable order:
// the embedded list's order, then the counsellor's additions in file order.
// The slice is a copy.
func (r *Registry) All() []Provider {
	return append([]Provider(nil), r.list...)
}

// Get finds a provider by its id.
func (r *Registry) Get(id string) (Provider, bool) {
	for _, p := range r.list {
		if p.ID == id {
			return p, true
		}
	}
	return Provider{}, false
}

// Local reports whether the provider with this id comes from (or was
// replaced by) the counsellor's own file.
func (r *Registry) Local(id string) bool {
	return r.local[id]
}

// JitsiHost finds the Jitsi provider serving host (as in a URL: "name" or
// "name:port"; case, a trailing dot and the port 443 do not matter). It
// returns providers of any status; the caller decides what a status means.
func (r *Registry) JitsiHost(host string) (Provider, bool) {
	want := normalHost(host)
	for _, p := range r.list {
		if p.Kind != KindJitsi {
			continue
		}
		if h, ok := jitsiBaseHost(p.BaseURL); ok && h == want {
			return p, true
		}
	}
	return Provider{}, false
}

// jitsiHosts lists the hosts of usable Jitsi providers, for error hints.
func (r *Registry) jitsiHosts() []string {
	var hs []string
	for _, p := range r.list {
		if p.Kind != KindJitsi || p.Status == StatusRetired {
			continue
		}
		if h, ok := jitsiBaseHost(p.BaseURL); ok {
			hs = append(hs, h)
		}
	}
	return hs
}
