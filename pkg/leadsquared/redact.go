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

// redactor removes the access key and secret key, in every spelling, from text, URLs and
// errors. It is package redact's Redactor, under the names the client's code uses.
type redactor struct{ r *redact.Redactor }

func newRedactor(keys ...string) *redactor {
	return &redactor{r: redact.New(keys, []string{queryAccessKey, querySecretKey})}
}

// contains reports whether s holds a secret in any form.
func (rd *redactor) contains(s string) bool { return rd.r.Contains(s) }

// scrub replaces every secret in s by REDACTED.
func (rd *redactor) scrub(s string) string { return rd.r.Scrub(s) }

// scrubBytes replaces every secret in b by REDACTED, copying only when needed.
func (rd *redactor) scrubBytes(b []byte) []byte { return rd.r.ScrubBytes(b) }

// redactURL replaces the credential query parameters of a URL string by REDACTED (as
// go-github's sanitizeURL does), then scrubs any other occurrence of a secret.
func (rd *redactor) redactURL(raw string) string { return rd.r.URL(raw) }

// redactErr returns err with no secret in its text. A *url.Error (whose text holds the
// full URL, query included) is rebuilt with a redacted URL and keeps its cause, so
// errors.Is / errors.As and Timeout() keep working.
func (rd *redactor) redactErr(err error) error { return rd.r.Err(err) }

// opaque replaces an error by its scrubbed text, keeping only a context error as cause.
func (rd *redactor) opaque(err error) error { return rd.r.Opaque(err) }
