package lsqtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

func TestOptionsValidated(t *testing.T) {
	t.Parallel()
	bad := map[string]lsqtest.Option{
		"empty key":       lsqtest.WithKeys("", "s"),
		"zero calls":      lsqtest.WithRateLimit(0, time.Second, lsqtest.Form429),
		"sub-millisecond": lsqtest.WithRateLimit(5, 500*time.Microsecond, lsqtest.Form429),
		"bad form":        lsqtest.WithRateLimit(5, time.Second, lsqtest.Form(418)),
		"bulk zero":       lsqtest.WithBulkRateLimit(1, 0),
		"nil clock":       lsqtest.WithClock(nil),
		"zero templates":  lsqtest.WithMaxTemplates(0),
		"nil option":      nil,
		"fractional ms":   lsqtest.WithBulkRateLimit(1, 1500*time.Microsecond),
		"over a day":      lsqtest.WithRateLimit(1, 25*time.Hour, lsqtest.Form429),
	}
	for name, o := range bad {
		if s, err := lsqtest.NewServer(o); err == nil {
			s.Close()
			t.Errorf("%s: no error", name)
		}
	}
	s, err := lsqtest.New(lsqtest.WithKeys("a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	if s.URL != "" || s.AccessKey != "a" || s.SecretKey != "b" || s.OwnerID == "" {
		t.Errorf("New: URL %q, keys as given %v/%v, owner %q", s.URL, s.AccessKey == "a", s.SecretKey == "b", s.OwnerID)
	}
	for _, f := range []string{"429", "403", "200"} {
		if got, err := lsqtest.ParseForm(f); err != nil || got.String() != f {
			t.Errorf("ParseForm(%s) = %v, %v", f, got, err)
		}
	}
	if _, err := lsqtest.ParseForm("500"); err == nil {
		t.Error("ParseForm(500): no error")
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, lsqtest.WithKeys("u$r-access", "secret/+="))
	const path = "/Authentication.svc/UserByAccessKey.Get"

	// Query keys, with characters that must be escaped.
	r := e.mustOK(e.call("GET", path, nil, ""))
	var who struct{ ID, Role string }
	r.json(t, &who)
	if who.ID != e.srv.OwnerID || who.Role != "Administrator" {
		t.Errorf("AuthenticateUser = %+v, want the owner %s", who, e.srv.OwnerID)
	}
	// Header keys.
	h := http.Header{}
	h.Set("x-LSQ-AccessKey", "u$r-access")
	h.Set("x-LSQ-SecretKey", "secret/+=")
	e.mustOK(e.raw("GET", path, nil, h, ""))

	bad := []struct {
		name string
		q    map[string]string
		h    map[string]string
	}{
		{"none", nil, nil},
		{"wrong secret in query", map[string]string{"accessKey": "u$r-access", "secretKey": "nope"}, nil},
		{"only access key", map[string]string{"accessKey": "u$r-access"}, nil},
		{"wrong header", nil, map[string]string{"x-LSQ-AccessKey": "u$r-access", "x-LSQ-SecretKey": "x"}},
		{"wrong query wins over right headers", map[string]string{"accessKey": "x", "secretKey": "y"}, map[string]string{"x-LSQ-AccessKey": "u$r-access", "x-LSQ-SecretKey": "secret/+="}},
	}
	for _, b := range bad {
		qv := q()
		for k, v := range b.q {
			qv.Set(k, v)
		}
		hh := http.Header{}
		for k, v := range b.h {
			hh.Set(k, v)
		}
		r := e.raw("GET", path, qv, hh, "")
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", b.name, r.status)
			continue
		}
		if typ, _ := r.errorBody(t); typ != "MXUnAuthorizedAccessException" {
			t.Errorf("%s: ExceptionType %s", b.name, typ)
		}
	}
	// The log records how the keys came.
	var auths []string
	for _, rq := range e.srv.Requests()[:2] {
		auths = append(auths, rq.Auth)
	}
	if strings.Join(auths, ",") != "query,header" {
		t.Errorf("Auth in log = %v", auths)
	}
}

func TestValidationAnswers400NamingFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name, method, path string
		query              map[string]string
		body               string
		want               []string
	}{
		{"missing body fields", "POST", "/UserManagement.svc/User/Create", nil, `{"FirstName":"A","Role":"Boss"}`, []string{"/EmailAddress", "/Role", "Invalid Input!"}},
		{"nested field", "POST", "/UserManagement.svc/User/AdvancedSearch", nil, `{"Paging":{"PageIndex":0,"PageSize":5}}`, []string{"/Paging/PageIndex"}},
		{"missing query parameter", "GET", "/UserManagement.svc/User/Retrieve/ByUserId", nil, "", []string{"userId", "required"}},
		{"bad date", "GET", "/UserManagement.svc/User/GetWorkDayDetails", map[string]string{"userId": "x", "date": "04/10/2023"}, "", []string{"date", "pattern"}},
		{"not JSON", "POST", "/UserManagement.svc/User/CheckIn", nil, `{"Source":`, []string{"not valid JSON"}},
		{"missing body", "POST", "/UserManagement.svc/User/CheckIn", nil, "", []string{"request body is required"}},
		{"too many managers", "POST", "/UserManagement.svc/UpdateReportingManagerInBulk", nil, "[" + strings.Repeat(`{"UserId":"a","ManagerId":"b"},`, 100) + `{"UserId":"a","ManagerId":"b"}]`, []string{"maxItems"}},
	}
	for _, tt := range tests {
		qv := q()
		for k, v := range tt.query {
			qv.Set(k, v)
		}
		r := e.call(tt.method, tt.path, qv, tt.body)
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400: %s", tt.name, r.status, r.body)
			continue
		}
		typ, msg := r.errorBody(t)
		if typ != "MXInvalidInputException" {
			t.Errorf("%s: ExceptionType %s", tt.name, typ)
		}
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message %q lacks %q", tt.name, msg, w)
			}
		}
	}
	// Wrong content type.
	h := http.Header{"Content-Type": {"text/plain"}}
	qv := q("accessKey", e.srv.AccessKey, "secretKey", e.srv.SecretKey)
	if r := e.raw("POST", "/UserManagement.svc/User/CheckIn", qv, h, `{"Source":"API"}`); r.status != http.StatusBadRequest {
		t.Errorf("text/plain body: status %d", r.status)
	}
	if n := e.srv.UserCount(); n != 1 {
		t.Errorf("invalid requests changed state: %d users", n)
	}
}

