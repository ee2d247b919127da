package validate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// TestTableCoversEveryOperation: the generated table has every operation, its 200 answer and
// nodes in range.
func TestTableCoversEveryOperation(t *testing.T) {
	tb := checkTable()
	in := func(n int32) bool { return n >= -1 && int(n) < len(tb.nodes) }
	for _, op := range api.OperationIDs {
		oc := tb.ops[string(op)]
		if oc == nil || oc.drift < 0 || !in(oc.drift) || !in(oc.body) {
			t.Errorf("%s: not in the table, or out of range: %+v", op, oc)
			continue
		}
		if _, ok := oc.reply(200); !ok {
			t.Errorf("%s: no 200 reply", op)
		}
	}
	for i, n := range tb.nodes {
		for _, c := range append(append([]int32{n.items, n.addNode, n.attrOf}, n.children...), n.oneOf...) {
			if !in(c) {
				t.Errorf("node %d (%s): child %d out of range", i, n.loc, c)
			}
		}
		if len(n.names) != len(n.children) || len(n.props) != len(n.names) {
			t.Errorf("node %d (%s): %d names, %d children, %d props", i, n.loc, len(n.names), len(n.children), len(n.props))
		}
	}
}

// FuzzWalk: the walk never panics, finds a syntax error exactly in what is not JSON (so that a
// drift is never dropped and a request never refused for a parse of its own), and reports
// only drifts of a known kind, in both modes.
func FuzzWalk(f *testing.F) {
	for _, s := range []string{
		`[{"UserId":"x","Role":"Sales_User","mx_Custom_1":5,"Extra":1}]`, `{"Users":[{"UserId":"x","Role":"Sales_User"}]}`,
		`[]`, `{}`, `null`, `"x"`, `-1.5e+3`, `{"a":1,"a":2}`, "\"\xff\"", `"\ud800"`,
		`[{"UserId":"a\"b\\","Fir\u0073tName":"\u00e9","x~/y":[1,{"a":[true,false,null]}]}]`,
		`{"Users":[{"StatusCode":"0"},{"StatusCode":0},{"StatusCode":null}]}`, `[{"UserId":`, `[1,]`, `01`, `1.`, `tru`,
	} {
		f.Add(s)
	}
	tb := checkTable()
	f.Fuzz(func(t *testing.T, body string) {
		valid := json.Valid([]byte(body))
		for _, op := range []api.OperationID{api.OpGetUserByID, api.OpAdvancedSearchUsers, api.OpAuthenticateUser, api.OpCreateUser} {
			for _, m := range []mode{refuse, observe} {
				w := &walker{}
				w.reset(tb, m, true, []byte(body))
				w.walk(tb.ops[string(op)].drift)
				depthStop := false
				for _, f := range w.fails {
					depthStop = depthStop || f.Rule == RuleDepth
				}
				if valid == w.syntax && !depthStop {
					t.Fatalf("%s mode %d: json.Valid %v, walk found a syntax error %v (at %d)", op, m, valid, w.syntax, w.syntaxAt)
				}
				for _, f := range w.found {
					switch f.kind {
					case DriftUnknownAttribute, DriftType, DriftEnum, DriftMissingRequired, DriftNull:
					default:
						t.Fatalf("kind %q", f.kind)
					}
					if f.count < 1 || !strings.HasPrefix(f.pointer, "/") && f.pointer != "" {
						t.Fatalf("finding %+v", f)
					}
				}
			}
		}
	})
}

func TestSuggest(t *testing.T) {
	names := []string{"EmailAddress", "FirstName", "LastName", "Role"}
	for key, want := range map[string]string{
		"LastNmae": "LastName", "Frstname": "FirstName", "EmailAdress": "EmailAddress", "Rol": "Role",
		"Zzz": "", "Designation": "", "Ro": "",
	} {
		if got := suggest(key, names); got != want {
			t.Errorf("suggest(%q) = %q, want %q", key, got, want)
		}
	}
	if d := editDistance("ab", "ba"); d != 1 {
		t.Errorf("transposition: %d", d)
	}
}

// TestReleasedWalkerKeepsNoPayload: a pooled walker holds no slice of the last payload, not
// even past the length of its path (the deepest the walk went), so the pool keeps no
// payload alive.
func TestReleasedWalkerKeepsNoPayload(t *testing.T) {
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	o := v.t.operation(api.OpUpdateUser)
	if o == nil {
		t.Fatal("UpdateUser not in the table")
	}
	body := []byte(`{"user":{"FirstName":"Ada","mx_Custom_1":{"deep":["x"]}}}`)
	w := new(walker)
	_ = v.walkBody(w, false, o.check.body, body)
	if cap(w.path) == 0 {
		t.Fatal("the walk pushed no path: the test reaches nothing")
	}
	w.release()
	for i, s := range w.path[:cap(w.path)] {
		if s.key != nil {
			t.Errorf("path[%d] still holds %q of the payload", i, s.key)
		}
	}
	if w.b != nil || w.leaf != nil {
		t.Error("the walker still holds the payload or a key of it")
	}
}
