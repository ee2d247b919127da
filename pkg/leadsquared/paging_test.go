package leadsquared

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/scalar"
)

// pagedServer serves n records of the paged operations, reading Paging from the body, and
// records the Paging of every request. failAt (1-based request number) answers 400.
type pagedServer struct {
	n int
	// count is the RecordCount answered: "total", "page" (the page's own length), "inflated"
	// (a total 1000 above the records there are) or "" (none).
	count  string
	ignore bool // ignore Paging and answer every record
	cap    int  // when > 0, the largest page the server returns, whatever the request asks
	failAt int

	mu     sync.Mutex
	paging []api.UserSearchPaging
	bodies []map[string]any
}

func (s *pagedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body struct {
		Paging api.UserSearchPaging
	}
	_ = json.Unmarshal(raw, &body)
	var generic map[string]any
	_ = json.Unmarshal(raw, &generic)
	s.mu.Lock()
	s.paging = append(s.paging, body.Paging)
	s.bodies = append(s.bodies, generic)
	nreq := len(s.paging)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if nreq == s.failAt || nreq > maxPagedRequests {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"bad page"}`)
		return
	}
	from, to := 0, s.n
	if !s.ignore {
		idx, size := body.Paging.PageIndex, body.Paging.PageSize
		if s.cap > 0 {
			size = min(size, s.cap)
		}
		from, to = min((idx-1)*size, s.n), min(idx*size, s.n)
	}
	ids := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		ids = append(ids, fmt.Sprint("id-", i))
	}
	var count scalar.Int // 0: left out of the answer
	switch s.count {
	case "total":
		count = scalar.Int(s.n)
	case "page":
		count = scalar.Int(len(ids))
	case "inflated":
		count = scalar.Int(s.n + 1000)
	}
	var out any
	switch r.URL.Path {
	case "/v2/UserManagement.svc/User/AdvancedSearch":
		users := make([]api.UserSearchRecord, len(ids))
		for i := range ids {
			users[i].ID = ids[i]
		}
		out = api.UserSearchResult{Users: users}
	case "/v2/UserManagement.svc/User/GetCheckinCheckoutHistory":
		ev := make([]api.CheckInHistoryEntry, len(ids))
		for i := range ids {
			ev[i].UserID = ids[i]
		}
		out = api.CheckInHistory{Details: ev, RecordCount: count}
	case "/v2/PermissionTemplate.svc/Retrieve":
		list := make([]api.PermissionTemplate, len(ids))
		for i := range ids {
			list[i].ID = ids[i]
		}
		out = api.PermissionTemplateList{List: list, RecordCount: count}
	default:
		w.WriteHeader(http.StatusNotFound)
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}

// maxPagedRequests bounds the requests a pagedServer answers, so that an iterator that
// would not stop fails its test instead of hanging it.
const maxPagedRequests = 100

func (s *pagedServer) Paging() []api.UserSearchPaging {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]api.UserSearchPaging(nil), s.paging...)
}

// pagesOf returns the (index, size) pairs of the recorded requests.
func (s *pagedServer) pagesOf() [][2]int {
	var out [][2]int
	for _, p := range s.Paging() {
		out = append(out, [2]int{p.PageIndex, p.PageSize})
	}
	return out
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) ([]T, []error) {
	t.Helper()
	var items []T
	var errs []error
	for it, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, it)
	}
	return items, errs
}

func userIDs(us []api.UserSearchRecord) []string {
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids
}

func checkSequence(t *testing.T, ids []string, from, n int) {
	t.Helper()
	if len(ids) != n {
		t.Fatalf("%d records, want %d", len(ids), n)
	}
	for i, id := range ids {
		if want := fmt.Sprint("id-", from+i); id != want {
			t.Fatalf("record %d = %s, want %s", i, id, want)
		}
	}
}

func TestSearchUsersFetchesEveryPage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n     int
		pages [][2]int
	}{
		{2500, [][2]int{{1, 1000}, {2, 1000}, {3, 1000}}},
		{2000, [][2]int{{1, 1000}, {2, 1000}, {3, 1000}}}, // the empty third page ends it
		{0, [][2]int{{1, 1000}}},
		{999, [][2]int{{1, 1000}}},
	} {
		s := &pagedServer{n: tc.n}
		env := setup(t, s)
		req := api.UserSearchRequest{Columns: api.UserSearchColumns{IncludeCSV: "UserID"}}
		users, errs := collect(t, env.c.SearchUsers(t.Context(), req))
		if len(errs) != 0 {
			t.Fatalf("n=%d: errors %v", tc.n, errs)
		}
		checkSequence(t, userIDs(users), 0, tc.n)
		if got := s.pagesOf(); fmt.Sprint(got) != fmt.Sprint(tc.pages) {
			t.Errorf("n=%d: pages %v, want %v", tc.n, got, tc.pages)
		}
		if req.Paging != (api.UserSearchPaging{}) {
			t.Error("SearchUsers changed the caller's request")
		}
		if b := s.bodies[0]; b["Columns"] == nil {
			t.Errorf("the request's other fields were not sent: %v", b)
		}
	}
}

func TestSearchUsersIsLazy(t *testing.T) {
	t.Parallel()
	s := &pagedServer{n: 5000}
	env := setup(t, s)
	n := 0
	for _, err := range env.c.SearchUsers(t.Context(), api.UserSearchRequest{}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 1000 { // the last record of the first page
			break
		}
	}
	if got := len(s.Paging()); got != 1 {
		t.Errorf("%d requests for the first page's records, want 1 (no prefetch)", got)
	}
	// Ranging again starts again from the first page.
	for _, err := range env.c.SearchUsers(t.Context(), api.UserSearchRequest{}) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if got := s.pagesOf(); fmt.Sprint(got) != "[[1 1000] [1 1000]]" {
		t.Errorf("pages %v", got)
	}
}

func TestSearchUsersPageSizeAndStart(t *testing.T) {
	t.Parallel()
	s := &pagedServer{n: 1000}
	env := setup(t, s)
	req := api.UserSearchRequest{Paging: api.UserSearchPaging{PageIndex: 2, PageSize: 300}}
	users, errs := collect(t, env.c.SearchUsers(t.Context(), req))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	checkSequence(t, userIDs(users), 300, 700)
	if got := s.pagesOf(); fmt.Sprint(got) != "[[2 300] [3 300] [4 300]]" {
		t.Errorf("pages %v", got)
	}
	if req.Paging.PageIndex != 2 || req.Paging.PageSize != 300 {
		t.Error("SearchUsers changed the caller's Paging")
	}

	// Above the API's maximum: capped at 1000.
	s2 := &pagedServer{n: 10}
	env2 := setup(t, s2)
	if _, errs := collect(t, env2.c.SearchUsers(t.Context(), api.UserSearchRequest{Paging: api.UserSearchPaging{PageSize: 5000}})); len(errs) != 0 {
		t.Fatal(errs)
	}
	if got := s2.pagesOf(); fmt.Sprint(got) != "[[1 1000]]" {
		t.Errorf("pages %v, want the size capped at %d", got, MaxUserSearchPageSize)
	}
}

func TestSearchUsersServerIgnoringPaging(t *testing.T) {
	t.Parallel()
	s := &pagedServer{n: 1500, ignore: true}
	env := setup(t, s)
	users, errs := collect(t, env.c.SearchUsers(t.Context(), api.UserSearchRequest{}))
	if len(errs) != 0 || len(users) != 1500 || len(s.Paging()) != 1 {
		t.Errorf("%d users, %d requests, errors %v: want all 1500 users in 1 request", len(users), len(s.Paging()), errs)
	}
}

func TestSearchUsersStopsAtTheFirstError(t *testing.T) {
	t.Parallel()
	s := &pagedServer{n: 5000, failAt: 2}
	env := setup(t, s)
	var n int
	var errs []error
	for u, err := range env.c.SearchUsers(t.Context(), api.UserSearchRequest{}) {
		if err != nil {
			errs = append(errs, err)
			if u.ID != "" {
				t.Error("the error came with a record")
			}
			continue // the iterator must stop by itself
		}
		n++
	}
	var apiErr *APIError
	if len(errs) != 1 || !errors.As(errs[0], &apiErr) || apiErr.StatusCode != 400 {
		t.Fatalf("errors %v, want one *APIError 400", errs)
	}
	if n != 1000 || len(s.Paging()) != 2 {
		t.Errorf("%d records, %d requests: want the first page, then the error", n, len(s.Paging()))
	}
}

func TestSearchUsersContextCanceledBetweenPages(t *testing.T) {
	t.Parallel()
	s := &pagedServer{n: 5000}
	env := setup(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	n := 0
	var errs []error
	for _, err := range env.c.SearchUsers(ctx, api.UserSearchRequest{}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n++; n == 1000 {
			cancel()
		}
	}
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Fatalf("errors %v, want one context.Canceled", errs)
	}
	if len(s.Paging()) != 1 {
		t.Errorf("%d requests, want 1: nothing is sent after the cancel", len(s.Paging()))
	}
}

func checkInIDs(es []api.CheckInHistoryEntry) []string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.UserID
	}
	return ids
}

func TestCheckInHistoryUsesTheTotal(t *testing.T) {
	t.Parallel()
	req := api.CheckInHistoryRequest{
		UserAttributeType: api.CheckInHistoryByUserEmail,
		Users:             []string{"ada@example.com"},
		FromDate:          mustDateTime(t, "2025-01-01 00:00:00"),
		ToDate:            mustDateTime(t, "2025-01-31 23:59:59"),
	}
	for _, tc := range []struct {
		n     int
		count string
		pages string
	}{
		{450, "total", "[[1 200] [2 200] [3 200]]"},
		{400, "total", "[[1 200] [2 200]]"},        // the total says page 2 is the last
		{400, "page", "[[1 200] [2 200] [3 200]]"}, // a per-page count is no total: ask once more
		{400, "", "[[1 200] [2 200] [3 200]]"},     // no count at all
		{200, "total", "[[1 200] [2 200]]"},        // count == page length: not known to be a total
		{0, "total", "[[1 200]]"},
	} {
		s := &pagedServer{n: tc.n, count: tc.count}
		env := setup(t, s)
		events, errs := collect(t, env.c.CheckInHistory(t.Context(), req))
		if len(errs) != 0 {
			t.Fatal(errs)
		}
		checkSequence(t, checkInIDs(events), 0, tc.n)
		if got := fmt.Sprint(s.pagesOf()); got != tc.pages {
			t.Errorf("n=%d count=%q: pages %s, want %s", tc.n, tc.count, got, tc.pages)
		}
		if b := s.bodies[0]; b["UserAttributeType"] != "UserEmail" || b["FromDate"] != "2025-01-01 00:00:00" {
			t.Errorf("body %v lost the request's fields", b)
		}
	}
}

// A server that serves fewer records per page than asked: the iterators go on while the
// total says more remain, and a short page ends them only without such a total.
func TestPagingServerCapsThePageSize(t *testing.T) {
	t.Parallel()
	history := api.CheckInHistoryRequest{
		UserAttributeType: api.CheckInHistoryByUserEmail,
		Users:             []string{"ada@example.com"},
		FromDate:          mustDateTime(t, "2025-01-01 00:00:00"),
		ToDate:            mustDateTime(t, "2025-01-31 23:59:59"),
	}
	for _, tc := range []struct {
		name        string
		n, cap      int
		count       string
		first       int
		from, items int
		pages       string
	}{
		{"capped at 100 of 200", 450, 100, "total", 0, 0, 450, "[[1 200] [2 200] [3 200] [4 200] [5 200]]"},
		{"capped, total ends on a short page", 400, 100, "total", 0, 0, 400, "[[1 200] [2 200] [3 200] [4 200]]"},
		{"capped, from page 2", 450, 100, "total", 2, 100, 350, "[[2 200] [3 200] [4 200] [5 200]]"},
		// A short first page from page 3 may be the server's page size or the last page:
		// the next page, empty, tells.
		{"not capped, from page 3", 450, 0, "total", 3, 400, 50, "[[3 200] [4 200]]"},
		{"not capped, from page 2", 450, 0, "total", 2, 200, 250, "[[2 200] [3 200]]"},
		// Without a total a short page is the last: the records past it cannot be known.
		{"capped, no count", 450, 100, "", 0, 0, 100, "[[1 200]]"},
		{"capped, a page's own count", 450, 100, "page", 0, 0, 100, "[[1 200]]"},
	} {
		s := &pagedServer{n: tc.n, cap: tc.cap, count: tc.count}
		env := setup(t, s)
		req := history
		req.Paging.PageIndex = tc.first
		events, errs := collect(t, env.c.CheckInHistory(t.Context(), req))
		if len(errs) != 0 {
			t.Fatalf("%s: %v", tc.name, errs)
		}
		checkSequence(t, checkInIDs(events), tc.from, tc.items)
		if got := fmt.Sprint(s.pagesOf()); got != tc.pages {
			t.Errorf("%s: pages %s, want %s", tc.name, got, tc.pages)
		}
	}
	// Permission templates: 45 in pages of 20 where 50 were asked.
	s := &pagedServer{n: 45, cap: 20, count: "total"}
	env := setup(t, s)
	tpls, errs := collect(t, env.c.PermissionTemplates(t.Context(), api.PermissionTemplateSearchRequest{}))
	if len(errs) != 0 || len(tpls) != 45 {
		t.Fatalf("%d templates, errors %v, want 45", len(tpls), errs)
	}
	if got := fmt.Sprint(s.pagesOf()); got != "[[1 50] [2 50] [3 50]]" {
		t.Errorf("templates: pages %s", got)
	}
}

// An empty page ends the iteration even when the total says more remain.
func TestPagingStopsOnAnEmptyPage(t *testing.T) {
	t.Parallel()
	req := api.CheckInHistoryRequest{
		UserAttributeType: api.CheckInHistoryByUserEmail,
		Users:             []string{"ada@example.com"},
		FromDate:          mustDateTime(t, "2025-01-01 00:00:00"),
		ToDate:            mustDateTime(t, "2025-01-31 23:59:59"),
	}
	for _, tc := range []struct {
		n, cap int
		pages  string
	}{
		{400, 0, "[[1 200] [2 200] [3 200]]"},
		{450, 100, "[[1 200] [2 200] [3 200] [4 200] [5 200] [6 200]]"},
		{0, 0, "[[1 200]]"},
	} {
		s := &pagedServer{n: tc.n, cap: tc.cap, count: "inflated"}
		env := setup(t, s)
		events, errs := collect(t, env.c.CheckInHistory(t.Context(), req))
		if len(errs) != 0 {
			t.Fatalf("n=%d cap=%d: %v", tc.n, tc.cap, errs)
		}
		checkSequence(t, checkInIDs(events), 0, tc.n)
		if got := fmt.Sprint(s.pagesOf()); got != tc.pages {
			t.Errorf("n=%d cap=%d: pages %s, want %s", tc.n, tc.cap, got, tc.pages)
		}
	}
}

func TestPermissionTemplatesListsAll(t *testing.T) {
	t.Parallel()
	s := &pagedServer{n: 3, count: "total"}
	env := setup(t, s)
	tpls, errs := collect(t, env.c.PermissionTemplates(t.Context(), api.PermissionTemplateSearchRequest{}))
	if len(errs) != 0 || len(tpls) != 3 {
		t.Fatalf("%d templates, errors %v", len(tpls), errs)
	}
	if got := fmt.Sprint(s.pagesOf()); got != "[[1 50]]" {
		t.Errorf("pages %s, want one page of %d", got, DefaultPermissionTemplatePageSize)
	}
	if p, _ := s.bodies[0]["Parameter"].(map[string]any); p["SearchText"] != " " {
		t.Errorf("Parameter = %v, want SearchText \" \" (all templates)", s.bodies[0]["Parameter"])
	}
	// A search keeps its Parameter; 120 results in pages of 50.
	s2 := &pagedServer{n: 120, count: "total"}
	env2 := setup(t, s2)
	tpls, errs = collect(t, env2.c.PermissionTemplates(t.Context(), api.PermissionTemplateSearchRequest{
		Parameter: api.PermissionTemplateSearchParameter{SearchText: "sales"},
	}))
	if len(errs) != 0 || len(tpls) != 120 {
		t.Fatalf("%d templates, errors %v", len(tpls), errs)
	}
	if got := fmt.Sprint(s2.pagesOf()); got != "[[1 50] [2 50] [3 50]]" {
		t.Errorf("pages %s", got)
	}
	if p, _ := s2.bodies[0]["Parameter"].(map[string]any); p["SearchText"] != "sales" {
		t.Errorf("Parameter = %v", s2.bodies[0]["Parameter"])
	}
}

// The limits the helpers use are the spec's.
func TestPageAndChunkLimitsMatchTheSpec(t *testing.T) {
	t.Parallel()
	doc := specDoc(t)
	paging := doc.Components.Schemas["UserSearchPaging"].Value.Properties["PageSize"].Value
	if paging.Max == nil || int(*paging.Max) != MaxUserSearchPageSize {
		t.Errorf("spec UserSearchPaging.PageSize maximum = %v, MaxUserSearchPageSize = %d", paging.Max, MaxUserSearchPageSize)
	}
	list := doc.Components.Schemas["UserManagerUpdateList"].Value
	if list.MaxItems == nil || int(*list.MaxItems) != MaxManagerUpdatesPerCall {
		t.Errorf("spec UserManagerUpdateList maxItems = %v, MaxManagerUpdatesPerCall = %d", list.MaxItems, MaxManagerUpdatesPerCall)
	}
}

func TestPagingWithoutAJSONPage(t *testing.T) {
	t.Parallel()
	// A 200 that is not JSON (an HTML page is already an *APIError from the doer).
	s := serve(reply{status: 200, header: map[string]string{"Content-Type": "text/plain"}, body: "down for maintenance"})
	env := setup(t, s)
	users, errs := collect(t, env.c.SearchUsers(t.Context(), api.UserSearchRequest{}))
	var re *ReplyError
	if len(users) != 0 || len(errs) != 1 || !errors.As(errs[0], &re) || re.Operation != api.OpAdvancedSearchUsers || re.StatusCode != 200 {
		t.Errorf("%d users, errors %v: want one error", len(users), errs)
	}
	events, errs := collect(t, env.c.CheckInHistory(t.Context(), api.CheckInHistoryRequest{}))
	if len(events) != 0 || len(errs) != 1 {
		t.Errorf("%d events, errors %v: want one error", len(events), errs)
	}
	tpls, errs := collect(t, env.c.PermissionTemplates(t.Context(), api.PermissionTemplateSearchRequest{}))
	if len(tpls) != 0 || len(errs) != 1 {
		t.Errorf("%d templates, errors %v: want one error", len(tpls), errs)
	}
}

func mustDateTime(t testing.TB, s string) scalar.DateTime {
	t.Helper()
	d, err := scalar.ParseDateTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