func TestUnknownRoute404(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct{ method, path string }{
		{"GET", "/UserManagement.svc/Nope"},
		{"POST", "/UserManagement.svc/Users.Get"}, // wrong method
		{"GET", "/../UserManagement.svc/Users.Get"},
	} {
		r := e.call(c.method, c.path, nil, "")
		if r.status != http.StatusNotFound {
			t.Errorf("%s %s: status %d, want 404", c.method, c.path, r.status)
			continue
		}
		if typ, _ := r.errorBody(t); typ != "MXNotFoundException" {
			t.Errorf("%s %s: ExceptionType %s", c.method, c.path, typ)
		}
	}
	// Outside /v2.
	resp, err := e.hc.Get(strings.TrimSuffix(e.srv.URL, "/v2") + "/UserManagement.svc/Users.Get")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("no /v2: status %d", resp.StatusCode)
	}
	if n := e.srv.Count(""); n != 4 {
		t.Errorf("Count(\"\") = %d, want 4", n)
	}
}

func TestUserLifecycle(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := newEnv(t, lsqtest.WithClock(clk.Now))
	id := e.createUser("Chris", "Chris@Example.com", "Sales_User", `,"LastName":"Harris","CustomFields":{"mx_Custom_1":"Married"},"ManagerUserId":"`+e.srv.OwnerID+`"`)
	if len(id) != 36 || strings.Count(id, "-") != 4 {
		t.Errorf("id %q is not a GUID", id)
	}

	// Duplicate email (any case) → 500 MXDuplicateEntryException.
	r := e.call("POST", "/UserManagement.svc/User/Create", nil, `{"FirstName":"X","EmailAddress":"chris@example.COM","Role":"Sales_User"}`)
	if r.status != 500 {
		t.Fatalf("duplicate: status %d", r.status)
	}
	if typ, _ := r.errorBody(t); typ != "MXDuplicateEntryException" {
		t.Errorf("duplicate: %s", typ)
	}

	var users []map[string]any
	e.mustOK(e.call("GET", "/UserManagement.svc/User/Retrieve/ByUserId", q("userId", id), "")).json(t, &users)
	if len(users) != 1 || users[0]["EmailAddress"] != "Chris@Example.com" || users[0]["mx_Custom_1"] != "Married" || users[0]["mx_Custom_2"] != "" || users[0]["ManagerName"] != "Ada Admin" {
		t.Errorf("by id: %+v", users)
	}
	e.mustOK(e.call("GET", "/UserManagement.svc/User/Retrieve/ByEmailAddress", q("emailAddress", "chris@example.com"), "")).json(t, &users)
	if len(users) != 1 || users[0]["UserId"] != id {
		t.Errorf("by email: %+v", users)
	}

	// Update.
	clk.Advance(time.Minute)
	e.mustOK(e.call("POST", "/UserManagement.svc/User/Update", q("UserId", id), `{"user":{"LastName":"Kant","Designation":"Rep","IsPhoneCallAgent":true},"userSettings":{"ApplyOnlyUserSpecificPT":1}}`))
	u, _ := e.srv.User(id)
	if u.LastName != "Kant" || u.Attributes["Designation"] != "Rep" || !u.IsPhoneCallAgent || u.Settings["ApplyOnlyUserSpecificPT"] != 1 || !u.ModifiedOn.Equal(clk.Now()) {
		t.Errorf("after update: %+v", u)
	}
	for body, typ := range map[string]string{
		`{"user":{"EmailAddress":"x@example.com"}}`: "MXInvalidInputException",
		`{"user":{"Shoe":"42"}}`:                    "MXUnknownAttributeException",
		`{"user":{"Role":"Boss"}}`:                  "MXInvalidInputException",
	} {
		r := e.call("POST", "/UserManagement.svc/User/Update", q("UserId", id), body)
		if r.status != 500 {
			t.Errorf("update %s: status %d", body, r.status)
		} else if got, _ := r.errorBody(t); got != typ {
			t.Errorf("update %s: %s, want %s", body, got, typ)
		}
	}

	// Obsolete needs a deactivated user.
	if r := e.call("GET", "/UserManagement.svc/User/MarkObsolete", q("userid", id), ""); r.status != 500 {
		t.Errorf("obsolete while active: status %d", r.status)
	}
	e.mustOK(e.call("GET", "/UserManagement.svc/User/Deactivate", q("userId", id), ""))
	e.mustOK(e.call("GET", "/UserManagement.svc/User/Deactivate", q("userId", id), "")) // harmless repeat
	e.mustOK(e.call("GET", "/UserManagement.svc/User/Retrieve/ByUserId", q("userId", id), "")).json(t, &users)
	if len(users) != 0 {
		t.Errorf("inactive user by id: %+v", users)
	}
	var list []struct {
		ID         string
		StatusCode int
	}
	e.mustOK(e.call("GET", "/UserManagement.svc/Users.Get", nil, "")).json(t, &list)
	if len(list) != 2 || list[1].ID != id || list[1].StatusCode != 1 {
		t.Errorf("Users.Get: %+v", list)
	}
	// Reactivate, deactivate, obsolete: the address is free again.
	e.mustOK(e.call("GET", "/UserManagement.svc/User/Activate", q("userId", id), ""))
	if u, _ := e.srv.User(id); u.Status != lsqtest.UserActive {
		t.Errorf("status after activate: %s", u.Status)
	}
	e.mustOK(e.call("GET", "/UserManagement.svc/User/Deactivate", q("userId", id), ""))
	e.mustOK(e.call("GET", "/UserManagement.svc/User/MarkObsolete", q("userid", id), ""))
	if r := e.call("GET", "/UserManagement.svc/User/MarkObsolete", q("userid", id), ""); r.status != 500 {
		t.Errorf("obsolete twice: status %d", r.status)
	}
	if r := e.call("GET", "/UserManagement.svc/User/Activate", q("userId", id), ""); r.status != 500 {
		t.Errorf("activate obsolete: status %d", r.status)
	}
	id2 := e.createUser("Chris", "chris@example.com", "Sales_User")
	if id2 == id || e.srv.UserCount() != 3 {
		t.Errorf("reuse after obsolete: id2 %s, count %d", id2, e.srv.UserCount())
	}
	// The owner cannot lock the keys out.
	if r := e.call("GET", "/UserManagement.svc/User/Deactivate", q("userId", e.srv.OwnerID), ""); r.status != 500 {
		t.Errorf("deactivate owner: status %d", r.status)
	}
	// Unknown ids.
	if r := e.call("GET", "/UserManagement.svc/User/Activate", q("userId", "00000000-0000-0000-0000-000000000000"), ""); r.status != 500 {
		t.Errorf("activate unknown: %d", r.status)
	}
	// Tags exist only through seeding.
	if err := e.srv.AddUserTag(id2, "location", "bangalore"); err != nil {
		t.Fatal(err)
	}
	var tags []struct{ Key, Value string }
	e.mustOK(e.call("GET", "/UserManagement.svc/Retrieve/GetTags", q("userId", id2), "")).json(t, &tags)
	if len(tags) != 1 || tags[0].Key != "location" || tags[0].Value != "bangalore" {
		t.Errorf("tags: %+v", tags)
	}
	e.mustOK(e.call("GET", "/UserManagement.svc/Retrieve/GetTags", q("userId", id), "")).json(t, &tags)
	if len(tags) != 0 {
		t.Errorf("tags of obsolete user: %+v", tags)
	}
}

func TestAdvancedSearchAndPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 25 {
		role := "Sales_User"
		if i%5 == 0 {
			role = "Sales_Manager"
		}
		if _, err := e.srv.AddUser(lsqtest.User{FirstName: fmt.Sprintf("User%02d", i), EmailAddress: fmt.Sprintf("u%02d@example.com", i), Role: role}); err != nil {
			t.Fatal(err)
		}
	}
	type page struct {
		Users []map[string]any
	}
	search := func(body string) page {
		var p page
		e.mustOK(e.call("POST", "/UserManagement.svc/User/AdvancedSearch", nil, body)).json(t, &p)
		return p
	}
	cond := `"GroupConditions":[{"Condition":[{"LookupName":"FirstName","Operator":"lik_s","LookupValue":"user","ConditionOperator":null}]}]`
	var got []string
	for i := 1; i <= 4; i++ {
		p := search(fmt.Sprintf(`{%s,"Columns":{"Include_CSV":"UserID,FirstName"},"Sorting":[{"ColumnName":"FirstName","Direction":1}],"Paging":{"PageIndex":%d,"PageSize":10}}`, cond, i))
		want := []int{10, 10, 5, 0}[i-1]
		if len(p.Users) != want {
			t.Fatalf("page %d: %d users, want %d", i, len(p.Users), want)
		}
		for _, u := range p.Users {
			got = append(got, u["FirstName"].(string))
			if u["EmailAddress"] != nil || u["UserId"] == nil {
				t.Errorf("columns not asked for must be null: %+v", u)
			}
		}
	}
	if len(got) != 25 || got[0] != "User24" || got[24] != "User00" {
		t.Errorf("sorted descending across pages: %v", got)
	}
	// OR inside a group, AND between groups: the 5 managers and the owner.
	p := search(`{"GroupConditions":[{"Condition":[{"LookupName":"Role","Operator":"eq","LookupValue":"sales_manager","ConditionOperator":"OR"},{"LookupName":"Role","Operator":"eq","LookupValue":"Administrator"}],"GroupOperator":"AND"},{"Condition":[{"LookupName":"EmailAddress","Operator":"lik_e","LookupValue":"example.com"}]}]}`)
	if len(p.Users) != 6 {
		t.Errorf("OR/AND search: %d users, want 6", len(p.Users))
	}
	// Errors LeadSquared reports as 500.
	for _, body := range []string{
		`{"Columns":{"Include_CSV":"UserID,ManagerName"}}`,
		`{"GroupConditions":[{"Condition":[{"LookupName":"Shoe","Operator":"eq","LookupValue":"1"}]}]}`,
		`{"GroupConditions":[{"Condition":[{"LookupName":"Role","Operator":"eq","LookupValue":"1"}]},{"Condition":[{"LookupName":"Role","Operator":"eq","LookupValue":"1"}]}]}`,
	} {
		if r := e.call("POST", "/UserManagement.svc/User/AdvancedSearch", nil, body); r.status != 500 {
			t.Errorf("%s: status %d, want 500", body, r.status)
		}
	}
	// Bulk update of TeamId by the same conditions.
	var res struct{ Message struct{ AffectedRows int } }
	e.mustOK(e.call("POST", "/UserManagement.svc/User/Bulk/Update", nil, `{"Conditions":[{"Condition":[{"LookupName":"Role","Operator":"eq","LookupValue":"Sales_Manager"}]}],"Attribute":"TeamId","Value":"team-1"}`)).json(t, &res)
	if res.Message.AffectedRows != 5 {
		t.Errorf("bulk update affected %d", res.Message.AffectedRows)
	}
	if p := search(`{"GroupConditions":[{"Condition":[{"LookupName":"TeamId","Operator":"eq","LookupValue":"team-1"}]}]}`); len(p.Users) != 5 {
		t.Errorf("search by TeamId: %d", len(p.Users))
	}
	if r := e.call("POST", "/UserManagement.svc/User/Bulk/Update", nil, `{"Conditions":[{"Condition":[{"LookupName":"Role","Operator":"eq","LookupValue":"x"}]}],"Attribute":"Role","Value":"x"}`); r.status != 500 {
		t.Errorf("bulk update of Role: %d", r.status)
	}
}

