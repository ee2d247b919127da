package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/term"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/redislimit"
	"github.com/leadsquared-go/leadsquared-go/pkg/redact"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// The environment variables lsq reads its credentials from.
const (
	envAccessKey = "LSQ_ACCESS_KEY"
	envSecretKey = "LSQ_SECRET_KEY"
	envHost      = "LSQ_HOST"
	envRedisURL  = "LSQ_REDIS_URL" // the Redis URL, which may hold a password
)

// credentials are the keys and the host of one account. Never print them.
type credentials struct {
	accessKey, secretKey string
	host                 string // as given: a region, a host, a base URL, or "" (discover)
	// rd scrubs the keys (see scrub): built once by loadCredentials, since a batch
	// command scrubs every row's outcome; nil in credentials made otherwise.
	rd *redact.Redactor
}

// loadCredentials reads the keys from --keys-file when given, else from the environment.
// Its errors never hold a key.
func (a *app) loadCredentials(keysFile string) (credentials, error) {
	c := credentials{accessKey: a.getenv(envAccessKey), secretKey: a.getenv(envSecretKey), host: a.getenv(envHost)}
	if keysFile != "" {
		fc, err := a.readKeysFile(keysFile)
		if err != nil {
			return credentials{}, err
		}
		c.accessKey, c.secretKey = fc.accessKey, fc.secretKey
		if fc.host != "" {
			c.host = fc.host
		}
	}
	switch {
	case strings.TrimSpace(c.accessKey) == "" && strings.TrimSpace(c.secretKey) == "":
		return credentials{}, errors.New("no keys: set LSQ_ACCESS_KEY and LSQ_SECRET_KEY, or give --keys-file")
	case strings.TrimSpace(c.accessKey) == "":
		return credentials{}, errors.New("no access key: set LSQ_ACCESS_KEY (or put it in --keys-file)")
	case strings.TrimSpace(c.secretKey) == "":
		return credentials{}, errors.New("no secret key: set LSQ_SECRET_KEY (or put it in --keys-file)")
	}
	c.rd = c.redactor()
	return c, nil
}

// redactor returns the keys' redactor: c.rd, or a new one when c was not made by
// loadCredentials.
func (c credentials) redactor() *redact.Redactor {
	if c.rd != nil {
		return c.rd
	}
	return redact.New([]string{c.accessKey, c.secretKey}, nil)
}

// readKeysFile reads NAME=value lines (LSQ_ACCESS_KEY, LSQ_SECRET_KEY, LSQ_HOST; blank
// lines, # comments, "export " and quotes allowed; UTF-8, or UTF-16 with a byte-order
// mark). A file that others can read gets a
// warning: the keys give full access to the account.
func (a *app) readKeysFile(name string) (credentials, error) {
	f, err := os.Open(name)
	if err != nil {
		return credentials{}, fmt.Errorf("--keys-file: %w", unwrapPathError(err))
	}
	defer func() { _ = f.Close() }()
	if st, err := f.Stat(); err == nil && runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(a.stderr, "lsq: warning: %s can be read by other users (mode %04o); run: chmod 600 %s\n", name, st.Mode().Perm(), name)
	}
	var c credentials
	// A byte-order mark dropped, UTF-16 decoded: Windows PowerShell 5.1's > writes UTF-16,
	// Notepad a UTF-8 mark.
	text, err := usersync.DecodeText(io.LimitReader(f, 1<<20))
	if err != nil {
		return credentials{}, fmt.Errorf("--keys-file %s: %w", name, err)
	}
	sc := bufio.NewScanner(text)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		s = strings.TrimPrefix(s, "export ")
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return credentials{}, fmt.Errorf("--keys-file %s: line %d: want NAME=value", name, line) // the line is not quoted: it may be a key
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		switch strings.TrimSpace(k) {
		case envAccessKey:
			c.accessKey = v
		case envSecretKey:
			c.secretKey = v
		case envHost:
			c.host = v
		default:
			return credentials{}, fmt.Errorf("--keys-file %s: line %d: unknown name (want %s, %s or %s)", name, line, envAccessKey, envSecretKey, envHost)
		}
	}
	if err := sc.Err(); err != nil {
		return credentials{}, fmt.Errorf("--keys-file %s: %w", name, err)
	}
	return c, nil
}

// apiClient is a client and what it holds open.
type apiClient struct {
	*leadsquared.Client
	keys  credentials
	close func()
}

