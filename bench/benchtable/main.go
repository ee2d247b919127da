// Command benchtable turns the CSV summary of benchstat (`benchstat -format csv`) over the
// results of `make bench` into the one Markdown table that `make bench` prints and keeps in
// bench/README.md: per-call overhead against hand-written net/http (ratios), validation
// cost and its share of a loopback call, throughput under a rate limit, and generation.
//
// Usage: benchstat -format csv results.txt | go run ./bench/benchtable
//
// The benchmarks it knows: BenchmarkOverhead, BenchmarkWrapperInMemory and
// BenchmarkCallOptionsInterleaved
// (pkg/leadsquared/overhead_bench_test.go), BenchmarkRateLimitThroughput
// (pkg/leadsquared/throughput_bench_test.go), BenchmarkSaturatedRefusals and
// BenchmarkMixedJob (pkg/leadsquared/longrun_bench_test.go), BenchmarkSharedLimitFairness
// (pkg/leadsquared/redislimit), BenchmarkValidateLargeFile and BenchmarkUsersLargeFile (cmd/lsq), the pkg/validate
// benchmarks and BenchmarkGenerate (bench/generate.sh). Any other benchmark gets a plain row.
package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// stat is benchstat's summary of one benchmark in one unit: the median and its confidence
// interval as benchstat prints it ("3%", "∞").
type stat struct {
	value float64
	ci    string
}

// results maps a benchmark name (without the -GOMAXPROCS suffix) to its stats by unit.
type results map[string]map[string]stat

// procsSuffix is the -N that go test appends to benchmark names.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// parse reads benchstat's CSV output: blocks of a header row naming the unit ("", unit,
// "CI") followed by rows (name, median, CI); other lines (pkg:, goos:, geomean) are skipped.
func parse(r io.Reader) (results, error) {
	res := results{}
	unit := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || !strings.Contains(line, ",") || strings.Contains(line, ": ") {
			continue // blank, pkg:/goos:/cpu: headers, warnings
		}
		rec, err := csv.NewReader(strings.NewReader(line)).Read()
		if err != nil || len(rec) < 3 {
			continue
		}
		switch {
		case rec[0] == "" && rec[2] == "CI":
			unit = rec[1]
		case rec[0] == "" || rec[0] == "geomean" || unit == "":
		default:
			v, err := strconv.ParseFloat(rec[1], 64)
			if err != nil {
				continue
			}
			name := procsSuffix.ReplaceAllString(rec[0], "")
			if res[name] == nil {
				res[name] = map[string]stat{}
			}
			res[name][unit] = stat{value: v, ci: rec[2]}
		}
	}
	return res, sc.Err()
}

func (r results) get(name, unit string) (stat, bool) {
	s, ok := r[name][unit]
	return s, ok
}

// fmtTime formats seconds as benchstat does: three significant digits, ns to s.
func fmtTime(sec float64) string {
	switch {
	case sec >= 1:
		return sig(sec) + " s"
	case sec >= 1e-3:
		return sig(sec*1e3) + " ms"
	case sec >= 1e-6:
		return sig(sec*1e6) + " µs"
	}
	return sig(sec*1e9) + " ns"
}

// fmtBytes formats a byte count in B, KiB or MiB.
func fmtBytes(b float64) string {
	switch {
	case b >= 1<<20:
		return sig(b/(1<<20)) + " MiB"
	case b >= 1<<10:
		return sig(b/(1<<10)) + " KiB"
	}
	return sig(b) + " B"
}

// sig formats v with three significant digits (no exponent).
func sig(v float64) string {
	if v == 0 {
		return "0"
	}
	digits := max(0, 2-int(math.Floor(math.Log10(math.Abs(v)))))
	return strconv.FormatFloat(v, 'f', digits, 64)
}

// withCI appends benchstat's confidence interval to a formatted value.
func withCI(s string, st stat) string {
	if st.ci == "" || st.ci == "∞" {
		return s
	}
	return s + " ±" + st.ci
}

