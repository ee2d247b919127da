package leadsquared

import (
	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/redact"
)

// redacted replaces a secret in error text and logs.
const redacted = redact.Redacted

// Names of the credentials in the query string (default auth) and in headers (WithHeaderAuth),
// from the spec's security schemes.
const (
	queryAccessKey  = api.CredentialAccessKey
	querySecretKey  = api.CredentialSecretKey
	headerAccessKey = api.CredentialAccessKeyHeader
	headerSecretKey = api.CredentialSecretKeyHeader
)

// newRedactor returns the client's redactor (package redact, which the fake and lsq use too):
// it replaces the keys in every spelling, and any value of the credential query parameters.
func newRedactor(keys ...string) *redact.Redactor {
	return redact.New(keys, []string{queryAccessKey, querySecretKey})
}
