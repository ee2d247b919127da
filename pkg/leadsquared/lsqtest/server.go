package lsqtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/redact"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// BasePath is the path under which the fake serves the API, as LeadSquared does.
const BasePath = "/v2"

// maxBody caps a request body.
const maxBody = 10 << 20

// Server is a fake LeadSquared account and its API. It is safe for concurrent use. Make one
// with [New], [NewServer] or [MustNewServer]: a zero Server has no account, and answers every
// request with 500 and FailNext with an error.
type Server struct {
	// URL is the base URL of the API, including /v2 (e.g. http://127.0.0.1:41234/v2);
	// empty for a server made with [New], which has no listener of its own.
	URL string
	// AccessKey and SecretKey are the keys the server accepts.
	AccessKey, SecretKey string
	// OwnerID is the Id of the Administrator who owns the keys.
	OwnerID string

	cfg    config
	clock  *Clock // over cfg.now
	v      *validate.Validator
	router http.Handler // the generated router over routes
	ts     *httptest.Server
	done   chan struct{}
	once   sync.Once

	mu        sync.Mutex
	st        state
	log       []Request
	faults    map[api.OperationID][]Fault // operationId ("" = any) → queued faults
	limiter   *window
	bulkLimit *window

	driftMu sync.Mutex
	drifted map[InjectedDrift]struct{} // WithDrift: what was injected
}

// New returns a fake server without a listener, for serving [Server.Handler] on an address
// of your own (as `lsq fake` does) or inside another handler; its URL is empty. Which
// constructor to use:
//
//   - in a test, [MustNewServer](t, opts...): started on a loopback port, closed when the
//     test ends, a bad option fails the test;
//   - in a program or an Example, [NewServer](opts...): started on a loopback port, closed
//     by you;
//   - to serve the fake yourself, New(opts...).
//
// It returns an error for a bad option.
func New(opts ...Option) (*Server, error) {
	cfg := config{
		accessKey:    DefaultAccessKey,
		secretKey:    DefaultSecretKey,
		now:          time.Now,
		maxTemplates: DefaultMaxTemplates,
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("lsqtest: nil Option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.form == 0 {
		cfg.form = Form429
	}
	v, err := validate.Default()
	if err != nil {
		return nil, fmt.Errorf("lsqtest: %w", err)
	}
	s := &Server{
		AccessKey: cfg.accessKey,
		SecretKey: cfg.secretKey,
		cfg:       cfg,
		clock:     newClock(cfg.now),
		v:         v,
		done:      make(chan struct{}),
		faults:    map[api.OperationID][]Fault{},
	}
	s.router = newRouter(s)
	if cfg.limit != nil {
		s.limiter = &window{limit: *cfg.limit}
	}
	if cfg.bulkLimit != nil {
		s.bulkLimit = &window{limit: *cfg.bulkLimit}
	}
	s.st.init(s.now())
	s.OwnerID = s.st.ownerID
	return s, nil
}

// NewServer starts a fake server on a loopback port (like httptest.NewServer) and returns
// it, with URL set; call Close when done. In a test, use [MustNewServer]. It returns an error
// for a bad option.
func NewServer(opts ...Option) (*Server, error) {
	s, err := New(opts...)
	if err != nil {
		return nil, err
	}
	s.ts = httptest.NewServer(s)
	s.URL = s.ts.URL + BasePath
	return s, nil
}

// MustNewServer is the constructor for tests: [NewServer], failing the test on a bad option
// and closing the server when the test ends.
func MustNewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the server (if [NewServer] started one) and cuts short any scripted delay.
// It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		if !s.made() {
			return
		}
		close(s.done)
		if s.ts != nil {
			s.ts.Close()
		}
	})
}

// made reports whether s was made by New (or NewServer, MustNewServer): a zero Server has no
// account, router or clock.
func (s *Server) made() bool { return s.router != nil }

// errNotMade is the error of a zero Server's FailNext, and the body of its answers.
var errNotMade = errors.New("lsqtest: the Server was not made by New, NewServer or MustNewServer")

// Handler returns the server's HTTP handler, which serves the API under /v2.
func (s *Server) Handler() http.Handler { return s }

func (s *Server) now() time.Time { return s.clock.Now().UTC() }

// Clock returns the server's clock: the real one (or [WithClock]'s) moved on by every wait
// slept on it. Give it to a client (leadsquared.WithClock, as package lsqclient does) and
// the client's retry and rate-limit waits take no real time while the server sees them
// pass; [Clock.Waits] lists them.
func (s *Server) Clock() *Clock { return s.clock }

// ServeHTTP serves one API call: route, scripted fault, authentication, rate limit,
// validation, then the operation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.made() {
		http.Error(w, errNotMade.Error(), http.StatusInternalServerError)
		return
	}
	rec := Request{
		Time:   s.now(),
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  redact.Query(r.URL.Query(), api.CredentialAccessKey, api.CredentialSecretKey),
	}
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			s.reply(w, &rec, http.StatusBadRequest, errBody(api.ExceptionInvalidInput, "The request body could not be read."))
			return
		}
		body = b
	}
	rec.Body = body

	op, ok := s.route(r)
	if !ok {
		s.reply(w, &rec, http.StatusNotFound, errBody(api.ExceptionNotFound, "The API could not be found."))
		return
	}
	rec.OperationID = op.ID

	f, faulted := s.takeFault(op.ID)
	if faulted && !f.AfterWork {
		rec.Fault = true
		if !s.runFault(w, r, &rec, f) {
			return
		}
	}
	status, v := s.serve(r, op, body, &rec)
	if faulted && f.AfterWork {
		rec.Fault = true
		if !s.runFault(w, r, &rec, f) {
			return
		}
	}
	s.reply(w, &rec, status, v)
}