// newClient builds the client of a command: credentials, host (discovered from the keys
// when LSQ_HOST is unset), header authentication, the pacing flags, and the command's own
// options (extra). Its errors are scrubbed of the keys.
func (a *app) newClient(ctx context.Context, f *clientFlags, extra ...leadsquared.Option) (*apiClient, error) {
	keys, err := a.loadCredentials(f.keysFile)
	if err != nil {
		return nil, err
	}
	opts := append(a.clientOptions(f), extra...)
	closeFn := func() {}
	var calls int
	var per time.Duration
	if f.rate != "" {
		if calls, per, err = parseLimit(f.rate); err != nil {
			return nil, usageError{fmt.Errorf("--rate: %w", err)}
		}
	}
	redisURL, err := a.redisURL(f)
	if err != nil {
		return nil, err
	}
	switch {
	case redisURL != "" && f.rate == "":
		return nil, usageError{errors.New("--redis needs --rate: the budget the workers share")}
	case redisURL != "":
		ropts, err := redis.ParseURL(redisURL)
		if err != nil {
			return nil, usageError{errors.New("--redis: not a Redis URL (redis://host:port/db)")} // the URL may hold a password
		}
		rdb := redis.NewClient(ropts)
		lim, err := redislimit.New(rdb, keys.accessKey, redislimit.Options{Standard: redislimit.Limit{Calls: calls, Per: per}})
		if err != nil {
			_ = rdb.Close()
			return nil, scrubErr(err, keys)
		}
		closeFn = func() { _ = rdb.Close() }
		opts = append(opts, leadsquared.WithLimiter(f.wrap(lim)))
	case f.rate != "" && f.wrapLimiter != nil:
		lim, err := leadsquared.NewLimiter(calls, per)
		if err != nil {
			return nil, usageError{fmt.Errorf("--rate: %w", err)}
		}
		opts = append(opts, leadsquared.WithLimiter(f.wrap(lim)))
	case f.rate != "":
		opts = append(opts, leadsquared.WithRateLimit(calls, per))
	}
	base, err := a.baseURL(ctx, keys)
	if err != nil {
		closeFn()
		return nil, err
	}
	c, err := leadsquared.New(base, keys.accessKey, keys.secretKey, opts...)
	if err != nil {
		closeFn()
		return nil, scrubErr(err, keys)
	}
	return &apiClient{Client: c, keys: keys, close: closeFn}, nil
}

// wrap is l wrapped by f.wrapLimiter, or l.
func (f *clientFlags) wrap(l leadsquared.Limiter) leadsquared.Limiter {
	if f.wrapLimiter == nil {
		return l
	}
	return f.wrapLimiter(l)
}

// clientOptions are the options of every client a command builds: the keys in headers, lsq
// named in the User-Agent, the tests' options, and --verbose's logger.
func (a *app) clientOptions(f *clientFlags) []leadsquared.Option {
	opts := append([]leadsquared.Option{leadsquared.WithHeaderAuth(), leadsquared.WithUserAgent("lsq")}, a.clientOpts...)
	if f.verbose {
		opts = append(opts, leadsquared.WithLogger(slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	}
	return opts
}

// baseURL resolves LSQ_HOST: a region name, a host or a base URL; unset, the account's host
// is found from the keys (one call to Authenticate a User).
func (a *app) baseURL(ctx context.Context, keys credentials) (string, error) {
	if h := keys.configuredHost(); h != "" {
		return h, nil
	}
	opts := []leadsquared.Option{leadsquared.WithHeaderAuth()}
	host, err := leadsquared.DiscoverHost(ctx, leadsquared.HostSingapore, keys.accessKey, keys.secretKey, opts...)
	if err != nil {
		return "", fmt.Errorf("finding the account's host (set LSQ_HOST to skip this): %w", scrubErr(err, keys))
	}
	return host, nil
}

// configuredHost is the host LSQ_HOST (or the keys file) names, a region name resolved, or
// "" when none is set.
func (c credentials) configuredHost() string {
	h := strings.TrimSpace(c.host)
	if r, ok := leadsquared.RegionHost(h); ok {
		return r
	}
	return h
}

// usageError marks an error of the command line (exit status 2).
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// scrubErr returns err with every form of the keys in its message replaced by REDACTED.
// The library already redacts its errors; this is the CLI's own guard.
func scrubErr(err error, keys credentials) error {
	if err == nil {
		return nil
	}
	msg := scrub(err.Error(), keys)
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	if o, ok := w.(*outWriter); ok {
		w = o.w
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
