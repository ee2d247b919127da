package validate_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// FuzzValidateRequest feeds arbitrary bodies and query strings to the request validator: it
// must never panic, must answer nil or a *validate.Error, and must never echo the input.
func FuzzValidateRequest(f *testing.F) {
	v := mustDefault(f)
	f.Add("CreateUser", "", []byte(`{"FirstName":"Chris","EmailAddress":"c@example.com","Role":"Sales_User"}`))
	f.Add("CreateUser", "", []byte(`{"FirstName":`))
	f.Add("AdvancedSearchUsers", "", []byte(`{"GroupConditions":[{"Condition":[{"LookupName":"Role","Operator":"eq","LookupValue":"Sales_User"}]}],"Paging":{"PageIndex":1,"PageSize":1001}}`))
	f.Add("GetUserById", "userId=3b1041fb", []byte(nil))
	f.Add("ApplyPermissionTemplate", "overWriteAll=maybe", []byte(`{"Id":"x","RoleIds":[1,null,"Boss"]}`))
	f.Add("BulkUpdateUserManagers", "", []byte("[{\"UserId\":\"\xff\xfe\"}]"))
	ops := v.Operations()
	f.Fuzz(func(t *testing.T, op, rawQuery string, body []byte) {
		id := api.OperationID(op)
		if _, ok := v.Operation(id); !ok {
			id = ops[len(op)%len(ops)].ID
		}
		q, _ := url.ParseQuery(rawQuery)
		err := v.ValidateRequest(id, q, body)
		if err == nil {
			return
		}
		var verr *validate.Error
		if !errors.As(err, &verr) {
			t.Fatalf("%s: error of type %T: %v", op, err, err)
		}
		if len(verr.Failures) == 0 {
			t.Fatalf("%s: *Error without failures", op)
		}
		const marker = "SECRETMARKER"
		if strings.Contains(string(body), marker) && strings.Contains(err.Error(), marker) {
			t.Fatalf("message echoes the input: %v", err)
		}
	})
}

// FuzzValidateResponse does the same for responses.
func FuzzValidateResponse(f *testing.F) {
	v := mustDefault(f)
	f.Add("GetUserById", 200, []byte(`[{"UserId":"x","FirstName":"A"}]`))
	f.Add("GetUserById", 200, []byte(`{"Status":"Error","ExceptionType":"MXAPIRateLimitExceededException"}`))
	f.Add("AdvancedSearchUsers", 500, []byte(`<html>`))
	f.Add("CreateUser", 418, []byte(`{}`))
	ops := v.Operations()
	f.Fuzz(func(t *testing.T, name string, status int, body []byte) {
		op := api.OperationID(name)
		if _, ok := v.Operation(op); !ok {
			op = ops[len(name)%len(ops)].ID
		}
		err := v.ValidateResponse(op, status, body)
		var verr *validate.Error
		if err != nil && !errors.As(err, &verr) {
			t.Fatalf("%s: error of type %T: %v", op, err, err)
		}
	})
}
