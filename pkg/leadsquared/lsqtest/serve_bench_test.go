package lsqtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// BenchmarkServeHTTP is one call to the fake, in process: Get a User by Id (a query parameter
// bound by the generated router) and Update a User (a body).
func BenchmarkServeHTTP(b *testing.B) {
	s, err := New()
	if err != nil {
		b.Fatal(err)
	}
	q := url.Values{"accessKey": {s.AccessKey}, "secretKey": {s.SecretKey}, "userId": {s.OwnerID}}
	b.Run("GetUserByID", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodGet, BasePath+"/UserManagement.svc/User/Retrieve/ByUserId?"+q.Encode(), nil)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("HTTP %d: %s", w.Code, w.Body)
			}
		}
	})
}
