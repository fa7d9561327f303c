// Package data embeds the files that ship inside the counsel binary: the
// vetted provider list, the e-mail templates and the message catalogue. It holds no logic; the
// provider and invite packages parse what it embeds.
package data

import (
	"embed"
	"io/fs"
)

//go:embed providers.yaml templates i18n
var files embed.FS

// Providers returns the vetted provider list (YAML).
func Providers() []byte {
	b, err := files.ReadFile("providers.yaml")
	if err != nil {
		panic("data: providers.yaml not embedded: " + err.Error()) // a build defect, not a runtime condition
	}
	return b
}

// Templates returns the embedded template folder, rooted at templates/.
func Templates() fs.FS {
	sub, err := fs.Sub(files, "templates")
	if err != nil {
		panic("data: templates not embedded: " + err.Error())
	}
	return sub
}

// Messages returns the German message catalogue (YAML): a list of entries,
// each the English text as in the code and its German text.
func Messages() []byte {
	b, err := files.ReadFile("i18n/de.yaml")
	if err != nil {
		panic("data: i18n/de.yaml not embedded: " + err.Error())
	}
	return b
}
