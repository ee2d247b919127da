//go:build validated

package main

import "github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"

func init() {
	opts = append(opts, leadsquared.WithRequestValidation(), leadsquared.WithResponseValidation())
}
