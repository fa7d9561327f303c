// Package data embeds the files that ship inside the counsel binary: the
// vetted provider list and the e-mail templates. It holds no logic; the
// provider and invite packages parse what it embeds.
package data

import (
	"embed"
	"io/fs"
)

//go:embed providers.yaml templates
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
