#!/usr/bin/env bash
# The project's load benchmark. It builds the app in Release, starts the app host as a user would
# (PostgreSQL, the migration worker, the API replicas behind the app host's proxy) with throwaway state,
# loads 100,000 people, drives the main routes with wrk and prints figures to compare between runs.
# It is not a test: it judges nothing, it only fails when it cannot measure.
#
#   bench/run.sh
#   BENCH_DURATION=30s BENCH_CONNECTIONS=64 bench/run.sh
#
# BENCH_DURATION (15s), BENCH_CONNECTIONS (32), BENCH_THREADS (2): wrk's -d, -c, -t for each scenario.
# BENCH_WARMUP (5s): an unmeasured wrk run of the same scenario first.
# BENCH_PEOPLE (100000): rows loaded before the scenarios run.
set -euo pipefail

duration=${BENCH_DURATION:-15s}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
warmup=${BENCH_WARMUP:-5s}
people=${BENCH_PEOPLE:-100000}
page_size=50
startup_timeout=120
stop_timeout=60

# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

[[ $people =~ ^[0-9]+$ ]] && (( people > page_size )) || { echo "BENCH_PEOPLE must be a number above $page_size" >&2; exit 2; }

# "MAX TOTAL COUNT" of a memory field over the API replicas, in MiB.
api_memory() {
    local field=$1 pid kib max=0 total=0 count=0
    for pid in $(api_pids); do
        kib=$(status_kib "$pid" "$field")
        [[ -n $kib ]] || continue
        if (( kib > max )); then max=$kib; fi
        total=$(( total + kib ))
        count=$(( count + 1 ))
    done
    say "$(( max / 1024 )) $(( total / 1024 )) $count"
}

make_work_folder
install_missing_tools

# --- Build and start ----------------------------------------------------------------------------

say "Building (Release)..."
build_release
say "Built in ${build_seconds} s."

say "Starting the app host..."
launch_apphost
wait_started
say "Started in ${startup_seconds} s (fresh data folder: initdb and migrations included); API at $api_url."

# --- Load the people ----------------------------------------------------------------------------

find_postgres
say "Loading $people people with SQL..."
load_people "$people"
say "Loaded in ${load_seconds} s (INSERT ... SELECT generate_series + ANALYZE)."

# --- Cursors --------------------------------------------------------------------------------------

# The API's cursor for "after this id" (Api/Contacts/ContactCursor.cs): the id as a big-endian 32-bit
# integer, base64url-encoded without padding.
cursor_for() {
    local id=$1
    # shellcheck disable=SC2059 # the format is built to be the four bytes
    printf "$(printf '\\x%02x' $(( id >> 24 & 255 )) $(( id >> 16 & 255 )) $(( id >> 8 & 255 )) $(( id & 255 )))" \
        | base64 | tr '+/' '-_' | tr -d '=\n'
}

# Checked against the API itself: a cursor that decodes to another id still answers 200, with the wrong page.
check_id=$(( people * 7 / 10 ))
check_page=$(curl -sf -H "$api_key_header" "$api_url/api/contacts?limit=1&cursor=$(cursor_for "$check_id")") || fail "GET /api/contacts with a cursor failed"
[[ $check_page == *"\"id\":$(( check_id + 1 )),"* && $check_page == *"\"nextCursor\":\"$(cursor_for $(( check_id + 1 )))\""* ]] \
    || fail "the cursor encoding does not match the API's: $check_page"
cursor_check="$(( check_id + 1 ))=$(cursor_for $(( check_id + 1 )))"

# --- Scenarios ----------------------------------------------------------------------------------

declare -A rps p50 p99 bad sock rss_max rss_total anon_max anon_total events
scenarios=()

