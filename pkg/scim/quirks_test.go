package scim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

const patchOps = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`

// TestEntraQuirks: forms Microsoft Entra ID (and its SCIM validator) sends that a strict
// reading of RFC 7643/7644 would refuse, each answered as Entra expects.
func TestEntraQuirks(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	r := b.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Quirk.User@Contoso.example","active":"True",
	  "name":{"givenName":"Q","familyName":"U"},"emails":[{"type":"work","primary":"True","value":"Quirk.User@Contoso.example"}],
	  "phoneNumbers":[{"type":"work","primary":"False","value":"+1-555-0100"}]}`).want(t, http.StatusCreated)
	id := r.str("id")
	if r.body["active"] != true {
		t.Errorf(`create with "active":"True": %s`, r.raw)
	}

	t.Run("filter in other letter cases", func(t *testing.T) {
		for _, f := range []string{`userName eq "quirk.user@contoso.EXAMPLE"`, `UserName eq "QUIRK.USER@contoso.example"`,
			`userName EQ "quirk.user@contoso.example"`, `emails[Type eq "work"].Value eq "QUIRK.user@contoso.example"`} {
			res, _ := b.do("GET", filterQuery(f), "").want(t, 200).body["Resources"].([]any)
			if len(res) != 1 || res[0].(map[string]any)["id"] != id {
				t.Errorf("%s: found %v", f, res)
			}
		}
	})

	t.Run(`Add on emails[type eq "work"].value`, func(t *testing.T) {
		// The same address, in another case: a no-op, answered 200.
		b.fake.ResetLog()
		b.do("PATCH", "/Users/"+id, patchOps+`[{"op":"Add","path":"emails[type eq \"work\"].value","value":"quirk.user@contoso.example"}]}`).want(t, 200)
		if n := b.fake.Count("UpdateUser"); n != 0 {
			t.Errorf("%d UpdateUser calls for the address the user has", n)
		}
		// Another address: LeadSquared cannot change it.
		r := b.do("PATCH", "/Users/"+id, patchOps+`[{"op":"Add","path":"emails[type eq \"work\"].value","value":"other@contoso.example"}]}`).want(t, 400)
		if r.str("scimType") != "mutability" {
			t.Errorf("scimType %q, want mutability", r.str("scimType"))
		}
	})

	t.Run(`"False" and "True" as strings`, func(t *testing.T) {
		for _, tc := range []struct {
			body string
			want lsqtest.UserStatus
		}{
			{`[{"op":"Replace","path":"active","value":"False"}]`, lsqtest.UserInactive},
			{`[{"op":"Replace","path":"active","value":"True"}]`, lsqtest.UserActive},
			{`[{"op":"Replace","value":{"active":"FALSE","name.givenName":"Dotted"}}]`, lsqtest.UserInactive},
			{`[{"op":"replace","value":{"active":"true"}}]`, lsqtest.UserActive},
			{`[{"op":"Replace","path":"emails[type eq \"work\"].primary","value":"True"}]`, lsqtest.UserActive},
			{`[{"op":"Add","path":"phoneNumbers","value":[{"type":"work","primary":"True","value":"+1-555-0199"}]}]`, lsqtest.UserActive},
		} {
			b.do("PATCH", "/Users/"+id, patchOps+tc.body+`}`).want(t, 200)
			if u, _ := b.fake.User(id); u.Status != tc.want {
				t.Errorf("%s: status %s, want %s", tc.body, u.Status, tc.want)
			}
		}
		u, _ := b.fake.User(id)
		if u.FirstName != "Dotted" || u.Attributes["PhoneMain"] != "+1-555-0199" {
			t.Errorf("after the PATCHes: %+v", u)
		}
	})

	t.Run(`roles[primary eq "True"].value`, func(t *testing.T) {
		for _, tc := range []struct{ path, role string }{{`roles[primary eq \"True\"].value`, "Sales_Manager"}, {`roles[primary eq true].value`, "Marketing_User"}} {
			b.do("PATCH", "/Users/"+id, patchOps+`[{"op":"Add","path":"`+tc.path+`","value":"`+tc.role+`"}]}`).want(t, 200)
			if u, _ := b.fake.User(id); u.Role != tc.role {
				t.Errorf("%s: role %s, want %s", tc.path, u.Role, tc.role)
			}
		}
		r := b.do("PATCH", "/Users/"+id, patchOps+`[{"op":"Add","path":"roles","value":[{"primary":"True","value":"Sales_User"}]}]}`).want(t, 200)
		if u, _ := b.fake.User(id); u.Role != "Sales_User" {
			t.Errorf("roles list with primary \"True\": role %s; %s", u.Role, r.raw)
		}
		r = b.do("PATCH", "/Users/"+id, patchOps+`[{"op":"Add","path":"roles[display eq \"x\"].value","value":"Sales_User"}]}`).want(t, 400)
		if r.str("scimType") != "invalidPath" {
			t.Errorf("a filter other than type or primary: %s", r.raw)
		}
	})

	t.Run("empty Operations", func(t *testing.T) {
		b.fake.ResetLog()
		for _, body := range []string{patchOps + `[]}`, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`} {
			r := b.do("PATCH", "/Users/"+id, body).want(t, 400)
			if r.str("scimType") != "invalidValue" || !strings.Contains(r.str("detail"), "at least one operation") {
				t.Errorf("%s: %s", body, r.raw)
			}
		}
		if n := len(b.fake.Requests()); n != 0 {
			t.Errorf("%d LeadSquared calls for a PATCH without operations", n)
		}
	})
}

// TestEntraManagerAsString: Entra ID sends the manager of the enterprise extension as the
// manager's bare id, not as {"value": id}, wherever it sends it: as the attribute of the
// extension object in a create, and as a URN-named key of a path-less PATCH value.
// Source: https://learn.microsoft.com/en-us/answers/questions/188003/scim-user-provisioning-setup-with-manager-attribut
// ("the default setup from Azure AD actually sends manager as a simple attribute:
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager": "user-id"").
func TestEntraManagerAsString(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	mgr, err := b.fake.AddUser(lsqtest.User{FirstName: "Mona", LastName: "Boss", EmailAddress: "mona@contoso.example", Role: "Sales_Manager"})
	if err != nil {
		t.Fatal(err)
	}
	mgr2, err := b.fake.AddUser(lsqtest.User{FirstName: "Max", LastName: "Boss", EmailAddress: "max@contoso.example", Role: "Sales_Manager"})
	if err != nil {
		t.Fatal(err)
	}
	r := b.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	  "userName":"joe@contoso.example","active":true,"emails":[{"primary":true,"type":"work","value":"joe@contoso.example"}],
	  "meta":{"resourceType":"User"},"name":{"familyName":"TestLastName1","givenName":"joe"},"title":"scim tester",
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Ops","manager":"`+mgr.ID+`"}}`).want(t, http.StatusCreated)
	id := r.str("id")
	if u, _ := b.fake.User(id); u.ManagerUserID != mgr.ID || u.Attributes["Department"] != "Ops" {
		t.Errorf("after the create: manager %q, want %q; %+v", u.ManagerUserID, mgr.ID, u)
	}
	for _, tc := range []struct{ name, ops, want string }{
		{"URN key of a path-less value", `[{"op":"Replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"` + mgr2.ID + `"}}]`, mgr2.ID},
		{"extension object of a path-less value", `[{"op":"Replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"` + mgr.ID + `"}}}]`, mgr.ID},
		{"object form still", `[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"` + mgr.ID + `"}}]`, mgr.ID},
	} {
		r := b.do("PATCH", "/Users/"+id, patchOps+tc.ops+`}`).want(t, 200)
		if u, _ := b.fake.User(id); u.ManagerUserID != tc.want {
			t.Errorf("%s: manager %q, want %q; %s", tc.name, u.ManagerUserID, tc.want, r.raw)
		}
	}
	put := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"joe@contoso.example",
	  "name":{"familyName":"TestLastName1","givenName":"joe"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"` + mgr2.ID + `"}}`
	b.do("PUT", "/Users/"+id, put).want(t, 200)
	if u, _ := b.fake.User(id); u.ManagerUserID != mgr2.ID {
		t.Errorf("after the PUT: manager %q, want %q", u.ManagerUserID, mgr2.ID)
	}
}

// TestDeactivationNotBlocked: Entra ID sends every attribute that changed in one PATCH (as
// in https://learn.microsoft.com/en-us/answers/questions/1684621/entra-id-patch-sending-add-instead-of-replace,
// where title and the work email travel together), and a PUT always carries the whole user.
// When a leaver's request sets active false beside a change LeadSquared cannot take (a new
// address, an attribute of no declared schema), the request is still refused (400, so the
// IdP reports it), but the deactivation is applied and the detail says so: access never
// outlives the refusal.
func TestDeactivationNotBlocked(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	for name, tc := range map[string]struct{ method, body, scimType string }{
		"Entra PATCH with a new userName":           {"PATCH", patchOps + `[{"op":"Replace","path":"userName","value":"renamed@contoso.example"},{"op":"Replace","path":"active","value":"False"}]}`, "mutability"},
		"path-less PATCH with an unknown attribute": {"PATCH", patchOps + `[{"op":"replace","value":{"active":false,"worksiteId":"180"}}]}`, "invalidValue"},
		"PATCH path of an undeclared extension":     {"PATCH", patchOps + `[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:custom:2.0:User:worksiteId","value":"180"},{"op":"Replace","path":"active","value":false}]}`, "invalidPath"},
		"PUT with a new userName":                   {"PUT", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"renamed@contoso.example","name":{"givenName":"Lee","familyName":"Ver"},"active":false}`, "mutability"},
	} {
		t.Run(name, func(t *testing.T) {
			u, err := b.fake.AddUser(lsqtest.User{FirstName: "Lee", LastName: "Ver", EmailAddress: strings.ReplaceAll(name, " ", "-") + "@contoso.example", Role: "Sales_User"})
			if err != nil {
				t.Fatal(err)
			}
			body := strings.ReplaceAll(tc.body, "renamed@", "renamed-"+u.ID+"@")
			r := b.do(tc.method, "/Users/"+u.ID, body).want(t, http.StatusBadRequest)
			if r.str("scimType") != tc.scimType || !strings.Contains(r.str("detail"), "deactivated") {
				t.Errorf("answer %s, want scimType %s and a detail saying the user was deactivated", r.raw, tc.scimType)
			}
			lu, _ := b.fake.User(u.ID)
			if lu.Status != lsqtest.UserInactive {
				t.Errorf("status %s, want Inactive", lu.Status)
			}
			if lu.EmailAddress != u.EmailAddress || lu.Attributes["mx_Worksite"] != "" {
				t.Errorf("something beside the deactivation changed: %+v", lu)
			}
			// The IdP's retry gets the same answer, and the user stays inactive.
			r = b.do(tc.method, "/Users/"+u.ID, body).want(t, http.StatusBadRequest)
			if lu, _ = b.fake.User(u.ID); lu.Status != lsqtest.UserInactive || !strings.Contains(r.str("detail"), "deactivated") {
				t.Errorf("retry: %s; status %s", r.raw, lu.Status)
			}
		})
	}
	t.Run("a refused request without active false deactivates no one", func(t *testing.T) {
		u, err := b.fake.AddUser(lsqtest.User{FirstName: "Sta", LastName: "Ys", EmailAddress: "stays@contoso.example", Role: "Sales_User"})
		if err != nil {
			t.Fatal(err)
		}
		r := b.do("PATCH", "/Users/"+u.ID, patchOps+`[{"op":"Replace","path":"userName","value":"other@contoso.example"},{"op":"Replace","path":"active","value":true}]}`).want(t, http.StatusBadRequest)
		if strings.Contains(r.str("detail"), "deactivated") {
			t.Errorf("answer %s", r.raw)
		}
		if lu, _ := b.fake.User(u.ID); lu.Status != lsqtest.UserActive {
			t.Errorf("status %s", lu.Status)
		}
	})
	t.Run("the deactivation fails", func(t *testing.T) {
		u, err := b.fake.AddUser(lsqtest.User{FirstName: "Fa", LastName: "Il", EmailAddress: "fails@contoso.example", Role: "Sales_User"})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.fake.FailNext(api.OpDeactivateUser, 1, lsqtest.Fault{Status: 500}); err != nil {
			t.Fatal(err)
		}
		// Not the 400: a 5xx the IdP retries, since the leaver is still active.
		r := b.do("PATCH", "/Users/"+u.ID, patchOps+`[{"op":"Replace","path":"userName","value":"other3@contoso.example"},{"op":"Replace","path":"active","value":"False"}]}`)
		if r.status < 500 {
			t.Errorf("answer %d %s, want a 5xx", r.status, r.raw)
		}
		if lu, _ := b.fake.User(u.ID); lu.Status != lsqtest.UserActive {
			t.Errorf("status %s", lu.Status)
		}
	})
	t.Run("the keys' owner", func(t *testing.T) {
		r := b.do("PATCH", "/Users/"+b.fake.OwnerID, patchOps+`[{"op":"Replace","path":"userName","value":"other2@contoso.example"},{"op":"Replace","path":"active","value":false}]}`)
		if r.status != http.StatusForbidden {
			t.Errorf("owner: %d %s, want 403", r.status, r.raw)
		}
		if lu, _ := b.fake.User(b.fake.OwnerID); lu.Status != lsqtest.UserActive {
			t.Errorf("owner status %s", lu.Status)
		}
	})
}

// TestEntraFlagInTenantURL: Microsoft's "Known issues and resolutions with SCIM 2.0
// protocol compliance" (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility)
// turns on Entra's compliant behaviour with a Tenant URL ending ?aadOptscim062020 (IBM's
// https://www.ibm.com/support/pages/node/7272019 gives ?aadOptscim062020=true); Entra then
// sends that parameter on its requests, beside its own. The bridge ignores it.
func TestEntraFlagInTenantURL(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	for _, flag := range []string{"aadOptscim062020", "aadOptscim062020=true"} {
		r := b.do("GET", "/Users?"+flag+"&filter="+url.QueryEscape(`userName eq "flag@contoso.example"`), "").want(t, 200)
		if r.body["totalResults"] != float64(0) {
			t.Errorf("%s: %s", flag, r.raw)
		}
	}
	r := b.do("POST", "/Users?aadOptscim062020", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"flag@contoso.example","active":true,
	  "name":{"givenName":"Fl","familyName":"Ag"},"emails":[{"primary":true,"type":"work","value":"flag@contoso.example"}]}`).want(t, http.StatusCreated)
	id := r.str("id")
	b.do("PATCH", "/Users/"+id+"?aadOptscim062020", patchOps+`[{"op":"replace","path":"active","value":false}]}`).want(t, 200)
	if u, _ := b.fake.User(id); u.Status != lsqtest.UserInactive {
		t.Errorf("status %s", u.Status)
	}
	r = b.do("GET", "/Users?aadOptscim062020&filter="+url.QueryEscape(`userName eq "flag@contoso.example"`), "").want(t, 200)
	if r.body["totalResults"] != float64(1) {
		t.Errorf("after the create: %s", r.raw)
	}
}

