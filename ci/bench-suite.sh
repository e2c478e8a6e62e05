#!/usr/bin/env bash
# Measures the suite's own costs and prints a Markdown table: the reference
# host image build cold (no suite images, base image kept) and warm (no
# change), and each phase's run against the warm image. Run from the
# repository root after `cargo test --no-run`, on a machine with nothing
# else running, since the phases' latency checks share its CPU.
set -euo pipefail

seconds_of() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  awk -v start="$start" -v end="$end" 'BEGIN { printf "%.1f", end - start }'
}

# A session builds the image when it is missing, so one check is enough.
build_image() {
  cargo test --test phase1 -- phase1::system_user
}

echo "| step | seconds |"
echo "| --- | --- |"

docker images --format '{{.Repository}}:{{.Tag}}' | grep '^alive-suite/reference-host:' | xargs -r docker rmi -f >/dev/null
echo "| image build, cold (base image present), plus one check | $(seconds_of build_image) |"
echo "| image check, warm, plus one check | $(seconds_of build_image) |"

for phase in phase1 phase2 phase3; do
  echo "| \`cargo test --test $phase\`, warm image | $(seconds_of cargo test --test "$phase") |"
done
