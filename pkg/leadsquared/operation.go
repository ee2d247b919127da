package leadsquared

import (
	"context"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Operation names the operation of the spec a request belongs to. The client puts it into
// the context it gives [Limiter.Wait], so that a limiter can keep a separate budget for
// bulk operations; read it there with [OperationFromContext].
type Operation struct {
	// ID is the operationId in the spec, e.g. api.OpAdvancedSearchUsers.
	ID api.OperationID
	// Bulk is true for the operations the spec marks x-lsq-bulk: true (BulkUpdateUsers,
	// BulkUpdateUserManagers), which LeadSquared's plans limit with a separate, lower budget.
	Bulk bool
	// Idempotent is true when the call may be repeated after a 5xx or a broken connection: a
	// GET unless the spec marks it x-idempotent: false, a POST only when it is marked
	// x-idempotent: true (searches and other reads).
	Idempotent bool
}

type operationKey struct{}

// OperationFromContext returns the operation a limiter is asked to pace: the client puts it
// into the context of every [Limiter.Wait] call for a request whose route is in the spec.
// ok is false for any other context (a request to a route the spec does not know, or a
// context not made by the client or [ContextWithOperation]).
func OperationFromContext(ctx context.Context) (op Operation, ok bool) {
	if ctx == nil {
		return Operation{}, false
	}
	op, ok = ctx.Value(operationKey{}).(Operation)
	return op, ok
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

// operation returns the Operation of a request's route (the zero Operation for a route the
// spec does not have).
func (d *doer) operation(method, urlPath string) Operation {
	return d.ops[route{method, strings.TrimPrefix(urlPath, d.basePath)}]
}

// limiterContext returns the context to give the limiter for req: ctx with the request's
// Operation when the spec knows its route.
func (d *doer) limiterContext(ctx context.Context, method, urlPath string) context.Context {
	op := d.operation(method, urlPath)
	if op.ID == "" {
		return ctx
	}
	return ContextWithOperation(ctx, op)
}
