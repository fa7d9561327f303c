package cli

import (
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:         "version",
		Short:       "Print counsel's version",
		Long:        "Print the version, commit and build date of this counsel binary.\n" + exitStatusHelp,
		Args:        noArgs,
		Annotations: map[string]string{skipConfig: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			b := a.deps.Build.withBuildInfo()
			fprintf(a.deps.Stdout, "counsel %s (commit %s, built %s)\n", b.Version, b.Commit, b.Date)
			return nil
		},
	}
}

// withBuildInfo fills what the linker did not set: a `go install` build
// knows its module version and VCS data from the embedded build info.
func (b Build) withBuildInfo() Build {
	if info, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && info.Main.Version != "" {
			b.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && b.Commit == "":
				b.Commit = s.Value
			case s.Key == "vcs.time" && b.Date == "":
				b.Date = s.Value
			}
		}
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

func newCompletionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print a script that lets your shell complete counsel's commands and flags.

  bash:        source <(counsel completion bash)
  zsh:         counsel completion zsh > "${fpath[1]}/_counsel"
  fish:        counsel completion fish > ~/.config/fish/completions/counsel.fish
  powershell:  counsel completion powershell | Out-String | Invoke-Expression
` + exitStatusHelp,
		ValidArgs:   []string{"bash", "zsh", "fish", "powershell"},
		Args:        exactArgs("shell (bash, zsh, fish or powershell)"),
		Annotations: map[string]string{skipConfig: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), a.deps.Stdout
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return usageErrorf("unknown shell %q (want bash, zsh, fish or powershell)", args[0])
		},
	}
}
