package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/redact"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

const specDriftLong = `Reports where LeadSquared's replies drift from the spec (the checks of the client's
WithDriftReport: unknown attributes, other JSON types, unlisted enum values, missing required
attributes, nulls), then suggests the spec change as an OpenAPI Overlay 1.0 document.

  FILE.har  a HAR file from a browser or a proxy: its 200 replies to operations of the spec
  DIR       a folder of JSON replies, each named by its operation: GetUsers.json, GetUsers.2.json
  --live    call the read-only operations of the account whose keys are in LSQ_ACCESS_KEY and
            LSQ_SECRET_KEY, or in --keys-file (host: LSQ_HOST, found from the keys when unset).
            It never writes; it calls, each once:
              AuthenticateUser        GET: the key owner's details
              GetUsers                GET: the list of users
              GetUserByID             GET: the key owner
              GetUserByEmail          GET: the key owner, when the account gives an address
              GetUserTags             GET: the key owner's tags
              GetUserHierarchy        GET: the users reporting to the key owner
              AdvancedSearchUsers     POST that only searches (x-idempotent): one page of 25
              GetPermissionTemplates  POST that only reads the templates (x-idempotent)
              GetCheckInStatus        GET: the key owner's check-in status
              GetUserWorkDayDetails   GET: the key owner's work day, today

The report comes first, as YAML comments, so the whole output is the overlay:
  lsq spec drift replies/ > drift.overlay.yaml && make apply-overlay OVERLAY=drift.overlay.yaml
No value of a reply is printed but unlisted enum values. The keys of the account (--live) or
those the HAR's requests carry (accessKey, secretKey, x-LSQ-AccessKey, x-LSQ-SecretKey) are
REDACTED in all it prints and writes, where a reply echoes them too. --overlay FILE must be a
new name: lsq never overwrites a file.

Exit status: 0 nothing drifted; 1 something drifted; 2 usage error (no or several sources, a
bad flag, an unreadable file, no keys for --live, an --overlay name that exists).`

func (a *app) specDriftCommand() *cobra.Command {
	var (
		cf          clientFlags
		live        bool
		overlayFile string
	)
	cmd := &cobra.Command{
		Use:                   "drift [--overlay FILE] (FILE.har | DIR | --live)",
		DisableFlagsInUseLine: true,
		Short:                 "Report where LeadSquared's replies drift from the spec, and the overlay that says it",
		Long:                  specDriftLong,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runSpecDrift(cmd, &cf, live, overlayFile, args)
		},
	}
	cmd.Flags().BoolVar(&live, "live", false, "call the read-only operations of the account whose keys lsq reads (LSQ_ACCESS_KEY, LSQ_SECRET_KEY, or --keys-file)")
	cmd.Flags().StringVar(&overlayFile, "overlay", "", "also write the suggested overlay to this file")
	cf.register(cmd, false)
	return cmd
}

