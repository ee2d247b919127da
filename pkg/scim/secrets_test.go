package scim_test

import (
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/redact"
)

// TestSecretsNeverLeak: with keys and a token that URL-escape, no answer and no audit
// line holds them, in any spelling, whether LeadSquared answers, fails or drops.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	const access, secret = "a$b/c+d%e", "s$e/c+r%t=&"
	b := setup(t, nil, lsqtest.WithKeys(access, secret))
	rd := redact.New([]string{access, secret, testToken}, nil)
	var seen []string
	check := func(r reply) {
		seen = append(seen, r.raw)
		for k, vs := range r.header {
			for _, v := range vs {
				seen = append(seen, k+": "+v)
			}
		}
	}
	check(b.do("POST", "/Users", newUser("ok@example.com")))
	for _, f := range []lsqtest.Fault{{Status: 500}, {Status: 401}, {Drop: true}, {Status: 400}, {Status: 429}} {
		if err := b.fake.FailNext("", 1, f); err != nil {
			t.Fatal(err)
		}
		check(b.do("POST", "/Users", newUser("x@example.com")))
		b.fake.ClearFaults()
		if err := b.fake.FailNext(api.OpDeactivateUser, 1, f); err != nil {
			t.Fatal(err)
		}
		u, _ := b.userByEmail("ok@example.com")
		check(b.do("DELETE", "/Users/"+u.ID, ""))
		check(b.do("PATCH", "/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`))
		b.fake.ClearFaults()
		// A deactivation beside a refused change, with the deactivation failing.
		if err := b.fake.FailNext(api.OpDeactivateUser, 1, f); err != nil {
			t.Fatal(err)
		}
		check(b.do("PATCH", "/Users/"+u.ID+"?attributes=userName", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"userName","value":"new@example.com"},{"op":"Replace","path":"active","value":"False"}]}`))
		b.fake.ClearFaults()
		check(b.do("PATCH", "/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`))
	}
	check(b.doToken("GET", "/Users", "", testToken+"x"))
	seen = append(seen, b.audit.String())
	for _, s := range seen {
		if rd.Contains(s) {
			t.Errorf("a key or the token leaked: %s", rd.Scrub(s))
		}
	}
	if b.audit.String() == "" {
		t.Error("no audit lines written")
	}
}
