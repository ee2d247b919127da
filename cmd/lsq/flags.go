package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// clientFlags are the flags of every command that calls the API, defined here once: the
// keys' file and the retry log, and with pacing (commands that send many calls) --rate and
// --redis. No command takes a key as a flag: keys come from the environment or --keys-file
// (app.loadCredentials), and a key flag is refused by flagError.
type clientFlags struct {
	keysFile string
	verbose  bool
	pacing   bool // --rate and --redis are flags of the command
	rate     string
	redis    string
}

func (f *clientFlags) register(cmd *cobra.Command, pacing bool) {
	f.pacing = pacing
	cmd.Flags().StringVar(&f.keysFile, "keys-file", "", "read LSQ_ACCESS_KEY, LSQ_SECRET_KEY and LSQ_HOST from this file (NAME=value lines, mode 0600)")
	cmd.Flags().BoolVarP(&f.verbose, "verbose", "v", false, "log every retry (rate limits, 5xx) on stderr; never the keys")
	if pacing {
		cmd.Flags().StringVar(&f.rate, "rate", "", `the account's rate limit, e.g. "25 in 5s" (default: learnt from the first rate-limit answer)`)
		cmd.Flags().StringVar(&f.redis, "redis", "", "share the rate budget with other workers through Redis at this URL (redis://host:6379/0; one with a password goes in "+envRedisURL+", never a flag); needs --rate")
	}
}

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
	delim, err := parseDelimiter(f.delimiter)
	if err != nil {
		return nil, err
	}
	return a.openImportInput(path, delim)
}

// keyFlagNames are the spellings of a key as a flag (lower case, without - and _): refused by
// every command with a message that says where keys go.
var keyFlagNames = map[string]bool{"accesskey": true, "secretkey": true, "key": true, "secret": true}

func isKeyFlag(name string) bool {
	name, _, _ = strings.Cut(name, "=")
	return keyFlagNames[strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(name))]
}

// flagError is every command's error for a bad flag: the command, the flag and how to get
// help, exit status 2. A key given as a flag is refused with where keys go, and no value
// that follows an unknown flag is printed (-accessKey=... may hold a key).
func (a *app) flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	name, unknown := strings.CutPrefix(msg, "unknown flag: --")
	if i := strings.Index(msg, " in -"); !unknown && strings.HasPrefix(msg, "unknown shorthand flag: ") && i >= 0 {
		name, unknown = msg[i+len(" in -"):], true
		msg = msg[:i+len(" in -")] + strings.SplitN(name, "=", 2)[0]
	}
	if !unknown {
		return usageErrorf(cmd, a.stderr, "%s (run '%s -h' for help)", msg, cmd.CommandPath())
	}
	if isKeyFlag(name) {
		return usageErrorf(cmd, a.stderr, "unknown flag: --%s: keys are never given as flags (the process list shows flags); set %s and %s, or give --keys-file",
			strings.SplitN(name, "=", 2)[0], envAccessKey, envSecretKey)
	}
	return usageErrorf(cmd, a.stderr, "%s: flag provided but not defined (run '%s -h' for its flags)", msg, cmd.CommandPath())
}

// noArgs is the Args of a command that takes no arguments.
func (a *app) noArgs(cmd *cobra.Command, args []string) error {
	if len(args) != 0 {
		return usageErrorf(cmd, a.stderr, "takes no arguments")
	}
	return nil
}
