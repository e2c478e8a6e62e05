#!/usr/bin/env bash
# Benchmarks the alive-load program against ab and oha. Each tool runs the
# same closed workload (REQUESTS requests over CONNECTIONS connections)
# against one node HTTP server on 127.0.0.1, in turn, for ROUNDS rounds.
# ab runs twice: as the plan runs it (a new connection per request) and with
# keep-alive (-k), as every other run here. alive-load runs twice: with its
# default of one runtime thread per two cores, and with one runtime thread
# per core. Prints each run's requests per second, the client's CPU time per
# request, the server's CPU use and the rest of the machine's, then the
# median and maximum rate of each tool.
# Installs nothing.
#
# Usage: ci/bench-load.sh
# Environment: REQUESTS (default 50000), CONNECTIONS (50), ROUNDS (5),
#   OHA (path of oha; default target/tools/oha/bin/oha, then PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

requests=${REQUESTS:-50000}
connections=${CONNECTIONS:-50}
rounds=${ROUNDS:-5}
# The node server exits by itself after this many seconds.
server_lifetime_s=1800
# A run counts as quiet when the rest of the machine used at most this
# much CPU, in % of one core, during it.
quiet_rest_cpu=10

log() { printf 'bench-load: %s\n' "$*" >&2; }

# Every tool is checked before anything runs, so one run lists all that
# is missing.
find_tools() {
  local missing=()
  oha=${OHA:-target/tools/oha/bin/oha}
  if [ ! -x "$oha" ]; then
    oha=$(command -v oha || true)
  fi
  command -v ab >/dev/null ||
    missing+=("ab: apt-get install apache2-utils")
  [ -n "$oha" ] ||
    missing+=("oha: cargo install oha --locked --root target/tools/oha (or set OHA to its path)")
  command -v node >/dev/null ||
    missing+=("node: apt-get install nodejs")
  command -v jq >/dev/null ||
    missing+=("jq: apt-get install jq")
  [ -x /usr/bin/time ] ||
    missing+=("/usr/bin/time: apt-get install time")
  if [ "${#missing[@]}" -gt 0 ]; then
    log "error: missing tools; install them and run again:"
    printf '  %s\n' "${missing[@]}" >&2
    exit 1
  fi
}

# The static build that is copied into containers is the one measured.
build_alive_load() {
  log "building alive-load (release, static)"
  RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build --quiet --release -p alive-harness --bin alive-load --target x86_64-unknown-linux-gnu
  alive_load=target/x86_64-unknown-linux-gnu/release/alive-load
}

# Starts a node HTTP/1.1 server that responds to every request with 200
# "ok" and keeps connections alive, and sets `url`.
start_server() {
  local port_file
  port_file=$(mktemp)
  node -e '
    const http = require("http");
    const server = http.createServer((request, response) => {
      response.writeHead(200, { "Content-Type": "text/plain", "Content-Length": 2 });
      response.end("ok");
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));
    setTimeout(() => process.exit(0), Number(process.argv[1]) * 1000).unref();
  ' "$server_lifetime_s" >"$port_file" &
  server_pid=$!
  trap 'kill "$server_pid" 2>/dev/null || true' EXIT

  for _ in $(seq 1 50); do
    [ -s "$port_file" ] && break
    sleep 0.1
  done
  if [ ! -s "$port_file" ]; then
    log "error: the node server printed no port within 5 s"
    exit 1
  fi
  url="http://127.0.0.1:$(cat "$port_file")/"
  rm -f "$port_file"
  log "node $(node --version) serving $url (pid $server_pid)"
}

# Each run_* function runs one tool on the workload and prints
# "<requests per second> <failed requests>". A tool that fails makes its
# function fail.
run_ab() {
  run_ab_with -k
}

run_ab_plan() {
  run_ab_with
}

# Runs ab on the workload with the extra options "$@" and prints its rate
# and failed requests.
run_ab_with() {
  local output rate failed non_2xx
  output=$(ab "$@" -q -n "$requests" -c "$connections" "$url" 2>&1) || {
    echo "$output" >&2
    return 1
  }
  rate=$(awk '/^Requests per second:/ { print $4 }' <<<"$output")
  failed=$(awk '/^Failed requests:/ { print $3 }' <<<"$output")
  non_2xx=$(awk '/^Non-2xx responses:/ { print $3 }' <<<"$output")
  echo "${rate:-0} $((${failed:-0} + ${non_2xx:-0}))"
}

run_oha() {
  "$oha" -n "$requests" -c "$connections" --no-tui --output-format json "$url" |
    jq -r --argjson n "$requests" \
      '"\(.summary.requestsPerSec) \($n - (.statusCodeDistribution["200"] // 0))"'
}

run_alive_load() {
  "$alive_load" --requests "$requests" --connections "$connections" --json "$url" 2>/dev/null |
    jq -r '"\(.rate_per_s) \(.sent - .ok)"'
}

run_alive_load_all() {
  "$alive_load" --threads "$(nproc)" --requests "$requests" --connections "$connections" --json "$url" 2>/dev/null |
    jq -r '"\(.rate_per_s) \(.sent - .ok)"'
}

# Prints the CPU time that the server process has used, in clock ticks.
server_ticks() {
  awk '{ print $14 + $15 }' "/proc/$server_pid/stat"
}