func TestHierarchy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mgr, _ := e.srv.AddUser(lsqtest.User{FirstName: "Mia", EmailAddress: "mia@example.com", Role: "Sales_Manager"})
	a, _ := e.srv.AddUser(lsqtest.User{FirstName: "Al", EmailAddress: "al@example.com", Role: "Sales_User", PhoneMobile: "+91-1"})
	b, _ := e.srv.AddUser(lsqtest.User{FirstName: "Bo", EmailAddress: "bo@example.com", Role: "Sales_User", Status: lsqtest.UserInactive})
	body := fmt.Sprintf(`[{"UserId":%q,"ManagerId":%q},{"UserId":%q,"ManagerId":%q},{"UserId":%q,"ManagerId":%q},{"UserId":%q,"ManagerId":%q}]`,
		mgr.ID, e.srv.OwnerID, a.ID, mgr.ID, b.ID, a.ID, mgr.ID, b.ID /* a cycle: skipped */)
	var res struct{ Status, WFAID string }
	e.mustOK(e.call("POST", "/UserManagement.svc/UpdateReportingManagerInBulk", nil, body)).json(t, &res)
	if res.Status != "Success" || res.WFAID == "" {
		t.Errorf("bulk managers: %+v", res)
	}
	if u, _ := e.srv.User(mgr.ID); u.ManagerUserID != e.srv.OwnerID {
		t.Errorf("cycle not skipped: manager of mgr is %s", u.ManagerUserID)
	}
	var ids []string
	e.mustOK(e.call("GET", "/UserManagement.svc/ReportingHierarchy/RetrieveAllReportingUsers", q("UserId", mgr.ID), "")).json(t, &ids)
	if strings.Join(ids, ",") != a.ID+","+b.ID {
		t.Errorf("hierarchy of mgr: %v", ids)
	}
	e.mustOK(e.call("GET", "/UserManagement.svc/ReportingHierarchy/RetrieveAllReportingUsers", nil, "")).json(t, &ids)
	if len(ids) != 3 {
		t.Errorf("hierarchy of owner: %v", ids)
	}
	var info struct {
		SearchInfo struct{ TotalUsers int }
		Users      []map[string]any
	}
	e.mustOK(e.call("POST", "/UserManagement.svc/RetrieveUserInfoByHierarchy", nil, fmt.Sprintf(`{"UserId":%q,"Include":"Active","Columns":{"Include_CSV":"Designation"}}`, mgr.ID))).json(t, &info)
	if info.SearchInfo.TotalUsers != 1 || info.Users[0]["UserId"] != a.ID || info.Users[0]["IsActive"] != "true" || info.Users[0]["Mobile"] != "+91-1" {
		t.Errorf("hierarchy info: %+v", info)
	}
	if v, ok := info.Users[0]["Designation"]; !ok || v != nil {
		t.Errorf("Include_CSV column: %v %v", v, ok)
	}
	e.mustOK(e.call("POST", "/UserManagement.svc/RetrieveUserInfoByHierarchy", nil, fmt.Sprintf(`{"UserId":%q}`, mgr.ID))).json(t, &info)
	if info.SearchInfo.TotalUsers != 2 {
		t.Errorf("hierarchy info All: %+v", info)
	}
}

