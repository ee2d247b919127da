package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// fullWriter is standard output on a full disk: every write fails, as on /dev/full.
type fullWriter struct{ writes atomic.Int32 }

func (w *fullWriter) Write([]byte) (int, error) {
	w.writes.Add(1)
	return 0, syscall.ENOSPC
}

// TestStdoutWriteErrorIsExit1 runs every command of lsq that prints, each in a way that
// succeeds (exit 0) with a working standard output, with a standard output that fails: each
// exits 1 and says why on standard error.
func TestStdoutWriteErrorIsExit1(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	for i := range 3 {
		if _, err := f.AddUser(lsqtest.User{FirstName: "U", EmailAddress: fmt.Sprintf("user%03d@example.com", i), Role: "Sales_User"}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// One reply of GetUsers as the docs show it: no drift.
	sample, err := os.ReadFile(filepath.Join("..", "..", "spec", "testdata", "docs", "GetUsers.response.200.json"))
	if err != nil {
		t.Fatal(err)
	}
	replies := filepath.Join(dir, "replies")
	if err := os.Mkdir(replies, 0o700); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join("replies", "GetUsers.json"), string(sample))
	payload := write("create.json", validCreate)
	newUsers := write("new.csv", "FirstName,LastName,EmailAddress,Role\nNew,User,new001@example.com,Sales_User\n")
	team := write("team.csv", "FirstName,LastName,EmailAddress,Role\nRenamed,User,user000@example.com,Sales_User\n")
	active := write("active.txt", "user001@example.com\n")
	leavers := write("leavers.txt", "user002@example.com\n")

	// Every command (by its path) that prints on standard output, run so that it succeeds.
	cases := map[string][]string{
		"call":                  {"call", "GetUsers"},
		"host":                  {"host", "--base-url", f.url},
		"demo":                  {"demo"},
		"fake":                  {"fake", "--addr", "127.0.0.1:0"},
		"scim serve":            {"scim", "serve", "--addr", "127.0.0.1:0", "--default-role", "Sales_User"},
		"ops":                   {"ops"},
		"spec":                  {"spec"},
		"spec drift":            {"spec", "drift", replies},
		"validate request":      {"validate", "request", "CreateUser", payload},
		"validate response":     {"validate", "response", "GetUserByID", "200", "-"},
		"users export":          {"users", "export"},
		"users import":          {"users", "import", "--dry-run", newUsers},
		"users sync":            {"users", "sync", team},
		"users activate":        {"users", "activate", "--emails", active},
		"users deactivate":      {"users", "deactivate", "--emails", leavers},
		"completion bash":       {"completion", "bash"},
		"completion zsh":        {"completion", "zsh"},
		"completion fish":       {"completion", "fish"},
		"completion powershell": {"completion", "powershell"},
		"help":                  {"ops", "--help"},
	}
	// The commands that print only on standard error (their usage, exit 2).
	stderrOnly := map[string]bool{"users": true, "validate": true, "completion": true, "scim": true}
	for _, p := range commandPaths(t) {
		name := strings.Join(p, " ")
		if _, ok := cases[name]; !ok && !stderrOnly[name] {
			t.Errorf("lsq %s: no case here; add one", name)
		}
	}
	stdin := map[string]string{"validate response": "[]"}
	for name, args := range cases {
		// A working standard output: exit 0.
		var ok io.Writer = &syncBuffer{}
		if name == "fake" || name == "scim serve" {
			ok = &stopFakeWriter{}
		}
		if code, errOut := runWithStdout(t, f, stdin[name], ok, args...); code != exitOK {
			t.Errorf("lsq %s: exit %d with a working standard output\n%s\n%s", name, code, maskKeys(fmt.Sprint(ok)), maskKeys(errOut))
			continue
		}
		if fmt.Sprint(ok) == "" {
			t.Errorf("lsq %s prints nothing on standard output", name)
		}
		// A failing one: exit 1, and why.
		full := &fullWriter{}
		code, errOut := runWithStdout(t, f, stdin[name], full, args...)
		if code != exitInvalid || !strings.Contains(errOut, "lsq: writing standard output: no space left on device") {
			t.Errorf("lsq %s with a full standard output: exit %d, want 1\nstderr: %s", name, code, maskKeys(errOut))
		}
		if full.writes.Load() == 0 {
			t.Errorf("lsq %s did not write", name)
		}
		assertNoKeys(t, errOut)
	}
}

// stopFakeWriter is the standard output of an lsq fake run by runWithStdout: it stops the
// fake once it has printed its banner, as a user's Ctrl+C would.
type stopFakeWriter struct {
	syncBuffer
	mu   sync.Mutex
	stop context.CancelFunc
}

func (w *stopFakeWriter) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	if strings.Contains(w.String(), "Press Ctrl+C to stop.") {
		w.mu.Lock()
		if w.stop != nil {
			w.stop()
		}
		w.mu.Unlock()
	}
	return n, err
}

// runWithStdout runs lsq in-process on the fake f's account with stdout as its standard
// output, and returns its exit status and standard error.
func runWithStdout(t *testing.T, f *fakeAPI, stdin string, stdout io.Writer, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // lsq fake serves until then
	defer cancel()
	if w, ok := stdout.(*stopFakeWriter); ok {
		w.mu.Lock()
		w.stop = cancel
		w.mu.Unlock()
	}
	var errb syncBuffer
	a := newApp(strings.NewReader(stdin), stdout, &errb)
	env := f.env()
	env[envSCIMToken] = testSCIMToken
	a.getenv = func(k string) string { return env[k] }
	a.isTerminal = func(io.Writer) bool { return false }
	a.clientOpts = []leadsquared.Option{leadsquared.WithBackoff(time.Millisecond, 5*time.Millisecond)}
	return a.run(ctx, args), errb.String()
}

// On /dev/full itself, as a shell redirects it.
func TestStdoutDevFull(t *testing.T) {
	t.Parallel()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	defer func() { _ = full.Close() }()
	var errb strings.Builder
	if code := run(t.Context(), []string{"ops"}, strings.NewReader(""), full, &errb); code != exitInvalid ||
		!strings.Contains(errb.String(), "no space left on device") {
		t.Errorf("lsq ops > /dev/full: exit %d, stderr %q", code, errb.String())
	}
}
