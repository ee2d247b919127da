//go:build tools

// This file pins the code generator in go.mod, so that `go generate ./...` works on a
// fresh machine with nothing installed by hand (and so does benchstat, which `make bench`
// runs). It is in the root package, under the tools build tag, so that the root directory
// holds one package whatever the tags. (Not a package comment: generate.go has it.)

package leadsquaredgo

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "golang.org/x/perf/cmd/benchstat"
)
