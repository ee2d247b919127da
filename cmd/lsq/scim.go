package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/scim"
)

// envSCIMToken is the environment variable lsq scim serve reads the SCIM bearer token from.
const envSCIMToken = "LSQ_SCIM_TOKEN"

// scimDefaultRate is the rate budget of lsq scim serve without --rate: the limit every
// LeadSquared docs page names.
const scimDefaultRate = "25 in 5s"

// scimMaxWait is the longest a SCIM request waits for the rate budget before it is
// answered 429 with Retry-After.
const scimMaxWait = 2 * time.Second

const scimLong = `Serves a SCIM 2.0 service provider for the Users of the LeadSquared account whose keys it
is given, so that Microsoft Entra ID, Okta or another identity provider can create, update
and deactivate LeadSquared users. It prints its base URL, http://ADDR/scim/v2 (https with
--tls-cert and --tls-key), and serves until interrupted (SIGINT/SIGTERM). Run it behind a
TLS proxy, or give it a certificate: an IdP sends the token on every request. Behind a
proxy (or on 0.0.0.0), --public-url names the base URL the IdP reaches: it is printed and
used in the Location header and meta.location; the proxy forwards it to /scim/v2 here.

Several instances may serve one account (sharing --rate through --redis): each then reads
the account again after a create, and deactivates the user it created when a look-alike
address was created at the same time by another (answering 409); --shared does the same
without Redis, when lsq users or people create users beside the bridge.

The SCIM token (the IdP's "secret token", sent as Authorization: Bearer TOKEN) comes from
LSQ_SCIM_TOKEN or --token-file, never a flag, and is never printed. The LeadSquared keys
come from LSQ_ACCESS_KEY/LSQ_SECRET_KEY or --keys-file, as for every lsq command.

DELETE and active:false deactivate (LeadSquared keeps its users); the keys' owner is never
deactivated; a create is never sent twice. Every change is appended to the audit log
(--audit-log, default standard error) as one JSON line, without keys or token. When the rate
budget (--rate, default "` + scimDefaultRate + `"; shared with other instances through --redis) is
spent, requests are answered 429 with Retry-After. See the README's SCIM section for the
attribute mapping and how to connect Entra ID and Okta.

Exit status: 0 stopped by a signal, 1 could not serve (address in use, bad certificate,
audit log or mapping file), 2 usage error (no token, no --default-role, bad flag).`

// scimOptions are the flags of lsq scim serve.
type scimOptions struct {
	client              clientFlags
	addr, defaultRole   string
	tlsCert, tlsKey     string
	tokenFile, auditLog string
	mappingFile         string
	publicURL           string
	shared              bool
}

func (a *app) scimCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scim",
		Short: "Provision LeadSquared users from Entra ID or Okta (a SCIM 2.0 service)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SetOut(a.stderr)
			_ = cmd.Usage()
			return &exitError{exitUsage}
		},
	}
	var o scimOptions
	serve := &cobra.Command{
		Use: `serve --default-role ROLE [--addr 127.0.0.1:8090] [--token-file FILE]
           [--public-url URL] [--tls-cert FILE --tls-key FILE] [--audit-log FILE] [--mapping FILE]
           [--rate "25 in 5s"] [--redis URL] [--shared]`,
		DisableFlagsInUseLine: true,
		Short:                 "Serve SCIM 2.0 /Users in front of the LeadSquared account",
		Long:                  scimLong,
		Args:                  a.noArgs,
		RunE:                  func(cmd *cobra.Command, args []string) error { return exit(a.runSCIM(cmd, &o)) },
	}
	f := serve.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8090", "address to listen on")
	f.StringVar(&o.defaultRole, "default-role", "", "LeadSquared role of a user created without one: Administrator, Marketing_User, Sales_Manager or Sales_User (required)")
	f.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM; with --tls-key)")
	f.StringVar(&o.tlsKey, "tls-key", "", "the certificate's private key (PEM; with --tls-cert)")
	f.StringVar(&o.tokenFile, "token-file", "", "read the SCIM bearer token from this file (mode 0600); default "+envSCIMToken)
	f.StringVar(&o.auditLog, "audit-log", "", "append the audit log (JSON lines) to this file, created mode 0600; one that is there must be an audit log (default standard error)")
	f.StringVar(&o.mappingFile, "mapping", "", `JSON file sending SCIM attributes LeadSquared lacks to mx_ fields, e.g. {"externalId":"mx_External_Id"}`)
	f.StringVar(&o.publicURL, "public-url", "", "the base URL the IdP reaches, behind a proxy or on 0.0.0.0 (e.g. https://scim.example.com/scim/v2): printed, and in Location and meta.location; the proxy forwards it to http://ADDR/scim/v2")
	f.BoolVar(&o.shared, "shared", false, "other writers create users in the account at the same time: re-check for look-alike addresses after each create (on with --redis)")
	o.client.register(serve, true)
	// Without --rate the service paces at scimDefaultRate (runSCIM), not at a limit learnt
	// from the first rate-limit answer as the other commands do: the flag says so.
	f.Lookup("rate").Usage = `the account's rate limit, e.g. "25 in 5s" (default "` + scimDefaultRate + `")`
	cmd.AddCommand(serve)
	return cmd
}

