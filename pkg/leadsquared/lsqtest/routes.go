package lsqtest

import (
	"net/http"
	"net/url"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest/internal/apiserver"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// routes is the fake's implementation of apiserver.ServerInterface, the server interface
// generated from the spec (internal/apiserver): one method per operation, generated too (routes.gen.go), each calling the
// fake's handler of its operation (createUser for CreateUser). An operation added to the spec
// and generated does not build here until the fake has its handler. The generated router
// (apiserver.HandlerWithOptions) routes a call that ServeHTTP has authenticated, rate-limited and
// validated, binds its query parameters into the operation's api.XParams and calls the method.
type routes struct{ s *Server }

var _ apiserver.ServerInterface = routes{}

// newRouter returns the generated router over the fake's routes.
func newRouter(s *Server) http.Handler {
	return apiserver.HandlerWithOptions(routes{s}, apiserver.StdHTTPServerOptions{
		BaseURL: BasePath,
		// Validation has passed, so binding does not fail; were it to, this is the fake's 400.
		ErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			w.(*exchange).answer(http.StatusBadRequest, errBody(api.ExceptionInvalidInput, "Invalid Input! "+err.Error()))
		},
	})
}

// exchange is the http.ResponseWriter the router is given: it carries the call to the
// operation's method and the handler's answer back to ServeHTTP, which sends it.
type exchange struct {
	c        *call
	status   int
	v        any
	answered bool
}

func (x *exchange) answer(status int, v any) { x.status, x.v, x.answered = status, v, true }

// Header, Write and WriteHeader take what the router itself would write (only for a route it
// does not know, which ServeHTTP answers with LeadSquared's 404): it is dropped.
func (x *exchange) Header() http.Header         { return http.Header{} }
func (x *exchange) Write(b []byte) (int, error) { return len(b), nil }
func (x *exchange) WriteHeader(int)             {}

// dispatch runs the handler of operation op through the router, with the query parameters the
// spec names under their spelling in the spec (LeadSquared matches query names in any letter
// case; see [query.Get]). ok is false when the router knows no such route.
func (s *Server) dispatch(r *http.Request, op *validate.Operation, query url.Values, c *call) (status int, v any, ok bool) {
	q := url.Values{}
	for _, name := range api.QueryParameters(op.ID) {
		if vs := validate.QueryValues(query, name); len(vs) > 0 {
			q[name] = vs[:1]
		}
	}
	u := *r.URL
	u.Path, u.RawPath, u.RawQuery = BasePath+op.Path, "", q.Encode()
	req := r.WithContext(r.Context())
	req.URL = &u
	x := &exchange{c: c}
	s.router.ServeHTTP(x, req)
	return x.status, x.v, x.answered
}

// run answers the call with handler h, under the server's lock.
func (a routes) run(w http.ResponseWriter, h func(*call) (int, any)) {
	x := w.(*exchange)
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	x.answer(h(x.c))
}

// with adapts a handler of an operation's query parameters p to run.
func with[P any](h func(*call, P) (int, any), p P) func(*call) (int, any) {
	return func(c *call) (int, any) { return h(c, p) }
}
