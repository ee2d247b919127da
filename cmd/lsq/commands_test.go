package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/spf13/cobra"
)

// commandPaths returns the path (without "lsq") of every command of lsq, parents included,
// but the hidden ones (cobra's __complete).
func commandPaths(t *testing.T) [][]string {
	t.Helper()
	var out [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		for _, sub := range c.Commands() {
			if sub.Hidden {
				continue
			}
			p := append(slices.Clone(path), sub.Name())
			out = append(out, p)
			walk(sub, p)
		}
	}
	walk(newApp(nil, nil, nil).root(context.Background()), nil)
	return out
}

// TestNoCommandTakesAKeyFlag gives every command a key as a flag, in the spellings a user
// might try: each refuses it (exit 2) before it reads a file or sends a request, says where
// keys go, and prints no key.
func TestNoCommandTakesAKeyFlag(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	f := newFakeAPI(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			h.ServeHTTP(w, r)
		})
	})
	paths := commandPaths(t)
	seen := map[string]bool{}
	for _, p := range paths {
		seen[strings.Join(p, " ")] = true
	}
	// The table is every command: these must be among them (the six that had their own
	// flag parsing, and the API-calling ones).
	for _, want := range []string{"call", "host", "demo", "fake", "ops", "spec", "spec drift", "validate", "validate request",
		"validate response", "users", "users export", "users import", "users sync", "users activate", "users deactivate"} {
		if !seen[want] {
			t.Errorf("lsq %s is not among the commands %v", want, paths)
		}
	}
	forms := [][]string{
		{"--access-key", testAccessKey},
		{"--secret-key=" + testSecretKey},
		{"--accessKey", testAccessKey},
		{"--secret_key", testSecretKey},
		{"-accessKey=" + testAccessKey},
	}
	for _, p := range paths {
		name := strings.Join(p, " ")
		if name == "fake" {
			// lsq fake's --access-key/--secret-key are the keys the fake itself accepts (lsqtest
			// keys, printed when the fake chooses them), not an account's: TestFakeKeysAndLimit.
			continue
		}
		for _, form := range forms {
			args := append(slices.Clone(p), form...)
			args = append(args, "x.csv")
			code, out, errOut := lsqRun(t.Context(), f.env(), "", args...)
			if code != exitUsage || !strings.Contains(errOut, "keys are never given as flags") ||
				!strings.Contains(errOut, envAccessKey) || !strings.Contains(errOut, "lsq "+name+": ") {
				t.Errorf("lsq %s %s...: exit %d, want 2 and where keys go\nstdout: %s\nstderr: %s", name, strings.SplitN(form[0], "=", 2)[0], code, out, errOut)
			}
			assertNoKeys(t, out, errOut)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests sent by commands given a key flag", n)
	}
	// Another unknown flag is a usage error that names the command and keeps the value to
	// itself (it may be a secret too).
	code, _, errOut := lsqRun(t.Context(), nil, "", "ops", "-xyz=s3cr3t")
	if code != exitUsage || !strings.Contains(errOut, "lsq ops: unknown shorthand flag: 'x' in -xyz") || strings.Contains(errOut, "s3cr3t") {
		t.Errorf("ops -xyz=s3cr3t: exit %d, stderr %q", code, errOut)
	}
}

// TestFlagForms: the commands that parsed their own flags take cobra's forms, as the others
// do: --flag=value, and -h/--help on standard output with exit 0.
func TestFlagForms(t *testing.T) {
	t.Parallel()
	code, out, errOut := runLsq(t, validCreate, "validate", "request", "--max-size=1KB", "--json=true", "CreateUser", "-")
	if code != 0 || !strings.Contains(out, `"valid": true`) {
		t.Errorf("--flag=value: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, p := range commandPaths(t) {
		for _, h := range []string{"-h", "--help"} {
			code, out, errOut := runLsq(t, "", append(p, h)...)
			if code != 0 || !strings.Contains(out, "Usage: lsq "+strings.Join(p, " ")) || errOut != "" {
				t.Errorf("lsq %s %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(p, " "), h, code, out, errOut)
			}
		}
	}
}

// TestSpecDriftLiveKeysFile: lsq spec drift --live takes the keys (and the host) from
// --keys-file over the environment, as every command that calls the API does.
func TestSpecDriftLiveKeysFile(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	p := filepath.Join(t.TempDir(), "keys")
	content := fmt.Sprintf("LSQ_ACCESS_KEY=%s\nLSQ_SECRET_KEY=%s\nLSQ_HOST=%s\n", testAccessKey, testSecretKey, f.url)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	wrongEnv := map[string]string{envAccessKey: "wrong", envSecretKey: "wrong", envHost: "http://127.0.0.1:1/v2"}
	code, out, errOut := lsqRun(t.Context(), wrongEnv, "", "spec", "drift", "--live", "--keys-file", p, "--verbose")
	if code != exitOK || out != "# lsq spec drift: no drift: 10 replies match the spec\n" || strings.Contains(errOut, "skipped") {
		t.Errorf("--keys-file: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if n := len(f.Requests()); n != len(liveCalls) {
		t.Errorf("%d calls to the fake, want %d", n, len(liveCalls))
	}
	assertNoKeys(t, out, errOut)
	// Without it, the (wrong) keys of the environment are used, and refused.
	code, out, errOut = lsqRun(t.Context(), map[string]string{envAccessKey: testAccessKey, envSecretKey: "wrong", envHost: f.url}, "", "spec", "drift", "--live")
	if code != exitUsage || !strings.Contains(errOut, "401") {
		t.Errorf("wrong keys in the environment: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	assertNoKeys(t, out, errOut)
	// No keys: a usage error that says where keys go.
	if code, _, errOut := lsqRun(t.Context(), nil, "", "spec", "drift", "--live"); code != exitUsage || !strings.Contains(errOut, "no keys") {
		t.Errorf("no keys: exit %d, stderr %q", code, errOut)
	}
}