# Prints the CPU time that the whole machine has used (all but idle and
# iowait), in clock ticks.
machine_ticks() {
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# Runs `run_<tool>` under /usr/bin/time and prints "<rate> <failed>
# <client CPU µs per request> <server CPU %> <rest CPU %>", both in % of
# one core. The rest is the machine's CPU time used by neither the client
# nor the server: kernel network work done outside both processes, and
# any other load on the machine.
timed() {
  local tool=$1 times_file result ticks_before ticks_after machine_before machine_after
  local user sys elapsed
  times_file=$(mktemp)
  machine_before=$(machine_ticks)
  ticks_before=$(server_ticks)
  result=$(/usr/bin/time -f '%U %S %e' -o "$times_file" \
    bash -o pipefail -c "$(declare -f "run_$tool" run_ab_with); run_$tool") || return 1
  if ! [[ $result =~ ^[0-9.e+-]+\ [0-9]+$ ]]; then
    log "error: $(name "$tool") printed no rate: '$result'"
    return 1
  fi
  ticks_after=$(server_ticks)
  machine_after=$(machine_ticks)
  read -r user sys elapsed <"$times_file"
  rm -f "$times_file"
  awk -v result="$result" -v u="$user" -v s="$sys" -v e="$elapsed" -v n="$requests" \
    -v server="$((ticks_after - ticks_before))" -v machine="$((machine_after - machine_before))" \
    -v hz="$(getconf CLK_TCK)" \
    'BEGIN {
      if (e <= 0) e = 0.01
      server_s = server / hz
      rest_s = machine / hz - server_s - u - s
      if (rest_s < 0) rest_s = 0
      printf "%s %.1f %.0f %.0f\n", result, (u + s) * 1e6 / n, server_s / e * 100, rest_s / e * 100
    }'
}

# Prints the name of a tool as the table shows it.
name() {
  case $1 in
    alive_load) echo alive-load ;;
    alive_load_all) echo "alive-load --threads $(nproc)" ;;
    ab) echo "ab -k" ;;
    ab_plan) echo "ab (no -k)" ;;
    *) echo "$1" ;;
  esac
}

median() {
  sort -g | awk '{ values[NR] = $1 } END { print (NR % 2) ? values[(NR + 1) / 2] : (values[NR / 2] + values[NR / 2 + 1]) / 2 }'
}

find_tools
build_alive_load
start_server
export requests connections url oha alive_load server_pid

log "warm-up: 5000 requests with alive-load"
"$alive_load" --requests 5000 --connections "$connections" "$url" >/dev/null 2>&1

echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "server: node $(node --version) http module, one process, $url"
echo "workload: $requests GET requests, $connections keep-alive connections, $rounds rounds"
echo "tools: ab $(ab -V | awk 'NR == 1 { print $5 }'), $("$oha" --version), alive-load $("$alive_load" --version | awk '{ print $2 }')"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo
tools="ab_plan ab oha alive_load alive_load_all"

printf '%-5s  %-22s  %10s  %6s  %10s  %6s  %6s\n' round tool 'requests/s' failed 'client' 'server' 'rest'
printf '%-5s  %-22s  %10s  %6s  %10s  %6s  %6s\n' '' '' '' '' 'µs CPU/req' 'CPU %' 'CPU %'
declare -A rates quiet_rates
for round in $(seq 1 "$rounds"); do
  for tool in $tools; do
    if ! line=$(timed "$tool"); then
      log "error: $(name "$tool") failed in round $round; run it by hand against a node server to see why"
      exit 1
    fi
    read -r rate failed cpu server_cpu rest_cpu <<<"$line"
    printf '%-5s  %-22s  %10.0f  %6s  %10s  %6s  %6s\n' \
      "$round" "$(name "$tool")" "$rate" "$failed" "$cpu" "$server_cpu" "$rest_cpu"
    rates[$tool]+="$rate "
    if [ "$rest_cpu" -le "$quiet_rest_cpu" ]; then
      quiet_rates[$tool]+="$rate "
    fi
  done
done

echo
# Other load on the machine lowers some rounds a lot, so the maximum and
# the median of the quiet rounds are printed beside the median.
printf '%-22s  %10s  %10s  %16s\n' tool 'median/s' 'max/s' 'quiet median/s'
for tool in $tools; do
  median_rate=$(tr ' ' '\n' <<<"${rates[$tool]}" | grep . | median)
  max_rate=$(tr ' ' '\n' <<<"${rates[$tool]}" | grep . | sort -g | tail -1)
  quiet_count=$(tr ' ' '\n' <<<"${quiet_rates[$tool]:-}" | grep -c . || true)
  if [ "$quiet_count" -gt 0 ]; then
    quiet_median=$(tr ' ' '\n' <<<"${quiet_rates[$tool]}" | grep . | median)
    quiet=$(printf '%.0f (n=%s)' "$quiet_median" "$quiet_count")
  else
    quiet="none"
  fi
  printf '%-22s  %10.0f  %10.0f  %16s\n' "$(name "$tool")" "$median_rate" "$max_rate" "$quiet"
  declare "median_$tool=$median_rate"
done
echo "quiet rounds: rest CPU at most $quiet_rest_cpu % of one core"

# The goal, on median rates: at least oha's rate and twice ab's, against
# ab as the plan runs it and against ab with keep-alive.
for tool in alive_load alive_load_all; do
  median_name=median_$tool
  for ab_tool in ab_plan ab; do
    ab_median_name=median_$ab_tool
    if awk -v a="${!median_name}" -v o="$median_oha" -v b="${!ab_median_name}" 'BEGIN { exit !(a >= o && a >= 2 * b) }'; then
      verdict=met
    else
      verdict="not met"
    fi
    echo "goal for $(name "$tool") (>= oha and >= 2 x $(name "$ab_tool")): $verdict"
  done
done
