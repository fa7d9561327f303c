package doctor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeProbe reads a fake tree under root: its own mountinfo and
// /sys/class/block, no programs, no environment unless env says.
func fakeProbe(t *testing.T, goos string, env map[string]string) (Probe, string) {
	t.Helper()
	root := t.TempDir()
	p := System(func(k string) string { return env[k] }, filepath.EvalSymlinks)
	p.GOOS = goos
	p.MountInfo = filepath.Join(root, "mountinfo")
	p.SysBlock = filepath.Join(root, "sys", "class", "block")
	p.Run = func(string, ...string) ([]byte, error) { return nil, errors.New("no programs in tests") }
	return p, root
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// blockDev makes /sys/class/block/NAME with dev, an optional dm/uuid and
// slaves.
func blockDev(t *testing.T, sys, name, majMin, dmUUID string, slaves ...string) {
	t.Helper()
	write(t, filepath.Join(sys, name, "dev"), majMin+"\n")
	if dmUUID != "" {
		write(t, filepath.Join(sys, name, "dm", "uuid"), dmUUID+"\n")
	}
	for _, s := range slaves {
		if err := os.MkdirAll(filepath.Join(sys, name, "slaves", s), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLinuxEncryption(t *testing.T) {
	tests := []struct {
		name      string
		mountinfo string
		devs      func(t *testing.T, sys string)
		want      Status
		summary   string
	}{
		{"LUKS under LVM", "27 1 253:1 / / rw - ext4 /dev/mapper/vg-root rw\n",
			func(t *testing.T, sys string) {
				blockDev(t, sys, "dm-1", "253:1", "LVM-abc", "dm-0")
				blockDev(t, sys, "dm-0", "253:0", "CRYPT-LUKS2-0123-luks", "nvme0n1p3")
				blockDev(t, sys, "nvme0n1p3", "259:3", "")
			}, OK, "dm-crypt/LUKS (dm-0)"},
		{"LUKS directly", "27 1 253:0 / / rw - ext4 /dev/mapper/root rw\n",
			func(t *testing.T, sys string) { blockDev(t, sys, "dm-0", "253:0", "CRYPT-LUKS1-x", "sda2") },
			OK, "encrypted"},
		{"plain partition", "27 1 8:2 / / rw - ext4 /dev/sda2 rw\n",
			func(t *testing.T, sys string) { blockDev(t, sys, "sda2", "8:2", "") },
			Fail, "no dm-crypt/LUKS layer under the volume at / (device sda2)"},
		{"LVM without crypt", "27 1 253:1 / / rw - ext4 /dev/mapper/vg-root rw\n",
			func(t *testing.T, sys string) {
				blockDev(t, sys, "dm-1", "253:1", "LVM-abc", "sda2")
				blockDev(t, sys, "sda2", "8:2", "")
			}, Fail, "device dm-1"},
		{"the deepest mount wins", "27 1 8:2 / / rw - ext4 /dev/sda2 rw\n40 27 253:0 / /home rw - ext4 /dev/mapper/home rw\n",
			func(t *testing.T, sys string) {
				blockDev(t, sys, "sda2", "8:2", "")
				blockDev(t, sys, "dm-0", "253:0", "CRYPT-LUKS2-y", "sda3")
			}, OK, "/home"},
		{"escaped mount point", "27 1 8:2 / / rw - ext4 /dev/sda2 rw\n41 27 253:0 / /home/with\\040space rw - ext4 /dev/mapper/x rw\n",
			func(t *testing.T, sys string) {
				blockDev(t, sys, "sda2", "8:2", "")
				blockDev(t, sys, "dm-0", "253:0", "CRYPT-PLAIN-z")
			}, OK, "/home/with space"},
		{"overlay", "27 1 0:50 / / rw - overlay overlay rw\n", func(*testing.T, string) {}, Unknown, "overlay"},
		{"network share", "27 1 0:51 / / rw - nfs4 server:/export rw\n", func(*testing.T, string) {}, Unknown, "NFS"},
		{"device not in sysfs", "27 1 8:2 / / rw - ext4 /dev/sda2 rw\n", func(*testing.T, string) {}, Unknown, "cannot find the block device"},
		{"no mount table", "", nil, Unknown, "cannot read the mount table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, root := fakeProbe(t, "linux", nil)
			if tt.devs != nil {
				write(t, p.MountInfo, tt.mountinfo)
				tt.devs(t, p.SysBlock)
			}
			path := "/home/with space/counsel.db"
			if tt.name != "escaped mount point" {
				path = "/home/x/counsel.db"
			}
			c := linuxEncryption(p, path)
			if c.Status != tt.want || !strings.Contains(c.Summary, tt.summary) {
				t.Errorf("got %s %q, want %s with %q", c.Status, c.Summary, tt.want, tt.summary)
			}
			if c.Status != OK && c.Hint == "" {
				t.Error("no hint")
			}
			_ = root
		})
	}
}

func TestFileVaultAndBitLocker(t *testing.T) {
	run := func(out string, err error) func(string, ...string) ([]byte, error) {
		return func(string, ...string) ([]byte, error) { return []byte(out), err }
	}
	for _, tt := range []struct {
		goos, out string
		err       error
		want      Status
	}{
		{"darwin", "FileVault is On.\n", nil, OK},
		{"darwin", "FileVault is Off.\n", nil, Fail},
		{"darwin", "", errors.New("not found"), Unknown},
		{"darwin", "Encryption in progress: Percent completed = 12\n", nil, Unknown},
		{"windows", "1\r\n", nil, OK},
		{"windows", "6\r\n", nil, OK},
		{"windows", "2\r\n", nil, Fail},
		{"windows", "3\r\n", nil, Warn},
		{"windows", "0\r\n", nil, Unknown},
		{"windows", "", errors.New("powershell missing"), Unknown},
		{"plan9", "", nil, Unknown},
	} {
		p, _ := fakeProbe(t, tt.goos, nil)
		p.Run = run(tt.out, tt.err)
		c := diskEncryption(p, Setup{DBPath: `C:\Users\x\AppData\Local\counsel\counsel.db`})
		if c.Status != tt.want {
			t.Errorf("%s %q %v: %s (%s), want %s", tt.goos, tt.out, tt.err, c.Status, c.Summary, tt.want)
		}
	}
	p, _ := fakeProbe(t, "windows", nil)
	p.Run = run("1", nil)
	if c := diskEncryption(p, Setup{DBPath: `\\server\share\counsel.db`}); c.Status != Unknown {
		t.Errorf("network share: %s, want unknown", c.Status)
	}
}

// A home with each sync service's markers: the database in each synced
// folder fails, naming the service; outside them it is ok.
func TestCloudSync(t *testing.T) {
	home := t.TempDir()
	mk := func(rel string) string {
		d := filepath.Join(home, rel)
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		return d
	}
	write(t, filepath.Join(home, ".dropbox", "info.json"), `{"personal": {"path": "`+filepath.Join(home, "Dropbox")+`", "host": 1}, "business": {"path": "`+filepath.Join(home, "Work Box")+`"}}`)
	mk("Dropbox/counsel")
	mk("Work Box/counsel")
	write(t, filepath.Join(home, "Elsewhere", ".dropbox"), "")
	mk("Elsewhere/deep/counsel")
	mk("OD/counsel")
	mk("Library/Mobile Documents/com~apple~CloudDocs/counsel")
	mk("Library/Mobile Documents/com~apple~CloudDocs/Documents")
	mk("Documents/counsel")
	mk("Library/CloudStorage/GoogleDrive-x@example.org/My Drive/counsel")
	mk("Library/CloudStorage/OneDrive-Personal/counsel")
	mk("GD/.tmp.drivedownload")
	mk("GD/counsel")
	write(t, filepath.Join(home, "NC", ".sync_4f2a9c.db"), "")
	mk("NC/sub/counsel")
	write(t, filepath.Join(home, "OC", "._sync_77.db"), "")
	mk("OC/counsel")
	mk("ST/.stfolder")
	mk("ST/counsel")
	mk("private/counsel")

	p, _ := fakeProbe(t, "linux", map[string]string{"OneDrive": filepath.Join(home, "OD")})
	for _, tt := range []struct{ dir, service string }{
		{"Dropbox/counsel", "Dropbox's info.json"},
		{"Work Box/counsel", "Dropbox's info.json"},
		{"Elsewhere/deep/counsel", "Dropbox copies elsewhere (" + filepath.Join(home, "Elsewhere") + ", found by its .dropbox file"},
		{"OD/counsel", "the OneDrive environment variable"},
		{"Library/Mobile Documents/com~apple~CloudDocs/counsel", "iCloud Drive"},
		{"Documents/counsel", "Desktop & Documents sync"},
		{"Library/CloudStorage/GoogleDrive-x@example.org/My Drive/counsel", "Google Drive"},
		{"Library/CloudStorage/OneDrive-Personal/counsel", "OneDrive"},
		{"GD/counsel", "Google Drive copies elsewhere (" + filepath.Join(home, "GD") + ", found by its .tmp.drivedownload"},
		{"NC/sub/counsel", "Nextcloud or ownCloud copies elsewhere (" + filepath.Join(home, "NC") + ", found by its sync database .sync_4f2a9c.db"},
		{"OC/counsel", "._sync_77.db"},
		{"ST/counsel", "Syncthing copies elsewhere (" + filepath.Join(home, "ST") + ", found by its .stfolder"},
		{"private/counsel", ""},
	} {
		db := filepath.Join(home, tt.dir, "counsel.db")
		c := cloudSync(p, Setup{DBPath: db, KeyPath: filepath.Join(home, "private", "proof.key"), Home: home})
		if tt.service == "" {
			if c.Status != OK {
				t.Errorf("%s: %s %q, want ok", tt.dir, c.Status, c.Summary)
			}
			continue
		}
		if c.Status != Fail || !strings.Contains(c.Summary, "the database is in a folder that") || !strings.Contains(c.Summary, tt.service) {
			t.Errorf("%s: %s %q, want fail naming %q", tt.dir, c.Status, c.Summary, tt.service)
		}
		if strings.Contains(c.Summary, "proof key") {
			t.Errorf("%s: the private proof key reported as synced: %q", tt.dir, c.Summary)
		}
	}
	// The proof key is checked too.
	c := cloudSync(p, Setup{DBPath: filepath.Join(home, "private", "counsel", "counsel.db"), KeyPath: filepath.Join(home, "ST", "proof.key"), Home: home})
	if c.Status != Fail || !strings.Contains(c.Summary, "the proof key is in a folder that Syncthing") {
		t.Errorf("key in Syncthing: %s %q", c.Status, c.Summary)
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "counsel")
	db := filepath.Join(dir, "counsel.db")
	p, _ := fakeProbe(t, "linux", nil)
	if c := fileModes(p, Setup{DBPath: db}); c.Status != OK {
		t.Errorf("no database: %s", c.Status)
	}
	write(t, db, "x")
	write(t, db+"-wal", "x")
	os.Chmod(dir, 0o755)
	c := fileModes(p, Setup{DBPath: db})
	if c.Status != Fail || !strings.Contains(c.Summary, dir+" is 0755") || !strings.Contains(c.Summary, db+"-wal is 0644") {
		t.Errorf("loose modes: %s %q", c.Status, c.Summary)
	}
	if !strings.Contains(c.Hint, "chmod 700 "+dir) || !strings.Contains(c.Hint, "chmod 600 "+db) {
		t.Errorf("hint %q", c.Hint)
	}
	os.Chmod(dir, 0o700)
	os.Chmod(db, 0o600)
	os.Chmod(db+"-wal", 0o600)
	if c := fileModes(p, Setup{DBPath: db}); c.Status != OK {
		t.Errorf("private modes: %s %q", c.Status, c.Summary)
	}
	p.GOOS = "windows"
	if c := fileModes(p, Setup{DBPath: db}); c.Status != Unknown {
		t.Errorf("windows: %s", c.Status)
	}
}

func TestProofKey(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "proof.key")
	p, _ := fakeProbe(t, "linux", nil)
	if c := proofKey(p, Setup{KeyPath: key, DBPath: filepath.Join(dir, "counsel.db")}); c.Status != OK || !strings.Contains(c.Summary, "no proof key yet") {
		t.Errorf("no key: %s %q", c.Status, c.Summary)
	}
	write(t, key, "00")
	if c := proofKey(p, Setup{KeyPath: key}); c.Status != Fail || !strings.Contains(c.Hint, "chmod 600") {
		t.Errorf("key 0644: %s %q", c.Status, c.Summary)
	}
	os.Chmod(key, 0o600)
	c := proofKey(p, Setup{KeyPath: key, DBPath: filepath.Join(dir, "counsel.db")})
	if c.Status != OK || !strings.Contains(c.Summary, key) || !strings.Contains(c.Summary, "in the database's folder") {
		t.Errorf("key 0600: %s %q", c.Status, c.Summary)
	}
}

func TestProviderReviewAndSettings(t *testing.T) {
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ps := []Provider{{"a", "active", "2027-06-01"}, {"b", "active", "2026-11-30"}, {"c", "deprecated", "2027-01-01"}, {"d", "retired", "2020-01-01"}}
	c := providerReview(Setup{Providers: ps, Today: today})
	if c.Status != Warn || c.Summary != "review overdue: b (due 2026-11-30); deprecated: c" {
		t.Errorf("review: %s %q", c.Status, c.Summary)
	}
	if c := providerReview(Setup{Providers: ps[:1], Today: today}); c.Status != OK {
		t.Errorf("current: %s", c.Status)
	}
	c = noticeSettings(Setup{NoticeSettings: []Setting{{"organisation", "Org"}, {"withdrawal_contact", " "}, {"counsellor", ""}}})
	if c.Status != Fail || c.Summary != "the consent notice lacks: withdrawal_contact, counsellor" {
		t.Errorf("settings: %s %q", c.Status, c.Summary)
	}
	if c := noticeSettings(Setup{NoticeSettings: []Setting{{"organisation", "Org"}}}); c.Status != OK {
		t.Errorf("settings set: %s", c.Status)
	}
}

// Run gives every check once, in order, each with an id and a status.
func TestRunAndFailed(t *testing.T) {
	p, _ := fakeProbe(t, "linux", nil)
	home := t.TempDir()
	cs := Run(p, Setup{DBPath: filepath.Join(home, "db"), KeyPath: filepath.Join(home, "k"), Home: home,
		NoticeSettings: []Setting{{"organisation", ""}}})
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
		if c.Status == "" || c.Summary == "" {
			t.Errorf("%s: empty status or summary", c.ID)
		}
	}
	if got := strings.Join(ids, " "); got != "disk_encryption cloud_sync file_modes proof_key provider_review notice_settings" {
		t.Errorf("ids %s", got)
	}
	if Failed(cs) != 1 { // notice_settings; the disk is unknown without a mount table
		t.Errorf("failed = %d: %+v", Failed(cs), cs)
	}
}
