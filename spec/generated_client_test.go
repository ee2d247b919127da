package spec_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// TestGeneratedClientAlone proves the generated client works on its own, without the
// wrapper: credentials through a request editor, a typed request, a typed response.
func TestGeneratedClientAlone(t *testing.T) {
	var gotPath, gotUser, gotKey string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		gotUser = r.URL.Query().Get("userId")
		gotKey = r.Header.Get("x-LSQ-AccessKey")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode([]map[string]any{{
			"ID": "3b1041fb-8374-11e7-8758-0a106ee76b21", "UserId": "3b1041fb-8374-11e7-8758-0a106ee76b21",
			"FirstName": "Vir", "LastName": "Singh", "EmailAddress": "vir@example.com", "Role": "Sales_User",
		}})
	}))
	defer srv.Close()

	c, err := api.NewClientWithResponses(srv.URL+"/v2", api.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("x-LSQ-AccessKey", "ak")
		r.Header.Set("x-LSQ-SecretKey", "sk")
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "3b1041fb-8374-11e7-8758-0a106ee76b21"})
	if err != nil {
		t.Fatal(err)
	}
	if gotPath != "/v2/UserManagement.svc/User/Retrieve/ByUserId" || gotUser != "3b1041fb-8374-11e7-8758-0a106ee76b21" || gotKey != "ak" {
		t.Errorf("request: path %q userId %q key %q", gotPath, gotUser, gotKey)
	}
	if res.StatusCode() != http.StatusOK || res.JSON200 == nil || len(*res.JSON200) != 1 {
		t.Fatalf("response: status %d, JSON200 %v", res.StatusCode(), res.JSON200)
	}
	u := (*res.JSON200)[0]
	if u.EmailAddress != "vir@example.com" || u.Role != "Sales_User" {
		t.Errorf("decoded user = %+v", u)
	}
}
