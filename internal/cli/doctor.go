package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/expeerienced/counsel/internal/config"
	"github.com/expeerienced/counsel/internal/doctor"
)

func newDoctorCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check this computer and the set-up for data-protection risks",
		Long: `Check the computer and the set-up that counsel's records live on, and say
what to do about each finding:

  disk_encryption  the disk holding the database is encrypted (Linux:
                   dm-crypt/LUKS; macOS: FileVault; Windows: BitLocker)
  cloud_sync       the database and the proof key are not in a folder that
                   Dropbox, OneDrive, iCloud Drive, Google Drive,
                   Nextcloud/ownCloud or Syncthing copies elsewhere
  file_modes       only you can read the database, its journal and its folder
  proof_key        where the proof key is, and that only you can read it
  provider_review  no provider's review is overdue, none is deprecated
  notice_settings  the settings the consent notice needs are set

Each check says ok, warn, fail or unknown; unknown means counsel could not
tell, never that it guessed. --format json gives the same as data (the keys
are described in docs/doctor.md). The data protection officer's pack
('counsel export dpo') includes these results. The exit status is 1 when any
check fails.
` + exitStatusHelp,
		Example: `  $ counsel doctor
  $ counsel doctor --format json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			checks, err := a.doctorChecks()
			if err != nil {
				return err
			}
			if err := writeDoctor(a.deps.Stdout, format, checks); err != nil {
				return err
			}
			if n := doctor.Failed(checks); n > 0 {
				return fmt.Errorf("%d of %d checks failed", n, len(checks))
			}
			return nil
		},
	}
	addFormatFlag(cmd, &format, formatText, formatText, formatJSON)
	return cmd
}

// noticeKeys are the settings the consent notice (Art. 13) needs; keys this
// version does not have are skipped.
var noticeKeys = []string{"organisation", "counsellor", "withdrawal_contact", "policy_url", "complaint_authority"}

// doctorChecks runs every check against this machine and configuration.
func (a *app) doctorChecks() ([]doctor.Check, error) {
	dbPath, err := a.dbPath()
	if err != nil {
		return nil, err
	}
	keyPath, err := a.proofKeyPath()
	if err != nil {
		return nil, err
	}
	reg, err := a.providerRegistry()
	if err != nil {
		return nil, err
	}
	s := doctor.Setup{DBPath: absPath(dbPath), KeyPath: absPath(keyPath), Today: a.deps.Now().In(a.cfg.Location())}
	s.Home = a.deps.Getenv("HOME")
	if s.Home == "" {
		s.Home = a.deps.Getenv("USERPROFILE")
	}
	for _, k := range noticeKeys {
		if key, ok := config.Lookup(k); ok {
			v, set := a.resolved.values[k]
			if !set {
				v = key.Default
			}
			s.NoticeSettings = append(s.NoticeSettings, doctor.Setting{Key: k, Value: v})
		}
	}
	for _, p := range reg.All() {
		s.Providers = append(s.Providers, doctor.Provider{ID: p.ID, Status: string(p.Status), ReviewDue: p.ReviewDue})
	}
	return doctor.Run(doctor.System(a.deps.Getenv, filepath.EvalSymlinks), s), nil
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// doctorJSON is the shape of 'doctor --format json' (docs/doctor.md).
type doctorJSON struct {
	Status string         `json:"status"` // the worst status: fail, unknown, warn or ok
	Failed int            `json:"failed"`
	Checks []doctor.Check `json:"checks"`
}

func worst(cs []doctor.Check) doctor.Status {
	rank := map[doctor.Status]int{doctor.OK: 0, doctor.Warn: 1, doctor.Unknown: 2, doctor.Fail: 3}
	w := doctor.OK
	for _, c := range cs {
		if rank[c.Status] > rank[w] {
			w = c.Status
		}
	}
	return w
}

func writeDoctor(w io.Writer, format string, cs []doctor.Check) error {
	if format == formatJSON {
		return writeJSON(w, doctorJSON{Status: string(worst(cs)), Failed: doctor.Failed(cs), Checks: cs})
	}
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%-8s %s: %s\n", T(string(c.Status)), c.ID, tr.message(c.Summary))
		if c.Hint != "" {
			fmt.Fprintf(&b, "         %s %s\n", T("hint:"), tr.message(c.Hint))
		}
	}
	_, err := io.WriteString(w, termLines(b.String()))
	return err
}
