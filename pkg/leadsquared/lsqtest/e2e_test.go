package lsqtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/scalar"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// newClient returns a wrapper client for srv whose every response is also checked against
// the spec, by the client (WithResponseValidation) and on the wire (validatingTransport).
// Its drift reports (WithDriftReport) fail the test: the undrifted fake matches the spec.
func newClient(t *testing.T, srv *lsqtest.Server, opts ...leadsquared.Option) *leadsquared.Client {
	t.Helper()
	hc, _ := newValidatingClient(t)
	return newClientOn(t, srv, hc, opts...)
}

// newClientOn is newClient on the *http.Client hc.
func newClientOn(t *testing.T, srv *lsqtest.Server, hc *http.Client, opts ...leadsquared.Option) *leadsquared.Client {
	t.Helper()
	base := []leadsquared.Option{
		leadsquared.WithHTTPClient(hc),
		leadsquared.WithRequestValidation(),
		leadsquared.WithResponseValidation(),
		leadsquared.WithBackoff(5*time.Millisecond, 20*time.Millisecond),
		leadsquared.WithDriftReport(func(r leadsquared.DriftReport) {
			t.Errorf("drift from the spec on the undrifted fake: %+v", r)
		}),
	}
	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ok takes a call's (response, error) and returns a check that fails the test on an error
// or a status other than 200: r := ok(c.GetUsersWithResponse(ctx))(t, "GetUsers").
func ok[R interface{ StatusCode() int }](r R, err error) func(t *testing.T, what string) R {
	return func(t *testing.T, what string) R {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if r.StatusCode() != http.StatusOK {
			t.Fatalf("%s: status %d", what, r.StatusCode())
		}
		return r
	}
}

func TestE2EAllOperations(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t)
	driveAllOperations(t, srv, newClient(t, srv), newClient(t, srv, leadsquared.WithHeaderAuth()))
}

