package scim_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/scim"
)

// barrier holds every call to the path (a LeadSquared operation) until n have arrived,
// then lets them all go: n instances of the bridge have each looked the address up (and
// found no one) before any of them writes, the race the per-process lock cannot see.
func barrier(path string, n int, next http.Handler) http.Handler {
	var mu sync.Mutex
	arrived := 0
	release := make(chan struct{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, path) {
			mu.Lock()
			arrived++
			if arrived == n {
				close(release)
			}
			mu.Unlock()
			<-release
		}
		next.ServeHTTP(w, r)
	})
}

// instances starts n bridges (each with its own process lock, as n `lsq scim serve`
// processes) over one fake account, whose calls to barrierPath wait for each other.
func instances(t *testing.T, n int, shared bool, barrierPath string) (*lsqtest.Server, []*bridge) {
	t.Helper()
	fake := lsqtest.MustNewServer(t)
	api := httptest.NewServer(barrier(barrierPath, n, fake.Handler()))
	t.Cleanup(api.Close)
	var out []*bridge
	for range n {
		c, err := leadsquared.New(api.URL+lsqtest.BasePath, fake.AccessKey, fake.SecretKey, leadsquared.WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		audit := &syncBuffer{}
		h, err := scim.New(scim.Config{Client: c, Token: testToken, DefaultRole: "Sales_User", Audit: audit, Shared: shared})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		out = append(out, &bridge{t: t, fake: fake, srv: srv, audit: audit})
	}
	return fake, out
}

const (
	createPath   = "/UserManagement.svc/User/Create"
	activatePath = "/UserManagement.svc/User/Activate"
)

// activeLike counts the fake's active users whose address is one of addrs.
func activeLike(fake *lsqtest.Server, addrs ...string) (active, all int) {
	for _, u := range fake.Users() {
		for _, a := range addrs {
			if u.EmailAddress == a {
				all++
				if u.Status == lsqtest.UserActive {
					active++
				}
			}
		}
	}
	return active, all
}

// TestSharedLookalikes: two instances create look-alike addresses at once (each looked
// the address up before either created). Without Shared both users stay active (what the
// package doc warns of); with Shared at most one does, the other is deactivated and its
// create answered 409, and after the IdPs follow a 409 up (find the user, set active true)
// exactly one is active.
func TestSharedLookalikes(t *testing.T) {
	t.Parallel()
	addrs := []string{"race@example.com", "ｒａｃｅ@example.com"}
	createBoth := func(bs []*bridge) [2]reply {
		var rs [2]reply
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() { defer wg.Done(); rs[i] = bs[i].do("POST", "/Users", newUser(addrs[i])) }()
		}
		wg.Wait()
		return rs
	}

	fake, bs := instances(t, 2, false, createPath)
	createBoth(bs)
	if active, _ := activeLike(fake, addrs...); active != 2 {
		t.Errorf("without Shared: %d active look-alikes; the race this test sets up should give 2", active)
	}

	fake, bs = instances(t, 2, true, createPath)
	rs := createBoth(bs)
	created := 0
	for i, r := range rs {
		switch r.status {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			if r.str("scimType") != "uniqueness" || !strings.Contains(r.str("detail"), "deactivated") {
				t.Errorf("%s: %s", addrs[i], r.raw)
			}
			if !strings.Contains(bs[i].audit.String(), "create: deactivate (a user whose address looks the same") {
				t.Errorf("%s: the audit log does not say why the user was deactivated:\n%s", addrs[i], bs[i].audit.String())
			}
		default:
			t.Errorf("%s: %d %s", addrs[i], r.status, r.raw)
		}
	}
	active, all := activeLike(fake, addrs...)
	t.Logf("with Shared: %d of 2 creates answered 201; %d of %d look-alikes active", created, active, all)
	if all != 2 || active != created || active > 1 {
		t.Fatalf("with Shared: %d created, %d of %d look-alikes active; want at most one active, the one answered 201", created, active, all)
	}
	// The IdPs follow each 409 up: find the user by userName and set it active.
	activated := 0
	for i, r := range rs {
		if r.status != http.StatusConflict {
			continue
		}
		res := bs[i].do("GET", filterQuery(`userName eq "`+addrs[i]+`"`), "").want(t, 200)
		found, _ := res.body["Resources"].([]any)
		if len(found) != 1 {
			t.Fatalf("%s: %d users found", addrs[i], len(found))
		}
		id := found[0].(map[string]any)["id"].(string)
		p := bs[i].do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":true}]}`)
		switch p.status {
		case http.StatusOK:
			activated++
		case http.StatusConflict:
		default:
			t.Errorf("%s: re-activation %d %s", addrs[i], p.status, p.raw)
		}
	}
	if active, _ = activeLike(fake, addrs...); active != 1 {
		t.Errorf("after the IdPs' re-activations: %d active look-alikes, want 1 (%d created, %d re-activated)", active, created, activated)
	}
}

// TestSharedReactivation: two instances re-activate two inactive look-alikes at once (each
// found no active look-alike before either activated). With Shared at most one stays
// active; without, both would.
func TestSharedReactivation(t *testing.T) {
	t.Parallel()
	addrs := []string{"again@example.com", "ａｇａｉｎ@example.com"}
	for _, shared := range []bool{false, true} {
		fake, bs := instances(t, 2, shared, activatePath)
		var ids []string
		for _, a := range addrs {
			u, err := fake.AddUser(lsqtest.User{FirstName: "A", EmailAddress: a, Role: "Sales_User", Status: lsqtest.UserInactive})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.ID)
		}
		var rs [2]reply
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rs[i] = bs[i].do("PATCH", "/Users/"+ids[i], `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":true}]}`)
			}()
		}
		wg.Wait()
		active, _ := activeLike(fake, addrs...)
		t.Logf("shared %t: answers %d, %d; %d active", shared, rs[0].status, rs[1].status, active)
		switch {
		case !shared && active != 2:
			t.Errorf("without Shared: %d active; the race this test sets up should give 2", active)
		case shared && active > 1:
			t.Errorf("with Shared: %d active look-alikes, want at most 1", active)
		}
		if shared {
			for i, r := range rs {
				if ok := r.status == http.StatusOK || r.status == http.StatusConflict; !ok {
					t.Errorf("%s: %d %s", addrs[i], r.status, r.raw)
				}
				u, _ := fake.User(ids[i])
				if (r.status == http.StatusOK) != (u.Status == lsqtest.UserActive) {
					t.Errorf("%s: answered %d, status %s", addrs[i], r.status, u.Status)
				}
			}
		}
	}
}
