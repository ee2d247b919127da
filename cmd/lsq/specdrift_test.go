package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/speakeasy-api/openapi/overlay/loader"
	yaml3 "gopkg.in/yaml.v3"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/spec"
)

var reportLineRE = regexp.MustCompile(`(?m)^# (\S+) (\S+): ([a-z-]+), `)

// reported is the "operation pointer kind" of every report line of lsq spec drift's output.
func reported(out string) []string {
	var got []string
	for _, m := range reportLineRE.FindAllStringSubmatch(out, -1) {
		got = append(got, m[1]+" "+m[2]+" "+m[3])
	}
	sort.Strings(got)
	return got
}

func injected(ds []lsqtest.InjectedDrift) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s %s %s", d.Operation, d.Pointer, d.Kind))
	}
	sort.Strings(out)
	return out
}

// applyOutput applies the overlay lsq spec drift printed to the embedded spec, and loads and
// validates the result.
func applyOutput(t *testing.T, out string) *openapi3.T {
	t.Helper()
	o, err := loader.LoadOverlayFromReader(strings.NewReader(out))
	if err != nil {
		t.Fatalf("the output is not an overlay: %v\n%s", err, out)
	}
	if err := o.Validate(); err != nil {
		t.Fatalf("invalid overlay: %v\n%s", err, out)
	}
	var root yaml3.Node
	if err := yaml3.Unmarshal(spec.OpenAPI, &root); err != nil {
		t.Fatal(err)
	}
	if warnings, err := o.ApplyToStrict(&root); err != nil {
		t.Fatalf("applying the overlay: %v %v\n%s", err, warnings, out)
	}
	b, err := yaml3.Marshal(&root)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("the spec with the overlay does not validate: %v", err)
	}
	return doc
}

// liveCalls are the operations lsq spec drift --live may call: all read-only.
var liveCalls = map[api.OperationID]bool{
	"AuthenticateUser": true, "GetUsers": true, "GetUserByID": true, "GetUserByEmail": true, "GetUserTags": true,
	"GetUserHierarchy": true, "AdvancedSearchUsers": true, "GetPermissionTemplates": true, "GetCheckInStatus": true,
	"GetUserWorkDayDetails": true,
}

