package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// Keys with characters that URL-escape, so that an escaped leak is caught too.
const (
	testAccessKey = "u$AK/lsq+test-access-0123456789"
	testSecretKey = "u$SK/lsq+test-secret-9876543210"
)

// fakeAPI is a fake account behind a handler the test can wrap.
type fakeAPI struct {
	*lsqtest.Server
	url string
}

func newFakeAPI(t *testing.T, wrap func(http.Handler) http.Handler, opts ...lsqtest.Option) *fakeAPI {
	t.Helper()
	srv, err := lsqtest.New(append([]lsqtest.Option{lsqtest.WithKeys(testAccessKey, testSecretKey)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	return &fakeAPI{Server: srv, url: ts.URL + lsqtest.BasePath}
}

func (f *fakeAPI) env() map[string]string {
	return map[string]string{envAccessKey: testAccessKey, envSecretKey: testSecretKey, envHost: f.url}
}

// lsqRun runs lsq in-process with env as its environment. Its output comes back with every
// form of the test keys masked as <KEY> (so no failure message that shows it can hold a key);
// assertNoKeys fails on the mask too.
func lsqRun(ctx context.Context, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	a := newApp(strings.NewReader(stdin), &out, &errb)
	a.getenv = func(k string) string { return env[k] }
	a.isTerminal = func(io.Writer) bool { return false }
	a.clientOpts = []leadsquared.Option{leadsquared.WithBackoff(time.Millisecond, 5*time.Millisecond)}
	code = a.run(ctx, args)
	return code, maskKeys(out.String()), maskKeys(errb.String())
}

// keyForms are the forms of the test keys to look for: raw, escaped, and a shared fragment.
func keyForms() []string {
	var forms []string
	for _, k := range []string{testAccessKey, testSecretKey} {
		forms = append(forms, k, url.QueryEscape(k), url.PathEscape(k))
	}
	return append(forms, "lsq+test")
}

// keyMask stands for a key in masked text.
const keyMask = "<KEY>"

// maskKeys replaces every form of the test keys in s, so a failure message never shows one.
func maskKeys(s string) string {
	for _, form := range keyForms() {
		s = strings.ReplaceAll(s, form, keyMask)
	}
	return s
}

// assertNoKeys fails if any text holds a key, raw or escaped; the message shows the text
// with the keys masked.
func assertNoKeys(t *testing.T, texts ...string) {
	t.Helper()
	for i, form := range append(keyForms(), keyMask) {
		for _, s := range texts {
			if strings.Contains(s, form) {
				t.Errorf("a key (form %d) leaked into output:\n%s", i, maskKeys(s))
			}
		}
	}
}

// readAll returns a file lsq wrote, with the test keys masked as lsqRun's output is.
func readAll(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return maskKeys(string(b))
}

// usersCSV writes a CSV of n valid rows (and the extra rows given) and returns its path.
func usersCSV(t *testing.T, n int, extra ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("FirstName,LastName,EmailAddress,Role,ManagerEmail\n")
	for i := range n {
		mgr := ""
		if i > 0 && i%5 == 0 {
			mgr = "user000@example.com" // managers by email, created first
		}
		fmt.Fprintf(&b, "User%d,Test,user%03d@example.com,Sales_User,%s\n", i, i, mgr)
	}
	for _, e := range extra {
		b.WriteString(e + "\n")
	}
	p := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// assertEachOnce checks that every user000..user(n-1) exists exactly once in the account.
func assertEachOnce(t *testing.T, f *fakeAPI, n int) {
	t.Helper()
	count := map[string]int{}
	for _, u := range f.Users() {
		count[strings.ToLower(u.EmailAddress)]++
	}
	for i := range n {
		e := fmt.Sprintf("user%03d@example.com", i)
		if count[e] != 1 {
			t.Errorf("%s exists %d times, want 1", e, count[e])
		}
	}
	if len(f.Users()) != n+1 { // + the key owner
		t.Errorf("%d users in the account, want %d", len(f.Users()), n+1)
	}
}

// summary reads the counts of an import's summary line.
func summary(t *testing.T, out string) (created, exists, earlier, invalid, failed int) {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if i := strings.Index(l, " rows: "); i >= 0 && strings.Contains(l, "created") {
			var rows int
			if _, err := fmt.Sscanf(l[strings.LastIndex(l[:i], " ")+1:], "%d rows: %d created, %d already there, %d done in an earlier run, %d invalid, %d failed",
				&rows, &created, &exists, &earlier, &invalid, &failed); err != nil {
				t.Fatalf("summary %q: %v", l, err)
			}
			return
		}
	}
	t.Fatalf("no summary in:\n%s", out)
	return
}

func TestImportDryRunReportsEveryInvalidRow(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	p := usersCSV(t, 3,
		",NoFirst,nofirst@example.com,Sales_User,", // row 5: FirstName required
		"Bad,Role,badrole@example.com,Boss,",       // row 6: Role enum
		"Bad,Mail,not-an-email,Sales_User,",        // row 7: EmailAddress
		"Dup,Mail,user001@example.com,Sales_User,", // row 8: duplicate address
	)
	for _, args := range [][]string{{"users", "import", "--dry-run", p}, {"users", "import", p}} {
		code, out, errOut := lsqRun(t.Context(), f.env(), "", args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1\n%s\n%s", args, code, out, errOut)
		}
		for _, want := range []string{"row 5, column FirstName: required", "row 6, column Role: enum", "row 7, column EmailAddress", "row 8, column EmailAddress: the same address as row 3"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, want, errOut)
			}
		}
		if !strings.Contains(out, "3 valid, 4 invalid; nothing was sent") {
			t.Errorf("%v: stdout: %s", args, out)
		}
		assertNoKeys(t, out, errOut)
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

func TestImportSkipInvalidWritesRowsToFix(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	p := usersCSV(t, 4, "Bad,Role,badrole@example.com,Boss,")
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--skip-invalid", p)
	if code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	created, exists, earlier, invalid, failed := summary(t, out)
	if created != 4 || exists+earlier+failed != 0 || invalid != 1 {
		t.Errorf("summary: %s", out)
	}
	failedCSV := readAll(t, strings.TrimSuffix(p, ".csv")+".failed.csv")
	if !strings.Contains(failedCSV, "lsq_error") || !strings.Contains(failedCSV, "badrole@example.com") || strings.Count(failedCSV, "\n") != 2 {
		t.Errorf("failed rows file:\n%s", failedCSV)
	}
	assertEachOnce(t, f, 4)
	// Fix the row and rerun the failed-rows file as it is.
	fixed := strings.ReplaceAll(failedCSV, "Boss", "Sales_User")
	if err := os.WriteFile(p+".fixed.csv", []byte(fixed), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = lsqRun(t.Context(), f.env(), "", "users", "import", p+".fixed.csv")
	if code != 0 || !strings.Contains(out, "1 created") {
		t.Errorf("rerun of the fixed rows: exit %d\n%s\n%s", code, out, errOut)
	}
	assertNoKeys(t, out, errOut, failedCSV, readAll(t, p+".lsq-state"))
}

// TestImportInterruptedThenRerun stops a run halfway (Ctrl-C: the context ends right after
// the 7th create was served) and reruns it with the same state file.
func TestImportInterruptedThenRerun(t *testing.T) {
	t.Parallel()
	const n = 20
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var creates atomic.Int32
	f := newFakeAPI(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if strings.HasSuffix(r.URL.Path, "/User/Create") && creates.Add(1) == 7 {
				cancel()
			}
		})
	})
	p := usersCSV(t, n)
	code, out1, err1 := lsqRun(ctx, f.env(), "", "users", "import", "--workers", "3", p)
	if code != 1 || !strings.Contains(out1, "interrupted") {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out1, err1)
	}
	code, out2, err2 := lsqRun(t.Context(), f.env(), "", "users", "import", "--workers", "3", p)
	if code != 0 {
		t.Fatalf("rerun: exit %d\n%s\n%s", code, out2, err2)
	}
	created, exists, earlier, invalid, failed := summary(t, out2)
	// At least 7 creates were served before the interruption: each of those users is either
	// recorded as done or found already there, never created again.
	if created+exists+earlier != n || invalid+failed != 0 || exists+earlier < 7 {
		t.Errorf("rerun summary does not add up to %d rows: %s", n, out2)
	}
	assertEachOnce(t, f, n)
	assertNoKeys(t, out1, err1, out2, err2, readAll(t, p+".lsq-state"))
}

