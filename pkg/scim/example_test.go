package scim_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/scim"
)

// Mount the SCIM handler in a server of your own, here in front of the fake account.
func Example() {
	fake, err := lsqtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	// No retries: the IdP retries, and a wait would hold its request.
	c, err := leadsquared.New(fake.URL, fake.AccessKey, fake.SecretKey, leadsquared.WithMaxRetries(0))
	if err != nil {
		log.Fatal(err)
	}
	h, err := scim.New(scim.Config{Client: c, Token: "s3cret", DefaultRole: "Sales_User"})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com","name":{"givenName":"Ann"}}`
	req, _ := http.NewRequest("POST", srv.URL+"/scim/v2/Users", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	_ = resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	// Output: 201 application/scim+json
}