func (a *app) runSCIM(cmd *cobra.Command, o *scimOptions) int {
	ctx, stdout, stderr := cmd.Context(), a.stdout, a.stderr
	usageErr := func(format string, args ...any) int {
		_ = usageErrorf(cmd, stderr, format, args...)
		return exitUsage
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "%s: %s\n", cmd.CommandPath(), fmt.Sprintf(format, args...))
		return exitInvalid
	}
	if o.defaultRole == "" {
		return usageErr("--default-role is required: the LeadSquared role of a user the IdP creates without one (Sales_User is the narrowest)")
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return usageErr("give both --tls-cert and --tls-key, or neither")
	}
	token, err := a.scimToken(o.tokenFile)
	if err != nil {
		return usageErr("%v", err)
	}
	var mapping scim.Mapping
	if o.mappingFile != "" {
		mf, err := os.Open(o.mappingFile)
		if err != nil {
			return fail("--mapping: %v", unwrapPathError(err))
		}
		mapping, err = scim.ReadMapping(mf)
		_ = mf.Close()
		if err != nil {
			return fail("--mapping %s: %v", o.mappingFile, err)
		}
	}
	audit, closeAudit, err := a.openAudit(o.auditLog, map[string]string{
		"--mapping": o.mappingFile, "--token-file": o.tokenFile, "--tls-cert": o.tlsCert, "--tls-key": o.tlsKey,
	})
	if err != nil {
		return fail("--audit-log: %v", err)
	}
	defer closeAudit()

	publicURL, err := checkPublicURL(o.publicURL)
	if err != nil {
		return usageErr("--public-url: %v", err)
	}
	if o.client.rate == "" {
		o.client.rate = scimDefaultRate
	}
	redisURL, err := a.redisURL(&o.client)
	if err != nil {
		return usageErr("%v", err)
	}
	// Instances sharing a budget through Redis create users side by side: each process's
	// own lock cannot keep their look-alike addresses apart.
	shared := o.shared || redisURL != ""
	o.client.wrapLimiter = func(l leadsquared.Limiter) leadsquared.Limiter { return scim.FailFast(l, scimMaxWait) }
	// No retries inside a request: the IdP retries, and a wait would hold its request.
	c, err := a.newClient(ctx, &o.client, leadsquared.WithMaxRetries(0))
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			return usageErr("%v", err)
		}
		return fail("%v", err)
	}
	defer c.close()

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fail("%v", err)
	}
	scheme := "http"
	if o.tlsCert != "" {
		scheme = "https"
	}
	base := scheme + "://" + displayAddr(ln.Addr()) + scim.DefaultBasePath
	// meta.location is absolute only when the address names the host the IdP reaches; on
	// all interfaces (0.0.0.0) it stays relative (Users/ID) rather than say localhost.
	locBase := base
	if host, _, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			locBase = ""
		}
	}
	if publicURL != "" {
		base, locBase = publicURL, publicURL
	}
	h, err := scim.New(scim.Config{
		Client: c.Client, Token: token, DefaultRole: o.defaultRole, Mapping: mapping, Audit: audit, BaseURL: locBase,
		Shared: shared,
	})
	if err != nil {
		_ = ln.Close()
		return usageErr("%v", err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 2 * time.Minute}
	served := make(chan error, 1)
	go func() {
		if o.tlsCert != "" {
			served <- hs.ServeTLS(ln, o.tlsCert, o.tlsKey)
			return
		}
		served <- hs.Serve(ln)
	}()
	fmt.Fprintf(stdout, "lsq scim serve: serving SCIM 2.0 at %s\n", base)
	if publicURL != "" {
		fmt.Fprintf(stdout, "  listening on %s\n", displayAddr(ln.Addr()))
	}
	fmt.Fprintf(stdout, "  default role of created users: %s; rate budget: %s\n", o.defaultRole, o.client.rate)
	if shared {
		fmt.Fprintln(stdout, "  shared account: each create re-checks for look-alike addresses")
	}
	fmt.Fprintln(stdout, "Press Ctrl+C to stop.")
	if a.out.Err() != nil {
		// No one was told where the bridge is: serving on is of no use (run says why, and
		// makes it exit status 1).
		_ = hs.Close()
		return exitInvalid
	}

	select {
	case err := <-served:
		return fail("%v", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		_ = hs.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fail("%v", err)
	}
	fmt.Fprintln(stdout, "lsq scim serve: stopped")
	return exitOK
}

// scimToken reads the SCIM token from file (warning when others can read it) or
// LSQ_SCIM_TOKEN. Its errors never hold the token.
func (a *app) scimToken(file string) (string, error) {
	tok := a.getenv(envSCIMToken)
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", unwrapPathError(err))
		}
		defer func() { _ = f.Close() }()
		if st, err := f.Stat(); err == nil && runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
			fmt.Fprintf(a.stderr, "lsq: warning: %s can be read by other users (mode %04o); run: chmod 600 %s\n", file, st.Mode().Perm(), file)
		}
		b, err := io.ReadAll(io.LimitReader(f, 4096))
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", unwrapPathError(err))
		}
		tok = string(b)
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", fmt.Errorf("no SCIM token: set %s or give --token-file (never a flag: the process list shows flags)", envSCIMToken)
	}
	return tok, nil
}