// driveAllOperations calls every operation of the spec on srv, through c (query keys) and hc
// (header keys), and checks the answers.
func driveAllOperations(t *testing.T, srv *lsqtest.Server, c, hc *leadsquared.Client) {
	ctx := t.Context()

	// Users.
	who := ok(c.API().AuthenticateUserWithResponse(ctx))(t, "AuthenticateUser")
	if who.JSON200 == nil || who.JSON200.ID != srv.OwnerID || who.JSON200.LSQCommonServiceURLs.API == "" {
		t.Fatalf("AuthenticateUser: %s", who.Body)
	}
	create := func(first, email string, role api.Role, manager string) string {
		t.Helper()
		r := ok(c.API().CreateUserWithResponse(ctx, api.UserCreateRequest{
			FirstName: first, LastName: "Doe", EmailAddress: email, Role: role, ManagerUserID: manager,
			CustomFields: map[string]string{"mx_Custom_1": "Married"}, WorkDayTemplateID: lsqtest.DefaultWorkDayTemplateID,
		}))(t, "CreateUser")
		return r.JSON200.Message.ID
	}
	mgr := create("Mia", "mia@example.com", api.RoleSalesManager, srv.OwnerID)
	rep1 := create("Ravi", "ravi@example.com", api.RoleSalesUser, mgr)
	rep2 := create("Rosa", "rosa@example.com", api.RoleSalesUser, mgr)

	// A duplicate email: the API's error, and a write is never retried.
	_, err := c.API().CreateUserWithResponse(ctx, api.UserCreateRequest{FirstName: "X", EmailAddress: "MIA@example.com", Role: api.RoleSalesUser})
	var apiErr *leadsquared.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.ExceptionType != "MXDuplicateEntryException" {
		t.Fatalf("duplicate CreateUser: %v", err)
	}

	users := ok(hc.API().GetUsersWithResponse(ctx))(t, "GetUsers")
	if len(*users.JSON200) != 4 {
		t.Errorf("GetUsers: %d users", len(*users.JSON200))
	}
	byID := ok(c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: rep1}))(t, "GetUserByID")
	if u := *byID.JSON200; len(u) != 1 || u[0].ManagerName != "Mia Doe" || u[0].CustomFields["mx_Custom_1"] != "Married" {
		t.Errorf("GetUserByID: %s", byID.Body)
	}
	byEmail := ok(c.API().GetUserByEmailWithResponse(ctx, &api.GetUserByEmailParams{EmailAddress: "rosa@example.com"}))(t, "GetUserByEmail")
	if u := *byEmail.JSON200; len(u) != 1 || u[0].ID != rep2 {
		t.Errorf("GetUserByEmail: %s", byEmail.Body)
	}
	on := api.UserUpdateSettingEnabled
	ok(c.API().UpdateUserWithResponse(ctx, &api.UpdateUserParams{UserID: rep1}, api.UserUpdateRequest{
		User:         api.UserUpdateFields{Designation: leadsquared.Ptr("Field Rep"), LastName: leadsquared.Ptr("Kumar")},
		UserSettings: api.UserUpdateSettings{IsSoftPhoneEnabled: &on},
	}))(t, "UpdateUser")
	if u, _ := srv.User(rep1); u.LastName != "Kumar" || u.Attributes["Designation"] != "Field Rep" || u.Settings["IsSoftPhoneEnabled"] != 1 {
		t.Errorf("after UpdateUser: %+v", u)
	}
	salesUsers := []api.ConditionGroup{{Condition: []api.SearchCondition{{LookupName: "Role", Operator: api.SearchConditionOperatorEq, LookupValue: "Sales_User"}}}}
	bulk := ok(c.API().BulkUpdateUsersWithResponse(ctx, api.UserBulkUpdateRequest{Conditions: salesUsers, Attribute: "TeamId", Value: "team-42"}))(t, "BulkUpdateUsers")
	if bulk.JSON200.Message.AffectedRows != 2 {
		t.Errorf("BulkUpdateUsers: %s", bulk.Body)
	}
	mgrs := ok(c.API().BulkUpdateUserManagersWithResponse(ctx, api.UserManagerUpdateList{{UserID: rep2, ManagerID: srv.OwnerID}}))(t, "BulkUpdateUserManagers")
	if mgrs.JSON200.WFAID == "" || mgrs.JSON200.Status != "Success" {
		t.Errorf("BulkUpdateUserManagers: %s", mgrs.Body)
	}
	if err := srv.AddUserTag(rep1, "location", "bangalore"); err != nil {
		t.Fatal(err)
	}
	tags := ok(c.API().GetUserTagsWithResponse(ctx, &api.GetUserTagsParams{UserID: rep1}))(t, "GetUserTags")
	if tg := *tags.JSON200; len(tg) != 1 || tg[0].Key != "location" {
		t.Errorf("GetUserTags: %s", tags.Body)
	}
	one := 1
	search := ok(c.API().AdvancedSearchUsersWithResponse(ctx, api.UserSearchRequest{
		GroupConditions: []api.ConditionGroup{{Condition: []api.SearchCondition{{LookupName: "TeamId", Operator: api.SearchConditionOperatorEq, LookupValue: "team-42"}}}},
		Sorting:         []api.UserSearchSort{{ColumnName: "FirstName"}},
		Paging:          api.UserSearchPaging{PageIndex: one, PageSize: one},
	}))(t, "AdvancedSearchUsers")
	if us := search.JSON200.Users; len(us) != 1 || us[0].FirstName != "Ravi" || us[0].CustomFields["mx_Custom_1"] != "Married" {
		t.Errorf("AdvancedSearchUsers: %s", search.Body)
	}
	attrs := ok(c.API().GetUserAttributesWithBodyWithResponse(ctx, "application/json", nil))(t, "GetUserAttributes")
	if attrs.JSON200.TotalUserAttributes == 0 {
		t.Errorf("GetUserAttributes: %s", attrs.Body)
	}
	ok(c.API().NotifyUsersWithResponse(ctx, api.NotifyUsersRequest{
		EmailContent:       api.EmailContent{From: "noreply@example.com", Subject: "Welcome", ContentHTML: "<p>Hi</p>"},
		UserEmailAddresses: []string{"ravi@example.com"}, Roles: []api.Role{},
	}))(t, "NotifyUsers")
	if m := srv.Emails(); len(m) != 1 || m[0].To[0] != "ravi@example.com" {
		t.Errorf("emails: %+v", m)
	}

	// Hierarchy.
	h := ok(c.API().GetUserHierarchyWithResponse(ctx, &api.GetUserHierarchyParams{UserID: &mgr}))(t, "GetUserHierarchy")
	if ids := *h.JSON200; len(ids) != 1 || ids[0] != rep1 {
		t.Errorf("GetUserHierarchy: %s", h.Body)
	}
	hi := ok(c.API().GetUserHierarchyInfoWithResponse(ctx, api.HierarchyInfoRequest{UserID: srv.OwnerID}))(t, "GetUserHierarchyInfo")
	if hi.JSON200.SearchInfo.TotalUsers != 3 {
		t.Errorf("GetUserHierarchyInfo: %s", hi.Body)
	}

	// Permission templates.
	perms := []api.EntityPermissionInput{{Entity: api.PermissionEntityLead, Permissions: []api.PermissionInput{
		{Action: api.PermissionActionExport, Access: api.PermissionAccessNone},
		{Action: api.PermissionActionUpdate, Access: api.PermissionAccessPartial, Properties: api.PermissionPropertiesInput{RestrictedFields: []string{"Phone"}}},
	}}}
	tc := ok(c.API().CreatePermissionTemplateWithResponse(ctx, api.PermissionTemplateInput{Name: "No export", EntityPermissions: perms}))(t, "CreatePermissionTemplate")
	tpl := tc.JSON200.Message.ID
	tc2 := ok(c.API().CreatePermissionTemplateWithResponse(ctx, api.PermissionTemplateInput{Name: "Second"}))(t, "CreatePermissionTemplate")
	tpl2 := tc2.JSON200.Message.ID
	ok(c.API().UpdatePermissionTemplateWithResponse(ctx, &api.UpdatePermissionTemplateParams{ID: tpl},
		api.PermissionTemplateInput{Name: "No export", Description: "Sales reps", EntityPermissions: perms}))(t, "UpdatePermissionTemplate")
	list := ok(c.API().GetPermissionTemplatesWithResponse(ctx, api.PermissionTemplateSearchRequest{
		Parameter: api.PermissionTemplateSearchParameter{SearchText: "export"},
	}))(t, "GetPermissionTemplates")
	if list.JSON200.RecordCount != 1 || list.JSON200.List[0].Description != "Sales reps" {
		t.Errorf("GetPermissionTemplates: %s", list.Body)
	}
	ok(c.API().ApplyPermissionTemplateWithResponse(ctx, nil, api.PermissionTemplateApplyRequest{
		ID: tpl, UserIDs: []string{rep1}, RoleIDs: []api.Role{api.RoleSalesManager},
	}))(t, "ApplyPermissionTemplate")
	up := ok(c.API().GetUserPermissionsWithResponse(ctx, &api.GetUserPermissionsParams{UserID: &rep1}))(t, "GetUserPermissions")
	access := map[string]string{}
	for _, ep := range up.JSON200.EntityPermissions {
		for _, p := range ep.Permissions {
			access[ep.Entity+"."+p.Action] = p.Access
		}
	}
	if access["Lead.Export"] != "NoAccess" || access["Lead.Update"] != "PartialAccess" || access["Lead.Create"] != "FullAccess" {
		t.Errorf("GetUserPermissions: %v", access)
	}
	ow := ok(c.API().OverwritePermissionTemplateWithResponse(ctx, api.PermissionTemplateOverwriteRequest{ID: tpl2, UserIDs: []string{rep1}}))(t, "OverwritePermissionTemplate")
	if ow.JSON200.Message.AffectedRows != 1 {
		t.Errorf("OverwritePermissionTemplate: %s", ow.Body)
	}
	if res, err := c.RemovePermissionTemplate(ctx, tpl); err != nil || !res.Message.IsSuccessful {
		t.Fatalf("RemovePermissionTemplate: %+v, %v", res, err)
	}
	if ts := srv.Templates(); ts[0].ID != tpl || len(ts[0].UserIDs)+len(ts[0].Roles) != 0 || len(ts[1].UserIDs) != 1 {
		t.Errorf("after RemovePermissionTemplate: %+v", ts)
	}
	ok(c.API().DeletePermissionTemplateWithResponse(ctx, &api.DeletePermissionTemplateParams{ID: tpl}))(t, "DeletePermissionTemplate")
	if len(srv.Templates()) != 1 {
		t.Error("template not deleted")
	}

	// Availability (the key owner checks in and out).
	online := api.AvailabilityStatusOnline
	ok(c.API().CheckInUserWithResponse(ctx, api.CheckInRequest{Source: "API", AvailabilityStatus: online}))(t, "CheckInUser")
	st := ok(c.API().GetCheckInStatusWithResponse(ctx, nil))(t, "GetCheckInStatus")
	if !bool(st.JSON200.IsCheckedIn) || st.JSON200.LastCheckedOn.IsZero() {
		t.Errorf("GetCheckInStatus: %s", st.Body)
	}
	ok(c.API().CheckOutUserWithResponse(ctx, api.CheckOutRequest{Source: "API", AvailabilityStatus: "Offline"}))(t, "CheckOutUser")
	now := time.Now().UTC()
	hist := ok(c.API().GetCheckInHistoryWithResponse(ctx, api.CheckInHistoryRequest{
		UserAttributeType: api.CheckInHistoryByUserID, Users: []string{srv.OwnerID},
		FromDate: scalar.NewDateTime(now.Add(-time.Hour).Truncate(time.Second)), ToDate: scalar.NewDateTime(now.Add(time.Hour).Truncate(time.Second)),
	}))(t, "GetCheckInHistory")
	if hist.JSON200.RecordCount != 2 || hist.JSON200.Details[0].IsCheckIn {
		t.Errorf("GetCheckInHistory (newest first): %s", hist.Body)
	}
	wd := ok(c.API().GetUserWorkDayDetailsWithResponse(ctx, &api.GetUserWorkDayDetailsParams{UserID: rep1, Date: "2024-03-04"}))(t, "GetUserWorkDayDetails")
	if wd.JSON200.IsAvailable != 1 || len(wd.JSON200.WorkingHours) != 1 {
		t.Errorf("GetUserWorkDayDetails: %s", wd.Body)
	}
	cv := ok(c.API().SendConverseNotificationWithResponse(ctx, api.ConverseNotificationRequest{
		ToUser: rep1, Type: "Lead", CardContents: api.ConverseNotificationCard{Message: "New lead assigned"},
	}))(t, "SendConverseNotification")
	if !cv.JSON200.Success {
		t.Errorf("SendConverseNotification: %s", cv.Body)
	}

	// Deactivate, reactivate, deactivate, obsolete: the address is free again.
	ok(c.API().DeactivateUserWithResponse(ctx, &api.DeactivateUserParams{UserID: rep2}))(t, "DeactivateUser")
	if r := ok(c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: rep2}))(t, "GetUserByID"); len(*r.JSON200) != 0 {
		t.Errorf("inactive user: %s", r.Body)
	}
	ok(c.API().ActivateUserWithResponse(ctx, &api.ActivateUserParams{UserID: rep2}))(t, "ActivateUser")
	ok(c.API().DeactivateUserWithResponse(ctx, &api.DeactivateUserParams{UserID: rep2}))(t, "DeactivateUser")
	ok(c.API().MarkUserObsoleteWithResponse(ctx, &api.MarkUserObsoleteParams{UserID: rep2}))(t, "MarkUserObsolete")
	create("Rosa", "rosa@example.com", api.RoleSalesUser, "")

	// Every operation of the spec was called, and every call was answered successfully
	// at least once.
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	succeeded := map[api.OperationID]bool{}
	for _, r := range srv.Requests() {
		if r.Status == 200 {
			succeeded[r.OperationID] = true
		}
		for _, k := range []string{"accessKey", "secretKey"} {
			if vs, has := r.Query[k]; has && vs[0] != lsqtest.Redacted {
				t.Errorf("%s not redacted in the log", k)
			}
		}
		if r.OperationID == "GetUsers" && (r.Auth != "header" || r.Query.Has("accessKey")) {
			t.Errorf("header auth: %+v", r)
		}
	}
	var missing []string
	for _, op := range v.Operations() {
		if !succeeded[op.ID] {
			missing = append(missing, string(op.ID))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 || len(succeeded) != 30 {
		t.Errorf("operations not driven: %v (%d driven)", missing, len(succeeded))
	}
	if n := srv.Count("CreateUser"); n != 5 {
		t.Errorf("CreateUser sent %d times, want 5 (the duplicate must not be retried)", n)
	}
}

func TestE2ERateLimitRiddenOut(t *testing.T) {
	t.Parallel()
	for _, form := range []lsqtest.Form{lsqtest.Form429, lsqtest.Form403, lsqtest.Form200} {
		t.Run(form.String(), func(t *testing.T) {
			t.Parallel()
			srv := lsqtest.MustNewServer(t, lsqtest.WithRateLimit(2, time.Second, form))
			c := newClient(t, srv)
			ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
			defer cancel()
			for i := range 5 {
				ok(c.API().GetUsersWithResponse(ctx))(t, fmt.Sprint("GetUsers ", i))
			}
			// The client hits the limit when the server sees more than 2 calls in a second,
			// which it does unless the machine ran the calls more slowly than that: then the
			// server's own record of arrivals explains it.
			busiest := maxInWindow(srv.Requests(), api.OpGetUsers, time.Second)
			if form != lsqtest.Form200 {
				limited := 0
				for _, r := range srv.Requests() {
					if r.Status == int(form) {
						limited++
					}
				}
				if limited == 0 && busiest > 2 {
					t.Errorf("the client never hit the limit, though the server saw %d calls in one second", busiest)
				}
			}
			if n := srv.Count("GetUsers"); n < 6 && busiest > 2 {
				t.Errorf("GetUsers sent %d times: no retry after the rate limit", n)
			}

			// Without retries, the caller gets the *RateLimitError with the limit.
			c0 := newClient(t, srv, leadsquared.WithMaxRetries(0))
			var err error
			before := len(srv.Requests())
			for range 3 {
				if _, err = c0.API().GetUsersWithResponse(ctx); err != nil {
					break
				}
			}
			if err == nil && maxInWindow(srv.Requests()[before:], api.OpGetUsers, time.Second) <= 2 {
				t.Skip("the machine ran 3 calls more slowly than 2 per second: the limit was never reached")
			}
			var rl *leadsquared.RateLimitError
			if !errors.As(err, &rl) || rl.Limit != 2 || rl.Window != time.Second || rl.StatusCode != int(form) {
				t.Fatalf("want a *RateLimitError (2 per 1s, HTTP %d), got %v", form, err)
			}
		})
	}
}

func TestE2EBulkRateLimit(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t, lsqtest.WithBulkRateLimit(1, time.Second))
	c := newClient(t, srv)
	ctx := t.Context()
	u, _ := srv.AddUser(lsqtest.User{FirstName: "A", EmailAddress: "a@example.com", Role: "Sales_User"})
	start := time.Now()
	for range 2 {
		ok(c.API().BulkUpdateUserManagersWithResponse(ctx, api.UserManagerUpdateList{{UserID: u.ID, ManagerID: srv.OwnerID}}))(t, "BulkUpdateUserManagers")
	}
	if time.Since(start) < 900*time.Millisecond {
		t.Errorf("second bulk call not held back")
	}
	// The second call is rate limited once and resent, unless it reached the server more
	// than a second after the first (a busy machine), which the server's record shows.
	if n := srv.Count("BulkUpdateUserManagers"); n != 3 && (n != 2 || maxInWindow(srv.Requests(), api.OpBulkUpdateUserManagers, time.Second) > 1) {
		t.Errorf("bulk calls sent %d times, want 3 (one rate-limited)", n)
	}
	// Other calls are not limited by the bulk limit (a fresh client: this one adopted the
	// bulk limit the server named).
	c2 := newClient(t, srv, leadsquared.WithMaxRetries(0))
	for range 5 {
		ok(c2.API().GetUsersWithResponse(ctx))(t, "GetUsers")
	}
}

