package scim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/scim"
)

// TestPatchForms: the PATCH forms IdPs send, each checked on the LeadSquared user.
func TestPatchForms(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	u, err := b.fake.AddUser(lsqtest.User{FirstName: "Pat", LastName: "Old", EmailAddress: "pat@example.com", Role: "Sales_User"})
	if err != nil {
		t.Fatal(err)
	}
	const pre = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	for _, tc := range []struct {
		name, ops string
		check     func(lsqtest.User) bool
	}{
		{"path-less add of dotted and URN keys", `{"op":"add","value":{"name.givenName":"Patricia","` + scim.EnterpriseSchema + `:department":"Ops"}}`,
			func(u lsqtest.User) bool { return u.FirstName == "Patricia" && u.Attributes["Department"] == "Ops" }},
		{"path-less replace of a complex value", `{"op":"Replace","value":{"name":{"givenName":"P","familyName":"New"}}}`,
			func(u lsqtest.User) bool { return u.FirstName == "P" && u.LastName == "New" }},
		{"remove with a path", `{"op":"Remove","path":"name.familyName"}`,
			func(u lsqtest.User) bool { return u.LastName == "" }},
		{"replace of a whole multi-valued attribute", `{"op":"replace","path":"phoneNumbers","value":[{"type":"work","value":"+91-1"}]}`,
			func(u lsqtest.User) bool { return u.Attributes["PhoneMain"] == "+91-1" }},
		{"role", `{"op":"replace","path":"roles","value":[{"value":"Sales_Manager","primary":true}]}`,
			func(u lsqtest.User) bool { return u.Role == "Sales_Manager" }},
		{"enterprise extension object", `{"op":"replace","path":"` + scim.EnterpriseSchema + `:department","value":"Sales"}`,
			func(u lsqtest.User) bool { return u.Attributes["Department"] == "Sales" }},
	} {
		r := b.do("PATCH", "/Users/"+u.ID, pre+tc.ops+`]}`)
		if r.status != http.StatusOK {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
			continue
		}
		if got, _ := b.fake.User(u.ID); !tc.check(got) {
			t.Errorf("%s: LeadSquared holds %+v", tc.name, got)
		}
	}
	for name, ops := range map[string]string{
		"remove givenName": `{"op":"remove","path":"name.givenName"}`,
		"remove active":    `{"op":"remove","path":"active"}`,
		"bad role":         `{"op":"replace","path":"roles","value":[{"value":"Boss"}]}`,
		"unknown op":       `{"op":"move","path":"title","value":"x"}`,
		"remove no path":   `{"op":"remove"}`,
	} {
		if r := b.do("PATCH", "/Users/"+u.ID, pre+ops+`]}`); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	if n := b.fake.Count("DeactivateUser"); n != 0 {
		t.Errorf("%d deactivations", n)
	}
}

// TestPutKeepsOmitted: a PUT changes what it carries and leaves what it omits.
func TestPutKeepsOmitted(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	r := b.do("POST", "/Users", `{"schemas":["`+scim.UserSchema+`"],"userName":"put@example.com","name":{"givenName":"A","familyName":"B"},"title":"CTO"}`).want(t, http.StatusCreated)
	id := r.str("id")
	b.do("PUT", "/Users/"+id, `{"schemas":["`+scim.UserSchema+`"],"userName":"put@example.com","name":{"givenName":"C"},"active":true}`).want(t, http.StatusOK)
	u, _ := b.fake.User(id)
	if u.FirstName != "C" || u.LastName != "B" || u.Attributes["Designation"] != "CTO" {
		t.Errorf("after PUT: %+v", u)
	}
}

// TestAddOtherEmail: an add of a value to a multi-valued attribute adds it (RFC 7644
// section 3.5.2.1). A home or other address added to emails is not the work address
// LeadSquared holds: ignored and audited, not taken as a change of the user's address.
func TestAddOtherEmail(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	u, err := b.fake.AddUser(lsqtest.User{FirstName: "Pat", LastName: "Old", EmailAddress: "pat@example.com", Role: "Sales_User"})
	if err != nil {
		t.Fatal(err)
	}
	const pre = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	for _, ops := range []string{
		`{"op":"add","path":"emails","value":[{"type":"other","value":"pat.private@example.net"}]}`,
		`{"op":"Add","value":{"emails":[{"type":"home","value":"pat.home@example.net"}]}}`,
	} {
		r := b.do("PATCH", "/Users/"+u.ID, pre+ops+`]}`)
		if r.status != http.StatusOK {
			t.Errorf("%s: %d %s", ops, r.status, r.raw)
		}
		if lu, _ := b.fake.User(u.ID); lu.EmailAddress != "pat@example.com" {
			t.Errorf("%s: address %s", ops, lu.EmailAddress)
		}
	}
	if !strings.Contains(b.audit.String(), `"ignored":["emails`) {
		t.Errorf("the other addresses are not named in the audit log: %s", b.audit.String())
	}
	// A work address that differs is still refused.
	r := b.do("PATCH", "/Users/"+u.ID, pre+`{"op":"add","path":"emails","value":[{"type":"work","value":"new@example.com"}]}]}`)
	if r.status != http.StatusBadRequest || r.str("scimType") != "mutability" {
		t.Errorf("new work address: %d %s", r.status, r.raw)
	}
}
