package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to write from the command and read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var urlLine = regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/v2)\n`)

// startFake runs lsq fake on a free loopback port and returns its base URL, a cancel func
// and a channel with the exit code.
func startFake(t *testing.T, args ...string) (base string, stdout *syncBuffer, cancel context.CancelFunc, exit <-chan int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"fake", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), out, errb)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := urlLine.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, cancel, done
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("lsq fake exited %d early\nstdout: %s\nstderr: %s", code, out, errb)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no URL printed\nstdout: %s\nstderr: %s", out, errb)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitExit(t *testing.T, exit <-chan int) int {
	t.Helper()
	select {
	case code := <-exit:
		return code
	case <-time.After(10 * time.Second):
		t.Fatal("lsq fake did not stop")
		return -1
	}
}

func get(t *testing.T, url string, h http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestFakeServesAndStops(t *testing.T) {
	t.Parallel()
	base, out, cancel, exit := startFake(t)
	defer cancel()
	for _, want := range []string{"access key: lsq-test-access-key", "secret key: lsq-test-secret-key", "key owner (Administrator): "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	code, body := get(t, base+"/Authentication.svc/UserByAccessKey.Get?accessKey=lsq-test-access-key&secretKey=lsq-test-secret-key", nil)
	if code != 200 || !strings.Contains(body, `"Role":"Administrator"`) {
		t.Errorf("AuthenticateUser: %d %s", code, body)
	}
	if code, _ := get(t, base+"/UserManagement.svc/Users.Get", nil); code != 401 {
		t.Errorf("no keys: %d", code)
	}
	cancel()
	if code := waitExit(t, exit); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if !strings.Contains(out.String(), "stopped") {
		t.Errorf("no stop line:\n%s", out)
	}
}

func TestFakeKeysAndLimit(t *testing.T) {
	t.Parallel()
	const access, secret = "K1-given", "S1$given/+"
	base, out, cancel, exit := startFake(t, "--access-key", access, "--secret-key", secret, "--limit", "1 in 60 second(s)", "--limit-form", "403")
	defer cancel()
	h := http.Header{"X-Lsq-Accesskey": {access}, "X-Lsq-Secretkey": {secret}}
	if code, body := get(t, base+"/UserManagement.svc/Users.Get", h); code != 200 {
		t.Errorf("first call: %d %s", code, body)
	}
	code, body := get(t, base+"/UserManagement.svc/Users.Get", h)
	if code != 403 || !strings.Contains(body, "API calls exceeded the limit of 1 in 60 second(s)") {
		t.Errorf("second call: %d %s", code, body)
	}
	cancel()
	if code := waitExit(t, exit); code != 0 {
		t.Errorf("exit %d", code)
	}
	// All of stdout is written now. Keys it was given are never printed, raw or escaped.
	if !strings.Contains(out.String(), "as given") || !strings.Contains(out.String(), "HTTP 403") {
		t.Errorf("stdout lacks the key and limit lines")
	}
	for _, k := range []string{secret, url.QueryEscape(secret), access} {
		if strings.Contains(out.String(), k) {
			t.Error("stdout holds a key it was given")
		}
	}
}

func TestFakeUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"fake", "--limit", "lots"},
		{"fake", "--limit", "5 in 500us"},
		{"fake", "--bulk-limit", "0 in 5s"},
		{"fake", "--limit-form", "500"},
		{"fake", "--access-key", "only"},
		{"fake", "--max-templates", "0"},
		{"fake", "extra"},
		{"fake", "--nope"},
		{"fake", "--fault-rate", "1.5"},
		{"fake", "--fault-rate", "-0.1"},
		{"fake", "--fault-rate", "NaN"},
		{"fake", "--fault-seed", "3"},
	} {
		code, _, errOut := runLsq(t, "", args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want 2 (stderr %s)", args, code, errOut)
		}
	}
	if code, out, _ := runLsq(t, "", "fake", "-h"); code != 0 || !strings.Contains(out, "lsq fake [--addr") {
		t.Errorf("-h: exit %d\n%s", code, out)
	}
	// An address in use cannot be served.
	base, _, cancel, exit := startFake(t)
	defer func() { cancel(); waitExit(t, exit) }()
	addr := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/v2")
	if code, _, errOut := runLsq(t, "", "fake", "--addr", addr); code != exitServe {
		t.Errorf("address in use: exit %d (stderr %s)", code, errOut)
	}
}

// TestFakeFaultRate: with --fault-rate 1 every call fails (an error status or a dropped
// connection), and the seed is printed; the same seed fails the same calls the same way.
func TestFakeFaultRate(t *testing.T) {
	t.Parallel()
	outcomes := func(args ...string) (string, string) {
		base, out, cancel, exit := startFake(t, args...)
		defer func() { cancel(); waitExit(t, exit) }()
		var got []string
		for range 20 {
			req, _ := http.NewRequest("GET", base+"/Authentication.svc/UserByAccessKey.Get?accessKey=lsq-test-access-key&secretKey=lsq-test-secret-key", nil)
			resp, err := http.DefaultTransport.RoundTrip(req) // no retry of a dropped request
			if err != nil {
				got = append(got, "dropped")
				continue
			}
			_ = resp.Body.Close()
			got = append(got, resp.Status)
		}
		return strings.Join(got, ","), out.String()
	}
	all, out := outcomes("--fault-rate", "1", "--fault-seed", "7")
	if strings.Contains(all, "200") || !strings.Contains(all, "dropped") || !strings.Contains(all, "429") || !strings.Contains(all, "500") {
		t.Errorf("--fault-rate 1: %s", all)
	}
	if !strings.Contains(out, "faults: 1 of calls fail at random (--fault-seed 7)") {
		t.Errorf("stdout lacks the faults line:\n%s", out)
	}
	if again, _ := outcomes("--fault-rate", "1", "--fault-seed", "7"); again != all {
		t.Errorf("the same seed gave\n%s\nthen\n%s", all, again)
	}
	some, out := outcomes("--fault-rate", "0.5")
	if !strings.Contains(some, "200") || some == all || !regexp.MustCompile(`--fault-seed \d+\)`).MatchString(out) {
		t.Errorf("--fault-rate 0.5: %s\n%s", some, out)
	}
}

func TestParseLimit(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"25 in 5s":          "25/5s",
		"25 in 5 second(s)": "25/5s",
		"10 in 1 second":    "10/1s",
		"2 calls in 10s":    "2/10s",
		"5/1m":              "5/1m0s",
		" 7 IN 3 SECONDS ":  "7/3s",
		"5 in 1.5s":         "5/1.5s",
		"3 in 200ms":        "3/200ms",
	} {
		calls, per, err := parseLimit(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := fmt.Sprintf("%d/%s", calls, per); got != want {
			t.Errorf("%q = %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", "25", "in 5s", "0 in 5s", "5 in 1.5ms", "5 in 500us", "5 in soon",
		"9223372036854775807 in 1s", "10000000000 in 1s", "1 in 2562047h", "1 in 9223372036 seconds", "1 in 25h"} {
		if _, _, err := parseLimit(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
