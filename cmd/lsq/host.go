package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

const hostLong = `Prints the API host of the account that owns the keys (e.g. api-in21.leadsquared.com), found
in one call to Authenticate a User, which answers on every regional host. Put it in LSQ_HOST
(or the --keys-file) to spare the other commands that call. A host that is not LeadSquared's
(lsq fake, a proxy) is printed as a base URL with its scheme (http://127.0.0.1:8080), which
LSQ_HOST takes as it is.

The keys come from LSQ_ACCESS_KEY and LSQ_SECRET_KEY, or from --keys-file, as for every
command; never from flags. They are sent in headers, to the host asked only: --base-url;
without it, LSQ_HOST (or the --keys-file's) when set, as every command sends its calls
there (any regional host gives the right answer); else api.leadsquared.com.

Exit status: 0 the host printed; 1 LeadSquared refused the keys (401) or the call failed;
2 usage error (no keys, bad flag).`

func (a *app) hostCommand() *cobra.Command {
	var (
		cf      clientFlags
		baseURL string
	)
	cmd := &cobra.Command{
		Use:   "host",
		Short: "Print the API host of the account that owns the keys",
		Long:  hostLong,
		Example: `  lsq host
  lsq host --keys-file ~/.config/lsq/keys`,
		Args: a.noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runHost(cmd, &cf, baseURL) },
	}
	cmd.Flags().StringVar(&baseURL, "base-url", "", "any regional host or base URL to ask (default: LSQ_HOST when set, else "+leadsquared.HostSingapore+")")
	cf.register(cmd, false)
	return cmd
}

func (a *app) runHost(cmd *cobra.Command, cf *clientFlags, baseURL string) error {
	keys, err := a.loadCredentials(cf.keysFile)
	if err != nil {
		return a.clientError(cmd, err)
	}
	if baseURL == "" {
		baseURL = hostToAsk(keys)
	}
	host, err := leadsquared.DiscoverHost(cmd.Context(), baseURL, keys.accessKey, keys.secretKey, a.clientOptions(cf)...)
	if err != nil {
		fmt.Fprintf(a.stderr, "%s: %v\n", cmd.CommandPath(), scrubErr(err, keys))
		return &exitError{exitInvalid}
	}
	fmt.Fprintln(a.stdout, host)
	return nil
}

// hostToAsk is the host lsq host asks without --base-url: the one LSQ_HOST (or the keys
// file) names, where every other command sends its calls; else api.leadsquared.com.
func hostToAsk(keys credentials) string {
	if h := keys.configuredHost(); h != "" {
		return h
	}
	return leadsquared.HostSingapore
}
