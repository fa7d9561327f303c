package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/expeerienced/counsel/internal/config"
	"github.com/expeerienced/counsel/internal/safefile"
)

// resolved records where each configuration value came from, for
// `config show` and for error messages that point at the right place.
type resolved struct {
	file      string // config file path in use
	explicit  bool   // named by --config or COUNSEL_CONFIG
	fileFound bool
	values    map[string]string
	sources   map[string]string
}

// configFile is the config file path and whether the user named it.
func (a *app) configFile() (path string, explicit bool, err error) {
	if a.configFlag != "" {
		return a.configFlag, true, nil
	}
	if p := a.deps.Getenv("COUNSEL_CONFIG"); p != "" {
		return p, true, nil
	}
	dir, err := config.Dir()
	if err != nil {
		return "", false, err
	}
	return filepath.Join(dir, "config.yaml"), false, nil
}

func envName(key string) string { return "COUNSEL_" + strings.ToUpper(key) }

// resolve applies flag > COUNSEL_* environment > config file > default.
func (a *app) resolve(cmd *cobra.Command) (*resolved, error) {
	path, explicit, err := a.configFile()
	if err != nil {
		return nil, err
	}
	r := &resolved{file: path, explicit: explicit, values: map[string]string{}, sources: map[string]string{}}
	for _, k := range config.Keys {
		r.values[k.Name] = k.Default
		r.sources[k.Name] = "default"
	}

	v := viper.New()
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	switch err := v.ReadInConfig(); {
	case err == nil:
		r.fileFound = true
	case errors.Is(err, fs.ErrNotExist):
		if explicit {
			return nil, withHint(fmt.Errorf("config file %s does not exist", path),
				"create it with 'counsel config init', or leave out --config / COUNSEL_CONFIG")
		}
	default:
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	if r.fileFound {
		if err := readFileValues(v, path, r); err != nil {
			return nil, err
		}
	}
	for _, k := range config.Keys {
		if val, ok := lookupEnv(a.deps.Getenv, envName(k.Name)); ok {
			r.values[k.Name] = val
			r.sources[k.Name] = fmt.Sprintf("env %s", envName(k.Name))
		}
	}
	if f := cmd.Flags().Lookup("db"); f != nil && f.Changed {
		r.values["db"] = a.dbFlag
		r.sources["db"] = "flag --db"
	}
	return r, nil
}

// lookupEnv treats an empty variable as unset, as most tools do.
func lookupEnv(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

// readFileValues copies the file's values into r, refusing unknown keys and
// values of the wrong type; each error names the file and the key.
func readFileValues(v *viper.Viper, path string, r *resolved) error {
	var errs []error
	keys := v.AllKeys()
	sort.Strings(keys)
	for _, name := range keys {
		k, ok := config.Lookup(name)
		if !ok {
			errs = append(errs, withHint(fmt.Errorf("config file %s: unknown key %q", path, name),
				"known keys: "+knownKeys()))
			continue
		}
		raw := v.Get(name)
		var text string
		switch val := raw.(type) {
		case string:
			if k.Type != config.String {
				errs = append(errs, fmt.Errorf("config file %s: key %q: want a whole number, not text", path, name))
				continue
			}
			text = val
		case int:
			if k.Type != config.Int {
				errs = append(errs, fmt.Errorf("config file %s: key %q: want text (put it in quotes)", path, name))
				continue
			}
			text = fmt.Sprint(val)
		case nil:
			continue // "key:" with no value keeps the default
		default:
			errs = append(errs, fmt.Errorf("config file %s: key %q: want a single value, not %T", path, name, raw))
			continue
		}
		if name == "db" && text != "" && !filepath.IsAbs(text) {
			// A relative path in the file means: next to the file, wherever
			// counsel is started from.
			text = filepath.Join(filepath.Dir(path), text)
		}
		r.values[name] = text
		r.sources[name] = "file"
	}
	return errors.Join(errs...)
}

func knownKeys() string {
	names := make([]string, len(config.Keys))
	for i, k := range config.Keys {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}

// loadConfig resolves and validates the configuration once per run.
func (a *app) loadConfig(cmd *cobra.Command) error {
	r, err := a.resolve(cmd)
	if err != nil {
		return err
	}
	cfg, problems := config.FromValues(r.values)
	if len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, p := range problems {
			errs[i] = fmt.Errorf("configuration %s (from %s): %s", p.Key, r.describe(p.Key), p.Problem)
		}
		return errors.Join(errs...)
	}
	a.cfg, a.resolved = cfg, r
	return nil
}

// describe says where a key's value came from, naming the file.
func (r *resolved) describe(key string) string {
	if s := r.sources[key]; s != "file" {
		return s
	}
	return fmt.Sprintf("file %s", r.file)
}

func newConfigCmd(a *app) *cobra.Command {
	return groupCmd(a, "config", "Create and inspect counsel's configuration",
		`Create and inspect counsel's configuration.

Settings come from, in this order: command-line flags, COUNSEL_* environment
variables (COUNSEL_TIMEZONE for the key timezone, and so on), the config file,
and defaults. 'counsel config show' tells where each value came from.
`, func() []*cobra.Command {
			return []*cobra.Command{newConfigInitCmd(a), newConfigShowCmd(a), newConfigPathCmd(a)}
		})
}

type configInitOptions struct {
	force bool
}

func newConfigInitCmd(a *app) *cobra.Command {
	opts := &configInitOptions{}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented config file with every setting",
		Long: `Write a commented config file listing every setting with its default.

The file is created readable by you only (mode 0600). An existing file is
never replaced unless you add --force.
` + exitStatusHelp,
		Example:     "  $ counsel config init\n  $ counsel config init --config ./counsel.yaml",
		Args:        noArgs,
		Annotations: map[string]string{skipConfig: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigInit(a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.force, "force", false, "replace an existing config file")
	return cmd
}

func runConfigInit(a *app, opts *configInitOptions) error {
	path, _, err := a.configFile()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create config folder: %w", err)
	}
	err = safefile.Write(path, opts.force, func(w io.Writer) error {
		_, err := io.WriteString(w, localTemplate(config.Template()))
		return err
	})
	if errors.Is(err, fs.ErrExist) {
		return withHint(fmt.Errorf("config file %s already exists", path), "add --force to replace it")
	}
	if err != nil {
		return err
	}
	a.info("wrote %s", path)
	return nil
}

type configShowOptions struct {
	format string
}

func newConfigShowCmd(a *app) *cobra.Command {
	opts := &configShowOptions{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print the effective settings and where each came from",
		Long: `Print every setting's effective value and its source: a flag, a COUNSEL_*
environment variable, the config file, or the default. The row messages names
the language counsel speaks to you in, and why.
` + exitStatusHelp,
		Example: "  $ counsel config show\n  $ counsel config show --format json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigShow(a, opts)
		},
	}
	addListingFormatFlag(cmd, &opts.format)
	return cmd
}

func runConfigShow(a *app, opts *configShowOptions) error {
	r := a.resolved
	type row struct {
		Key    string `json:"key"`
		Value  string `json:"value"`
		Source string `json:"source"`
	}
	rows := make([]row, 0, len(config.Keys))
	for _, k := range config.Keys {
		val := r.values[k.Name]
		if k.Name == "db" && val == "" {
			val, _ = a.dbPath()
		}
		rows = append(rows, row{k.Name, val, r.describe(k.Name)})
	}
	// Not a key: the language counsel speaks in, and which rule chose it.
	rows = append(rows, row{"messages", a.lang.lang, a.lang.why})
	l := listing{header: []string{"Key", "Value", "Source"}, json: rows}
	for _, x := range rows {
		l.rows = append(l.rows, []string{x.Key, x.Value, cell(x.Source, tr.message(x.Source))})
	}
	return writeListing(a.deps.Stdout, opts.format, l)
}

func newConfigPathCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "path",
		Short: "Print the paths of the config file, provider list, templates and database",
		Long: `Print the files counsel uses, whether or not they exist yet: the config
file, your own provider list, your template folder and the database.
` + exitStatusHelp,
		Args:        noArgs,
		Annotations: map[string]string{skipConfig: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigPath(a, cmd)
		},
	}
}

func runConfigPath(a *app, cmd *cobra.Command) error {
	file, _, err := a.configFile()
	if err != nil {
		return err
	}
	dir, err := config.Dir()
	if err != nil {
		return err
	}
	// The database path may come from the config file; a broken file must not
	// stop this command, so fall back to flag, env and default.
	if r, err := a.resolve(cmd); err == nil {
		a.cfg.DB = r.values["db"]
	} else if a.dbFlag != "" {
		a.cfg.DB = a.dbFlag
	} else {
		a.cfg.DB = a.deps.Getenv("COUNSEL_DB")
	}
	db, err := a.dbPath()
	if err != nil {
		return err
	}
	w := a.deps.Stdout
	fmt.Fprintf(w, "config     %s\n", file)
	fmt.Fprintf(w, "providers  %s\n", filepath.Join(dir, "providers.yaml"))
	fmt.Fprintf(w, "templates  %s\n", filepath.Join(dir, "templates"))
	fmt.Fprintf(w, "database   %s\n", db)
	return nil
}
