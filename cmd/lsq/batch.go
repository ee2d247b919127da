package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// The flags and the setup shared by the batch commands: users import, sync, activate and
// deactivate send one call or more per line of a file, paced, and record each outcome in a
// state file, so that a rerun goes on where a run stopped.

// batchFlags are the flags of the commands that send one call or more per line of a file
// and record each outcome in a state file: users import, sync, activate and deactivate.
type batchFlags struct {
	client    clientFlags
	statePath string
	workers   int
}

func (f *batchFlags) register(cmd *cobra.Command, stateHelp string) {
	cmd.Flags().StringVar(&f.statePath, "state", "", stateHelp)
	cmd.Flags().IntVar(&f.workers, "workers", 4, fmt.Sprintf("calls in flight at once, 1 to %d (the rate limit sets the pace)", maxWorkers))
	f.client.register(cmd, true)
}

// maxWorkers bounds --workers: the rate limit, not the workers, sets the pace, and each
// worker holds a connection and a row in flight.
const maxWorkers = 64

// check returns the usage error of a --workers out of bounds.
func (f *batchFlags) check() error {
	if f.workers < 1 || f.workers > maxWorkers {
		return fmt.Errorf("--workers %d: want 1 to %d (the rate limit sets the pace, not the workers)", f.workers, maxWorkers)
	}
	return nil
}

// sheetFlags are batchFlags and --delimiter: the flags of the commands that read a CSV of
// users (users import and sync).
type sheetFlags struct {
	batchFlags
	delimiter string
}

func (f *sheetFlags) register(cmd *cobra.Command, stateHelp string) {
	cmd.Flags().StringVar(&f.delimiter, "delimiter", "", `the character between cells: , ; tab or | (default: found from the header row)`)
	f.batchFlags.register(cmd, stateHelp)
}

// open checks the flags and opens the CSV at path (- for standard input). Its errors are
// usage errors.
func (f *sheetFlags) open(a *app, path string) (*importInput, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	delim, err := usersync.ParseDelimiter(f.delimiter)
	if err != nil {
		return nil, err
	}
	return a.openImportInput(path, delim)
}

// openState opens the state file of a run against c's account: --state, else def ("" when
// the input is standard input, which has no name to put it beside). The error has been
// printed.
func (f *batchFlags) openState(a *app, cmd *cobra.Command, c *apiClient, def string) (*usersync.StateFile, string, error) {
	path := f.statePath
	if path == "" {
		path = def
	}
	if path == "" {
		return nil, "", usageErrorf(cmd, a.stderr, "reading standard input (-): give --state, the file that records what was done")
	}
	if err := notDash("--state", path); err != nil {
		return nil, "", usageErrorf(cmd, a.stderr, "%v", err)
	}
	st, err := usersync.OpenStateFile(path, strings.TrimPrefix(cmd.CommandPath(), "lsq "), accountOf(c.Client), func(s string) string { return scrub(s, c.keys) })
	if err != nil {
		return nil, "", usageErrorf(cmd, a.stderr, "%v", err)
	}
	return st, path, nil
}
