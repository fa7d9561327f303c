package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
)

const (
	idModes    = "file_modes"
	idKey      = "proof_key"
	idReview   = "provider_review"
	idSettings = "notice_settings"
)

// fileModes checks that only the owner can read the database, its journal
// files and its folder (design: folder 0700, files 0600).
func fileModes(p Probe, s Setup) Check {
	c := Check{ID: idModes}
	if p.GOOS == "windows" {
		c.Status = Unknown
		c.Summary = "Windows guards files with access lists, which counsel does not read"
		c.Hint = "keep the database in your own user folder (the default), which other users cannot open"
		return c
	}
	dir := filepath.Dir(s.DBPath)
	if _, err := p.Stat(s.DBPath); errors.Is(err, fs.ErrNotExist) {
		c.Status, c.Summary = OK, "no database yet; counsel creates it private (folder 0700, file 0600)"
		return c
	}
	var loose []string
	var fix []string
	check := func(path string, want fs.FileMode) {
		fi, err := p.Lstat(path)
		if err != nil {
			return
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return // the target is checked under its own name
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			loose = append(loose, fmt.Sprintf("%s is %#o", path, perm))
			fix = append(fix, fmt.Sprintf("chmod %o %s", want, shellQuote(path)))
		}
	}
	check(dir, 0o700)
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		check(s.DBPath+suffix, 0o600)
	}
	if len(loose) == 0 {
		c.Status, c.Summary = OK, "the database and its folder are private to your user (no access for group or others)"
		return c
	}
	c.Status = Fail
	c.Summary = fmt.Sprintf("other users of this computer can read the records: %s", strings.Join(loose, ", "))
	c.Hint = fmt.Sprintf("run: %s", strings.Join(fix, " && "))
	return c
}

func shellQuote(s string) string {
	if strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// proofKey reports where the proof key is and whether it is private. It
// lives outside the database so that a copied database alone cannot test
// guessed names against withdrawal proofs.
func proofKey(p Probe, s Setup) Check {
	c := Check{ID: idKey}
	fi, err := p.Stat(s.KeyPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.Status = OK
		c.Summary = fmt.Sprintf("no proof key yet (%s); counsel makes it at the first withdrawal", s.KeyPath)
		return c
	case err != nil:
		c.Status, c.Summary = Unknown, "cannot read the proof key at "+s.KeyPath
		c.Hint = "check that the file exists and belongs to you"
		return c
	}
	if p.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		c.Status = Fail
		c.Summary = fmt.Sprintf("the proof key %s is readable by others (mode %#o)", s.KeyPath, fi.Mode().Perm())
		c.Hint = fmt.Sprintf("run: chmod 600 %s", shellQuote(s.KeyPath))
		return c
	}
	c.Status = OK
	c.Summary = fmt.Sprintf("the proof key is at %s, outside the database", s.KeyPath)
	c.Hint = "back it up apart from the database, on an encrypted medium: without it withdrawn names cannot be recognised again"
	if sameDir(s.KeyPath, s.DBPath) {
		c.Summary = fmt.Sprintf("the proof key is at %s, outside the database but in the database's folder", s.KeyPath)
		c.Hint = "a copy of that whole folder carries both; copy the database alone when you hand it over, and back the key up apart from it"
	}
	return c
}

func sameDir(a, b string) bool {
	return filepath.Clean(filepath.Dir(a)) == filepath.Clean(filepath.Dir(b))
}

// providerReview warns about providers whose review date has passed, and
// about deprecated ones still on the list.
func providerReview(s Setup) Check {
	c := Check{ID: idReview}
	today := s.Today.Format(time.DateOnly)
	var due, deprecated []string
	for _, pr := range s.Providers {
		if pr.Status == "retired" {
			continue
		}
		if pr.ReviewDue != "" && today > pr.ReviewDue {
			due = append(due, fmt.Sprintf("%s (due %s)", pr.ID, pr.ReviewDue))
		}
		if pr.Status == "deprecated" {
			deprecated = append(deprecated, pr.ID)
		}
	}
	if len(due) == 0 && len(deprecated) == 0 {
		c.Status, c.Summary = OK, fmt.Sprintf("all %d usable providers are reviewed and current", countUsable(s.Providers))
		return c
	}
	c.Status = Warn
	var parts []string
	if len(due) > 0 {
		parts = append(parts, fmt.Sprintf("review overdue: %s", strings.Join(due, ", ")))
	}
	if len(deprecated) > 0 {
		parts = append(parts, fmt.Sprintf("deprecated: %s", strings.Join(deprecated, ", ")))
	}
	c.Summary = strings.Join(parts, "; ")
	c.Hint = "read each provider's facts with 'counsel providers show ID', check them against the provider's current privacy policy, and update reviewed_on/review_due in your providers.yaml"
	return c
}

func countUsable(ps []Provider) int {
	n := 0
	for _, p := range ps {
		if p.Status != "retired" {
			n++
		}
	}
	return n
}

// noticeSettings fails when a setting the consent notice needs (Art. 13:
// controller, contact, how to withdraw, where to complain) is empty.
func noticeSettings(s Setup) Check {
	c := Check{ID: idSettings}
	var missing []string
	for _, st := range s.NoticeSettings {
		if strings.TrimSpace(st.Value) == "" {
			missing = append(missing, st.Key)
		}
	}
	if len(missing) == 0 {
		c.Status, c.Summary = OK, "the settings the consent notice needs are set"
		return c
	}
	c.Status = Fail
	c.Summary = fmt.Sprintf("the consent notice lacks: %s", strings.Join(missing, ", "))
	c.Hint = "set them in the config file ('counsel config path' shows where; 'counsel config init' writes one to start from)"
	return c
}
