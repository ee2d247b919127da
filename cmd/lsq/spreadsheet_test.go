package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// writeNamed writes b to a new file in a temporary directory and returns its path.
func writeNamed(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Issue 20, defect 1: a Latin-1 byte used to pass validation and create "Jos\ufffd".
func TestImportInvalidUTF8IsARowError(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	p := writeNamed(t, "latin1.csv", []byte("FirstName,LastName,EmailAddress,Role\nAda,L,ada@example.com,Sales_User\nJos\xe9,Garc\xeda,jose@example.com,Sales_User\n"))
	for _, args := range [][]string{{"users", "import", "--dry-run", p}, {"users", "import", "--skip-invalid", p}} {
		code, out, errOut := lsqRun(t.Context(), f.env(), "", args...)
		if code != 1 || !strings.Contains(errOut, "row 3, column FirstName: not valid UTF-8 (byte 0xE9") ||
			!strings.Contains(errOut, "row 3, column LastName: not valid UTF-8") {
			t.Errorf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
	}
	for _, u := range f.Users() {
		if strings.ContainsRune(u.FirstName, '\ufffd') || u.EmailAddress == "jose@example.com" {
			t.Errorf("created %q <%s>", u.FirstName, u.EmailAddress)
		}
	}
}

// Issue 20, defect 2: cells a spreadsheet would run are neutralised, and read back.
func TestExportNeutralisesFormulasAndImportReadsThemBack(t *testing.T) {
	t.Parallel()
	src := newFakeAPI(t, nil)
	names := []string{`=HYPERLINK("http://x","y")`, "+1+1", "@SUM(A1)", `=cmd|' /C calc'!A0`, "-2", "'=already quoted", "O'Brien", "Plain"}
	for i, n := range names {
		if _, err := src.AddUser(lsqtest.User{FirstName: n, LastName: "L", EmailAddress: fmt.Sprintf("f%d@example.com", i), Role: "Sales_User",
			PhoneMobile: fmt.Sprintf("+91-98765%05d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	cols := "FirstName,LastName,EmailAddress,Role,PhoneMobile"
	code, out, errOut := lsqRun(t.Context(), src.env(), "", "users", "export", "--columns", cols)
	if code != 0 {
		t.Fatalf("export: exit %d\n%s", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
	}
	if !strings.Contains(out, `"'=HYPERLINK(""http://x"",""y"")"`) || !strings.Contains(out, "'+91-98765") || !strings.Contains(out, "''=already quoted") || !strings.Contains(out, "\nO'Brien,") {
		t.Errorf("export:\n%s", out)
	}
	// Import the export into another account: every value as it was.
	dst := newFakeAPI(t, nil)
	p := writeNamed(t, "export.csv", []byte(out))
	if code, out, errOut := lsqRun(t.Context(), dst.env(), "", "users", "import", p); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	got := map[string]lsqtest.User{}
	for _, u := range dst.Users() {
		got[u.EmailAddress] = u
	}
	for i, n := range names {
		u := got[fmt.Sprintf("f%d@example.com", i)]
		if u.FirstName != n || u.PhoneMobile != fmt.Sprintf("+91-98765%05d", i) {
			t.Errorf("f%d: imported %q %q, want %q", i, u.FirstName, u.PhoneMobile, n)
		}
	}
}

func TestNeutraliseIsOneToOne(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"", "=1", "+91", "-", "@a", "\tx", "\rx", "'", "'=1", "''+1", "'a", "a=b", "'''", "''@"} {
		if got := unneutralise(neutralise(v)); got != v {
			t.Errorf("unneutralise(neutralise(%q)) = %q", v, got)
		}
		if c := neutralise(v); c != "" && strings.ContainsRune(formulaStarts, rune(c[0])) {
			t.Errorf("neutralise(%q) = %q starts a formula", v, c)
		}
	}
}

// Issue 20, defect 3: the rows to fix never overwrite the input, an earlier run's file, or a
// symlink's target.
func TestImportRowsToFixNeverOverwrite(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	p := usersCSV(t, 1, "Bad,Role,badrole@example.com,Boss,")
	input, _ := os.ReadFile(p)
	// --failed naming the input.
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--skip-invalid", "--failed", p, p)
	if after, _ := os.ReadFile(p); !bytes.Equal(after, input) || !strings.Contains(errOut, "is the input file") {
		t.Errorf("--failed = input: exit %d, input changed: %v\n%s\n%s", code, !bytes.Equal(after, input), out, errOut)
	}
	// The first run wrote users.failed.csv; the user edits it; a rerun must keep the edits.
	failed := strings.TrimSuffix(p, ".csv") + ".failed.csv"
	edited := []byte("FirstName,LastName,EmailAddress,Role,ManagerEmail,lsq_error\nBad,Role,badrole@example.com,Sales_User,,\n")
	if err := os.WriteFile(failed, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = lsqRun(t.Context(), f.env(), "", "users", "import", "--skip-invalid", p)
	second := strings.TrimSuffix(p, ".csv") + ".failed-2.csv"
	if after, _ := os.ReadFile(failed); code != 1 || !bytes.Equal(after, edited) || !strings.Contains(out, second) || !strings.Contains(readAll(t, second), "badrole@example.com") {
		t.Errorf("rerun: exit %d, edits kept %v\n%s", code, bytes.Equal(after, edited), out)
	}
	// A symlink planted under the next name: its target is left alone.
	target := filepath.Join(t.TempDir(), "precious")
	if err := os.WriteFile(target, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	third := strings.TrimSuffix(p, ".csv") + ".failed-3.csv"
	if err := os.Symlink(target, third); err != nil {
		t.Fatal(err)
	}
	code, out, _ = lsqRun(t.Context(), f.env(), "", "users", "import", "--skip-invalid", p)
	if b, _ := os.ReadFile(target); string(b) != "precious" || code != 1 || !strings.Contains(out, ".failed-4.csv") {
		t.Errorf("symlink: target now %q, exit %d\n%s", b, code, out)
	}
	// --failed naming a symlink: refused, target kept.
	code, _, errOut = lsqRun(t.Context(), f.env(), "", "users", "import", "--skip-invalid", "--failed", third, p)
	if b, _ := os.ReadFile(target); string(b) != "precious" || !strings.Contains(errOut, "never overwrites") {
		t.Errorf("--failed symlink: target now %q, exit %d\n%s", b, code, errOut)
	}
}

// Issue 20, defect 4: one mailbox is one user, however the address is written.
func TestImportOneAddressPerUser(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	p := writeNamed(t, "ada.csv", []byte("FirstName,EmailAddress,Role,ManagerEmail\n"+
		"Ada,ada@x.com,Sales_User,\n"+
		`Ada,"Ada Lovelace <ada2@x.com>",Sales_User,`+"\n"+
		"Ada,<ada3@x.com>,Sales_User,\n"+
		"Ada, ADA@X.com ,Sales_User,\n"+
		"Bob,bob@x.com,Sales_User,Ada <ada@x.com>\n"))
	code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--dry-run", p)
	for _, want := range []string{
		"row 3, column EmailAddress: write the address alone, without a name or <>: ada2@x.com",
		"row 4, column EmailAddress: write the address alone, without a name or <>: ada3@x.com",
		"row 5, column EmailAddress: the same address as row 2",
		"row 6, column ManagerEmail: write the address alone",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if code != 1 || strings.Count(errOut, "\n") != 4 {
		t.Errorf("exit %d\n%s", code, errOut)
	}
	// users deactivate says the same.
	e := writeNamed(t, "leavers.txt", []byte("Ada Lovelace <ada@x.com>\n"))
	code, out, _ := lsqRun(t.Context(), f.env(), "", "users", "deactivate", "--emails", e)
	if code != 1 || !strings.Contains(out, "1 invalid") {
		t.Errorf("deactivate: exit %d\n%s", code, out)
	}
}

// Issue 20, defect 5: every escaped form of a key in a success reply is scrubbed.
func TestCallScrubsJSONEscapedKeys(t *testing.T) {
	t.Parallel()
	const ak, sk = `ak&"x/<y>+z%1`, `sk/9&8"7\6`
	esc := func(k string, slash bool) string {
		b, _ := json.Marshal(k) // \u0026 \u003c \u003e \"
		s := string(b[1 : len(b)-1])
		if slash {
			s = strings.ReplaceAll(s, "/", `\/`) // WCF
		}
		return s
	}
	reply := fmt.Sprintf(`[{"ID":"u1","A":"%s","B":"%s","C":"x %s y","D":"%s","E":"\u0061k\u0026\"x\u002f<y>+z%%1"}]`,
		esc(ak, true), esc(sk, true), esc(ak, false), esc(sk, false))
	f := newFakeAPI(t, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(reply))
		})
	})
	env := map[string]string{envAccessKey: ak, envSecretKey: sk, envHost: f.url}
	code, out, errOut := lsqRun(t.Context(), env, "", "call", "GetUsers")
	if code != 0 || !strings.Contains(out, `"ID":"u1"`) || strings.Count(out, "REDACTED") != 5 {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	var decoded []map[string]string
	_ = json.Unmarshal([]byte(out), &decoded)
	for _, text := range []string{out, errOut, fmt.Sprint(decoded)} {
		for _, k := range []string{ak, sk, esc(ak, true), esc(sk, true), esc(ak, false), esc(sk, false), "ak&", "sk/9"} {
			if strings.Contains(text, k) {
				t.Errorf("a key form leaked")
			}
		}
	}
}

// Issue 20, defect 6: limits and counts out of bounds are usage errors, never a panic, an
// out-of-memory or an overflow that turns pacing off.
func TestLimitsAndCountsHaveBounds(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	p := usersCSV(t, 1)
	for _, args := range [][]string{
		{"users", "import", "--rate", "9223372036854775807 in 1s", p},
		{"users", "import", "--rate", "10000000000 in 1s", p},
		{"users", "import", "--rate", "1 in 2562047h", p},
		{"users", "import", "--rate", "1 in 9223372036 seconds", p},
		{"users", "import", "--workers", "1000000", p},
		{"users", "import", "--workers", "0", p},
		{"users", "deactivate", "--workers", "1000000", "--emails", p},
		{"call", "GetUsers", "--rate", "9223372036854775807 in 1s"},
	} {
		code, _, errOut := lsqRun(t.Context(), f.env(), "", args...)
		if code != 2 || !strings.Contains(errOut, "--") {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, errOut)
		}
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	if code, _, errOut := lsqRun(t.Context(), nil, "", "fake", "--limit", "9223372036854775807 in 1s"); code != 2 {
		t.Errorf("fake --limit: exit %d\n%s", code, errOut)
	}
}

func utf16File(s string, little bool) []byte {
	var b bytes.Buffer
	if little {
		b.Write([]byte{0xFF, 0xFE})
	} else {
		b.Write([]byte{0xFE, 0xFF})
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if little {
			b.Write([]byte{byte(u), byte(u >> 8)})
		} else {
			b.Write([]byte{byte(u >> 8), byte(u)})
		}
	}
	return b.Bytes()
}

// Issue 20, defect 7: what spreadsheets write is read.
func TestImportReadsSpreadsheetDialects(t *testing.T) {
	t.Parallel()
	const plain = "FirstName,LastName,EmailAddress,Role\nJosé,Ñúñez,jose@example.com,Sales_User\nAda,L,ada@example.com,Sales_User\n"
	for name, b := range map[string][]byte{
		"bom":              []byte("\ufeff" + plain),
		"powershell":       []byte("\ufeff\"FirstName\",\"LastName\",\"EmailAddress\",\"Role\"\r\n\"José\",\"Ñúñez\",\"jose@example.com\",\"Sales_User\"\r\n\"Ada\",\"L\",\"ada@example.com\",\"Sales_User\"\r\n"),
		"trailing-empty":   []byte("FirstName,LastName,EmailAddress,Role,,\nJosé,Ñúñez,jose@example.com,Sales_User,,\nAda,L,ada@example.com,Sales_User,,,\n,,,,,\n"),
		"semicolon":        []byte("\ufeffFirstName;LastName;EmailAddress;Role\r\nJosé;Ñúñez;jose@example.com;Sales_User\r\nAda;L;ada@example.com;Sales_User\r\n"),
		"tab":              []byte(strings.ReplaceAll(plain, ",", "\t")),
		"utf16le":          utf16File("\ufeff"[0:0]+strings.ReplaceAll(plain, ",", "\t"), true),
		"utf16be":          utf16File(plain, false),
		"semicolon-quoted": []byte("FirstName;LastName;EmailAddress;Role\n\"José\";\"Ñúñez, Jr\";jose@example.com;Sales_User\nAda;L;ada@example.com;Sales_User\n"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t, nil)
			p := writeNamed(t, name+".csv", b)
			code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", p)
			if code != 0 || !strings.Contains(out, "2 created") {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			u, ok := userByEmail(f, "jose@example.com")
			if !ok || u.FirstName != "José" || !strings.HasPrefix(u.LastName, "Ñúñez") {
				t.Errorf("created %+v", u)
			}
		})
	}
	// A cell under an empty header is refused, not dropped.
	f := newFakeAPI(t, nil)
	p := writeNamed(t, "lost.csv", []byte("FirstName,EmailAddress,Role,\nAda,ada@example.com,Sales_User,lost value\n"))
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--dry-run", p); code != 1 || !strings.Contains(errOut, "row 2, column 4: a value in a column whose header is empty") {
		t.Errorf("value under an empty header: exit %d\n%s", code, errOut)
	}
	// The wrong delimiter given: the error says which one the file seems to use.
	p = writeNamed(t, "semi.csv", []byte("FirstName;EmailAddress;Role\nAda;ada@example.com;Sales_User\n"))
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--dry-run", "--delimiter", ",", p); code != 1 || !strings.Contains(errOut, "give --delimiter ';'") {
		t.Errorf("wrong delimiter: exit %d\n%s", code, errOut)
	}
	if code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--dry-run", "--delimiter", ";", p); code != 0 || !strings.Contains(out, "1 valid") {
		t.Errorf("--delimiter ';': exit %d\n%s\n%s", code, out, errOut)
	}
	// UTF-16 without a mark: named.
	raw := utf16File(plain, true)[2:]
	p = writeNamed(t, "nomark.csv", raw)
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--dry-run", p); code != 1 || !strings.Contains(errOut, "UTF-16 without a byte-order mark") {
		t.Errorf("UTF-16 without a mark: exit %d\n%s", code, errOut)
	}
}

// Issue 20, defect 8: one run per state file at a time.
func TestImportStateFileLocked(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	p := usersCSV(t, 3)
	held, err := os.OpenFile(p+".lsq-state", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := lockFile(held); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", p)
	if code != 2 || !strings.Contains(errOut, "in use by another lsq run") || f.Count(api.OpCreateUser) != 0 {
		t.Errorf("while locked: exit %d\n%s\n%s", code, out, errOut)
	}
	_ = held.Close() // the other run ends
	if code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", p); code != 0 || !strings.Contains(out, "3 created") {
		t.Errorf("after: exit %d\n%s\n%s", code, out, errOut)
	}
}

// Issue 20, defect 8: a Redis password never in a flag (ps shows flags); LSQ_REDIS_URL.
func TestRedisPasswordFromTheEnvironmentOnly(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	for _, u := range []string{"redis://:hunter2@127.0.0.1:1/0", "redis://user:hunter2@127.0.0.1:1/0", "redis://hunter2@127.0.0.1:1/0", "redis://127.0.0.1:1/0?password=hunter2"} {
		code, out, errOut := lsqRun(t.Context(), f.env(), "", "call", "GetUsers", "--rate", "25 in 5s", "--redis", u)
		if code != 2 || !strings.Contains(errOut, "set LSQ_REDIS_URL instead") || strings.Contains(out+errOut, "hunter2") {
			t.Errorf("%s: exit %d\n%s", u, code, errOut)
		}
	}
	env := f.env()
	env[envRedisURL] = "redis://:hunter2@127.0.0.1:1/0"
	if code, _, errOut := lsqRun(t.Context(), env, "", "call", "GetUsers"); code != 2 || !strings.Contains(errOut, "--redis needs --rate") {
		t.Errorf("LSQ_REDIS_URL is read: exit %d\n%s", code, errOut)
	}
}

// Issue 20, defect 8: - reads standard input.
func TestImportFromStandardInput(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	b, _ := os.ReadFile(usersCSV(t, 3))
	state := filepath.Join(t.TempDir(), "stdin.lsq-state")
	if code, _, errOut := lsqRun(t.Context(), f.env(), string(b), "users", "import", "-"); code != 2 || !strings.Contains(errOut, "give --state") {
		t.Errorf("no --state: exit %d\n%s", code, errOut)
	}
	code, out, errOut := lsqRun(t.Context(), f.env(), string(b), "users", "import", "--state", state, "-")
	if code != 0 || !strings.Contains(out, "3 created") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	assertEachOnce(t, f, 3)
}

// Issue 20, defect 8: a failed export leaves nothing that looks complete.
func TestFailedExportLooksIncomplete(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req api.UserSearchRequest
			body, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(body, &req)
			if req.Paging.PageIndex >= 2 {
				http.Error(w, `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"no"}`, http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
		})
	})
	for i := range 1001 { // two pages
		if _, err := f.AddUser(lsqtest.User{FirstName: "U", EmailAddress: fmt.Sprintf("u%04d@example.com", i), Role: "Sales_User"}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	for _, format := range []string{"csv", "json"} {
		out := filepath.Join(dir, "users."+format)
		code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "export", "--format", format, "--out", out)
		if _, err := os.Stat(out); code != 1 || err == nil || !strings.Contains(errOut, "was not written") {
			t.Errorf("%s --out: exit %d, file there: %v\n%s", format, code, err == nil, errOut)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left in the directory: %v", ents)
	}
	code, stdout, _ := lsqRun(t.Context(), f.env(), "", "users", "export", "--format", "json")
	if code != 1 || json.Valid([]byte(stdout)) {
		t.Errorf("json on stdout: exit %d, valid JSON %v", code, json.Valid([]byte(stdout)))
	}
	// --out never replaces a file.
	keep := writeNamed(t, "keep.csv", []byte("mine"))
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "export", "--out", keep); code != 2 || !strings.Contains(errOut, "never overwrites") {
		t.Errorf("--out existing: exit %d\n%s", code, errOut)
	}
}