func TestPermissionTemplates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, lsqtest.WithMaxTemplates(2))
	u, _ := e.srv.AddUser(lsqtest.User{FirstName: "Al", EmailAddress: "al@example.com", Role: "Sales_User"})
	create := func(name string) reply {
		return e.call("POST", "/PermissionTemplate.svc/Create", nil, `{"Name":"`+name+`","EntityPermissions":[{"Entity":"Lead","Permissions":[{"Action":"Update","Access":"PartialAccess","Properties":{"RestrictedFields":["FirstName"]}},{"Action":"Delete","Access":"NoAccess"}]}]}`)
	}
	var c1 struct{ Message struct{ ID string } }
	e.mustOK(create("One")).json(t, &c1)
	if r := create("one"); r.status != 500 {
		t.Errorf("duplicate name: %d", r.status)
	}
	e.mustOK(create("Two"))
	r := create("Three")
	if r.status != 500 {
		t.Fatalf("over the limit: status %d", r.status)
	}
	if _, msg := r.errorBody(t); !strings.Contains(msg, "maximum of 2") {
		t.Errorf("limit message: %s", msg)
	}
	id := c1.Message.ID

	// Apply to a user and a role, then read the effective permissions.
	e.mustOK(e.call("POST", "/PermissionTemplate.svc/Apply", nil, fmt.Sprintf(`{"Id":%q,"UserIds":[%q],"RoleIds":["Sales_Manager"]}`, id, u.ID)))
	var perms struct {
		UserID            string
		EntityPermissions []struct {
			Entity      string
			Permissions []struct {
				Action, Access string
				Properties     map[string][]string
			}
		}
	}
	e.mustOK(e.call("GET", "/PermissionTemplate.svc/User/GetPermissions", q("userId", u.ID), "")).json(t, &perms)
	got := map[string]string{}
	for _, ep := range perms.EntityPermissions {
		for _, p := range ep.Permissions {
			got[ep.Entity+"."+p.Action] = p.Access + fmt.Sprint(p.Properties["RestrictedFields"])
		}
	}
	if got["Lead.Update"] != "PartialAccess[FirstName]" || got["Lead.Delete"] != "NoAccess[]" || got["Lead.Create"] != "FullAccess[]" || got["Activity.View"] != "FullAccess[]" {
		t.Errorf("effective permissions: %v", got)
	}
	// List and search.
	var list struct {
		RecordCount int
		List        []struct {
			ID                string
			AssociatedUserIDs []string
			AssociatedRoleIDs []string
			EntityPermissions []struct {
				Permissions []struct {
					Properties *struct{ RestrictedFields []string }
				}
			}
		}
	}
	e.mustOK(e.call("POST", "/PermissionTemplate.svc/Retrieve", nil, `{"Parameter":{"SearchText":" "},"Paging":{"PageIndex":1,"PageSize":1}}`)).json(t, &list)
	if list.RecordCount != 2 || len(list.List) != 1 || list.List[0].ID != id || len(list.List[0].AssociatedUserIDs) != 1 || list.List[0].AssociatedRoleIDs[0] != "Sales_Manager" {
		t.Errorf("retrieve: %+v", list)
	}
	if ps := list.List[0].EntityPermissions[0].Permissions; ps[0].Properties == nil || ps[1].Properties != nil {
		t.Errorf("Properties must be null without restrictions: %+v", ps)
	}
	e.mustOK(e.call("POST", "/PermissionTemplate.svc/Retrieve", nil, `{"Parameter":{"SearchText":"tw"}}`)).json(t, &list)
	if list.RecordCount != 1 {
		t.Errorf("search tw: %d", list.RecordCount)
	}

	// Remove (overWriteAll=true, only Id) keeps the template but no assignment.
	e.mustOK(e.call("POST", "/PermissionTemplate.svc/Apply", q("overWriteAll", "true"), fmt.Sprintf(`{"Id":%q}`, id)))
	tpl := e.srv.Templates()[0]
	if len(tpl.UserIDs)+len(tpl.Roles)+len(tpl.GroupIDs) != 0 {
		t.Errorf("after remove: %+v", tpl)
	}
	// Overwrite moves the user from one template to another.
	two := e.srv.Templates()[1].ID
	e.mustOK(e.call("POST", "/PermissionTemplate.svc/Apply", nil, fmt.Sprintf(`{"Id":%q,"UserIds":[%q]}`, id, u.ID)))
	var ow struct {
		Message struct {
			AffectedRows    int
			AffectedUserIDs []string
		}
	}
	e.mustOK(e.call("POST", "/PermissionTemplate.svc/OverridePermissionTemplate", nil, fmt.Sprintf(`{"Id":%q,"UserIds":[%q,%q]}`, two, u.ID, e.srv.OwnerID))).json(t, &ow)
	if ow.Message.AffectedRows != 2 || len(ow.Message.AffectedUserIDs) != 2 || ow.Message.AffectedUserIDs[0] > ow.Message.AffectedUserIDs[1] {
		t.Errorf("overwrite: %+v", ow)
	}
	if ts := e.srv.Templates(); len(ts[0].UserIDs) != 0 || len(ts[1].UserIDs) != 2 {
		t.Errorf("after overwrite: %+v", ts)
	}
	// Update, delete, then there is room again.
	e.mustOK(e.call("POST", "/PermissionTemplate.svc/Update", q("Id", id), `{"Name":"One again"}`))
	if ts := e.srv.Templates(); ts[0].Name != "One again" || len(ts[0].Permissions) != 0 {
		t.Errorf("after update: %+v", ts[0])
	}
	e.mustOK(e.call("GET", "/PermissionTemplate.svc/Delete", q("Id", id), ""))
	if r := e.call("GET", "/PermissionTemplate.svc/Delete", q("Id", id), ""); r.status != 500 {
		t.Errorf("delete twice: %d", r.status)
	}
	e.mustOK(create("Three"))
}

