package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

func TestDemoOnTheFake(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := run(t.Context(), []string{"demo"}, strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	report := out.String()
	if n := strings.Count(report, " ok  "); n != 10 {
		t.Errorf("%d steps ok, want 10:\n%s", n, report)
	}
	for _, want := range []string{"3 users report to", "60 concurrent calls all succeeded", "0 reached the caller", "caught before sending", "lsq demo: done in"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, lsqtest.DefaultSecretKey) || strings.Contains(report, lsqtest.DefaultAccessKey) {
		masked := strings.NewReplacer(lsqtest.DefaultSecretKey, "<KEY>", lsqtest.DefaultAccessKey, "<KEY>").Replace(report)
		t.Errorf("report shows a key:\n%s", masked)
	}
}

// TestDemoOnAnAccountIsReadOnly points the tour at a server as a user points it at a
// real account: without --allow-writes it must change nothing.
func TestDemoOnAnAccountIsReadOnly(t *testing.T) { // not parallel: it sets the keys' environment variables
	srv := lsqtest.MustNewServer(t, lsqtest.WithKeys("a$b/c+d%e", "s3cr$t/+%x"))
	t.Setenv("LSQ_ACCESS_KEY", srv.AccessKey)
	t.Setenv("LSQ_SECRET_KEY", srv.SecretKey)
	users := srv.UserCount()
	var out, errb bytes.Buffer
	code := run(t.Context(), []string{"demo", "--base-url", srv.URL},
		strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	if srv.UserCount() != users {
		t.Errorf("users %d -> %d: a read-only tour wrote", users, srv.UserCount())
	}
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPost && r.OperationID != "GetUserHierarchyInfo" && r.OperationID != "AdvancedSearchUsers" {
			t.Errorf("read-only tour sent %s %s", r.Method, r.OperationID)
		}
	}
	if !strings.Contains(out.String(), "skipped  read-only") {
		t.Errorf("report does not say it skipped writes:\n%s", out.String())
	}
	for _, k := range []string{srv.AccessKey, srv.SecretKey} {
		if strings.Contains(out.String()+errb.String(), k) {
			t.Errorf("output shows a key")
		}
	}
}
