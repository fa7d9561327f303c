//go:build windows

package cli

import "golang.org/x/sys/windows"

// systemLocale is the user's preferred display language on Windows (e.g.
// "de-DE"), where LANG is usually not set.
func systemLocale() string {
	langs, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	if err != nil || len(langs) == 0 {
		return ""
	}
	return langs[0]
}
