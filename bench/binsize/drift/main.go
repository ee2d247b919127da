// Command drift is the binary-size probe of WithDriftReport: ../client's call of Get a User
// by Id with drift reports turned on, so that `make bench` shows what the drift table and its
// walk add to a program.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

func main() {
	c, err := leadsquared.New(leadsquared.HostIndiaMumbai, os.Getenv("LSQ_ACCESS_KEY"), os.Getenv("LSQ_SECRET_KEY"),
		leadsquared.WithDriftReport(func(r leadsquared.DriftReport) { fmt.Fprintln(os.Stderr, "drift:", r.Operation, r.Pointer, r.Kind) }))
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
