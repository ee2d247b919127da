package main

import (
	"strings"
	"testing"
)

// sample is benchstat -format csv output, trimmed.
const sample = `goos: linux
pkg: github.com/leadsquared-go/leadsquared-go/pkg/leadsquared
,results.txt,
,sec/op,CI
Overhead/op=CreateUser/impl=raw-2,5e-05,3%
Overhead/op=CreateUser/impl=client-2,5.6e-05,4%
Overhead/op=CreateUser/impl=validated-2,8.4e-05,∞
geomean,6e-05,

,results.txt,
,wrapper/raw,CI
OverheadInterleaved/op=CreateUser-2,1.077,5%

,results.txt,
,generated/raw,CI
OverheadInterleaved/op=CreateUser-2,1.043,3%

,results.txt,
,allocs/op,CI
Overhead/op=CreateUser/impl=raw-2,118,0%
Overhead/op=CreateUser/impl=client-2,131,0%

,results.txt,
,%allowed,CI
RateLimitThroughput/limiter=explicit-2,63,∞

,results.txt,
,sec/op,CI
DriftInMemory/op=GetUserByID/impl=client-2,0.0002,3%
DriftInMemory/op=GetUserByID/impl=drift-2,0.00021,3%

,results.txt,
,drift/client,CI
DriftInterleaved/op=GetUserByID-2,1.04,2%

,results.txt,
,sec/op,CI
ValidationInMemory/op=CreateUser/impl=client-2,7e-06,3%
ValidationInMemory/op=CreateUser/impl=validated-2,7.7e-06,3%

,results.txt,
,validated/client,CI
ValidationInterleaved/op=CreateUser-2,1.12,9%

,results.txt,
,validated/client-median,CI
ValidationInterleaved/op=CreateUser-2,1.08,1%

,results.txt,
,validated/client-allocs,CI
ValidationInterleaved/op=CreateUser-2,1.031,0%

,results.txt,
,bytes,CI
BinarySize/impl=client-2,1000000,0%
BinarySize/impl=nethttp-2,900000,0%
BinarySize/impl=drift-2,1102400,0%
BinarySize/impl=validated-2,1102400,0%

,results.txt,
,sec/op,CI
WrapperInMemory/op=CreateUser/impl=baseline-2,8e-06,2%
WrapperInMemory/op=CreateUser/impl=client-2,8.1e-06,3%
WrapperInMemory/op=CreateUser/impl=options-2,9e-06,2%

,results.txt,
,allocs/op,CI
WrapperInMemory/op=CreateUser/impl=baseline-2,65,0%
WrapperInMemory/op=CreateUser/impl=client-2,65,0%
WrapperInMemory/op=CreateUser/impl=options-2,71,0%

,results.txt,
,B/op,CI
WrapperInMemory/op=CreateUser/impl=baseline-2,6000,0%
WrapperInMemory/op=CreateUser/impl=client-2,6000,0%
WrapperInMemory/op=CreateUser/impl=options-2,6700,0%

,results.txt,
,options/none,CI
CallOptionsInterleaved/op=CreateUser-2,1.08,3%
`

func TestTable(t *testing.T) {
	res, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if got := res["Overhead/op=CreateUser/impl=client"]["sec/op"]; got.value != 5.6e-05 || got.ci != "4%" {
		t.Fatalf("client sec/op = %+v", got)
	}
	var b strings.Builder
	if err := render(&b, table(res)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| CreateUser: hand-written net/http | 50.0 µs ±3% | – | 118 | 1 (baseline) |",
		"time ×1.12, allocs ×1.11 vs net/http | separate processes: goal ≤ ×1.10 NOT met",
		"| CreateUser: **wrapper vs net/http, interleaved** | – | – | – | time ×1.077 ±5% vs net/http, same iterations | goal ≤ ×1.10 (interleaved A/B): met; generated alone ×1.043 |",
		"validation is 33 % of the validated call",
		"**63 %** of the allowed rate (goal ≥ 95)",
		"| GetUserByID: wrapper, in-memory transport, **WithDriftReport** | 210 µs ±3% | – | – | time ×1.05 vs drift reports off |",
		"| GetUserByID: **WithDriftReport vs off, interleaved** | – | – | – | time ×1.040 ±2% vs drift reports off, same iterations | goal ≤ ×1.10 (interleaved A/B): met |",
		"size ×1.102 vs without | 1.05 MiB (1102400 bytes): +100 KiB for the checker's table and its walk |",
		"| CreateUser: wrapper, in-memory transport, **request+response validation on** | 7.70 µs ±3% | – | – | time ×1.10 vs off |",
		// Judged on the medians, which a GC pause on one call of a pair does not move.
		"| CreateUser: **validation on vs off, interleaved** | – | – | – | medians ×1.080 ±1% (sums ×1.120), allocs ×1.031 vs off, same iterations | goal ≤ ×1.10 time (medians) and ≤ ×1.2 allocations (interleaved A/B): met (before: ×2.31 time, ×2.14 allocations) |",
		"leadsquared **with request+response validation** | – | – | – | size ×1.102 vs without | 1.05 MiB (1102400 bytes): +100 KiB for the checker's table and its walk (before: +1507 KiB, kin-openapi and the spec) |",
		"| CreateUser: wrapper, in-memory transport, **no call options, vs baseline** | 8.10 µs ±3% | 5.86 KiB | 65 | time ×1.01, B ×1.00, allocs ×1.00 vs baseline | a call without options: +0.10 µs, +0 B, +0 allocs per call; the time difference is within the noise |",
		"| CreateUser: wrapper, in-memory transport, **two call options** (WithMaxRetries, WithHeader) | 9.00 µs ±2% | 6.54 KiB | 71 | time ×1.11, B ×1.12, allocs ×1.09 vs no options | two options: +0.90 µs, +700 B, +6 allocs per call |",
		"| CreateUser: **two call options vs none, interleaved** | – | – | – | time ×1.080 ±3% vs no options, same iterations |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "\n") != 2+19 {
		t.Errorf("want a header and 19 rows:\n%s", out)
	}
}
