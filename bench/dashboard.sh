#!/usr/bin/env bash
# The dashboard's benchmark. It builds in Release and starts the app host as a user would, then:
#  1. sends spans, then log records, over OTLP/gRPC with the OpenTelemetry SDK's own exporter from several
#     producers, and prints what the dashboard took in per second (from its own counters);
#  2. prints the app host's memory once the dashboard holds as much as its limits allow (10,000 traces and
#     10,000 logs by default, the rest dropped and counted);
#  3. drives the API with wrk with telemetry on (the dashboard receiving every replica's spans, logs and
#     metrics, traces sampled at the endpoint as configured) and off (--AppHost:DisableDashboard=true, no
#     collector): two app hosts side by side, warmed up alternately, then measured on, off, off, on.
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
warmup=${BENCH_WARMUP:-30s}  # at least; BENCH_WARMUP_MAX (60) at most
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
# Two app hosts side by side, each on its own data folder: one with the dashboard (every replica exporting its
# traces, logs and metrics to it, the endpoint sampling traces as configured) and one without (no collector, so the
# services record nothing). Both are warmed up in alternating slices until tiered JIT has settled, then measured
# in the order on, off, off, on, so that drift on a noisy machine hits both sides alike.

stop_apphost || fail "the app host did not stop cleanly"

# wrk_run URL SECONDS: GET /persons/{id} on URL; sets the w_* figures.
wrk_run() {
    local output
    output=$(wrk -t"$threads" -c"$connections" -d"$2" --timeout 10s -H "$api_key_header" -s "$bench_dir/persons_get.lua" "$1/" -- "$people" 2>&1) \
        || { say "$output" | indent; fail "wrk failed"; }
    parse_bench_line "$output" || fail "wrk printed no figures"
    (( w_bad == 0 && w_sock == 0 )) || fail "wrk saw $w_bad bad answers and $w_sock socket errors"
}

# The telemetry-off app host runs beside lib.sh's current one; only while it starts do lib.sh's globals point at it.
main_state=$state main_log=$log off_state=$tmp/state-off off_log=$tmp/apphost-off.log off_pid=''
before_cleanup() {
    is_running "$off_pid" || return 0
    state=$off_state
    stop_tree "$off_pid" "" || { say "error: left running: ${left_running:-nothing, but the app host had to be killed}" >&2; return 1; }
}

say "Starting an app host with telemetry off (--AppHost:DisableDashboard=true)..."
state=$off_state log=$off_log
launch_apphost --AppHost:DisableDashboard=true
wait_started
find_postgres
load_people "$people"
off_pid=$apphost_pid off_url=$api_url
apphost_pid='' state=$main_state log=$main_log

say "Starting an app host with telemetry on, beside it..."
launch_apphost --AppHost:OtlpApiKey="$key"
wait_started
find_postgres
load_people "$people"
on_url=$api_url
login=$(grep -m1 -oE 'http://[^ ]+/login\?t=[0-9a-f]+' "$log") || fail "no dashboard login link in the app host's output"
frontend=${login%%/login*}
curl -sf -c "$jar" -o /dev/null "$login" || fail "could not log in to the dashboard"

# Tiered JIT takes tens of seconds of load to settle on a small machine: each side is loaded in alternating 5 s slices
# until its req/s stops rising (two slices in a row within 5% of the one before), for BENCH_WARMUP to
# BENCH_WARMUP_MAX seconds each.
warmup_min=${warmup%s} warmup_max=${BENCH_WARMUP_MAX:-60}
say "Warming both up, alternating 5 s slices, ${warmup_min}-${warmup_max} s each..."
declare -A warm_trace warm_prev warm_flat
for side in on off; do warm_trace[$side]='' warm_prev[$side]='' warm_flat[$side]=0; done
for (( elapsed = 5; elapsed <= warmup_max; elapsed += 5 )); do
    for side in on off; do
        if [[ $side == on ]]; then wrk_run "$on_url" 5s; else wrk_run "$off_url" 5s; fi
        warm_trace[$side]+="${w_rps%.*} "
        if [[ -n ${warm_prev[$side]} ]] && awk -v a="${warm_prev[$side]}" -v b="$w_rps" 'BEGIN { exit !(b < a * 1.05) }'; then
            warm_flat[$side]=$(( warm_flat[$side] + 1 ))
        else
            warm_flat[$side]=0
        fi
        warm_prev[$side]=$w_rps
    done
    (( elapsed >= warmup_min && warm_flat[on] >= 2 && warm_flat[off] >= 2 )) && break
done
say "    req/s per slice, on:  ${warm_trace[on]% }"
say "    req/s per slice, off: ${warm_trace[off]% }"

declare -A rps p50 p99
round=0
for side in on off off on; do
    round=$(( round + 1 ))
    if [[ $side == on ]]; then wrk_run "$on_url" "$duration"; else wrk_run "$off_url" "$duration"; fi
    rps[$side,$round]=$w_rps p50[$side,$round]=$w_p50 p99[$side,$round]=$w_p99
    say "    round $round, telemetry $side: $w_rps req/s, p50 $w_p50 ms, p99 $w_p99 ms"
done
on_rps=$(awk -v a="${rps[on,1]}" -v b="${rps[on,4]}" 'BEGIN { printf "%.1f", (a + b) / 2 }')
off_rps=$(awk -v a="${rps[off,2]}" -v b="${rps[off,3]}" 'BEGIN { printf "%.1f", (a + b) / 2 }')
sampling=$(stats)
state=$off_state
stop_tree "$off_pid" "" || fail "the telemetry-off app host did not stop cleanly"
state=$main_state off_pid=''

say "== API, GET /persons/{id}: wrk -t$threads -c$connections -d$duration, 4 replicas, $(nproc) CPUs, rounds on/off/off/on"
say "    telemetry on:  $on_rps req/s (rounds 1 and 4: ${rps[on,1]}, ${rps[on,4]}; p99 ${p99[on,1]}, ${p99[on,4]} ms)"
say "    telemetry off: $off_rps req/s (rounds 2 and 3: ${rps[off,2]}, ${rps[off,3]}; p99 ${p99[off,2]}, ${p99[off,3]} ms)"
say "    on/off: $(awk -v a="$on_rps" -v b="$off_rps" 'BEGIN { printf "%.1f%%", 100 * a / b }')"
say "    the dashboard kept $(field traces "$sampling") traces ($(field spans "$sampling") spans) and $(field logs "$sampling") logs of them"
