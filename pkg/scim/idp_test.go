package scim_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/scim"
)

func filterQuery(f string) string { return "/Users?filter=" + url.QueryEscape(f) }

// TestEntraSequence replays what the Microsoft Entra provisioning service sends for one
// user (Microsoft's "Develop and plan provisioning for a SCIM endpoint in Microsoft Entra
// ID", request/response samples): the connection test's query for a user that does not
// exist, the query before a create, the create, a read, the attribute updates (Replace
// with paths, the manager of the enterprise extension), the soft delete (active false,
// the value as the string "False" too), the re-assignment (active true), and DELETE.
func TestEntraSequence(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	manager, err := b.fake.AddUser(lsqtest.User{FirstName: "Mona", LastName: "Boss", EmailAddress: "mona@contoso.example", Role: "Sales_Manager"})
	if err != nil {
		t.Fatal(err)
	}

	// Test connection: a random userName must give an empty ListResponse.
	r := b.do("GET", filterQuery(`userName eq "non-existent user"`), "").want(t, 200)
	if r.body["totalResults"] != float64(0) || r.str("schemas") != "" && false {
		t.Fatalf("totalResults %v, want 0", r.body["totalResults"])
	}
	if s, _ := r.body["schemas"].([]any); len(s) != 1 || s[0] != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
		t.Errorf("schemas %v, want the ListResponse schema", r.body["schemas"])
	}
	// Microsoft's sample answers "Resources": [], not null (which RFC 7643 section 2.5 makes
	// equivalent, but a client that reads the list as an array need not accept).
	if res, ok := r.body["Resources"].([]any); !ok || len(res) != 0 {
		t.Errorf("Resources %v (%s), want []", r.body["Resources"], r.raw)
	}

	// Matching before the create: by userName, then by the work email.
	b.do("GET", filterQuery(`userName eq "Test_User@contoso.example"`), "").want(t, 200)
	r = b.do("GET", filterQuery(`emails[type eq "work"].value eq "Test_User@contoso.example"`), "").want(t, 200)
	if r.body["totalResults"] != float64(0) {
		t.Fatalf("totalResults %v before the create, want 0", r.body["totalResults"])
	}

	create := `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	  "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
	  "userName": "Test_User@contoso.example",
	  "active": true,
	  "emails": [{"primary": true, "type": "work", "value": "Test_User@contoso.example"}],
	  "meta": {"resourceType": "User"},
	  "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
	  "title": "Engineer",
	  "phoneNumbers": [{"type": "work", "value": "+1-555-0100"}, {"type": "mobile", "value": "+1-555-0101"}],
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D", "employeeNumber": "E-42"},
	  "roles": []
	}`
	r = b.do("POST", "/Users", create).want(t, http.StatusCreated)
	id := r.str("id")
	lu, ok := b.userByEmail("Test_User@contoso.example")
	if !ok || lu.ID != id {
		t.Fatalf("created id %q; the fake holds %+v (found %v)", id, lu, ok)
	}
	if lu.FirstName != "givenName" || lu.LastName != "familyName" || lu.Role != "Sales_User" || lu.PhoneMobile != "+1-555-0101" ||
		lu.Attributes["Designation"] != "Engineer" || lu.Attributes["Department"] != "R&D" {
		t.Errorf("LeadSquared user after the create: %+v", lu)
	}
	if got := b.fake.Count("CreateUser"); got != 1 {
		t.Errorf("%d CreateUser calls, want 1", got)
	}
	if !strings.HasSuffix(r.header.Get("Location"), "Users/"+id) {
		t.Errorf("Location %q does not name the user", r.header.Get("Location"))
	}

	// The query after the create finds the user, by either filter, and with "and".
	for _, f := range []string{
		`userName eq "test_user@contoso.example"`,
		`emails[type eq "work"].value eq "Test_User@contoso.example"`,
		`userName eq "Test_User@contoso.example" and active eq true`,
	} {
		r = b.do("GET", filterQuery(f), "").want(t, 200)
		res, _ := r.body["Resources"].([]any)
		if r.body["totalResults"] != float64(1) || len(res) != 1 || res[0].(map[string]any)["id"] != id {
			t.Errorf("%s: %s", f, r.raw)
		}
	}
	// A filter naming an address costs one search when the user exists.
	b.fake.ResetLog()
	b.do("GET", filterQuery(`emails[type eq "work"].value eq "Test_User@contoso.example"`), "").want(t, 200)
	if n := len(b.fake.Requests()); n != 1 {
		t.Errorf("the work-email filter made %d LeadSquared calls, want 1", n)
	}
	r = b.do("GET", "/Users/"+id, "").want(t, 200)
	if r.str("userName") != "Test_User@contoso.example" || r.body["active"] != true || r.str("title") != "Engineer" {
		t.Errorf("GET /Users/%s: %s", id, r.raw)
	}
	ent, _ := r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
	if ent["department"] != "R&D" {
		t.Errorf("enterprise extension %v, want department R&D", ent)
	}

	// Attribute updates as Entra sends them: "Replace" capitalised, with paths.
	patch := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
	  {"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
	  {"op":"Replace","path":"phoneNumbers[type eq \"work\"].value","value":"+1-555-0199"},
	  {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"%s"}]}`, manager.ID)
	r = b.do("PATCH", "/Users/"+id, patch).want(t, 200)
	lu, _ = b.fake.User(id)
	if lu.LastName != "updatedFamilyName" || lu.Attributes["PhoneMain"] != "+1-555-0199" {
		t.Errorf("after the PATCH: %+v", lu)
	}
	if got := b.fake.Count("BulkUpdateUserManagers"); got != 1 {
		t.Errorf("%d manager updates, want 1", got)
	}

	// An address change cannot be carried: refused, nothing changed.
	r = b.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"userName","value":"other@contoso.example"}]}`).want(t, 400)
	if r.str("scimType") != "mutability" {
		t.Errorf("scimType %q, want mutability", r.str("scimType"))
	}

	// Soft delete, as a boolean and as Entra's string "False".
	for _, v := range []string{`false`, `"False"`} {
		b.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":`+v+`}]}`).want(t, 200)
		if lu, _ = b.fake.User(id); lu.Status != lsqtest.UserInactive {
			t.Fatalf("after active %s: status %s, want Inactive", v, lu.Status)
		}
		r = b.do("GET", "/Users/"+id, "").want(t, 200)
		if r.body["active"] != false {
			t.Errorf("GET after deactivation: active %v", r.body["active"])
		}
		b.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":true}]}`).want(t, 200)
		if lu, _ = b.fake.User(id); lu.Status != lsqtest.UserActive {
			t.Fatalf("after active true: status %s, want Active", lu.Status)
		}
	}

	// A create for the address that exists is a conflict, not a second user.
	r = b.do("POST", "/Users", create).want(t, http.StatusConflict)
	if r.str("scimType") != "uniqueness" {
		t.Errorf("scimType %q, want uniqueness", r.str("scimType"))
	}

	// Hard delete: LeadSquared keeps the user, deactivated.
	r = b.do("DELETE", "/Users/"+id, "")
	if r.status != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", r.status, r.raw)
	}
	if lu, _ = b.fake.User(id); lu.Status != lsqtest.UserInactive {
		t.Errorf("after DELETE: status %s, want Inactive", lu.Status)
	}
	if got := b.fake.Count("CreateUser"); got != 0 {
		t.Errorf("%d CreateUser calls after the first, want 0", got)
	}
	n := 0
	for _, u := range b.fake.Users() {
		if strings.EqualFold(u.EmailAddress, "Test_User@contoso.example") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d users with the address, want 1", n)
	}
}

