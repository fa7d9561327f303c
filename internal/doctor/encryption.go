package doctor

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

const idDisk = "disk_encryption"

// diskEncryption asks the operating system whether the volume holding the
// database is encrypted: dm-crypt/LUKS on Linux, FileVault on macOS,
// BitLocker on Windows.
func diskEncryption(p Probe, s Setup) Check {
	switch p.GOOS {
	case "linux":
		return linuxEncryption(p, existing(p, s.DBPath))
	case "darwin":
		return fileVault(p)
	case "windows":
		return bitLocker(p, s.DBPath) // only its drive letter counts
	}
	return Check{ID: idDisk, Status: Unknown, Summary: fmt.Sprintf("counsel cannot check disk encryption on %s", p.GOOS),
		Hint: "check by hand that the disk holding the database is encrypted, and note it for your data protection officer"}
}

// existing is path, or its nearest folder that exists, with links
// resolved: the database may not have been created yet.
func existing(p Probe, path string) string {
	path = filepath.Clean(path)
	for {
		if _, err := p.Stat(path); err == nil {
			if r, err := p.EvalSymlinks(path); err == nil {
				return r
			}
			return path
		}
		parent := filepath.Dir(path)
		if parent == path {
			return path
		}
		path = parent
	}
}

// mount is one line of /proc/self/mountinfo.
type mount struct {
	point, fstype, source string
	major, minor          int
}

func parseMountInfo(b []byte) []mount {
	var ms []mount
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		sep := -1
		for i, x := range f {
			if x == "-" && i >= 6 {
				sep = i
				break
			}
		}
		if sep < 0 || len(f) < sep+3 {
			continue
		}
		maj, min, ok := strings.Cut(f[2], ":")
		if !ok {
			continue
		}
		m := mount{point: unescapeMount(f[4]), fstype: f[sep+1], source: f[sep+2]}
		var err1, err2 error
		m.major, err1 = strconv.Atoi(maj)
		m.minor, err2 = strconv.Atoi(min)
		if err1 != nil || err2 != nil {
			continue
		}
		ms = append(ms, m)
	}
	return ms
}