// runSpecDrift is lsq spec drift.
func (a *app) runSpecDrift(cmd *cobra.Command, cf *clientFlags, live bool, overlayFile string, args []string) error {
	ctx := cmd.Context()
	if live != (len(args) == 0) || len(args) > 1 {
		return usageErrorf(cmd, a.stderr, "give one HAR file or folder of replies, or --live (run '%s -h' for help)", cmd.CommandPath())
	}
	// The overlay file is claimed before the replies are read: it must be a new name (not
	// the input, not a file a user may have edited, not a symlink), and is given that name
	// only once it is complete.
	var overlay *pendingFile
	if overlayFile != "" {
		if !live && sameFile(overlayFile, args[0]) {
			return usageErrorf(cmd, a.stderr, "--overlay %s is the input file: give another name", overlayFile)
		}
		var err error
		if overlay, err = createPending("--overlay", overlayFile); err != nil {
			return usageErrorf(cmd, a.stderr, "%v", err)
		}
		defer func() {
			if overlay != nil {
				overlay.discard()
			}
		}()
	}
	// rd scrubs the keys the run knows of (the account's with --live, those the HAR's
	// requests carry) from every reply before it is read, and from all that is printed and
	// written: a reply may echo a key, in a value or even as an attribute's name.
	var dc driftCollect
	var skipped []string
	var rd *redact.Redactor
	var err error
	if live {
		skipped, rd, err = a.liveDrift(ctx, cf, &dc)
	} else {
		var replies []recordedReply
		var keys []string
		replies, keys, err = readReplies(args[0])
		rd = redact.New(keys, nil)
		if err == nil {
			for i := range replies {
				replies[i].body = rd.ScrubBytes(replies[i].body)
			}
			skipped, err = replayDrift(ctx, replies, &dc)
		}
	}
	if err != nil {
		return usageErrorf(cmd, a.stderr, "%s", rd.Scrub(err.Error()))
	}
	for _, s := range skipped {
		fmt.Fprintf(a.stderr, "%s: skipped %s\n", cmd.CommandPath(), rd.Scrub(s))
	}
	reports := dc.merged()
	if len(reports) == 0 {
		fmt.Fprintf(a.stdout, "# lsq spec drift: no drift: %s the spec\n", plural(dc.replies, "reply matches", "replies match"))
		return nil
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "# lsq spec drift: %s from the spec in %s\n", plural(len(reports), "drift", "drifts"), plural(dc.replies, "reply", "replies"))
	for _, r := range reports {
		fmt.Fprintf(&out, "# %s\n", reportLine(r))
	}
	ov, err := overlayFor(reports)
	if err != nil {
		return usageErrorf(cmd, a.stderr, "%v", err)
	}
	out.WriteString("#\n# The spec change it suggests (make apply-overlay OVERLAY=this-file):\n")
	out.Write(ov)
	text := rd.ScrubBytes(out.Bytes())
	_, _ = a.stdout.Write(text)
	if overlay != nil {
		if _, err := overlay.Write(text); err != nil {
			return usageErrorf(cmd, a.stderr, "--overlay %s: %v", overlayFile, err) // discarded by the defer
		}
		err := overlay.commit()
		overlay = nil // committed, or discarded by commit
		if err != nil {
			return usageErrorf(cmd, a.stderr, "--overlay %s: %v", overlayFile, err)
		}
	}
	return &exitError{exitInvalid}
}

// reportLine is one drift as text: no value but unlisted enum values.
func reportLine(r leadsquared.DriftReport) string {
	var b strings.Builder
	pointer := r.Pointer
	if pointer == "" {
		pointer = "(the reply)"
	}
	fmt.Fprintf(&b, "%s %s: %s, %s in %s", r.Operation, pointer, r.Kind, plural(r.Count, "value", "values"), plural(r.Calls, "reply", "replies"))
	if len(r.Types) > 0 {
		fmt.Fprintf(&b, ", seen as %s", countsLine(r.Types))
	}
	if len(r.SpecTypes) > 0 {
		fmt.Fprintf(&b, ", spec: %s", strings.Join(r.SpecTypes, "|"))
	}
	if r.Declared {
		b.WriteString(" (declared in x-lsq-also-types)")
	}
	if len(r.EnumValues) > 0 {
		fmt.Fprintf(&b, ", new values %s", countsLine(r.EnumValues))
	}
	return b.String()
}

func countsLine(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", strconv.Quote(k), m[k])
		if isPlainWord(k) {
			parts[i] = fmt.Sprintf("%s×%d", k, m[k])
		}
	}
	return strings.Join(parts, " ")
}

func isPlainWord(s string) bool {
	for _, r := range s {
		word := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
		if !word {
			return false
		}
	}
	return s != ""
}

// driftCollect gathers a client's drift reports, summed per operation, pointer and kind.
type driftCollect struct {
	reports []leadsquared.DriftReport
	replies int
}

func (dc *driftCollect) add(r leadsquared.DriftReport) { dc.reports = append(dc.reports, r) }

func (dc *driftCollect) merged() []leadsquared.DriftReport {
	byKey := map[string]*leadsquared.DriftReport{}
	var keys []string
	for _, r := range dc.reports {
		k := string(r.Operation) + "\x00" + r.Pointer + "\x00" + string(r.Kind)
		m, ok := byKey[k]
		if !ok {
			r := r
			r.Types, r.EnumValues = addCounts(nil, r.Types), addCounts(nil, r.EnumValues)
			byKey[k] = &r
			keys = append(keys, k)
			continue
		}
		m.Count += r.Count
		m.Calls += r.Calls
		m.Types = addCounts(m.Types, r.Types)
		m.EnumValues = addCounts(m.EnumValues, r.EnumValues)
		m.Declared = m.Declared && r.Declared
	}
	sort.Strings(keys)
	out := make([]leadsquared.DriftReport, len(keys))
	for i, k := range keys {
		out[i] = *byKey[k]
	}
	return out
}

func addCounts(dst, src map[string]int) map[string]int {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = map[string]int{}
	}
	for k, n := range src {
		dst[k] += n
	}
	return dst
}

// recordedReply is one recorded 200 reply of an operation.
type recordedReply struct {
	op   api.OperationID
	body []byte
	from string // file, or HAR entry
}