run_wrk() {
    local key=$1 title=$2 script=$3 path=$4 events_before output
    shift 4
    scenarios+=("$key")
    say ""
    say "== $title: wrk -t$threads -c$connections -d$duration (after a $warmup warm-up)"
    # Each replica JIT-compiles the route and fills its connection pool on first use; without a warm-up
    # the first scenario would measure that, and more so the more replicas there are.
    wrk -t"$threads" -c"$connections" -d"$warmup" -H "$api_key_header" -s "$bench_dir/$script" "$api_url$path" -- "$@" >/dev/null 2>&1 \
        || fail "wrk failed during the warm-up"
    events_before=$(replica_events)
    output=$(wrk -t"$threads" -c"$connections" -d"$duration" -H "$api_key_header" -s "$bench_dir/$script" "$api_url$path" -- "$@" 2>&1) \
        || { say "$output" | indent; fail "wrk failed"; }
    say "$output" | grep -v '^BENCH ' | indent || true
    parse_bench_line "$output" || fail "wrk printed no figures"
    rps[$key]=$w_rps p50[$key]=$w_p50 p99[$key]=$w_p99 bad[$key]=$w_bad sock[$key]=$w_sock
    read -r rss_max[$key] rss_total[$key] replicas < <(api_memory VmRSS)
    # VmRSS counts the runtime's and assemblies' mapped files, shared by all replicas, in each of them;
    # RssAnon is what each replica has to itself, so its sum is what the replicas really cost together.
    read -r anon_max[$key] anon_total[$key] _ < <(api_memory RssAnon)
    events[$key]=$(( $(replica_events) - events_before ))
    say "    -> ${rps[$key]} req/s, p50 ${p50[$key]} ms, p99 ${p99[$key]} ms, ${bad[$key]} bad status, ${sock[$key]} socket errors;" \
        "API after it: VmRSS max ${rss_max[$key]} MiB, sum ${rss_total[$key]} MiB over $replicas replicas," \
        "RssAnon max ${anon_max[$key]} MiB, sum ${anon_total[$key]} MiB;" \
        "${events[$key]} replica restarts/replacements"
}

run_wrk get "GET /persons/{id}, random ids" persons_get.lua / "$people"
run_wrk list "GET /api/contacts?limit=$page_size, random cursors" contacts_list.lua / "$people" "$page_size" "$cursor_check"

# The latency of one page, alone, at the start, middle and end of the table: keyset paging should make
# them equal. Sequential requests on one kept-alive connection, so only the page's own cost shows.
say ""
say "== GET /api/contacts?limit=$page_size by depth: 50 sequential requests each, one connection"
declare -A depth_median depth_p90
depths=(0 $(( people / 2 )) $(( people - page_size )))
for depth in "${depths[@]}"; do
    url="$api_url/api/contacts?limit=$page_size&cursor=$(cursor_for "$depth")"
    args=(-H "$api_key_header")
    for _ in $(seq 50); do args+=(-o /dev/null "$url"); done
    times=$(curl -s -w '%{http_code} %{time_total}\n' "${args[@]}")
    if grep -qv '^200 ' <<<"$times"; then fail "GET /api/contacts after id $depth did not answer 200"; fi
    read -r depth_median[$depth] depth_p90[$depth] < <(awk '{ print $2 * 1000 }' <<<"$times" | sort -n \
        | awk '{ t[NR] = $1 } END { printf "%.2f %.2f\n", t[int((NR + 1) / 2)], t[int(NR * 0.9 + 0.5)] }')
    say "    after id $depth: median ${depth_median[$depth]} ms, p90 ${depth_p90[$depth]} ms"
done

# GET /persons/all must stream: its memory should not grow with the table. The peak of resident memory
# (VmHWM) is reset first (clear_refs 5), so what is read afterwards is the peak during this request,
# in the replica that served it and in the app host, whose proxy relays the body.
say ""
say "== GET /persons/all ($people rows), one request after one unmeasured request per replica"
# The balancer rotates among idle replicas, so as many requests as replicas warm up (JIT) every one of them.
for _ in $(api_pids); do
    curl -sf -H "$api_key_header" -o /dev/null "$api_url/persons/all" || fail "GET /persons/all failed"
done
declare -A rss_before
for pid in $(api_pids) "$apphost_pid"; do
    echo 5 >"/proc/$pid/clear_refs"
    rss_before[$pid]=$(status_kib "$pid" VmRSS)
