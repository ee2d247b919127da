package lsqtest_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// What real callers see of LeadSquared beyond its docs, and the fake does too.

// LeadSquared's WCF services match query names in any letter case: the official PHP library
// sends UserId= where the docs write userId=.
func TestQueryNamesMatchInAnyCase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.createUser("Chris", "chris@example.com", "Sales_User")
	if err := e.srv.AddUserTag(id, "location", "bangalore"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		query      url.Values
	}{
		{"GetUserByID documented", "/UserManagement.svc/User/Retrieve/ByUserId", q("userId", id)},
		{"GetUserByID as PHP sends it", "/UserManagement.svc/User/Retrieve/ByUserId", q("UserId", id)},
		{"GetUserByID upper case", "/UserManagement.svc/User/Retrieve/ByUserId", q("USERID", id)},
		{"GetUserByEmail", "/UserManagement.svc/User/Retrieve/ByEmailAddress", q("EmailAddress", "chris@example.com")},
		{"GetUserTags", "/UserManagement.svc/Retrieve/GetTags", q("UserID", id)},
	} {
		var got []map[string]any
		e.mustOK(e.call("GET", tc.path, tc.query, "")).json(t, &got)
		if len(got) != 1 {
			t.Errorf("%s (%s): %d results, want 1: %v", tc.name, tc.query.Encode(), len(got), got)
		}
	}
	// Query names of a write, and of two parameters at once.
	e.mustOK(e.call("POST", "/UserManagement.svc/User/Update", q("userid", id), `{"user":{"LastName":"Kant"}}`))
	if u, _ := e.srv.User(id); u.LastName != "Kant" {
		t.Errorf("UpdateUser with userid=: LastName %q", u.LastName)
	}
	e.mustOK(e.call("GET", "/UserManagement.svc/User/GetWorkDayDetails", q("UserID", id, "Date", "2024-03-04"), ""))
	if r := e.call("GET", "/UserManagement.svc/User/GetWorkDayDetails", q("UserID", "00000000-0000-0000-0000-000000000000", "Date", "2024-03-04"), ""); r.status == http.StatusOK {
		t.Errorf("work day of an unknown user read with UserID=: status %d, want an error", r.status)
	}
	// The documented spelling wins over another one.
	var got []map[string]any
	e.mustOK(e.call("GET", "/UserManagement.svc/User/Retrieve/ByUserId", url.Values{"userId": {id}, "UserId": {"00000000-0000-0000-0000-000000000000"}}, "")).json(t, &got)
	if len(got) != 1 {
		t.Errorf("documented userId with another UserId: %d results, want 1", len(got))
	}
	// A missing parameter is still missing, whatever else is sent.
	r := e.call("GET", "/UserManagement.svc/User/Retrieve/ByUserId", q("user", id), "")
	if r.status != http.StatusBadRequest {
		t.Fatalf("missing userId: status %d, want 400", r.status)
	}
	if _, msg := r.errorBody(t); !strings.Contains(msg, "userId") || !strings.Contains(msg, "required") {
		t.Errorf("missing userId: message %q", msg)
	}
	// The keys, too.
	e.mustOK(e.raw("GET", "/Authentication.svc/UserByAccessKey.Get", q("AccessKey", e.srv.AccessKey, "SECRETKEY", e.srv.SecretKey), nil, ""))
	if r := e.raw("GET", "/Authentication.svc/UserByAccessKey.Get", q("AccessKey", e.srv.AccessKey, "SECRETKEY", "wrong"), nil, ""); r.status != http.StatusUnauthorized {
		t.Errorf("wrong key under another casing: status %d, want 401", r.status)
	}
	for _, rq := range e.srv.Requests() {
		for k, vs := range rq.Query {
			if strings.EqualFold(k, "secretKey") && (len(vs) != 1 || vs[0] != lsqtest.Redacted) {
				t.Errorf("request log holds %s unredacted", k)
			}
		}
	}
}