// TestOktaSequence replays what Okta sends (Okta's "SCIM 2.0" guide): the userName query
// with startIndex and count before a create, the create (with a password, which is not
// stored), a read, a full PUT of the profile, deactivation and re-activation by a
// path-less PATCH ({"op":"replace","value":{"active":false}}), and the paged import of
// all users.
func TestOktaSequence(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	r := b.do("GET", filterQuery(`userName eq "test.user@okta.local"`)+"&startIndex=1&count=100", "").want(t, 200)
	if r.body["totalResults"] != float64(0) {
		t.Fatalf("totalResults %v, want 0", r.body["totalResults"])
	}
	create := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local",
	  "name":{"givenName":"Test","familyName":"User"},
	  "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
	  "displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],
	  "password":"1mz050nq","active":true}`
	r = b.do("POST", "/Users", create).want(t, http.StatusCreated)
	id := r.str("id")
	if id == "" || r.str("userName") != "test.user@okta.local" || r.body["active"] != true {
		t.Fatalf("create answer: %s", r.raw)
	}
	if strings.Contains(b.audit.String(), "1mz050nq") {
		t.Error("the audit log holds the password")
	}
	b.do("GET", "/Users/"+id, "").want(t, 200)

	put := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"` + id + `","userName":"test.user@okta.local",
	  "name":{"givenName":"Another","familyName":"Name"},
	  "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
	  "title":"Lead","active":true}`
	r = b.do("PUT", "/Users/"+id, put).want(t, 200)
	lu, _ := b.fake.User(id)
	if lu.FirstName != "Another" || lu.LastName != "Name" || lu.Attributes["Designation"] != "Lead" {
		t.Errorf("after PUT: %+v", lu)
	}
	if name, _ := r.body["name"].(map[string]any); name["givenName"] != "Another" {
		t.Errorf("PUT answer: %s", r.raw)
	}

	for _, tc := range []struct {
		op     string
		active bool
		want   lsqtest.UserStatus
	}{{"replace", false, lsqtest.UserInactive}, {"replace", true, lsqtest.UserActive}, {"REPLACE", false, lsqtest.UserInactive}} {
		body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":%q,"value":{"active":%t}}]}`, tc.op, tc.active)
		r = b.do("PATCH", "/Users/"+id, body).want(t, 200)
		if lu, _ = b.fake.User(id); lu.Status != tc.want {
			t.Fatalf("op %s active %t: status %s, want %s", tc.op, tc.active, lu.Status, tc.want)
		}
		if r.body["active"] != tc.active {
			t.Errorf("op %s active %t: answer says active %v", tc.op, tc.active, r.body["active"])
		}
	}

	// Import: every user, paged (the keys' owner and the one created).
	r = b.do("GET", "/Users?startIndex=1&count=1", "").want(t, 200)
	res, _ := r.body["Resources"].([]any)
	if r.body["totalResults"] != float64(2) || len(res) != 1 || r.body["itemsPerPage"] != float64(1) || r.body["startIndex"] != float64(1) {
		t.Errorf("page 1: %s", r.raw)
	}
	r = b.do("GET", "/Users?startIndex=2&count=1", "").want(t, 200)
	res2, _ := r.body["Resources"].([]any)
	if len(res2) != 1 || res2[0].(map[string]any)["id"] == res[0].(map[string]any)["id"] {
		t.Errorf("page 2 repeats page 1 or is empty: %s", r.raw)
	}
	if got := b.fake.Count("CreateUser"); got != 1 {
		t.Errorf("%d CreateUser calls, want 1", got)
	}
}

