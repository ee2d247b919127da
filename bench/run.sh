#!/usr/bin/env bash
# run.sh: what `make bench` runs (see bench/METHOD.md). It builds the test binaries once, runs
# every per-call benchmark in a process of its own (a benchmark's speed depends on what ran
# before it in the same process), in BENCHCOUNT rounds whose order alternates, then the
# validation, throughput and generation benchmarks, summarises all with benchstat and prints
# one table, also written to bench/README.md with the machine it ran on.
set -euo pipefail
go="${GO:-go}"
count="${BENCHCOUNT:-6}"
benchtime="${BENCHTIME:-600ms}"
tputcount="${TPUTCOUNT:-3}"
mixedtime="${MIXEDTIME:-3m}"
# The revision whose wrapper a call without options is compared with (BenchmarkWrapperInMemory
# impl=client of its test binary, reported as impl=baseline); none when it does not resolve.
benchbase="${BENCHBASE:-main}"
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
results="$tmp/results.txt"

"$go" test -c -o "$tmp/leadsquared.test" ./pkg/leadsquared
"$go" test -c -o "$tmp/validate.test" ./pkg/validate
"$go" test -c -o "$tmp/redislimit.test" ./pkg/leadsquared/redislimit
"$go" test -c -o "$tmp/lsq.test" ./cmd/lsq
"$go" test -c -o "$tmp/scim.test" ./pkg/scim
"$go" build -o "$tmp/benchstat" golang.org/x/perf/cmd/benchstat
basebin=""
if git rev-parse --verify --quiet "$benchbase^{commit}" >/dev/null 2>&1; then
	mkdir "$tmp/base"
	git archive "$benchbase" | tar -x -C "$tmp/base"
	if (cd "$tmp/base" && "$go" test -c -o "$tmp/base.test" ./pkg/leadsquared); then
		basebin="$tmp/base.test"
	fi
fi

# bench PKGDIR BINARY PATTERN [FLAGS...]: run the benchmarks matching PATTERN, append them to
# the results, show their lines.
bench() {
	local dir=$1 bin=$2 pattern=$3
	shift 3
	(cd "$dir" && "$bin" -test.run='^$' -test.bench="$pattern" "$@") | tee -a "$results" | grep -E '^(Benchmark|--- FAIL|FAIL)' >&2
}

cases=()
for op in GetUserByID CreateUser AdvancedSearch1000; do
	for impl in raw generated client validated; do
		cases+=("^BenchmarkOverhead\$/^op=$op\$/^impl=$impl\$")
	done
	for impl in generated client options; do
		cases+=("^BenchmarkWrapperInMemory\$/^op=$op\$/^impl=$impl\$")
	done
	for impl in client validated; do
		cases+=("^BenchmarkValidationInMemory\$/^op=$op\$/^impl=$impl\$")
	done
	if [[ -n $basebin ]]; then
		cases+=("base:^BenchmarkWrapperInMemory\$/^op=$op\$/^impl=client\$")
	fi
	if [[ $op != CreateUser ]]; then
		for impl in client drift; do
			cases+=("^BenchmarkDriftInMemory\$/^op=$op\$/^impl=$impl\$")
		done
	fi
done

