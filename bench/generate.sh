#!/usr/bin/env bash
# generate.sh COUNT: times `go generate ./...` warm (one untimed run first, so the generator
# is built and cached) COUNT times, and measures pkg/api. It prints Go benchmark lines
# (BenchmarkGenerate 1 NS ns/op LINES lines BYTES bytes) for benchstat.
set -euo pipefail
count="${1:-6}"
go="${GO:-go}"
"$go" generate ./...
echo "pkg: github.com/leadsquared-go/leadsquared-go"
lines=$(cat pkg/api/*.go | wc -l)
bytes=$(cat pkg/api/*.go | wc -c)
for _ in $(seq "$count"); do
	start=$(date +%s%N)
	"$go" generate ./...
	end=$(date +%s%N)
	echo "BenchmarkGenerate 1 $((end - start)) ns/op $lines lines $bytes bytes"
done
