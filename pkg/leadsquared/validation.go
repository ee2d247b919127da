package leadsquared

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sync"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// payloadValidator is what WithRequestValidation and WithResponseValidation check with: a
// *validate.Validator. Called through an interface, so that a program that turns neither on
// does not link the checker's walk.
type payloadValidator interface {
	ValidateRequest(operationID api.OperationID, query url.Values, body []byte) error
	ValidateResponse(operationID api.OperationID, status int, body []byte) error
}

// WithRequestValidation validates every request against the spec before it is sent:
//
//	c, err := leadsquared.New(host, accessKey, secretKey, leadsquared.WithRequestValidation())
//
// An invalid request returns a *validate.Error (reachable with errors.As: every failure with
// its JSON pointer, rule, the spec's expectation and a message) and is not sent: no request
// leaves the process and no rate budget is spent. An attribute the spec does not list (nor a
// custom field, where the operation takes them) is refused, named with the operation's
// attribute it is nearest to: `/LastNmae: unknown attribute (did you mean LastName?)`.
//
// The check walks the request's bytes once against a table generated from the spec (package
// validate): there is nothing to load, and it costs a few percent of a call (bench/README.md).
func WithRequestValidation() Option {
	return func(c *config) error {
		c.validator, _ = validate.Default() // never fails: the table is generated
		c.validateRequests = true
		return nil
	}
}

// WithResponseValidation checks every response against the spec, and returns an error when
// LeadSquared's reply has drifted from it: a *validate.Error for a success reply that does not
// match (the reply is then not returned, and for an operation not safe to repeat, such as
// CreateUser, the error also matches [ErrOutcomeUnknown]: LeadSquared acted on the call), or
// the *APIError of an error reply joined with the *validate.Error about its body. A value of
// a type the spec tolerates (x-lsq-also-types: a number sent as a string, which the models
// read) is not a failure; an attribute the spec does not list, where the schema does not
// allow others, is. [WithDriftReport] reports the same differences without failing the
// call. Like [WithRequestValidation], it is one walk of the reply's bytes against a
// generated table.
func WithResponseValidation() Option {
	return func(c *config) error {
		c.validator, _ = validate.Default()
		c.validateResponses = true
		return nil
	}
}

// validateRequest checks req against the spec (WithRequestValidation). The body the
// generated client sends, a *bytes.Reader, is checked in place, unread; another body is
// copied into a pooled buffer (given back, cleared, once checked) through GetBody when the
// request has one, else read and put back.
func (d *doer) validateRequest(req *http.Request, op *Operation) error {
	if op.ID == "" {
		return fmt.Errorf("leadsquared: %s %s: not an operation of the spec", req.Method, req.URL.Path)
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		br := bytesReaderOf(req.Body)
		if br != nil {
			body = unreadBytes(br)
		}
		switch {
		case body != nil || br != nil && br.Len() == 0:
		case br != nil || req.GetBody != nil:
			buf := bodyPool.Get().(*bytes.Buffer)
			buf.Reset()
			defer func() {
				if buf.Cap() <= maxPooledBody {
					clear(buf.Bytes()) // the body may hold customer data: nothing of it stays pooled
					clear(body)
					bodyPool.Put(buf)
				}
			}()
			if br != nil {
				// What is left to send, copied without reading it.
				n := br.Len()
				buf.Grow(n)
				body = buf.AvailableBuffer()[:n]
				_, err = br.ReadAt(body, br.Size()-int64(n))
			} else {
				var rc io.ReadCloser
				if rc, err = req.GetBody(); err == nil {
					_, err = buf.ReadFrom(rc)
					_ = rc.Close()
					body = buf.Bytes()
				}
			}
		default:
			body, err = io.ReadAll(req.Body)
			_ = req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		if err != nil {
			return fmt.Errorf("leadsquared: %s: reading the request body: %w", op.ID, err)
		}
	}
	// The query is parsed only for an operation that has query parameters: the attempt's
	// request may carry the keys there (query auth), which no operation reads.
	var query url.Values
	if req.URL.RawQuery != "" && len(api.QueryParameters(op.ID)) > 0 {
		query = req.URL.Query()
	}
	if err := d.validator.ValidateRequest(op.ID, query, body); err != nil {
		return &invalidRequestError{op: op.ID, err: err}
	}
	return nil
}

// nopCloserBytesReader is the type of a request body that http.NewRequest made of a
// *bytes.Reader (io.NopCloser's, which has WriteTo), as the generated client's are.
var nopCloserBytesReader = reflect.TypeOf(io.NopCloser(new(bytes.Reader)))

// bytesReaderOf returns the *bytes.Reader inside body when body is io.NopCloser's wrapper of
// one (unwrapped as net/http unwraps it to find an in-memory body), else nil.
func bytesReaderOf(body io.ReadCloser) *bytes.Reader {
	if reflect.TypeOf(body) != nopCloserBytesReader {
		return nil
	}
	br, _ := reflect.ValueOf(body).Field(0).Interface().(*bytes.Reader)
	return br
}

// bytesReaderData tells whether a bytes.Reader's data is its first field, s []byte, which
// unreadBytes reads in place (nil when it is not: the body is then copied).
var bytesReaderData = sync.OnceValue(func() bool {
	t := reflect.TypeFor[bytes.Reader]()
	return t.NumField() > 0 && t.Field(0).Name == "s" && t.Field(0).Type == reflect.TypeFor[[]byte]()
})

// unreadBytes returns what br has left to read, without reading it or copying it (its
// data, which a bytes.Reader never changes), nil when it cannot tell or nothing is left.
func unreadBytes(br *bytes.Reader) []byte {
	if !bytesReaderData() {
		return nil
	}
	s := reflect.ValueOf(br).Elem().Field(0).Bytes()
	if int64(len(s)) != br.Size() || br.Len() == 0 {
		return nil
	}
	return s[len(s)-br.Len():]
}

// validateResponse checks a reply of op against the spec (WithResponseValidation). An invalid
// reply's error reads as the validator's after "leadsquared: ", and errors.As reaches it.
func (d *doer) validateResponse(op *Operation, status int, body []byte) error {
	if op.ID == "" {
		return nil
	}
	if err := d.validator.ValidateResponse(op.ID, status, body); err != nil {
		return &namedError{err: err}
	}
	return nil
}
