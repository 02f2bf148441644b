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

# Decimal points in $EPOCHREALTIME and awk's output must not depend on the caller's locale.
export LC_ALL=C

duration=${BENCH_DURATION:-15s}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
warmup=${BENCH_WARMUP:-5s}
people=${BENCH_PEOPLE:-100000}
page_size=50
startup_timeout=120
stop_timeout=60

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$bench_dir")
cd "$repo"

[[ $people =~ ^[0-9]+$ ]] && (( people > page_size )) || { echo "BENCH_PEOPLE must be a number above $page_size" >&2; exit 2; }

apphost_pid=
tmp=
state=
log=

say() { printf '%s\n' "$*"; }
indent() { sed 's/^/    /'; }

# Seconds since a $EPOCHREALTIME reading, to the hundredth.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

fail() {
    say "error: $*" >&2
    if [[ -n $log && -s $log ]]; then
        say "--- last lines of the app host's output ---" >&2
        tail -n 60 "$log" >&2
    fi
    exit 1
}

# A zombie still has a /proc entry; only a process that can still do something counts as running.
is_running() {
    local state
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

# This run's API replicas only: tests or another developer's app host may run Api.dll on this machine too.
api_pids() { pgrep -P "$apphost_pid" -f '/Api\.dll' || true; }

descendants() {
    local child
    for child in $(pgrep -P "$1" || true); do
        say "$child"
        descendants "$child"
    done
}

# A field of /proc/PID/status in KiB (VmRSS, VmHWM), empty when the process is gone.
status_kib() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

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

# Replicas the app host replaced (memory limit) or restarted (crash) so far; a figure taken while one
# was being replaced is not comparable with one that was not.
replica_events() { grep -cE 'Replacing api-|api-[0-9]+.* exited with code' "$log" || true; }

# --- Stopping, on every way out -----------------------------------------------------------------

stop_seconds=
stop_killed=
left_running=

# SIGINT is what Ctrl+C sends, so this measures the shutdown a user gets. Every process the app host
# started, PostgreSQL's backends included, is listed first so that stragglers can be named afterwards.
stop_apphost() {
    local children stopped_at deadline pid
    children=$(descendants "$apphost_pid")
    stopped_at=$EPOCHREALTIME
    kill -INT "$apphost_pid" 2>/dev/null || true
    deadline=$(( SECONDS + stop_timeout ))
    while is_running "$apphost_pid"; do
        if [[ -z $stop_killed ]] && (( SECONDS >= deadline )); then
            say "error: the app host did not stop within ${stop_timeout} s of SIGINT; killing it" >&2
            kill -KILL "$apphost_pid" 2>/dev/null || true
            stop_killed=1
        fi
        sleep 0.02
    done
    stop_seconds=$(since "$stopped_at")
    wait "$apphost_pid" 2>/dev/null || true
    apphost_pid=
    left_running=
    for pid in $children; do
        if is_running "$pid"; then left_running+="$(ps -o pid=,args= -p "$pid") "; fi
    done
    # PostgreSQL's postmaster carries the state folder on its command line; a replica restarted after the
    # listing above would not be in it, but would still be a child of a process that is gone: pgrep finds both.
    left_running+=$(pgrep -af -- "$state" || true)
    if [[ -n $left_running || -n $stop_killed ]]; then return 1; fi
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n $apphost_pid ]] && is_running "$apphost_pid"; then
        if stop_apphost; then
            say "Stopped the app host (${stop_seconds} s)." >&2
        else
            say "error: left running: ${left_running:-nothing, but the app host had to be killed}" >&2
            status=1
        fi
    fi
    if [[ -n $tmp ]]; then rm -rf "$tmp"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d -t addressbook-bench.XXXXXX)
# PostgreSQL runs as the 'postgres' user under root and must be able to pass through to its data folder.
chmod 755 "$tmp"
state=$tmp/state
mkdir -m 755 "$state"
log=$tmp/apphost.log