func TestSpecDriftLive(t *testing.T) { // not parallel: it sets the keys' environment variables
	for _, drift := range []bool{false, true} {
		t.Run(fmt.Sprintf("drift=%v", drift), func(t *testing.T) {
			opts := []lsqtest.Option{lsqtest.WithKeys("a$b/c+d%e", "s3cr$t/+%x")}
			if drift {
				opts = append(opts, lsqtest.WithDrift(lsqtest.AllDrift))
			}
			srv := lsqtest.MustNewServer(t, opts...)
			t.Setenv("LSQ_ACCESS_KEY", srv.AccessKey)
			t.Setenv("LSQ_SECRET_KEY", srv.SecretKey)
			t.Setenv("LSQ_HOST", srv.URL)
			code, out, errOut := runLsq(t, "", "spec", "drift", "--live")
			for _, k := range []string{srv.AccessKey, srv.SecretKey} {
				if strings.Contains(out+errOut, k) {
					t.Fatal("output shows a key")
				}
			}
			if strings.Contains(errOut, "skipped") {
				t.Errorf("calls skipped on the fake:\n%s", errOut)
			}
			calls := 0
			for _, r := range srv.Requests() {
				if !liveCalls[r.OperationID] {
					t.Errorf("--live called %s %s, not a read-only operation of its list", r.Method, r.OperationID)
				}
				calls++
			}
			if calls != len(liveCalls) {
				t.Errorf("%d calls, want %d", calls, len(liveCalls))
			}
			if !drift {
				if code != 0 || out != "# lsq spec drift: no drift: 10 replies match the spec\n" {
					t.Errorf("undrifted fake: exit %d\n%s", code, out)
				}
				return
			}
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			got, want := reported(out), injected(srv.Drifted())
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("reported\n  %s\nwant (injected)\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
			doc := applyOutput(t, out)
			if p := doc.Components.Schemas["User"].Value.Properties[lsqtest.DriftAttribute]; p == nil || !p.Value.Type.Is("integer") {
				t.Errorf("the overlay does not add User.%s", lsqtest.DriftAttribute)
			}
			if e := doc.Components.Schemas["User"].Value.Properties["UserType"].Value.Enum; fmt.Sprint(e) != "[0 1 7]" {
				t.Errorf("User.UserType enum %v, want 7 added", e)
			}
			t.Logf("lsq spec drift --live on the drifting fake:\n%s", out)
		})
	}
}

// TestSpecDriftRecorded reads drifted replies from a folder and from a HAR file: the same
// report, the missing required attribute among it, and an overlay that applies.
func TestSpecDriftRecorded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var want []string
	type entry struct {
		op   api.OperationID
		body []byte
	}
	var entries []entry
	for i, op := range []api.OperationID{api.OpActivateUser, api.OpGetUsers, api.OpGetUserByEmail} {
		sample, err := os.ReadFile(filepath.Join("..", "..", "spec", "testdata", "docs", string(op)+".response.200.json"))
		if err != nil {
			t.Fatal(err)
		}
		drifted, inj, err := lsqtest.AllDrift.Apply(op, sample)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, injected(inj)...)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s.%d.json", op, i)), drifted, 0o600); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, entry{op, drifted})
	}
	// A field known only as null (x-lsq-type-unknown) comes as an object: an undeclared type.
	tagReply := []byte(`[{"ID":"x","Tag":{"Name":"VIP"}}]`)
	if err := os.WriteFile(filepath.Join(dir, "GetUsers.9.json"), tagReply, 0o600); err != nil {
		t.Fatal(err)
	}
	entries = append(entries, entry{api.OpGetUsers, tagReply})
	want = append(want, "GetUsers /*/Tag type")
	sort.Strings(want)
	code, out, errOut := runLsq(t, "", "spec", "drift", dir)
	if code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if got := reported(out); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reported\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if !strings.Contains(out, "# ActivateUser /Status: missing-required, 1 values in 1 replies") {
		t.Errorf("no missing Status:\n%s", out)
	}
	if !strings.Contains(out, "# GetUsers /*/Tag: type, 1 values in 1 replies, seen as object×1, spec: string\n") {
		t.Errorf("no undeclared type drift of Tag:\n%s", out)
	}
	doc := applyOutput(t, out)
	if r := doc.Components.Schemas["SuccessStatus"].Value.Required; len(r) != 0 {
		t.Errorf("SuccessStatus still requires %v", r)
	}
	if tag := doc.Components.Schemas["UserListItem"].Value.Properties["Tag"].Value; !tag.Type.Is("object") || tag.Extensions["x-lsq-type-unknown"] != nil || !tag.Nullable {
		t.Errorf("Tag after the overlay: type %v, x-lsq-type-unknown %v, nullable %v; want object, gone, true", tag.Type, tag.Extensions["x-lsq-type-unknown"], tag.Nullable)
	}

	// The same replies in a HAR file, the bodies of two base64-encoded, beside a 404 and a
	// request to another host's route, which are not read.
	var h har
	for i, e := range entries {
		var x harEntry
		o, _ := recordedRoutes()[e.op]
		x.Request.Method, x.Request.URL = o[0], "https://api-in21.leadsquared.com/v2"+o[1]+"?accessKey=u%24r0a1b2c3d4e5f6a7b8c9d"
		x.Response.Status, x.Response.Content.Text = 200, string(e.body)
		if i > 0 {
			x.Response.Content.Text, x.Response.Content.Encoding = base64.StdEncoding.EncodeToString(e.body), "base64"
		}
		h.Log.Entries = append(h.Log.Entries, x)
	}
	notFound := h.Log.Entries[0]
	notFound.Response.Status = 404
	h.Log.Entries = append(h.Log.Entries, notFound)
	b, _ := json.Marshal(h)
	harPath := filepath.Join(t.TempDir(), "session.har")
	if err := os.WriteFile(harPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, harOut, errOut := runLsq(t, "", "spec", "drift", "--overlay", filepath.Join(t.TempDir(), "o.yaml"), harPath)
	if code != 1 || harOut != out {
		t.Errorf("HAR: exit %d, output differs from the folder's:\n%s\n%s", code, harOut, errOut)
	}
}

// recordedRoutes maps an operation to its method and path.
func recordedRoutes() map[api.OperationID][2]string {
	return map[api.OperationID][2]string{
		api.OpActivateUser:   {"GET", "/UserManagement.svc/User/Activate"},
		api.OpGetUsers:       {"GET", "/UserManagement.svc/Users.Get"},
		api.OpGetUserByEmail: {"GET", "/UserManagement.svc/User/Retrieve/ByEmailAddress"},
	}
}

func TestSpecDriftUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "NotAnOperation.json"), []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"spec", "drift"},
		{"spec", "drift", "--live", dir},
		{"spec", "drift", dir},
		{"spec", "drift", filepath.Join(dir, "missing.har")},
	} {
		if code, _, errOut := runLsq(t, "", args...); code != 2 || !strings.Contains(errOut, "lsq spec drift:") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestParseDrift(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]lsqtest.Drift{
		"all":          lsqtest.AllDrift,
		"extra":        {ExtraAttributes: true},
		"types, enums": {OtherTypes: true, NewEnumValues: true},
		"missing":      {MissingAttributes: true},
	} {
		if got, err := parseDrift(in); err != nil || got != want {
			t.Errorf("parseDrift(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	if _, err := parseDrift("extra,nope"); err == nil {
		t.Error(`parseDrift("extra,nope"): no error`)
	}
	if code, _, errOut := runLsq(t, "", "fake", "--drift", "nope"); code != 2 || !strings.Contains(errOut, "--drift") {
		t.Errorf("lsq fake --drift nope: exit %d, %q", code, errOut)
	}
}

// driftedHAR writes a HAR file of one drifted GetUsers reply (an unknown attribute among
// other drift) into dir, and returns its name.
func driftedHAR(t *testing.T, dir string) string {
	t.Helper()
	sample, err := os.ReadFile(filepath.Join("..", "..", "spec", "testdata", "docs", "GetUsers.response.200.json"))
	if err != nil {
		t.Fatal(err)
	}
	drifted, _, err := lsqtest.AllDrift.Apply(api.OpGetUsers, sample)
	if err != nil {
		t.Fatal(err)
	}
	var h har
	var x harEntry
	x.Request.Method, x.Request.URL = "GET", "https://api-in21.leadsquared.com/v2/UserManagement.svc/Users.Get"
	x.Response.Status, x.Response.Content.Text = 200, string(drifted)
	h.Log.Entries = append(h.Log.Entries, x)
	b, _ := json.Marshal(h)
	p := filepath.Join(dir, "session.har")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// --overlay writes only a new file: never over a file that is there, the input HAR among
// them, and never through a symlink, dangling or not.
func TestSpecDriftOverlayNeverOverwrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	harPath := driftedHAR(t, dir)
	harBefore, _ := os.ReadFile(harPath)

	// A new name: written, the same as stdout.
	fresh := filepath.Join(dir, "drift.overlay.yaml")
	code, out, errOut := runLsq(t, "", "spec", "drift", "--overlay", fresh, harPath)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (drift)\n%s", code, errOut)
	}
	if b, err := os.ReadFile(fresh); err != nil || string(b) != out {
		t.Fatalf("overlay file %q, %v; want stdout", b, err)
	}

	edited := filepath.Join(dir, "edited.yaml")
	target := filepath.Join(dir, "target.yaml")
	for _, p := range []string{edited, target} {
		if err := os.WriteFile(p, []byte("mine\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "link.yaml")
	dangling := filepath.Join(dir, "dangling.yaml")
	toHAR := filepath.Join(dir, "har-link.yaml")
	for from, to := range map[string]string{link: target, dangling: filepath.Join(dir, "created-through-link.yaml"), toHAR: harPath} {
		if err := os.Symlink(to, from); err != nil {
			t.Skipf("no symlinks here: %v", err)
		}
	}
	for name, tc := range map[string]struct{ path, say string }{
		"an existing file":       {edited, "is there already"},
		"the overlay just made":  {fresh, "is there already"},
		"the input HAR":          {harPath, "is the input file"},
		"the input HAR relative": {filepath.Join(dir, ".", "session.har"), "is the input file"},
		"a symlink to the HAR":   {toHAR, "is the input file"},
		"a symlink to a file":    {link, "is there already"},
		"a dangling symlink":     {dangling, "is there already"},
	} {
		code, _, errOut := runLsq(t, "", "spec", "drift", "--overlay", tc.path, harPath)
		if code != 2 || !strings.Contains(errOut, tc.say) {
			t.Errorf("%s: exit %d, stderr %q; want 2 saying %q", name, code, errOut, tc.say)
		}
	}
	if b, _ := os.ReadFile(harPath); string(b) != string(harBefore) {
		t.Error("the input HAR was changed")
	}
	for _, p := range []string{edited, target} {
		if b, _ := os.ReadFile(p); string(b) != "mine\n" {
			t.Errorf("%s was changed: %q", p, b)
		}
	}
	if b, _ := os.ReadFile(fresh); string(b) != out {
		t.Error("the overlay written first was changed")
	}
	if _, err := os.Lstat(filepath.Join(dir, "created-through-link.yaml")); err == nil {
		t.Error("a file was created through the dangling symlink")
	}
	// Nothing is left behind: no partial files.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "partial") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// The keys a HAR's requests carry, in the query or in x-LSQ-* headers, are in nothing lsq
// spec drift prints or writes, also where a reply echoes them: as an attribute's name (which
// the report and the overlay show), as a value, escaped as JSON writes them.
func TestSpecDriftHARKeysScrubbed(t *testing.T) {
	t.Parallel()
	const (
		queryAccess  = "u$r/a+b%c"
		querySecret  = "a$b/c+d%e"
		headerAccess = "h$k/1+2%3"
		headerSecret = "s$h/x+y%z"
	)
	keys := []string{queryAccess, querySecret, headerAccess, headerSecret}
	reply := func(role, attr, other string) string {
		r, _ := json.Marshal(role)
		a, _ := json.Marshal(attr)
		return `[{"ID":"1","FirstName":"Bob","LastName":"Doe","EmailAddress":"bob@example.com","Role":` + string(r) +
			`,"StatusCode":0,"Tag":null,"IsPhoneCallAgent":false,` + string(a) + `:1,"Note":"` + other + `"}]`
	}
	type nv = map[string]string
	entry := func(url string, query, headers []nv, body string) map[string]any {
		return map[string]any{
			"request":  map[string]any{"method": "GET", "url": url, "queryString": query, "headers": headers},
			"response": map[string]any{"status": 200, "content": map[string]any{"mimeType": "application/json", "text": body}},
		}
	}
	const route = "https://api-in21.leadsquared.com/v2/UserManagement.svc/Users.Get"
	h := map[string]any{"log": map[string]any{"entries": []any{
		entry(route+"?accessKey="+url.QueryEscape(queryAccess)+"&SECRETKEY="+strings.ToLower(url.QueryEscape(querySecret)),
			[]nv{{"name": "accessKey", "value": url.QueryEscape(queryAccess)}, {"name": "secretKey", "value": querySecret}}, nil,
			reply(queryAccess, querySecret, strings.ReplaceAll(querySecret, "/", `\/`))),
		entry(route, nil, []nv{{"name": "x-lsq-accesskey", "value": headerAccess}, {"name": "X-LSQ-SecretKey", "value": headerSecret}},
			reply(headerSecret, headerAccess, `\u0068$k\/1+2%3`)),
	}}}
	b, _ := json.Marshal(h)
	dir := t.TempDir()
	harPath := filepath.Join(dir, "keys.har")
	if err := os.WriteFile(harPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	overlayPath := filepath.Join(dir, "drift.overlay.yaml")
	code, out, errOut := runLsq(t, "", "spec", "drift", "--overlay", overlayPath, harPath)
	written, err := os.ReadFile(overlayPath)
	if err != nil {
		t.Fatal(err)
	}
	var forms []string
	for _, k := range keys {
		b, _ := json.Marshal(k)
		forms = append(forms, k, url.QueryEscape(k), url.PathEscape(k), strings.ToLower(url.QueryEscape(k)),
			string(b[1:len(b)-1]), strings.ReplaceAll(k, "/", `\/`), strings.ReplaceAll(k, "/", "~1"), k[1:len(k)-1])
	}
	mask := func(s string) string {
		for _, f := range forms {
			s = strings.ReplaceAll(s, f, "<KEY>")
		}
		return s
	}
	for name, text := range map[string]string{"stdout": out, "stderr": errOut, "the overlay": string(written)} {
		if m := mask(text); m != text {
			t.Errorf("%s shows a key:\n%s", name, m)
		}
	}
	if code != 1 || !strings.Contains(out, "\n# GetUsers /*/REDACTED: unknown-attribute, 2 values in 2 replies") {
		t.Errorf("exit %d, want 1 and the attributes named by keys reported as REDACTED:\n%s\n%s", code, mask(out), mask(errOut))
	}
	if string(written) != out {
		t.Error("the overlay file differs from stdout")
	}
}