// openAudit opens the audit log for appending (created 0600, never through a symlink), or
// returns standard error for "". A file that is there must be an audit log (JSON lines) or
// empty, and none of the files serve reads (inputs: flag to file): lsq never appends to a
// spreadsheet, a key or the mapping. A last line a killed run cut short is ended first, so
// that the next entry is a line of its own.
func (a *app) openAudit(name string, inputs map[string]string) (io.Writer, func(), error) {
	if name == "" {
		return a.stderr, func() {}, nil
	}
	if name == "-" {
		return nil, nil, errors.New("-: give the name of a file (without --audit-log the log goes to standard error)")
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE|oNoFollow, 0o600)
	if err != nil {
		if st, lerr := os.Lstat(name); lerr == nil && st.Mode()&os.ModeSymlink != 0 {
			return nil, nil, fmt.Errorf("%s is a symbolic link: give the file itself", name)
		}
		return nil, nil, unwrapPathError(err)
	}
	fail := func(err error) (io.Writer, func(), error) {
		_ = f.Close()
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		return fail(unwrapPathError(err))
	}
	for flag, in := range inputs {
		if in != "" {
			if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
				return fail(fmt.Errorf("%s is the %s file: give another name", name, flag))
			}
		}
	}
	if st.Mode().IsRegular() && st.Size() > 0 {
		r, err := os.Open(name)
		if err != nil {
			return fail(unwrapPathError(err))
		}
		first, last := make([]byte, 1), make([]byte, 1)
		_, err1 := r.ReadAt(first, 0)
		_, err2 := r.ReadAt(last, st.Size()-1)
		_ = r.Close()
		if err1 != nil || err2 != nil {
			return fail(fmt.Errorf("%s: reading it: %w", name, unwrapPathError(errors.Join(err1, err2))))
		}
		if first[0] != '{' {
			return fail(fmt.Errorf("%s is there and is not an audit log (JSON lines): lsq appends to its own log only; give another name", name))
		}
		if last[0] != '\n' {
			if _, err := f.Write([]byte{'\n'}); err != nil {
				return fail(unwrapPathError(err))
			}
		}
	}
	return f, func() { _ = f.Close() }, nil
}

// checkPublicURL checks --public-url: an absolute http(s) URL with a host and no query,
// user or fragment; its trailing slash is dropped.
func checkPublicURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q: want the absolute URL the IdP reaches, e.g. https://scim.example.com/scim/v2", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("%q: want a URL without user, query or fragment", u.Redacted())
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// displayAddr is a listener's address with an unspecified host shown as localhost.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
