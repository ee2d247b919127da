package leadsquared

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/spec"
)

// opLimiter records the Operation of every Wait.
type opLimiter struct {
	mu  sync.Mutex
	ops []Operation
	oks []bool
}

func (l *opLimiter) Wait(ctx context.Context) error {
	op, ok := OperationFromContext(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, op)
	l.oks = append(l.oks, ok)
	return ctx.Err()
}

func TestSpecMarksTheBulkOperations(t *testing.T) {
	t.Parallel()
	if len(api.OperationIDs) != 30 {
		t.Errorf("%d operations, want the spec's 30", len(api.OperationIDs))
	}
	var bulk []string
	for _, id := range api.OperationIDs {
		op, ok := api.LookupOperation(id)
		if !ok || op.ID != id {
			t.Errorf("%s: not in the table", id)
			continue
		}
		if r, ok := api.LookupRoute(op.Method, op.Path); !ok || r != op {
			t.Errorf("%s: LookupRoute(%s %s) = %v, %v", id, op.Method, op.Path, r, ok)
		}
		if op.Bulk {
			bulk = append(bulk, string(op.ID))
		}
	}
	slices.Sort(bulk)
	if want := []string{"BulkUpdateUserManagers", "BulkUpdateUsers"}; !slices.Equal(bulk, want) {
		t.Errorf("bulk operations %v, want %v", bulk, want)
	}
}

// policy is what a limiter and the retry decision read of an Operation.
type policy struct {
	ID               api.OperationID
	Bulk, Idempotent bool
}

func policyOf(op Operation) policy { return policy{op.ID, op.Bulk, op.Idempotent} }

func TestLimiterSeesTheOperation(t *testing.T) {
	t.Parallel()
	lim := &opLimiter{}
	s := serve(reply{status: 429, body: rateLimitBody(5, 5)}, reply{status: 200, body: `{"Status":"Success","WFAId":"1"}`})
	env := setup(t, s, WithLimiter(lim))
	ctx := t.Context()
	// A retried bulk call: both attempts carry the operation.
	if _, err := env.c.API().BulkUpdateUserManagersWithResponse(ctx, api.UserManagerUpdateList{{UserID: "u", ManagerID: "m"}}); err != nil {
		t.Fatal(err)
	}
	s2 := serve(reply{status: 200, body: usersJSON})
	env2 := setup(t, s2, WithLimiter(lim))
	if _, err := env2.c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: "x"}); err != nil {
		t.Fatal(err)
	}
	// A route the spec does not know: no operation.
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, env2.c.BaseURL()+"/Nowhere.svc/Get", nil)
	if _, err := env2.c.doer.Do(req); err != nil {
		t.Fatal(err)
	}
	bulk := policy{ID: "BulkUpdateUserManagers", Bulk: true}
	want := []policy{bulk, bulk, {ID: api.OpGetUserByID, Idempotent: true}, {}}
	lim.mu.Lock()
	defer lim.mu.Unlock()
	var got []policy
	for _, op := range lim.ops {
		got = append(got, policyOf(op))
	}
	if !slices.Equal(got, want) || !slices.Equal(lim.oks, []bool{true, true, true, false}) {
		t.Errorf("limiter saw %v %v, want %v", got, lim.oks, want)
	}
}

// A generated method carries its operation to the doer: the doer does not look the route up
// again (route fails the test), and the limiter sees the table's entry.
func TestMethodCarriesItsOperation(t *testing.T) {
	t.Parallel()
	lim := &opLimiter{}
	s := serve(reply{status: 429, body: rateLimitBody(5, 5)}, reply{status: 200, body: `{"Status":"Success","WFAId":"1"}`})
	env := setup(t, s, WithLimiter(lim))
	env.c.doer.route = func(method, path string) (*Operation, bool) {
		t.Errorf("route looked up for %s %s", method, path)
		return nil, false
	}
	if _, err := env.c.BulkUpdateUserManagers(t.Context(), api.UserManagerUpdateList{{UserID: "u", ManagerID: "m"}}); err != nil {
		t.Fatal(err)
	}
	want, _ := api.LookupOperation(api.OpBulkUpdateUserManagers)
	lim.mu.Lock()
	defer lim.mu.Unlock()
	if len(lim.ops) != 2 || lim.ops[0] != want || lim.ops[1] != want {
		t.Errorf("limiter saw %+v, want twice %+v", lim.ops, want)
	}
}

