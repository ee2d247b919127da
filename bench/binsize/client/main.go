// Command client is the binary-size probe of `make bench`: a program that calls one operation
// (Get a User by Id) through package leadsquared. Its twin, ../nethttp, makes the same call with
// net/http and encoding/json alone. Built with -tags drift, it turns drift reports on
// (drift.go), with -tags validated request and response validation (validated.go), so that
// `make bench` shows what the checker's table and its walk add to a program.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// opts are the client's options: none, WithDriftReport under -tags drift, or validation under
// -tags validated.
var opts []leadsquared.Option

func main() {
	c, err := leadsquared.New(leadsquared.HostIndiaMumbai, os.Getenv("LSQ_ACCESS_KEY"), os.Getenv("LSQ_SECRET_KEY"), opts...)
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
