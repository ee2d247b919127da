package redact_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/redact"
)

const (
	access = "u$r/a+b%c&d=e"
	secret = "a$b/c+d%e f#g"
)

var params = []string{"accessKey", "secretKey"}

// forms are the spellings of the test keys a leak could take.
func forms(keys ...string) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k, url.QueryEscape(k), url.PathEscape(k))
		b, _ := json.Marshal(k)
		out = append(out, string(b[1:len(b)-1]))
	}
	return out
}

func assertClean(t *testing.T, what, s string, keys ...string) {
	t.Helper()
	for i, f := range forms(keys...) {
		if strings.Contains(s, f) {
			t.Errorf("%s leaks a key (form %d)", what, i)
		}
	}
}

func TestScrubEverySpelling(t *testing.T) {
	t.Parallel()
	rd := redact.New([]string{access, secret}, params)
	for _, k := range []string{access, secret} {
		for i, form := range redact.Spellings(k) {
			in := "before " + form + " after"
			if got := rd.Scrub(in); got != "before REDACTED after" {
				t.Errorf("spelling %d: Scrub = %q", i, got)
			}
			if got := string(rd.ScrubBytes([]byte(in))); got != "before REDACTED after" {
				t.Errorf("spelling %d: ScrubBytes = %q", i, got)
			}
			if !rd.Contains(in) {
				t.Errorf("spelling %d: Contains = false", i)
			}
		}
	}
	// The spellings include the escaped ones.
	want := []string{`a$b/c+d%e f#g`, `a%24b%2Fc%2Bd%25e+f%23g`, `a$b%2Fc+d%25e%20f%23g`, `a$b\/c+d%e f#g`, `a$b\u002fc+d%e f#g`}
	got := redact.Spellings(secret)
	for _, w := range want {
		if !containsString(got, w) {
			t.Errorf("Spellings(secret) lacks %q: %q", w, got)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A literal spelled with escapes no list holds is found by decoding it.
func TestScrubJSONLiterals(t *testing.T) {
	t.Parallel()
	const ak = `ak&"x/<y>+z%1`
	rd := redact.New([]string{ak}, nil)
	in := `{"A":"\u0061k\u0026\"x\u002f<y>+z%1","B":"plain \"quoted\"","C":"x \u0061k\u0026\"x\/<y>+z%1 y"}`
	got := rd.Scrub(in)
	if want := `{"A":"REDACTED","B":"plain \"quoted\"","C":"x REDACTED y"}`; got != want {
		t.Errorf("Scrub = %s, want %s", got, want)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatalf("not JSON any more: %v", err)
	}
	for k, s := range v {
		assertClean(t, k, s, ak)
	}
}

// One key is a part of the other: the longer is replaced whole, in every spelling, whatever
// order the keys come in.
func TestLongestFirst(t *testing.T) {
	t.Parallel()
	short, long := "a$b/c", "a$b/c+d%e"
	for _, keys := range [][]string{{short, long}, {long, short}} {
		rd := redact.New(keys, nil)
		for _, k := range []string{long, url.QueryEscape(long), url.PathEscape(long), strings.ReplaceAll(long, "/", `\/`)} {
			if got := rd.Scrub("[" + k + "]"); got != "[REDACTED]" {
				t.Errorf("keys %q: Scrub(%q) = %q", keys, k, got)
			}
		}
		if got := rd.Scrub("[" + short + "]"); got != "[REDACTED]" {
			t.Errorf("keys %q: Scrub(short) = %q", keys, got)
		}
	}
}

func TestBlankAndNil(t *testing.T) {
	t.Parallel()
	for _, rd := range []*redact.Redactor{nil, redact.New(nil, nil), redact.New([]string{"", "  "}, nil)} {
		for _, s := range []string{"a b  c", `"\u0061 b"`} {
			if got := rd.Scrub(s); got != s {
				t.Errorf("Scrub(%q) = %q", s, got)
			}
			if rd.Contains(s) {
				t.Errorf("Contains(%q)", s)
			}
		}
		err := errors.New("x")
		if rd.Err(err) != err { //nolint:errorlint // the same error
			t.Error("Err changed a clean error")
		}
	}
	rd := redact.New([]string{access}, nil)
	b := []byte("clean")
	if got := rd.ScrubBytes(b); &got[0] != &b[0] {
		t.Error("ScrubBytes copied clean bytes")
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	rd := redact.New([]string{access, secret}, params)
	for _, u := range []string{
		"https://h/v2/x?userId=1&accessKey=" + url.QueryEscape(access) + "&secretKey=" + url.QueryEscape(secret),
		"https://h/v2/x?userId=1&ACCESSKEY=wrong-key&secretkey=other",
		"https://h/v2/x/" + url.PathEscape(secret) + "?userId=1&accessKey=" + url.QueryEscape(access),
	} {
		got := rd.URL(u)
		assertClean(t, "URL", got, access, secret)
		if strings.Contains(got, "wrong-key") || strings.Contains(got, "other") || !strings.Contains(got, "userId=1") || !strings.Contains(got, "REDACTED") {
			t.Errorf("URL = %q", got)
		}
	}
	if got := rd.URL("https://h/v2/x?userId=1"); got != "https://h/v2/x?userId=1" {
		t.Errorf("URL changed a clean URL: %q", got)
	}
}

func TestQuery(t *testing.T) {
	t.Parallel()
	q := url.Values{"AccessKey": {access, "2"}, "secretkey": {secret}, "userId": {"u1"}}
	got := redact.Query(q, params...)
	if fmt.Sprint(got) != fmt.Sprint(url.Values{"AccessKey": {"REDACTED", "REDACTED"}, "secretkey": {"REDACTED"}, "userId": {"u1"}}) {
		t.Errorf("Query = %v", got)
	}
	if q.Get("secretkey") != secret {
		t.Error("Query changed its argument")
	}
	got["userId"][0] = "changed"
	if q.Get("userId") != "u1" {
		t.Error("Query shares values with its argument")
	}
}

// Errors keep what callers branch on: *url.Error with Timeout and its cause, context errors.
func TestErr(t *testing.T) {
	t.Parallel()
	rd := redact.New([]string{access, secret}, params)
	raw := "http://127.0.0.1:1/v2/x?accessKey=" + url.QueryEscape(access) + "&secretKey=" + url.QueryEscape(secret)

	cause := &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	ue := rd.Err(&url.Error{Op: "Get", URL: raw, Err: cause})
	assertClean(t, "url.Error", ue.Error(), access, secret)
	var got *url.Error
	if !errors.As(ue, &got) || !got.Timeout() || !errors.Is(ue, os.ErrDeadlineExceeded) {
		t.Errorf("url.Error lost its cause: %v", ue)
	}

	leaky := &url.Error{Op: "Get", URL: raw, Err: fmt.Errorf("proxy said %s: %w", secret, context.DeadlineExceeded)}
	e := rd.Err(leaky)
	assertClean(t, "url.Error cause", e.Error(), access, secret)
	if !errors.Is(e, context.DeadlineExceeded) {
		t.Error("the context cause is lost")
	}

	e = rd.Err(fmt.Errorf("key %s: %w", url.QueryEscape(access), context.Canceled))
	assertClean(t, "error", e.Error(), access, secret)
	if !errors.Is(e, context.Canceled) || !strings.Contains(e.Error(), "key REDACTED") {
		t.Errorf("Err = %v", e)
	}
	sentinel := errors.New("no secret")
	if rd.Err(sentinel) != sentinel { //nolint:errorlint // the same error
		t.Error("Err wrapped a clean error")
	}
	if rd.Err(nil) != nil {
		t.Error("Err(nil) != nil")
	}
}

// An error whose text spells a key only through JSON escapes (a reply body quoted in it) is
// redacted too: Err and Contains see what Scrub replaces.
func TestErrJSONEscapedKey(t *testing.T) {
	t.Parallel()
	const ak = `ak&"x/<y>+z%1`
	rd := redact.New([]string{ak}, nil)
	text := `reply {"Message":"bad key \u0061k\u0026\"x\u002f<y>+z%1"}`
	if !rd.Contains(text) {
		t.Error("Contains misses a key spelled with JSON escapes")
	}
	e := rd.Err(errors.New(text))
	var v struct{ Message string }
	if err := json.Unmarshal([]byte(strings.TrimPrefix(e.Error(), "reply ")), &v); err != nil {
		t.Fatalf("Err = %q: %v", e.Error(), err)
	}
	assertClean(t, "Err", v.Message, ak)
	assertClean(t, "Err", e.Error(), ak)
}

// A key is found whatever percent escapes spell it: hex digits in lower, upper or mixed case,
// and some bytes escaped where an encoder other than Go's leaves them raw (or the reverse).
func TestScrubEveryPercentEscape(t *testing.T) {
	t.Parallel()
	const key = "a$b/c+d%e"
	rd := redact.New([]string{key, secret}, params)
	for _, spelled := range []string{
		"a%24b%2fc%2bd%25e",           // lower case hex
		"a%24b%2Fc%2bd%25e",           // mixed, escape by escape
		"a$b%2fc+d%e",                 // only / escaped, lower case
		"a%24b/c%2Bd%25e",             // / raw, the rest escaped
		"%61%24%62%2f%63%2b%64%25%65", // every byte
		"a$b%2fc+d%25e",
		"a%24b%2fc%2bd%25e f%23g", // secret's space as itself after an escape
	} {
		for _, in := range []string{"[" + spelled + "]", "https://h/x?accessKey=" + spelled + "&y=1"} {
			if !rd.Contains(in) {
				t.Errorf("Contains(%q) = false", in)
			}
			got := rd.Scrub(in)
			if strings.Contains(got, "%2f") || strings.Contains(got, "%2F") || strings.Contains(got, "a%24b") || strings.Contains(got, "a$b") {
				t.Errorf("Scrub(%q) = %q", in, got)
			}
			if err := rd.Err(errors.New(in)); strings.Contains(err.Error(), "a$b") || strings.Contains(err.Error(), "%2f") || strings.Contains(err.Error(), "%2F") {
				t.Errorf("Err(%q) = %q", in, err)
			}
		}
	}
	if got := rd.Scrub("[a%24b%2fc%2bd%25e]"); got != "[REDACTED]" {
		t.Errorf("Scrub = %q, want [REDACTED]", got)
	}
	// The secret with a space written +, its other bytes escaped in lower case.
	if got := rd.Scrub("x=a%24b%2fc%2bd%25e+f%23g&y"); got != "x=REDACTED&y" {
		t.Errorf("Scrub(+ for space) = %q", got)
	}
	// In a JSON string literal with escapes.
	if got := rd.Scrub(`{"u":"\u0061%24b%2fc%2bd%25e"}`); got != `{"u":"REDACTED"}` {
		t.Errorf("Scrub(JSON) = %q", got)
	}
	// Text that is not a key is left alone, escapes and all.
	for _, in := range []string{"a%24b%2fc%2bd%25x", "%2f%2F%zz%", "a%24b%2fc%2bd%2", "100% sure"} {
		if rd.Contains(in) || rd.Scrub(in) != in {
			t.Errorf("%q: Contains = %v, Scrub = %q", in, rd.Contains(in), rd.Scrub(in))
		}
	}
}
