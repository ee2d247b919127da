package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runLsq(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "payload.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const validCreate = `{"FirstName":"Chris","LastName":"Harris","EmailAddress":"charris@example.com","Role":"Sales_User"}`

func TestValidateRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		wantOut    []string
		wantErr    []string
		wantNLines int
	}{
		{name: "valid file", args: []string{"validate", "request", "CreateUser", writeFile(t, validCreate)}, code: 0, wantOut: []string{"valid CreateUser request"}},
		{name: "valid stdin", args: []string{"validate", "request", "CreateUser", "-"}, stdin: validCreate, code: 0},
		{
			name: "invalid: one line per failure", args: []string{"validate", "request", "CreateUser", "-"},
			stdin: `{"FirstName":"Chris","Role":"Boss"}`, code: 1,
			wantOut:    []string{"/EmailAddress: required:", `/Role: enum: value is not allowed (allowed: ["Administrator","Marketing_User","Sales_Manager","Sales_User"])`},
			wantNLines: 2,
		},
		{name: "unknown operation", args: []string{"validate", "request", "Nope", "-"}, stdin: `{}`, code: 2, wantErr: []string{`unknown operation "Nope" (see 'lsq ops')`}},
		{name: "unknown operation, a near one", args: []string{"validate", "request", "CreatUser", "-"}, stdin: `{}`, code: 2,
			wantErr: []string{`unknown operation "CreatUser" (did you mean CreateUser? see 'lsq ops')`}},
		{name: "typo named", args: []string{"validate", "request", "CreateUser", "-"},
			stdin: `{"FirstName":"A","EmailAddress":"a@x.com","Role":"Sales_User","LastNmae":"K"}`, code: 1,
			wantOut: []string{"/LastNmae: unknown attribute (did you mean LastName?)"}, wantNLines: 1},
		{name: "key in another letter case", args: []string{"validate", "request", "UpdateUser", "-"},
			stdin: `{"User":{"FristName":"A","LastName":5}}`, code: 1,
			wantOut: []string{"/User: the spec spells it user", "/User/FristName: unknown attribute", "/User/LastName: type:"}, wantNLines: 3},
		{name: "failures as JSON", args: []string{"validate", "request", "--json", "CreateUser", "-"},
			stdin: `{"FirstName":"A","EmailAddress":"a@x.com","Role":"Sales_User","LastNmae":"K"}`, code: 1,
			wantOut: []string{`"pointer": "/LastNmae"`, `"rule": "unknown"`, `"expected": "an attribute of the spec"`, `"message": "unknown attribute (did you mean LastName?)"`}},
		// An operation without a body: its request is its query, checked even without --query.
		{name: "no body, no query", args: []string{"validate", "request", "GetUserById"}, code: 1, wantOut: []string{"userId: required"}},
		{name: "no body, query", args: []string{"validate", "request", "--query", "userId=3b1041fb", "GetUserByID"}, code: 0},
		{name: "no body, a body given", args: []string{"validate", "request", "GetUserByID", "-"}, stdin: `{}`, code: 1, wantOut: []string{"userId: required", "takes no request body"}},
		{name: "not JSON", args: []string{"validate", "request", "CreateUser", "-"}, stdin: `{"a":`, code: 2, wantErr: []string{"not valid JSON"}},
		{name: "missing file", args: []string{"validate", "request", "CreateUser", "/nonexistent/x.json"}, code: 2, wantErr: []string{"no such file"}},
		{name: "too few arguments", args: []string{"validate", "request", "CreateUser"}, code: 2, wantErr: []string{"takes 2 arguments, got 1", "lsq validate request -h"}},
		{name: "no direction", args: []string{"validate"}, code: 2, wantErr: []string{"'request' or 'response'"}},
		{name: "bad flag", args: []string{"validate", "--nope"}, code: 2, wantErr: []string{"flag provided but not defined"}},
		{name: "help", args: []string{"validate", "-h"}, code: 0, wantOut: []string{"lsq validate request"}},
		{name: "help after direction", args: []string{"validate", "request", "-h"}, code: 0, wantOut: []string{"Usage: lsq validate request", "--query"}},
		{name: "body only: UpdateUser's query parameter is not required", args: []string{"validate", "request", "UpdateUser", "-"},
			stdin: `{"user":{"LastName":"Kant"}}`, code: 0},
		{name: "with --query: a missing query parameter fails", args: []string{"validate", "request", "--query", "Other=1", "UpdateUser", "-"},
			stdin: `{"user":{"LastName":"Kant"}}`, code: 1, wantOut: []string{"query UserId: required:"}, wantNLines: 1},
		{name: "with --query after the direction", args: []string{"validate", "request", "--query", "UserId=3b1041fb", "UpdateUser", "-"},
			stdin: `{"user":{"LastName":"Kant"}}`, code: 0},
		{name: "with --query in another casing", args: []string{"validate", "request", "--query", "userid=3b1041fb", "UpdateUser", "-"},
			stdin: `{"user":{"LastName":"Kant"}}`, code: 0, wantOut: []string{"valid UpdateUser request"}},
		{name: "with --query in another casing: a bad value still fails", args: []string{"validate", "request", "--query", "OVERWRITEALL=yes", "ApplyPermissionTemplate", "-"},
			stdin: `{"Id":"x"}`, code: 1, wantOut: []string{"query overWriteAll: enum:"}, wantNLines: 1},
		{name: "bad --query", args: []string{"validate", "request", "--query", "a=%zz", "UpdateUser", "-"}, stdin: `{}`, code: 2, wantErr: []string{"not a query string"}},
		{name: "response valid", args: []string{"validate", "response", "GetUserByID", "200", "-"}, stdin: `[]`, code: 0},
		{name: "response invalid", args: []string{"validate", "response", "GetUserByID", "200", "-"}, stdin: `[{"UserId":1}]`, code: 1, wantOut: []string{"/0/UserId: type:"}, wantNLines: 1},
		{name: "response bad status", args: []string{"validate", "response", "GetUserByID", "abc", "-"}, stdin: `[]`, code: 2, wantErr: []string{"bad status"}},
		{name: "response undocumented status", args: []string{"validate", "response", "GetUserByID", "418", "-"}, stdin: `{}`, code: 1, wantOut: []string{"status 418 is not documented"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runLsq(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if tt.wantNLines > 0 {
				if n := strings.Count(strings.TrimSpace(out), "\n") + 1; n != tt.wantNLines {
					t.Errorf("stdout has %d lines, want %d:\n%s", n, tt.wantNLines, out)
				}
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Errorf("stack trace on stderr: %s", errOut)
			}
		})
	}
}

