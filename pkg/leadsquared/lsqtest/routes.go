package lsqtest

import (
	"net/http"
	"net/url"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// routes is the fake's implementation of api.ServerInterface, the server interface generated
// from the spec: one method per operation. An operation added to the spec and generated does
// not build here until the fake serves it. The generated router (api.HandlerWithOptions)
// routes a call that ServeHTTP has authenticated, rate-limited and validated, binds its query
// parameters into the operation's api.XParams and calls the method, which runs the handler.
type routes struct{ s *Server }

var _ api.ServerInterface = routes{}

// newRouter returns the generated router over the fake's routes.
func newRouter(s *Server) http.Handler {
	return api.HandlerWithOptions(routes{s}, api.StdHTTPServerOptions{
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
func (s *Server) dispatch(r *http.Request, op *validate.Operation, c *call) (status int, v any, ok bool) {
	q := url.Values{}
	for _, name := range api.QueryParameters(op.ID) {
		if vs := validate.QueryValues(r.URL.Query(), name); len(vs) > 0 {
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

// ---- users ----

func (a routes) CreateUser(w http.ResponseWriter, _ *http.Request) { a.run(w, a.s.createUser) }
func (a routes) AuthenticateUser(w http.ResponseWriter, _ *http.Request) {
	a.run(w, a.s.authenticateUser)
}
func (a routes) GetUsers(w http.ResponseWriter, _ *http.Request) { a.run(w, a.s.getUsers) }
func (a routes) GetUserByID(w http.ResponseWriter, _ *http.Request, p api.GetUserByIDParams) {
	a.run(w, with(a.s.getUserByID, p))
}
func (a routes) GetUserByEmail(w http.ResponseWriter, _ *http.Request, p api.GetUserByEmailParams) {
	a.run(w, with(a.s.getUserByEmail, p))
}
func (a routes) UpdateUser(w http.ResponseWriter, _ *http.Request, p api.UpdateUserParams) {
	a.run(w, with(a.s.updateUser, p))
}
func (a routes) BulkUpdateUsers(w http.ResponseWriter, _ *http.Request) {
	a.run(w, a.s.bulkUpdateUsers)
}
func (a routes) BulkUpdateUserManagers(w http.ResponseWriter, _ *http.Request) {
	a.run(w, a.s.bulkUpdateUserManagers)
}
func (a routes) ActivateUser(w http.ResponseWriter, _ *http.Request, p api.ActivateUserParams) {
	a.run(w, with(a.s.activateUser, p))
}
func (a routes) DeactivateUser(w http.ResponseWriter, _ *http.Request, p api.DeactivateUserParams) {
	a.run(w, with(a.s.deactivateUser, p))
}
func (a routes) MarkUserObsolete(w http.ResponseWriter, _ *http.Request, p api.MarkUserObsoleteParams) {
	a.run(w, with(a.s.markUserObsolete, p))
}
func (a routes) GetUserTags(w http.ResponseWriter, _ *http.Request, p api.GetUserTagsParams) {
	a.run(w, with(a.s.getUserTags, p))
}
func (a routes) AdvancedSearchUsers(w http.ResponseWriter, _ *http.Request) {
	a.run(w, a.s.advancedSearchUsers)
}
func (a routes) GetUserAttributes(w http.ResponseWriter, _ *http.Request) {
	a.run(w, a.s.getUserAttributes)
}
func (a routes) NotifyUsers(w http.ResponseWriter, _ *http.Request) { a.run(w, a.s.notifyUsers) }

// ---- permission templates ----

func (a routes) CreatePermissionTemplate(w http.ResponseWriter, _ *http.Request) {
	a.run(w, a.s.createTemplate)
}
func (a routes) UpdatePermissionTemplate(w http.ResponseWriter, _ *http.Request, p api.UpdatePermissionTemplateParams) {
	a.run(w, with(a.s.updateTemplate, p))
}
func (a routes) DeletePermissionTemplate(w http.ResponseWriter, _ *http.Request, p api.DeletePermissionTemplateParams) {
	a.run(w, with(a.s.deleteTemplate, p))
}
func (a routes) GetPermissionTemplates(w http.ResponseWriter, _ *http.Request) {
	a.run(w, a.s.getTemplates)
}
func (a routes) ApplyPermissionTemplate(w http.ResponseWriter, _ *http.Request, p api.ApplyPermissionTemplateParams) {
	a.run(w, with(a.s.applyTemplate, p))
}
func (a routes) OverwritePermissionTemplate(w http.ResponseWriter, _ *http.Request) {
	a.run(w, a.s.overwriteTemplate)
}
func (a routes) GetUserPermissions(w http.ResponseWriter, _ *http.Request, p api.GetUserPermissionsParams) {
	a.run(w, with(a.s.getUserPermissions, p))
}

// ---- hierarchy and availability ----

func (a routes) GetUserHierarchy(w http.ResponseWriter, _ *http.Request, p api.GetUserHierarchyParams) {
	a.run(w, with(a.s.getUserHierarchy, p))
}
func (a routes) GetUserHierarchyInfo(w http.ResponseWriter, _ *http.Request) {
	a.run(w, a.s.getUserHierarchyInfo)
}
func (a routes) CheckInUser(w http.ResponseWriter, _ *http.Request)  { a.run(w, a.s.checkIn) }
func (a routes) CheckOutUser(w http.ResponseWriter, _ *http.Request) { a.run(w, a.s.checkOut) }
func (a routes) GetCheckInStatus(w http.ResponseWriter, _ *http.Request, p api.GetCheckInStatusParams) {
	a.run(w, with(a.s.getCheckInStatus, p))
}
func (a routes) GetCheckInHistory(w http.ResponseWriter, _ *http.Request) {
	a.run(w, a.s.getCheckInHistory)
}
func (a routes) GetUserWorkDayDetails(w http.ResponseWriter, _ *http.Request, p api.GetUserWorkDayDetailsParams) {
	a.run(w, with(a.s.getWorkDayDetails, p))
}
func (a routes) SendConverseNotification(w http.ResponseWriter, _ *http.Request) {
	a.run(w, a.s.sendConverse)
}
