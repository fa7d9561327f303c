package provider

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var yamlLineRE = lazyRE(`^yaml: line (\d+): (.*)$`)

// decodeDocument parses exactly one YAML document into a node tree. It
// returns (nil, true) for an empty file.
func decodeDocument(el *errList, b []byte) (root *yaml.Node, ok bool) {
	// The YAML library has panicked on hostile input in the past; a broken
	// override file must end in an error, not a crash.
	defer func() {
		if r := recover(); r != nil {
			el.add(1, "(yaml)", "the YAML parser failed on this file")
			root, ok = nil, false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, true
		}
		addYAMLError(el, err)
		return nil, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := 1
		if err == nil {
			line = extra.Line
		}
		el.add(line, "(file)", "want exactly one YAML document")
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, true
	}
	return doc.Content[0], true
}

// yamlParserProblems are the messages of the YAML library's parser (as
// opposed to its scanner). The library reports their line 0-based, the
// scanner's 1-based.
var yamlParserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected node content",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"found undefined tag handle",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
}

func addYAMLError(el *errList, err error) {
	msg := err.Error()
	if m := yamlLineRE().FindStringSubmatch(msg); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil {
			for _, p := range yamlParserProblems {
				if m[2] == p {
					n++
					break
				}
			}
			el.add(n, "(yaml)", "%s", m[2])
			return
		}
	}
	el.add(1, "(yaml)", "%s", strings.TrimPrefix(msg, "yaml: "))
}

// decodeStruct fills the struct v from a mapping node, field by field, so
// that every problem carries the line and the dotted name of its field.
func decodeStruct(el *errList, n *yaml.Node, v reflect.Value, prefix string, lines map[string]int) {
	if n.Kind == yaml.AliasNode {
		el.add(n.Line, strings.TrimSuffix(prefix, ".")+"(alias)", "aliases are not supported")
		return
	}
	if n.Kind != yaml.MappingNode {
		el.add(n.Line, strings.TrimSuffix(prefix, "."), "want a mapping of fields")
		return
	}
	t := v.Type()
	fields := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		fields[tag] = i
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			el.add(k.Line, strings.TrimSuffix(prefix, ".")+"(key)", "field names must be plain words")
			continue
		}
		path := prefix + k.Value
		fi, known := fields[k.Value]
		if !known {
			el.add(k.Line, prefix+shownKey(k.Value), "unknown field")
			continue
		}
		if seen[k.Value] {
			el.add(k.Line, path, "given twice")
			continue
		}
		seen[k.Value] = true
		lines[path] = k.Line
		decodeValue(el, val, v.Field(fi), path, lines)
	}
}

var plainKeyRE = lazyRE(`^[A-Za-z0-9_-]{1,40}$`)

// shownKey is an unknown key as an error may show it: plain words as they
// are, anything else quoted and cut short, so one error stays one line.
func shownKey(k string) string {
	if plainKeyRE().MatchString(k) {
		return k
	}
	if r := []rune(k); len(r) > 40 {
		k = string(r[:40]) + "..."
	}
	return strconv.Quote(k)
}

func decodeValue(el *errList, n *yaml.Node, f reflect.Value, path string, lines map[string]int) {
	if n.Kind == yaml.AliasNode {
		el.add(n.Line, path, "aliases are not supported")
		return
	}
	// A null value leaves the field as an absent one would, whatever its type.
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return
	}
	switch f.Kind() {
	case reflect.String:
		s, ok := scalarString(n)
		if !ok {
			el.add(n.Line, path, "want text")
			return
		}
		f.SetString(s)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			el.add(n.Line, path, "want true or false")
			return
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			el.add(n.Line, path, "want true or false")
			return
		}
		f.SetBool(b)
	case reflect.Pointer:
		p := reflect.New(f.Type().Elem())
		decodeStruct(el, n, p.Elem(), path+".", lines)
		f.Set(p)
	case reflect.Struct:
		decodeStruct(el, n, f, path+".", lines)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			el.add(n.Line, path, "want a list")
			return
		}
		s := reflect.MakeSlice(f.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			ip := fmt.Sprintf("%s[%d]", path, i)
			lines[ip] = item.Line
			if s.Index(i).Kind() == reflect.String {
				decodeValue(el, item, s.Index(i), ip, lines)
				continue
			}
			decodeStruct(el, item, s.Index(i), ip+".", lines)
		}
		f.Set(s)
	case reflect.Map:
		decodeMap(el, n, f, path, lines)
	default:
		// Only reachable if Provider gains a field type this decoder lacks.
		el.add(n.Line, path, "field type not supported by the provider file reader")
	}
}

// decodeMap fills a map with string keys from a mapping node; each entry's
// path is "path.key". An empty mapping leaves the map nil, as an absent one
// does, so that a record reads the same after a round trip.
func decodeMap(el *errList, n *yaml.Node, f reflect.Value, path string, lines map[string]int) {
	if n.Kind != yaml.MappingNode {
		el.add(n.Line, path, "want a mapping")
		return
	}
	m := reflect.MakeMapWithSize(f.Type(), len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			el.add(k.Line, path+"(key)", "keys must be plain words")
			continue
		}
		kp := path + "." + shownKey(k.Value)
		key := reflect.ValueOf(k.Value).Convert(f.Type().Key())
		if m.MapIndex(key).IsValid() {
			el.add(k.Line, kp, "given twice")
			continue
		}
		lines[kp] = k.Line
		v := reflect.New(f.Type().Elem()).Elem()
		decodeValue(el, val, v, kp, lines)
		m.SetMapIndex(key, v)
	}
	if m.Len() > 0 {
		f.Set(m)
	}
}

// scalarString accepts any plain scalar as text (so an unquoted date stays
// the text it was), but not mappings, lists, binary or custom tags.
func scalarString(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		return "", false
	}
	switch n.ShortTag() {
	case "!!str", "!!int", "!!float", "!!bool", "!!timestamp":
		return n.Value, true
	}
	return "", false
}
