package leadsquared

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
)

// redacted replaces a secret in error text and logs.
const redacted = "REDACTED"

// Names of the credentials in the query string (default auth) and in headers (WithHeaderAuth).
const (
	queryAccessKey  = "accessKey"
	querySecretKey  = "secretKey"
	headerAccessKey = "x-LSQ-AccessKey"
	headerSecretKey = "x-LSQ-SecretKey"
)

// redactor removes the access key and secret key, raw and URL-escaped, from text.
type redactor struct {
	r       *strings.Replacer
	secrets []string
}

func newRedactor(keys ...string) *redactor {
	seen := map[string]bool{}
	var secrets []string
	for _, k := range keys {
		for _, form := range []string{k, url.QueryEscape(k), url.PathEscape(k)} {
			if form != "" && !seen[form] {
				seen[form] = true
				secrets = append(secrets, form)
			}
		}
	}
	// Longest first, so an escaped form is replaced whole before a raw substring of it.
	slices.SortStableFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, redacted)
	}
	return &redactor{r: strings.NewReplacer(pairs...), secrets: secrets}
}

// contains reports whether s holds a secret in any form.
func (rd *redactor) contains(s string) bool {
	for _, sec := range rd.secrets {
		if strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

// scrub replaces every secret in s by REDACTED.
func (rd *redactor) scrub(s string) string {
	if !rd.contains(s) {
		return s
	}
	return rd.r.Replace(s)
}

// scrubBytes replaces every secret in b by REDACTED, copying only when needed.
func (rd *redactor) scrubBytes(b []byte) []byte {
	if !rd.contains(string(b)) {
		return b
	}
	return []byte(rd.r.Replace(string(b)))
}

// redactURL replaces the credential query parameters of a URL string by REDACTED (as
// go-github's sanitizeURL does), then scrubs any other occurrence of a secret.
func (rd *redactor) redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.RawQuery != "" {
		q := u.Query()
		changed := false
		for _, name := range []string{queryAccessKey, querySecretKey} {
			if q.Has(name) {
				q.Set(name, redacted)
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
			raw = u.String()
		}
	}
	return rd.scrub(raw)
}

// redactedError carries a scrubbed message in place of an error whose text held a secret.
// It unwraps to a context error when there was one, so errors.Is still works for those.
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }

// redactErr returns err with no secret in its text. A *url.Error (whose text holds the
// full URL, query included) is rebuilt with a redacted URL and keeps its cause, so
// errors.Is / errors.As and Timeout() keep working.
func (rd *redactor) redactErr(err error) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*url.Error); ok { //nolint:errorlint // only the outermost error is rebuilt
		inner := ue.Err
		if inner != nil && rd.contains(inner.Error()) {
			inner = rd.opaque(inner)
		}
		return &url.Error{Op: ue.Op, URL: rd.redactURL(ue.URL), Err: inner}
	}
	if !rd.contains(err.Error()) {
		return err
	}
	return rd.opaque(err)
}

// opaque replaces an error by its scrubbed text, keeping only a context error as cause.
func (rd *redactor) opaque(err error) error {
	e := &redactedError{msg: rd.scrub(err.Error())}
	switch {
	case errors.Is(err, context.Canceled):
		e.cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		e.cause = context.DeadlineExceeded
	}
	return e
}
