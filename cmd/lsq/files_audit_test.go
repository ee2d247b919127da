package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Audit (lsq and the files it reads and writes): - names no file to write. Everywhere else -
// is standard input or output; a file named - in the working directory was never meant.
// (Not parallel: it runs in a directory of its own, so that a file named - lands there.)
func TestDashNamesNoFileToWrite(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	f := newFakeAPI(t, nil)
	p := usersCSV(t, 1)
	bad := writeNamed(t, "bad.csv", []byte("FirstName,EmailAddress,Role\nBad,badrole@example.com,Boss\n"))
	emails := writeNamed(t, "leavers.txt", []byte("user000@example.com\n"))
	for _, args := range [][]string{
		{"users", "export", "--out", "-"},
		{"users", "import", "--state", "-", p},
		{"users", "import", "--skip-invalid", "--failed", "-", "--state", filepath.Join(t.TempDir(), "s"), bad},
		{"users", "sync", "--save-plan", "-", p},
		{"users", "deactivate", "--state", "-", "--emails", emails},
	} {
		code, out, errOut := lsqRun(t.Context(), f.env(), "", args...)
		if code != 2 || !strings.Contains(errOut, "-: give the name of a file") {
			t.Errorf("%v: exit %d, want 2\n%s\n%s", args, code, out, errOut)
		}
		if _, err := os.Lstat(filepath.Join(dir, "-")); err == nil {
			t.Errorf("%v: wrote a file named -", args)
			_ = os.Remove(filepath.Join(dir, "-"))
		}
	}
	a := newApp(strings.NewReader(""), io.Discard, io.Discard)
	if _, _, err := a.openAudit("-", nil); err == nil {
		t.Error("--audit-log -: no error")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left in the directory: %v", ents)
	}
}

// Audit: the audit log is appended to only when it is one (or empty): never to the mapping,
// the token, a spreadsheet; never through a symlink; and a line a killed run cut short is
// ended before the next entry.
func TestAuditLogAppendsToAnAuditLogOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := newApp(strings.NewReader(""), io.Discard, io.Discard)
	open := func(name string, inputs map[string]string) (io.Writer, func(), error) {
		t.Helper()
		w, closeFn, err := a.openAudit(name, inputs)
		if err == nil {
			t.Cleanup(closeFn)
		}
		return w, closeFn, err
	}
	mapping := write("mapping.json", `{"urn:x":"mx_Custom_1"}`)
	token := write("token", "s3cret\n")
	for flag, in := range map[string]string{"--mapping": mapping, "--token-file": token} {
		before, _ := os.ReadFile(in)
		link := filepath.Join(dir, "hard-"+filepath.Base(in))
		if err := os.Link(in, link); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{in, link} {
			if _, _, err := open(name, map[string]string{flag: in}); err == nil || !strings.Contains(err.Error(), "is the "+flag+" file") {
				t.Errorf("%s as the audit log: %v", name, err)
			}
		}
		if after, _ := os.ReadFile(in); string(after) != string(before) {
			t.Errorf("%s changed: %q", flag, after)
		}
	}
	sheet := write("users.csv", "FirstName,EmailAddress\nAda,ada@example.com\n")
	if _, _, err := open(sheet, nil); err == nil || !strings.Contains(err.Error(), "not an audit log") {
		t.Errorf("a CSV as the audit log: %v", err)
	}
	if b, _ := os.ReadFile(sheet); !strings.HasPrefix(string(b), "FirstName") || strings.Count(string(b), "\n") != 2 {
		t.Errorf("the CSV changed: %q", b)
	}
	target := write("target.log", "")
	link := filepath.Join(dir, "link.log")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, _, err := open(link, nil); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("a symlink: %v", err)
	}
	// A log whose last line a kill cut short: the next entry starts a line of its own.
	cut := write("audit.log", `{"op":"create","result":"ok"}`+"\n"+`{"op":"pat`)
	w, closeFn, err := open(cut, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, `{"op":"next"}`+"\n")
	closeFn()
	if b, _ := os.ReadFile(cut); !strings.HasSuffix(string(b), "\n"+`{"op":"next"}`+"\n") {
		t.Errorf("after a cut line: %q", b)
	}
	fresh := filepath.Join(dir, "new.log")
	if _, _, err := open(fresh, nil); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(fresh); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("new log: %v %v", st.Mode(), err)
	}
}