// unescapeMount undoes mountinfo's octal escapes (\040 is a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mountOf is the mount holding path: the longest mount point that
// contains it, the last mounted among equals.
func mountOf(ms []mount, path string) (mount, bool) {
	var best mount
	found := false
	for _, m := range ms {
		if !within(path, m.point) {
			continue
		}
		if !found || len(m.point) >= len(best.point) {
			best, found = m, true
		}
	}
	return best, found
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	if dir == "" {
		return false
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Filesystems whose disk counsel cannot see from here.
var notLocalFS = map[string]string{
	"tmpfs": "memory (tmpfs)", "ramfs": "memory (ramfs)", "overlay": "an overlay filesystem", "nfs": "a network share (NFS)",
	"nfs4": "a network share (NFS)", "cifs": "a network share (SMB)", "smb3": "a network share (SMB)", "9p": "a shared folder of a virtual machine",
	"virtiofs": "a shared folder of a virtual machine", "zfs": "ZFS (its own encryption is not visible here)", "fuse": "a FUSE filesystem",
}

func linuxEncryption(p Probe, path string) Check {
	c := Check{ID: idDisk}
	b, err := p.ReadFile(p.MountInfo)
	if err != nil {
		c.Status, c.Summary = Unknown, "cannot read the mount table"
		c.Hint = "check by hand that the disk holding the database is encrypted (lsblk -o NAME,TYPE,MOUNTPOINTS shows a 'crypt' layer)"
		return c
	}
	m, ok := mountOf(parseMountInfo(b), path)
	if !ok {
		c.Status, c.Summary = Unknown, "cannot find the volume holding the database in the mount table"
		c.Hint = "check by hand that the disk holding the database is encrypted (lsblk -o NAME,TYPE,MOUNTPOINTS shows a 'crypt' layer)"
		return c
	}
	kind := notLocalFS[m.fstype]
	if kind == "" && strings.HasPrefix(m.fstype, "fuse") {
		kind = notLocalFS["fuse"]
	}
	if kind != "" {
		c.Status = Unknown
		c.Summary = fmt.Sprintf("the database is on %s mounted at %s; counsel cannot see the disk under it", kind, m.point)
		c.Hint = "make sure the storage behind it is encrypted, and note how for your data protection officer"
		return c
	}
	dev := ""
	if m.major != 0 {
		dev = p.blockName(fmt.Sprintf("%d:%d", m.major, m.minor))
	}
	if dev == "" && strings.HasPrefix(m.source, "/dev/") {
		if r, err := p.EvalSymlinks(m.source); err == nil {
			dev = filepath.Base(r)
		}
	}
	if dev == "" {
		c.Status = Unknown
		c.Summary = fmt.Sprintf("cannot find the block device of the volume at %s (%s)", m.point, m.fstype)
		c.Hint = "check by hand that the disk holding the database is encrypted (lsblk -o NAME,TYPE,MOUNTPOINTS shows a 'crypt' layer)"
		return c
	}
	if crypt, ok := p.cryptBelow(dev, 0); !ok {
		c.Status = Unknown
		c.Summary = fmt.Sprintf("cannot read the device %s of the volume at %s", dev, m.point)
		c.Hint = "check by hand that the disk holding the database is encrypted (lsblk -o NAME,TYPE,MOUNTPOINTS shows a 'crypt' layer)"
	} else if crypt != "" {
		c.Status = OK
		c.Summary = fmt.Sprintf("the volume at %s is encrypted with dm-crypt/LUKS (%s)", m.point, crypt)
	} else {
		c.Status = Fail
		c.Summary = fmt.Sprintf("no dm-crypt/LUKS layer under the volume at %s (device %s)", m.point, dev)
		c.Hint = "keep health data only on an encrypted disk: encrypt it with LUKS (most installers offer it) or move the database (--db) to an encrypted volume; " +
			"if the drive encrypts itself in hardware or the disk of this virtual machine is encrypted by its host, counsel cannot see it: note that for your data protection officer"
	}
	return c
}

// blockName is the kernel name of the block device major:minor.
func (p Probe) blockName(majMin string) string {
	// /sys/dev/block/M:m links to the device; /sys/class/block/NAME/dev
	// holds M:m. The second needs no link resolution, so fake trees stay
	// plain folders.
	entries, err := p.ReadDir(p.SysBlock)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		b, err := p.ReadFile(filepath.Join(p.SysBlock, e.Name(), "dev"))
		if err == nil && strings.TrimSpace(string(b)) == majMin {
			return e.Name()
		}
	}
	return ""
}

// cryptBelow returns the name of a dm-crypt device at or below dev (LUKS
// under LVM, for example), "" if there is none; ok is false when dev
// cannot be read at all.
func (p Probe) cryptBelow(dev string, depth int) (crypt string, ok bool) {
	dir := filepath.Join(p.SysBlock, dev)
	if _, err := p.Stat(dir); err != nil {
		return "", false
	}
	if depth > 8 {
		return "", true
	}
	if b, err := p.ReadFile(filepath.Join(dir, "dm", "uuid")); err == nil && strings.HasPrefix(string(b), "CRYPT-") {
		return dev, true
	}
	slaves, _ := p.ReadDir(filepath.Join(dir, "slaves"))
	for _, s := range slaves {
		if c, _ := p.cryptBelow(s.Name(), depth+1); c != "" {
			return c, true
		}
	}
	return "", true
}

func fileVault(p Probe) Check {
	c := Check{ID: idDisk}
	out, err := p.Run("fdesetup", "status")
	switch s := string(out); {
	case err == nil && strings.Contains(s, "FileVault is On"):
		c.Status, c.Summary = OK, "FileVault is on"
	case err == nil && strings.Contains(s, "FileVault is Off"):
		c.Status, c.Summary = Fail, "FileVault is off: the disk holding the database is not encrypted"
		c.Hint = "turn on FileVault in System Settings > Privacy & Security"
	default:
		c.Status, c.Summary = Unknown, "cannot tell whether FileVault is on ('fdesetup status' gave no answer)"
		c.Hint = "check System Settings > Privacy & Security > FileVault"
	}
	return c
}

// bitLocker asks the shell for the drive's BitLocker protection, which
// needs no administrator rights (manage-bde does); values per Windows'
// System.Volume.BitLockerProtection property.
func bitLocker(p Probe, path string) Check {
	c := Check{ID: idDisk}
	// By hand, not filepath.VolumeName: the tests run on every system.
	drive := ""
	if len(path) >= 2 && path[1] == ':' && (path[0]|0x20) >= 'a' && (path[0]|0x20) <= 'z' {
		drive = strings.ToUpper(path[:2])
	}
	if drive == "" {
		c.Status, c.Summary = Unknown, "the database is not on a drive letter (a network share?); counsel cannot check BitLocker there"
		c.Hint = "make sure the storage behind it is encrypted"
		return c
	}
	script := fmt.Sprintf("(New-Object -ComObject Shell.Application).NameSpace('%s').Self.ExtendedProperty('System.Volume.BitLockerProtection')", drive)
	out, err := p.Run("powershell", "-NoProfile", "-NonInteractive", "-Command", script)
	v := strings.TrimSpace(string(out))
	switch {
	case err == nil && (v == "1" || v == "6"):
		c.Status, c.Summary = OK, fmt.Sprintf("BitLocker protects drive %s", drive)
	case err == nil && (v == "3" || v == "5"):
		c.Status, c.Summary = Warn, fmt.Sprintf("BitLocker on drive %s is still encrypting or is suspended", drive)
		c.Hint = "let the encryption finish, or resume protection in Control Panel > BitLocker Drive Encryption"
	case err == nil && v == "2":
		c.Status, c.Summary = Fail, fmt.Sprintf("BitLocker is off on drive %s, which holds the database", drive)
		c.Hint = "turn on BitLocker (or device encryption) in Settings > Privacy & security > Device encryption"
	default:
		c.Status, c.Summary = Unknown, fmt.Sprintf("cannot tell whether BitLocker protects drive %s", drive)
		c.Hint = fmt.Sprintf("check with 'manage-bde -status %s' in an administrator prompt", drive)
	}
	return c
}
