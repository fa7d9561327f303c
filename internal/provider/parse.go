package provider

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// FieldError is one problem in a provider file. Its text reads
// "FILE:LINE: FIELD: MESSAGE", e.g.
// "providers.yaml:12: review_due: not a date (want YYYY-MM-DD)".
// Nested fields are dotted ("encryption.e2e", "sources[1].url"); problems
// with the file as a whole name the field "(file)" or "(yaml)".
type FieldError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

const (
	maxFileSize = 1 << 20
	maxErrors   = 50 // enough to fix a file; more is noise
	maxLine     = 300
	maxURL      = 2000
	maxText     = 4000
	maxIDLen    = 40
	maxName     = 80
)

// Parse reads a provider list (a YAML sequence of provider records) and
// validates every record. name is used only in error messages. Unknown
// fields, aliases and duplicate keys are rejected. On failure the error
// joins one *FieldError per problem, ordered by line. An empty file is an
// empty list.
//
// Validation never looks at the clock: a review date in the past is valid
// here and reported by Provider.Warnings instead.
func Parse(name string, b []byte) ([]Provider, error) {
	recs, err := parse(name, b)
	if err != nil {
		return nil, err
	}
	return providersOf(recs), nil
}

func providersOf(recs []record) []Provider {
	out := make([]Provider, len(recs))
	for i, r := range recs {
		out[i] = r.p
	}
	return out
}

// record is a parsed provider with the lines of its fields, kept so that
// the registry can point at the right line when it merges lists.
type record struct {
	p     Provider
	line  int            // line of the record itself
	lines map[string]int // field path -> line of its key
}

// lineOf is the line of a field's key; a missing field falls back to its
// parent ("sources[1].url" to "sources[1]"), then to the record.
func (r record) lineOf(field string) int {
	for {
		if l, ok := r.lines[field]; ok {
			return l
		}
		i := strings.LastIndex(field, ".")
		if i < 0 {
			return r.line
		}
		field = field[:i]
	}
}

type errList struct {
	file string
	errs []*FieldError
}

func (l *errList) add(line int, field, format string, args ...any) {
	l.errs = append(l.errs, &FieldError{File: l.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (l *errList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	sort.SliceStable(l.errs, func(i, j int) bool { return l.errs[i].Line < l.errs[j].Line })
	if len(l.errs) > maxErrors {
		l.errs = l.errs[:maxErrors]
	}
	es := make([]error, len(l.errs))
	for i, e := range l.errs {
		es[i] = e
	}
	return errors.Join(es...)
}

func parse(name string, b []byte) ([]record, error) {
	el := &errList{file: name}
	if len(b) > maxFileSize {
		el.add(1, "(file)", "larger than %d bytes", maxFileSize)
		return nil, el.err()
	}
	root, ok := decodeDocument(el, b)
	if !ok {
		return nil, el.err()
	}
	recs := make([]record, 0)
	if root == nil || (root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null") {
		return recs, nil
	}
	if root.Kind != yaml.SequenceNode {
		el.add(root.Line, "(file)", "want a list of providers (each item starting with \"- id: ...\")")
		return nil, el.err()
	}
	for _, item := range root.Content {
		r := record{line: item.Line, lines: map[string]int{}}
		if item.Kind == yaml.AliasNode {
			el.add(item.Line, "(item)", "aliases are not supported")
			continue
		}
		if item.Kind != yaml.MappingNode {
			el.add(item.Line, "(item)", "want a provider record (a mapping of fields)")
			continue
		}
		decodeStruct(el, item, reflect.ValueOf(&r.p).Elem(), "", r.lines)
		validate(el, r)
		recs = append(recs, r)
	}
	checkUnique(el, recs)
	if err := el.err(); err != nil {
		return nil, err
	}
	return recs, nil
}

// lazyRE compiles a pattern on first use: only a counsellor's own provider file is parsed, so
// most runs never need one, and compiling them all at start cost every command.
func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Check reads a provider file as Parse does and also holds it to the
// review standard of the vetted list: every fact the record states is
// confirmed by a source (sources[].facts) or listed in unverified_facts,
// every source says when it was retrieved, and the client lines exist in
// every language of the e-mail. `counsel providers check` runs it; the
// embedded list passes it (a test says so).
func Check(name string, b []byte) ([]Provider, error) {
	recs, err := parse(name, b)
	if err != nil {
		return nil, err
	}
	el := &errList{file: name}
	for _, r := range recs {
		checkSourced(el, r)
	}
	if err := el.err(); err != nil {
		return nil, err
	}
	return providersOf(recs), nil
}
