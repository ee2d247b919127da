//go:build tools

// Package tools pins the code generator in go.mod, so that `go generate ./...`
// works on a fresh machine with nothing installed by hand (and so does
// benchstat, which `make bench` runs).
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "golang.org/x/perf/cmd/benchstat"
)