func TestE2EFaults(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t)
	c := newClient(t, srv)
	ctx := t.Context()
	u, _ := srv.AddUser(lsqtest.User{FirstName: "A", EmailAddress: "a@example.com", Role: "Sales_User"})

	t.Run("GET not retried after a 500 with LeadSquared's error body", func(t *testing.T) {
		// The fault's default body is LeadSquared's: the service's answer, returned at once.
		_ = srv.FailNext("GetUserById", 1, lsqtest.Fault{Status: 500})
		_, err := c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: u.ID})
		var apiErr *leadsquared.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || srv.Count("GetUserById") != 1 {
			t.Errorf("err %v, sent %d times: want the 500 after 1", err, srv.Count("GetUserById"))
		}
	})
	t.Run("GET retried after a dropped connection", func(t *testing.T) {
		_ = srv.FailNext("GetUsers", 1, lsqtest.Fault{Drop: true})
		ok(c.API().GetUsersWithResponse(ctx))(t, "GetUsers")
		if srv.Count("GetUsers") < 2 {
			t.Errorf("sent %d times", srv.Count("GetUsers"))
		}
	})
	t.Run("idempotent POST retried", func(t *testing.T) {
		_ = srv.FailNext("AdvancedSearchUsers", 2, lsqtest.Fault{Drop: true})
		ok(c.API().AdvancedSearchUsersWithResponse(ctx, api.UserSearchRequest{}))(t, "AdvancedSearchUsers")
		if n := srv.Count("AdvancedSearchUsers"); n != 3 {
			t.Errorf("sent %d times, want 3", n)
		}
	})
	t.Run("CreateUser not retried after a 500", func(t *testing.T) {
		before := srv.UserCount()
		// The user is created, then the answer is lost to a 500: a retry would duplicate.
		_ = srv.FailNext("CreateUser", 1, lsqtest.Fault{Status: 500, AfterWork: true})
		_, err := c.API().CreateUserWithResponse(ctx, api.UserCreateRequest{FirstName: "B", EmailAddress: "b@example.com", Role: api.RoleSalesUser})
		var apiErr *leadsquared.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
			t.Fatalf("want the 500 as *APIError, got %v", err)
		}
		if srv.Count("CreateUser") != 1 || srv.UserCount() != before+1 {
			t.Errorf("CreateUser sent %d times, %d users (want 1 and %d)", srv.Count("CreateUser"), srv.UserCount(), before+1)
		}
	})
	t.Run("CreateUser not retried after a dropped connection", func(t *testing.T) {
		before, sent := srv.UserCount(), srv.Count("CreateUser")
		_ = srv.FailNext("CreateUser", 1, lsqtest.Fault{Drop: true, AfterWork: true})
		if _, err := c.API().CreateUserWithResponse(ctx, api.UserCreateRequest{FirstName: "C", EmailAddress: "c@example.com", Role: api.RoleSalesUser}); err == nil {
			t.Fatal("no error for a dropped connection")
		}
		if srv.Count("CreateUser") != sent+1 || srv.UserCount() != before+1 {
			t.Errorf("CreateUser sent %d times, %d users", srv.Count("CreateUser")-sent, srv.UserCount()-before)
		}
	})
	t.Run("MarkUserObsolete (a GET that writes) not retried", func(t *testing.T) {
		_ = srv.FailNext("MarkUserObsolete", 1, lsqtest.Fault{Status: 500})
		if _, err := c.API().MarkUserObsoleteWithResponse(ctx, &api.MarkUserObsoleteParams{UserID: u.ID}); err == nil {
			t.Fatal("no error")
		}
		if n := srv.Count("MarkUserObsolete"); n != 1 {
			t.Errorf("sent %d times", n)
		}
	})
	t.Run("delay beyond the deadline", func(t *testing.T) {
		_ = srv.FailNext("GetCheckInStatus", 1, lsqtest.Fault{Delay: 10 * time.Second})
		dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.API().GetCheckInStatusWithResponse(dctx, nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("want a deadline error, got %v", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %s", d)
		}
	})
	t.Run("error body with 200", func(t *testing.T) {
		_ = srv.FailNext("GetUsers", 1, lsqtest.Fault{Status: 200, Body: `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"boom"}`})
		_, err := c.API().GetUsersWithResponse(ctx)
		var apiErr *leadsquared.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 200 || !strings.Contains(apiErr.ExceptionMessage, "boom") {
			t.Errorf("want *APIError with 200, got %v", err)
		}
	})
}

// maxInWindow is the largest number of requests for op that the server received within any
// span shorter than per, by the server's clock.
func maxInWindow(reqs []lsqtest.Request, op api.OperationID, per time.Duration) int {
	var ts []time.Time
	for _, r := range reqs {
		if r.OperationID == op {
			ts = append(ts, r.Time)
		}
	}
	slices.SortFunc(ts, time.Time.Compare)
	best, i := 0, 0
	for j := range ts {
		for ts[j].Sub(ts[i]) >= per {
			i++
		}
		best = max(best, j-i+1)
	}
	return best
}