// TestUndeclaredAttributesRefused: an attribute the handler does not declare is refused with
// a SCIM error that names it, never dropped while the IdP is told it was stored. Entra ID
// sends custom attributes in an extension of the admin's choosing, as in this create (the
// body of https://learn.microsoft.com/en-us/answers/questions/1684621/entra-id-patch-sending-add-instead-of-replace);
// mapped through CustomSchema they are stored.
func TestUndeclaredAttributesRefused(t *testing.T) {
	t.Parallel()
	b := setup(t, scim.Mapping{scim.CustomSchema + ":worksiteId": "mx_Worksite"})
	create := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
"userName":"joe@testaccount.example","active":true,
"emails":[{"primary":true,"type":"work","value":"joe@testaccount.example"}],
"meta":{"resourceType":"User"},
"name":{"familyName":"TestLastName1","givenName":"joe"},
"title":"scim tester","urn:ietf:params:scim:schemas:extension:custom:2.0:User":{"employeeNumber":"99887766","worksiteId":"180"}}`
	r := b.do("POST", "/Users", create).want(t, http.StatusBadRequest)
	if r.str("scimType") != "invalidValue" || !strings.Contains(r.str("detail"), "urn:ietf:params:scim:schemas:extension:custom:2.0:User") ||
		!strings.Contains(r.str("detail"), "worksiteId") || !strings.Contains(r.str("detail"), scim.CustomSchema) {
		t.Errorf("create with an undeclared extension: %s", r.raw)
	}
	if n := b.fake.Count("CreateUser"); n != 0 {
		t.Errorf("%d CreateUser calls for a refused create", n)
	}
	// The same attribute in the extension the mapping declares is stored.
	r = b.do("POST", "/Users", strings.Replace(create, `"urn:ietf:params:scim:schemas:extension:custom:2.0:User":{"employeeNumber":"99887766",`,
		`"`+scim.CustomSchema+`":{`, 1)).want(t, http.StatusCreated)
	u, _ := b.fake.User(r.str("id"))
	if u.Attributes["mx_Worksite"] != "180" {
		t.Errorf("mapped worksiteId: %+v", u)
	}
	id := r.str("id")

	for name, tc := range map[string]struct{ method, body, want string }{
		"unknown core attribute in a PUT":             {"PUT", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"joe@testaccount.example","name":{"givenName":"joe"},"worksiteId":"181"}`, `"worksiteId"`},
		"URN key of a path-less PATCH value":          {"PATCH", patchOps + `[{"op":"Replace","value":{"urn:ietf:params:scim:schemas:extension:custom:2.0:User:worksiteId":"181"}}]}`, "urn:ietf:params:scim:schemas:extension:custom:2.0:User"},
		"extension object of a path-less PATCH value": {"PATCH", patchOps + `[{"op":"Replace","value":{"urn:ietf:params:scim:schemas:extension:custom:2.0:User":{"worksiteId":"181"}}}]}`, "urn:ietf:params:scim:schemas:extension:custom:2.0:User"},
		"path of an undeclared extension":             {"PATCH", patchOps + `[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:custom:2.0:User:worksiteId","value":"181"}]}`, "urn:ietf:params:scim:schemas:extension:custom:2.0:User"},
	} {
		r := b.do(tc.method, "/Users/"+id, tc.body)
		if r.status != http.StatusBadRequest || !strings.Contains(r.str("detail"), tc.want) {
			t.Errorf("%s: %d %s, want 400 naming %s", name, r.status, r.raw, tc.want)
		}
	}
	if u, _ := b.fake.User(id); u.Attributes["mx_Worksite"] != "180" {
		t.Errorf("refused writes changed mx_Worksite: %+v", u)
	}
}

