//go:build !windows

package cli

// systemLocale is empty outside Windows: there the environment (LC_ALL,
// LC_MESSAGES, LANG) is the user's language setting.
func systemLocale() string { return "" }
