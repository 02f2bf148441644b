#!/usr/bin/env bash
# The dashboard's benchmark. It builds in Release and starts the app host as a user would, then:
#  1. sends spans, then log records, over OTLP/gRPC with the OpenTelemetry SDK's own exporter from several
#     producers, and prints what the dashboard took in per second (from its own counters);
#  2. prints the app host's memory once the dashboard holds as much as its limits allow (10,000 traces and
#     10,000 logs by default, the rest dropped and counted);
#  3. drives the API with wrk with telemetry on (the dashboard receiving every replica's spans, logs and
#     metrics) and off (--AppHost:DisableDashboard=true, no collector), and prints both throughputs.
# It judges nothing; it fails only when it cannot measure.
#
#   bench/dashboard.sh
#   BENCH_OTLP_SECONDS=20 BENCH_PRODUCERS=4 BENCH_DURATION=20s bench/dashboard.sh
# wrk waits up to 10 s for an answer (its default is 2 s): on a busy two-core machine the first requests to fresh
# replicas can take longer, and they belong in the latencies rather than in the errors.
set -euo pipefail

otlp_seconds=${BENCH_OTLP_SECONDS:-15}
producers=${BENCH_PRODUCERS:-3}
duration=${BENCH_DURATION:-15s}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
warmup=${BENCH_WARMUP:-5s}
people=1000

# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

make_work_folder
install_missing_tools
say "Building (Release)..."
build_release
# The load generator is a file-based program; building it first keeps its build out of the measurement.
dotnet build bench/otlp-load.cs -c Release >"$tmp/load-build.log" 2>&1 || { tail -n 30 "$tmp/load-build.log" >&2; fail "the OTLP load generator did not build"; }

jar=$tmp/cookies
stats() { curl -sf -b "$jar" "$frontend/api/telemetry/stats"; }
field() { grep -oE "\"$1\":[0-9]+" <<<"$2" | grep -oE '[0-9]+$'; }
rss_mib() { awk '$1 == "VmRSS:" { printf "%.0f", $2 / 1024 }' "/proc/$apphost_pid/status"; }

# The key OTLP clients must present; set here because the app host prints only the browser token.
key=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

say "Starting the app host (telemetry on)..."
launch_apphost --AppHost:OtlpApiKey="$key"
wait_started
login=$(grep -m1 -oE 'http://[^ ]+/login\?t=[0-9a-f]+' "$log") || fail "no dashboard login link in the app host's output"
frontend=${login%%/login*}
grpc=$(grep -m1 -oE 'gRPC at http://[^ ,]+' "$log" | sed 's/^gRPC at //; s/,$//')
[[ -n $grpc ]] || fail "no OTLP/gRPC address in the app host's output"
curl -sf -c "$jar" -o /dev/null "$login" || fail "could not log in to the dashboard"
rss_idle=$(rss_mib)
say "Dashboard at $frontend, OTLP/gRPC at $grpc; app host RSS $rss_idle MiB before the load."

# received SIGNAL: what the dashboard took in so far, kept or dropped past its limit.
received() {
    local now
    now=$(stats) || fail "the dashboard's counters did not answer"
    if [[ $1 == spans ]]; then
        # Each generated trace has one span, so a dropped trace is one dropped span.
        say $(( $(field spans "$now") + $(field droppedTraces "$now") + $(field droppedSpans "$now") ))
    else
        say $(( $(field logs "$now") + $(field droppedLogs "$now") ))
    fi
}

# settled SIGNAL: the received count once it stops changing. The exporters flush on exit, so the last batch may
# still be on its way when the generator ends; two equal readings 200 ms apart, or 10 s at most, end the wait.
settled() {
    local signal=$1 last now deadline=$(( SECONDS + 10 ))
    last=$(received "$signal")
    while (( SECONDS < deadline )); do
        sleep 0.2
        now=$(received "$signal")
        (( now == last )) && break
        last=$now
    done
    say "$last"
}

ingest() {
    local signal=$1 before after started seconds output produced
    before=$(received "$signal")
    started=$EPOCHREALTIME
    output=$(dotnet run --no-build -c Release bench/otlp-load.cs -- "$signal" "$grpc" "$key" "$otlp_seconds" "$producers" 2>&1) \
        || { say "$output" | indent; fail "the OTLP load generator failed"; }
    after=$(settled "$signal")
    seconds=$(since "$started")
    produced=$(grep -oE 'produced [0-9]+' <<<"$output" | grep -oE '[0-9]+$')
    say "== $signal: $producers SDK exporters over OTLP/gRPC for ${otlp_seconds} s"
    say "    produced $produced, received $(( after - before )) in ${seconds} s: $(awk -v n=$(( after - before )) -v s="$seconds" 'BEGIN { printf "%.0f", n / s }') $signal/s"
}

ingest spans
ingest logs
final=$(stats)
say "== memory at the limits"
say "    kept: $(field traces "$final") traces ($(field spans "$final") spans), $(field logs "$final") logs, $(field metricPoints "$final") metric points"
say "    dropped: $(field droppedTraces "$final") traces, $(field droppedLogs "$final") logs, $(field droppedMetricPoints "$final") metric points"
say "    app host RSS: $rss_idle MiB before, $(rss_mib) MiB at the limits (VmHWM $(status_kib "$apphost_pid" VmHWM | awk '{ printf "%.0f", $1 / 1024 }') MiB)"

# --- API throughput, telemetry on and off ---------------------------------------------------------

find_postgres
load_people "$people"

# wrk_rps: requests/s of GET /persons/{id} against the running app host.
wrk_rps() {
    local output
    wrk -t"$threads" -c"$connections" -d"$warmup" --timeout 10s -H "$api_key_header" -s "$bench_dir/persons_get.lua" "$api_url/" -- "$people" >/dev/null 2>&1 || fail "wrk failed during the warm-up"
    output=$(wrk -t"$threads" -c"$connections" -d"$duration" --timeout 10s -H "$api_key_header" -s "$bench_dir/persons_get.lua" "$api_url/" -- "$people" 2>&1) || fail "wrk failed"
    parse_bench_line "$output" || fail "wrk printed no figures"
    (( w_bad == 0 && w_sock == 0 )) || fail "wrk saw $w_bad bad answers and $w_sock socket errors"
}

# A fresh app host for each side: the one above holds millions of items' worth of garbage from the ingestion runs.
stop_apphost || fail "the app host did not stop cleanly"
say "Starting the app host (telemetry on, fresh)..."
launch_apphost --AppHost:OtlpApiKey="$key"
wait_started
wrk_rps
on_rps=$w_rps on_p50=$w_p50 on_p99=$w_p99
stop_apphost || fail "the app host did not stop cleanly"

say "Starting the app host (telemetry off)..."
launch_apphost --AppHost:DisableDashboard=true
wait_started
wrk_rps
off_rps=$w_rps off_p50=$w_p50 off_p99=$w_p99

say "== API, GET /persons/{id}: wrk -t$threads -c$connections -d$duration, 4 replicas, $(nproc) CPUs"
say "    telemetry on:  $on_rps req/s, p50 $on_p50 ms, p99 $on_p99 ms"
say "    telemetry off: $off_rps req/s, p50 $off_p50 ms, p99 $off_p99 ms"
say "    on/off: $(awk -v a="$on_rps" -v b="$off_rps" 'BEGIN { printf "%.1f%%", 100 * a / b }')"