// row is one line of the table.
type row struct {
	name, time, bytes, allocs, ratio, note string
}

// cells returns the time, B/op and allocs/op cells of a benchmark ("" when absent).
func (r results) cells(name string) (t, b, a string) {
	if s, ok := r.get(name, "sec/op"); ok && s.value > 0 {
		t = withCI(fmtTime(s.value), s)
	}
	if s, ok := r.get(name, "B/op"); ok {
		b = fmtBytes(s.value)
	}
	if s, ok := r.get(name, "allocs/op"); ok {
		a = strconv.FormatFloat(math.Round(s.value), 'f', 0, 64)
	}
	return t, b, a
}

// ratio returns name's median over base's in unit, and whether both exist.
func (r results) ratio(name, base, unit string) (float64, bool) {
	n, ok1 := r.get(name, unit)
	d, ok2 := r.get(base, unit)
	if !ok1 || !ok2 || d.value == 0 {
		return 0, false
	}
	return n.value / d.value, true
}

// noisy reports whether the time difference between name and base is within the larger
// of their confidence intervals (benchstat's "±N%").
func (r results) noisy(name, base string) bool {
	q, ok := r.ratio(name, base, "sec/op")
	if !ok {
		return false
	}
	ci := 0.0
	for _, n := range []string{name, base} {
		s, _ := r.get(n, "sec/op")
		if s.ci == "∞" {
			return true
		}
		if v, err := strconv.ParseFloat(strings.TrimSuffix(s.ci, "%"), 64); err == nil {
			ci = max(ci, v/100)
		}
	}
	return math.Abs(q-1) < ci
}

// ratios formats the time, B/op and allocs/op ratios of name to base.
func (r results) ratios(name, base string) string {
	var parts []string
	for _, u := range []struct{ unit, label string }{{"sec/op", "time"}, {"B/op", "B"}, {"allocs/op", "allocs"}} {
		if q, ok := r.ratio(name, base, u.unit); ok {
			parts = append(parts, fmt.Sprintf("%s ×%.2f", u.label, q))
		}
	}
	return strings.Join(parts, ", ")
}

// The operations of BenchmarkOverhead and the pkg/validate benchmark of each.
var overheadOps = []struct{ op, validate string }{
	{"GetUserByID", "ValidateGetUserByIDQuery"},
	{"CreateUser", "ValidateCreateUser"},
	{"AdvancedSearch1000", "ValidateAdvancedSearchResponse1000"},
}