func TestValidateJSONOutput(t *testing.T) {
	t.Parallel()
	code, out, _ := runLsq(t, `{"FirstName":"Chris","Role":"Boss"}`, "validate", "request", "--json", "CreateUser", "-")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var res struct {
		Operation string `json:"operation"`
		Valid     bool   `json:"valid"`
		Failures  []struct {
			Pointer string `json:"pointer"`
			Rule    string `json:"rule"`
			Allowed []any  `json:"allowed"`
		} `json:"failures"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if res.Operation != "CreateUser" || res.Valid || len(res.Failures) != 2 || res.Failures[1].Pointer != "/Role" || len(res.Failures[1].Allowed) != 4 {
		t.Errorf("result = %+v", res)
	}
	code, out, _ = runLsq(t, validCreate, "validate", "--json", "request", "CreateUser", "-")
	if code != 0 || !strings.Contains(out, `"valid": true`) || !strings.Contains(out, `"failures": []`) {
		t.Errorf("valid --json: exit %d\n%s", code, out)
	}
}

func TestOps(t *testing.T) {
	t.Parallel()
	code, out, _ := runLsq(t, "", "ops")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	found := false
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 4 {
			t.Errorf("line %q has fewer than 4 columns", l)
			continue
		}
		if f[0] == "CreateUser" {
			found = f[1] == "POST" && f[2] == "/UserManagement.svc/User/Create"
		}
	}
	if !found {
		t.Errorf("CreateUser POST /UserManagement.svc/User/Create not listed:\n%s", out)
	}
	code, out, _ = runLsq(t, "", "ops", "--json")
	var ops []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &ops) != nil || len(ops) != len(lines) {
		t.Errorf("ops --json: exit %d, %d ops, want %d", code, len(ops), len(lines))
	}
}

func TestSpecAndUsage(t *testing.T) {
	t.Parallel()
	code, out, _ := runLsq(t, "", "spec")
	var doc map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || doc["openapi"] != "3.0.3" {
		t.Errorf("spec: exit %d, openapi %v", code, doc["openapi"])
	}
	if code, _, errOut := runLsq(t, ""); code != 2 || !strings.Contains(errOut, "Commands:") {
		t.Errorf("no args: exit %d, %s", code, errOut)
	}
	if code, _, errOut := runLsq(t, "", "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, %s", code, errOut)
	}
	if code, out, _ := runLsq(t, "", "-h"); code != 0 || !strings.Contains(out, "validate") {
		t.Errorf("-h: exit %d, %s", code, out)
	}
	for _, cmd := range []string{"ops", "spec"} {
		if code, out, _ := runLsq(t, "", cmd, "-h"); code != 0 || !strings.Contains(out, "Usage: lsq "+cmd) {
			t.Errorf("%s -h: exit %d, %s", cmd, code, out)
		}
	}
}