// TestImportKilledThenRerun kills lsq with SIGKILL while a create is in flight (the user was
// created, the answer never arrives), then reruns it.
func TestImportKilledThenRerun(t *testing.T) {
	t.Parallel()
	const n = 15
	var creates atomic.Int32
	killNow := make(chan struct{})
	var once sync.Once
	f := newFakeAPI(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/User/Create") && creates.Add(1) == 6 {
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r) // the user is created ...
				once.Do(func() { close(killNow) })
				<-r.Context().Done() // ... and the answer waits for the kill
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	p := usersCSV(t, n)
	cmd := exec.CommandContext(t.Context(), os.Args[0], "users", "import", "--workers", "1", p)
	cmd.Env = append(os.Environ(), "LSQ_TEST_MAIN=1", envAccessKey+"="+testAccessKey, envSecretKey+"="+testSecretKey, envHost+"="+f.url)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-killNow:
	case <-time.After(60 * time.Second): // a bound, not a wait: the kill comes long before
		_ = cmd.Process.Kill()
		t.Fatalf("the 6th create never came\n%s\n%s", maskKeys(out.String()), maskKeys(errb.String()))
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("lsq was not killed: %v", cmd.ProcessState)
	}
	state := readAll(t, p+".lsq-state")
	if strings.Count(state, `"status":"created"`) != 5 {
		t.Errorf("state file after the kill:\n%s", state)
	}
	code, out2, err2 := lsqRun(t.Context(), f.env(), "", "users", "import", p)
	if code != 0 {
		t.Fatalf("rerun: exit %d\n%s\n%s", code, out2, err2)
	}
	created, exists, earlier, _, _ := summary(t, out2)
	if earlier != 5 || exists != 1 || created != n-6 {
		t.Errorf("rerun summary: want 5 done earlier, 1 already there (the killed create), %d created: %s", n-6, out2)
	}
	assertEachOnce(t, f, n)
	assertNoKeys(t, out.String(), errb.String(), out2, err2, readAll(t, p+".lsq-state"))
}

