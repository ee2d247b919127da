package leadsquared_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// Keys of the overhead benchmarks, with characters that need escaping.
const (
	benchAccessKey = "u$r/a+b%c&d=e"
	benchSecretKey = "a$b/c+d%e f#g"
)

// overheadCase is one operation of BenchmarkOverhead: the canned reply of the loopback
// server, a hand-written net/http + encoding/json call, and the same call through the
// wrapper and the generated client.
type overheadCase struct {
	name   string
	path   string // under /v2
	status int
	reply  []byte
	raw    func(ctx context.Context, hc *http.Client, base, auth string) error
	client func(ctx context.Context, c *api.ClientWithResponses) error
	// wrapper is the same call through the leadsquared.Client method of the operation, with
	// the call's options opts.
	wrapper func(ctx context.Context, c *leadsquared.Client, opts ...leadsquared.Option) error
}

// benchUserIDs is the number of users in a GetUserByID reply: LeadSquared answers one user
// in an array; 20 makes the body ~4 KB, the size of a user with all its fields.
const benchUserIDs = 20

// getUserByIDReply is a GetUserByID reply that validates against the spec.
func getUserByIDReply() []byte {
	users := make([]map[string]any, benchUserIDs)
	for i := range users {
		users[i] = map[string]any{
			"UserId": fmt.Sprintf("3b1041fb-8374-11e7-8758-%012d", i), "FirstName": "Ada", "LastName": "Lovelace",
			"EmailAddress": fmt.Sprintf("ada%d@example.com", i), "Role": "Sales_User", "PhoneMobile": "+91-9999999999",
			"TimeZone": "Asia/Kolkata", "DateFormat": "dd/mm/yyyy", "Designation": "Engineer", "Department": "R&D",
			"TeamId": "b8d1a35d-5dc4-11e7-8758-0a106ee76b21", "TeamName": "Analytics", "OrgId": 8117,
			"ManagerUserId": "0cd3c94b-acb5-11eb-9ad7-06f221480cd8", "ManagerName": "Charles Babbage",
			"IsCheckedIn": false, "IsPhoneCallAgent": true, "AvailabilityStatus": "Online",
			"Address": "12 St James's Square", "City": "London", "State": "London", "Country": "UK", "ZipCode": "SW1Y 4JH",
		}
	}
	b, err := json.Marshal(users)
	if err != nil {
		panic(err)
	}
	return b
}

// advancedSearchReply is a 1,000-user AdvancedSearchUsers reply (as pkg/validate's
// benchmark): the in-package tests' search1000, which the drift benchmarks read too.
func advancedSearchReply() []byte { return leadsquared.Search1000() }

// createUserBody is the Create a User body of the docs' sample.
func createUserBody() api.CreateUserJSONRequestBody {
	return api.CreateUserJSONRequestBody{
		FirstName: "Chris", LastName: "Harris", EmailAddress: "charris@example.com", Role: api.RoleSalesUser,
		CustomFields:           map[string]string{"Appraisal_Date": "2023-10-04", "Lead_Assignment_Daily_Limit": "30", "Marital_Status": "Single"},
		AssociatedPhoneNumbers: "+91-8888888888", UserType: api.UserTypeWeb,
		ManagerUserID: "0cd3c94b-acb5-11eb-9ad7-06f221480cd8",
	}
}

func searchBody() api.AdvancedSearchUsersJSONRequestBody {
	return api.AdvancedSearchUsersJSONRequestBody{
		GroupConditions: []api.ConditionGroup{{Condition: []api.SearchCondition{{LookupName: "Role", LookupValue: "Sales_User", Operator: api.SearchConditionOperatorEq}}}},
		Paging:          api.UserSearchPaging{PageIndex: 1, PageSize: 1000},
	}
}

// rawDo is the hand-written call: send, read the whole body, check the status, decode.
func rawDo(hc *http.Client, req *http.Request, dest any) error {
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	return json.Unmarshal(body, dest)
}

// rawPost is the hand-written POST of a JSON body.
func rawPost(ctx context.Context, hc *http.Client, u string, in, dest any) error {
	buf, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(buf))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return rawDo(hc, req, dest)
}

