package leadsquared

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// DriftKind is a kind of difference between a reply and the spec that [WithDriftReport] reports.
type DriftKind string

// The kinds of drift.
const (
	// DriftUnknownAttribute is an attribute the spec does not list, in an object whose schema
	// does not allow others (no additionalProperties).
	DriftUnknownAttribute DriftKind = "unknown-attribute"
	// DriftType is a value of another JSON type than the spec's, read by the models or not: a
	// number sent as a string counts, and so does 5.0 for an integer. Null is DriftNull.
	DriftType DriftKind = "type"
	// DriftEnum is a value the spec's enum does not list: the only kind whose report carries
	// values (DriftReport.EnumValues), which the spec change needs.
	DriftEnum DriftKind = "enum"
	// DriftMissingRequired is a required attribute left out.
	DriftMissingRequired DriftKind = "missing-required"
	// DriftNull is a null where the spec does not say nullable.
	DriftNull DriftKind = "null"
)

// DriftReport is one drift of LeadSquared's replies from the spec, found by [WithDriftReport]:
// one operation, one place in its reply, one kind. It never holds a value of the reply (values
// are customer data and may hold keys) except in EnumValues.
type DriftReport struct {
	// Operation is the operation whose 200 reply drifted.
	Operation api.OperationID
	// Pointer is the JSON pointer (RFC 6901) of the drifted value in the reply, with `*` for
	// every array index: /Users/*/Role. "" is the whole reply.
	Pointer string
	Kind    DriftKind
	// Attribute is the name of the attribute concerned (the last key of Pointer), "" at the top
	// of the reply or in an array.
	Attribute string
	// Count is how many values drifted this way since this drift was last reported, and Calls
	// in how many replies.
	Count, Calls int
	// Types counts the JSON types of the drifted values ("string", "integer", "number",
	// "boolean", "object", "array", "null"); for DriftMissingRequired it is empty.
	Types map[string]int
	// SpecTypes is the spec's type of the value ("integer"; nil for an attribute the spec does
	// not have or does not type).
	SpecTypes []string
	// Declared is true for a DriftType whose every type seen is one the spec lists in
	// x-lsq-also-types: a known tolerance, which the models read.
	Declared bool
	// EnumValues counts the values of a DriftEnum that the spec's enum does not list (at most
	// 20 values of at most 200 bytes each). Nil for every other kind.
	EnumValues map[string]int
	// Schema is the JSONPath in spec/openapi.yaml of the schema to change: the object for
	// DriftUnknownAttribute and DriftMissingRequired, the value's schema otherwise
	// ($.components.schemas.User.properties.Role). `lsq spec drift` writes its overlay there.
	Schema string
}

// DefaultDriftInterval is how long [WithDriftReport] waits before reporting the same drift
// again (unless [WithDriftInterval] says otherwise).
const DefaultDriftInterval = time.Hour

// WithDriftReport checks every 200 reply against the spec without changing any call's result,
// and reports where LeadSquared's answer drifted from it: an attribute the spec does not know,
// a value of another JSON type (a number sent as a string counts, although the models read
// it), an enum value the spec does not list, a required attribute missing, a null the spec
// does not allow. Each report goes to fn (when not nil) and, as a Warn line, to the client's
// logger ([WithLogger]); one of the two is needed.
//
// A drift is reported the first time it is seen, then at most once per interval
// ([DefaultDriftInterval], [WithDriftInterval]), with the count of values and replies since
// its last report. Reports carry JSON types and counts, never a value of the reply, but for
// unlisted enum values. fn runs on the goroutine of the call, before the call returns: keep
// it short.
//
// The check is package validate's walk of the reply's bytes against the table generated from
// the spec at build time, observing instead of refusing: the same walk as
// [WithResponseValidation], which does not read the spec at run time, and costs at most a
// few percent of a call (bench/README.md).
func WithDriftReport(fn func(DriftReport)) Option {
	return func(c *config) error {
		c.drift = func(d *doer, cfg config) {
			d.drift = newDriftChecker(cfg.driftFn, cfg.logger, cfg.driftInterval)
			d.observe = d.drift.check
		}
		c.driftFn = fn
		return nil
	}
}

// WithDriftInterval sets how often the same drift is reported again ([WithDriftReport]);
// it must be positive.
func WithDriftInterval(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errors.New("leadsquared: WithDriftInterval: the interval must be positive, got " + d.String())
		}
		c.driftInterval = d
		return nil
	}
}

// driftChecker is the state of WithDriftReport: the table, and what was reported when.
type driftChecker struct {
	// observe is validate.Validator.Observe: a func value, not the validator, so that a
	// program that never turns drift reports on does not link the walk (a reachable type's
	// exported methods are kept when a program uses reflection's method lookup).
	observe  func(op api.OperationID, body []byte) []validate.Observation
	fn       func(DriftReport)
	logger   *slog.Logger
	interval time.Duration
	now      func() time.Time

	mu   sync.Mutex
	seen map[driftKey]*driftAgg
}

// maxDriftKeys bounds the drifts remembered; past it new ones are dropped (an account would
// need thousands of unknown attributes to get there).
const maxDriftKeys = 4096

type driftKey struct {
	op      api.OperationID
	pointer string
	kind    DriftKind
}

// driftAgg is what was seen of one drift since its last report.
type driftAgg struct {
	attr            string
	schema          string
	specTypes, also []string
	count, calls    int
	types           map[string]int
	enum            map[string]int
	last            time.Time // of the last report; zero: never reported
}

