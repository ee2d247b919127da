package leadsquared

import (
	"context"
	"net/http"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Operation is an operation of the spec and what the spec says about calling it: its entry
// of the generated table, [api.Operation] (ID, route, summary, docs page, Idempotent, Bulk,
// Single). The client puts it into the context it gives [Limiter.Wait], so that a limiter can
// keep a separate budget for bulk operations; read it there with [OperationFromContext].
type Operation = api.Operation

type operationKey struct{}

// OperationFromContext returns the operation a limiter is asked to pace, or a [Middleware]
// sees: the client puts it into the context of every [Limiter.Wait] call and of every
// attempt's request (req.Context()) for a request whose route is in the spec. ok is false for
// any other context (a request to a route the spec does not know, or a context not made by
// the client or [ContextWithOperation]).
func OperationFromContext(ctx context.Context) (op Operation, ok bool) {
	if ctx == nil {
		return Operation{}, false
	}
	switch v := ctx.Value(operationKey{}).(type) {
	case *Operation: // the table's entry, put there by the client (withOperation)
		return *v, true
	case Operation: // ContextWithOperation
		return v, true
	}
	return Operation{}, false
}

// ContextWithOperation returns a copy of ctx that carries op, as the client's contexts for
// [Limiter.Wait] do. It is for tests of a Limiter and for limiters that call other limiters.
// A nil ctx is taken for context.Background().
func ContextWithOperation(ctx context.Context, op Operation) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, operationKey{}, op)
}

// withOperation returns ctx carrying op, an entry of the table (a pointer: no copy, no
// allocation but the context's). The doer trusts only such an entry, never one a caller put
// there with ContextWithOperation.
func withOperation(ctx context.Context, op *Operation) context.Context {
	return context.WithValue(ctx, operationKey{}, op)
}

// requestOperation returns the operation of req, and the context to give the limiter (req's,
// carrying the operation): the entry the generated method put into the context (call); for a
// request that did not come from one ([Client.Do], [Client.API]), the entry of its route,
// found here, once per request; for a route the spec does not have, an Operation without an
// ID, safe to repeat by its method (api.IdempotentMethod), and req's context as it is.
func (d *doer) requestOperation(req *http.Request) (*Operation, context.Context) {
	ctx := req.Context()
	if op, ok := ctx.Value(operationKey{}).(*Operation); ok && op != nil {
		return op, ctx
	}
	if op, ok := d.route(req.Method, strings.TrimPrefix(req.URL.Path, d.basePath)); ok {
		return op, withOperation(ctx, op)
	}
	if api.IdempotentMethod(req.Method) {
		return &unknownSafe, ctx
	}
	return &unknownUnsafe, ctx
}

// table is the client's own copy of api's table of operations, indexed by ID and by route: the
// entries the generated methods put into the context. api hands out copies only, so nothing
// a caller does changes the policy the client reads. Its entries are never changed.
var table = newOperationTable()

type operationTable struct {
	byID    map[api.OperationID]*Operation
	byRoute map[[2]string]*Operation // method, path relative to the server URL
}

func newOperationTable() operationTable {
	t := operationTable{byID: map[api.OperationID]*Operation{}, byRoute: map[[2]string]*Operation{}}
	for _, id := range api.OperationIDs {
		op, _ := api.LookupOperation(id)
		t.byID[id] = &op
		t.byRoute[[2]string{op.Method, op.Path}] = &op
	}
	return t
}

// operation returns the table's entry of id, nil for an operation the table does not have.
func (t operationTable) operation(id api.OperationID) *Operation { return t.byID[id] }

// route returns the table's entry of a method and a path relative to the server URL.
func (t operationTable) route(method, path string) (*Operation, bool) {
	op, ok := t.byRoute[[2]string{method, path}]
	return op, ok
}

// The operations of requests to routes the spec does not have (never changed).
var unknownSafe, unknownUnsafe = Operation{Idempotent: true}, Operation{}