func overheadCases() []overheadCase {
	const userID = "3b1041fb-8374-11e7-8758-0a106ee76b21"
	return []overheadCase{
		{
			name: "GetUserByID", path: "/UserManagement.svc/User/Retrieve/ByUserId", status: 200, reply: getUserByIDReply(),
			raw: func(ctx context.Context, hc *http.Client, base, auth string) error {
				u := base + "/UserManagement.svc/User/Retrieve/ByUserId?userId=" + url.QueryEscape(userID) + "&" + auth
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
				if err != nil {
					return err
				}
				var users []api.User
				if err := rawDo(hc, req, &users); err != nil {
					return err
				}
				return wantLen(len(users), benchUserIDs)
			},
			wrapper: func(ctx context.Context, c *leadsquared.Client, opts ...leadsquared.Option) error {
				u, err := c.GetUserByID(ctx, api.GetUserByIDParams{UserID: userID}, opts...)
				if err != nil {
					return err
				}
				if u.ID == "" {
					return fmt.Errorf("no user")
				}
				return nil
			},
			client: func(ctx context.Context, c *api.ClientWithResponses) error {
				res, err := c.GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: userID})
				if err != nil {
					return err
				}
				if res.JSON200 == nil {
					return fmt.Errorf("no JSON200: %d", res.StatusCode())
				}
				return wantLen(len(*res.JSON200), benchUserIDs)
			},
		},
		{
			name: "CreateUser", path: "/UserManagement.svc/User/Create", status: 200,
			reply: []byte(`{"Status":"Success","Message":{"Id":"3b1041fb-8374-11e7-8758-0a106ee76b21"}}`),
			raw: func(ctx context.Context, hc *http.Client, base, auth string) error {
				var out api.UserCreated
				if err := rawPost(ctx, hc, base+"/UserManagement.svc/User/Create?"+auth, createUserBody(), &out); err != nil {
					return err
				}
				if out.Message.ID == "" {
					return fmt.Errorf("no id")
				}
				return nil
			},
			wrapper: func(ctx context.Context, c *leadsquared.Client, opts ...leadsquared.Option) error {
				res, err := c.CreateUser(ctx, createUserBody(), opts...)
				if err != nil {
					return err
				}
				if res.Message.ID == "" {
					return fmt.Errorf("no id")
				}
				return nil
			},
			client: func(ctx context.Context, c *api.ClientWithResponses) error {
				res, err := c.CreateUserWithResponse(ctx, createUserBody())
				if err != nil {
					return err
				}
				if res.JSON200 == nil || res.JSON200.Message.ID == "" {
					return fmt.Errorf("no id: %d", res.StatusCode())
				}
				return nil
			},
		},
		{
			name: "AdvancedSearch1000", path: "/UserManagement.svc/User/AdvancedSearch", status: 200, reply: advancedSearchReply(),
			raw: func(ctx context.Context, hc *http.Client, base, auth string) error {
				var out api.UserSearchResult
				if err := rawPost(ctx, hc, base+"/UserManagement.svc/User/AdvancedSearch?"+auth, searchBody(), &out); err != nil {
					return err
				}
				return wantLen(len(out.Users), 1000)
			},
			wrapper: func(ctx context.Context, c *leadsquared.Client, opts ...leadsquared.Option) error {
				res, err := c.AdvancedSearchUsers(ctx, searchBody(), opts...)
				if err != nil {
					return err
				}
				return wantLen(len(res.Users), 1000)
			},
			client: func(ctx context.Context, c *api.ClientWithResponses) error {
				res, err := c.AdvancedSearchUsersWithResponse(ctx, searchBody())
				if err != nil {
					return err
				}
				if res.JSON200 == nil || res.JSON200.Users == nil {
					return fmt.Errorf("no users: %d", res.StatusCode())
				}
				return wantLen(len(res.JSON200.Users), 1000)
			},
		},
	}
}

func wantLen(got, want int) error {
	if got != want {
		return fmt.Errorf("got %d records, want %d", got, want)
	}
	return nil
}