func newDriftChecker(fn func(DriftReport), logger *slog.Logger, interval time.Duration) *driftChecker {
	v, _ := validate.Default() // never fails: the table is generated
	if interval <= 0 {
		interval = DefaultDriftInterval
	}
	return &driftChecker{observe: v.Observe, fn: fn, logger: logger, interval: interval, now: time.Now, seen: map[driftKey]*driftAgg{}}
}

// check walks a 200 reply of op against the spec (package validate's walk, observing) and
// reports what drifted.
func (c *driftChecker) check(op api.OperationID, body []byte) {
	if found := c.observe(op, body); len(found) > 0 {
		c.merge(op, found)
	}
}

// merge adds the drifts of one reply, and reports those not reported within the interval.
func (c *driftChecker) merge(op api.OperationID, found []validate.Observation) {
	now := c.now()
	var out []DriftReport
	c.mu.Lock()
	for i := range found {
		f := &found[i]
		k := driftKey{op, f.Pointer, DriftKind(f.Kind)}
		a := c.seen[k]
		if a == nil {
			if len(c.seen) >= maxDriftKeys {
				continue
			}
			a = &driftAgg{attr: f.Attribute, schema: f.Schema, specTypes: f.SpecTypes, also: f.AlsoTypes}
			c.seen[k] = a
		}
		a.count += f.Count
		a.calls++
		for t, n := range f.Types {
			if a.types == nil {
				a.types = map[string]int{}
			}
			a.types[t] += n
		}
		for v, n := range f.Enum {
			if a.enum == nil {
				a.enum = map[string]int{}
			}
			if _, ok := a.enum[v]; ok || len(a.enum) < validate.MaxEnumValues {
				a.enum[v] += n
			}
		}
		if a.last.IsZero() || now.Sub(a.last) >= c.interval {
			out = append(out, c.take(k, a, now))
		}
	}
	c.mu.Unlock()
	c.emitAll(out)
}

// report is the DriftReport of a drift, from what was seen since its last report.
func (c *driftChecker) report(k driftKey, a *driftAgg) DriftReport {
	r := DriftReport{Operation: k.op, Pointer: k.pointer, Kind: k.kind, Attribute: a.attr, Count: a.count, Calls: a.calls,
		Schema: a.schema, SpecTypes: a.specTypes}
	declared := k.kind == DriftType
	for t, n := range a.types {
		if n > 0 {
			if r.Types == nil {
				r.Types = map[string]int{}
			}
			r.Types[t] = n
			declared = declared && slices.Contains(a.also, t)
		}
	}
	r.Declared = declared && len(r.Types) > 0
	if len(a.enum) > 0 {
		r.EnumValues = make(map[string]int, len(a.enum))
		for v, n := range a.enum {
			r.EnumValues[v] = n
		}
	}
	return r
}

// emit hands a report to the callback and the logger.
func (c *driftChecker) emit(r DriftReport) {
	if c.fn != nil {
		c.fn(r)
	}
	if c.logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("operation", string(r.Operation)),
		slog.String("pointer", r.Pointer),
		slog.String("kind", string(r.Kind)),
		slog.Int("count", r.Count),
		slog.Int("calls", r.Calls),
	}
	if len(r.Types) > 0 {
		attrs = append(attrs, slog.String("types", countsText(r.Types)))
	}
	if len(r.SpecTypes) > 0 {
		attrs = append(attrs, slog.String("spec_types", strings.Join(r.SpecTypes, ",")))
	}
	if r.Declared {
		attrs = append(attrs, slog.Bool("declared", true))
	}
	if len(r.EnumValues) > 0 {
		attrs = append(attrs, slog.String("enum_values", countsText(r.EnumValues)))
	}
	attrs = append(attrs, slog.String("schema", r.Schema))
	c.logger.LogAttrs(context.Background(), slog.LevelWarn, "leadsquared: reply drifted from the spec", attrs...)
}

// countsText writes counts as "a=1 b=2", sorted, with each name quoted when it needs to be.
func countsText(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		name := k
		if k == "" || strings.ContainsAny(k, " =\"\\") || !strconv.CanBackquote(k) {
			name = strconv.Quote(k)
		}
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(strconv.Itoa(m[k]))
	}
	return b.String()
}

// FlushDriftReports reports at once, with their counts, the drifts seen since their last
// report ([WithDriftReport] holds them back until the interval has passed): at the end of a
// batch, or before a program exits. It does nothing on a client without drift reports.
func (c *Client) FlushDriftReports() {
	if c.made() && c.doer.drift != nil {
		c.doer.drift.flush()
	}
}

// flush reports every drift with counts not yet reported.
func (c *driftChecker) flush() {
	now := c.now()
	var out []DriftReport
	c.mu.Lock()
	for k, a := range c.seen {
		if a.count == 0 && a.calls == 0 {
			continue
		}
		out = append(out, c.take(k, a, now))
	}
	c.mu.Unlock()
	c.emitAll(out)
}

// take returns the report of what a has seen since its last report, and starts counting
// again from now. c.mu is held.
func (c *driftChecker) take(k driftKey, a *driftAgg, now time.Time) DriftReport {
	r := c.report(k, a)
	a.count, a.calls, a.types, a.enum, a.last = 0, 0, nil, nil, now
	return r
}

// emitAll sends reports in order of operation, pointer and kind, outside c.mu.
func (c *driftChecker) emitAll(out []DriftReport) {
	sortReports(out)
	for _, r := range out {
		c.emit(r)
	}
}

// sortReports orders reports by operation, pointer and kind.
func sortReports(out []DriftReport) {
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Operation != b.Operation {
			return a.Operation < b.Operation
		}
		if a.Pointer != b.Pointer {
			return a.Pointer < b.Pointer
		}
		return a.Kind < b.Kind
	})
}
