package spec_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// example200 is the documented 200 answer of one operation: its JSON example (nil when the
// spec has none) and the schema it follows.
type example200 struct {
	id     string
	schema *openapi3.Schema
	value  any
}

// examples200 lists the operations with a JSON 200 answer, sorted by operationId.
func examples200(doc *openapi3.T) []example200 {
	ops := operations(doc)
	ids := make([]string, 0, len(ops))
	for id := range ops {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []example200
	for _, id := range ids {
		res := ops[id].op.Responses.Status(200)
		if res == nil || res.Value.Content["application/json"] == nil {
			continue
		}
		media := res.Value.Content["application/json"]
		e := example200{id: id, value: media.Example}
		if media.Schema != nil {
			e.schema = media.Schema.Value
			if e.value == nil {
				e.value = e.schema.Example
			}
		}
		out = append(out, e)
	}
	return out
}

// replayer answers every request with the body it was last given, so that a test can decode
// any reply through the generated client's method for an operation.
type replayer struct {
	mu   sync.Mutex
	body []byte
	c    *api.ClientWithResponses
}

func newReplayer(t *testing.T) *replayer {
	t.Helper()
	r := &replayer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r.mu.Lock()
		defer r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(r.body)
	}))
	t.Cleanup(srv.Close)
	c, err := api.NewClientWithResponses(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	r.c = c
	return r
}

// decode has operation id's <Op>WithResponse method read body, with zero parameters, and
// returns its JSON200 (a pointer to the model). A decoding error fails the test.
func (r *replayer) decode(t *testing.T, id string, body []byte) any {
	t.Helper()
	r.mu.Lock()
	r.body = body
	r.mu.Unlock()
	name, _ := api.ParseOperationID(id) // the Go name: GetUserById is GetUserByID
	m := reflect.ValueOf(r.c).MethodByName(string(name) + "WithResponse")
	if !m.IsValid() {
		t.Fatalf("no method %sWithResponse", name)
	}
	mt := m.Type()
	args := []reflect.Value{reflect.ValueOf(context.Background())}
	for i := 1; i < mt.NumIn()-1; i++ { // the last is the variadic request editors
		if in := mt.In(i); in.Kind() == reflect.Pointer {
			args = append(args, reflect.New(in.Elem()))
		} else {
			args = append(args, reflect.Zero(in))
		}
	}
	out := m.Call(args)
	if err, _ := out[1].Interface().(error); err != nil {
		t.Fatalf("%s: %s: %v", id, body, err)
	}
	j := out[0].Elem().FieldByName("JSON200")
	if j.IsNil() {
		t.Fatalf("%s: %s: no JSON200", id, body)
	}
	return j.Interface()
}
