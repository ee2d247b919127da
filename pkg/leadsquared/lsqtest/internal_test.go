package lsqtest

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

func TestEveryOperationHandled(t *testing.T) {
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	ops := v.Operations()
	if len(ops) != 30 {
		t.Errorf("the spec has %d operations, want 30", len(ops))
	}
	// The compiler checks that the fake implements every method of api.ServerInterface (see
	// routes); this checks that the generated router reaches each one.
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		r := httptest.NewRequest(op.Method, BasePath+op.Path, nil)
		if _, _, ok := s.dispatch(r, op, nil, &call{host: r.Host}); !ok {
			t.Errorf("the router does not reach %s", op.ID)
		}
	}
	knownBulk := map[api.OperationID]bool{api.OpBulkUpdateUsers: true, api.OpBulkUpdateUserManagers: true}
	bulk := map[api.OperationID]bool{}
	for _, op := range ops {
		if op.Bulk {
			bulk[op.ID] = true
		}
	}
	if len(bulk) != len(knownBulk) {
		t.Errorf("bulk operations %v, want %v", bulk, knownBulk)
	}
	for id := range bulk {
		if !knownBulk[id] {
			t.Errorf("unexpected bulk operation %s", id)
		}
	}
}

func TestWindow(t *testing.T) {
	w := &window{limit: limit{calls: 2, per: 5 * time.Second}}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		at   time.Duration
		want bool
	}{
		{0, true}, {time.Second, true}, {2 * time.Second, false}, {4999 * time.Millisecond, false},
		{5 * time.Second, true}, // the call at 0 left the window
		{5500 * time.Millisecond, false},
		{6 * time.Second, true},
	}
	for _, s := range steps {
		if got := w.allow(t0.Add(s.at)); got != s.want {
			t.Errorf("allow at %s = %v, want %v", s.at, got, s.want)
		}
	}
}

func TestGUIDAndPaging(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		g := newGUID()
		if !re.MatchString(g) || seen[g] {
			t.Fatalf("bad or repeated GUID %s", g)
		}
		seen[g] = true
	}
	items := []int{1, 2, 3, 4, 5}
	for _, c := range []struct{ index, size, n int }{{1, 2, 2}, {3, 2, 1}, {4, 2, 0}, {0, 2, 0}, {1, 0, 0}, {1, 10, 5}} {
		if got := len(pageOf(items, c.index, c.size)); got != c.n {
			t.Errorf("pageOf(%d, %d) has %d items, want %d", c.index, c.size, got, c.n)
		}
	}
	// Get Check-In History reads its dates through the model: an unpadded hour and .fff are
	// accepted.
	var req api.CheckInHistoryRequest
	c := &call{body: []byte(`{"FromDate":"2017-10-31 9:55:10","ToDate":"2024-04-24 06:55:17.000","UserAttributeType":"UserId","Users":[]}`)}
	if err := c.decode(&req); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2017, 10, 31, 9, 55, 10, 0, time.UTC); !req.FromDate.Equal(want) {
		t.Errorf("unpadded hour: FromDate = %v, want %v", req.FromDate, want)
	}
	if want := time.Date(2024, 4, 24, 6, 55, 17, 0, time.UTC); !req.ToDate.Equal(want) {
		t.Errorf(".fff: ToDate = %v, want %v", req.ToDate, want)
	}
}

func TestKeepZero(t *testing.T) {
	b, err := json.Marshal(keepZero([]api.WorkDayDetails{{UserID: "u"}}, "IsAvailable", "WorkingHours"))
	if err != nil || !jsonEqual(b, `[{"IsAvailable":0,"UserId":"u","WorkingHours":null}]`) {
		t.Errorf("keepZero: %s, %v", b, err)
	}
	b, err = json.Marshal(keepZero(api.UserBulkUpdateResult{Status: "Success"}, "Message.AffectedRows"))
	if err != nil || string(b) != `{"Message":{"AffectedRows":0},"Status":"Success"}` {
		t.Errorf("keepZero nested: %s, %v", b, err)
	}
	if _, err := json.Marshal(keepZero(api.UserTag{}, "Nope")); err == nil {
		t.Error("keepZero: an unknown field is not an error")
	}
}

// jsonEqual reports whether b holds the same JSON value as want, whatever the key order.
func jsonEqual(b []byte, want string) bool {
	var x, y any
	return json.Unmarshal(b, &x) == nil && json.Unmarshal([]byte(want), &y) == nil && reflect.DeepEqual(x, y)
}
