package main

import "github.com/spf13/cobra"

func (a *app) usersCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Export, import, activate and deactivate the account's users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SetOut(a.stderr)
			_ = cmd.Usage()
			return &exitError{exitUsage}
		},
	}
	cmd.AddCommand(a.exportCommand(), a.importCommand(), a.syncCommand(), a.statusCommand(true), a.statusCommand(false))
	return cmd
}
