// Command nethttp is the baseline of the binary-size probe of `make bench`: Get a User by Id
// with net/http and encoding/json alone (what ../client does through package leadsquared).
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
)

type user struct {
	FirstName        string `json:"FirstName"`
	LastName         string `json:"LastName"`
	EmailAddress     string `json:"EmailAddress"`
	IsPhoneCallAgent bool   `json:"IsPhoneCallAgent"`
}

func main() {
	q := url.Values{"userId": {os.Args[1]}, "accessKey": {os.Getenv("LSQ_ACCESS_KEY")}, "secretKey": {os.Getenv("LSQ_SECRET_KEY")}}
	resp, err := http.Get("https://api-in21.leadsquared.com/v2/UserManagement.svc/User/Retrieve/ByUserId?" + q.Encode())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer func() { _ = resp.Body.Close() }()
	var users []user
	if err := json.NewDecoder(resp.Body).Decode(&users); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, u := range users {
		fmt.Println(u.FirstName, u.LastName, u.EmailAddress, u.IsPhoneCallAgent)
	}
}
