package usersync

import (
	"strings"
	"testing"
)

func TestUpdateFields(t *testing.T) {
	t.Parallel()
	f, err := updateFields([]Change{
		{Attr: "FirstName", New: "Ada"},
		{Attr: "lastname", New: ""}, // emptied: sent as ""
		{Attr: "IsPhoneCallAgent", New: "false"},
		{Attr: "DeletionStatusCode", New: "0"},
		{Attr: "TeamId", New: "t2"},
		{Attr: "mx_Region", New: "North"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.FirstName == nil || *f.FirstName != "Ada" || f.LastName == nil || *f.LastName != "" ||
		f.IsPhoneCallAgent == nil || *f.IsPhoneCallAgent || f.DeletionStatusCode == nil || *f.DeletionStatusCode != 0 ||
		f.TeamID == nil || *f.TeamID != "t2" || f.CustomFields["mx_Region"] != "North" {
		t.Errorf("fields = %+v", f)
	}
	if f.Address != nil {
		t.Error("an attribute not changed was set")
	}
	for _, tc := range []struct {
		ch   Change
		want string
	}{
		{Change{Attr: "FristName", New: "x"}, "FristName: not an attribute"},
		{Change{Attr: "IsPhoneCallAgent", New: "maybe"}, "not true or false"},
		{Change{Attr: "DeletionStatusCode", New: "1.5"}, "not a whole number"},
	} {
		if _, err := updateFields([]Change{tc.ch}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.ch, err, tc.want)
		}
	}
}
