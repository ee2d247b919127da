package leadsquared

// Regional LeadSquared API hosts, as listed in the spec's server variable `host`.
// An account lives in one region; calls to another region's host fail with 401.
// The account's host is shown on Settings > API and Webhooks.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/overview/
const (
	// HostSingapore is the API host of accounts in Singapore (the default region).
	HostSingapore = "api.leadsquared.com"
	// HostUS is the API host of accounts in the United States.
	HostUS = "api-us11.leadsquared.com"
	// HostIndiaMumbai is the API host of accounts in India (Mumbai).
	HostIndiaMumbai = "api-in21.leadsquared.com"
	// HostIndiaHyderabad is the API host of accounts in India (Hyderabad).
	HostIndiaHyderabad = "api-in22.leadsquared.com"
	// HostIreland is the API host of accounts in Ireland.
	HostIreland = "api-ir31.leadsquared.com"
	// HostCanada is the API host of accounts in Canada.
	HostCanada = "api-ca12.leadsquared.com"
	// HostMiddleEast is the API host of accounts in the Middle East (seen only outside
	// LeadSquared's official pages).
	HostMiddleEast = "api-me61.leadsquared.com"
)

// DefaultBasePath is the path of the v2 API on every regional host.
const DefaultBasePath = "/v2"
