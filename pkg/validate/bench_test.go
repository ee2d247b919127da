package validate_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
)

// BenchmarkValidateCreateUser measures a small request body: the docs' Create a User sample.
func BenchmarkValidateCreateUser(b *testing.B) {
	v := mustDefault(b)
	body := []byte(`{"FirstName":"Chris","LastName":"Harris","EmailAddress":"charris@example.com","Role":"Sales_User",
"CustomFields":{"Appraisal_Date":"2023-10-04","Lead_Assignment_Daily_Limit":"30","Marital_Status":"Single"},
"AssociatedPhoneNumbers":"+91-8888888888","IsPhoneCallAgent":false,"UserType":0,
"ManagerUserId":"0cd3c94b-acb5-11eb-9ad7-06f221480cd8","PhoneMobile":"","TimeZone":"","DateFormat":"","Password":"",
"TeamId":"","WorkDayTemplateId":"","HolidayCalendarId":""}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := v.ValidateRequest("CreateUser", nil, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateGetUserByIDQuery measures a query-only GET.
func BenchmarkValidateGetUserByIDQuery(b *testing.B) {
	v := mustDefault(b)
	q := url.Values{"userId": {"3b1041fb-8374-11e7-8758-0a106ee76b21"}}
	b.ReportAllocs()
	for b.Loop() {
		if err := v.ValidateRequest("GetUserById", q, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// AdvancedSearchResponse1000 is a 1,000-user AdvancedSearchUsers response body.
func AdvancedSearchResponse1000(tb testing.TB) []byte {
	tb.Helper()
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
		tb.Fatal(err)
	}
	return b
}

// BenchmarkValidateAdvancedSearchResponse1000 measures a large response: 1,000 users.
func BenchmarkValidateAdvancedSearchResponse1000(b *testing.B) {
	v := mustDefault(b)
	body := AdvancedSearchResponse1000(b)
	if err := v.ValidateResponse("AdvancedSearchUsers", 200, body); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := v.ValidateResponse("AdvancedSearchUsers", 200, body); err != nil {
			b.Fatal(err)
		}
	}
}

// getUserByIDResponse is a GetUserByID reply of 20 users, as the client's benchmarks send.
func getUserByIDResponse(tb testing.TB) []byte {
	tb.Helper()
	users := make([]map[string]any, 20)
	for i := range users {
		users[i] = map[string]any{
			"UserId": fmt.Sprintf("3b1041fb-8374-11e7-8758-%012d", i), "FirstName": "Ada", "LastName": "Lovelace",
			"EmailAddress": fmt.Sprintf("ada%d@example.com", i), "Role": "Sales_User", "PhoneMobile": "+91-9999999999",
			"TimeZone": "Asia/Kolkata", "DateFormat": "dd/mm/yyyy", "Designation": "Engineer", "Department": "R&D",
			"TeamId": "b8d1a35d-5dc4-11e7-8758-0a106ee76b21", "TeamName": "Analytics", "OrgId": 8117,
			"ManagerUserId": "0cd3c94b-acb5-11eb-9ad7-06f221480cd8", "ManagerName": "Charles Babbage",
			"IsCheckedIn": false, "IsPhoneCallAgent": true, "AvailabilityStatus": "Online",
			"Address": "12 St James's Square", "City": "London", "State": "London", "Country": "UK", "ZipCode": "SW1Y 4JH",
		}
	}
	b, err := json.Marshal(users)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkValidateGetUserByIDResponse measures a reply of 20 users.
func BenchmarkValidateGetUserByIDResponse(b *testing.B) {
	v := mustDefault(b)
	body := getUserByIDResponse(b)
	if err := v.ValidateResponse("GetUserByID", 200, body); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := v.ValidateResponse("GetUserByID", 200, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateCreateUserCall is what validation adds to the client's CreateUser call:
// the body the client sends for the docs' sample (its JSON encoding) and the reply.
func BenchmarkValidateCreateUserCall(b *testing.B) {
	v := mustDefault(b)
	body := []byte(`{"AssociatedPhoneNumbers":"+91-8888888888","CustomFields":{"Appraisal_Date":"2023-10-04","Lead_Assignment_Daily_Limit":"30","Marital_Status":"Single"},"EmailAddress":"charris@example.com","FirstName":"Chris","LastName":"Harris","ManagerUserId":"0cd3c94b-acb5-11eb-9ad7-06f221480cd8","Role":"Sales_User"}`)
	reply := []byte(`{"Status":"Success","Message":{"Id":"3b1041fb-8374-11e7-8758-0a106ee76b21"}}`)
	for _, part := range []string{"request", "reply"} {
		b.Run("part="+part, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if part == "request" {
					err = v.ValidateRequest("CreateUser", nil, body)
				} else {
					err = v.ValidateResponse("CreateUser", 200, reply)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