// TestEntraRoleAtCreate: an Entra ID app whose mapping sends
// SingleAppRoleAssignment([appRoleAssignments]) to roles[primary eq "True"].value
// (https://support.leadcast.nl/scim-provisioning-with-microsoft-entra-id-azure-ad) creates
// users with the role in the roles list, typed WindowsAzureActiveDirectoryRole (Microsoft's
// "Customize user provisioning attribute-mappings", section "Provisioning a role to a SCIM
// app"); a role LeadSquared lacks is refused by name, nothing created.
func TestEntraRoleAtCreate(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	body := func(email, primary, role string) string {
		return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"alias","userName":"` + email + `","active":true,
		  "displayName":"First Last","meta":{"resourceType":"User"},"name":{"givenName":"First","familyName":"Last"},
		  "roles":[{"primary":` + primary + `,"type":"WindowsAzureActiveDirectoryRole","value":"` + role + `"}]}`
	}
	for _, tc := range []struct{ email, primary, role string }{{"r1@contoso.example", "true", "Sales_Manager"}, {"r2@contoso.example", `"True"`, "Marketing_User"}} {
		r := b.do("POST", "/Users", body(tc.email, tc.primary, tc.role)).want(t, http.StatusCreated)
		if u, _ := b.fake.User(r.str("id")); u.Role != tc.role {
			t.Errorf("%s: role %s, want %s", tc.email, u.Role, tc.role)
		}
	}
	r := b.do("POST", "/Users", body("r3@contoso.example", "true", "Admin")).want(t, http.StatusBadRequest)
	if !strings.Contains(r.str("detail"), `"Admin"`) {
		t.Errorf("unknown role: %s", r.raw)
	}
	if _, ok := b.userByEmail("r3@contoso.example"); ok {
		t.Error("a user with an unknown role was created")
	}
}

// TestEntraStringBooleansInFilters: Entra ID writes booleans as "True"/"False" strings in
// its PATCH bodies and paths (Microsoft's "Known issues and resolutions with SCIM 2.0
// protocol compliance"), so a filter built from the same mapping, such as
// emails[primary eq "True"].value eq "x" or active eq "False", compares with a string: it is
// read as the boolean, which is what the attribute holds.
func TestEntraStringBooleansInFilters(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	u, err := b.fake.AddUser(lsqtest.User{FirstName: "Pat", LastName: "Old", EmailAddress: "pat@example.com", Role: "Sales_User"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{`emails[primary eq "True"].value eq "pat@example.com"`, `userName eq "pat@example.com" and active eq "True"`} {
		r := b.do("GET", "/Users?filter="+url.QueryEscape(f), "").want(t, 200)
		res, _ := r.body["Resources"].([]any)
		if len(res) != 1 || res[0].(map[string]any)["id"] != u.ID {
			t.Errorf("%s: %s", f, r.raw)
		}
	}
	r := b.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "pat@example.com" and active eq "False"`), "").want(t, 200)
	if r.body["totalResults"] != float64(0) {
		t.Errorf("active eq \"False\" matched an active user: %s", r.raw)
	}
}

