package scim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	elimity "github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// DefaultBasePath is the path under which [Config.BasePath] serves by default.
const DefaultBasePath = "/scim/v2"

// Config configures a [Handler].
type Config struct {
	// Client is the LeadSquared client the handler calls, made by leadsquared.New. Required.
	// Give it no retries (leadsquared.WithMaxRetries(0)) so that a spent rate budget reaches
	// the IdP as a 429 at once rather than holding its request; see [FailFast] for the
	// client's limiter.
	Client *leadsquared.Client
	// Token is the bearer token the IdP sends (its "secret token"). Required; compared in
	// constant time.
	Token string
	// DefaultRole is the LeadSquared role of a user created without roles. Required: one
	// of Administrator, Marketing_User, Sales_Manager, Sales_User.
	DefaultRole string
	// Mapping sends attributes LeadSquared lacks to mx_ fields (optional).
	Mapping Mapping
	// Audit receives one JSON line per change (optional, but a service should set it):
	// who, what, before, after and LeadSquared's answer. Writes are serialised.
	Audit io.Writer
	// BasePath is the path prefix the handler serves under (default [DefaultBasePath]);
	// "/" for none. Requests outside it get 404.
	BasePath string
	// BaseURL, when set, is the absolute URL of BasePath, used in meta.location (for
	// example https://scim.example.com/scim/v2). Relative locations otherwise.
	BaseURL string
	// Now is the clock of the audit log (default time.Now).
	Now func() time.Time
	// Shared says that other writers create users in the account at the same time: other
	// instances of the handler (several `lsq scim serve` sharing a budget through Redis),
	// lsq users, people. The handler's own lock keeps look-alike addresses apart only among
	// its own requests; with Shared, a create reads the account again after LeadSquared's
	// answer, and when a look-alike of the address was created at the same time (CreatedOn
	// not later than the new user's), deactivates the user it created and answers 409
	// uniqueness; a re-activation is refused (409) while an active look-alike exists, and
	// undone (409) when one was activated at the same time. It costs one read of the whole
	// account (one call per 1,000 users) per create, two per re-activation.
	Shared bool
}

// Handler is a SCIM 2.0 service provider for the Users of one LeadSquared account. It is
// an http.Handler: mount it in any server. Make one with [New].
type Handler struct {
	// attrs are the User schema's attribute names and exts the declared extensions'
	// URNs, in lower case: what a write may carry.
	attrs map[string]bool
	exts  map[string]bool
	base  string
	token [32]byte
	srv   elimity.Server
	users *users
}

// New returns the handler of cfg, or an error for a bad Config.
func New(cfg Config) (*Handler, error) {
	if cfg.Client == nil {
		return nil, errors.New("scim: Config.Client is nil")
	}
	if cfg.Client.BaseURL() == "" {
		return nil, errors.New("scim: Config.Client was not made by leadsquared.New")
	}
	if cfg.Token == "" {
		return nil, errors.New("scim: Config.Token is empty")
	}
	if !api.Role(cfg.DefaultRole).Valid() {
		return nil, fmt.Errorf("scim: Config.DefaultRole %q: want Administrator, Marketing_User, Sales_Manager or Sales_User", cfg.DefaultRole)
	}
	if err := cfg.Mapping.validate(); err != nil {
		return nil, err
	}
	base := cfg.BasePath
	if base == "" {
		base = DefaultBasePath
	}
	if !strings.HasPrefix(base, "/") {
		return nil, fmt.Errorf("scim: Config.BasePath %q: want a path starting with /", base)
	}
	base = strings.TrimRight(base, "/")
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	u := &users{c: cfg.Client, m: cfg.Mapping, role: cfg.DefaultRole, audit: &auditLog{w: cfg.Audit, now: now}, shared: cfg.Shared}
	rt := elimity.ResourceType{
		ID:          optional.NewString("User"),
		Name:        "User",
		Endpoint:    "/Users",
		Description: optional.NewString("A LeadSquared user"),
		Schema:      schema.CoreUserSchema(),
		SchemaExtensions: []elimity.SchemaExtension{
			{Schema: schema.ExtensionEnterpriseUser()},
		},
		Handler: u,
	}
	if names := cfg.Mapping.customNames(); len(names) > 0 {
		rt.SchemaExtensions = append(rt.SchemaExtensions, elimity.SchemaExtension{Schema: customSchema(names)})
	}
	spc := &elimity.ServiceProviderConfig{
		DocumentationURI: optional.NewString("https://github.com/leadsquared-go/leadsquared-go#scim"),
		AuthenticationSchemes: []elimity.AuthenticationScheme{{
			Type: elimity.AuthenticationTypeOauthBearerToken, Name: "Bearer token",
			Description: "The secret token given to the service (LSQ_SCIM_TOKEN), as Authorization: Bearer TOKEN.",
			Primary:     true,
		}},
		MaxResults:       maxResults,
		SupportFiltering: true,
		SupportPatch:     true,
	}
	var opts []elimity.ServerOption
	if cfg.BaseURL != "" {
		opts = append(opts, elimity.WithBaseURL(cfg.BaseURL))
	}
	srv, err := elimity.NewServer(&elimity.ServerArgs{ServiceProviderConfig: spc, ResourceTypes: []elimity.ResourceType{rt}}, opts...)
	if err != nil {
		return nil, fmt.Errorf("scim: %w", err)
	}
	h := &Handler{base: base, token: sha256.Sum256([]byte(cfg.Token)), srv: srv, users: u,
		attrs: map[string]bool{"schemas": true, "id": true, "externalid": true, "meta": true}, exts: map[string]bool{}}
	for _, a := range rt.Schema.Attributes {
		h.attrs[strings.ToLower(a.Name())] = true
	}
	for _, e := range rt.SchemaExtensions {
		h.exts[strings.ToLower(e.Schema.ID)] = true
	}
	return h, nil
}

