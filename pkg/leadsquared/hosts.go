package leadsquared

import "strings"

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

// regions maps region names (and the short codes of the hosts) to the regional hosts.
var regions = map[string]string{
	"singapore": HostSingapore, "sg": HostSingapore,
	"us": HostUS, "us11": HostUS,
	"india": HostIndiaMumbai, "mumbai": HostIndiaMumbai, "in21": HostIndiaMumbai,
	"hyderabad": HostIndiaHyderabad, "in22": HostIndiaHyderabad,
	"ireland": HostIreland, "ir31": HostIreland,
	"canada": HostCanada, "ca12": HostCanada,
	"middle-east": HostMiddleEast, "me61": HostMiddleEast,
}

// RegionHost returns the API host of a region name, in any letter case: "singapore" (or
// "sg"), "us" ("us11"), "india" or "mumbai" ("in21"), "hyderabad" ("in22"), "ireland"
// ("ir31"), "canada" ("ca12"), "middle-east" ("me61"). [New] and lsq's LSQ_HOST take these
// names too.
func RegionHost(name string) (host string, ok bool) {
	host, ok = regions[strings.ToLower(strings.TrimSpace(name))]
	return host, ok
}

// DefaultBasePath is the path of the v2 API on every regional host.
const DefaultBasePath = "/v2"

// knownHosts are the regional API hosts above: the only host names the client ever reads
// out of an error body (see [APIError.AccountHost]).
var knownHosts = []string{HostSingapore, HostUS, HostIndiaMumbai, HostIndiaHyderabad, HostIreland, HostCanada, HostMiddleEast}

// maxHostScan bounds how much of an error body is searched for a host name.
const maxHostScan = 64 << 10

// accountHostIn returns the known regional host that text names first, other than
// calledHost (the host that answered); "" when there is none. A host counts only as a whole
// host name: "portalapi-in21.leadsquared.com" or "api.leadsquared.com.example.org" do not
// name api-in21.leadsquared.com or api.leadsquared.com. Matching ignores case.
func accountHostIn(text, calledHost string) string {
	if len(text) > maxHostScan {
		text = text[:maxHostScan]
	}
	lower := strings.ToLower(text)
	calledHost = strings.ToLower(calledHost)
	best, bestAt := "", len(lower)
	for _, h := range knownHosts {
		if h == calledHost {
			continue
		}
		for from := 0; from < bestAt; {
			i := strings.Index(lower[from:], h)
			if i < 0 {
				break
			}
			i += from
			if i >= bestAt {
				break
			}
			if wholeHost(lower, i, i+len(h)) {
				best, bestAt = h, i
				break
			}
			from = i + 1
		}
	}
	return best
}

// wholeHost reports whether s[start:end] stands alone as a host name: not preceded by a
// host-name character or a dot, and not followed by one (a dot ending a sentence is fine).
func wholeHost(s string, start, end int) bool {
	if start > 0 && (hostChar(s[start-1]) || s[start-1] == '.') {
		return false
	}
	if end < len(s) {
		if hostChar(s[end]) {
			return false
		}
		if s[end] == '.' && end+1 < len(s) && hostChar(s[end+1]) {
			return false
		}
	}
	return true
}

func hostChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}
