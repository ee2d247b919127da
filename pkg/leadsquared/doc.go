// Package leadsquared makes the generated LeadSquared client in
// github.com/leadsquared-go/leadsquared-go/pkg/api ready for production use.
//
// [New] returns a [Client] that embeds *api.ClientWithResponses, so every generated
// operation is available as is. Every request it sends goes through one wrapper that:
//
//   - adds the access key and secret key (query parameters by default, or the
//     x-LSQ-AccessKey / x-LSQ-SecretKey headers with [WithHeaderAuth]) to a copy of the
//     request right before it is sent, so neither the generated request nor any log line
//     or error ever holds them;
//   - waits on a client-side [Limiter] before each attempt ([WithRateLimit]), first come,
//     first served; without one, the client adopts the limit LeadSquared names in its
//     first rate-limit error;
//   - sends through a transport that keeps enough idle connections for the limiter's
//     calls per window ([NewTransport]) unless [WithHTTPClient] gives another;
//   - turns LeadSquared errors into the call's error: [*APIError] for any non-2xx status
//     and for 2xx replies whose body is LeadSquared's error shape ({"Status":"Error",...}),
//     and [*RateLimitError] once retries run out on a rate-limit error;
//   - retries rate-limit errors for every operation (the server did no work), and 5xx
//     replies and broken connections only for idempotent operations (GETs, and POSTs the
//     spec marks x-idempotent: true). A CreateUser that got a 500 is never sent twice.
//
// Waits honour Retry-After (seconds or HTTP date), then the window named in the
// rate-limit message ("API calls exceeded the limit of 20 in 5 second(s)"), then
// exponential backoff with jitter within [WithBackoff] bounds, and end early when the
// context is done.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/user-management/
package leadsquared