# --- Prerequisites -------------------------------------------------------------------------------

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v psql >/dev/null || missing+=(postgresql-client)
command -v curl >/dev/null || missing+=(curl)
if (( ${#missing[@]} > 0 )); then
    say "Installing ${missing[*]} from Debian..."
    { apt-get update -q && apt-get install -y -q "${missing[@]}"; } >"$tmp/apt.log" 2>&1 \
        || { tail -n 20 "$tmp/apt.log" >&2; say "error: could not install ${missing[*]}" >&2; exit 1; }
fi

# --- Build and start ----------------------------------------------------------------------------

say "Building (Release)..."
build_started=$EPOCHREALTIME
# Release builds the API and migration worker in Release too: the generated Projects.* metadata points
# the app host at the build output of its own configuration.
dotnet build -c Release AppHost -nologo >"$tmp/build.log" 2>&1 || { tail -n 40 "$tmp/build.log" >&2; fail "the build failed"; }
build_seconds=$(since "$build_started")
say "Built in ${build_seconds} s."

say "Starting the app host..."
launched_at=$EPOCHREALTIME
# A background job of a non-interactive shell starts with SIGINT ignored, and .NET leaves an ignored
# SIGINT ignored: restore its default so that the SIGINT of stop_apphost works as Ctrl+C does.
# Production: Development's request logging would measure the console more than the API.
DOTNET_ENVIRONMENT=Production env --default-signal=INT \
    dotnet AppHost/bin/Release/net10.0/AppHost.dll \
    --AppHost:StateDirectory="$state" --AppHost:RandomizePorts=true \
    </dev/null >"$log" 2>&1 &
apphost_pid=$!

deadline=$(( SECONDS + startup_timeout ))
# The wording around the address has changed before ("started: api at", "started in 10.2 s: api at"):
# match only its ends.
started_line='Distributed application started.*api at http://'
until grep -qE "$started_line" "$log"; do
    is_running "$apphost_pid" || fail "the app host exited before the application started"
    (( SECONDS < deadline )) || fail "the application did not start within ${startup_timeout} s"
    sleep 0.05
done
startup_seconds=$(since "$launched_at")
api_url=$(grep -m1 -oE "$started_line[^ ,]+" "$log" | grep -oE 'http://[^ ,]+' | sed 's/\.$//')
[[ -n $api_url ]] || fail "no API address in the app host's output"
say "Started in ${startup_seconds} s (fresh data folder: initdb and migrations included); API at $api_url."

# --- Load the people ----------------------------------------------------------------------------

pg_port=$(grep -m1 -oE 'listening on IPv4 address "127\.0\.0\.1", port [0-9]+' "$log" | grep -oE '[0-9]+$' || true)
[[ -n $pg_port ]] || fail "no PostgreSQL port in the app host's output"
parameters=$(compgen -G "$state/*/parameters.json" | head -n 1 || true)
[[ -n $parameters ]] || fail "no parameters.json under $state"
# The generated password is letters and digits only (GenerateParameterDefault), so JSON needs no unescaping.
pg_password=$(sed -n 's/.*"postgres-password": *"\([A-Za-z0-9]*\)".*/\1/p' "$parameters")
[[ -n $pg_password ]] || fail "no postgres-password in $parameters"

sql() {
    PGPASSWORD=$pg_password psql -X -q -A -t -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$pg_port" -U postgres -d addressbook "$@"
}

[[ $(sql -c 'SELECT count(*) FROM "People"') == 0 ]] || fail "the People table of a fresh data folder is not empty"

say "Loading $people people with SQL..."
# One INSERT ... SELECT in the database: the API's PUT /persons does one round trip and one commit per
# person, which would measure the loading, not the routes. ANALYZE so the planner knows the table's
# size from the first request on, as it would once autovacuum had passed.
load_started=$EPOCHREALTIME
sql <<SQL
INSERT INTO "People" ("firstName", "lastName", "createdAt", "updatedAt")
SELECT 'First' || i, 'Last' || i, now(), now() FROM generate_series(1, $people) AS i;
ANALYZE "People";
SQL
load_seconds=$(since "$load_started")
[[ $(sql -c 'SELECT min(id) || '"'-'"' || max(id) || '"'-'"' || count(*) FROM "People"') == "1-$people-$people" ]] \
    || fail "the loaded ids are not 1..$people; the scenarios assume they are"
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
check_page=$(curl -sf "$api_url/api/contacts?limit=1&cursor=$(cursor_for "$check_id")") || fail "GET /api/contacts with a cursor failed"
[[ $check_page == *"\"id\":$(( check_id + 1 )),"* && $check_page == *"\"nextCursor\":\"$(cursor_for $(( check_id + 1 )))\""* ]] \
    || fail "the cursor encoding does not match the API's: $check_page"
cursor_check="$(( check_id + 1 ))=$(cursor_for $(( check_id + 1 )))"

# --- Scenarios ----------------------------------------------------------------------------------

declare -A rps p50 p99 bad sock rss_max rss_total anon_max anon_total events
scenarios=()

run_wrk() {
    local key=$1 title=$2 script=$3 path=$4 events_before output line
    shift 4
    scenarios+=("$key")
    say ""
    say "== $title: wrk -t$threads -c$connections -d$duration (after a $warmup warm-up)"
    # Each replica JIT-compiles the route and fills its connection pool on first use; without a warm-up
    # the first scenario would measure that, and more so the more replicas there are.
    wrk -t"$threads" -c"$connections" -d"$warmup" -s "$bench_dir/$script" "$api_url$path" -- "$@" >/dev/null 2>&1 \
        || fail "wrk failed during the warm-up"
    events_before=$(replica_events)
    output=$(wrk -t"$threads" -c"$connections" -d"$duration" -s "$bench_dir/$script" "$api_url$path" -- "$@" 2>&1) \
        || { say "$output" | indent; fail "wrk failed"; }
    say "$output" | grep -v '^BENCH ' | indent || true
    line=$(say "$output" | grep -m1 '^BENCH ') || fail "wrk printed no figures"
    rps[$key]=$(sed -E 's/.* rps=([^ ]+).*/\1/' <<<"$line")
    p50[$key]=$(sed -E 's/.* p50_ms=([^ ]+).*/\1/' <<<"$line")
    p99[$key]=$(sed -E 's/.* p99_ms=([^ ]+).*/\1/' <<<"$line")
    bad[$key]=$(sed -E 's/.* bad_status=([^ ]+).*/\1/' <<<"$line")
    sock[$key]=$(sed -E 's/.* socket_errors=([^ ]+).*/\1/' <<<"$line")
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
    args=()
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
    curl -sf -o /dev/null "$api_url/persons/all" || fail "GET /persons/all failed"
done
declare -A rss_before
for pid in $(api_pids) "$apphost_pid"; do
    echo 5 >"/proc/$pid/clear_refs"
    rss_before[$pid]=$(status_kib "$pid" VmRSS)
done
read -r all_status all_seconds all_ttfb all_bytes < <(curl -s -o "$tmp/all.json" \
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