// userByEmail finds a user of the fake by address.
func userByEmail(f *fakeAPI, email string) (lsqtest.User, bool) {
	for _, u := range f.Users() {
		if strings.EqualFold(u.EmailAddress, email) {
			return u, true
		}
	}
	return lsqtest.User{}, false
}

// Issue 27: the line Windows PowerShell 5.1's Export-Csv writes above the header (#TYPE) and
// the one Excel reads the delimiter from (sep=) are read as such, by import and sync, not
// as the header; neither counts as a row.
func TestSpreadsheetPreambleLines(t *testing.T) {
	t.Parallel()
	const (
		typeLine = "#TYPE System.Management.Automation.PSCustomObject\r\n"
		quoted   = "\"FirstName\",\"LastName\",\"EmailAddress\",\"Role\"\r\n\"José\",\"Ñúñez\",\"jose@example.com\",\"Sales_User\"\r\n\"Ada\",\"L\",\"ada@example.com\",\"Sales_User\"\r\n"
		semi     = "FirstName;LastName;EmailAddress;Role\n\"José\";\"Ñúñez, Jr\";jose@example.com;Sales_User\nAda;L;ada@example.com;Sales_User\n"
		comma    = "FirstName,LastName,EmailAddress,Role\nJosé,\"Ñúñez; Jr\",jose@example.com,Sales_User\nAda,L,ada@example.com,Sales_User\n"
	)
	f := newFakeAPI(t, nil)
	for name, b := range map[string][]byte{
		"powershell 5.1":             []byte(typeLine + quoted),
		"powershell 5.1 with a mark": []byte("\ufeff" + typeLine + quoted),
		"powershell 5.1 UTF-16":      utf16File(typeLine+quoted, true),
		"excel sep=;":                []byte("sep=;\r\n" + semi),
		"excel sep=,":                []byte("sep=,\n" + comma),
		"excel sep=tab":              []byte("sep=\t\n" + strings.ReplaceAll(comma, ",", "\t")),
		"excel SEP=; with a mark":    []byte("\ufeffSEP=;\n" + semi),
		"excel sep=; UTF-16":         utf16File("sep=;\r\n"+semi, false),
		"sep= then #TYPE":            []byte("sep=,\n" + typeLine + quoted),
	} {
		p := writeNamed(t, "preamble.csv", b)
		code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--dry-run", p)
		if code != 0 || !strings.Contains(out, "2 rows: 2 valid, 0 invalid") {
			t.Errorf("%s: import --dry-run: exit %d\n%s\n%s", name, code, out, errOut)
		}
		code, out, errOut = lsqRun(t.Context(), f.env(), "", "users", "sync", p)
		if code != 0 || !strings.Contains(out, "2 to create") || !strings.Contains(out, "jose@example.com (row 2)") || !strings.Contains(out, "ada@example.com (row 3)") {
			t.Errorf("%s: sync: exit %d\n%s\n%s", name, code, out, errOut)
		}
	}
	// The header is row 1, the first row under it row 2, whatever lines are above it.
	p := writeNamed(t, "bad.csv", []byte(typeLine+"\"FirstName\",\"EmailAddress\",\"Role\"\r\n\"Ada\",\"not-an-address\",\"Sales_User\"\r\n"))
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--dry-run", p); code != 1 || !strings.Contains(errOut, "row 2, column EmailAddress") {
		t.Errorf("an invalid row under #TYPE: exit %d\n%s", code, errOut)
	}
	// --delimiter and a sep= line that disagree, and a sep= line that names no delimiter.
	p = writeNamed(t, "sep.csv", []byte("sep=;\n"+semi))
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--dry-run", "--delimiter", ",", p); code != 1 || !strings.Contains(errOut, "says sep=;, but --delimiter says ,") {
		t.Errorf("sep=; and --delimiter ,: exit %d\n%s", code, errOut)
	}
	if code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--dry-run", "--delimiter", ";", p); code != 0 || !strings.Contains(out, "2 valid") {
		t.Errorf("sep=; and --delimiter ;: exit %d\n%s\n%s", code, out, errOut)
	}
	p = writeNamed(t, "sep2.csv", []byte("sep=;;\n"+semi))
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--dry-run", p); code != 1 || !strings.Contains(errOut, "a sep= line names one delimiter") {
		t.Errorf("sep=;;: exit %d\n%s", code, errOut)
	}
}

