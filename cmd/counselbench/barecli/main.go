// Command barecli is the baseline for `counsel --help` in bench/run.sh: a binary that links
// the same large libraries as counsel (cobra, viper and the modernc SQLite driver) and
// prints a cobra help text, doing nothing else.
package main

import (
	"database/sql"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	_ "modernc.org/sqlite"
)

func main() {
	v := viper.New()
	root := &cobra.Command{
		Use:   "barecli",
		Short: "A bare command line linking cobra, viper and modernc.org/sqlite",
		RunE: func(cmd *cobra.Command, args []string) error {
			// Never run by the benchmark; it keeps the driver and viper linked in.
			db, err := sql.Open("sqlite", v.GetString("db"))
			if err != nil {
				return err
			}
			return db.Close()
		},
	}
	root.PersistentFlags().String("db", "", "database file")
	root.PersistentFlags().String("config", "", "config file")
	if err := v.BindPFlags(root.PersistentFlags()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	root.AddCommand(&cobra.Command{Use: "version", Short: "Print the version", Run: func(*cobra.Command, []string) {}})
	if err := root.Execute(); err != nil {
		os.Exit(1)
	}
}