// Audit: --failed is checked before anything is sent (it was found to be there only after
// the import had run), and the rows to fix are written under a temporary name and named
// once complete, with the first free name then: a run killed while writing them leaves no
// team.failed.csv, cut mid-row, that the user would fix and import.
func TestRowsToFixCheckedFirstAndWrittenWhole(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	p := usersCSV(t, 2, "Bad,Role,badrole@example.com,Boss,")
	mine := writeNamed(t, "mine.csv", []byte("mine\n"))
	hard := filepath.Join(t.TempDir(), "hard.csv")
	if err := os.Link(p, hard); err != nil {
		t.Fatal(err)
	}
	for _, failed := range []string{mine, filepath.Join(t.TempDir(), "no-such-dir", "f.csv"), p, filepath.Dir(p) + "/./" + filepath.Base(p), hard, "-"} {
		code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--skip-invalid", "--failed", failed, p)
		if code != 2 || f.Count(api.OpCreateUser) != 0 {
			t.Errorf("--failed %s: exit %d, %d creates sent\n%s\n%s", failed, code, f.Count(api.OpCreateUser), out, errOut)
		}
	}
	if b, _ := os.ReadFile(mine); string(b) != "mine\n" {
		t.Errorf("--failed's file changed: %q", b)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "team.failed.csv")
	for _, name := range []string{path, filepath.Join(dir, "team.failed-2.csv")} {
		if err := os.WriteFile(name, []byte("edited\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w, err := createFresh(path)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.WriteString("FirstName,EmailAddress\nAda,ada@exam") // killed here: nothing named
	if _, err := os.Lstat(filepath.Join(dir, "team.failed-3.csv")); err == nil {
		t.Error("an incomplete file has a final name")
	}
	// A file created meanwhile under the next name: kept, and the next free name taken.
	if err := os.WriteFile(filepath.Join(dir, "team.failed-3.csv"), []byte("edited\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _ = w.WriteString("ple.com\n")
	if err := w.commit(); err != nil || w.final != filepath.Join(dir, "team.failed-4.csv") {
		t.Fatalf("commit: %v, named %s", err, w.final)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 4 {
		t.Errorf("in the directory: %v", ents)
	}
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if want := "edited\n"; e.Name() == "team.failed-4.csv" {
			if st, _ := e.Info(); !strings.HasSuffix(string(b), "ada@example.com\n") || st.Mode().Perm() != 0o600 {
				t.Errorf("%s: %q %v", e.Name(), b, st.Mode())
			}
		} else if string(b) != want {
			t.Errorf("%s changed: %q", e.Name(), b)
		}
	}
}

// Audit: a users file that is a pipe (lsq users import <(...)) reads once; import and sync
// read their file more than once, and found it empty the second time ("interrupted", "the
// file is empty"). It is copied first, as standard input is.
func TestImportAndSyncReadAPipe(t *testing.T) {
	t.Parallel()
	b, _ := os.ReadFile(usersCSV(t, 3))
	pipe := func() string {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Close() })
		go func() {
			_, _ = w.Write(b)
			_ = w.Close()
		}()
		name := fmt.Sprintf("/dev/fd/%d", r.Fd())
		if _, err := os.Stat(name); err != nil {
			t.Skipf("no /dev/fd here: %v", err)
		}
		return name
	}
	f := newFakeAPI(t, nil)
	state := filepath.Join(t.TempDir(), "s")
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--state", state, pipe())
	if code != 0 || !strings.Contains(out, "3 created") {
		t.Errorf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = lsqRun(t.Context(), f.env(), "", "users", "sync", "--state", state+"-sync", pipe())
	if code != 0 || !strings.Contains(out+errOut, "0 to create") {
		t.Errorf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	// The rows to fix go beside the state file, as standard input's do (not /dev/fd/N.failed.csv).
	b = append(b, "Bad,Role,badrole@example.com,Boss,\n"...)
	code, out, errOut = lsqRun(t.Context(), f.env(), "", "users", "import", "--skip-invalid", "--state", state, pipe())
	if code != 1 || !strings.Contains(readAll(t, state+".failed.csv"), "badrole@example.com") {
		t.Errorf("rows to fix: exit %d\n%s\n%s", code, out, errOut)
	}
}

// Audit: the list of users deactivate and activate read is read as a users file is: a
// byte-order mark (Notepad's "UTF-8 with BOM", Excel's "Unicode text") is no part of the
// first address; Latin-1 is named as such; a line too long names its number.
func TestEmailListEncodings(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	p := usersCSV(t, 2)
	if code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", p); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	const list = "user000@example.com\r\nuser001@example.com\r\n"
	for name, b := range map[string][]byte{
		"bom":     []byte("\ufeff" + list),
		"utf16le": utf16File(list, true),
		"utf16be": utf16File(list, false),
	} {
		e := writeNamed(t, name+".txt", b)
		code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "deactivate", "--emails", e)
		if code != 0 || !strings.Contains(out, "0 invalid") {
			t.Errorf("%s: exit %d\n%s\n%s", name, code, out, errOut)
		}
		if code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "activate", "--emails", e); code != 0 {
			t.Errorf("%s: activate: exit %d\n%s\n%s", name, code, out, errOut)
		}
	}
	e := writeNamed(t, "latin1.txt", []byte("user000@example.com\nj\xe9@example.com\n"))
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "deactivate", "--emails", e); code != 1 || !strings.Contains(errOut, "line 2: not valid UTF-8") {
		t.Errorf("Latin-1: exit %d\n%s", code, errOut)
	}
	e = writeNamed(t, "long.txt", []byte("user000@example.com\n"+strings.Repeat("a", 70000)+"@example.com\n"))
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "deactivate", "--emails", e); code != 2 || !strings.Contains(errOut, "line 2 is longer than") {
		t.Errorf("long line: exit %d\n%s", code, errOut)
	}
}

// Audit: a NUL byte in a cell (a file saved as other than text, or cut by a crash) was sent
// as part of the name; it is a row error naming the column, for import and sync alike.
func TestNULByteIsARowError(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	p := writeNamed(t, "nul.csv", []byte("FirstName,LastName,EmailAddress,Role\nAda,L,ada@example.com,Sales_User\nA\x00b,L,nul@example.com,Sales_User\n"))
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", p)
	if code != 1 || !strings.Contains(errOut, "row 3, column FirstName: a NUL byte (0x00) at byte 2") || f.Count(api.OpCreateUser) != 0 {
		t.Errorf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = lsqRun(t.Context(), f.env(), "", "users", "sync", p)
	if code != 1 || !strings.Contains(errOut, "row 3, column FirstName: a NUL byte") {
		t.Errorf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
}

// Audit: a keys file written by Windows PowerShell 5.1 (echo ... > keys: UTF-16 with a
// mark) or saved by Notepad with a UTF-8 mark is read; neither was ("line 1: unknown name"
// for the mark, "want NAME=value" for every UTF-16 line).
func TestKeysFileEncodings(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	content := fmt.Sprintf("LSQ_ACCESS_KEY=%s\r\nLSQ_SECRET_KEY=%s\r\nLSQ_HOST=%s\r\n", testAccessKey, testSecretKey, f.url)
	for name, b := range map[string][]byte{
		"bom":     []byte("\ufeff" + content),
		"utf16le": utf16File(content, true),
	} {
		p := writeNamed(t, name, b)
		code, out, errOut := lsqRun(t.Context(), nil, "", "call", "GetUsers", "--keys-file", p)
		if code != 0 || !strings.Contains(out, "admin@lsqtest.example.com") {
			t.Errorf("%s: exit %d\n%s\n%s", name, code, out, errOut)
		}
		assertNoKeys(t, out, errOut)
	}
}

// Audit: a file edited while it is imported. Its rows are read again as they are sent;
// one whose address changed was failed, but one whose manager changed was created with the
// manager of the first read and the other cells of the second: a mix the file never said.
func TestImportFileEditedMidRun(t *testing.T) {
	t.Parallel()
	const (
		header = "FirstName,LastName,EmailAddress,Role,ManagerEmail\nAda,L,a@example.com,Sales_User,\nCy,L,c@example.com,Sales_User,\n"
		before = header + "Bob,L,b@example.com,Sales_User,a@example.com\n"
		after  = header + "Bob,L,b@example.com,Sales_Manager,c@example.com\n"
	)
	p := writeNamed(t, "team.csv", []byte(before))
	var once sync.Once
	f := newFakeAPI(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			once.Do(func() { // the first call: the file was read once
				if err := os.WriteFile(p, []byte(after), 0o600); err != nil {
					t.Error(err)
				}
			})
			next.ServeHTTP(w, r)
		})
	})
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", p)
	if code != 1 || !strings.Contains(out, "row 4 (b@example.com): the file changed while it was imported") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	if u, ok := userByEmail(f, "b@example.com"); ok {
		t.Errorf("created from two reads of the file: %+v", u)
	}
}

// Audit: the copy of standard input an import reads (the users, mode 0600) was kept by name
// in the temporary directory until the end: a run killed mid-way left it there. Its name is
// now removed at once. (Not parallel: it sets TMPDIR.)
func TestStdinCopyLeavesNoFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("an open file keeps its name on Windows")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	b, _ := os.ReadFile(usersCSV(t, 3))
	var during []os.DirEntry
	var once sync.Once
	f := newFakeAPI(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			once.Do(func() { during, _ = os.ReadDir(tmp) })
			next.ServeHTTP(w, r)
		})
	})
	state := filepath.Join(t.TempDir(), "s")
	code, out, errOut := lsqRun(t.Context(), f.env(), string(b), "users", "import", "--state", state, "-")
	if code != 0 || !strings.Contains(out, "3 created") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	if len(during) != 0 {
		t.Errorf("in the temporary directory during the run: %v", during)
	}
	code, out, errOut = lsqRun(t.Context(), f.env(), string(b), "users", "sync", "--state", state+"-sync", "-")
	if code != 0 || !strings.Contains(out+errOut, "0 to create") {
		t.Errorf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
}
