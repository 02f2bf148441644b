#!/usr/bin/env bash
# The edge's benchmark: the page and its assets as a CDN would serve them, a revalidation answered 304,
# the view counter on its one hot row, and what a key costs. It builds in Release, starts the app host as
# a user would (throwaway state, 4 replicas behind the proxy) and prints figures; it judges nothing.
#
#   bench/edge.sh
#   BENCH_DURATION=30s BENCH_CONNECTIONS=64 bench/edge.sh
#
# BENCH_DURATION (10s), BENCH_CONNECTIONS (32), BENCH_THREADS (2): wrk's -d, -c, -t for each scenario.
set -euo pipefail

duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}

# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

make_work_folder
install_missing_tools

say "Building (Release)..."
build_release
say "Starting the app host..."
launch_apphost
wait_started
say "Started; API at $api_url."

page=$(curl -sf "$api_url/") || fail "GET / failed"
asset=$(grep -oE 'app\.[a-z0-9]+\.js' <<<"$page" | head -n 1) || fail "the page names no fingerprinted script"
contact=$(curl -sf -D "$tmp/headers" -H "$api_key_header" -H 'Content-Type: application/json' \
    -d '{"firstName":"Bench","lastName":"Etag"}' "$api_url/api/contacts") || fail "POST /api/contacts failed"
contact_id=$(sed -E 's/.*"id":([0-9]+).*/\1/' <<<"$contact")
etag=$(awk -F': ' 'tolower($1) == "etag" { sub(/\r$/, "", $2); print $2 }' "$tmp/headers")
[[ -n $contact_id && -n $etag ]] || fail "no id or ETag for the contact: $contact"

declare -a scenarios=()
declare -A titles rps p50 p99 bad sock answered

# run KEY TITLE SCRIPT PATH [wrk options...]: a warm-up, then the measured run; answered counts both.
run() {
    local key=$1 title=$2 script=$3 path=$4 output
    shift 4
    scenarios+=("$key")
    titles[$key]=$title
    # Each replica JIT-compiles the route on first use; the warm-up keeps that out of the figures.
    output=$(wrk -t"$threads" -c"$connections" -d5s "$@" -s "$bench_dir/$script" "$api_url$path" 2>&1) || fail "wrk failed during the warm-up"
    parse_bench_line "$output" || { say "$output" | indent; fail "wrk printed no figures during the warm-up"; }
    answered[$key]=$w_requests
    output=$(wrk -t"$threads" -c"$connections" -d"$duration" "$@" -s "$bench_dir/$script" "$api_url$path" 2>&1) \
        || { say "$output" | indent; fail "wrk failed"; }
    parse_bench_line "$output" || { say "$output" | indent; fail "wrk printed no figures"; }
    rps[$key]=$w_rps p50[$key]=$w_p50 p99[$key]=$w_p99 bad[$key]=$w_bad sock[$key]=$w_sock
    answered[$key]=$(( answered[$key] + w_requests ))
    say "== $title: ${rps[$key]} req/s, p50 ${p50[$key]} ms, p99 ${p99[$key]} ms, ${bad[$key]} bad status, ${sock[$key]} socket errors"
}

run page "GET / (the page, brotli)" plain.lua / -H 'Accept-Encoding: br'
run asset "GET /$asset (brotli)" plain.lua "/$asset" -H 'Accept-Encoding: br'
run contact "GET /api/contacts/{id}" plain.lua "/api/contacts/$contact_id" -H "$api_key_header"
run revalidate "GET /api/contacts/{id}, If-None-Match: 304" plain.lua "/api/contacts/$contact_id" -H "$api_key_header" -H "If-None-Match: $etag"
run anonymous "GET /api/contacts/{id} without a key: 401" plain.lua "/api/contacts/$contact_id"

# Every view wrk sent and saw answered must be in the count: none lost on the hot row.
views_before=$(curl -sf -X POST -H "$api_key_header" "$api_url/api/views" | sed -E 's/.*"views":([0-9]+).*/\1/')
run views "POST /api/views (one hot row)" views_post.lua /api/views -H "$api_key_header"
views_after=$(curl -sf -X POST -H "$api_key_header" "$api_url/api/views" | sed -E 's/.*"views":([0-9]+).*/\1/')
counted=$(( views_after - views_before - 1 ))

stop_apphost || fail "the app host did not stop cleanly: ${left_running:-killed}"

say ""
say "== Summary ($(nproc) CPUs, 4 replicas, wrk -t$threads -c$connections -d$duration)"
printf '%-48s %9s %8s %8s %6s %8s\n' scenario req/s "p50 ms" "p99 ms" bad sockerr
for key in "${scenarios[@]}"; do
    printf '%-48s %9s %8s %8s %6s %8s\n' "${titles[$key]}" "${rps[$key]}" "${p50[$key]}" "${p99[$key]}" "${bad[$key]}" "${sock[$key]}"
done
# wrk stops with requests in flight: those may be counted without wrk having seen their answer.
say "POST /api/views: $counted views counted for ${answered[views]} answers wrk saw (each of the two wrk runs, warm-up and measured, stops with up to $connections requests in flight, counted but not seen)"