// maxResults is the largest page GET /Users returns.
const maxResults = 100

// customSchema declares the custom extension's attributes (strings).
func customSchema(names []string) schema.Schema {
	s := schema.Schema{ID: CustomSchema, Name: optional.NewString("LeadSquaredCustom"), Description: optional.NewString("Attributes stored in LeadSquared custom fields (mx_*)")}
	for _, n := range names {
		s.Attributes = append(s.Attributes, schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{Name: n})))
	}
	return s
}

// ServeHTTP answers one SCIM request: 401 without the bearer token, else the SCIM
// endpoints under the base path.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
		writeError(w, http.StatusUnauthorized, "", "A valid bearer token is required.", 0)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, h.base)
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
		writeError(w, http.StatusNotFound, "", "Specified endpoint does not exist.", 0)
		return
	}
	rest = endpointPath(rest)
	// deactivates: a PATCH or PUT of one user that sets active false.
	deactivates := false
	if r.Method == http.MethodPatch || r.Method == http.MethodPost || r.Method == http.MethodPut {
		check := func(map[string]any, bool) error { return nil }
		if strings.HasPrefix(strings.ToLower(rest), "/users") {
			check = h.checkAttributes
		}
		d, err := normalizeBody(r, check)
		deactivates = d && r.Method != http.MethodPost && userPath.MatchString(rest)
		if err != nil {
			typ := scimerrors.ScimTypeInvalidSyntax
			var ua *undeclaredError
			switch {
			case errors.Is(err, errNoOperations):
				typ = scimerrors.ScimTypeInvalidValue
			case errors.As(err, &ua):
				typ = ua.scimType
				if deactivates {
					h.deactivateAnyway(w, r, rest, string(typ), err.Error())
					return
				}
			}
			writeError(w, http.StatusBadRequest, string(typ), err.Error(), 0)
			return
		}
	}
	st := &reqState{}
	r2 := r.Clone(context.WithValue(r.Context(), stateKey{}, st))
	r2.URL.Path = rest // the library serves /Users, /Schemas, ... (it trims a leading /v2 too)
	r2.URL.RawPath = ""
	if q := r2.URL.Query(); q.Get("filter") != "" {
		q.Set("filter", rewriteFilter(q.Get("filter")))
		r2.URL.RawQuery = q.Encode()
	}
	out := http.ResponseWriter(w)
	if lr := strings.ToLower(rest); strings.HasPrefix(lr, "/users") {
		q := r.URL.Query()
		var sw *selectionWriter
		if a := q.Get("attributes"); a != "" {
			sw = &selectionWriter{ResponseWriter: w, sel: h.parseSelection(a), include: true}
		} else if a := q.Get("excludedAttributes"); a != "" {
			sw = &selectionWriter{ResponseWriter: w, sel: h.parseSelection(a)}
		} else if r.Method == http.MethodGet && strings.TrimSuffix(lr, "/") == "/users" {
			// A list: itemsPerPage is corrected to the number of Resources.
			sw = &selectionWriter{ResponseWriter: w}
		}
		if sw != nil {
			defer sw.finish()
			out = sw
		}
	}
	if deactivates {
		rec := newRecorder()
		h.srv.ServeHTTP(&overrideWriter{ResponseWriter: rec, st: st}, r2)
		if rec.status == http.StatusBadRequest {
			var e struct {
				ScimType string `json:"scimType"`
				Detail   string `json:"detail"`
			}
			_ = json.Unmarshal(rec.body.Bytes(), &e)
			h.deactivateAnyway(w, r, rest, e.ScimType, e.Detail)
			return
		}
		rec.copyTo(out)
		return
	}
	h.srv.ServeHTTP(&overrideWriter{ResponseWriter: out, st: st}, r2)
}

