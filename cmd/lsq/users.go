package main

import (
	"runtime/debug"

	"github.com/spf13/cobra"
)

func (a *app) usersCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Export, import, sync, activate and deactivate the account's users",
		Long: `Export, import, sync, activate and deactivate the account's users. export writes a users file;
import and sync read the same format (see lsq users import -h), with the guarantees of
package usersync: nothing created twice, access changed only where the file says so.

Exit status: 0 help printed (-h); 2 usage error (no command, or an unknown one); each
subcommand's help gives its own.`,
		Args:             cobra.NoArgs,
		PersistentPreRun: func(*cobra.Command, []string) { a.tightenGC() },
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SetOut(a.stderr)
			_ = cmd.Usage()
			return &exitError{exitUsage}
		},
	}
	cmd.AddCommand(a.exportCommand(), a.importCommand(), a.syncCommand(), a.statusCommand(true), a.statusCommand(false))
	return cmd
}

// usersGCPercent is the garbage collector's target of the users commands (Go's default is
// 100): they read files of hundreds of megabytes, and a heap let grow to twice what is live
// peaked at 2.8 times the file (sync --apply of a 50 MB file of new users); at 50, 2.2 times,
// in the same time (BenchmarkUsersLargeFile).
const usersGCPercent = 50

// tightenGC sets the garbage collector's target to usersGCPercent, unless GOGC says
// otherwise.
func (a *app) tightenGC() {
	if a.getenv("GOGC") == "" {
		debug.SetGCPercent(usersGCPercent)
	}
}