// TestEntraValidatorSequence replays requests of Microsoft's SCIM validator
// (scimvalidator.microsoft.com) as users posted them: the create and the raw filter query
// (quotes unescaped, spaces as +) of "PATCH /Users/Id - Patch User - Disable User", which
// wants active in the filtered answer after the disable
// (https://learn.microsoft.com/en-us/answers/questions/2238842/microsoft-entra-id-scim-validator-test-failing-pat),
// and its path-less PATCH of dotted names
// (https://docs.microsoft.com/en-us/answers/questions/1665068/scim-validation-tool-(https-scimvalidator-microsof).
func TestEntraValidatorSequence(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	create := `{
"active": true,
"displayName": "XKWLCONOGMVT",
"emails": [
{
"type": "work",
"value": "%s"
}
],
"externalId": "9950b140-90a0-4201-9d65-b5f209fb4cd0",
"name": {
"formatted": "Aric",
"familyName": "Nia",
"givenName": "Sandy"
},
"schemas": [
"urn:ietf:params:scim:schemas:core:2.0:User"
],
"userName": "dale.mohr@romaguera.uk"
}`
	// The validator's work email differs from userName; LeadSquared holds one address, so
	// this cannot be carried: refused, naming both, nothing created.
	r := b.do("POST", "/Users", fmt.Sprintf(create, "dale.mohr@prohaska.biz")).want(t, http.StatusBadRequest)
	if d := r.str("detail"); !strings.Contains(d, "userName") || !strings.Contains(d, "work email") {
		t.Errorf("differing work email: %s", r.raw)
	}
	if n := b.fake.Count("CreateUser"); n != 0 {
		t.Fatalf("%d CreateUser calls", n)
	}
	r = b.do("POST", "/Users", fmt.Sprintf(create, "dale.mohr@romaguera.uk")).want(t, http.StatusCreated)
	id := r.str("id")
	b.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`).want(t, 200)

	// The query exactly as the validator sent it: not a URL Go's client would write.
	req, err := http.NewRequest("GET", b.srv.URL+"/scim/v2/Users?filter=userName+eq+\"dale.mohr%40romaguera.uk\"", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		TotalResults int              `json:"totalResults"`
		Resources    []map[string]any `json:"Resources"`
	}
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || list.TotalResults != 1 || len(list.Resources) != 1 {
		t.Fatalf("raw validator query: %d %v %+v", resp.StatusCode, err, list)
	}
	if a, ok := list.Resources[0]["active"]; !ok || a != false {
		t.Errorf("filtered answer after the disable: active %v (present %v)", a, ok)
	}

	b.do("PATCH", "/Users/"+id, `{
  "Operations": [
    {
      "op": "replace",
      "value": {
        "name.givenName": "Oswaldo",
        "name.familyName": "Rylan"
	}
    }
  ],
  "schemas": [
    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
  ]
}`).want(t, 200)
	if u, _ := b.fake.User(id); u.FirstName != "Oswaldo" || u.LastName != "Rylan" || u.Status != lsqtest.UserInactive {
		t.Errorf("after the path-less PATCH: %+v", u)
	}
}

// TestAttributesParameters: the attributes and excludedAttributes query parameters (RFC
// 7644 section 3.4.2.5 and 3.9; https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.5):
// the RFC's own example GET /Users?attributes=userName answers id and userName only ("id"
// is returned because its "returned" characteristic is "always"); names are
// case-insensitive, may be sub-attributes or URN-qualified, and apply to a ListResponse's
// Resources, a GET by id, and the answers of POST, PUT and PATCH.
func TestAttributesParameters(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	u, err := b.fake.AddUser(lsqtest.User{FirstName: "Pat", LastName: "Old", EmailAddress: "pat@example.com", Role: "Sales_User",
		Attributes: map[string]string{"Department": "Ops", "Designation": "Lead"}})
	if err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]any) string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return strings.Join(ks, ",")
	}
	r := b.do("GET", "/Users?attributes=userName", "").want(t, 200)
	res, _ := r.body["Resources"].([]any)
	if len(res) != 2 || r.body["totalResults"] != float64(2) {
		t.Fatalf("list: %s", r.raw)
	}
	for _, x := range res {
		if got := keys(x.(map[string]any)); got != "id,schemas,userName" {
			t.Errorf("attributes=userName: keys %s", got)
		}
	}
	for _, tc := range []struct{ query, want string }{
		{"attributes=UserName,Active", "active,id,schemas,userName"},
		{"attributes=name.givenName", "id,name,schemas"},
		{"attributes=urn:ietf:params:scim:schemas:core:2.0:User:userName," + scim.EnterpriseSchema + ":department", "id,schemas,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,userName"},
		{"excludedAttributes=emails,name,meta,roles,displayName,title,id", "active,id,schemas,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,userName"},
	} {
		r := b.do("GET", "/Users/"+u.ID+"?"+tc.query, "").want(t, 200)
		if got := keys(r.body); got != tc.want {
			t.Errorf("%s: keys %s, want %s; %s", tc.query, got, tc.want, r.raw)
		}
	}
	r = b.do("GET", "/Users/"+u.ID+"?attributes=name.givenName", "").want(t, 200)
	if name, _ := r.body["name"].(map[string]any); keys(name) != "givenName" || name["givenName"] != "Pat" {
		t.Errorf("name.givenName: %s", r.raw)
	}
	r = b.do("GET", "/Users/"+u.ID+"?attributes="+scim.EnterpriseSchema+":department", "").want(t, 200)
	if ent, _ := r.body[scim.EnterpriseSchema].(map[string]any); keys(ent) != "department" {
		t.Errorf("enterprise department: %s", r.raw)
	}
	r = b.do("PATCH", "/Users/"+u.ID+"?attributes=active", patchOps+`[{"op":"replace","path":"title","value":"Head"}]}`).want(t, 200)
	if got := keys(r.body); got != "active,id,schemas" {
		t.Errorf("PATCH with attributes=active: %s", r.raw)
	}
	if lu, _ := b.fake.User(u.ID); lu.Attributes["Designation"] != "Head" {
		t.Errorf("the PATCH was not applied: %+v", lu)
	}
	// An error is not pruned.
	r = b.do("GET", "/Users/nope?attributes=userName", "").want(t, 404)
	if r.str("detail") == "" {
		t.Errorf("error pruned: %s", r.raw)
	}
}

// TestOktaSpecSuite replays Okta's "Okta SCIM 2.0 SPEC Test" (the Runscope suite of
// https://developer.okta.com/docs/guides/build-provisioning-integration/test-scim-api/, as
// exported in https://github.com/BerriAI/litellm/blob/main/tests/scim_tests/scim_e2e_test.json)
// with its headers (a POST's Content-Type is application/json; the 401 step sends
// Authorization: non-token) and its variables as Okta's guide lists them (randomEmail =
// randomUsername; randomUsernameCaps upper-cases the local part). The optional Groups step
// is left out: the bridge serves Users only (404).
func TestOktaSpecSuite(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	const (
		randomUsername         = "Runscope300Hfluaklab151@example.com"
		randomUsernameCaps     = "RUNSCOPE300HFLUAKLAB151@example.com"
		randomGivenName        = "Runscope300"
		randomFamilyName       = "Hfluaklab151"
		invalidUserEmail       = "abcdefgh@example.com"
		userIDThatDoesNotExist = "010101001010101011001010101011"
	)
	okta := func(method, path, auth, contentType, body string) reply {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, b.srv.URL+"/scim/v2"+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Charset", "utf-8")
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Accept", "application/scim+json")
		req.Header.Set("Authorization", auth)
		req.Header.Set("User-Agent", "OKTA SCIM Integration")
		resp, err := b.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("%s %s: %v %s", method, path, err, raw)
		}
		return r
	}
	const scimJSON = "application/scim+json; charset=utf-8"
	auth := "Bearer " + testToken
	filter := func(v string) string { return "/Users?filter=userName%20eq%20%22" + url.PathEscape(v) + "%22" }
	isList := func(r reply) bool {
		s, _ := r.body["schemas"].([]any)
		return len(s) == 1 && s[0] == "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	}
	isError := func(r reply, status string) bool {
		s, _ := r.body["schemas"].([]any)
		return len(s) == 1 && s[0] == "urn:ietf:params:scim:api:messages:2.0:Error" && r.str("detail") != "" && r.str("status") == status
	}
	notEmpty := func(m map[string]any, path ...string) bool {
		var v any = m
		for _, p := range path {
			switch x := v.(type) {
			case map[string]any:
				v = x[p]
			case []any:
				if len(x) == 0 {
					return false
				}
				v = x[0].(map[string]any)[p]
			default:
				return false
			}
		}
		return v != nil && v != ""
	}

	// Required Test: Test Users endpoint (Okta's guide: create a user before the suite).
	if _, err := b.fake.AddUser(lsqtest.User{FirstName: "Morgan", LastName: "Chen", EmailAddress: "morgan.chen@example.com", Role: "Sales_User"}); err != nil {
		t.Fatal(err)
	}
	r := okta("GET", "/Users?count=1&startIndex=1", auth, scimJSON, "")
	res, _ := r.body["Resources"].([]any)
	if r.status != 200 || len(res) == 0 || !isList(r) {
		t.Fatalf("Test Users endpoint: %d %s", r.status, r.raw)
	}
	for _, k := range []string{"itemsPerPage", "startIndex", "totalResults"} {
		if _, ok := r.body[k].(float64); !ok {
			t.Errorf("Test Users endpoint: %s is not a number: %s", k, r.raw)
		}
	}
	first := res[0].(map[string]any)
	for _, p := range [][]string{{"id"}, {"name", "familyName"}, {"name", "givenName"}, {"userName"}, {"active"}, {"emails", "value"}} {
		if !notEmpty(first, p...) {
			t.Errorf("Test Users endpoint: Resources[0].%s empty: %s", strings.Join(p, "."), r.raw)
		}
	}
	isvUserID, _ := first["id"].(string)

	// Required Test: Get Users/{{id}}
	r = okta("GET", "/Users/"+isvUserID, auth, scimJSON, "")
	if r.status != 200 || r.str("id") != isvUserID || !notEmpty(r.body, "name", "familyName") || !notEmpty(r.body, "emails", "value") {
		t.Errorf("Get Users/{{id}}: %d %s", r.status, r.raw)
	}
	// Required Test: Test invalid User by username; Make sure random user doesn't exist.
	for _, v := range []string{invalidUserEmail, randomUsername} {
		r = okta("GET", filter(v), auth, scimJSON, "")
		if r.status != 200 || !isList(r) || r.body["totalResults"] != float64(0) {
			t.Errorf("filter %s: %d %s", v, r.status, r.raw)
		}
	}
	// Required Test: Test invalid User by ID
	r = okta("GET", "/Users/"+userIDThatDoesNotExist, auth, scimJSON, "")
	if r.status != 404 || !isError(r, "404") {
		t.Errorf("invalid User by ID: %d %s", r.status, r.raw)
	}

	// Required Test: Create Okta user with realistic values
	create := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + randomUsername + `","name":{"givenName":"` + randomGivenName +
		`","familyName":"` + randomFamilyName + `"},"emails":[{"primary":true,"value":"` + randomUsername + `","type":"work"}],"displayName":"` +
		randomGivenName + ` ` + randomFamilyName + `","active":true}`
	r = okta("POST", "/Users", auth, "application/json", create)
	if r.status != 201 || r.body["active"] != true || r.str("id") == "" || r.str("userName") != randomUsername {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	if name, _ := r.body["name"].(map[string]any); name["givenName"] != randomGivenName || name["familyName"] != randomFamilyName {
		t.Errorf("create: name %v", r.body["name"])
	}
	idUserOne := r.str("id")
	// Required Test: Verify that user was created
	r = okta("GET", "/Users/"+idUserOne, auth, scimJSON, "")
	if r.status != 200 || r.str("userName") != randomUsername {
		t.Errorf("verify created: %d %s", r.status, r.raw)
	}
	// Required Test: Expect failure when recreating user with same values
	r = okta("POST", "/Users", auth, "application/json", create)
	if r.status != 409 || !isError(r, "409") || r.str("scimType") != "uniqueness" {
		t.Errorf("recreate: %d %s", r.status, r.raw)
	}
	// Required Test: Username Case Sensitivity Check
	r = okta("GET", filter(randomUsernameCaps), auth, scimJSON, "")
	res, _ = r.body["Resources"].([]any)
	if r.status != 200 || len(res) != 1 || res[0].(map[string]any)["id"] != idUserOne {
		t.Errorf("case sensitivity: %d %s", r.status, r.raw)
	}
	// Required Test: Check status 401
	r = okta("GET", filter(randomUsernameCaps), "non-token", scimJSON, "")
	if r.status != 401 || !isError(r, "401") {
		t.Errorf("401: %d %s", r.status, r.raw)
	}
	// Required Test: Check status 404
	r = okta("GET", "/Users/00919288221112222", auth, scimJSON, "")
	if r.status != 404 || !isError(r, "404") {
		t.Errorf("404: %d %s", r.status, r.raw)
	}
	if n := b.fake.Count("CreateUser"); n != 1 {
		t.Errorf("%d CreateUser calls, want 1", n)
	}
}