done
read -r all_status all_seconds all_ttfb all_bytes < <(curl -s -H "$api_key_header" -o "$tmp/all.json" \
    -w '%{http_code} %{time_total} %{time_starttransfer} %{size_download}\n' "$api_url/persons/all")
[[ $all_status == 200 ]] || fail "GET /persons/all answered $all_status"
# The replica that served it is the one whose memory grew most.
all_growth=-1
for pid in $(api_pids); do
    [[ -n ${rss_before[$pid]:-} ]] || continue
    peak=$(status_kib "$pid" VmHWM)
    if (( peak - rss_before[$pid] > all_growth )); then
        all_growth=$(( peak - rss_before[$pid] )) all_peak=$(( peak / 1024 )) all_rss_before=$(( rss_before[$pid] / 1024 ))
    fi
done
(( all_growth >= 0 )) || fail "no API replica to read the memory of"
apphost_rss_before=$(( rss_before[$apphost_pid] / 1024 ))
apphost_peak=$(( $(status_kib "$apphost_pid" VmHWM) / 1024 ))
all_seconds=$(printf '%.2f' "$all_seconds")
all_ttfb=$(printf '%.3f' "$all_ttfb")
all_rows=$(grep -o '"id":' "$tmp/all.json" | wc -l)
all_mib=$(awk -v b="$all_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
rm -f "$tmp/all.json"
say "    ${all_seconds} s (first byte after ${all_ttfb} s), $all_rows rows, $all_mib MiB"
say "    peak RSS during it: the API replica that served it ${all_rss_before} -> ${all_peak} MiB," \
    "the app host (proxy) ${apphost_rss_before} -> ${apphost_peak} MiB"

# Last, since it adds rows: the figures above are taken on exactly $people.
run_wrk post "POST /api/contacts" contacts_post.lua /api/contacts

# --- Stop and summarize -------------------------------------------------------------------------

apphost_rss_end=$(( $(status_kib "$apphost_pid" VmRSS) / 1024 ))
say ""
say "Stopping the app host (SIGINT)..."
stop_status=0
stop_apphost || stop_status=1
say "Stopped in ${stop_seconds} s${stop_killed:+ (killed: SIGINT was not enough)}."

say ""
say "== Summary ($(nproc) CPUs, wrk -t$threads -c$connections -d$duration, $people people)"
printf '%-30s %8s %8s %8s %5s %7s %16s %16s %8s\n' scenario req/s "p50 ms" "p99 ms" bad sockerr "VmRSS max/sum" "RssAnon max/sum" restarts
declare -A titles=([get]="GET /persons/{id}" [list]="GET /api/contacts?limit=$page_size" [post]="POST /api/contacts")
for key in "${scenarios[@]}"; do
    printf '%-30s %8s %8s %8s %5s %7s %16s %16s %8s\n' "${titles[$key]}" "${rps[$key]}" "${p50[$key]}" "${p99[$key]}" \
        "${bad[$key]}" "${sock[$key]}" "${rss_max[$key]}/${rss_total[$key]} MiB" "${anon_max[$key]}/${anon_total[$key]} MiB" "${events[$key]}"
done
printf '%-30s %s\n' \
    "list page by depth (median)" "$(for d in "${depths[@]}"; do printf 'after %s: %s ms; ' "$d" "${depth_median[$d]}"; done | sed 's/; $//')" \
    "GET /persons/all" "${all_seconds} s, $all_rows rows, $all_mib MiB, first byte ${all_ttfb} s" \
    "  peak RSS during it" "API replica ${all_rss_before} -> ${all_peak} MiB, app host ${apphost_rss_before} -> ${apphost_peak} MiB" \
    "app host RSS at the end" "${apphost_rss_end} MiB" \
    "build (Release)" "${build_seconds} s" \
    "start-to-healthy" "${startup_seconds} s" \
    "load $people people (SQL)" "${load_seconds} s" \
    "stop (SIGINT to exit)" "${stop_seconds} s${stop_killed:+ (killed: SIGINT was not enough)}" \
    "left running" "${left_running:-nothing}"

exit "$stop_status"
