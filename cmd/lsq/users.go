package main

import "github.com/spf13/cobra"

func (a *app) usersCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Export, import, sync, activate and deactivate the account's users",
		Long: `Export, import, sync, activate and deactivate the account's users. export writes a users file;
import and sync read the same format (see lsq users import -h), with the guarantees of
package usersync: nothing created twice, access changed only where the file says so.

Exit status: 0 help printed (-h); 2 usage error (no command, or an unknown one); each
subcommand's help gives its own.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SetOut(a.stderr)
			_ = cmd.Usage()
			return &exitError{exitUsage}
		},
	}
	cmd.AddCommand(a.exportCommand(), a.importCommand(), a.syncCommand(), a.statusCommand(true), a.statusCommand(false))
	return cmd
}