// TestOktaPutLifecycle: an Okta app integration made in the App Integration Wizard updates
// with PUT only, deactivating and re-activating with the whole user and active false/true,
// and tests its connection with GET /Users?startIndex=1&count=2
// (https://docs.delinea.com/online-help/delinea-platform/scim/okta-scim-provisioning/okta-scim-endpoint-reference.htm:
// "AIW integrations always use PUT for updates. The entire user object is sent").
func TestOktaPutLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	r := b.do("GET", "/Users?startIndex=1&count=2", "").want(t, 200)
	if res, _ := r.body["Resources"].([]any); len(res) != 1 || r.body["itemsPerPage"] != float64(1) {
		t.Errorf("test connection: %s", r.raw)
	}
	r = b.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"aiw.user@okta.local",
	  "name":{"givenName":"Aiw","familyName":"User"},"emails":[{"primary":true,"value":"aiw.user@okta.local","type":"work"}],
	  "displayName":"Aiw User","locale":"en-US","externalId":"00u1","groups":[],"active":true}`).want(t, http.StatusCreated)
	id := r.str("id")
	put := func(active bool, given string) string {
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":%q,"userName":"aiw.user@okta.local",
	  "name":{"givenName":%q,"familyName":"User"},"emails":[{"primary":true,"value":"aiw.user@okta.local","type":"work"}],
	  "displayName":"Aiw User","locale":"en-US","externalId":"00u1","groups":[],"active":%t}`, id, given, active)
	}
	for _, tc := range []struct {
		active bool
		given  string
		want   lsqtest.UserStatus
	}{{false, "Aiw", lsqtest.UserInactive}, {true, "Aiw", lsqtest.UserActive}, {true, "Renamed", lsqtest.UserActive}, {false, "Renamed", lsqtest.UserInactive}} {
		r = b.do("PUT", "/Users/"+id, put(tc.active, tc.given)).want(t, 200)
		u, _ := b.fake.User(id)
		if u.Status != tc.want || u.FirstName != tc.given || r.body["active"] != tc.active {
			t.Errorf("PUT active %t given %s: LeadSquared %s %s; answer %s", tc.active, tc.given, u.Status, u.FirstName, r.raw)
		}
	}
	if n := b.fake.Count("CreateUser"); n != 1 {
		t.Errorf("%d CreateUser calls", n)
	}
}

