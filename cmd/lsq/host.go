package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

const hostUsage = `Usage: lsq host [--base-url URL] [--header-auth]

Prints the API host of the account that owns the keys (e.g. api-in21.leadsquared.com), found
in one call to Authenticate a User, which answers on every regional host. Keys from
--access-key and --secret-key (or LSQ_ACCESS_KEY and LSQ_SECRET_KEY); they are sent to
--base-url only (default ` + leadsquared.HostSingapore + `).
`

func runHost(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lsq host", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("base-url", leadsquared.HostSingapore, "any regional host or base URL to ask")
	accessKey := fs.String("access-key", os.Getenv("LSQ_ACCESS_KEY"), "access key (default $LSQ_ACCESS_KEY)")
	secretKey := fs.String("secret-key", os.Getenv("LSQ_SECRET_KEY"), "secret key (default $LSQ_SECRET_KEY)")
	headerAuth := fs.Bool("header-auth", false, "send the keys in headers instead of the query")
	fs.Usage = func() { fmt.Fprint(fs.Output(), hostUsage); fs.PrintDefaults() }
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "lsq host: takes no arguments")
		return exitUsage
	}
	var opts []leadsquared.Option
	if *headerAuth {
		opts = append(opts, leadsquared.WithHeaderAuth())
	}
	host, err := leadsquared.DiscoverHost(ctx, *baseURL, *accessKey, *secretKey, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "lsq host: %v\n", err)
		return exitInvalid
	}
	fmt.Fprintln(stdout, host)
	return exitOK
}
