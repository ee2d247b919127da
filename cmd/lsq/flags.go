package main

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
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
	// wrapLimiter, when set, wraps the limiter of --rate (and --redis) before the client
	// uses it (lsq scim serve: scim.FailFast, so a spent budget is answered at once).
	wrapLimiter func(leadsquared.Limiter) leadsquared.Limiter
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
		return usageErrorf(cmd, a.stderr, "takes no arguments, got %q; usage: %s (run '%s -h' for help)", args[0], cmd.UseLine(), cmd.CommandPath())
	}
	return nil
}

// onlyForAnnotation marks a flag that a parent command defines for all its subcommands (a
// persistent flag, so that it can come before the subcommand's name) but that only some of
// them read: the help of the others does not list it.
const onlyForAnnotation = "lsq-only-for"

// onlyFor marks flag name of fs as read only by the subcommands named.
func onlyFor(fs *pflag.FlagSet, name string, commands ...string) {
	_ = fs.SetAnnotation(name, onlyForAnnotation, commands)
}

// flagUsages is the Flags section of cmd's help: its flags and those it inherits, but the ones
// marked onlyFor other commands.
func flagUsages(cmd *cobra.Command) string {
	fs := pflag.NewFlagSet(cmd.Name(), pflag.ContinueOnError)
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if only, ok := f.Annotations[onlyForAnnotation]; ok && cmd.HasParent() && cmd.Parent().PersistentFlags().Lookup(f.Name) != nil && !slices.Contains(only, cmd.Name()) {
			return
		}
		fs.AddFlag(f)
	})
	return fs.FlagUsages()
}

var (
	limitRe   = regexp.MustCompile(`^\s*(\d+)\s*(?:calls?\s+)?(?:in|per|/)\s*(.+?)\s*$`)
	secondsRe = regexp.MustCompile(`^(\d+)\s*(?:s|secs?|seconds?|second\(s\))$`)
)

// parseLimit reads "25 in 5s", "25 in 5 second(s)" (LeadSquared's wording) or "25/5s"; a
// window is a whole number of milliseconds ("3 in 200ms", a test's fake).
func parseLimit(s string) (calls int, per time.Duration, err error) {
	m := limitRe.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return 0, 0, fmt.Errorf("%q: want \"N in D\", e.g. \"25 in 5s\" or \"25 in 5 second(s)\"", s)
	}
	calls, err = strconv.Atoi(m[1])
	if err != nil || calls <= 0 || calls > leadsquared.MaxLimitCalls {
		return 0, 0, fmt.Errorf("%q: the number of calls must be from 1 to %d", s, leadsquared.MaxLimitCalls)
	}
	if sm := secondsRe.FindStringSubmatch(m[2]); sm != nil {
		n, err := strconv.Atoi(sm[1])
		if err != nil || n > int(leadsquared.MaxLimitWindow/time.Second) {
			return 0, 0, fmt.Errorf("%q: the window must be a whole number of seconds from 1s to %s", s, leadsquared.MaxLimitWindow)
		}
		per = time.Duration(n) * time.Second
	} else if per, err = time.ParseDuration(strings.ReplaceAll(m[2], " ", "")); err != nil {
		return 0, 0, fmt.Errorf("%q: bad window %q", s, m[2])
	}
	if per < time.Millisecond || per%time.Millisecond != 0 || per > leadsquared.MaxLimitWindow {
		return 0, 0, fmt.Errorf("%q: the window must be a whole number of milliseconds from 1ms to %s", s, leadsquared.MaxLimitWindow)
	}
	return calls, per, nil
}
