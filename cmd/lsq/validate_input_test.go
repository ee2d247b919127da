package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateHardenedInput(t *testing.T) {
	t.Parallel()
	dup := `{"FirstName":"Chris","EmailAddress":"charris@example.com","Role":"NotARole","Role":"Sales_User"}`
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	for _, tc := range []struct {
		name, body string
		code       int
		out        string
	}{
		{"duplicate key, valid last", dup, exitInvalid, "/Role: duplicateKey: "},
		{"invalid UTF-8", "{\"FirstName\":\"Chr\xffis\",\"EmailAddress\":\"c@example.com\"}", exitInvalid, "/FirstName: utf8: "},
		{"too deep", deep, exitInvalid, ": depth: nesting is deeper than the depth limit of 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runLsq(t, "", "validate", "request", "CreateUser", writeFile(t, tc.body))
			if code != tc.code || !strings.Contains(out, tc.out) {
				t.Errorf("exit %d, stdout %.200q, stderr %q; want exit %d and %q", code, out, errOut, tc.code, tc.out)
			}
		})
	}
	if code, _, errOut := runLsq(t, "", "validate", "request", "CreateUser", writeFile(t, `{"FirstName":`)); code != exitUsage ||
		!strings.Contains(errOut, "is not valid JSON: syntax error at byte") {
		t.Errorf("not JSON: exit %d, %q", code, errOut)
	}
}

func TestValidateSizeLimit(t *testing.T) {
	t.Parallel()
	// 11 MB of JSON: over the default 10MB, refused by its size before it is read.
	p := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(11 << 20); err != nil { // sparse: the content is never read
		t.Fatal(err)
	}
	_ = f.Close()
	code, _, errOut := runLsq(t, "", "validate", "response", "GetUsers", "200", p)
	if code != exitUsage || !strings.Contains(errOut, "is 11MB, larger than the size limit of 10MB (--max-size)") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	// Standard input is cut off at the limit.
	big := "[" + strings.Repeat(`{"ID":"x"},`, 200) + `{"ID":"x"}]`
	code, _, errOut = runLsq(t, big, "validate", "response", "--max-size", "1KB", "GetUsers", "200", "-")
	if code != exitUsage || !strings.Contains(errOut, "standard input is over 1KB, larger than the size limit of 1KB") {
		t.Errorf("stdin: exit %d, stderr %q", code, errOut)
	}
	// A larger limit lets it through.
	if code, out, errOut := runLsq(t, big, "validate", "response", "--max-size=64KB", "GetUsers", "200", "-"); code == exitUsage {
		t.Errorf("--max-size 64KB: exit %d, %q %q", code, out, errOut)
	}
	for _, bad := range []string{"0", "-1", "ten", "10TB"} {
		if code, _, _ := runLsq(t, "", "validate", "response", "--max-size", bad, "GetUsers", "200", "-"); code != exitUsage {
			t.Errorf("--max-size %s: exit %d, want a usage error", bad, code)
		}
	}
}
