// Package leadsquaredgo is the root of leadsquared-go, a typed Go client for the LeadSquared
// User Management REST API. The client lives in ./pkg/leadsquared; the generated models and
// client stubs in ./pkg/api; the OpenAPI spec they come from in ./spec.
package leadsquaredgo

//go:generate go run ./gen