// readReplies reads a HAR file or a folder of replies named by operation, and the keys the
// HAR's requests carry (which it returns with an error too).
func readReplies(path string) ([]recordedReply, []string, error) {
	v, err := validate.Default()
	if err != nil {
		return nil, nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !st.IsDir() {
		return readHAR(v, path)
	}
	out, err := readReplyDir(v, path)
	return out, nil, err
}

// readReplyDir reads a folder of replies named by operation.
func readReplyDir(v *validate.Validator, path string) ([]recordedReply, error) {
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var out []recordedReply
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") {
			continue
		}
		name0, _, _ := strings.Cut(strings.TrimSuffix(name, ".json"), ".")
		id, ok := api.ParseOperationID(name0) // any letter case: GetUserById or GetUserByID
		if !ok {
			return nil, fmt.Errorf("%s: %q is not an operation of the spec (name replies OPERATIONID.json or OPERATIONID.N.json)", filepath.Join(path, name), name0)
		}
		if _, ok := v.Operation(id); !ok {
			return nil, fmt.Errorf("%s: %q is not an operation of the validator", filepath.Join(path, name), name0)
		}
		b, err := os.ReadFile(filepath.Join(path, name))
		if err != nil {
			return nil, err
		}
		out = append(out, recordedReply{op: id, body: b, from: name})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no OPERATIONID.json replies", path)
	}
	return out, nil
}

// har is the part of a HAR 1.2 file lsq reads.
type har struct {
	Log struct {
		Entries []harEntry `json:"entries"`
	} `json:"log"`
}

// harEntry is one recorded call of a HAR file: its request's route, query and headers (for
// the keys they carry), and its reply.
type harEntry struct {
	Request struct {
		Method      string         `json:"method"`
		URL         string         `json:"url"`
		QueryString []harNameValue `json:"queryString,omitempty"`
		Headers     []harNameValue `json:"headers,omitempty"`
	} `json:"request"`
	Response struct {
		Status  int `json:"status"`
		Content struct {
			Text     string `json:"text"`
			Encoding string `json:"encoding"`
		} `json:"content"`
	} `json:"response"`
}

// harNameValue is a query parameter or a header of a HAR request.
type harNameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// harKeyNames are the query parameters and headers that carry LeadSquared's keys, in any
// letter case.
var harKeyNames = []string{"accessKey", "secretKey", "x-LSQ-AccessKey", "x-LSQ-SecretKey"}

// harKeys returns the keys e's request carries: in its URL's query, its queryString list
// (as given and unescaped) and its headers.
func harKeys(e harEntry) []string {
	var keys []string
	add := func(name, value string) {
		for _, n := range harKeyNames {
			if strings.EqualFold(name, n) {
				keys = append(keys, value)
				if un, err := url.QueryUnescape(value); err == nil && un != value {
					keys = append(keys, un)
				}
			}
		}
	}
	if i := strings.IndexByte(e.Request.URL, '?'); i >= 0 {
		raw, _, _ := strings.Cut(e.Request.URL[i+1:], "#")
		for _, kv := range strings.Split(raw, "&") {
			name, value, _ := strings.Cut(kv, "=")
			if un, err := url.QueryUnescape(name); err == nil {
				name = un
			}
			add(name, value)
		}
	}
	for _, nv := range e.Request.QueryString {
		add(nv.Name, nv.Value)
	}
	for _, nv := range e.Request.Headers {
		add(nv.Name, nv.Value)
	}
	return keys
}

func readHAR(v *validate.Validator, path string) ([]recordedReply, []string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var h har
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, nil, fmt.Errorf("%s: not a HAR file: %w", path, err)
	}
	var keys []string
	for _, e := range h.Log.Entries {
		keys = append(keys, harKeys(e)...)
	}
	var out []recordedReply
	for i, e := range h.Log.Entries {
		u, err := url.Parse(e.Request.URL)
		if err != nil || e.Response.Status != http.StatusOK {
			continue
		}
		o, ok := v.Lookup(e.Request.Method, u.Path)
		if !ok {
			continue
		}
		body := []byte(e.Response.Content.Text)
		if e.Response.Content.Encoding == "base64" {
			if body, err = base64.StdEncoding.DecodeString(e.Response.Content.Text); err != nil {
				return nil, keys, fmt.Errorf("%s: entry %d: %w", path, i, err)
			}
		}
		out = append(out, recordedReply{op: o.ID, body: body, from: fmt.Sprintf("entry %d (%s)", i, o.ID)})
	}
	if len(out) == 0 {
		return nil, keys, fmt.Errorf("%s: no 200 reply to an operation of the spec", path)
	}
	return out, keys, nil
}

