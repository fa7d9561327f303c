package doctor

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

const idSync = "cloud_sync"

// synced is a cloud service found copying a folder.
type synced struct {
	service, root, how string
}

// cloudSync fails when the database or the proof key sits in a folder that
// a sync service copies to other machines or a provider's servers: the
// records would leave the laptop without any of counsel's guarantees.
func cloudSync(p Probe, s Setup) Check {
	c := Check{ID: idSync}
	var found []string
	for _, f := range []struct{ what, path string }{{"database", s.DBPath}, {"proof key", s.KeyPath}} {
		if f.path == "" {
			continue
		}
		if hit, ok := syncedBy(p, s.Home, existing(p, f.path)); ok {
			found = append(found, fmt.Sprintf("the %s is in a folder that %s copies elsewhere (%s, found by %s)", f.what, hit.service, hit.root, hit.how))
		}
	}
	if len(found) == 0 {
		c.Status = OK
		c.Summary = "neither the database nor the proof key is in a folder of Dropbox, OneDrive, iCloud Drive, Google Drive, Nextcloud/ownCloud or Syncthing"
		return c
	}
	c.Status, c.Summary = Fail, strings.Join(found, "; ")
	c.Hint = "move the database to a folder no sync service copies (--db, COUNSEL_DB or the config key db) and remove the copies the service already has; " +
		"backups belong on an encrypted medium you control"
	return c
}

// syncedBy looks for the markers of each sync service on path and its
// folders.
func syncedBy(p Probe, home, path string) (synced, bool) {
	// Roots the services name in their own configuration.
	for _, r := range configuredRoots(p, home) {
		if within(path, r.root) {
			return r, true
		}
	}
	// Markers the services leave in the root of a synced folder.
	for dir := path; ; {
		if entries, err := p.ReadDir(dir); err == nil {
			for _, e := range entries {
				n := e.Name()
				switch {
				case n == ".dropbox" && !e.IsDir():
					return synced{"Dropbox", dir, "its .dropbox file"}, true
				case n == ".stfolder":
					return synced{"Syncthing", dir, "its .stfolder marker"}, true
				case (strings.HasPrefix(n, ".sync_") || strings.HasPrefix(n, "._sync_")) && strings.HasSuffix(n, ".db"):
					return synced{"Nextcloud or ownCloud", dir, "its sync database " + n}, true
				case n == ".tmp.drivedownload" || n == ".tmp.driveupload":
					return synced{"Google Drive", dir, "its " + n + " folder"}, true
				}
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	// Folders whose place or name says which service owns them.
	sep := string(filepath.Separator)
	if home != "" {
		for _, r := range []synced{
			{"iCloud Drive", filepath.Join(home, "Library", "Mobile Documents"), "its folder name"},
			{"iCloud Drive", filepath.Join(home, "iCloudDrive"), "its folder name"},
		} {
			if within(path, r.root) {
				return r, true
			}
		}
		// macOS moves Desktop and Documents into iCloud Drive when asked to.
		docs := filepath.Join(home, "Library", "Mobile Documents", "com~apple~CloudDocs")
		for _, d := range []string{"Desktop", "Documents"} {
			if within(path, filepath.Join(home, d)) {
				if _, err := p.Stat(filepath.Join(docs, d)); err == nil {
					return synced{"iCloud Drive", filepath.Join(home, d), "Desktop & Documents sync being on"}, true
				}
			}
		}
		cs := filepath.Join(home, "Library", "CloudStorage")
		if within(path, cs) && path != cs {
			rel, _ := filepath.Rel(cs, path)
			first := strings.Split(rel, sep)[0]
			service := "a cloud storage provider"
			switch {
			case strings.HasPrefix(first, "OneDrive"):
				service = "OneDrive"
			case strings.HasPrefix(first, "GoogleDrive"):
				service = "Google Drive"
			case strings.HasPrefix(first, "Dropbox"):
				service = "Dropbox"
			case strings.HasPrefix(first, "iCloud"):
				service = "iCloud Drive"
			}
			return synced{service, filepath.Join(cs, first), "its place in Library/CloudStorage"}, true
		}
	}
	parts := strings.Split(path, sep)
	for i, part := range parts {
		root := strings.Join(parts[:i+1], sep)
		switch {
		case part == "OneDrive" || strings.HasPrefix(part, "OneDrive - "):
			return synced{"OneDrive", root, "its folder name"}, true
		case part == "Google Drive" || part == "My Drive" || part == "Meine Ablage":
			return synced{"Google Drive", root, "its folder name"}, true
		case part == "Dropbox" || strings.HasPrefix(part, "Dropbox ("):
			return synced{"Dropbox", root, "its folder name"}, true
		case part == "Nextcloud" || part == "ownCloud":
			return synced{"Nextcloud or ownCloud", root, "its folder name"}, true
		}
	}
	return synced{}, false
}

// configuredRoots are the synced folders named by the services' own
// configuration: Dropbox's info.json and OneDrive's environment variables.
func configuredRoots(p Probe, home string) []synced {
	var roots []synced
	var infos []string
	if home != "" {
		infos = append(infos, filepath.Join(home, ".dropbox", "info.json"))
	}
	for _, env := range []string{"APPDATA", "LOCALAPPDATA"} {
		if d := p.Getenv(env); d != "" {
			infos = append(infos, filepath.Join(d, "Dropbox", "info.json"))
		}
	}
	for _, f := range infos {
		b, err := p.ReadFile(f)
		if err != nil {
			continue
		}
		var info map[string]struct {
			Path string `json:"path"`
		}
		if json.Unmarshal(b, &info) != nil {
			continue
		}
		keys := make([]string, 0, len(info))
		for k := range info {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if info[k].Path != "" {
				roots = append(roots, synced{"Dropbox", filepath.Clean(info[k].Path), "Dropbox's info.json"})
			}
		}
	}
	for _, env := range []string{"OneDrive", "OneDriveCommercial", "OneDriveConsumer"} {
		if d := p.Getenv(env); d != "" {
			roots = append(roots, synced{"OneDrive", filepath.Clean(d), "the " + env + " environment variable"})
		}
	}
	return roots
}
