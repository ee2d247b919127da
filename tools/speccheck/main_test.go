package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSpecInLibopenapi: the repository's spec loads without errors in libopenapi and every docs
// sample validates there.
func TestSpecInLibopenapi(t *testing.T) {
	samples, problems, err := check("../../spec/openapi.yaml", "../../spec/testdata/docs")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	files, _ := filepath.Glob("../../spec/testdata/docs/*.json")
	if samples != len(files) || samples < 40 {
		t.Errorf("%d samples validated of %d files", samples, len(files))
	}
	t.Logf("%d docs samples validate in libopenapi-validator", samples)
}

// TestCheckFindsProblems: the check fails on a sample that breaks its schema and on a spec
// that does not build, so a green run means something.
func TestCheckFindsProblems(t *testing.T) {
	dir := t.TempDir()
	bad := `{"FirstName":7,"EmailAddress":"a@example.com","Role":"Boss"}`
	if err := os.WriteFile(filepath.Join(dir, "CreateUser.request.json"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "NoSuchOperation.request.json"), []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	samples, problems, err := check("../../spec/openapi.yaml", dir)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(problems, "\n")
	if samples != 1 || !strings.Contains(text, "CreateUser.request.json") || !strings.Contains(text, "NoSuchOperation") {
		t.Errorf("samples %d, problems:\n%s", samples, text)
	}

	spec := filepath.Join(dir, "broken.yaml")
	if err := os.WriteFile(spec, []byte("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /x:\n    get:\n      responses:\n        \"200\": {$ref: \"#/components/responses/Missing\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, problems, err := check(spec, dir); err == nil && len(problems) == 0 {
		t.Error("a spec with a dangling $ref: no problem found")
	}
}
