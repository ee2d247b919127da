package leadsquared

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// benchUsers is a GetUserByID reply of realistic size.
var benchUsers = "[" + strings.Repeat(`{"UserId":"3b1041fb-8374-11e7-8758-0a106ee76b21","FirstName":"Ada","LastName":"Lovelace","EmailAddress":"ada@example.com","Mobile":"+91-9999999999","IsActive":"true","CreatedOn":"2020-03-31 13:31:17"},`, 19) +
	`{"UserId":"3b1041fb-8374-11e7-8758-0a106ee76b21","FirstName":"Ada","EmailAddress":"ada@example.com"}]`

func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, benchUsers)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkRawGetUser is the baseline: a hand-written net/http + encoding/json call.
func BenchmarkRawGetUser(b *testing.B) {
	srv := benchServer(b)
	hc := srv.Client()
	u := srv.URL + "/v2/UserManagement.svc/User/Retrieve/ByUserId?userId=u&accessKey=" +
		url.QueryEscape(testAccessKey) + "&secretKey=" + url.QueryEscape(testSecretKey)
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(b.Context(), http.MethodGet, u, nil)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp.StatusCode)
		}
		var users []api.User
		if err := json.Unmarshal(body, &users); err != nil || len(users) != 20 {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientGetUser is the same call through the wrapper.
func BenchmarkClientGetUser(b *testing.B) {
	srv := benchServer(b)
	c, err := New(srv.URL+"/v2", testAccessKey, testSecretKey, WithHTTPClient(srv.Client()))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.API().GetUserByIDWithResponse(b.Context(), &api.GetUserByIDParams{UserID: "u"})
		if err != nil || resp.JSON200 == nil || len(*resp.JSON200) != 20 {
			b.Fatal(err)
		}
	}
}

// BenchmarkGeneratedGetUser is the generated client alone, keys added by a request
// editor: the difference to BenchmarkClientGetUser is the wrapper's own cost.
func BenchmarkGeneratedGetUser(b *testing.B) {
	srv := benchServer(b)
	auth := func(_ context.Context, r *http.Request) error {
		r.URL.RawQuery += "&accessKey=" + url.QueryEscape(testAccessKey) + "&secretKey=" + url.QueryEscape(testSecretKey)
		return nil
	}
	c, err := api.NewClientWithResponses(srv.URL+"/v2", api.WithHTTPClient(srv.Client()), api.WithRequestEditorFn(auth))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.GetUserByIDWithResponse(b.Context(), &api.GetUserByIDParams{UserID: "u"})
		if err != nil || resp.JSON200 == nil || len(*resp.JSON200) != 20 {
			b.Fatal(err)
		}
	}
}
