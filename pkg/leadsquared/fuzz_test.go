package leadsquared

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzParseLimit: the rate-limit message parser never panics and only reports sane limits.
func FuzzParseLimit(f *testing.F) {
	for _, s := range []string{
		"API calls exceeded the limit of 25 in 5 second(s)",
		"API calls exceeded the limit of 10 in 5 second(s)",
		"exceeded the limit of 0 in 5 second(s)",
		"exceeded the limit of 99999999999999999999 in 5 second(s)",
		"exceeded the limit of 5 in 100000 second(s)",
		"EXCEEDED THE LIMIT OF 3IN1SECOND",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		calls, window, ok := parseLimit(msg)
		if !ok {
			if calls != 0 || window != 0 {
				t.Fatalf("not ok but %d/%s", calls, window)
			}
			return
		}
		if calls <= 0 || window <= 0 || window > 24*time.Hour {
			t.Fatalf("%q parsed to %d per %s", msg, calls, window)
		}
	})
}

// FuzzParseLimitRoundTrip: every message LeadSquared could send parses back to its numbers.
func FuzzParseLimitRoundTrip(f *testing.F) {
	f.Add(25, 5)
	f.Add(1, 86400)
	f.Fuzz(func(t *testing.T, n, s int) {
		if n <= 0 || s <= 0 || s > 86400 {
			return
		}
		msg := fmt.Sprintf("API calls exceeded the limit of %d in %d second(s)", n, s)
		calls, window, ok := parseLimit(msg)
		if !ok || calls != n || window != time.Duration(s)*time.Second {
			t.Fatalf("%q -> %d, %s, %v", msg, calls, window, ok)
		}
	})
}

// FuzzParseRetryAfter: any header value gives no wait, or a wait in [0, 24h].
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "5", "1.5", "-1", "NaN", "+Inf", "1e400", "Wed, 21 Oct 2015 07:28:00 GMT", "Mon, 01 Jan 3000 00:00:00 GMT", "soon"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(http.Header{"Retry-After": {v}}, now)
		if !ok {
			return
		}
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("Retry-After %q -> %s", v, d)
		}
	})
}

// FuzzErrorShape: the cheap error-body detector agrees with a full parse: it flags a body
// only when its top level is LeadSquared's error shape, and never misses one.
func FuzzErrorShape(f *testing.F) {
	for _, s := range []string{
		`{"Status":"Error","ExceptionType":"MXAPIRateLimitExceededException","ExceptionMessage":"API calls exceeded the limit of 25 in 5 second(s)"}`,
		`{"Status":"Success","Message":{"Id":"x"}}`,
		`[{"UserId":"x","Status":"Error"}]`,
		`{"Users":[{"Status":"Error"}]}`,
		`  {"Status" : "Error"}`,
		`{"ExceptionType":"MXDuplicateEntryException"}`,
		`{"status":"Error"}`,
		`{"Status":"Error"`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		eb, isErr := errorShape(body)
		trimmed := bytes.TrimLeft(body, " \t\r\n")
		if bytes.Contains(body, []byte(`\`)) {
			return // escaped strings: see errorShape
		}
		var ref map[string]any
		refOK := len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &ref) == nil
		status, _ := ref["Status"].(string)
		exType, _ := ref["ExceptionType"].(string)
		want := refOK && (status == "Error" || exType != "")
		if isErr != want {
			t.Fatalf("errorShape(%q) = %v, full parse says %v", body, isErr, want)
		}
		if isErr && (eb.Status != status || string(eb.ExceptionType) != exType) {
			t.Fatalf("decoded %+v, want Status %q ExceptionType %q", eb, status, exType)
		}
	})
}

// FuzzParseBaseURL: any input gives a usable https/http base URL or an error that does not
// repeat the input.
func FuzzParseBaseURL(f *testing.F) {
	for _, s := range []string{
		"api-in21.leadsquared.com", "https://api-in21.leadsquared.com/v2", "http://127.0.0.1:8080/v2/",
		"https://h/v2?accessKey=SECRETKEY", "ftp://x", "://", "https://user:pw@h", "h o s t", "%zz", "?SECRET", "https://SECRET@h", "https://h:SECRET/v2", "ht tp://SECRET",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := parseBaseURL(raw)
		if err != nil {
			if strings.Contains(raw, "SECRET") && strings.Contains(err.Error(), "SECRET") {
				t.Fatalf("error repeats the input: %v", err)
			}
			return
		}
		if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.User != nil || u.Path == "" {
			t.Fatalf("%q -> %s", raw, u)
		}
	})
}