// A request built by hand is paced and retried as its route's operation, whatever operation a
// caller put into its context with ContextWithOperation.
func TestDoIgnoresContextWithOperation(t *testing.T) {
	t.Parallel()
	lim := &opLimiter{}
	s := serve(reply{status: 500, body: "oops"})
	env := setup(t, s, WithLimiter(lim))
	// CreateUser's route, with a context that says "a safe GetUsers".
	get, _ := api.LookupOperation(api.OpGetUsers)
	ctx := ContextWithOperation(t.Context(), get)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, env.c.BaseURL()+"/UserManagement.svc/User/Create", strings.NewReader(`{}`))
	_, err := env.c.Do(req)
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("err = %v, want a write's unknown outcome", err)
	}
	if s.Hits() != 1 {
		t.Errorf("%d hits: a write was repeated", s.Hits())
	}
	lim.mu.Lock()
	defer lim.mu.Unlock()
	if len(lim.ops) != 1 || lim.ops[0].ID != api.OpCreateUser {
		t.Errorf("limiter saw %+v, want CreateUser", lim.ops)
	}
}

func TestOperationFromContext(t *testing.T) {
	t.Parallel()
	if _, ok := OperationFromContext(context.Background()); ok {
		t.Error("a plain context has an operation")
	}
	if _, ok := OperationFromContext(nil); ok { //nolint:staticcheck // nil must not panic
		t.Error("a nil context has an operation")
	}
	op := Operation{ID: "BulkUpdateUsers", Bulk: true}
	if got, ok := OperationFromContext(ContextWithOperation(context.Background(), op)); !ok || got != op {
		t.Errorf("got %v, %v", got, ok)
	}
}

// specDoc loads the spec the client was generated from.
func specDoc(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(spec.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The generated operation table is the spec's, as spec.OperationPolicy reads it (make test also
// fails when pkg/api/operations.gen.go is stale; this says which entry differs).
func TestOperationTableMatchesSpec(t *testing.T) {
	t.Parallel()
	n := 0
	for path, item := range specDoc(t).Paths.Map() {
		for method, o := range item.Operations() {
			n++
			id, _ := api.ParseOperationID(o.OperationID)
			p, err := spec.OperationPolicy(method, o.Extensions)
			if err != nil {
				t.Fatalf("%s: %v", o.OperationID, err)
			}
			want := Operation{ID: id, Method: method, Path: path, Summary: o.Summary, DocsURL: o.ExternalDocs.URL,
				Idempotent: p.Idempotent, Bulk: p.Bulk, Single: p.Single}
			if got, ok := api.LookupRoute(method, path); !ok || got != want {
				t.Errorf("%s %s: table has %+v (present %v), spec says %+v", method, path, got, ok, want)
			}
		}
	}
	if n != len(api.OperationIDs) {
		t.Errorf("table has %d operations, spec %d", len(api.OperationIDs), n)
	}
}

// api hands out copies of its table: changing one changes neither api's table nor the entry
// the client carries and reads its policy from.
func TestOperationTableCannotBeChanged(t *testing.T) {
	t.Parallel()
	op, _ := api.LookupOperation(api.OpCreateUser)
	op.Idempotent = true
	r, _ := api.LookupRoute(op.Method, op.Path)
	r.Idempotent = true
	if again, _ := api.LookupOperation(api.OpCreateUser); again.Idempotent {
		t.Error("api's table changed through a looked-up copy")
	}
	if table.operation(api.OpCreateUser).Idempotent {
		t.Error("the client's table changed through a looked-up copy")
	}
}