echo "== per-call overhead and validation: $count rounds, -benchtime=$benchtime, one process per benchmark" >&2
for round in $(seq "$count"); do
	order=("${cases[@]}")
	if ((round % 2 == 0)); then
		for ((i = 0, j = ${#order[@]} - 1; i < j; i++, j--)); do
			t=${order[i]} order[i]=${order[j]} order[j]=$t
		done
	fi
	for pattern in "${order[@]}"; do
		if [[ $pattern == base:* ]]; then
			# The baseline's impl=client, renamed impl=baseline.
			(cd "$tmp/base/pkg/leadsquared" && "$basebin" -test.run='^$' -test.bench="${pattern#base:}" -test.benchmem -test.benchtime="$benchtime") |
				sed 's#/impl=client-#/impl=baseline-#' | tee -a "$results" | grep -E '^(Benchmark|--- FAIL|FAIL)' >&2
			continue
		fi
		bench pkg/leadsquared "$tmp/leadsquared.test" "$pattern" -test.benchmem -test.benchtime="$benchtime"
	done
	bench pkg/validate "$tmp/validate.test" . -test.benchmem -test.benchtime="$benchtime"
	bench pkg/leadsquared "$tmp/leadsquared.test" '^BenchmarkOverheadInterleaved$' -test.benchmem -test.benchtime="$benchtime"
	bench pkg/leadsquared "$tmp/leadsquared.test" '^BenchmarkDriftInterleaved$' -test.benchmem -test.benchtime="$benchtime"
	bench pkg/leadsquared "$tmp/leadsquared.test" '^BenchmarkValidationInterleaved$' -test.benchmem -test.benchtime="$benchtime"
	bench pkg/leadsquared "$tmp/leadsquared.test" '^BenchmarkCallOptionsInterleaved$' -test.benchmem -test.benchtime="$benchtime"
	bench pkg/leadsquared "$tmp/leadsquared.test" '^BenchmarkDecodeSearch1000$' -test.benchmem -test.benchtime="$benchtime"
	bench pkg/leadsquared "$tmp/leadsquared.test" '^BenchmarkFirstNew$' -test.benchtime=10x
done

echo "== binary size of a program that calls one operation" >&2
GO="$go" bench/binsize.sh | tee -a "$results" | grep '^Benchmark' >&2

echo "== throughput under a rate limit: $tputcount runs of 4 s per limiter" >&2
bench pkg/leadsquared "$tmp/leadsquared.test" '^BenchmarkRateLimitThroughput$' -test.benchtime=1x -test.count="$tputcount"

echo "== the SCIM bridge: requests per second on the fake, and the share of the rate used ($tputcount runs of 4 s)" >&2
bench pkg/scim "$tmp/scim.test" '^BenchmarkBridge$' -test.benchmem -test.benchtime="$benchtime" -test.count="$count"
bench pkg/scim "$tmp/scim.test" '^BenchmarkBridgeRateShare$' -test.benchtime=1x -test.count="$tputcount"

echo "== under load: $tputcount saturated runs with refusals (~10 s each), the mixed job ($mixedtime), $tputcount Redis fairness runs (~20 s each), lsq validate, users import and sync on 50 MB" >&2
bench pkg/leadsquared "$tmp/leadsquared.test" '^BenchmarkSaturatedRefusals$' -test.benchtime=1x -test.count="$tputcount"
bench pkg/leadsquared "$tmp/leadsquared.test" '^BenchmarkMixedJob$' -test.benchtime=1x -lsq.mixedfor="$mixedtime"
bench pkg/leadsquared/redislimit "$tmp/redislimit.test" '^BenchmarkSharedLimitFairness$' -test.benchtime=1x -test.count="$tputcount"
bench cmd/lsq "$tmp/lsq.test" '^BenchmarkValidateLargeFile$' -test.benchtime=1x
bench cmd/lsq "$tmp/lsq.test" '^BenchmarkUsersLargeFile$' -test.benchtime=1x

echo "== go generate ./... (warm)" >&2
GO="$go" bench/generate.sh "$count" | tee -a "$results" | grep '^Benchmark' >&2

"$tmp/benchstat" -format csv "$results" 2>/dev/null | "$go" run ./bench/benchtable >"$tmp/table.md"
{
	echo "# Benchmarks"
	echo
	echo "The latest \`make bench\` ($(date -u +%Y-%m-%d)), summarised by benchstat: median ± 95 % confidence interval"
	echo "of $count runs, each benchmark in a process of its own (throughput: $tputcount runs); ratios are of medians."
	echo "Loopback timing on a small machine is noisy: read the ratios and the in-memory rows. What each row"
	echo "measures: [METHOD.md](METHOD.md)."
	echo
	echo "Machine: $("$go" version | sed 's/^go version //'), $(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//'),"
	echo "$(nproc) cores, $(uname -sr)."
	echo
	cat "$tmp/table.md"
} >bench/README.md
echo
cat "$tmp/table.md"
echo
echo "written to bench/README.md"
