package leadsquared

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
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
	ops := operations
	if len(ops) != 30 {
		t.Errorf("%d operations, want the spec's 30", len(ops))
	}
	var bulk []string
	for r, op := range ops {
		if op.ID == "" {
			t.Errorf("%s %s: no operationId", r.method, r.path)
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
	bulk := Operation{ID: "BulkUpdateUserManagers", Bulk: true}
	want := []Operation{bulk, bulk, {ID: api.OpGetUserByID, Idempotent: true}, {}}
	lim.mu.Lock()
	defer lim.mu.Unlock()
	if !slices.Equal(lim.ops, want) || !slices.Equal(lim.oks, []bool{true, true, true, false}) {
		t.Errorf("limiter saw %v %v, want %v", lim.ops, lim.oks, want)
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

// The generated operation table is the spec's, as package validate reads it (make test also
// fails when operations.gen.go is stale; this says which entry differs).
func TestOperationTableMatchesSpec(t *testing.T) {
	t.Parallel()
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	want := map[route]Operation{}
	for _, o := range v.Operations() {
		want[route{o.Method, o.Path}] = Operation{ID: o.ID, Idempotent: o.Idempotent, Bulk: o.Bulk}
	}
	for r, op := range want {
		if got, ok := operations[r]; !ok || got != op {
			t.Errorf("%s %s: table has %+v (present %v), spec says %+v", r.method, r.path, got, ok, op)
		}
	}
	if len(operations) != len(want) {
		t.Errorf("table has %d operations, spec %d", len(operations), len(want))
	}
}
