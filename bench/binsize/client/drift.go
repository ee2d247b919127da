//go:build drift

package main

import (
	"fmt"
	"os"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

func init() {
	opts = append(opts, leadsquared.WithDriftReport(func(r leadsquared.DriftReport) {
		fmt.Fprintln(os.Stderr, "drift:", r.Operation, r.Pointer, r.Kind)
	}))
}