// table builds the rows, in the order of the issue: overhead, validation, throughput,
// generation, then any other benchmark found.
func table(r results) []row {
	var rows []row
	used := map[string]bool{}
	add := func(name string, rw row) {
		used[name] = true
		t, b, a := r.cells(name)
		if rw.time == "" { // a row may set its own cells ("–")
			rw.time, rw.bytes, rw.allocs = t, b, a
		}
		rows = append(rows, rw)
	}
	for _, o := range overheadOps {
		prefix := "Overhead/op=" + o.op + "/impl="
		raw, gen, cli, val := prefix+"raw", prefix+"generated", prefix+"client", prefix+"validated"
		if r[raw] == nil {
			continue
		}
		add(raw, row{name: o.op + ": hand-written net/http", ratio: "1 (baseline)"})
		if r[gen] != nil {
			add(gen, row{name: o.op + ": generated client alone", ratio: r.ratios(gen, raw) + " vs net/http"})
		}
		if r[cli] != nil {
			note := ""
			if q, ok := r.ratio(cli, raw, "sec/op"); ok {
				verdict := "met"
				if q > 1.10 {
					verdict = "NOT met"
				}
				note = fmt.Sprintf("separate processes: goal ≤ ×1.10 %s", verdict)
				if r.noisy(cli, raw) {
					note += " (the difference is within the noise)"
				}
				if g, ok := r.ratio(cli, gen, "sec/op"); ok {
					note += fmt.Sprintf("; wrapper alone ×%.2f vs generated", g)
				}
			}
			add(cli, row{name: o.op + ": **wrapper + generated**", ratio: r.ratios(cli, raw) + " vs net/http", note: note})
		}
		if il := "OverheadInterleaved/op=" + o.op; r[il] != nil {
			note := ""
			if w, ok := r.get(il, "wrapper/raw"); ok {
				verdict := "met"
				if w.value > 1.10 {
					verdict = "NOT met"
				}
				note = fmt.Sprintf("goal ≤ ×1.10 (interleaved A/B): %s", verdict)
				if g, ok := r.get(il, "generated/raw"); ok {
					note += fmt.Sprintf("; generated alone ×%.3f", g.value)
				}
			}
			ratio := "–"
			if w, ok := r.get(il, "wrapper/raw"); ok {
				ratio = withCI(fmt.Sprintf("time ×%.3f", w.value), w) + " vs net/http, same iterations"
			}
			used[il] = true
			rows = append(rows, row{name: o.op + ": **wrapper vs net/http, interleaved**", time: "–", bytes: "–", allocs: "–", ratio: ratio, note: note})
		}
		memGen, memCli := "WrapperInMemory/op="+o.op+"/impl=generated", "WrapperInMemory/op="+o.op+"/impl=client"
		if r[memGen] != nil && r[memCli] != nil {
			note := "the wrapper's own cost, without loopback noise"
			t1, ok1 := r.get(memCli, "sec/op")
			t0, ok2 := r.get(memGen, "sec/op")
			a1, ok3 := r.get(memCli, "allocs/op")
			a0, ok4 := r.get(memGen, "allocs/op")
			b1, ok5 := r.get(memCli, "B/op")
			b0, ok6 := r.get(memGen, "B/op")
			if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 {
				note = fmt.Sprintf("the wrapper's own cost: %+.2f µs, %+.0f B, %+.0f allocs per call (in-memory transport, no loopback)",
					(t1.value-t0.value)*1e6, b1.value-b0.value, a1.value-a0.value)
				if r.noisy(memCli, memGen) {
					note += "; the time difference is within the noise"
				}
			}
			add(memCli, row{name: o.op + ": wrapper, in-memory transport", ratio: r.ratios(memCli, memGen) + " vs generated, in memory", note: note})
			used[memGen] = true
		}
		if r[val] != nil {
			note := ""
			v, ok1 := r.get(val, "sec/op")
			c, ok2 := r.get(cli, "sec/op")
			if ok1 && ok2 && v.value > 0 {
				note = fmt.Sprintf("validation is %.0f %% of the validated call", 100*(v.value-c.value)/v.value)
			}
			add(val, row{name: o.op + ": wrapper, request+response validation on", ratio: r.ratios(val, cli) + " vs wrapper", note: note})
		}
	}
	for _, o := range overheadOps {
		name := o.validate
		if r[name] == nil {
			continue
		}
		note := ""
		if q, ok := r.ratio(name, "Overhead/op="+o.op+"/impl=client", "sec/op"); ok {
			note = fmt.Sprintf("%.1f %% of a loopback %s call (wrapper)", 100*q, o.op)
		}
		add(name, row{name: "validate." + strings.TrimPrefix(name, "Validate") + " (pkg/validate)", note: note})
	}
	for _, mode := range []string{"explicit", "explicit-margin", "adaptive"} {
		name := "RateLimitThroughput/limiter=" + mode
		if r[name] == nil {
			continue
		}
		var parts []string
		if s, ok := r.get(name, "%allowed"); ok {
			parts = append(parts, fmt.Sprintf("**%.0f %%** of the allowed rate (goal ≥ 95)", s.value))
		}
		if s, ok := r.get(name, "ratelimit-errs"); ok {
			parts = append(parts, fmt.Sprintf("**%s** rate-limit errors seen by callers (goal 0)", sig(s.value)))
		}
		if s, ok := r.get(name, "rejected/run"); ok {
			parts = append(parts, fmt.Sprintf("%s attempts rejected by the server per run", sig(s.value)))
		}
		label := map[string]string{
			"explicit":        "WithRateLimit(25, 1s)",
			"explicit-margin": "WithRateLimit(25, 1.02s)",
			"adaptive":        "adaptive (learns 25/1 s)",
		}[mode]
		add(name, row{name: "throughput, 50 goroutines vs 25 calls/1 s: " + label, note: strings.Join(parts, "; ")})
	}
	r.underLoad(add)
	r.models(add)
	r.validation(add)
	r.drift(add)
	r.callOptions(add)
	if r["Generate"] != nil {
		note := ""
		l, ok1 := r.get("Generate", "lines")
		b, ok2 := r.get("Generate", "bytes")
		if ok1 && ok2 {
			note = fmt.Sprintf("pkg/api: %.0f lines, %s (%.0f bytes)", l.value, fmtBytes(b.value), b.value)
		}
		add("Generate", row{name: "`go generate ./...` (warm)", note: note})
	}
	var rest []string
	for name := range r {
		if !used[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		add(name, row{name: name})
	}
	return rows
}

// underLoad adds the rows of the long runs (issue 14): the limiter after refusals, the mixed
// job, the Redis limiter's fairness and lsq validate's memory, each beside the value measured
// before the change (the figures).
func (r results) underLoad(add func(string, row)) {
	val := func(name, unit string) (float64, bool) {
		s, ok := r.get(name, unit)
		return s.value, ok
	}
	waits := func(name string) string {
		m, ok1 := val(name, "wait-mean-ms")
		p, ok2 := val(name, "wait-p99-ms")
		x, ok3 := val(name, "wait-max-ms")
		if !ok1 || !ok2 || !ok3 {
			return ""
		}
		return fmt.Sprintf("waits mean %s ms, p99 %s ms, max %s ms", sig(m), sig(p), sig(x))
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	if name := "SaturatedRefusals"; r[name] != nil {
		var parts []string
		if v, ok := val(name, "%allowed"); ok {
			parts = append(parts, fmt.Sprintf("**%.1f %%** of the allowed rate (goal ≥ 95: %s; before: 88.4 %%)", v, verdict(v >= 95)))
		}
		if v, ok := val(name, "conns"); ok {
			parts = append(parts, fmt.Sprintf("**%.0f** connections opened (goal ≤ 200: %s; before: 1,669)", v, verdict(v <= 200)))
		}
		if w := waits(name); w != "" {
			parts = append(parts, w)
		}
		if v, ok := val(name, "rejected/run"); ok {
			parts = append(parts, fmt.Sprintf("%s calls refused by the server per run (3 on purpose)", sig(v)))
		}
		add(name, row{name: "200 goroutines, 2,000 calls vs 50 per 250 ms, three early refusals (default client)", note: strings.Join(parts, "; ")})
	}
	if name := "MixedJob"; r[name] != nil {
		var parts []string
		if v, ok := val(name, "%allowed"); ok {
			parts = append(parts, fmt.Sprintf("**%.1f %%** of the allowed rate (goal ≥ 95: %s; before: 90–92 %%)", v, verdict(v >= 95)))
		}
		if v, ok := val(name, "errs"); ok {
			parts = append(parts, fmt.Sprintf("**%s** caller errors (goal 0)", sig(v)))
		}
		if v, ok := val(name, "rejected/run"); ok {
			parts = append(parts, fmt.Sprintf("%s attempts refused by the server", sig(v)))
		}
		if w := waits(name); w != "" {
			parts = append(parts, w)
		}
		add(name, row{name: "mixed job, 1,000-user account on lsqtest at 25/s, 50 goroutines, 3 minutes", note: strings.Join(parts, "; ")})
	}
	if name := "SharedLimitFairness"; r[name] != nil {
		var parts []string
		if v, ok := val(name, "refused"); ok {
			parts = append(parts, fmt.Sprintf("**%s** refused (goal 0; before 0)", sig(v)))
		}
		if v, ok := val(name, "%allowed"); ok {
			parts = append(parts, fmt.Sprintf("**%.1f %%** of the rate (goal ≥ 95: %s; before: 95.1 %%)", v, verdict(v >= 95)))
		}
		if w := waits(name); w != "" {
			parts = append(parts, w)
		}
		if v, ok := val(name, "max/mean"); ok {
			parts = append(parts, fmt.Sprintf("max wait **×%.2f** the mean (goal ≤ 3: %s; before: about 5)", v, verdict(v <= 3)))
		}
		if v, ok := val(name, "finish-spread-ms"); ok {
			parts = append(parts, fmt.Sprintf("processes finished %s ms apart (before: about 2 s)", sig(v)))
		}
		add(name, row{name: "redislimit, 4 processes × 50 calls vs 10/s", note: strings.Join(parts, "; ")})
	}
	for _, mode := range []struct{ name, label string }{
		{"ValidateLargeFile/limit=default", "`lsq validate` on a 50 MB array, default size limit"},
		{"ValidateLargeFile/limit=64MB", "`lsq validate --max-size 64MB` on a 50 MB array"},
	} {
		if r[mode.name] == nil {
			continue
		}
		note := ""
		if v, ok := val(mode.name, "maxrss-B"); ok {
			x, _ := val(mode.name, "x-input")
			note = fmt.Sprintf("peak resident **%s** (×%.2f the 50 MiB file; goal ≤ 150 MB: %s; before: 602 MB)", fmtBytes(v), x, verdict(v <= 150e6))
			if strings.HasSuffix(mode.name, "default") {
				note += ", refused unread by the 10 MB limit"
			}
		}
		add(mode.name, row{name: mode.label, note: note})
	}
	// Issue 27: lsq users import and sync on a 50 MB file; "before" is the tree before it
	// (peak read from rusage, which counted the test process too), then before its second
	// step (the file streamed, the account packed; peak read from the child's VmHWM), then
	// before its third (unchanged users dropped as read, Plan.Users packed), then before its fourth
	// (a plan's creates in a temporary file).
	for _, op := range []struct{ name, label, before string }{
		{"UsersLargeFile/op=import", "`lsq users import` of a 50 MB file (users all there)", "138 MiB; before the second step: ×1.9–2.6; before the third: ×2.62; before the fourth: 134 MiB, ×2.68"},
		{"UsersLargeFile/op=sync-plan", "`lsq users sync` (the plan) of a 50 MB file", "1755 MiB; before the second step: 1.12 GiB, ×22.4–23.4; before the third: 507 MiB, ×10.1; before the fourth: 114 MiB, ×2.27"},
		{"UsersLargeFile/op=save-plan", "`lsq users sync --save-plan` of a 50 MB file", "1863 MiB, plan 27.5 MiB (indented); before the second step: ×23.6, plan ×0.50; before the third: 523 MiB, ×10.5; before the fourth: 117 MiB, ×2.35"},
		{"UsersLargeFile/op=save-plan-new", "`lsq users sync --save-plan` of a 50 MB file of new users", "3015 MiB, plan 223 MiB (indented); before the second step: 1.39 GiB, ×26.6–40, plan ×3.19; before the third: 583 MiB, ×11.7, plan ×1.96; before the fourth: 434–449 MiB, ×8.7–9.0"},
		{"UsersLargeFile/op=apply-plan", "`lsq users sync --apply-plan` of that plan (1 in 100 users renamed)", "1339 MiB; before the second step: ×16.5; before the third: 180 MiB, ×3.6; before the fourth: 116 MiB, ×2.32"},
	} {
		if r[op.name] == nil {
			continue
		}
		note := ""
		if v, ok := val(op.name, "maxrss-B"); ok {
			x, _ := val(op.name, "x-input")
			note = fmt.Sprintf("peak resident **%s** (×%.2f the 50 MiB file; goal ≤ 3×: %s)", fmtBytes(v), x, verdict(x <= 3))
		}
		if v, ok := val(op.name, "plan-B"); ok {
			x, _ := val(op.name, "plan-x-input")
			note += fmt.Sprintf("; saved plan **%s** (×%.2f; goal ≤ 2×: %s)", fmtBytes(v), x, verdict(x <= 2))
		}
		add(op.name, row{name: op.label, note: note + "; before: " + op.before})
	}
}

// render writes the rows as a Markdown table.
func render(w io.Writer, rows []row) error {
	var b strings.Builder
	b.WriteString("| benchmark | time/op | B/op | allocs/op | ratio | notes |\n")
	b.WriteString("|---|--:|--:|--:|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.name, dash(r.time), dash(r.bytes), dash(r.allocs), r.ratio, r.note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func main() {
	res, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	if len(res) == 0 {
		fmt.Fprintln(os.Stderr, "benchtable: no benchmark results on stdin (want benchstat -format csv)")
		os.Exit(1)
	}
	if err := render(os.Stdout, table(res)); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// models adds the rows of the models and the client's start (issue 11): decoding a 1,000-user
// search into the tolerant models vs the pointer models they replaced, the first New of a
// fresh process, and the size of a program that calls one operation vs net/http.
func (r results) models(add func(string, row)) {
	ptr, tol := "DecodeSearch1000/model=pointer", "DecodeSearch1000/model=tolerant"
	if r[ptr] != nil && r[tol] != nil {
		add(ptr, row{name: "decode a 1,000-user AdvancedSearch reply: pointer models (before)", ratio: "1 (baseline)"})
		note := ""
		if q, ok := r.ratio(tol, ptr, "sec/op"); ok {
			verdict := "met"
			if q > 1.3 {
				verdict = "NOT met"
			}
			note = fmt.Sprintf("goal ≤ ×1.3 the pointer models: %s", verdict)
		}
		add(tol, row{name: "decode a 1,000-user AdvancedSearch reply: **tolerant models**", ratio: r.ratios(tol, ptr) + " vs pointer models", note: note})
	}
	if name := "FirstNew"; r[name] != nil {
		note := ""
		sec, ok1 := r.get(name, "first-New-sec") // benchstat turns the child's "first-New-ns" into seconds
		b, ok2 := r.get(name, "first-New-B")
		if ok1 && ok2 {
			verdict := "met"
			if sec.value > 100e-6 || b.value > 64<<10 {
				verdict = "NOT met"
			}
			note = fmt.Sprintf("the first New of a fresh process: **%s, %s** (goal ≤ 100 µs and 64 KB: %s; before: 40 ms, 16 MB, the spec parsed at run time)",
				withCI(fmtTime(sec.value), sec), fmtBytes(b.value), verdict)
		}
		add(name, row{name: "`leadsquared.New`, first call in a fresh process", time: "–", bytes: "–", allocs: "–", note: note})
	}
	cli, raw := "BinarySize/impl=client", "BinarySize/impl=nethttp"
	if r[cli] != nil && r[raw] != nil {
		c, ok1 := r.get(cli, "bytes")
		n, ok2 := r.get(raw, "bytes")
		if ok1 && ok2 && n.value > 0 {
			q := c.value / n.value
			verdict := "met"
			if q > 1.25 {
				verdict = "NOT met"
			}
			add(raw, row{name: "binary of a program calling GetUserByID: net/http + encoding/json", time: "–", bytes: "–", allocs: "–",
				ratio: "1 (baseline)", note: fmt.Sprintf("%s (%.0f bytes)", fmtBytes(n.value), n.value)})
			add(cli, row{name: "binary of a program calling GetUserByID: **leadsquared**", time: "–", bytes: "–", allocs: "–",
				ratio: fmt.Sprintf("size ×%.2f vs net/http", q),
				note:  fmt.Sprintf("%s (%.0f bytes); goal ≤ ×1.25: %s (before: ×1.51)", fmtBytes(c.value), c.value, verdict)})
		}
	}
}

// drift adds the rows of WithDriftReport: the same call without and with drift reports over
// the in-memory transport, the interleaved A/B its ×1.10 goal is judged on, and the binary.
func (r results) drift(add func(string, row)) {
	for _, op := range []string{"GetUserByID", "AdvancedSearch1000"} {
		cli, dr := "DriftInMemory/op="+op+"/impl=client", "DriftInMemory/op="+op+"/impl=drift"
		if r[cli] == nil || r[dr] == nil {
			continue
		}
		add(cli, row{name: op + ": wrapper, in-memory transport, drift reports off", ratio: "1 (baseline)"})
		add(dr, row{name: op + ": wrapper, in-memory transport, **WithDriftReport**", ratio: r.ratios(dr, cli) + " vs drift reports off"})
		if il := "DriftInterleaved/op=" + op; r[il] != nil {
			ratio, note := "–", ""
			if q, ok := r.get(il, "drift/client"); ok {
				verdict := "met"
				if q.value > 1.10 {
					verdict = "NOT met"
				}
				ratio = withCI(fmt.Sprintf("time ×%.3f", q.value), q) + " vs drift reports off, same iterations"
				note = "goal ≤ ×1.10 (interleaved A/B): " + verdict
			}
			add(il, row{name: op + ": **WithDriftReport vs off, interleaved**", time: "–", bytes: "–", allocs: "–", ratio: ratio, note: note})
		}
	}
	cli, dr := "BinarySize/impl=client", "BinarySize/impl=drift"
	if c, ok := r.get(cli, "bytes"); ok && c.value > 0 {
		if d, ok := r.get(dr, "bytes"); ok {
			add(dr, row{name: "binary of a program calling GetUserByID: leadsquared **with WithDriftReport**", time: "–", bytes: "–", allocs: "–",
				ratio: fmt.Sprintf("size ×%.3f vs without", d.value/c.value),
				note:  fmt.Sprintf("%s (%.0f bytes): %+.0f KiB for the checker's table and its walk", fmtBytes(d.value), d.value, (d.value-c.value)/1024)})
		}
	}
}

// validationBefore is what validation cost before the generated checker (kin-openapi at run
// time), measured the same way (in memory, interleaved, medians) on the machine of the note.
var validationBefore = map[string]string{
	"GetUserByID":        " (before: ×2.57 time, ×4.86 allocations)",
	"CreateUser":         " (before: ×2.31 time, ×2.14 allocations)",
	"AdvancedSearch1000": " (before: ×1.74 time, ×4.35 allocations)",
}

// validation adds the rows of request and response validation: the same call without and
// with both options over the in-memory transport, the interleaved A/B its ×1.10 (time) and
// ×1.2 (allocations) goals are judged on, and the binary of a program that turns it on.
func (r results) validation(add func(string, row)) {
	for _, o := range overheadOps {
		op := o.op
		cli, val := "ValidationInMemory/op="+op+"/impl=client", "ValidationInMemory/op="+op+"/impl=validated"
		if r[cli] != nil && r[val] != nil {
			add(cli, row{name: op + ": wrapper, in-memory transport, validation off", ratio: "1 (baseline)"})
			add(val, row{name: op + ": wrapper, in-memory transport, **request+response validation on**", ratio: r.ratios(val, cli) + " vs off"})
		}
		il := "ValidationInterleaved/op=" + op
		if r[il] == nil {
			continue
		}
		ratio, note := "–", ""
		q, ok1 := r.get(il, "validated/client")
		m, ok2 := r.get(il, "validated/client-median")
		a, ok3 := r.get(il, "validated/client-allocs")
		if ok1 && ok2 && ok3 {
			// Judged on the medians: on a busy machine a GC pause or a preemption lands on one
			// call of a pair and moves the sums by more than validation costs.
			verdict := "met"
			if m.value > 1.10 || a.value > 1.2 {
				verdict = "NOT met"
			}
			ratio = withCI(fmt.Sprintf("medians ×%.3f", m.value), m) + fmt.Sprintf(" (sums ×%.3f), allocs ×%.3f vs off, same iterations", q.value, a.value)
			note = "goal ≤ ×1.10 time (medians) and ≤ ×1.2 allocations (interleaved A/B): " + verdict + validationBefore[op]
		}
		add(il, row{name: op + ": **validation on vs off, interleaved**", time: "–", bytes: "–", allocs: "–", ratio: ratio, note: note})
	}
	cli, val := "BinarySize/impl=client", "BinarySize/impl=validated"
	if c, ok := r.get(cli, "bytes"); ok && c.value > 0 {
		if v, ok := r.get(val, "bytes"); ok {
			add(val, row{name: "binary of a program calling GetUserByID: leadsquared **with request+response validation**", time: "–", bytes: "–", allocs: "–",
				ratio: fmt.Sprintf("size ×%.3f vs without", v.value/c.value),
				note:  fmt.Sprintf("%s (%.0f bytes): %+.0f KiB for the checker's table and its walk (before: %+.0f KiB, kin-openapi and the spec)", fmtBytes(v.value), v.value, (v.value-c.value)/1024, float64(11542984-10000249)/1024)})
		}
	}
}

// callOptions adds the rows of the options of one call (issue 29), over the in-memory
// transport: a call without options against the same call of the baseline revision's test
// binary (impl=baseline, BENCHBASE in bench/run.sh; its goal: unchanged), and a call with two
// options against one without, in separate runs and interleaved.
func (r results) callOptions(add func(string, row)) {
	for _, o := range overheadOps {
		base := "WrapperInMemory/op=" + o.op + "/impl=baseline"
		cli := "WrapperInMemory/op=" + o.op + "/impl=client"
		opt := "WrapperInMemory/op=" + o.op + "/impl=options"
		if r[base] != nil && r[cli] != nil {
			add(base, row{name: o.op + ": wrapper, in-memory transport, **baseline revision**", ratio: "1 (baseline)"})
			add(cli, row{name: o.op + ": wrapper, in-memory transport, **no call options, vs baseline**",
				ratio: r.ratios(cli, base) + " vs baseline", note: r.deltas(cli, base, "a call without options")})
		}
		if r[opt] != nil && r[cli] != nil {
			add(opt, row{name: o.op + ": wrapper, in-memory transport, **two call options** (WithMaxRetries, WithHeader)",
				ratio: r.ratios(opt, cli) + " vs no options", note: r.deltas(opt, cli, "two options")})
		}
		if il := "CallOptionsInterleaved/op=" + o.op; r[il] != nil {
			ratio := "–"
			if q, ok := r.get(il, "options/none"); ok {
				ratio = withCI(fmt.Sprintf("time ×%.3f", q.value), q) + " vs no options, same iterations"
			}
			add(il, row{name: o.op + ": **two call options vs none, interleaved**", time: "–", bytes: "–", allocs: "–", ratio: ratio})
		}
	}
}

// deltas says what name costs beside base per call, in time, bytes and allocations.
func (r results) deltas(name, base, what string) string {
	t1, ok1 := r.get(name, "sec/op")
	t0, ok2 := r.get(base, "sec/op")
	a1, ok3 := r.get(name, "allocs/op")
	a0, ok4 := r.get(base, "allocs/op")
	b1, ok5 := r.get(name, "B/op")
	b0, ok6 := r.get(base, "B/op")
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return ""
	}
	note := fmt.Sprintf("%s: %+.2f µs, %+.0f B, %+.0f allocs per call", what, (t1.value-t0.value)*1e6, b1.value-b0.value, a1.value-a0.value)
	if r.noisy(name, base) {
		note += "; the time difference is within the noise"
	}
	return note
}