// userPath is the path of one user under the base path.
var userPath = regexp.MustCompile(`(?i)^/users/[^/]+$`)

// deactivateAnyway answers a PATCH or PUT that sets active false but is refused (400) for
// another of its changes: the refusal stands, so the IdP reports it, but the deactivation
// is applied first, as a PATCH of active alone, so a leaver's access never outlives it.
// If the deactivation itself fails (the keys' owner, a LeadSquared failure), that answer
// is the request's.
func (h *Handler) deactivateAnyway(w http.ResponseWriter, r *http.Request, rest, scimType, detail string) {
	const body = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`
	st := &reqState{}
	r3 := r.Clone(context.WithValue(r.Context(), stateKey{}, st))
	r3.Method = http.MethodPatch
	r3.URL.Path, r3.URL.RawPath, r3.URL.RawQuery = rest, "", ""
	r3.Body, r3.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
	rec := newRecorder()
	h.srv.ServeHTTP(&overrideWriter{ResponseWriter: rec, st: st}, r3)
	if rec.status != http.StatusOK {
		rec.copyTo(w)
		return
	}
	detail = strings.TrimSuffix(detail, "; nothing was changed")
	writeError(w, http.StatusBadRequest, scimType, detail+"; active false was applied: the user is deactivated, nothing else changed", 0)
}

// recorder holds an answer of the library back.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (rc *recorder) Header() http.Header { return rc.header }

func (rc *recorder) WriteHeader(code int) {
	if rc.status == 0 {
		rc.status = code
	}
}

func (rc *recorder) Write(b []byte) (int, error) {
	if rc.status == 0 {
		rc.status = http.StatusOK
	}
	return rc.body.Write(b)
}

// copyTo writes the held answer to w.
func (rc *recorder) copyTo(w http.ResponseWriter) {
	for k, v := range rc.header {
		w.Header()[k] = v
	}
	if rc.status == 0 {
		rc.status = http.StatusOK
	}
	w.WriteHeader(rc.status)
	_, _ = w.Write(rc.body.Bytes())
}

// endpoints are the library's endpoint names, by their lower-case spelling.
var endpoints = map[string]string{"users": "Users", "schemas": "Schemas", "resourcetypes": "ResourceTypes", "serviceproviderconfig": "ServiceProviderConfig"}

// endpointPath cleans the path under the base path as an IdP may send it when the admin
// pasted the base URL with a trailing slash (//Users), with a trailing slash, or with the
// endpoint in another letter case (/users): repeated and trailing slashes go, and the
// endpoint is spelt as the library serves it. Ids and schema URNs are left as they are.
func endpointPath(rest string) string {
	parts := strings.Split(rest, "/")
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return rest
	}
	if e, ok := endpoints[strings.ToLower(out[0])]; ok {
		out[0] = e
	} else if strings.EqualFold(out[0], "v2") && len(out) > 1 {
		if e, ok := endpoints[strings.ToLower(out[1])]; ok {
			out[1] = e
		}
	}
	return "/" + strings.Join(out, "/")
}

func (h *Handler) authorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return subtle.ConstantTimeCompare(got[:], h.token[:]) == 1
}

// subAttrCompare is a value path followed by a sub-attribute comparison, e.g.
// emails[type eq "work"].value eq "x", which Entra ID sends although RFC 7644's grammar
// has no such form.
var subAttrCompare = regexp.MustCompile(`(?i)\b([a-z][a-z0-9_:.-]*)\[([^\]]*)\]\.([a-z][a-z0-9_]*)\s+(?:(eq|ne|co|sw|ew|gt|ge|lt|le)\s+("(?:[^"\\]|\\.)*"|true|false|null|[0-9.eE+-]+)|(pr)\b)`)

