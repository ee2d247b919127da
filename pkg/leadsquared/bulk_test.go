package leadsquared

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// managerServer answers BulkUpdateUserManagers with WFAId "wfa-N" for the N-th call and
// records the bodies; the calls in fail answer 400, and onCall runs before each answer.
type managerServer struct {
	fail   map[int]bool
	onCall func(n int)

	mu     sync.Mutex
	bodies [][]api.UserManagerUpdate
}

func (s *managerServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body []api.UserManagerUpdate
	_ = json.Unmarshal(raw, &body)
	s.mu.Lock()
	s.bodies = append(s.bodies, body)
	n := len(s.bodies)
	s.mu.Unlock()
	if s.onCall != nil {
		s.onCall(n)
	}
	w.Header().Set("Content-Type", "application/json")
	if s.fail[n] {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"Invalid ManagerId"}`)
		return
	}
	_, _ = fmt.Fprintf(w, `{"ErrorMessage":null,"Status":"Success","WFAId":"wfa-%d"}`, n)
}

func (s *managerServer) Bodies() [][]api.UserManagerUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]api.UserManagerUpdate(nil), s.bodies...)
}

func managerUpdates(n int) []api.UserManagerUpdate {
	u := make([]api.UserManagerUpdate, n)
	for i := range u {
		u[i] = api.UserManagerUpdate{UserID: fmt.Sprint("user-", i), ManagerID: fmt.Sprint("mgr-", i%7)}
	}
	return u
}

func TestUpdateUserManagersChunksAndKeepsEveryItem(t *testing.T) {
	t.Parallel()
	s := &managerServer{}
	env := setup(t, s)
	in := managerUpdates(251)
	in[7].ManagerID = ""
	in[200].UserID = ""
	res, err := env.c.UpdateUserManagers(t.Context(), in)
	if !errors.Is(err, ErrInvalidItem) || !strings.Contains(err.Error(), "2 of 251 updates failed") {
		t.Errorf("err = %v, want the 2 invalid items", err)
	}
	if len(res) != len(in) {
		t.Fatalf("%d results for %d items", len(res), len(in))
	}
	// 249 valid items: calls of 100, 100 and 49, in input order.
	bodies := s.Bodies()
	if len(bodies) != 3 || len(bodies[0]) != 100 || len(bodies[1]) != 100 || len(bodies[2]) != 49 {
		t.Fatalf("calls of %v items, want 100, 100, 49", lens(bodies))
	}
	var sent []api.UserManagerUpdate
	for _, b := range bodies {
		sent = append(sent, b...)
	}
	k := 0
	for i, r := range res {
		if r.Index != i || r.Update != in[i] {
			t.Fatalf("result %d = %+v: wrong index or item", i, r)
		}
		if i == 7 || i == 200 {
			if !errors.Is(r.Err, ErrInvalidItem) || r.Call != -1 || r.WFAID != "" {
				t.Errorf("invalid item %d: %+v", i, r)
			}
			continue
		}
		if sent[k] != in[i] {
			t.Fatalf("sent item %d = %+v, want input %d %+v", k, sent[k], i, in[i])
		}
		call := k / MaxManagerUpdatesPerCall
		if r.Err != nil || r.Call != call || r.WFAID != fmt.Sprint("wfa-", call+1) {
			t.Errorf("item %d: %+v, want call %d, wfa-%d", i, r, call, call+1)
		}
		k++
	}
}

func lens(b [][]api.UserManagerUpdate) []int {
	var n []int
	for _, x := range b {
		n = append(n, len(x))
	}
	return n
}

func TestUpdateUserManagersFailedCall(t *testing.T) {
	t.Parallel()
	s := &managerServer{fail: map[int]bool{2: true}}
	env := setup(t, s)
	in := managerUpdates(250)
	res, err := env.c.UpdateUserManagers(t.Context(), in)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || !strings.Contains(err.Error(), "100 of 250 updates failed") {
		t.Fatalf("err = %v, want the 400 of the second call", err)
	}
	if len(s.Bodies()) != 3 {
		t.Errorf("%d calls, want 3: a failed call does not stop the others", len(s.Bodies()))
	}
	for i, r := range res {
		failed := i >= 100 && i < 200
		if failed != (r.Err != nil) || (failed && !errors.As(r.Err, &apiErr)) {
			t.Errorf("item %d: err %v, want failed=%v", i, r.Err, failed)
		}
		if failed && (r.Call != 1 || r.WFAID != "") {
			t.Errorf("failed item %d: %+v", i, r)
		}
	}
}

func TestUpdateUserManagersContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s := &managerServer{onCall: func(n int) {
		if n == 1 {
			cancel()
		}
	}}
	env := setup(t, s)
	in := managerUpdates(300)
	res, err := env.c.UpdateUserManagers(ctx, in)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(s.Bodies()) != 1 {
		t.Errorf("%d calls, want 1", len(s.Bodies()))
	}
	for i, r := range res[100:] {
		if !errors.Is(r.Err, context.Canceled) || r.Call != -1 {
			t.Fatalf("item %d: %+v, want not sent with context.Canceled", 100+i, r)
		}
	}
	// The first call reached the server; whether its answer arrived depends on the race with
	// the cancel, and its items say which.
	for _, r := range res[:100] {
		if r.Call != 0 || (r.Err == nil) == (r.WFAID == "") {
			t.Fatalf("item %d: %+v", r.Index, r)
		}
	}
}

func TestUpdateUserManagersEmpty(t *testing.T) {
	t.Parallel()
	s := &managerServer{}
	env := setup(t, s)
	res, err := env.c.UpdateUserManagers(t.Context(), nil)
	if err != nil || len(res) != 0 || len(s.Bodies()) != 0 {
		t.Errorf("nil input: %v, %d results, %d calls", err, len(res), len(s.Bodies()))
	}
	// Exactly the maximum: one call.
	res, err = env.c.UpdateUserManagers(t.Context(), managerUpdates(MaxManagerUpdatesPerCall))
	if err != nil || len(res) != MaxManagerUpdatesPerCall || len(s.Bodies()) != 1 {
		t.Errorf("%d items: %v, %d results, %d calls", MaxManagerUpdatesPerCall, err, len(res), len(s.Bodies()))
	}
}

func TestUpdateUserManagersErrorMessage(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: `{"ErrorMessage":"Manager not found","Status":"Success","WFAId":null}`})
	env := setup(t, s)
	res, err := env.c.UpdateUserManagers(t.Context(), managerUpdates(2))
	if err == nil || !strings.Contains(err.Error(), "Manager not found") || res[0].Err == nil || res[1].Err == nil {
		t.Errorf("err = %v, results %+v: want the ErrorMessage on both items", err, res)
	}
}
