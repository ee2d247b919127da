package validate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// createUser is a valid CreateUser body with the given Role members (raw JSON, in order).
func createUser(roles ...string) []byte {
	var b strings.Builder
	b.WriteString(`{"FirstName":"Chris","EmailAddress":"chris@example.com","Password":"Secret#123"`)
	for _, r := range roles {
		b.WriteString(`,"Role":`)
		b.WriteString(r)
	}
	b.WriteString(`}`)
	return []byte(b.String())
}

func failures(t *testing.T, err error) []validate.Failure {
	t.Helper()
	var verr *validate.Error
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v, want a *validate.Error", err)
	}
	return verr.Failures
}

func TestInputRulesHaveTheirOwnFailures(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	if err := v.ValidateRequest("CreateUser", nil, createUser(`"Sales_User"`)); err != nil {
		t.Fatalf("the valid body: %v", err)
	}
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	for _, tc := range []struct {
		name, body string
		ptr        string
		rule       validate.Rule
	}{
		{"duplicate key, valid last", string(createUser(`"NotARole"`, `"Sales_User"`)), "/Role", validate.RuleDuplicateKey},
		{"duplicate key, valid first", string(createUser(`"Sales_User"`, `"NotARole"`)), "/Role", validate.RuleDuplicateKey},
		{"duplicate key, escaped", `{"Role":"Sales_User","R\u006fle":"NotARole"}`, "/Role", validate.RuleDuplicateKey},
		{"duplicate key, nested", `{"FirstName":"C","Tags":[{"a":1,"a":2}]}`, "/Tags/0/a", validate.RuleDuplicateKey},
		{"invalid UTF-8 in a value", "{\"FirstName\":\"Chr\xffis\",\"EmailAddress\":\"c@example.com\"}", "/FirstName", validate.RuleUTF8},
		{"invalid UTF-8 in a key", "{\"First\xc3Name\":\"Chris\"}", "/First\uFFFDName", validate.RuleUTF8},
		{"unpaired surrogate", `{"FirstName":"Chr\ud800is"}`, "/FirstName", validate.RuleUTF8},
		{"lone low surrogate", `{"FirstName":"\udc00"}`, "/FirstName", validate.RuleUTF8},
		{"too deep", deep, "/" + strings.TrimSuffix(strings.Repeat("0/", validate.MaxDepth), "/"), validate.RuleDepth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs := failures(t, v.ValidateRequest("CreateUser", nil, []byte(tc.body)))
			if len(fs) != 1 || fs[0].Pointer != tc.ptr || fs[0].Rule != tc.rule || fs[0].In != validate.InBody {
				t.Fatalf("failures %v, want one %s at %.40q", fs, tc.rule, tc.ptr)
			}
			if tc.rule == validate.RuleDepth && !strings.Contains(fs[0].Message, "depth limit") {
				t.Errorf("message %q does not name the depth limit", fs[0].Message)
			}
			// Responses get the same checks.
			rfs := failures(t, v.ValidateResponse("GetUsers", 200, []byte(`[`+tc.body+`]`)))
			if len(rfs) != 1 || rfs[0].Rule != tc.rule {
				t.Errorf("response failures %v, want one %s", rfs, tc.rule)
			}
		})
	}
	// A surrogate pair is valid; so is the same key in two objects.
	for _, ok := range []string{`{"FirstName":"\ud83d\ude00"}`, `[{"a":1},{"a":1}]`, `{"a":{"a":1}}`} {
		if fs, err := validate.CheckJSON([]byte(ok)); err != nil || len(fs) > 0 {
			t.Errorf("CheckJSON(%s) = %v, %v", ok, fs, err)
		}
	}
}

func TestCheckJSONSyntax(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{``, `{`, `{"a"}`, `{"a":1,}`, `[1,]`, `01`, `1.`, `-`, `"a`, "\"\x01\"", `tru`, `{"a":1} x`, `"\x"`, `"\u12"`, `1e`} {
		if _, err := validate.CheckJSON([]byte(bad)); err == nil {
			t.Errorf("CheckJSON(%q) accepted invalid JSON", bad)
		} else if json.Valid([]byte(bad)) {
			t.Errorf("CheckJSON(%q) rejected valid JSON: %v", bad, err)
		}
	}
	for _, good := range []string{`0`, `-1.5e+3`, ` {"a" : [true, false, null, "x\"\\\/\b\f\n\r\t\u00e9"]} `, `[]`, `{}`} {
		if fs, err := validate.CheckJSON([]byte(good)); err != nil || len(fs) > 0 {
			t.Errorf("CheckJSON(%q) = %v, %v", good, fs, err)
		}
	}
}

