package leadsquared

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Search1000 gives the external test package search1000.
var Search1000 = search1000

// search1000 is a 1,000-user AdvancedSearchUsers reply (as pkg/validate's benchmark).
func search1000() []byte {
	users := make([]map[string]any, 1000)
	for i := range users {
		users[i] = map[string]any{
			"UserId": fmt.Sprintf("3b1041fb-8374-11e7-8758-%012d", i), "FirstName": "Vir", "LastName": fmt.Sprintf("Singh %d", i),
			"EmailAddress": fmt.Sprintf("vir%d@example.com", i), "Role": "Sales_User", "StatusCode": "0",
			"AssociatedPhoneNumbers": nil, "IsAdministrator": "false", "CreatedOn": "2020-03-31 13:31:17",
			"ManagerUserId": "0cd3c94b-acb5-11eb-9ad7-06f221480cd8", "Groups": "A,B",
		}
	}
	b, err := json.Marshal(map[string]any{"Users": users})
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return b
}

// BenchmarkDriftWalk is the walk alone, and the decode it sits beside, on a 1,000-user search.
func BenchmarkDriftWalk(b *testing.B) {
	body := search1000()
	b.Run("walk", func(b *testing.B) {
		c := newDriftChecker(func(DriftReport) { b.Fatal("drift") }, nil, 0)
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			c.check(api.OpAdvancedSearchUsers, body)
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var v api.UserSearchResult
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// driftedUser is a GetUserById reply with one drift of each kind the User schema allows, and
// the secret keys as the values of drifted fields: the reports must not carry them.
const driftedUser = `[{"UserId":"3b1041fb-8374-11e7-8758-0a106ee76b21","Role":null,"IsCheckedIn":"true","UserType":7,` +
	`"OrgId":"8117","Secret_Field":"a$b/c+d%e f#g","FirstName":"u$r/a+b%c&d=e"},` +
	`{"UserId":"x","IsCheckedIn":"1","Secret_Field":{"k":"a$b/c+d%e f#g"}}]`

// collect returns a report function and what it was given.
func collectDrift() (func(DriftReport), func() []DriftReport) {
	var mu sync.Mutex
	var got []DriftReport
	return func(r DriftReport) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, r)
		}, func() []DriftReport {
			mu.Lock()
			defer mu.Unlock()
			return append([]DriftReport(nil), got...)
		}
}

func TestDriftReportKinds(t *testing.T) {
	report, reports := collectDrift()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := setup(t, serve(reply{status: 200, body: driftedUser}), WithDriftReport(report), WithLogger(logger))
	u, err := e.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	// The result is what it is without the option.
	plain := setup(t, serve(reply{status: 200, body: driftedUser}))
	want, err := plain.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(u, want) {
		t.Errorf("result with drift reports\n%+v\nwithout\n%+v", u, want)
	}

	got := map[string]DriftReport{}
	for _, r := range reports() {
		got[string(r.Kind)+" "+r.Pointer] = r
	}
	type w struct {
		kind     DriftKind
		pointer  string
		count    int
		types    map[string]int
		spec     []string
		declared bool
		enum     map[string]int
		schema   string
	}
	wants := []w{
		{DriftNull, "/*/Role", 1, map[string]int{"null": 1}, []string{"string"}, false, nil, "$.components.schemas.User.properties.Role"},
		{DriftType, "/*/IsCheckedIn", 2, map[string]int{"string": 2}, []string{"boolean"}, true, nil, "$.components.schemas.User.properties.IsCheckedIn"},
		{DriftType, "/*/OrgId", 1, map[string]int{"string": 1}, []string{"integer"}, true, nil, "$.components.schemas.User.properties.OrgId"},
		{DriftEnum, "/*/UserType", 1, map[string]int{"integer": 1}, []string{"integer"}, false, map[string]int{"7": 1}, "$.components.schemas.User.properties.UserType"},
		{DriftUnknownAttribute, "/*/Secret_Field", 2, map[string]int{"string": 1, "object": 1}, nil, false, nil, "$.components.schemas.User"},
	}
	for _, w := range wants {
		r, ok := got[string(w.kind)+" "+w.pointer]
		if !ok {
			t.Errorf("no %s report at %s", w.kind, w.pointer)
			continue
		}
		delete(got, string(w.kind)+" "+w.pointer)
		if r.Operation != api.OpGetUserByID || r.Count != w.count || r.Calls != 1 || !reflect.DeepEqual(r.Types, w.types) ||
			!reflect.DeepEqual(r.SpecTypes, w.spec) || r.Declared != w.declared || !reflect.DeepEqual(r.EnumValues, w.enum) || r.Schema != w.schema {
			t.Errorf("%s %s: got %+v", w.kind, w.pointer, r)
		}
		if r.Attribute != w.pointer[strings.LastIndex(w.pointer, "/")+1:] {
			t.Errorf("%s %s: attribute %q", w.kind, w.pointer, r.Attribute)
		}
	}
	for k, r := range got {
		t.Errorf("unexpected report %s: %+v", k, r)
	}
	// Never a value of the reply, in a report or in the log.
	assertNoSecret(t, "reports", fmt.Sprintf("%+v", reports()))
	assertNoSecret(t, "log", logs.String())
	if n := strings.Count(logs.String(), "reply drifted from the spec"); n != len(wants) {
		t.Errorf("%d log lines, want %d:\n%s", n, len(wants), logs.String())
	}
	if !strings.Contains(logs.String(), `pointer=/*/UserType kind=enum count=1 calls=1 types="integer=1" spec_types=integer enum_values="7=1"`) {
		t.Errorf("log lacks the enum drift:\n%s", logs.String())
	}
}

func TestDriftMissingRequired(t *testing.T) {
	report, reports := collectDrift()
	e := setup(t, serve(reply{status: 200, body: `{"Message":"ok"}`}), WithDriftReport(report))
	if _, err := e.c.ActivateUser(t.Context(), api.ActivateUserParams{UserID: "x"}); err != nil {
		t.Fatal(err)
	}
	got := reports()
	if len(got) != 2 {
		t.Fatalf("reports %+v, want the missing Status and the unknown Message", got)
	}
	if r := got[0]; r.Kind != DriftUnknownAttribute || r.Pointer != "/Message" {
		t.Errorf("first report %+v", r)
	}
	if r := got[1]; r.Kind != DriftMissingRequired || r.Pointer != "/Status" || r.Count != 1 || r.Types != nil || r.Schema != "$.components.schemas.SuccessStatus" {
		t.Errorf("second report %+v", r)
	}
}

// TestDriftReportedOncePerInterval: the same drift is reported when first seen, then once per
// interval with what was seen since, and a new drift at once.
func TestDriftReportedOncePerInterval(t *testing.T) {
	report, reports := collectDrift()
	body := `[{"UserId":"x","IsCheckedIn":"true"}]`
	s := serve(reply{status: 200, body: body})
	e := setup(t, s, WithDriftReport(report), WithDriftInterval(time.Minute))
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	e.c.doer.drift.now = func() time.Time { return now } // the check runs on the calling goroutine
	call := func() {
		t.Helper()
		if _, err := e.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	call()
	call()
	call()
	if got := reports(); len(got) != 1 || got[0].Count != 1 || got[0].Calls != 1 {
		t.Fatalf("after 3 calls in the interval: %+v, want one report of one value", got)
	}
	now = now.Add(59 * time.Second)
	call()
	if got := reports(); len(got) != 1 {
		t.Fatalf("before the interval ends: %d reports", len(got))
	}
	now = now.Add(time.Second)
	call()
	got := reports()
	if len(got) != 2 || got[1].Count != 4 || got[1].Calls != 4 || got[1].Types["string"] != 4 {
		t.Fatalf("after the interval: %+v, want a second report of the 4 values since the first", got)
	}
	call()
	e.c.FlushDriftReports()
	if got := reports(); len(got) != 3 || got[2].Count != 1 || got[2].Calls != 1 {
		t.Fatalf("FlushDriftReports: %+v, want the one value held back", got)
	}
	e.c.FlushDriftReports()
	if got := reports(); len(got) != 3 {
		t.Fatalf("a second FlushDriftReports reported again: %+v", got[3:])
	}
	s.mu.Lock()
	s.replies = []reply{{status: 200, body: `[{"UserId":"x","IsCheckedIn":"true","New":1}]`}}
	s.mu.Unlock()
	call()
	if got := reports(); len(got) != 4 || got[3].Kind != DriftUnknownAttribute || got[3].Pointer != "/*/New" {
		t.Fatalf("a new drift in the interval: %+v", got)
	}
}

func TestDriftNothingOnMatchingOrBrokenReplies(t *testing.T) {
	report, reports := collectDrift()
	for _, body := range []string{
		string(search1000()),
		`{"Users":[{"UserId":"x","Role":"Sales_User"`, // cut: the call fails, nothing is reported
		`{"Users":[]}`,
	} {
		e := setup(t, serve(reply{status: 200, body: body}), WithDriftReport(report))
		_, _ = e.c.AdvancedSearchUsers(t.Context(), api.UserSearchRequest{})
	}
	if got := reports(); len(got) != 0 {
		t.Errorf("reports on replies that match the spec or cannot be read: %+v", got)
	}
}

func TestDriftOptionErrors(t *testing.T) {
	if _, err := New("http://127.0.0.1/v2", "a", "b", WithDriftReport(nil)); err == nil {
		t.Error("WithDriftReport(nil) without a logger: no error")
	}
	if _, err := New("http://127.0.0.1/v2", "a", "b", WithDriftReport(nil), WithLogger(slog.Default())); err != nil {
		t.Errorf("WithDriftReport(nil) with a logger: %v", err)
	}
	if _, err := New("http://127.0.0.1/v2", "a", "b", WithDriftInterval(0)); err == nil {
		t.Error("WithDriftInterval(0): no error")
	}
}

// TestDriftCustomFields: the mx_* keys of a schema with x-lsq-custom-fields are custom fields,
// strings or null; another type there is drift, and a key outside mx_* is still unknown.
func TestDriftCustomFields(t *testing.T) {
	report, reports := collectDrift()
	body := `[{"UserId":"x","mx_Custom_1":"Married","mx_Custom_2":null,"mx_Region":"South","mx_Custom_3":5,"Custom_4":"y"}]`
	e := setup(t, serve(reply{status: 200, body: body}), WithDriftReport(report))
	if _, err := e.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "x"}); err != nil {
		t.Fatal(err)
	}
	got := reports()
	if len(got) != 2 {
		t.Fatalf("reports %+v, want mx_Custom_3 (a number) and Custom_4 (not mx_)", got)
	}
	if r := got[0]; r.Kind != DriftUnknownAttribute || r.Pointer != "/*/Custom_4" {
		t.Errorf("first report %+v", r)
	}
	if r := got[1]; r.Kind != DriftType || r.Pointer != "/*/mx_Custom_3" || r.Types["integer"] != 1 || fmt.Sprint(r.SpecTypes) != "[string]" {
		t.Errorf("second report %+v", r)
	}
}