// cannedServer answers every request to /v2+path with reply (Content-Length set, as
// LeadSquared does), after reading the request body; anything else gets 404.
func cannedServer(tb testing.TB, path string, status int, reply []byte) *httptest.Server {
	tb.Helper()
	length := strconv.Itoa(len(reply))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path != "/v2"+path {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", length)
		w.WriteHeader(status)
		_, _ = w.Write(reply)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// generatedClient is the generated client alone, the keys added by a request editor: the
// difference to the wrapper is the wrapper's own cost.
func generatedClient(tb testing.TB, base string, hc *http.Client) *api.ClientWithResponses {
	tb.Helper()
	auth := "accessKey=" + url.QueryEscape(benchAccessKey) + "&secretKey=" + url.QueryEscape(benchSecretKey)
	editor := func(_ context.Context, r *http.Request) error {
		if r.URL.RawQuery == "" {
			r.URL.RawQuery = auth
		} else {
			r.URL.RawQuery += "&" + auth
		}
		return nil
	}
	c, err := api.NewClientWithResponses(base, api.WithHTTPClient(hc), api.WithRequestEditorFn(editor))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// BenchmarkOverhead is the per-call cost of the wrapper + generated client (impl=client)
// against a hand-written net/http + encoding/json call (impl=raw) of the same operation,
// on the same loopback server with the same payloads. impl=generated is the generated client
// alone (what the wrapper adds is client/generated); impl=validated is the client with
// WithRequestValidation and WithResponseValidation. `make bench` turns them into ratios:
// client/raw (the overhead; goal ≤ 1.10) and validated/client (validation's share).
func BenchmarkOverhead(b *testing.B) {
	for _, tc := range overheadCases() {
		b.Run("op="+tc.name, func(b *testing.B) {
			srv := cannedServer(b, tc.path, tc.status, tc.reply)
			hc := srv.Client()
			base := srv.URL + "/v2"
			b.Run("impl=raw", func(b *testing.B) {
				auth := "accessKey=" + url.QueryEscape(benchAccessKey) + "&secretKey=" + url.QueryEscape(benchSecretKey)
				ctx := b.Context()
				if err := tc.raw(ctx, hc, base, auth); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := tc.raw(ctx, hc, base, auth); err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, impl := range []struct {
				name string
				opts []leadsquared.Option // nil: the generated client alone
			}{
				{"generated", nil},
				{"client", []leadsquared.Option{}},
				{"validated", []leadsquared.Option{leadsquared.WithRequestValidation(), leadsquared.WithResponseValidation()}},
			} {
				b.Run("impl="+impl.name, func(b *testing.B) {
					ctx := b.Context()
					var call func() error
					if impl.opts != nil {
						lc, err := leadsquared.New(base, benchAccessKey, benchSecretKey, append(impl.opts, leadsquared.WithHTTPClient(hc))...)
						if err != nil {
							b.Fatal(err)
						}
						call = func() error { return tc.wrapper(ctx, lc) }
					} else {
						c := generatedClient(b, base, hc)
						call = func() error { return tc.client(ctx, c) }
					}
					if err := call(); err != nil { // warm up: connection, spec
						b.Fatal(err)
					}
					b.ReportAllocs()
					for b.Loop() {
						if err := call(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// memTransport answers every request at once with a canned 200 reply, without a network:
// it takes the loopback's noise out of the wrapper's own cost.
type memTransport struct{ reply []byte }

func (m memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		ContentLength: int64(len(m.reply)),
		Body:          io.NopCloser(bytes.NewReader(m.reply)),
		Request:       r,
	}, nil
}

// BenchmarkWrapperInMemory is the wrapper's own cost, exactly: the generated client alone
// (impl=generated) and through the wrapper (impl=client) over an in-memory transport;
// impl=options is the wrapper with two options of the call (callOptions below), what a call
// given options costs beside impl=client, which gives none. bench/run.sh also runs
// impl=client of a baseline revision's test binary, as impl=baseline.
func BenchmarkWrapperInMemory(b *testing.B) {
	for _, tc := range overheadCases() {
		hc := &http.Client{Transport: memTransport{tc.reply}}
		const base = "http://lsq.invalid/v2"
		b.Run("op="+tc.name, func(b *testing.B) {
			for _, impl := range []string{"generated", "client", "options"} {
				b.Run("impl="+impl, func(b *testing.B) {
					ctx := b.Context()
					c := generatedClient(b, base, hc)
					call := func() error { return tc.client(ctx, c) }
					if impl != "generated" {
						lc, err := leadsquared.New(base, benchAccessKey, benchSecretKey, leadsquared.WithHTTPClient(hc))
						if err != nil {
							b.Fatal(err)
						}
						var opts []leadsquared.Option
						if impl == "options" {
							opts = callOptions()
						}
						call = func() error { return tc.wrapper(ctx, lc, opts...) }
					}
					b.ReportAllocs()
					for b.Loop() {
						if err := call(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// callOptions are the two options of a call the benchmarks give: one that changes the
// retry policy and one that adds a header.
func callOptions() []leadsquared.Option {
	return []leadsquared.Option{leadsquared.WithMaxRetries(1), leadsquared.WithHeader("X-Job-Id", "bench")}
}

// BenchmarkCallOptionsInterleaved makes the same call without options and with two
// (callOptions) in every iteration, over the in-memory transport, rotating which goes first,
// and reports the time ratio options/none over the run.
func BenchmarkCallOptionsInterleaved(b *testing.B) {
	for _, tc := range overheadCases() {
		b.Run("op="+tc.name, func(b *testing.B) {
			hc := &http.Client{Transport: memTransport{tc.reply}}
			lc, err := leadsquared.New("http://lsq.invalid/v2", benchAccessKey, benchSecretKey, leadsquared.WithHTTPClient(hc))
			if err != nil {
				b.Fatal(err)
			}
			ctx, opts := b.Context(), callOptions()
			spent := interleave(b,
				func() error { return tc.wrapper(ctx, lc) },
				func() error { return tc.wrapper(ctx, lc, opts...) },
			)
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "options/none")
		})
	}
}

// BenchmarkOverheadInterleaved calls the hand-written net/http code, the generated client
// and the wrapper one after another in every iteration (rotating which goes first), so that
// all three meet the same machine state: the fairest A/B on a noisy machine, where separate
// benchmarks drift apart by more than the wrapper costs. It reports the time ratios
// wrapper/raw and generated/raw over the whole run; ns/op covers the three calls.
func BenchmarkOverheadInterleaved(b *testing.B) {
	for _, tc := range overheadCases() {
		b.Run("op="+tc.name, func(b *testing.B) {
			srv := cannedServer(b, tc.path, tc.status, tc.reply)
			hc := srv.Client()
			base := srv.URL + "/v2"
			auth := "accessKey=" + url.QueryEscape(benchAccessKey) + "&secretKey=" + url.QueryEscape(benchSecretKey)
			gen := generatedClient(b, base, hc)
			lc, err := leadsquared.New(base, benchAccessKey, benchSecretKey, leadsquared.WithHTTPClient(hc))
			if err != nil {
				b.Fatal(err)
			}
			ctx := b.Context()
			calls := [...]func() error{
				func() error { return tc.raw(ctx, hc, base, auth) },
				func() error { return tc.client(ctx, gen) },
				func() error { return tc.wrapper(ctx, lc) },
			}
			spent := interleave(b, calls[:]...)
			b.ReportMetric(float64(spent[2])/float64(spent[0]), "wrapper/raw")
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "generated/raw")
		})
	}
}

// interleave warms up, then calls every function once per iteration of b's loop, rotating
// which goes first, and returns the time each one spent over the run.
func interleave(b *testing.B, calls ...func() error) []time.Duration {
	b.Helper()
	for _, call := range calls { // warm up: connections, pools, tables
		if err := call(); err != nil {
			b.Fatal(err)
		}
	}
	spent := make([]time.Duration, len(calls))
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		for k := range calls {
			j := (i + k) % len(calls)
			start := time.Now()
			if err := calls[j](); err != nil {
				b.Fatal(err)
			}
			spent[j] += time.Since(start)
		}
		i++
	}
	return spent
}