// LeadSquared answers these User Advanced Search mistakes with HTTP 500 and its error body
// (public code run against live accounts quotes the messages).
func TestAdvancedSearchValidationErrorsAre500(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const (
		path       = "/UserManagement.svc/User/AdvancedSearch"
		attributes = "User search has some invalid Attributes"
		pageSize   = "PageSize can't be greater than 1000"
	)
	for _, tc := range []struct{ body, msg string }{
		{`{"Columns":{"Include_CSV":"UserID,ManagerName"}}`, attributes},
		{`{"Columns":{"Include_CSV":"UserID, TeamName"}}`, attributes},
		{`{"Columns":{"Include_CSV":"teamname"}}`, attributes},
		{`{"Paging":{"PageIndex":1,"PageSize":1001}}`, pageSize},
		{`{"Paging":{"PageIndex":1,"PageSize":5000}}`, pageSize},
		{`{"Columns":{"Include_CSV":"*"},"Paging":{"PageIndex":2,"PageSize":100000}}`, pageSize},
	} {
		r := e.call("POST", path, nil, tc.body)
		if r.status != http.StatusInternalServerError {
			t.Errorf("%s: status %d, want 500: %s", tc.body, r.status, r.body)
			continue
		}
		if typ, msg := r.errorBody(t); typ != "MXInvalidInputException" || msg != tc.msg {
			t.Errorf("%s: %s %q, want MXInvalidInputException %q", tc.body, typ, msg, tc.msg)
		}
	}
	// The largest page size, and ManagerUserId (which brings ManagerName), are fine.
	e.mustOK(e.call("POST", path, nil, `{"Columns":{"Include_CSV":"UserID,ManagerUserId,TeamId"},"Paging":{"PageIndex":1,"PageSize":1000}}`))

	// Through the client: an answer, returned at once, not a fault to retry.
	hc, _ := newValidatingClient(t)
	c, err := leadsquared.New(e.srv.URL, e.srv.AccessKey, e.srv.SecretKey, leadsquared.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	before := e.srv.Count("AdvancedSearchUsers")
	_, err = c.AdvancedSearchUsers(t.Context(), api.UserSearchRequest{Paging: api.UserSearchPaging{PageIndex: 1, PageSize: 1001}})
	var apiErr *leadsquared.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusInternalServerError || apiErr.ExceptionMessage != pageSize {
		t.Fatalf("client: err %v, want a 500 *APIError saying %q", err, pageSize)
	}
	if n := e.srv.Count("AdvancedSearchUsers") - before; n != 1 {
		t.Errorf("client sent the search %d times, want once", n)
	}
}

// An attribute the spec does not list is refused, as the checker refuses it (request
// validation, lsq validate): 500 MXUnknownAttributeException naming it, what LeadSquared
// answers Update a User for one; nothing is created or changed. A custom field (mx_*) is not
// unknown where the operation takes them.
func TestUnknownBodyFieldsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct{ path, body, name string }{
		{"/UserManagement.svc/User/Create", `{"FirstName":"Ada","EmailAddress":"ada@example.com","Role":"Sales_User","Nickname":"A"}`, "Nickname"},
		{"/UserManagement.svc/User/Create", `{"FirstName":"Ada","EmailAddress":"ada@example.com","Role":"Sales_User","LastNmae":"K"}`, "LastNmae"},
		{"/UserManagement.svc/User/AdvancedSearch", `{"Columns":{"Include_CSV":"UserID,FirstName"},"Paging":{"PageIndex":1,"PageSize":5,"Cursor":"c"}}`, "Cursor"},
		{"/UserManagement.svc/User/CheckIn", `{"Source":"API","Unknown":{"deep":true}}`, "Unknown"},
	} {
		before := len(e.srv.Users())
		r := e.call("POST", tc.path, nil, tc.body)
		if r.status != http.StatusInternalServerError {
			t.Errorf("%s: status %d, want 500: %s", tc.body, r.status, r.body)
			continue
		}
		if typ, msg := r.errorBody(t); typ != "MXUnknownAttributeException" || msg != "Unknown attribute: "+tc.name {
			t.Errorf("%s: %s %q", tc.body, typ, msg)
		}
		if n := len(e.srv.Users()); n != before {
			t.Errorf("%s: %d users after, %d before", tc.body, n, before)
		}
	}
	e.mustOK(e.call("POST", "/UserManagement.svc/User/Create", nil,
		`{"FirstName":"Ada","EmailAddress":"ada@example.com","Role":"Sales_User","CustomFields":{"mx_Custom_1":"x"}}`))
}

// Get Users' real replies carry IsActive and AssociatedManagerEmail, which the docs' sample
// does not show; the fake sends them, and the generated models read them.
func TestGetUsersFieldsFromRealReplies(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t)
	mgr, err := srv.AddUser(lsqtest.User{FirstName: "Mia", EmailAddress: "mia@example.com", Role: "Sales_Manager"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser(lsqtest.User{FirstName: "Bo", EmailAddress: "bo@example.com", Role: "Sales_User", ManagerUserID: mgr.ID, Status: lsqtest.UserInactive}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv) // checks the reply against the spec too
	res := ok(c.API().GetUsersWithResponse(t.Context()))(t, "GetUsers")
	byName := map[string]api.UserListItem{}
	for _, u := range *res.JSON200 {
		byName[u.FirstName] = u
	}
	if u := byName["Mia"]; !bool(u.IsActive) || u.AssociatedManagerEmail != "" || u.StatusCode != 0 {
		t.Errorf("Mia: IsActive %v, AssociatedManagerEmail %q, StatusCode %d", u.IsActive, u.AssociatedManagerEmail, u.StatusCode)
	}
	if u := byName["Bo"]; bool(u.IsActive) || u.AssociatedManagerEmail != "mia@example.com" || u.StatusCode != 1 {
		t.Errorf("Bo: IsActive %v, AssociatedManagerEmail %q, StatusCode %d", u.IsActive, u.AssociatedManagerEmail, u.StatusCode)
	}
	// On the wire IsActive is sent even when false, as LeadSquared sends it.
	if !strings.Contains(string(res.Body), `"IsActive":false`) {
		t.Errorf("IsActive false left out of the reply: %s", res.Body)
	}
}