func TestAvailability(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := newEnv(t, lsqtest.WithClock(clk.Now))
	var st struct {
		IsCheckedIn   bool
		LastCheckedOn *string
	}
	e.mustOK(e.call("GET", "/UserManagement.svc/User/CheckinStatus", nil, "")).json(t, &st)
	if st.IsCheckedIn || st.LastCheckedOn != nil {
		t.Errorf("initial status: %+v", st)
	}
	for i := range 5 {
		clk.Advance(time.Hour)
		if i%2 == 0 {
			e.mustOK(e.call("POST", "/UserManagement.svc/User/CheckIn", nil, `{"Source":"API","Location":"KA","AvailabilityStatus":"Away","OtherDetails":{"k":"v"}}`))
		} else {
			e.mustOK(e.call("POST", "/UserManagement.svc/User/CheckOut", nil, `{"Source":"API","AvailabilityStatus":"offline"}`))
		}
	}
	e.mustOK(e.call("GET", "/UserManagement.svc/User/CheckinStatus", q("userId", e.srv.OwnerID), "")).json(t, &st)
	if !st.IsCheckedIn || st.LastCheckedOn == nil || *st.LastCheckedOn != "2024-03-04 14:30:00" {
		t.Errorf("status: %+v", st)
	}
	type hist struct {
		RecordCount int
		Details     []struct {
			CheckedOn string
			IsCheckIn bool
			Location  *string
		}
	}
	var h hist
	body := `{"UserAttributeType":"UserEmail","Users":["ADMIN@lsqtest.example.com"],"FromDate":"2024-03-04 11:00:00","ToDate":"2024-03-04 14:30:00","Paging":{"PageIndex":1,"PageSize":2}}`
	e.mustOK(e.call("POST", "/UserManagement.svc/User/GetCheckinCheckoutHistory", nil, body)).json(t, &h)
	if h.RecordCount != 4 || len(h.Details) != 2 || h.Details[0].CheckedOn != "2024-03-04 14:30:00" || !h.Details[0].IsCheckIn || h.Details[1].IsCheckIn || h.Details[1].Location != nil {
		t.Errorf("history page 1: %+v", h)
	}
	e.mustOK(e.call("POST", "/UserManagement.svc/User/GetCheckinCheckoutHistory", nil, strings.Replace(body, `"PageIndex":1`, `"PageIndex":2`, 1))).json(t, &h)
	if len(h.Details) != 2 || h.Details[1].CheckedOn != "2024-03-04 11:30:00" {
		t.Errorf("history page 2: %+v", h)
	}
	if r := e.call("POST", "/UserManagement.svc/User/GetCheckinCheckoutHistory", nil, `{"UserAttributeType":"UserId","Users":["x"],"FromDate":"2024-03-05 00:00:00","ToDate":"2024-03-04 00:00:00"}`); r.status != 500 {
		t.Errorf("From after To: %d", r.status)
	}

	// Work days.
	other, _ := e.srv.AddUser(lsqtest.User{FirstName: "Al", EmailAddress: "al@example.com", Role: "Sales_User"})
	_ = e.srv.AddHoliday("2024-03-08")
	_ = e.srv.AddLeave(e.srv.OwnerID, "2024-03-07")
	for _, c := range []struct {
		user, date, want string
	}{
		{e.srv.OwnerID, "2024-03-04", "1|09:00:00-18:00:00"},
		{e.srv.OwnerID, "2024-03-09", "0NotScheduled|"},
		{e.srv.OwnerID, "2024-03-08", "0Holiday|"},
		{e.srv.OwnerID, "2024-03-07", "0Leave|"},
		{other.ID, "2024-03-09", "1WorkDayTemplateNotDefined|00:00:00-23:59:59"},
	} {
		var wd struct {
			IsAvailable  int
			StatusReason string
			WorkingHours []struct{ StartTime, EndTime string }
		}
		e.mustOK(e.call("GET", "/UserManagement.svc/User/GetWorkDayDetails", q("userId", c.user, "date", c.date), "")).json(t, &wd)
		got := fmt.Sprintf("%d%s|", wd.IsAvailable, wd.StatusReason)
		for _, w := range wd.WorkingHours {
			got += w.StartTime + "-" + w.EndTime
		}
		if got != c.want {
			t.Errorf("work day %s: %s, want %s", c.date, got, c.want)
		}
	}
	if n := len(e.srv.CheckEvents()); n != 5 {
		t.Errorf("CheckEvents: %d", n)
	}
}

func TestNotifications(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	al, _ := e.srv.AddUser(lsqtest.User{FirstName: "Al", EmailAddress: "al@example.com", Role: "Sales_User"})
	e.mustOK(e.call("POST", "/UserManagement.svc/NotifyUsers", nil, `{"EmailContent":{"From":"noreply@example.com","Subject":"Hi","ContentHTML":"<p>x</p>"},"UserEmailAddresses":[],"Roles":["Sales_User","Administrator"]}`))
	if m := e.srv.Emails(); len(m) != 1 || len(m[0].To) != 2 || m[0].Subject != "Hi" {
		t.Errorf("emails: %+v", m)
	}
	if r := e.call("POST", "/UserManagement.svc/NotifyUsers", nil, `{"EmailContent":{"From":"a","Subject":"b","ContentHTML":"c"},"UserEmailAddresses":["nobody@example.com"],"Roles":[]}`); r.status != 500 {
		t.Errorf("unknown recipient: %d", r.status)
	}
	var res struct {
		MessageID string
		Success   bool
	}
	e.mustOK(e.call("POST", "/Notifier.svc/Converse.Push", nil, fmt.Sprintf(`{"ToUser":%q,"Type":"Lead","CardContents":{"Message":"New lead"}}`, al.ID))).json(t, &res)
	if !res.Success || !strings.Contains(res.MessageID, "_") {
		t.Errorf("converse: %+v", res)
	}
	if c := e.srv.ConverseNotifications(); len(c) != 1 || c[0].Message != "New lead" || c[0].ToUser != al.ID {
		t.Errorf("converse log: %+v", c)
	}
	var attrs struct {
		TotalUserAttributes int
		UserAttributes      []struct{ SchemaName string }
	}
	e.mustOK(e.call("POST", "/UserManagement.svc/User/Attribute/Retrieve", nil, `{"Parameter":{"LookupName":"SchemaName","LookupValue":"mx_Custom_1, FirstName, nope"}}`)).json(t, &attrs)
	if attrs.TotalUserAttributes != 2 {
		t.Errorf("attributes: %+v", attrs)
	}
}