// TestImportUncertainCreates injects 500s and dropped connections on creates, before and
// after the user is created: each is checked by email, resent only when the user is not
// there, so no user is created twice and none is lost.
func TestImportUncertainCreates(t *testing.T) {
	t.Parallel()
	const n = 8
	f := newFakeAPI(t, nil)
	for _, fault := range []lsqtest.Fault{
		{Status: 500},                  // refused before the work: resent
		{Status: 500, AfterWork: true}, // created, then 500: confirmed by email
		{Drop: true},                   // dropped before the work: resent
		{Drop: true, AfterWork: true},  // created, then dropped: confirmed by email
		{Status: 502, Body: "<html>Bad Gateway</html>", AfterWork: true},
	} {
		if err := f.FailNext(api.OpCreateUser, 1, fault); err != nil {
			t.Fatal(err)
		}
	}
	p := usersCSV(t, n)
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--workers", "1", p)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	created, exists, _, _, failed := summary(t, out)
	if created != n || exists+failed != 0 {
		t.Errorf("summary: %s", out)
	}
	assertEachOnce(t, f, n)
	if got := f.Count(api.OpCreateUser); got != n+2 { // two creates refused before the work were resent
		t.Errorf("%d creates sent, want %d", got, n+2)
	}
	assertNoKeys(t, out, errOut, readAll(t, p+".lsq-state"))
}

