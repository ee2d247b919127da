package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHost(t *testing.T) {
	t.Parallel()
	var queryKeys, headerKeys atomic.Int32
	f := newFakeAPI(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Has("accessKey") {
				queryKeys.Add(1)
			}
			if r.Header.Get("x-LSQ-AccessKey") != "" {
				headerKeys.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	})
	u, err := url.Parse(f.url)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{envAccessKey: testAccessKey, envSecretKey: testSecretKey}

	// Keys from the environment, sent in headers as by every other command. The fake's host
	// is not LeadSquared's: lsq host prints it with its scheme, a base URL LSQ_HOST takes.
	want := "http://" + u.Host
	code, out, errOut := lsqRun(t.Context(), keys, "", "host", "--base-url", f.url)
	if code != exitOK || out != want+"\n" {
		t.Errorf("env keys: exit %d, stdout %q, want %q\nstderr: %s", code, out, want, errOut)
	}
	if queryKeys.Load() != 0 || headerKeys.Load() != 1 {
		t.Errorf("keys in the query %d times, in headers %d times; want headers once", queryKeys.Load(), headerKeys.Load())
	}
	assertNoKeys(t, out, errOut)
	withHost := map[string]string{envAccessKey: testAccessKey, envSecretKey: testSecretKey, envHost: strings.TrimSpace(out)}
	if code, out, errOut := lsqRun(t.Context(), withHost, "", "call", "GetUsers"); code != exitOK || !strings.Contains(out, f.OwnerID) {
		t.Errorf("LSQ_HOST=%s lsq call GetUsers: exit %d, stdout %q, stderr %q", withHost[envHost], code, out, errOut)
	}

	// Keys from --keys-file, over the environment's.
	p := filepath.Join(t.TempDir(), "keys")
	content := "LSQ_ACCESS_KEY=" + testAccessKey + "\nLSQ_SECRET_KEY=" + testSecretKey + "\n"
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	wrongEnv := map[string]string{envAccessKey: "wrong", envSecretKey: "wrong"}
	code, out, errOut = lsqRun(t.Context(), wrongEnv, "", "host", "--base-url", f.url, "--keys-file", p)
	if code != exitOK || out != want+"\n" {
		t.Errorf("--keys-file: exit %d, stdout %q, want %q\nstderr: %s", code, out, want, errOut)
	}
	assertNoKeys(t, out, errOut)

	// Keys LeadSquared refuses.
	wrongSecret := map[string]string{envAccessKey: testAccessKey, envSecretKey: "wrong" + testSecretKey}
	code, out, errOut = lsqRun(t.Context(), wrongSecret, "", "host", "--base-url", f.url)
	if code != exitInvalid || out != "" || !strings.Contains(errOut, "401") {
		t.Errorf("wrong key: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	assertNoKeys(t, out, errOut)

	// Keys as flags are refused, before anything is sent.
	before := headerKeys.Load() + queryKeys.Load()
	for _, flag := range []string{"--access-key", "--secret-key"} {
		code, out, errOut = lsqRun(t.Context(), keys, "", "host", "--base-url", f.url, flag, testAccessKey)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "never given as flags") || !strings.Contains(errOut, envAccessKey) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", flag, code, out, errOut)
		}
		assertNoKeys(t, out, errOut)
	}
	if n := headerKeys.Load() + queryKeys.Load(); n != before {
		t.Errorf("a command with a key flag sent %d requests", n-before)
	}

	if code, _, errOut := lsqRun(t.Context(), nil, "", "host", "--base-url", f.url); code != exitUsage || !strings.Contains(errOut, "no keys") {
		t.Errorf("no keys: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := lsqRun(t.Context(), keys, "", "host", "extra"); code != exitUsage || !strings.Contains(errOut, "takes no arguments") {
		t.Errorf("an argument: exit %d, stderr %q", code, errOut)
	}
	code, out, _ = lsqRun(t.Context(), nil, "", "host", "-h")
	if code != exitOK || !strings.Contains(out, "lsq host") || !strings.Contains(out, "--keys-file") ||
		strings.Contains(out, "--access-key") || strings.Contains(out, "--header-auth") {
		t.Errorf("help: exit %d, stdout %q", code, out)
	}
}

// TestHostAsksLSQHost: without --base-url, lsq host asks the host LSQ_HOST (or the
// --keys-file's LSQ_HOST) names, as every other command sends its calls there: so the
// README's "LSQ_HOST=<the fake> lsq ..." works for lsq host too, and the keys never go to
// api.leadsquared.com when the reader pointed lsq elsewhere.
func TestHostAsksLSQHost(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	u, err := url.Parse(f.url)
	if err != nil {
		t.Fatal(err)
	}
	want := "http://" + u.Host + "\n"
	env := map[string]string{envAccessKey: testAccessKey, envSecretKey: testSecretKey, envHost: f.url}
	if code, out, errOut := lsqRun(t.Context(), env, "", "host"); code != exitOK || out != want {
		t.Errorf("LSQ_HOST=%s lsq host: exit %d, stdout %q, want %q\nstderr: %s", f.url, code, out, want, errOut)
	}

	p := filepath.Join(t.TempDir(), "keys")
	content := "LSQ_ACCESS_KEY=" + testAccessKey + "\nLSQ_SECRET_KEY=" + testSecretKey + "\nLSQ_HOST=" + f.url + "\n"
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := lsqRun(t.Context(), nil, "", "host", "--keys-file", p); code != exitOK || out != want {
		t.Errorf("lsq host --keys-file (with LSQ_HOST): exit %d, stdout %q, want %q\nstderr: %s", code, out, want, errOut)
	}

	// --base-url still wins over LSQ_HOST.
	wrong := map[string]string{envAccessKey: testAccessKey, envSecretKey: testSecretKey, envHost: "http://127.0.0.1:1/v2"}
	if code, out, errOut := lsqRun(t.Context(), wrong, "", "host", "--base-url", f.url); code != exitOK || out != want {
		t.Errorf("lsq host --base-url over LSQ_HOST: exit %d, stdout %q, want %q\nstderr: %s", code, out, want, errOut)
	}
}