// multiValuedCompare is a comparison on a multi-valued attribute of the User schema,
// whole (emails co "x") or by a sub-attribute (emails.value eq "x"), or a quoted string,
// which is skipped.
var multiValuedCompare = regexp.MustCompile(`(?i)"(?:[^"\\]|\\.)*"|(^|[\s(])(emails|phoneNumbers|ims|photos|addresses|entitlements|roles|x509Certificates)(?:\.([a-z][a-z0-9_]*))?\s+(?:(eq|ne|co|sw|ew|gt|ge|lt|le)\s+("(?:[^"\\]|\\.)*"|true|false|null|[0-9.eE+-]+)|(pr)\b)`)

// stringBooleans is a comparison of active or primary with Entra ID's "True"/"False"
// strings, or a quoted string, which is skipped.
var stringBooleans = regexp.MustCompile(`(?i)"(?:[^"\\]|\\.)*"|(^|[\s(\[])(active|primary)\s+(eq|ne)\s+"(true|false)"`)

// rewriteFilter turns what the filter parser cannot read, or its validator cannot
// compare, into RFC forms it can: Entra ID's active eq "True" into active eq true;
// emails[type eq "work"].value eq "x" (Entra ID) into
// emails[type eq "work" and value eq "x"]; a comparison on a multi-valued attribute,
// emails.value co "x" or emails eq "x" (RFC 7644 section 3.4.2.2: it matches when any value
// does; compared whole, the attribute's value sub-attribute), into emails[value co "x"].
func rewriteFilter(f string) string {
	f = stringBooleans.ReplaceAllStringFunc(f, func(m string) string {
		if strings.HasPrefix(m, `"`) {
			return m
		}
		p := stringBooleans.FindStringSubmatch(m)
		return p[1] + p[2] + " " + p[3] + " " + strings.ToLower(p[4])
	})
	f = rewriteSubAttrCompare(f)
	return multiValuedCompare.ReplaceAllStringFunc(f, func(m string) string {
		if strings.HasPrefix(m, `"`) {
			return m
		}
		p := multiValuedCompare.FindStringSubmatch(m)
		sub := p[3]
		if sub == "" {
			sub = "value"
		}
		if p[6] != "" {
			return p[1] + p[2] + "[" + sub + " pr]"
		}
		return p[1] + p[2] + "[" + sub + " " + p[4] + " " + p[5] + "]"
	})
}

// rewriteSubAttrCompare turns emails[type eq "work"].value eq "x" into the RFC form
// emails[type eq "work" and value eq "x"], which the filter parser reads.
func rewriteSubAttrCompare(f string) string {
	return subAttrCompare.ReplaceAllStringFunc(f, func(m string) string {
		p := subAttrCompare.FindStringSubmatch(m)
		inner := p[2]
		if strings.Contains(strings.ToLower(inner), " or ") {
			inner = "(" + inner + ")"
		}
		if p[6] != "" {
			return p[1] + "[" + inner + " and " + p[3] + " pr]"
		}
		return p[1] + "[" + inner + " and " + p[3] + " " + p[4] + " " + p[5] + "]"
	})
}

// maxBody caps a SCIM request body.
const maxBody = 1 << 20

