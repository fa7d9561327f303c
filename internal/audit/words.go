package audit

import "fmt"

// Words is a finding in words: an English format and its arguments, kept apart so that a
// program speaking another language can put the format through its catalogue (keyed by the
// English format) and fill in the same arguments: table names, IDs and seq numbers stay as
// they are. String is the English, the one wording of the JSON output and of Error.
//
// Make it with Say and a literal format: the catalogue's test finds the formats by that call.
type Words struct {
	Format string
	Args   []any
}

// Say is the finding format with args; an argument may itself be Words (a nested finding).
func Say(format string, args ...any) Words { return Words{Format: format, Args: args} }

// String is the finding in English.
func (w Words) String() string { return w.Local(fmt.Sprintf) }

// Local is the finding worded by sprintf, which gets the format and the arguments, nested
// findings already worded by it.
func (w Words) Local(sprintf func(format string, args ...any) string) string {
	args := make([]any, len(w.Args))
	for i, a := range w.Args {
		if n, ok := a.(Words); ok {
			a = n.Local(sprintf)
		}
		args[i] = a
	}
	return sprintf(w.Format, args...)
}
