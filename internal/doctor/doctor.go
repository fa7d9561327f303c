// Package doctor checks the machine and the set-up that counsel's data
// lives on: disk encryption, cloud-synced folders, file modes, the proof
// key, provider reviews and the settings the consent notice needs. Every
// fact comes through a Probe, so tests run the checks against fake roots.
//
// A check says "unknown" when it cannot tell; it never shows a guess as a
// fact.
package doctor

import (
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// Status is a check's verdict.
type Status string

// The statuses, from good to bad; Unknown means the check could not tell.
const (
	OK      Status = "ok"
	Warn    Status = "warn"
	Fail    Status = "fail"
	Unknown Status = "unknown"
)

// Check is one finding. The JSON keys are documented in docs/doctor.md.
type Check struct {
	ID      string `json:"id"`
	Status  Status `json:"status"`
	Summary string `json:"summary"`        // what was found, one line
	Hint    string `json:"hint,omitempty"` // what to do about it
}

// Probe is everything the checks read from the machine.
type Probe struct {
	GOOS   string
	Getenv func(string) string
	// Stat, ReadFile and ReadDir read files (os.Stat etc. outside tests).
	Stat     func(string) (fs.FileInfo, error)
	Lstat    func(string) (fs.FileInfo, error)
	ReadFile func(string) ([]byte, error)
	ReadDir  func(string) ([]fs.DirEntry, error)
	// EvalSymlinks resolves a path (filepath.EvalSymlinks outside tests).
	EvalSymlinks func(string) (string, error)
	// Run runs a program and returns its standard output.
	Run func(name string, args ...string) ([]byte, error)
	// MountInfo and SysBlock are Linux's /proc/self/mountinfo and
	// /sys/class/block; tests point them at fake trees.
	MountInfo, SysBlock string
}

// System is the probe of the running machine.
func System(getenv func(string) string, evalSymlinks func(string) (string, error)) Probe {
	return Probe{
		GOOS: runtime.GOOS, Getenv: getenv,
		Stat: os.Stat, Lstat: os.Lstat, ReadFile: os.ReadFile, ReadDir: os.ReadDir, EvalSymlinks: evalSymlinks,
		Run: func(name string, args ...string) ([]byte, error) {
			return exec.Command(name, args...).Output()
		},
		MountInfo: "/proc/self/mountinfo", SysBlock: "/sys/class/block",
	}
}

// Setup is what counsel knows about itself.
type Setup struct {
	DBPath, KeyPath string
	Home            string
	// Settings the notice needs: key name -> value (empty = unset).
	NoticeSettings []Setting
	Providers      []Provider
	Today          time.Time
}

// Setting is one configuration key the notice needs.
type Setting struct{ Key, Value string }

// Provider is what the review check needs of a provider.
type Provider struct {
	ID, Status, ReviewDue string // ReviewDue YYYY-MM-DD
}

// Run runs every check in a fixed order.
func Run(p Probe, s Setup) []Check {
	return []Check{
		diskEncryption(p, s),
		cloudSync(p, s),
		fileModes(p, s),
		proofKey(p, s),
		providerReview(s),
		noticeSettings(s),
	}
}

// Failed counts the checks that failed.
func Failed(cs []Check) int {
	n := 0
	for _, c := range cs {
		if c.Status == Fail {
			n++
		}
	}
	return n
}