func TestStatusDeactivateActivate(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	for i := range 3 {
		if _, err := f.AddUser(lsqtest.User{FirstName: "U", EmailAddress: fmt.Sprintf("user%03d@example.com", i), Role: "Sales_User"}); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "leavers.txt")
	if err := os.WriteFile(p, []byte("# leavers\nuser000@example.com\nUSER001@example.com\n\nnobody@example.com\nnot an address\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "deactivate", "--emails", p)
	if code != 1 || !strings.Contains(out, "4 addresses: 2 deactivated, 0 already inactive, 0 done in an earlier run, 1 invalid, 1 failed") ||
		!strings.Contains(out, "nobody@example.com): no user with this email address") {
		t.Errorf("deactivate: exit %d\n%s\n%s", code, out, errOut)
	}
	inactive := 0
	for _, u := range f.Users() {
		if u.Status == lsqtest.UserInactive {
			inactive++
		}
	}
	if inactive != 2 {
		t.Errorf("%d inactive users, want 2", inactive)
	}
	// A rerun after a run that went to the end starts clean: the users are found inactive.
	code, out, _ = lsqRun(t.Context(), f.env(), "", "users", "deactivate", "--emails", p)
	if code != 1 || !strings.Contains(out, "0 deactivated, 2 already inactive, 0 done in an earlier run") {
		t.Errorf("rerun: exit %d\n%s", code, out)
	}
	// Activate finds inactive users too (Get a User by Email does not).
	if err := os.WriteFile(p, []byte("user000@example.com\nuser002@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = lsqRun(t.Context(), f.env(), "", "users", "activate", "--emails", p)
	if code != 0 || !strings.Contains(out, "1 activated, 1 already active") {
		t.Errorf("activate: exit %d\n%s\n%s", code, out, errOut)
	}
	assertNoKeys(t, out, errOut, readAll(t, p+".lsq-state-deactivate"), readAll(t, p+".lsq-state-activate"))
}

func TestExportFormats(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	const n = 2100 // three pages
	for i := range n {
		if _, err := f.AddUser(lsqtest.User{FirstName: "U", LastName: "L", EmailAddress: fmt.Sprintf("user%04d@example.com", i), Role: "Sales_User",
			Attributes: map[string]string{"mx_Custom_1": "c" + fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "export")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != n+2 || !strings.HasPrefix(lines[0], "UserId,FirstName,LastName,EmailAddress,Role,Status") ||
		!strings.Contains(lines[n+1], "user2099@example.com,Sales_User,Active") {
		t.Errorf("csv: exit %d, %d lines, stderr %s\n%s", code, len(lines), errOut, lines[0])
	}
	code, out, _ = lsqRun(t.Context(), f.env(), "", "users", "export", "--format", "csv", "--columns", "EmailAddress,mx_Custom_1")
	if code != 0 || !strings.Contains(out, "user0007@example.com,c7\n") {
		t.Errorf("csv --columns: exit %d\n%.300s", code, out)
	}
	code, out, _ = lsqRun(t.Context(), f.env(), "", "users", "export", "--format", "jsonl")
	if code != 0 || strings.Count(out, "\n") != n+1 {
		t.Errorf("jsonl: exit %d, %d lines", code, strings.Count(out, "\n"))
	}
	search := `{"GroupConditions":[{"Condition":[{"LookupName":"EmailAddress","Operator":"lik_s","LookupValue":"user000"}]}]}`
	code, out, _ = lsqRun(t.Context(), f.env(), search, "users", "export", "--format", "json", "--search", "-")
	var users []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &users) != nil || len(users) != 10 || users[0]["mx_Custom_1"] != "c0" {
		t.Errorf("json --search: exit %d, %d users\n%.300s", code, len(users), out)
	}
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "export", "--format", "xml"); code != 2 || !strings.Contains(errOut, "--format") {
		t.Errorf("bad format: exit %d %s", code, errOut)
	}
	// --columns with a format that has no columns, or a column that is not one: usage errors.
	for _, args := range [][]string{
		{"--format", "jsonl", "--columns", "EmailAddress"},
		{"--format", "json", "--columns", "EmailAddress"},
		{"--columns", "EmailAddress,FristName"},
	} {
		code, out, errOut := lsqRun(t.Context(), f.env(), "", append([]string{"users", "export"}, args...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, "--columns") {
			t.Errorf("export %v: exit %d, stdout %.100q, stderr %s", args, code, out, errOut)
		}
	}
}

func TestCall(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	env := f.env()
	code, out, errOut := lsqRun(t.Context(), env, `{"FirstName":"Ada","EmailAddress":"ada@example.com","Role":"Sales_User"}`, "call", "CreateUser", "-")
	if code != 0 || !strings.HasPrefix(out, `{"Message":{"Id":"`) || strings.Count(out, "\n") != 1 {
		t.Errorf("CreateUser: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = lsqRun(t.Context(), env, "", "call", "GetUserByEmail", "-q", "EmailAddress=ada@example.com")
	if code != 0 || !strings.Contains(out, `"EmailAddress":"ada@example.com"`) {
		t.Errorf("GetUserByEmail (name in another casing): exit %d\n%s", code, out)
	}
	// A missing user: exit 3, not found, as the library's ErrNotFound.
	code, out, errOut = lsqRun(t.Context(), env, "", "call", "GetUserByEmail", "-q", "EmailAddress=nobody@example.com")
	if code != 3 || out != "" || !strings.Contains(errOut, "not found") {
		t.Errorf("GetUserByEmail of a missing address: exit %d\n%s\n%s", code, out, errOut)
	}
	_, out, _ = lsqRun(t.Context(), env, "", "call", "GetUserByEmail", "-q", "EmailAddress=ada@example.com")
	// Operation names match in any letter case: the spec's GetUserById and the Go name
	// GetUserByID are the same operation.
	id := out[strings.Index(out, `"UserId":"`)+len(`"UserId":"`):]
	id = id[:strings.IndexByte(id, '"')]
	for _, name := range []string{"GetUserById", "GetUserByID", "getuserbyid"} {
		code, out, errOut = lsqRun(t.Context(), env, "", "call", name, "-q", "userId="+id)
		if code != 0 || !strings.Contains(out, `"EmailAddress":"ada@example.com"`) {
			t.Errorf("call %s: exit %d\n%s\n%s", name, code, out, errOut)
		}
	}
	// A LeadSquared error: exit 1, its type and message on stderr.
	code, _, errOut = lsqRun(t.Context(), env, `{"FirstName":"Ada","EmailAddress":"ada@example.com","Role":"Sales_User"}`, "call", "CreateUser", "-")
	if code != 1 || !strings.Contains(errOut, "MXDuplicateEntryException: A user with the same email address already exists") {
		t.Errorf("duplicate: exit %d\n%s", code, errOut)
	}
	// Invalid: not sent, exit 2.
	before := f.Count(api.OpCreateUser)
	code, _, errOut = lsqRun(t.Context(), env, `{"FirstName":"Ada","Role":"Boss"}`, "call", "CreateUser", "-")
	if code != 2 || !strings.Contains(errOut, "/EmailAddress: required") || !strings.Contains(errOut, "/Role: enum") || f.Count(api.OpCreateUser) != before {
		t.Errorf("invalid: exit %d\n%s", code, errOut)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"call", "Nope"}, `unknown operation "Nope"`},
		{[]string{"call", "GetUserByIdd"}, `unknown operation "GetUserByIdd" (did you mean GetUserByID? see 'lsq ops')`},
		{[]string{"call"}, "takes 1 to 2 arguments, got 0"},
		{[]string{"call", "GetUsers", "--access-key", "x"}, "unknown flag: --access-key"},
		{[]string{"call", "GetUserByID", "-q", "accessKey=x"}, "never given as flags"},
		{[]string{"call", "GetUsers", "--rate", "lots"}, "--rate"},
	} {
		if code, _, errOut := lsqRun(t.Context(), env, "", tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want 2 and %q:\n%s", tc.args, code, tc.want, errOut)
		}
	}
	// Wrong keys: 401, exit 1, no key in the message.
	bad := map[string]string{envAccessKey: testAccessKey + "x", envSecretKey: testSecretKey, envHost: f.url}
	code, out, errOut = lsqRun(t.Context(), bad, "", "call", "GetUsers")
	if code != 1 || !strings.Contains(errOut, "401") {
		t.Errorf("wrong keys: exit %d\n%s", code, errOut)
	}
	// No keys: usage error.
	if code, _, errOut := lsqRun(t.Context(), map[string]string{envHost: f.url}, "", "call", "GetUsers"); code != 2 || !strings.Contains(errOut, "no keys") {
		t.Errorf("no keys: exit %d\n%s", code, errOut)
	}
	assertNoKeys(t, out, errOut)
}

// A reply that echoes a key (a misbehaving proxy, a field holding it) prints without it.
func TestCallReplyEchoingAKey(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[{"ID":"u1","FirstName":"` + testSecretKey + `","LastName":"` + url.QueryEscape(testAccessKey) + `"}]`))
		})
	})
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "call", "GetUsers")
	if code != 0 || !strings.Contains(out, `"ID":"u1"`) {
		t.Fatalf("exit %d\n%s\n%s", code, maskKeys(out), maskKeys(errOut))
	}
	assertNoKeys(t, out, errOut)
}

func TestCallCompletion(t *testing.T) {
	t.Parallel()
	code, out, _ := lsqRun(t.Context(), nil, "", "__complete", "call", "GetUserBy")
	if code != 0 || !strings.Contains(out, "GetUserByEmail\t") || !strings.Contains(out, "GetUserByID\t") || strings.Contains(out, "CreateUser") {
		t.Errorf("completion: exit %d\n%s", code, out)
	}
	code, out, _ = lsqRun(t.Context(), nil, "", "completion", "bash")
	if code != 0 || !strings.Contains(out, "__start_lsq") {
		t.Errorf("completion bash: exit %d", code)
	}
}

func TestKeysFile(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	dir := t.TempDir()
	content := fmt.Sprintf("# lsq keys\nexport LSQ_ACCESS_KEY=%q\nLSQ_SECRET_KEY=%s\nLSQ_HOST=%s\n", testAccessKey, testSecretKey, f.url)
	for _, tc := range []struct {
		mode uint32
		warn bool
	}{{0o600, false}, {0o644, true}} {
		p := filepath.Join(dir, fmt.Sprintf("keys-%o", tc.mode))
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, os.FileMode(tc.mode)); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := lsqRun(t.Context(), nil, "", "call", "GetUsers", "--keys-file", p)
		if code != 0 || !strings.Contains(out, "admin@lsqtest.example.com") {
			t.Errorf("mode %o: exit %d\n%s\n%s", tc.mode, code, out, errOut)
		}
		if got := strings.Contains(errOut, "can be read by other users"); got != tc.warn {
			t.Errorf("mode %o: warning %v, want %v: %s", tc.mode, got, tc.warn, errOut)
		}
		assertNoKeys(t, out, errOut)
	}
	p := filepath.Join(dir, "bad")
	if err := os.WriteFile(p, []byte(testAccessKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := lsqRun(t.Context(), nil, "", "call", "GetUsers", "--keys-file", p)
	if code != 2 || !strings.Contains(errOut, "line 1: want NAME=value") {
		t.Errorf("bad keys file: exit %d\n%s", code, errOut)
	}
	assertNoKeys(t, out, errOut)
}

// TestMissingUsersFileNamedOnce: a users file that is not there is named once in the error,
// as lsq validate names one ("lsq users import: team.failed.csv: no such file or directory").
func TestMissingUsersFileNamedOnce(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	env := map[string]string{envAccessKey: testAccessKey, envSecretKey: testSecretKey, envHost: f.url}
	missing := filepath.Join(t.TempDir(), "team.failed.csv")
	for _, args := range [][]string{
		{"users", "import", missing},
		{"users", "import", "--dry-run", missing},
		{"users", "sync", missing},
	} {
		code, _, errOut := lsqRun(t.Context(), env, "", args...)
		if code == exitOK || strings.Count(errOut, "team.failed.csv") != 1 || !strings.Contains(errOut, "no such file") {
			t.Errorf("lsq %s: exit %d, stderr %q; want the file named once", strings.Join(args, " "), code, errOut)
		}
	}
}

// TestImportRowsToFixCounted: the line that names the file of rows to fix counts them in
// English ("the 1 row to fix is in", not "the 1 rows to fix are in").
func TestImportRowsToFixCounted(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	env := map[string]string{envAccessKey: testAccessKey, envSecretKey: testSecretKey, envHost: f.url}
	dir := t.TempDir()
	for _, tc := range []struct {
		bad  int
		want string
	}{{1, "the 1 row to fix is in "}, {2, "the 2 rows to fix are in "}} {
		var b strings.Builder
		fmt.Fprintf(&b, "FirstName,EmailAddress,Role\nOk,ok%d@example.com,Sales_User\n", tc.bad)
		for i := range tc.bad {
			fmt.Fprintf(&b, "Bad,not-an-email-%d,Sales_User\n", i)
		}
		p := filepath.Join(dir, fmt.Sprintf("team%d.csv", tc.bad))
		if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := lsqRun(t.Context(), env, "", "users", "import", "--skip-invalid", p)
		if code != exitInvalid || !strings.Contains(out, tc.want) {
			t.Errorf("%d invalid rows: exit %d, stdout %q, want %q\nstderr: %s", tc.bad, code, out, tc.want, errOut)
		}
	}
}

// The users commands tighten the garbage collector's target, unless GOGC is set (not
// parallel: the target is the process's).
func TestUsersCommandsTightenGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	lsqRun(t.Context(), nil, "", "users")
	if got := debug.SetGCPercent(100); got != usersGCPercent {
		t.Errorf("after lsq users: GC target %d, want %d", got, usersGCPercent)
	}
	lsqRun(t.Context(), map[string]string{"GOGC": "100"}, "", "users")
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after lsq users with GOGC set: GC target %d, want it left at 100", got)
	}
}