// replayTransport answers every request with the body it holds.
type replayTransport struct{ body []byte }

func (rt *replayTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(rt.body)), ContentLength: int64(len(rt.body)), Request: r}, nil
}

// replayDrift sends each recorded reply through a client with WithDriftReport, as if
// LeadSquared had answered it: the report is the client's own.
func replayDrift(ctx context.Context, replies []recordedReply, dc *driftCollect) ([]string, error) {
	v, err := validate.Default()
	if err != nil {
		return nil, err
	}
	rt := &replayTransport{}
	const base = "http://replay.invalid/v2"
	c, err := leadsquared.New(base, "replay", "replay", leadsquared.WithHTTPClient(&http.Client{Transport: rt}),
		leadsquared.WithMaxRetries(0), leadsquared.WithDriftReport(dc.add), leadsquared.WithDriftInterval(24*time.Hour))
	if err != nil {
		return nil, err
	}
	var skipped []string
	for _, r := range replies {
		o, _ := v.Operation(r.op)
		rt.body = r.body
		req, err := http.NewRequestWithContext(ctx, o.Method, base+o.Path, nil)
		if err != nil {
			return nil, err
		}
		res, err := c.Do(req)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", r.from, err))
			continue
		}
		_ = res.Body.Close()
		dc.replies++
	}
	c.FlushDriftReports()
	return skipped, nil
}

// liveDrift calls the read-only operations listed in specDriftLong on the account whose
// keys the command reads, through the client every command builds. A call that fails is
// skipped (and said), not fatal.
// It returns the keys' redactor too.
func (a *app) liveDrift(ctx context.Context, cf *clientFlags, dc *driftCollect) ([]string, *redact.Redactor, error) {
	ac, err := a.newClient(ctx, cf, leadsquared.WithDriftReport(dc.add), leadsquared.WithDriftInterval(24*time.Hour))
	if err != nil {
		return nil, nil, fmt.Errorf("--live: %w", err)
	}
	defer ac.close()
	c, keys := ac.Client, ac.keys
	var skipped []string
	call := func(name string, err error) {
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", name, scrubErr(err, keys)))
			return
		}
		dc.replies++
	}
	me, err := c.AuthenticateUser(ctx)
	call("AuthenticateUser", err)
	if err != nil {
		return skipped, keys.redactor(), fmt.Errorf("AuthenticateUser: %w", scrubErr(err, keys))
	}
	_, err = c.GetUsers(ctx)
	call("GetUsers", err)
	_, err = c.GetUserByID(ctx, api.GetUserByIDParams{UserID: me.ID})
	call("GetUserById", err)
	if email := firstNonEmpty(me.EmailAddress, me.PassPhrase); strings.Contains(email, "@") {
		_, err = c.GetUserByEmail(ctx, api.GetUserByEmailParams{EmailAddress: email})
		call("GetUserByEmail", err)
	}
	_, err = c.GetUserTags(ctx, api.GetUserTagsParams{UserID: me.ID})
	call("GetUserTags", err)
	id := me.ID
	_, err = c.GetUserHierarchy(ctx, api.GetUserHierarchyParams{UserID: &id})
	call("GetUserHierarchy", err)
	_, err = c.AdvancedSearchUsers(ctx, api.UserSearchRequest{Paging: api.UserSearchPaging{PageIndex: 1, PageSize: 25}})
	call("AdvancedSearchUsers", err)
	_, err = c.GetPermissionTemplates(ctx, api.PermissionTemplateSearchRequest{})
	call("GetPermissionTemplates", err)
	_, err = c.GetCheckInStatus(ctx, api.GetCheckInStatusParams{UserID: &id})
	call("GetCheckInStatus", err)
	_, err = c.GetUserWorkDayDetails(ctx, api.GetUserWorkDayDetailsParams{UserID: me.ID, Date: time.Now().UTC().Format("2006-01-02")})
	call("GetUserWorkDayDetails", err)
	c.FlushDriftReports()
	return skipped, keys.redactor(), nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// overlayAction is one action of an OpenAPI Overlay 1.0 document.
type overlayAction struct {
	Target      string         `yaml:"target"`
	Description string         `yaml:"description,omitempty"`
	Update      map[string]any `yaml:"update,omitempty"`
	Remove      bool           `yaml:"remove,omitempty"`
}

