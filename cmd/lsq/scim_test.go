package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

const testSCIMToken = "scim$tok/en+1234%5"

var scimURLLine = regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/scim/v2)\n`)

func TestSCIMServeUsage(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	env := f.env()
	if code, _, errOut := lsqRun(t.Context(), env, "", "scim", "serve", "--default-role", "Sales_User"); code != exitUsage || !strings.Contains(errOut, envSCIMToken) {
		t.Errorf("no token: exit %d, %s", code, errOut)
	}
	env[envSCIMToken] = testSCIMToken
	if code, _, errOut := lsqRun(t.Context(), env, "", "scim", "serve"); code != exitUsage || !strings.Contains(errOut, "--default-role") {
		t.Errorf("no role: exit %d, %s", code, errOut)
	}
	if code, _, errOut := lsqRun(t.Context(), env, "", "scim", "serve", "--default-role", "Boss", "--addr", "127.0.0.1:0"); code != exitUsage || !strings.Contains(errOut, "DefaultRole") {
		t.Errorf("bad role: exit %d, %s", code, errOut)
	}
	if code, _, errOut := lsqRun(t.Context(), env, "", "scim", "serve", "--default-role", "Sales_User", "--token", "x"); code != exitUsage || strings.Contains(errOut, testSCIMToken) {
		t.Errorf("--token flag: exit %d, %s", code, errOut)
	}
	if code, _, errOut := lsqRun(t.Context(), env, "", "scim", "serve", "--default-role", "Sales_User", "--tls-cert", "c.pem"); code != exitUsage {
		t.Errorf("--tls-cert alone: exit %d, %s", code, errOut)
	}
	code, out, _ := lsqRun(t.Context(), env, "", "scim", "serve", "-h")
	if code != exitOK || !strings.Contains(out, "Exit status: 0") || !strings.Contains(out, "--token-file") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
}

// TestSCIMServe runs lsq scim serve against the fake: it prints the base URL and never the
// token, answers 401 without the token, creates a user, appends the audit log, and stops
// with status 0.
func TestSCIMServe(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	dir := t.TempDir()
	tokenFile, auditFile := filepath.Join(dir, "token"), filepath.Join(dir, "audit.jsonl")
	if err := os.WriteFile(tokenFile, []byte(testSCIMToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errb := &syncBuffer{}, &syncBuffer{}
	a := newApp(strings.NewReader(""), out, errb)
	env := f.env()
	a.getenv = func(k string) string { return env[k] }
	a.clientOpts = []leadsquared.Option{leadsquared.WithBackoff(time.Millisecond, 5*time.Millisecond)}
	done := make(chan int, 1)
	go func() {
		done <- a.run(ctx, []string{"scim", "serve", "--addr", "127.0.0.1:0", "--default-role", "Sales_User",
			"--token-file", tokenFile, "--audit-log", auditFile})
	}()
	var base string
	deadline := time.Now().Add(10 * time.Second)
	for base == "" {
		if m := scimURLLine.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("exited %d early\nstdout: %s\nstderr: %s", code, maskKeys(out.String()), maskKeys(errb.String()))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed\nstdout: %s\nstderr: %s", maskKeys(out.String()), maskKeys(errb.String()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	send := func(method, path, body, token string) (int, string) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := send("GET", "/Users", "", ""); code != http.StatusUnauthorized {
		t.Errorf("no token: %d", code)
	}
	if code, body := send("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@example.com","name":{"givenName":"New"}}`, testSCIMToken); code != http.StatusCreated || !strings.Contains(body, base+"/Users/") {
		t.Errorf("create: %d %s", code, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after the signal; stderr %s", code, maskKeys(errb.String()))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop")
	}
	audit, err := os.ReadFile(auditFile)
	if err != nil || !strings.Contains(string(audit), `"op":"create"`) {
		t.Errorf("audit log: %v %s", err, audit)
	}
	for _, s := range []string{out.String(), errb.String(), string(audit)} {
		if strings.Contains(s, testSCIMToken) || strings.Contains(maskKeys(s), keyMask) {
			t.Errorf("the token or a key was printed: %s", maskKeys(strings.ReplaceAll(s, testSCIMToken, "<TOKEN>")))
		}
	}
	if st, err := os.Stat(auditFile); err == nil && st.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %04o, want 0600", st.Mode().Perm())
	}
}