// serve authenticates, rate-limits and validates a call, then runs its operation.
func (s *Server) serve(r *http.Request, op *validate.Operation, body []byte, rec *Request) (int, any) {
	opID := op.ID
	q := query(r.URL.Query())
	switch {
	case q.Has(api.CredentialAccessKey) || q.Has(api.CredentialSecretKey):
		rec.Auth = "query"
	case r.Header.Get(api.CredentialAccessKeyHeader) != "" || r.Header.Get(api.CredentialSecretKeyHeader) != "":
		rec.Auth = "header"
	}
	if !s.authenticated(r) {
		return http.StatusUnauthorized, errBody(api.ExceptionUnAuthorizedAccess, "Invalid access key or secret key.")
	}
	if status, eb, limited := s.rateLimit(opID); limited {
		return status, eb
	}
	if len(bytes.TrimSpace(body)) > 0 && !isJSON(r.Header.Get("Content-Type")) {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, "Invalid Input! The request body must be application/json.")
	}
	if pre := prechecks[opID]; pre != nil {
		if status, v, rejected := pre(body); rejected {
			return status, v
		}
	}
	if err := s.v.ValidateRequest(opID, r.URL.Query(), body); err != nil {
		if name, ok := unknownAttribute(err); ok {
			// What LeadSquared answers an attribute it does not know (Update a User).
			return http.StatusInternalServerError, errBody(api.ExceptionUnknownAttribute, "Unknown attribute: "+name)
		}
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, invalidMessage(err))
	}
	status, v, ok := s.dispatch(r, op, url.Values(q), &call{body: body, host: r.Host})
	if !ok { // the generated router serves every operation of the spec
		return http.StatusNotFound, errBody(api.ExceptionNotFound, "The API could not be found.")
	}
	return status, v
}

// route finds the operation of a request under /v2.
func (s *Server) route(r *http.Request) (*validate.Operation, bool) {
	if !strings.HasPrefix(r.URL.Path, BasePath+"/") {
		return nil, false
	}
	return s.v.Lookup(r.Method, r.URL.Path)
}

// authenticated checks the keys: both query parameters (named in any letter case, as
// LeadSquared matches query names), or else both headers. Keys of a
// deactivated owner would fail on LeadSquared; the fake does not let the owner be
// deactivated.
func (s *Server) authenticated(r *http.Request) bool {
	q := query(r.URL.Query())
	if q.Has(api.CredentialAccessKey) || q.Has(api.CredentialSecretKey) {
		return q.Get(api.CredentialAccessKey) == s.AccessKey && q.Get(api.CredentialSecretKey) == s.SecretKey
	}
	return r.Header.Get(api.CredentialAccessKeyHeader) == s.AccessKey && r.Header.Get(api.CredentialSecretKeyHeader) == s.SecretKey
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// unknownAttribute reports whether every failure of a validation error is an attribute the
// spec does not list (validate.RuleUnknown, RuleCase), and names the first.
func unknownAttribute(err error) (string, bool) {
	var verr *validate.Error
	if !errors.As(err, &verr) || len(verr.Failures) == 0 {
		return "", false
	}
	for _, f := range verr.Failures {
		if f.Rule != validate.RuleUnknown && f.Rule != validate.RuleCase {
			return "", false
		}
	}
	p := verr.Failures[0].Pointer
	name := p[strings.LastIndex(p, "/")+1:]
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	return name, true
}

// invalidMessage lists every failing field of a validation error by its JSON pointer.
func invalidMessage(err error) string {
	var verr *validate.Error
	if !errors.As(err, &verr) || len(verr.Failures) == 0 {
		return "Invalid Input! The request does not match the API."
	}
	parts := make([]string, len(verr.Failures))
	for i, f := range verr.Failures {
		parts[i] = f.String()
	}
	return "Invalid Input! " + strings.Join(parts, "; ")
}

// reply writes a JSON answer and logs the request.
func (s *Server) reply(w http.ResponseWriter, rec *Request, status int, v any) {
	var b []byte
	switch x := v.(type) {
	case rawBody:
		b = []byte(x)
	case withZero: // its own JSON, without encoding/json compacting it once more
		var err error
		if b, err = x.MarshalJSON(); err != nil {
			status = http.StatusInternalServerError
			b, _ = json.Marshal(errBody(api.ExceptionInternalServerError, "lsqtest: encoding the answer failed"))
		}
	default:
		var err error
		b, err = json.Marshal(v)
		if err != nil {
			status = http.StatusInternalServerError
			b, _ = json.Marshal(errBody(api.ExceptionInternalServerError, "lsqtest: encoding the answer failed"))
		}
	}
	if _, isErr := v.(errorBody); !isErr && status == http.StatusOK && s.cfg.drift != nil && rec.OperationID != "" {
		if _, raw := v.(rawBody); !raw {
			b = s.driftReply(rec.OperationID, b)
		}
	}
	rec.Status = status
	s.record(*rec)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// rawBody is an answer sent as is (a scripted fault's body).
type rawBody string

// errorBody is LeadSquared's error body.
type errorBody struct {
	Status           string            `json:"Status"`
	ExceptionType    api.ExceptionType `json:"ExceptionType"`
	ExceptionMessage string            `json:"ExceptionMessage"`
}

func errBody(typ api.ExceptionType, msg string) errorBody {
	return errorBody{Status: "Error", ExceptionType: typ, ExceptionMessage: msg}
}

// fail is the usual answer to a business error: 500 with an MX… body, as LeadSquared does.
func fail(typ api.ExceptionType, format string, args ...any) (int, any) {
	return http.StatusInternalServerError, errBody(typ, fmt.Sprintf(format, args...))
}

// Redacted replaces the keys in the request log.
const Redacted = redact.Redacted
