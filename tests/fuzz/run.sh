#!/bin/sh
# Run one libFuzzer target: replay its committed corpus, then fuzz for a
# while from it, keeping new inputs in a working corpus outside the tree.
# Usage: tests/fuzz/run.sh FUZZER SEEDS WORKDIR SECONDS
# A crash, a leak, a sanitizer report or an input taking over 10 s fails,
# and the input that did it is saved in WORKDIR/../findings.
set -eu
bin=$1 seeds=$2 work=$3 seconds=$4
name=$(basename "$bin")
findings=$(dirname "$work")/findings
dict=$(dirname "$0")/$(echo "$name" | sed 's/^fuzz_//').dict
mkdir -p "$work" "$findings"
set -- -timeout=10 -artifact_prefix="$findings/$name-"
[ -f "$dict" ] && set -- "$@" -dict="$dict"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Every committed input first: a regression fails here, whatever the timing.
if ! "$bin" "$@" -runs=0 "$seeds" >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "FAIL $name: a committed input fails (see above; saved in $findings)" >&2
	exit 1
fi
if ! "$bin" "$@" -max_total_time="$seconds" -print_final_stats=1 "$work" "$seeds" >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "FAIL $name: a finding (see above; the input is in $findings)" >&2
	exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
echo "ok $name: $runs executions in ${seconds} s ($secs/s, $cov), no finding"
