#!/usr/bin/env bash
# binsize.sh: builds the programs of bench/binsize (one call of GetUserByID through package
# leadsquared, the same built with -tags drift (WithDriftReport on) and with -tags validated
# (WithRequestValidation and WithResponseValidation on), and the same call with net/http +
# encoding/json) and prints their sizes as Go
# benchmark lines (BenchmarkBinarySize/impl=X 1 0 ns/op BYTES bytes) for benchstat.
set -euo pipefail
go="${GO:-go}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "pkg: github.com/leadsquared-go/leadsquared-go/bench/binsize"
size() { # impl, then go build's arguments
	local impl=$1
	shift
	"$go" build -o "$tmp/$impl" "$@"
	echo "BenchmarkBinarySize/impl=$impl 1 0 ns/op $(stat -c %s "$tmp/$impl") bytes"
}
size client ./bench/binsize/client
size drift -tags drift ./bench/binsize/client
size validated -tags validated ./bench/binsize/client
size nethttp ./bench/binsize/nethttp