// Issue 27: a phone number or an id that a spreadsheet saved in scientific notation
// (919876543210 as 9.19877E+11, its last digits lost) is refused, naming row and column, in
// import and in sync; the same text in another column, and phone numbers as written, pass.
func TestScientificNotationRefusedInPhoneAndIDColumns(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	importFile := writeNamed(t, "import.csv", []byte("FirstName,EmailAddress,Role,PhoneMobile,TeamId,mx_Phone_2,CustomFields.ExternalId\n"+
		"1E+5,a@example.com,Sales_User,+91-9876543210,t1,9876543210,X1\n"+ // row 2: a name may be anything
		"Ada,b@example.com,Sales_User,9.19877E+11,t1,,\n"+ // row 3
		"Bob,c@example.com,Sales_User,,1.2e+05,,\n"+ // row 4
		"Cy,d@example.com,Sales_User,,,9.87654E+09,\n"+ // row 5
		"Di,e@example.com,Sales_User,,,,-4.5E-03\n")) // row 6
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--dry-run", importFile)
	if code != 1 || !strings.Contains(out, "5 rows: 1 valid, 4 invalid") {
		t.Errorf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"row 3, column PhoneMobile: 9.19877E+11 is a number in scientific notation",
		"row 4, column TeamId: 1.2e+05 is a number in scientific notation",
		"row 5, column mx_Phone_2: 9.87654E+09 is a number in scientific notation",
		"row 6, column ExternalId: -4.5E-03 is a number in scientific notation",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("import: stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "row 2") {
		t.Errorf("import: row 2 refused:\n%s", errOut)
	}

	syncFile := writeNamed(t, "sync.csv", []byte("FirstName,EmailAddress,Role,PhoneMain,EmployeeId,ManagerUserId\n"+
		"Ada,a@example.com,Sales_User,9.19877E+11,,\n"+
		"Bob,b@example.com,Sales_User,,1.00001E+14,\n"+
		"Cy,c@example.com,Sales_User,+1 555 0100,E1,7.1E+3\n"))
	code, out, errOut = lsqRun(t.Context(), f.env(), "", "users", "sync", syncFile)
	if code != 1 {
		t.Errorf("sync: exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"row 2, column PhoneMain: 9.19877E+11 is a number in scientific notation",
		"row 3, column EmployeeId: 1.00001E+14 is a number in scientific notation",
		"row 4, column ManagerUserId: 7.1E+3 is a number in scientific notation",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("sync: stderr lacks %q:\n%s", want, errOut)
		}
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d requests sent for files with errors", n)
	}
}