// overlayFor writes the OpenAPI Overlay that makes the spec say what the reports saw.
func overlayFor(reports []leadsquared.DriftReport) ([]byte, error) {
	updates := map[string]*overlayAction{} // target → merged update
	var removes []overlayAction
	update := func(target, why string, key string, val any) {
		a := updates[target]
		if a == nil {
			a = &overlayAction{Target: target, Update: map[string]any{}}
			updates[target] = a
		}
		if a.Description != "" {
			a.Description += "; "
		}
		a.Description += why
		a.Update[key] = val
	}
	for _, r := range reports {
		why := reportLine(r)
		s, _ := validate.SchemaAt(r.Schema)
		switch r.Kind {
		case leadsquared.DriftUnknownAttribute:
			update(r.Schema+".properties", why, r.Attribute, newProperty(r))
		case leadsquared.DriftNull:
			update(r.Schema, why, "nullable", true)
		case leadsquared.DriftEnum:
			var vals []any
			for _, v := range sortedKeys(r.EnumValues) {
				if s.Is("integer") || s.Is("number") {
					if n, err := strconv.ParseFloat(v, 64); err == nil {
						vals = append(vals, n)
						continue
					}
				}
				vals = append(vals, v)
			}
			update(r.Schema, why, "enum", vals) // an update appends to a list
		case leadsquared.DriftType:
			if r.Declared {
				continue // the spec already says it
			}
			if s.TypeUnknown() {
				update(r.Schema, why, "type", mostSeen(r.Types))
				removes = append(removes, overlayAction{Target: r.Schema + "['x-lsq-type-unknown']", Description: "the type is known now", Remove: true})
				continue
			}
			var also []string
			declared := map[string]bool{}
			for _, t := range s.AlsoTypes() {
				declared[t] = true
			}
			for _, t := range sortedKeys(r.Types) {
				specType := s.Is(t)
				if !declared[t] && !specType {
					also = append(also, t)
				}
			}
			if len(also) > 0 {
				update(r.Schema, why, "x-lsq-also-types", also) // appended, or created
			}
		case leadsquared.DriftMissingRequired:
			idx := -1
			for i, name := range s.Required() {
				if name == r.Attribute {
					idx = i
				}
			}
			if idx >= 0 {
				removes = append(removes, overlayAction{Target: fmt.Sprintf("%s.required[%d]", r.Schema, idx), Description: why, Remove: true})
			}
		}
	}
	var actions []overlayAction
	for _, a := range updates {
		actions = append(actions, *a)
	}
	sort.Slice(actions, func(i, j int) bool { return actions[i].Target < actions[j].Target })
	// Remove list items from the last, so that the indexes of the others hold.
	sort.SliceStable(removes, func(i, j int) bool { return removes[i].Target > removes[j].Target })
	actions = append(actions, removes...)
	doc2 := struct {
		Overlay string `yaml:"overlay"`
		Info    struct {
			Title   string `yaml:"title"`
			Version string `yaml:"version"`
		} `yaml:"info"`
		Actions []overlayAction `yaml:"actions"`
	}{Overlay: "1.0.0", Actions: actions}
	doc2.Info.Title = "Drift from spec/openapi.yaml seen by lsq spec drift"
	doc2.Info.Version = "1.0.0"
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc2); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// newProperty is the schema of an attribute the spec lacks, from the types it was seen in.
func newProperty(r leadsquared.DriftReport) map[string]any {
	p := map[string]any{
		"description":      fmt.Sprintf("Not in the docs: seen in %s of %s (lsq spec drift).", plural(r.Calls, "reply", "replies"), r.Operation),
		"x-lsq-confidence": "medium",
	}
	types := map[string]int{}
	for t, n := range r.Types {
		if t == "null" {
			p["nullable"] = true
			continue
		}
		types[t] = n
	}
	if len(types) == 0 {
		p["type"], p["x-lsq-type-unknown"] = "string", true
		return p
	}
	t := mostSeen(types)
	p["type"] = t
	switch t {
	case "array":
		p["items"] = map[string]any{}
	case "object":
		p["additionalProperties"] = true
	}
	var also []string
	for _, o := range sortedKeys(types) {
		if o != t {
			also = append(also, o)
		}
	}
	if len(also) > 0 {
		p["x-lsq-also-types"] = also
	}
	return p
}

// mostSeen is the type seen most often (the first by name on a tie).
func mostSeen(types map[string]int) string {
	best := ""
	for _, t := range sortedKeys(types) {
		if t != "null" && (best == "" || types[t] > types[best]) {
			best = t
		}
	}
	return best
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
