// Command client is the binary-size probe of `make bench`: a program that calls one operation
// (Get a User by Id) through package leadsquared. Its twin, ../nethttp, makes the same call with
// net/http and encoding/json alone.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

func main() {
	c, err := leadsquared.New(leadsquared.HostIndiaMumbai, os.Getenv("LSQ_ACCESS_KEY"), os.Getenv("LSQ_SECRET_KEY"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	u, err := c.GetUserByID(context.Background(), api.GetUserByIDParams{UserID: os.Args[1]})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(u.FirstName, u.LastName, u.EmailAddress, bool(u.IsPhoneCallAgent))
}