func TestSizeLimit(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	if v.MaxBodySize() != validate.DefaultMaxBodySize || validate.DefaultMaxBodySize != 10<<20 {
		t.Fatalf("default limit %d", v.MaxBodySize())
	}
	if _, err := v.WithMaxBodySize(0); err == nil {
		t.Error("WithMaxBodySize(0) succeeded")
	}
	body := createUser(`"Sales_User"`)
	small, err := v.WithMaxBodySize(int64(len(body) - 1))
	if err != nil {
		t.Fatal(err)
	}
	if v.MaxBodySize() != validate.DefaultMaxBodySize {
		t.Error("WithMaxBodySize changed the shared validator")
	}
	fs := failures(t, small.ValidateRequest("CreateUser", nil, body))
	if len(fs) != 1 || fs[0].Rule != validate.RuleSize || !strings.Contains(fs[0].Message, "size limit") {
		t.Errorf("failures %v, want one size failure", fs)
	}
	if fs := failures(t, small.ValidateResponse("GetUsers", 200, []byte(`[`+string(body)+`]`))); fs[0].Rule != validate.RuleSize {
		t.Errorf("response failures %v, want a size failure", fs)
	}
	if err := v.ValidateRequest("CreateUser", nil, body); err != nil {
		t.Errorf("default limit: %v", err)
	}

	// A request body is not read past the limit: an endless body fails, and what was read
	// is put back.
	endless := &countingReader{}
	r, _ := http.NewRequest(http.MethodPost, "/UserManagement.svc/User/Create", endless)
	fs = failures(t, small.ValidateHTTPRequest(r))
	if fs[0].Rule != validate.RuleSize {
		t.Errorf("failures %v", fs)
	}
	if endless.n > int64(len(body))+64<<10 {
		t.Errorf("read %d bytes of an endless body with a limit of %d", endless.n, len(body)-1)
	}
	head := make([]byte, 4)
	if _, err := io.ReadFull(r.Body, head); err != nil || string(head) != "xxxx" {
		t.Errorf("body after the size failure: %q, %v", head, err)
	}

	data, err := validate.ReadLimited(strings.NewReader("12345"), 4)
	if !errors.Is(err, validate.ErrTooLarge) || data != nil {
		t.Errorf("ReadLimited over the limit: %q, %v", data, err)
	}
	if data, err := validate.ReadLimited(strings.NewReader("1234"), 4); err != nil || string(data) != "1234" {
		t.Errorf("ReadLimited at the limit: %q, %v", data, err)
	}
}

type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	c.n += int64(len(p))
	return len(p), nil
}

// A top-level array is validated element by element: the failures are those of the whole
// document, with the element's index in the pointer.
func TestArrayValidatedElementByElement(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	good := map[string]any{"ID": "u1", "FirstName": "A", "EmailAddress": "a@example.com", "Role": "Sales_User", "StatusCode": 0}
	var users []any
	for i := range 5 {
		u := map[string]any{}
		for k, val := range good {
			u[k] = val
		}
		if i == 1 || i == 3 {
			u["Role"] = 7 // a number where a string is due
		}
		users = append(users, u)
	}
	body, _ := json.Marshal(users)
	err := v.ValidateResponse("GetUsers", 200, body)
	var ptrs []string
	for _, f := range failures(t, err) {
		ptrs = append(ptrs, f.Pointer+" "+string(f.Rule))
	}
	if want := []string{"/1/Role type", "/3/Role type"}; !slices.Equal(ptrs, want) {
		t.Errorf("failures %v, want %v", ptrs, want)
	}
	if err := v.ValidateResponse("GetUsers", 200, bytes.ReplaceAll(body, []byte(`7`), []byte(`"Sales_User"`))); err != nil {
		t.Errorf("valid array: %v", err)
	}
	if err := v.ValidateResponse("GetUsers", 200, []byte(`[]`)); err != nil {
		t.Errorf("empty array: %v", err)
	}
}

// FuzzCheckJSON: CheckJSON agrees with encoding/json on what is JSON (within the depth
// limit), and reports invalid UTF-8 exactly when the input has some.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"c"}]}`, `{"a":1,"a":2}`, "\"\xff\"", `"\ud800"`, `[[[]]]`, `-0.5e3`, `{"a" 1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := validate.CheckJSON(b)
		deep := false
		for _, f := range fs {
			deep = deep || f.Rule == validate.RuleDepth
		}
		if deep || len(fs) >= 20 {
			return // the scan stopped early
		}
		if (err == nil) != json.Valid(b) {
			t.Fatalf("CheckJSON error %v, json.Valid %v", err, json.Valid(b))
		}
		if err == nil && !utf8Valid(b) && len(fs) == 0 {
			t.Fatal("invalid UTF-8 accepted")
		}
	})
}

func utf8Valid(b []byte) bool { return strings.ToValidUTF8(string(b), "") == string(b) }
