package usersync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// A saved plan writes a create as a row of createColumns, not its body (a plan of creates
// is about the size of its file), and reads back into the same plan: the same bodies byte
// for byte, the same ID; a body that is not an object of fields is written as it is.
func TestSavedPlanWritesCreatesAsRows(t *testing.T) {
	t.Parallel()
	_, c := account(t, 1, nil)
	src := source(1)
	src[0].Attrs["FirstName"] = "Renamed"
	src = append(src,
		usersync.Desired{Line: 5, Email: "new1@example.com", Attrs: map[string]string{"FirstName": `N "1" <&>`, "Role": "Sales_User", "mx_Custom_1": "a,b", "IsPhoneCallAgent": "true"}},
		usersync.Desired{Line: 6, Email: "New2@Example.com", Attrs: map[string]string{"FirstName": "N2", "Role": "Sales_User", "Department": "Ops"}, ManagerEmail: "new1@example.com"})
	plan, err := usersync.MakePlan(context.Background(), c, src, usersync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := plan.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if !strings.Contains(text, `"createColumns":["CustomFields.mx_Custom_1","EmailAddress","FirstName","IsPhoneCallAgent","Role"]`) ||
		strings.Contains(text, `"create":`) || strings.Count(text, `"row":[`) != 2 ||
		!strings.Contains(text, `"row":["a,b","new1@example.com","N \"1\" \u003c\u0026\u003e",true,"Sales_User"]`) ||
		strings.Contains(text, `"email":"new`) || strings.Contains(text, `"email":"New2`) {
		t.Errorf("the saved plan:\n%s", text)
	}
	var back usersync.Plan
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(maps.Collect(back.Users.All()), maps.Collect(plan.Users.All())) || back.Users.Len() == 0 {
		t.Errorf("read back users %v, want %v", maps.Collect(back.Users.All()), maps.Collect(plan.Users.All()))
	}
	backRest, planRest := back, *plan
	backRest.Users, planRest.Users = usersync.Fingerprints{}, usersync.Fingerprints{}
	if !reflect.DeepEqual(backRest, planRest) || back.ID() != plan.ID() {
		t.Errorf("read back:\n%+v\nwant\n%+v", back.Actions, plan.Actions)
	}
	if err := back.Check(); err != nil {
		t.Error(err)
	}

	// A body made by hand, with a field no row column can hold apart: written as it is.
	odd := *plan
	odd.Actions = append([]usersync.Action(nil), plan.Actions...)
	for i, a := range odd.Actions {
		if a.Kind == usersync.KindCreate {
			odd.Actions[i].Create = json.RawMessage(`{"CustomFields.x":"1","EmailAddress":"` + a.Email + `"}`)
			break
		}
	}
	buf.Reset()
	if err := odd.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var oddBack usersync.Plan
	if err := json.Unmarshal(buf.Bytes(), &oddBack); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(oddBack.Actions, odd.Actions) {
		t.Errorf("read back:\n%+v\nwant\n%+v", oddBack.Actions, odd.Actions)
	}

	// A row of the wrong length is an error naming the action.
	bad := strings.Replace(text, `"row":["a,b",`, `"row":[`, 1)
	if err := json.Unmarshal([]byte(bad), &back); err == nil || !strings.Contains(err.Error(), "action ") || !strings.Contains(err.Error(), "createColumns") {
		t.Errorf("a short row: %v", err)
	}
}

// MakePlanFrom reads its source twice: a source whose rows changed between the reads (a
// file edited meanwhile) is an error, and nothing is planned from it.
func TestMakePlanFromRefusesASourceThatChanged(t *testing.T) {
	t.Parallel()
	_, c := account(t, 2, nil)
	for name, second := range map[string][]usersync.Desired{
		"another user": {source(2)[0], {Line: 3, Email: "other@example.com", Attrs: map[string]string{"FirstName": "O", "Role": "Sales_User"}}},
		"fewer rows":   source(1),
		"more rows":    append(source(2), usersync.Desired{Line: 4, Email: "more@example.com"}),
	} {
		reads := 0
		src := func() iter.Seq2[usersync.Desired, error] {
			reads++
			if reads == 1 {
				return usersync.SliceSource(source(2))()
			}
			return usersync.SliceSource(second)()
		}
		plan, err := usersync.MakePlanFrom(context.Background(), c, src, usersync.Options{})
		if err == nil || !strings.Contains(err.Error(), "the source changed while it was read") || plan != nil {
			t.Errorf("%s: plan %v, err %v", name, plan, err)
		}
	}
}
