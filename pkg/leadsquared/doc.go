// Package leadsquared is the client of the LeadSquared User Management API.
//
// [New] returns a [Client] with one method per operation of the spec, named as its
// operationId and generated from it (client.gen.go): it takes the context, the operation's
// query parameters and body as values, and returns its answer as a value:
//
//	u, err := c.GetUserByID(ctx, api.GetUserByIDParams{UserId: id}) // (api.User, error)
//	if errors.Is(err, leadsquared.ErrNotFound) { ... }              // LeadSquared answered []
//
// [Client.API] is the generated client of package api on the same transport, for the raw
// *http.Response. Every request goes through one wrapper that:
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
//     replies without LeadSquared's error body (a gateway's page, an empty reply) and broken
//     connections only for idempotent operations (GETs, and POSTs the spec marks
//     x-idempotent: true). A 5xx with LeadSquared's error body is the service's answer (its
//     validation errors come as 500) and is returned at once. A CreateUser that got a 500 is
//     never sent twice.
//
// Every method (and helper) takes the call's options last, the same [Option] type as New's,
// for that call only: c.CreateUser(ctx, body, leadsquared.WithMaxRetries(0)). [WithResponseInto]
// and [WithCallStats] report the last attempt's reply and what the call took; [WithMiddleware]
// runs the caller's code around every attempt, with [OperationFromContext] naming the
// operation. Requests say User-Agent: leadsquared-go/VERSION (GOVERSION; OS/ARCH), after the
// product of [WithUserAgent].
//
// Waits honour Retry-After (seconds or HTTP date), then the window named in the
// rate-limit message ("API calls exceeded the limit of 20 in 5 second(s)"), then
// exponential backoff with jitter within [WithBackoff] bounds, and end early when the
// context is done.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/user-management/
package leadsquared
