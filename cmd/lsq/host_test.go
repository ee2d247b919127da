package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

func TestHost(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t, lsqtest.WithKeys("a$b/c+d%e", "s3cr$t/+%x"))
	u, _ := url.Parse(srv.URL)
	for _, extra := range [][]string{nil, {"--header-auth"}} {
		args := append([]string{"host", "--base-url", srv.URL, "--access-key", srv.AccessKey, "--secret-key", srv.SecretKey}, extra...)
		code, out, errOut := runLsq(t, "", args...)
		if code != exitOK || out != u.Host+"\n" {
			t.Errorf("%v: exit %d, stdout %q, want %q\nstderr: %s", extra, code, out, u.Host, errOut)
		}
	}
	code, out, errOut := runLsq(t, "", "host", "--base-url", srv.URL, "--access-key", srv.AccessKey, "--secret-key", "wrong"+srv.SecretKey)
	if code != exitInvalid || out != "" || !strings.Contains(errOut, "401") {
		t.Errorf("wrong key: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, k := range []string{srv.AccessKey, srv.SecretKey, url.QueryEscape(srv.AccessKey), url.QueryEscape(srv.SecretKey)} {
		if strings.Contains(out+errOut, k) {
			t.Error("output shows a key")
		}
	}
	if code, _, errOut := runLsq(t, "", "host", "extra"); code != exitUsage || !strings.Contains(errOut, "takes no arguments") {
		t.Errorf("an argument: exit %d, stderr %q", code, errOut)
	}
	if code, out, _ := runLsq(t, "", "host", "-h"); code != exitOK || !strings.Contains(out, "lsq host") {
		t.Errorf("help: exit %d, stdout %q", code, out)
	}
}