// TestPathlessFilteredKeys: a path-less PATCH value may name a typed value as a key,
// phoneNumbers[type eq "work"].value, as the Entra SCIM validator sends dotted keys
// (https://docs.microsoft.com/en-us/answers/questions/1665068/scim-validation-tool-(https-scimvalidator-microsof)
// ); each is applied like the same path, not ignored.
func TestPathlessFilteredKeys(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	u, err := b.fake.AddUser(lsqtest.User{FirstName: "Pat", LastName: "Old", EmailAddress: "pat@example.com", Role: "Sales_User"})
	if err != nil {
		t.Fatal(err)
	}
	b.do("PATCH", "/Users/"+u.ID, patchOps+`[{"op":"replace","value":{"phoneNumbers[type eq \"work\"].value":"+1-555-0199",
	  "emails[type eq \"work\"].value":"PAT@example.com","roles[primary eq \"True\"].value":"Sales_Manager"}}]}`).want(t, 200)
	if lu, _ := b.fake.User(u.ID); lu.Attributes["PhoneMain"] != "+1-555-0199" || lu.Role != "Sales_Manager" || lu.EmailAddress != "pat@example.com" {
		t.Errorf("after the PATCH: %+v", lu)
	}
	r := b.do("PATCH", "/Users/"+u.ID, patchOps+`[{"op":"replace","value":{"emails[type eq \"work\"].value":"new@example.com"}}]}`).want(t, 400)
	if r.str("scimType") != "mutability" {
		t.Errorf("a new address: %s", r.raw)
	}
}
