#!/usr/bin/env bash
# Runs the Phase 3 staging-build latency check RUNS times (default 10) on
# fresh reference hosts and prints how many passed, with each run's p95
# comparison. A healthy host must pass every run. Run it on a machine
# with nothing else running.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-10}
report_dir=${ALIVE_SUITE_REPORT_DIR:-target/junit}
log_dir=target/stability
mkdir -p "$log_dir"
passed=0
for run in $(seq 1 "$runs"); do
  artifacts=$report_dir/artifacts/phase3-staging_build_under_load
  rm -f "$artifacts-baseline.json" "$artifacts-during.json"
  if cargo test --test phase3 -- phase3::staging_build_under_load >"$log_dir/run-$run.log" 2>&1; then
    passed=$((passed + 1))
    result=passed
  else
    result=FAILED
  fi
  baseline=$(grep -o '"p95": [0-9]*' "$artifacts-baseline.json" 2>/dev/null | grep -o '[0-9]*$' || echo "?")
  during=$(grep -o '"p95": [0-9]*' "$artifacts-during.json" 2>/dev/null | grep -o '[0-9]*$' || echo "?")
  echo "run $run: $result; p95 baseline $baseline us, during the build $during us (log: $log_dir/run-$run.log)"
done
echo "$passed of $runs runs passed"
[ "$passed" -eq "$runs" ]