// normalizeBody reads the body (at most maxBody) and rewrites what Entra ID sends in
// forms the schema validation refuses: the strings "True"/"False" for active and primary,
// and the manager's id as a string rather than {"value": id}. A PATCH without operations
// is refused here with a detail that says so (RFC 7644 section 3.5.2 wants one or more).
func normalizeBody(r *http.Request, check func(doc map[string]any, patch bool) error) (deactivates bool, err error) {
	if r.Body == nil {
		return false, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	_ = r.Body.Close()
	if err != nil {
		return false, fmt.Errorf("reading the request body: %w", err)
	}
	if len(b) > maxBody {
		return false, fmt.Errorf("the request body is larger than %d bytes", maxBody)
	}
	var doc map[string]any
	if json.Unmarshal(b, &doc) == nil {
		if r.Method == http.MethodPatch && !hasOperations(doc) {
			return false, errNoOperations
		}
		fixedNames := fixMessageNames(doc, r.Method == http.MethodPatch)
		if fixBooleans(doc) || fixedNames {
			if nb, err := json.Marshal(doc); err == nil {
				b = nb
			}
		}
		deactivates = setsInactive(doc, r.Method == http.MethodPatch)
		if err := check(doc, r.Method == http.MethodPatch); err != nil {
			return deactivates, err
		}
	}
	r.Body = io.NopCloser(strings.NewReader(string(b)))
	r.ContentLength = int64(len(b))
	return deactivates, nil
}

// fixMessageNames spells the message-level names the library reads case-sensitively as
// RFC 7644 does: schemas and, in a PATCH, Operations with each operation's op, path and
// value (RFC 7643 section 2.1: attribute names are case-insensitive). It reports whether
// it renamed any.
func fixMessageNames(doc map[string]any, patch bool) bool {
	changed := false
	rename := func(m map[string]any, want string) {
		for k, v := range m {
			if k != want && strings.EqualFold(k, want) {
				if _, taken := m[want]; !taken {
					delete(m, k)
					m[want], changed = v, true
				}
			}
		}
	}
	rename(doc, "schemas")
	if !patch {
		return changed
	}
	rename(doc, "Operations")
	list, _ := doc["Operations"].([]any)
	for _, o := range list {
		if op, ok := o.(map[string]any); ok {
			rename(op, "op")
			rename(op, "path")
			rename(op, "value")
		}
	}
	return changed
}

// setsInactive reports whether doc, a PATCH (patch) or a resource, sets active false: an
// operation with path active, or a path-less one whose value holds active, or the
// resource's active. Booleans are already fixed.
func setsInactive(doc map[string]any, patch bool) bool {
	isFalse := func(m map[string]any) bool {
		for k, v := range m {
			if strings.EqualFold(k, "active") && v == false {
				return true
			}
		}
		return false
	}
	if !patch {
		return isFalse(doc)
	}
	for k, ops := range doc {
		if !strings.EqualFold(k, "Operations") {
			continue
		}
		list, _ := ops.([]any)
		for _, o := range list {
			op, _ := o.(map[string]any)
			var name, path string
			var value any
			for pk, pv := range op {
				switch {
				case strings.EqualFold(pk, "op"):
					name, _ = pv.(string)
				case strings.EqualFold(pk, "path"):
					path, _ = pv.(string)
				case strings.EqualFold(pk, "value"):
					value = pv
				}
			}
			if !strings.EqualFold(name, "replace") && !strings.EqualFold(name, "add") {
				continue
			}
			if strings.EqualFold(path, "active") && value == false {
				return true
			}
			if m, ok := value.(map[string]any); ok && path == "" && isFalse(m) {
				return true
			}
		}
	}
	return false
}

// errNoOperations answers a PATCH whose Operations is missing or empty.
var errNoOperations = errors.New("a PATCH needs at least one operation in Operations (RFC 7644 section 3.5.2); nothing was changed")

// hasOperations reports whether a PATCH body holds a non-empty Operations list.
func hasOperations(doc map[string]any) bool {
	for k, v := range doc {
		if strings.EqualFold(k, "Operations") {
			list, _ := v.([]any)
			return len(list) > 0
		}
	}
	return false
}

// boolString returns the boolean of the strings "True" and "False" (any case).
func boolString(v any) (bool, bool) {
	s, ok := v.(string)
	switch {
	case ok && strings.EqualFold(s, "true"):
		return true, true
	case ok && strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// fixBooleans turns string values of active and primary (in a resource, its multi-valued
// attributes, a PATCH value, or an operation whose path is active or ends in .primary)
// into booleans, and the manager given as a bare id (in the enterprise extension object, as
// its URN-named key, or as the value of either path) into an object; it reports whether it
// changed any. Other extension objects (urn:... keys) are left alone: their attributes are
// strings.
func fixBooleans(doc map[string]any) bool {
	changed := false
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		for k, v := range m {
			switch {
			case strings.EqualFold(k, "active") || strings.EqualFold(k, "primary"):
				if b, ok := boolString(v); ok {
					m[k], changed = b, true
				}
			case strings.EqualFold(k, EnterpriseSchema):
				if o, ok := v.(map[string]any); ok && fixManager(o, "manager") {
					changed = true
				}
			case strings.EqualFold(k, EnterpriseSchema+":manager"):
				if fixManager(m, k) {
					changed = true
				}
			case strings.HasPrefix(strings.ToLower(k), "urn:"):
			default:
				if list, ok := v.([]any); ok {
					for _, x := range list {
						if o, ok := x.(map[string]any); ok {
							walk(o)
						}
					}
				} else if o, ok := v.(map[string]any); ok && !strings.EqualFold(k, "Operations") {
					walk(o)
				}
			}
		}
	}
	for k, ops := range doc {
		if !strings.EqualFold(k, "Operations") {
			continue
		}
		list, _ := ops.([]any)
		for _, o := range list {
			op, ok := o.(map[string]any)
			if !ok {
				continue
			}
			var path string
			for pk, pv := range op {
				if strings.EqualFold(pk, "path") {
					path, _ = pv.(string)
				}
			}
			for vk, vv := range op {
				if !strings.EqualFold(vk, "value") {
					continue
				}
				lp := strings.ToLower(path)
				switch {
				case lp == "active" || strings.HasSuffix(lp, ".primary"):
					if b, ok := boolString(vv); ok {
						op[vk], changed = b, true
					}
				case strings.EqualFold(path, EnterpriseSchema+":manager"):
					if fixManager(op, vk) {
						changed = true
					}
				default:
					switch x := vv.(type) {
					case map[string]any:
						walk(x)
					case []any:
						walk(map[string]any{"": x})
					}
				}
			}
		}
	}
	walk(doc)
	return changed
}

// fixManager turns m's attribute named key (in any letter case) from the manager's bare
// id, as Entra ID sends it, into the object {"value": id} of the schema; it reports
// whether it changed it.
func fixManager(m map[string]any, key string) bool {
	for k, v := range m {
		if !strings.EqualFold(k, key) {
			continue
		}
		if str, ok := v.(string); ok {
			m[k] = map[string]any{"value": str}
			return true
		}
	}
	return false
}

// reqState carries what a resource handler wants the answer to be when the library cannot
// say it (429 and 503, and Retry-After).
type reqState struct {
	mu         sync.Mutex
	status     int
	scimType   string
	detail     string
	retryAfter time.Duration
}

type stateKey struct{}

func stateOf(ctx context.Context) *reqState {
	st, _ := ctx.Value(stateKey{}).(*reqState)
	return st
}

// overrideWriter replaces the library's answer with the one a resource handler set in
// reqState (the library turns statuses it does not know, 429 and 503, into 500).
type overrideWriter struct {
	http.ResponseWriter
	st      *reqState
	swallow bool
}

func (w *overrideWriter) WriteHeader(code int) {
	w.st.mu.Lock()
	status, typ, detail, ra := w.st.status, w.st.scimType, w.st.detail, w.st.retryAfter
	w.st.mu.Unlock()
	if status != 0 && code >= 400 {
		w.swallow = true
		writeError(w.ResponseWriter, status, typ, detail, ra)
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *overrideWriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// writeError writes a SCIM error (RFC 7644 section 3.12).
func writeError(w http.ResponseWriter, status int, scimType, detail string, retryAfter time.Duration) {
	body := map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
		"status":  strconv.Itoa(status),
	}
	if scimType != "" {
		body["scimType"] = scimType
	}
	if detail != "" {
		body["detail"] = detail
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/scim+json")
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// ErrBudgetSpent is returned by the Wait of a [FailFast] limiter when the rate budget
// would keep a request waiting longer than allowed.
var ErrBudgetSpent = errors.New("scim: the LeadSquared rate budget is spent")

// FailFast wraps a limiter so that a call waits at most maxWait for the rate budget;
// past that, Wait returns an error matching [ErrBudgetSpent] and the handler answers 429
// with Retry-After: maxWait, instead of holding the IdP's request past its timeout.
func FailFast(l leadsquared.Limiter, maxWait time.Duration) leadsquared.Limiter {
	return &failFast{l: l, max: maxWait}
}

type failFast struct {
	l   leadsquared.Limiter
	max time.Duration
}

func (f *failFast) Wait(ctx context.Context) error {
	wctx, cancel := context.WithTimeoutCause(ctx, f.max, ErrBudgetSpent)
	defer cancel()
	err := f.l.Wait(wctx)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(wctx), ErrBudgetSpent) {
		return &budgetError{retryAfter: f.max}
	}
	return err
}

// budgetError is FailFast's error: it matches ErrBudgetSpent and says how long to wait.
type budgetError struct{ retryAfter time.Duration }

func (e *budgetError) Error() string        { return ErrBudgetSpent.Error() }
func (e *budgetError) Is(target error) bool { return target == ErrBudgetSpent }
