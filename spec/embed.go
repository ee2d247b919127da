// Package spec holds the OpenAPI 3.0.3 description of the LeadSquared User Management API,
// spec/openapi.yaml, the source of truth of leadsquared-go: `go generate ./...` turns it into
// package api (models, client stubs and the table of operations, whose policy OperationPolicy
// reads from the spec's marks) and the methods of package leadsquared, and package validate checks
// payloads against it.
package spec

import _ "embed"

// OpenAPI is spec/openapi.yaml, as committed.
//
//go:embed openapi.yaml
var OpenAPI []byte