func TestRateLimitForms(t *testing.T) {
	t.Parallel()
	for _, form := range []lsqtest.Form{lsqtest.Form429, lsqtest.Form403, lsqtest.Form200} {
		t.Run(form.String(), func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			e := newEnv(t, lsqtest.WithClock(clk.Now), lsqtest.WithRateLimit(2, 5*time.Second, form), lsqtest.WithBulkRateLimit(1, 5*time.Second))
			get := func() reply { return e.call("GET", "/UserManagement.svc/Users.Get", nil, "") }
			e.mustOK(get())
			clk.Advance(2 * time.Second)
			e.mustOK(get())
			r := get()
			if r.status != int(form) {
				t.Fatalf("over the limit: status %d, want %d", r.status, form)
			}
			typ, msg := r.errorBody(t)
			if typ != "MXAPIRateLimitExceededException" || msg != "API calls exceeded the limit of 2 in 5 second(s)" {
				t.Errorf("body: %s", r.body)
			}
			// Bulk calls have their own budget.
			bulk := func() reply {
				return e.call("POST", "/UserManagement.svc/UpdateReportingManagerInBulk", nil, `[{"UserId":"a","ManagerId":"b"}]`)
			}
			e.mustOK(bulk())
			if r := bulk(); r.status != int(form) || !strings.Contains(string(r.body), "limit of 1 in 5") {
				t.Errorf("bulk over its limit: %d %s", r.status, r.body)
			}
			// The window slides: the first call leaves it after 5 s.
			clk.Advance(3 * time.Second)
			e.mustOK(get())
			if r := get(); r.status != int(form) {
				t.Errorf("second slot still taken: %d", r.status)
			}
			clk.Advance(5 * time.Second)
			e.mustOK(get())
			e.mustOK(bulk())
		})
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.srv.FailNext("Nope", 1, lsqtest.Fault{Status: 500}); err == nil {
		t.Error("unknown operation: no error")
	}
	if err := e.srv.FailNext("GetUsers", 0, lsqtest.Fault{Status: 500}); err == nil {
		t.Error("n = 0: no error")
	}

	// Status, twice, then served normally.
	_ = e.srv.FailNext("GetUsers", 2, lsqtest.Fault{Status: 500})
	for i := range 2 {
		r := e.call("GET", "/UserManagement.svc/Users.Get", nil, "")
		if r.status != 500 {
			t.Fatalf("fault %d: status %d", i, r.status)
		}
	}
	e.mustOK(e.call("GET", "/UserManagement.svc/Users.Get", nil, ""))

	// A custom body; "" matches any operation.
	_ = e.srv.FailNext("", 1, lsqtest.Fault{Status: 200, Body: `{"Status":"Error","ExceptionType":"MXSomething","ExceptionMessage":"boom"}`})
	if r := e.call("GET", "/UserManagement.svc/User/CheckinStatus", nil, ""); r.status != 200 || !strings.Contains(string(r.body), "boom") {
		t.Errorf("custom body: %d %s", r.status, r.body)
	}

	// Drop: the client sees a broken connection, and no state changes.
	_ = e.srv.FailNext("CreateUser", 1, lsqtest.Fault{Drop: true})
	req, _ := http.NewRequest("POST", e.srv.URL+"/UserManagement.svc/User/Create?accessKey="+e.srv.AccessKey+"&secretKey="+e.srv.SecretKey,
		strings.NewReader(`{"FirstName":"A","EmailAddress":"a@example.com","Role":"Sales_User"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := e.hc.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Errorf("drop: got status %d", resp.StatusCode)
	}
	if n := e.srv.UserCount(); n != 1 {
		t.Errorf("dropped create changed state: %d users", n)
	}

	// Delay beyond the caller's deadline.
	_ = e.srv.FailNext("GetUsers", 1, lsqtest.Fault{Delay: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/UserManagement.svc/Users.Get?accessKey="+e.srv.AccessKey+"&secretKey="+e.srv.SecretKey, nil)
	start := time.Now()
	_, err := e.hc.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delay: err %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("delay not cut short: %s", d)
	}

	// A short delay, then served.
	_ = e.srv.FailNext("GetUsers", 1, lsqtest.Fault{Delay: 20 * time.Millisecond})
	start = time.Now()
	e.mustOK(e.call("GET", "/UserManagement.svc/Users.Get", nil, ""))
	if time.Since(start) < 20*time.Millisecond {
		t.Error("delay not applied")
	}

	// Default bodies per status.
	_ = e.srv.FailNext("GetUsers", 1, lsqtest.Fault{Status: 429})
	if r := e.call("GET", "/UserManagement.svc/Users.Get", nil, ""); r.status != 429 {
		t.Errorf("429 fault: %d", r.status)
	} else if typ, _ := r.errorBody(t); typ != "MXAPIRateLimitExceededException" {
		t.Errorf("429 fault body: %s", r.body)
	}

	// The log tells faults apart; wait for the dropped and delayed calls to be logged.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var dropped, faults int
		for _, r := range e.srv.Requests() {
			if r.Dropped {
				dropped++
			}
			if r.Fault {
				faults++
			}
		}
		if dropped == 2 && faults == 7 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log: %d dropped, %d faults; want 2 and 7", dropped, faults)
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.srv.ClearFaults()

	// AfterWork: the user is created, but the answer is a 500.
	_ = e.srv.FailNext("CreateUser", 1, lsqtest.Fault{Status: 500, AfterWork: true})
	before := e.srv.UserCount()
	if r := e.call("POST", "/UserManagement.svc/User/Create", nil, `{"FirstName":"A","EmailAddress":"late@example.com","Role":"Sales_User"}`); r.status != 500 {
		t.Errorf("AfterWork: status %d", r.status)
	}
	if e.srv.UserCount() != before+1 {
		t.Error("AfterWork: the work was not done")
	}
}

func TestRequestLogRedacted(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := newEnv(t, lsqtest.WithKeys("AK-secret-1", "SK-secret-2"), lsqtest.WithClock(clk.Now))
	e.mustOK(e.call("GET", "/UserManagement.svc/User/Retrieve/ByUserId", q("userId", e.srv.OwnerID), ""))
	h := http.Header{"X-Lsq-Accesskey": {"AK-secret-1"}, "X-Lsq-Secretkey": {"SK-secret-2"}}
	e.raw("POST", "/UserManagement.svc/User/CheckIn", nil, h, `{"Source":"API"}`)
	e.raw("GET", "/UserManagement.svc/Users.Get", q("accessKey", "AK-secret-1", "secretKey", "wrong"), nil, "")

	reqs := e.srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests logged", len(reqs))
	}
	first := reqs[0]
	if first.OperationID != "GetUserByID" || first.Method != "GET" || first.Path != "/v2/UserManagement.svc/User/Retrieve/ByUserId" ||
		first.Status != 200 || first.Query.Get("userId") != e.srv.OwnerID || first.Query.Get("accessKey") != lsqtest.Redacted ||
		first.Query.Get("secretKey") != lsqtest.Redacted || !first.Time.Equal(clk.Now()) {
		t.Errorf("first: %+v", first)
	}
	if reqs[1].Status != 200 || reqs[1].Auth != "header" || string(reqs[1].Body) != `{"Source":"API"}` {
		t.Errorf("second: %+v", reqs[1])
	}
	if reqs[2].Status != 401 {
		t.Errorf("third: %+v", reqs[2])
	}
	if dump := fmt.Sprintf("%+v", reqs); strings.Contains(dump, "secret-1") || strings.Contains(dump, "secret-2") {
		t.Errorf("keys in the log: %s", dump)
	}
	// Copies: changing them does not change the log.
	reqs[0].Query.Set("userId", "x")
	if e.srv.Requests()[0].Query.Get("userId") != e.srv.OwnerID {
		t.Error("Requests returned the log itself")
	}
	if e.srv.Count("GetUserById") != 1 || e.srv.Count("GetUsers") != 1 {
		t.Error("Count")
	}
	e.srv.ResetLog()
	if len(e.srv.Requests()) != 0 {
		t.Error("ResetLog")
	}
}

func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 40
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Half of them share an address: exactly one of each pair wins.
			r := e.call("POST", "/UserManagement.svc/User/Create", nil, fmt.Sprintf(`{"FirstName":"U","EmailAddress":"u%d@example.com","Role":"Sales_User"}`, i/2))
			codes[i] = r.status
		}()
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		if c == 200 {
			ok++
		}
	}
	if ok != n/2 || e.srv.UserCount() != n/2+1 {
		t.Errorf("%d created, %d users; want %d and %d", ok, e.srv.UserCount(), n/2, n/2+1)
	}
}

func TestStateAccessorsReturnCopies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, err := e.srv.AddUser(lsqtest.User{FirstName: "A", EmailAddress: "a@example.com", Role: "Sales_User", Attributes: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.AddUser(lsqtest.User{FirstName: "B", EmailAddress: "A@example.com", Role: "Sales_User"}); err == nil {
		t.Error("AddUser duplicate: no error")
	}
	if _, err := e.srv.AddUser(lsqtest.User{FirstName: "B", EmailAddress: "b@example.com", Role: "Boss"}); err == nil {
		t.Error("AddUser bad role: no error")
	}
	us := e.srv.Users()
	us[1].Attributes["k"] = "changed"
	if got, _ := e.srv.User(u.ID); got.Attributes["k"] != "v" {
		t.Error("Users returned shared maps")
	}
	if err := e.srv.AddHoliday("2024/01/01"); err == nil {
		t.Error("AddHoliday bad date: no error")
	}
	if err := e.srv.AddLeave("nobody", "2024-01-01"); err == nil {
		t.Error("AddLeave unknown user: no error")
	}
}

// TestZeroValuesSent checks that zero values LeadSquared sends stay on the wire, although the
// models omit them (omitzero).
func TestZeroValuesSent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.createUser("Zed", "zed@example.com", "Sales_User")
	_ = e.srv.AddHoliday("2024-03-08")
	for _, c := range []struct {
		name, method, path string
		q                  map[string]string
		body               string
		want               []string
	}{
		{"users", "GET", "/UserManagement.svc/Users.Get", nil, "", []string{`"StatusCode":0`, `"IsPhoneCallAgent":false`, `"LastName":""`}},
		{"by id", "GET", "/UserManagement.svc/User/Retrieve/ByUserId", map[string]string{"userId": id}, "",
			[]string{`"IsCheckedIn":false`, `"UserType":0`, `"Groups":[]`, `"PhoneMobile":""`, `"mx_Custom_10":""`}},
		{"update", "POST", "/UserManagement.svc/User/Update", map[string]string{"UserId": id}, `{"user":{"Designation":"Rep"}}`,
			[]string{`"ExceptionMessage":""`}},
		{"bulk update, no match", "POST", "/UserManagement.svc/User/Bulk/Update", nil,
			`{"Attribute":"TeamId","Value":"t","Conditions":[{"Condition":[{"LookupName":"Role","Operator":"eq","LookupValue":"Marketing_User"}]}]}`,
			[]string{`"AffectedRows":0`}},
		{"attributes", "POST", "/UserManagement.svc/User/Attribute/Retrieve", nil, "",
			[]string{`"IsHidden":false`, `"CanUserEdit":false`, `"StatusCode":0`, `"StatusReason":0`, `"RenderType":0`}},
		{"hierarchy, nobody", "POST", "/UserManagement.svc/RetrieveUserInfoByHierarchy", nil, `{"UserId":"` + id + `"}`,
			[]string{`"SearchInfo":{"TotalUsers":0}`, `"Users":[]`}},
		{"holiday", "GET", "/UserManagement.svc/User/GetWorkDayDetails", map[string]string{"userId": id, "date": "2024-03-08"}, "",
			[]string{`"IsAvailable":0`, `"WorkingHours":[]`}},
		{"working day", "GET", "/UserManagement.svc/User/GetWorkDayDetails", map[string]string{"userId": e.srv.OwnerID, "date": "2024-03-04"}, "",
			[]string{`"IsAvailable":1`, `"StatusReason":""`}},
	} {
		qv := q()
		for k, v := range c.q {
			qv.Set(k, v)
		}
		r := e.mustOK(e.call(c.method, c.path, qv, c.body))
		for _, w := range c.want {
			if !strings.Contains(string(r.body), w) {
				t.Errorf("%s: no %s in %s", c.name, w, r.body)
			}
		}
	}
}

// TestZeroServer: a Server no constructor made answers with an error rather than panic.
func TestZeroServer(t *testing.T) {
	t.Parallel()
	var s lsqtest.Server
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v2/UserManagement.svc/Users.Get", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "not made by New") {
		t.Errorf("ServeHTTP: %d %q, want 500 naming the constructors", rec.Code, rec.Body)
	}
	if err := s.FailNext(api.OpGetUsers, 1, lsqtest.Fault{Status: 500}); err == nil {
		t.Error("FailNext: nil error")
	}
	if n := s.Count(api.OpGetUsers); n != 0 {
		t.Errorf("Count = %d, want 0", n)
	}
	s.Close()
	s.Close()
}