// TestRFCConformance: what RFC 7643/7644 ask that the IdPs rely on: /ServiceProviderConfig
// declares only what is served (RFC 7643 section 5: patch and filter yes; bulk, sort, etag
// and changePassword no, so no meta.version is promised or sent); an unknown id is a 404
// in the error schema with status as a string (RFC 7644 section 3.12); attribute names
// are case-insensitive (RFC 7643 section 2.1).
func TestRFCConformance(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	r := b.do("GET", "/ServiceProviderConfig", "").want(t, 200)
	for feature, want := range map[string]bool{"patch": true, "filter": true, "bulk": false, "sort": false, "etag": false, "changePassword": false} {
		if f, _ := r.body[feature].(map[string]any); f["supported"] != want {
			t.Errorf("%s.supported = %v, want %v", feature, f["supported"], want)
		}
	}
	r = b.do("POST", "/Users", `{"Schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"UserName":"Case.Insensitive@example.com","Active":true,
	  "Name":{"GivenName":"Case","FamilyName":"Insensitive"},"Title":"Lead"}`).want(t, http.StatusCreated)
	u, ok := b.userByEmail("Case.Insensitive@example.com")
	if !ok || u.FirstName != "Case" || u.LastName != "Insensitive" || u.Attributes["Designation"] != "Lead" {
		t.Errorf("create with names in other cases: %+v (%s)", u, r.raw)
	}
	if meta, _ := r.body["meta"].(map[string]any); meta["version"] != nil || r.header.Get("ETag") != "" {
		t.Errorf("etag is not supported, yet the answer has a version: %s (ETag %q)", r.raw, r.header.Get("ETag"))
	}
	b.do("PATCH", "/Users/"+u.ID, `{"SCHEMAS":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"operations":[{"OP":"replace","PATH":"Name.FamilyName","VALUE":"Changed"}]}`).want(t, 200)
	if u, _ = b.fake.User(u.ID); u.LastName != "Changed" {
		t.Errorf("PATCH with names in other cases: %+v", u)
	}
	for _, m := range []string{"GET", "PATCH", "PUT", "DELETE"} {
		body := ""
		switch m {
		case "PATCH":
			body = patchOps + `[{"op":"replace","path":"active","value":false}]}`
		case "PUT":
			body = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"nobody@example.com","name":{"givenName":"N"}}`
		}
		r := b.do(m, "/Users/2819c223-7f76-453a-919d-413861904646", body).want(t, http.StatusNotFound)
		if s, _ := r.body["schemas"].([]any); len(s) != 1 || s[0] != "urn:ietf:params:scim:api:messages:2.0:Error" || r.str("status") != "404" || r.str("detail") == "" {
			t.Errorf("%s of an unknown id: %s", m, r.raw)
		}
	}
}

// TestFilterOnSubAttribute: RFC 7644 section 3.4.2.2 filters a multi-valued attribute by a
// sub-attribute, as in its example `emails co "example.com" or emails.value co
// "example.org"` (https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.2): a user matches
// when any of its values does.
func TestFilterOnSubAttribute(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	u, err := b.fake.AddUser(lsqtest.User{FirstName: "Pat", LastName: "Old", EmailAddress: "pat@example.org", Role: "Sales_User", Attributes: map[string]string{"PhoneMain": "+1-555"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{
		`emails eq "pat@example.org"`,
		`emails.value eq "pat@example.org"`,
		`emails.value eq "PAT@example.org"`,
		`emails.value co "example.org"`,
		`emails co "example.net" or emails.value co "example.org"`,
		`emails.type eq "work" and userName eq "pat@example.org"`,
		`phoneNumbers.value eq "+1-555"`,
		`emails.value pr and name.givenName eq "Pat"`,
	} {
		r := b.do("GET", filterQuery(f), "").want(t, 200)
		res, _ := r.body["Resources"].([]any)
		if len(res) != 1 || res[0].(map[string]any)["id"] != u.ID {
			t.Errorf("%s: %s", f, r.raw)
		}
	}
	r := b.do("GET", filterQuery(`emails.value eq "nobody@example.org"`), "").want(t, 200)
	if r.body["totalResults"] != float64(0) {
		t.Errorf("no match: %s", r.raw)
	}
	// A value in quotes is not an attribute, and a complex attribute compared whole
	// is a 400 invalidFilter, not a dropped connection.
	r = b.do("GET", filterQuery(`name.givenName eq "emails co x"`), "").want(t, 200)
	if r.body["totalResults"] != float64(0) {
		t.Errorf("quoted value: %s", r.raw)
	}
	r = b.do("GET", filterQuery(`name eq "Pat"`), "").want(t, http.StatusBadRequest)
	if r.str("scimType") != "invalidFilter" {
		t.Errorf("complex attribute compared whole: %s", r.raw)
	}
}

// TestFilterOnEnterpriseAttribute: an Entra ID admin may match users on another attribute
// ("Match objects using this attribute" in the attribute mapping, Microsoft's "Tutorial -
// Customize Microsoft Entra attribute mappings"), which Entra then sends as a filter on its
// full name, e.g. urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "x"
// (RFC 7644 section 3.4.2.2 allows URN-qualified attribute paths).
func TestFilterOnEnterpriseAttribute(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	mgr, err := b.fake.AddUser(lsqtest.User{FirstName: "Mo", LastName: "Boss", EmailAddress: "mo@example.com", Role: "Sales_Manager"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := b.fake.AddUser(lsqtest.User{FirstName: "Pat", LastName: "Old", EmailAddress: "pat@example.com", Role: "Sales_User", ManagerUserID: mgr.ID,
		Attributes: map[string]string{"Department": "Ops", "EmployeeId": "E-42"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{
		scim.EnterpriseSchema + `:department eq "Ops"`,
		scim.EnterpriseSchema + `:employeeNumber eq "E-42"`,
		scim.EnterpriseSchema + `:manager.value eq "` + mgr.ID + `"`,
	} {
		r := b.do("GET", filterQuery(f), "").want(t, 200)
		res, _ := r.body["Resources"].([]any)
		if len(res) != 1 || res[0].(map[string]any)["id"] != u.ID {
			t.Errorf("%s: %s", f, r.raw)
		}
	}
}

// TestTenantURLForms: the IdP joins the base URL an admin pastes (Entra's Tenant URL,
// Okta's SCIM connector base URL) with /Users; pasted with a trailing slash, that gives
// //Users, and an endpoint may come in another letter case or with a trailing slash. Each
// reaches the endpoint it names. Okta's "Connect to a SCIM connector"
// (https://help.okta.com/en-us/content/topics/provisioning/opp/opp-connect-scim-connector.htm)
// even wants its base URL to end in / (https://servername.domain.com:8081/scim/v2/).
// (Whether Entra or Okta collapse the doubled slash themselves is not documented in what
// we found.)
func TestTenantURLForms(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	r := b.do("POST", "//Users", newUser("slash@example.com")).want(t, http.StatusCreated)
	id := r.str("id")
	for _, p := range []string{"//Users?filter=" + url.QueryEscape(`userName eq "slash@example.com"`), "/Users/?filter=" + url.QueryEscape(`userName eq "slash@example.com"`),
		"/users?filter=" + url.QueryEscape(`userName eq "slash@example.com"`)} {
		r := b.do("GET", p, "").want(t, 200)
		if r.body["totalResults"] != float64(1) {
			t.Errorf("%s: %s", p, r.raw)
		}
	}
	for _, p := range []string{"//Users/" + id, "/users/" + id, "/Users/" + id + "/"} {
		if r := b.do("GET", p, "").want(t, 200); r.str("id") != id {
			t.Errorf("%s: %s", p, r.raw)
		}
	}
	for _, p := range []string{"//ServiceProviderConfig", "/serviceproviderconfig", "/ServiceProviderConfig/", "/schemas", "/resourcetypes"} {
		b.do("GET", p, "").want(t, 200)
	}
	b.do("PATCH", "//Users/"+id, patchOps+`[{"op":"replace","path":"active","value":false}]}`).want(t, 200)
	if u, _ := b.fake.User(id); u.Status != lsqtest.UserInactive {
		t.Errorf("PATCH //Users/id: status %s", u.Status)
	}
	b.do("GET", "/Groups", "").want(t, http.StatusNotFound)
	b.do("GET", "/Users/"+id+"/x", "").want(t, http.StatusNotFound)
}

// TestEntraDefaultAttributesStored: Entra ID's default attribute mappings for a
// non-gallery SCIM app send the work address (addresses[type eq "work"].streetAddress,
// locality, region, postalCode, country) besides the names (Microsoft's "Tutorial: Develop
// and plan provisioning for a SCIM endpoint", table "Default user attribute mapping";
// https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups),
// and RFC 7643 section 4.1.1 has name.middleName and timezone. LeadSquared holds each
// (Address, City, State, ZipCode, Country, MiddleName, TimeZone: Update a User), so each
// is stored, read back, changed and cleared, never dropped.
func TestEntraDefaultAttributesStored(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	r := b.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	  "userName":"addr@contoso.example","active":true,"name":{"givenName":"Ada","middleName":"Q","familyName":"Dress"},"timezone":"Asia/Kolkata",
	  "addresses":[{"type":"work","streetAddress":"1 Main St","locality":"Pune","region":"MH","postalCode":"411001","country":"IN","primary":true}]}`).want(t, http.StatusCreated)
	id := r.str("id")
	u, _ := b.fake.User(id)
	want := map[string]string{"Address": "1 Main St", "City": "Pune", "State": "MH", "ZipCode": "411001", "Country": "IN", "MiddleName": "Q", "TimeZone": "Asia/Kolkata"}
	for k, v := range want {
		if got := fakeField(u, k); got != v {
			t.Errorf("after the create %s = %q, want %q", k, got, v)
		}
	}
	r = b.do("GET", "/Users/"+id, "").want(t, 200)
	addrs, _ := r.body["addresses"].([]any)
	if name, _ := r.body["name"].(map[string]any); name["middleName"] != "Q" || r.str("timezone") != "Asia/Kolkata" || len(addrs) != 1 ||
		addrs[0].(map[string]any)["locality"] != "Pune" || addrs[0].(map[string]any)["type"] != "work" {
		t.Errorf("read back: %s", r.raw)
	}
	// Entra's updates: one path per part, a path-less value with filtered keys, a remove.
	b.do("PATCH", "/Users/"+id, patchOps+`[{"op":"Replace","path":"addresses[type eq \"work\"].locality","value":"Mumbai"},
	  {"op":"Add","path":"addresses[type eq \"work\"].postalCode","value":"400001"},{"op":"Replace","path":"timezone","value":"Asia/Dubai"}]}`).want(t, 200)
	b.do("PATCH", "/Users/"+id, patchOps+`[{"op":"replace","value":{"addresses[type eq \"work\"].region":"MAH","name.middleName":"R"}}]}`).want(t, 200)
	b.do("PATCH", "/Users/"+id, patchOps+`[{"op":"Remove","path":"addresses[type eq \"work\"].streetAddress"}]}`).want(t, 200)
	u, _ = b.fake.User(id)
	want = map[string]string{"Address": "", "City": "Mumbai", "State": "MAH", "ZipCode": "400001", "Country": "IN", "MiddleName": "R", "TimeZone": "Asia/Dubai"}
	for k, v := range want {
		if got := fakeField(u, k); got != v {
			t.Errorf("after the PATCHes %s = %q, want %q", k, got, v)
		}
	}
	if !strings.Contains(b.audit.String(), `"city":"Mumbai"`) || !strings.Contains(b.audit.String(), `"timeZone":"Asia/Dubai"`) {
		t.Errorf("the audit log does not show the new values: %s", b.audit.String())
	}
	// A home address is not the work one: ignored and audited.
	b.do("PATCH", "/Users/"+id, patchOps+`[{"op":"add","path":"addresses","value":[{"type":"home","locality":"Goa"}]}]}`).want(t, 200)
	if u, _ = b.fake.User(id); fakeField(u, "City") != "Mumbai" || !strings.Contains(b.audit.String(), "addresses[home]") {
		t.Errorf("home address: City %q; audit %s", fakeField(u, "City"), b.audit.String())
	}
}

// fakeField is a user attribute the fake holds, by its LeadSquared name.
func fakeField(u lsqtest.User, name string) string {
	switch name {
	case "TimeZone":
		return u.TimeZone
	}
	return u.Attributes[name]
}
