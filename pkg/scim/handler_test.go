package scim_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest/lsqclient"
	"github.com/leadsquared-go/leadsquared-go/pkg/scim"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	for name, tok := range map[string]string{"none": "", "wrong": "nope", "prefix": testToken[:5], "longer": testToken + "x"} {
		r := b.doToken("GET", "/Users", "", tok).want(t, http.StatusUnauthorized)
		if r.str("status") != "401" || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %s (WWW-Authenticate %q)", name, r.raw, r.header.Get("WWW-Authenticate"))
		}
	}
	req, _ := http.NewRequest("GET", b.srv.URL+"/scim/v2/Users", nil)
	req.SetBasicAuth("admin", testToken)
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("Basic auth with the token: %d, want 401", resp.StatusCode)
	}
	if n := len(b.fake.Requests()); n != 0 {
		t.Errorf("unauthorised requests made %d LeadSquared calls", n)
	}
	b.do("GET", "/Users", "").want(t, 200)
	b.do("GET", "/Groups", "").want(t, 404)
	r := b.doToken("GET", "/../Users", "", testToken)
	if r.status == 200 {
		t.Errorf("a path outside the base path was served")
	}
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	b := setup(t, scim.Mapping{scim.CustomSchema + ":badge": "mx_Badge"})
	r := b.do("GET", "/ServiceProviderConfig", "").want(t, 200)
	if p, _ := r.body["patch"].(map[string]any); p["supported"] != true {
		t.Errorf("patch not supported: %s", r.raw)
	}
	if f, _ := r.body["filter"].(map[string]any); f["supported"] != true {
		t.Errorf("filter not supported: %s", r.raw)
	}
	r = b.do("GET", "/ResourceTypes", "").want(t, 200)
	if !strings.Contains(r.raw, `"endpoint":"/Users"`) || !strings.Contains(r.raw, scim.EnterpriseSchema) || !strings.Contains(r.raw, scim.CustomSchema) {
		t.Errorf("/ResourceTypes: %s", r.raw)
	}
	r = b.do("GET", "/Schemas", "").want(t, 200)
	for _, s := range []string{scim.UserSchema, scim.EnterpriseSchema, scim.CustomSchema, `"badge"`} {
		if !strings.Contains(r.raw, s) {
			t.Errorf("/Schemas lacks %s", s)
		}
	}
	b.do("GET", "/Schemas/"+scim.UserSchema, "").want(t, 200)
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	fake := lsqtest.MustNewServer(t)
	c := lsqclient.New(t, fake)
	good := scim.Config{Client: c, Token: "t", DefaultRole: "Sales_User"}
	for name, mod := range map[string]func(*scim.Config){
		"no client":        func(c *scim.Config) { c.Client = nil },
		"zero client":      func(c *scim.Config) { c.Client = &leadsquared.Client{} },
		"no token":         func(c *scim.Config) { c.Token = "" },
		"no role":          func(c *scim.Config) { c.DefaultRole = "" },
		"bad role":         func(c *scim.Config) { c.DefaultRole = "Boss" },
		"relative base":    func(c *scim.Config) { c.BasePath = "scim" },
		"not mx_":          func(c *scim.Config) { c.Mapping = scim.Mapping{"externalId": "Designation"} },
		"unknown attr":     func(c *scim.Config) { c.Mapping = scim.Mapping{"nickName": "mx_Nick"} },
		"mapped attr":      func(c *scim.Config) { c.Mapping = scim.Mapping{scim.EnterpriseSchema + ":department": "mx_Dept"} },
		"two to one field": func(c *scim.Config) { c.Mapping = scim.Mapping{"externalId": "mx_A", scim.CustomSchema + ":x": "mx_a"} },
	} {
		cfg := good
		mod(&cfg)
		if _, err := scim.New(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := scim.New(good); err != nil {
		t.Errorf("good config: %v", err)
	}
}

func TestReadMapping(t *testing.T) {
	t.Parallel()
	m, err := scim.ReadMapping(strings.NewReader(`{"externalId":"mx_External_Id","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter":"mx_Cost_Center"}`))
	if err != nil || len(m) != 2 {
		t.Fatalf("ReadMapping: %v %v", m, err)
	}
	for _, bad := range []string{`[]`, `{"externalId": 1}`, `{"externalId":"mx_A"`, `{"title":"mx_T"}`} {
		if _, err := scim.ReadMapping(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestMappedAttributes: externalId and an enterprise attribute LeadSquared lacks go to mx_
// fields, are read back, and externalId can be filtered on.
func TestMappedAttributes(t *testing.T) {
	t.Parallel()
	b := setup(t, scim.Mapping{"externalId": "mx_External_Id", scim.EnterpriseSchema + ":costCenter": "mx_Cost_Center"})
	r := b.do("POST", "/Users", `{"schemas":["`+scim.UserSchema+`"],"userName":"ann@example.com","externalId":"ext-1",
	  "name":{"givenName":"Ann"},"nickName":"annie",
	  "`+scim.EnterpriseSchema+`":{"costCenter":"CC-7"}}`).want(t, 201)
	id := r.str("id")
	lu, _ := b.fake.User(id)
	if lu.Attributes["mx_External_Id"] != "ext-1" || lu.Attributes["mx_Cost_Center"] != "CC-7" {
		t.Fatalf("custom fields: %v", lu.Attributes)
	}
	if r.str("externalId") != "ext-1" {
		t.Errorf("externalId in the answer: %s", r.raw)
	}
	r = b.do("GET", filterQuery(`externalId eq "ext-1"`), "").want(t, 200)
	if r.body["totalResults"] != float64(1) {
		t.Errorf("externalId filter: %s", r.raw)
	}
	if !strings.Contains(b.audit.String(), `nickName`) {
		t.Errorf("the audit log does not name the ignored nickName: %s", b.audit.String())
	}
	b.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"`+scim.EnterpriseSchema+`:costCenter"}]}`).want(t, 200)
	if lu, _ = b.fake.User(id); lu.Attributes["mx_Cost_Center"] != "" {
		t.Errorf("after remove: %v", lu.Attributes)
	}
}

// TestAccess: the keys' owner is never deactivated; look-alike addresses and addresses
// with invisible characters are refused; an inactive user's address is taken.
func TestAccess(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	deact := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
	b.do("PATCH", "/Users/"+b.fake.OwnerID, deact).want(t, http.StatusForbidden)
	r := b.do("DELETE", "/Users/"+b.fake.OwnerID, "")
	if r.status != http.StatusForbidden {
		t.Errorf("DELETE of the owner: %d %s", r.status, r.raw)
	}
	if u, _ := b.fake.User(b.fake.OwnerID); u.Status != lsqtest.UserActive {
		t.Fatalf("the owner was deactivated")
	}
	if n := b.fake.Count("DeactivateUser"); n != 0 {
		t.Errorf("%d DeactivateUser calls", n)
	}

	if _, err := b.fake.AddUser(lsqtest.User{FirstName: "José", EmailAddress: "jose@example.com", Role: "Sales_User", Status: lsqtest.UserInactive}); err != nil {
		t.Fatal(err)
	}
	for name, addr := range map[string]string{
		"same, other case": "JOSE@example.com",
		"full-width":       "ｊｏｓｅ@example.com",
	} {
		r := b.do("POST", "/Users", `{"schemas":["`+scim.UserSchema+`"],"userName":"`+addr+`","name":{"givenName":"J"}}`).want(t, http.StatusConflict)
		if r.str("scimType") != "uniqueness" || !strings.Contains(r.str("detail"), "inactive") {
			t.Errorf("%s: %s", name, r.raw)
		}
	}
	r = b.do("POST", "/Users", `{"schemas":["`+scim.UserSchema+`"],"userName":"jo\u200bse@example.com","name":{"givenName":"J"}}`).want(t, http.StatusBadRequest)
	if r.str("scimType") != "invalidValue" {
		t.Errorf("invisible character: %s", r.raw)
	}
	if n := b.fake.Count("CreateUser"); n != 0 {
		t.Errorf("%d CreateUser calls for refused addresses", n)
	}
	b.do("GET", "/Users/no-such-id", "").want(t, 404)
	b.fake.ResetLog()
	if r := b.do("GET", filterQuery(`externalId eq "abc"`), "").want(t, 200); r.body["totalResults"] != float64(0) {
		t.Errorf("externalId without a mapping: %s", r.raw)
	}
	if n := len(b.fake.Requests()); n != 0 {
		t.Errorf("externalId without a mapping made %d calls", n)
	}
	b.do("GET", filterQuery(`userName eq`), "").want(t, 400)
	r = b.do("POST", "/Users", `{"schemas":["`+scim.UserSchema+`"],"userName":"x@example.com"}`).want(t, 400)
	if !strings.Contains(r.str("detail"), "givenName") {
		t.Errorf("no first name: %s", r.raw)
	}
	r = b.do("POST", "/Users", `{"schemas":["`+scim.UserSchema+`"],"userName":"x@example.com","name":{"givenName":"X"},"emails":[{"type":"work","value":"y@example.com"}]}`).want(t, 400)
	if r.str("scimType") != "invalidValue" {
		t.Errorf("userName and email differ: %s", r.raw)
	}
}

// failingWriter is an audit log that cannot be written.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestNoAuditNoChange: when the audit line cannot be written, the change is not sent.
func TestNoAuditNoChange(t *testing.T) {
	t.Parallel()
	fake := lsqtest.MustNewServer(t)
	u, err := fake.AddUser(lsqtest.User{FirstName: "A", EmailAddress: "a@example.com", Role: "Sales_User"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := scim.New(scim.Config{Client: lsqclient.New(t, fake), Token: testToken, DefaultRole: "Sales_User", Audit: failingWriter{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	b := &bridge{t: t, fake: fake, srv: srv}
	b.do("POST", "/Users", newUser("new@example.com")).want(t, http.StatusInternalServerError)
	b.do("DELETE", "/Users/"+u.ID, "").want(t, http.StatusInternalServerError)
	b.do("GET", "/Users/"+u.ID, "").want(t, http.StatusOK)
	for _, op := range []string{"CreateUser", "DeactivateUser"} {
		if n := fake.Count(api.OperationID(op)); n != 0 {
			t.Errorf("%d %s calls without an audit line", n, op)
		}
	}
}
