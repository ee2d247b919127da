package leadsquared_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// An update sends exactly the attributes set: "", false and 0 included, nil left out; custom
// fields travel as top-level keys.
func TestUserUpdateFieldsSendWhatIsSet(t *testing.T) {
	t.Parallel()
	f := api.UserUpdateFields{
		LastName:         leadsquared.Ptr("Kant"),
		Department:       leadsquared.Ptr(""),
		IsPhoneCallAgent: leadsquared.Ptr(false),
		UserType:         leadsquared.Ptr(api.UserTypeWeb),
		TeamID:           leadsquared.Ptr("8bfd8940-0f53-11e8-871e-02bf1924461c"),
		SignatureHTML:    leadsquared.Ptr("<b>K</b>"),
		CustomFields:     api.CustomFields{"mx_Custom_1": "Married", "mx_Region": ""},
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"LastName": "Kant", "Department": "", "IsPhoneCallAgent": false, "UserType": 0.0,
		"TeamId": "8bfd8940-0f53-11e8-871e-02bf1924461c", "Signature_Html": "<b>K</b>",
		"mx_Custom_1": "Married", "mx_Region": "",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sent %s\nwant %v", b, want)
	}
	var back api.UserUpdateFields
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, f) {
		t.Errorf("read back %+v, %v; want %+v", back, err, f)
	}
	if b, _ := json.Marshal(api.UserUpdateFields{}); string(b) != "{}" {
		t.Errorf("empty update sent %s", b)
	}
}

// Request validation refuses an attribute Update a User does not list, custom fields
// excepted, and a bulk update of such an attribute; nothing is sent.
func TestUpdateValidationRefusesUnknownAttributes(t *testing.T) {
	t.Parallel()
	srv, err := lsqtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, leadsquared.WithRequestValidation())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	u, err := srv.AddUser(lsqtest.User{FirstName: "Ada", EmailAddress: "ada@example.com", Role: "Sales_User"})
	if err != nil {
		t.Fatal(err)
	}
	typo := api.UserUpdateFields{AdditionalProperties: map[string]json.RawMessage{"FristName": json.RawMessage(`"Ada"`)}}
	_, err = c.UpdateUser(ctx, api.UpdateUserParams{UserID: u.ID}, api.UserUpdateRequest{User: typo})
	var verr *validate.Error
	if !errors.Is(err, leadsquared.ErrInvalidRequest) || !errors.As(err, &verr) || verr.Failures[0].Pointer != "/user/FristName" {
		t.Fatalf("typo: %v; want a validation error at /user/FristName", err)
	}
	for _, bad := range []string{"EmailAddress", "ManagerUserId", "Shoe"} {
		f := api.UserUpdateFields{AdditionalProperties: map[string]json.RawMessage{bad: json.RawMessage(`"x"`)}}
		if _, err := c.UpdateUser(ctx, api.UpdateUserParams{UserID: u.ID}, api.UserUpdateRequest{User: f}); !errors.Is(err, leadsquared.ErrInvalidRequest) {
			t.Errorf("%s: %v; want ErrInvalidRequest", bad, err)
		}
	}
	if n := srv.Count(api.OpUpdateUser); n != 0 {
		t.Fatalf("%d refused updates were sent", n)
	}
	ok := api.UserUpdateFields{
		Team:         leadsquared.Ptr("North"),
		Designation:  leadsquared.Ptr("Rep"),
		CustomFields: api.CustomFields{"mx_Custom_2": "Hindi", "mx_Region": "North"},
	}
	if _, err := c.UpdateUser(ctx, api.UpdateUserParams{UserID: u.ID}, api.UserUpdateRequest{User: ok}); err != nil {
		t.Fatalf("valid update: %v", err)
	}
	// What was written reads back: the custom fields, and Team, which Get a User does not
	// type, as an extra attribute.
	got, err := c.GetUserByID(ctx, api.GetUserByIDParams{UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.CustomFields["mx_Custom_2"] != "Hindi" || got.CustomFields["mx_Region"] != "North" || got.CustomFields["mx_Custom_1"] != "" ||
		string(got.AdditionalProperties["Team"]) != `"North"` || got.Designation != "Rep" {
		t.Errorf("read back: custom %v, extra %v, designation %q", got.CustomFields, got.AdditionalProperties, got.Designation)
	}
	// Update Users in Bulk: Attribute names an attribute of Update a User or a custom field.
	cond := []api.ConditionGroup{{Condition: []api.SearchCondition{{LookupName: "FirstName", Operator: api.SearchConditionOperatorEq, LookupValue: "Ada"}}}}
	if _, err := c.BulkUpdateUsers(ctx, api.UserBulkUpdateRequest{Conditions: cond, Attribute: "TeamID", Value: "t"}); !errors.Is(err, leadsquared.ErrInvalidRequest) || srv.Count(api.OpBulkUpdateUsers) != 0 {
		t.Errorf("bulk Attribute TeamID (not the schema name): %v; want refused before sending", err)
	}
	if _, err := c.BulkUpdateUsers(ctx, api.UserBulkUpdateRequest{Conditions: cond, Attribute: "TeamId", Value: "8bfd8940-0f53-11e8-871e-02bf1924461c"}); err != nil {
		t.Errorf("bulk TeamId: %v", err)
	}
}
