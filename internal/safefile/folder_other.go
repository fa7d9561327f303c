//go:build !unix

package safefile

import "os"

// lockFolder: this system has no lock counsel uses on a folder, so a later run cannot tell a
// folder being filled from one a killed process left; CleanLeftovers reports them instead.
func lockFolder(path string) (*os.File, error) { return nil, nil }

func removeLeftover(path string, known func(string) bool) (busy bool, kept Kept, err error) {
	if _, err := os.Lstat(path); err != nil {
		return true, Removed, nil
	}
	return false, KeptCannotTell, nil
}
