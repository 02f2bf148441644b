# shellcheck shell=bash disable=SC2034 # the globals set here are read by the scripts that source it
# Shared by the benchmarks (sourced, not run): a throwaway work folder, the Release build, starting the
# app host as a user would and stopping it as Ctrl+C does, on every way out, with nothing left behind.
# The sourcing script sets its own shell options (set -euo pipefail) first.
#
# Globals the functions share: tmp (the work folder), state (the app host's state folder), log (the
# output of the app host running now), apphost_pid (it, or empty), api_url (its API endpoint).
#
# No function may declare a local of the same name as one of these: a trap's 'exit' runs cleanup in the
# dynamic scope of whatever function was running when the signal came, so cleanup would see the local.

# Decimal points in $EPOCHREALTIME and awk's output must not depend on the caller's locale.
export LC_ALL=C

startup_timeout=${startup_timeout:-120}
stop_timeout=${stop_timeout:-60}

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$bench_dir")
cd "$repo" || exit 1

apphost_dll=AppHost/bin/Release/net10.0/AppHost.dll
# The read-write API key the app host takes instead of generating one; every request to /api or /persons
# sends it (wrk and curl: -H "$api_key_header").
api_key=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
api_key_header="X-Api-Key: $api_key"
apphost_pid=
# Set when the app host was started as the leader of its own process group: SIGINT then goes to the whole
# group, as Ctrl+C in a terminal does ('dotnet run' ignores a SIGINT sent to it alone).
apphost_group=
tmp=
state=
log=
api_url=
# Helpers started in the background (wrk, a health poller), stopped on the way out if still running.
background_pids=()

say() { printf '%s\n' "$*"; }
indent() { sed 's/^/    /'; }

# Seconds since a $EPOCHREALTIME reading, to the hundredth.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# Milliseconds between two $EPOCHREALTIME readings (the second one defaults to now).
ms_between() { awk -v a="$1" -v b="${2:-$EPOCHREALTIME}" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }

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
    local proc_state
    is_pid "$1" || return 1
    proc_state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $proc_state && $proc_state != Z ]]
}

# A process id this script may look under or signal: never empty, never init or the kernel's.
is_pid() { [[ $1 =~ ^[0-9]+$ ]] && (( $1 > 2 )); }

# This run's API replicas only: tests or another developer's app host may run Api.dll on this machine too.
api_pids() { if is_pid "$apphost_pid"; then pgrep -P "$apphost_pid" -f '/Api\.dll' || true; fi; }

descendants() {
    local child
    is_pid "$1" || return 0
    for child in $(pgrep -P "$1" || true); do
        say "$child"
        descendants "$child"
    done
}

# The state folder as a pattern for pgrep -f, only if it is inside this run's work folder: an empty or
# foreign pattern would match other people's processes.
state_pattern() {
    [[ -n $tmp && $tmp == */addressbook-bench.* && -d $tmp && $state == "$tmp"/?* ]] || return 1
    say "$state"
}

# A field of /proc/PID/status in KiB (VmRSS, VmHWM), empty when the process is gone.
status_kib() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

# Replicas the app host replaced (memory limit) or restarted (crash) so far; a figure taken while one
# was being replaced is not comparable with one that was not.
replica_events() { grep -cE 'Replacing api-|api-[0-9]+.* exited with code' "$log" || true; }

# --- Stopping, on every way out -----------------------------------------------------------------

stop_seconds=
stop_ms=
stop_killed=
left_running=

# SIGINT is what Ctrl+C sends, so this measures the shutdown a user gets. Every process the app host
# started, PostgreSQL's backends included, is listed first so that stragglers can be named afterwards.
# stop_seconds is until the app host exited; stop_ms until it and every one of them had. A straggler
# counts as left running even if it goes later; it gets 10 s to go, then the ones that carry this run's
# state folder on their command line (the PostgreSQL postmaster, an app host) get SIGKILL.
stop_apphost() {
    stop_tree "$apphost_pid" "$apphost_group" && { apphost_pid='' apphost_group=''; return 0; }
    apphost_pid='' apphost_group=''
    return 1
}

# stop_tree PID GROUP: stop_apphost's work on any app host of this run ($state is its state folder).
stop_tree() {
    local top=$1 group=$2 children stopped_at exited_at gone_at deadline pid any pattern target
    is_pid "$top" || return 0
    target=$top
    if is_pid "$group"; then target=-$group; fi
    pattern=$(state_pattern) || pattern=''
    children=$(descendants "$top")
    stopped_at=$EPOCHREALTIME
    kill -INT -- "$target" 2>/dev/null || true
    deadline=$(( SECONDS + stop_timeout ))
    stop_killed=
    while is_running "$top"; do
        if [[ -z $stop_killed ]] && (( SECONDS >= deadline )); then
            say "error: the app host did not stop within ${stop_timeout} s of SIGINT; killing it" >&2
            kill -KILL -- "$target" 2>/dev/null || true
            stop_killed=1
        fi
        sleep 0.01
    done
    exited_at=$EPOCHREALTIME
    stop_seconds=$(awk -v a="$stopped_at" -v b="$exited_at" 'BEGIN { printf "%.2f", b - a }')
    wait "$top" 2>/dev/null || true
    left_running=
    for pid in $children; do
        if is_running "$pid"; then left_running+="$(ps -o pid=,args= -p "$pid") "; fi
    done
    # PostgreSQL's postmaster carries the state folder on its command line; a replica restarted after the
    # listing above would not be in it, but would still be a child of a process that is gone: pgrep finds both.
    if [[ -n $pattern ]]; then
        left_running+=$(pgrep -af -- "$pattern" || true)
    else
        left_running+="(not checked: the state folder '$state' is not inside this run's work folder)"
    fi
    gone_at=$exited_at
    if [[ -n $left_running ]]; then
        deadline=$(( SECONDS + 10 ))
        while (( SECONDS < deadline )); do
            any=
            if [[ -n $pattern ]]; then any=$(pgrep -f -- "$pattern" || true); fi
            for pid in $children; do if is_running "$pid"; then any+=" $pid"; fi; done
            [[ -n $any ]] || break
            sleep 0.01
        done
        gone_at=$EPOCHREALTIME
        if [[ -n $pattern ]]; then
            for pid in $(pgrep -f -- "$pattern" || true); do
                if is_pid "$pid" && (( pid != $$ )); then kill -KILL "$pid" 2>/dev/null || true; fi
            done
        fi
    fi
    stop_ms=$(ms_between "$stopped_at" "$gone_at")
    if [[ -n $left_running || -n $stop_killed ]]; then return 1; fi
}

# Helpers started in the background are forgotten once reaped, so that cleanup never signals a process id
# the kernel has since given to someone else.
forget_background() {
    local kept=() pid
    for pid in "${background_pids[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
    background_pids=("${kept[@]}")
}

cleanup() {
    local status=$? pid
    trap - EXIT INT TERM
    for pid in "${background_pids[@]}"; do
        if is_running "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
    # (they are all children of this shell, so their ids cannot have been reused before this wait)
    for pid in "${background_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    # A script that runs more than one app host at a time stops the others in this hook of its own.
    if declare -F before_cleanup >/dev/null; then before_cleanup || status=1; fi
    if is_running "$apphost_pid"; then
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

# --- Work folder, tools, build --------------------------------------------------------------------

make_work_folder() {
    tmp=$(mktemp -d -t addressbook-bench.XXXXXX)
    # PostgreSQL runs as the 'postgres' user under root and must be able to pass through to its data folder.
    chmod 755 "$tmp"
    state=$tmp/state
    mkdir -m 755 "$state"
    log=$tmp/apphost.log
}

install_missing_tools() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v psql >/dev/null || missing+=(postgresql-client)
    command -v curl >/dev/null || missing+=(curl)
    if (( ${#missing[@]} > 0 )); then
        say "Installing ${missing[*]} from Debian..."
        { apt-get update -q && apt-get install -y -q "${missing[@]}"; } >"$tmp/apt.log" 2>&1 \
            || { tail -n 20 "$tmp/apt.log" >&2; say "error: could not install ${missing[*]}" >&2; exit 1; }
    fi
}

# Sets build_seconds.
build_release() {
    local started=$EPOCHREALTIME
    # Release builds the API and migration worker in Release too: the generated Projects.* metadata points
    # the app host at the build output of its own configuration.
    dotnet build -c Release AppHost -nologo >"$tmp/build.log" 2>&1 || { tail -n 40 "$tmp/build.log" >&2; fail "the build failed"; }
    build_seconds=$(since "$started")
}

# --- Starting -------------------------------------------------------------------------------------

# Starts the app host from the Release build output on $state, writing to $log; extra arguments go to
# it (--Replicas:api=1). Sets apphost_pid and launched_at.
launch_apphost() {
    : >"$log"
    launched_at=$EPOCHREALTIME
    # A background job of a non-interactive shell starts with SIGINT ignored, and .NET leaves an ignored
    # SIGINT ignored: restore its default so that the SIGINT of stop_apphost works as Ctrl+C does.
    # Production: Development's request logging would measure the console more than the API.
    # The per-client rate limit is raised beyond what this machine can send: the figures are the API's.
    DOTNET_ENVIRONMENT=Production RateLimiting__PermitsPerSecond=1000000000 RateLimiting__Burst=1000000000 \
        env --default-signal=INT "Parameters__api-key-read-write=$api_key" \
        dotnet "$apphost_dll" --AppHost:StateDirectory="$state" --AppHost:RandomizePorts=true "$@" \
        </dev/null >"$log" 2>&1 &
    apphost_pid=$!
}

# The wording around the address has changed before ("started: api at", "started in 10.2 s: api at"):
# match only its ends.
started_line='Distributed application started.*api at http://'

# Waits for the app host's "started" line. Sets api_url, startup_seconds (since launched_at) and
# reported_seconds (the app host's own figure, empty if its wording no longer has one).
wait_started() {
    local deadline=$(( SECONDS + startup_timeout ))
    until grep -qE "$started_line" "$log"; do
        is_running "$apphost_pid" || fail "the app host exited before the application started"
        (( SECONDS < deadline )) || fail "the application did not start within ${startup_timeout} s"
        sleep 0.05
    done
    startup_seconds=$(since "$launched_at")
    api_url=$(grep -m1 -oE "${started_line}[^ ,]+" "$log" | grep -oE 'http://[^ ,]+' | sed 's/\.$//')
    [[ -n $api_url ]] || fail "no API address in the app host's output"
    reported_seconds=$(grep -m1 -oE 'Distributed application started in [0-9.]+ s' "$log" | grep -oE '[0-9.]+ s$' | sed 's/ s$//' || true)
}

# --- PostgreSQL -----------------------------------------------------------------------------------

# Sets pg_port and pg_password, for sql.
find_postgres() {
    local parameters
    pg_port=$(grep -m1 -oE 'listening on IPv4 address "127\.0\.0\.1", port [0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    [[ -n $pg_port ]] || fail "no PostgreSQL port in the app host's output"
    parameters=$(compgen -G "$state/*/parameters.json" | head -n 1 || true)
    [[ -n $parameters ]] || fail "no parameters.json under $state"
    # The generated password is letters and digits only (GenerateParameterDefault), so JSON needs no unescaping.
    pg_password=$(sed -n 's/.*"postgres-password": *"\([A-Za-z0-9]*\)".*/\1/p' "$parameters")
    [[ -n $pg_password ]] || fail "no postgres-password in $parameters"
}

sql() {
    PGPASSWORD=$pg_password psql -X -q -A -t -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$pg_port" -U postgres -d addressbook "$@"
}

# Loads people 1..$1 into an empty People table. Sets load_seconds.
load_people() {
    local people=$1 started
    [[ $(sql -c 'SELECT count(*) FROM "People"') == 0 ]] || fail "the People table of a fresh data folder is not empty"
    # One INSERT ... SELECT in the database: the API's PUT /persons does one round trip and one commit per
    # person, which would measure the loading, not the routes. ANALYZE so the planner knows the table's
    # size from the first request on, as it would once autovacuum had passed.
    started=$EPOCHREALTIME
    sql <<SQL
INSERT INTO "People" ("firstName", "lastName", "createdAt", "updatedAt")
SELECT 'First' || i, 'Last' || i, now(), now() FROM generate_series(1, $people) AS i;
ANALYZE "People";
SQL
    load_seconds=$(since "$started")
    [[ $(sql -c 'SELECT min(id) || '"'-'"' || max(id) || '"'-'"' || count(*) FROM "People"') == "1-$people-$people" ]] \
        || fail "the loaded ids are not 1..$people; the scenarios assume they are"
}

# --- wrk ------------------------------------------------------------------------------------------

# The figures of report.lua's BENCH line in wrk's output ($1): sets w_requests, w_rps, w_p50, w_p99,
# w_bad (status >= 400) and w_sock (connect, read, write errors and timeouts).
parse_bench_line() {
    local line
    line=$(say "$1" | grep -m1 '^BENCH ') || return 1
    w_requests=$(sed -E 's/.* requests=([^ ]+).*/\1/' <<<"$line")
    w_rps=$(sed -E 's/.* rps=([^ ]+).*/\1/' <<<"$line")
    w_p50=$(sed -E 's/.* p50_ms=([^ ]+).*/\1/' <<<"$line")
    w_p99=$(sed -E 's/.* p99_ms=([^ ]+).*/\1/' <<<"$line")
    w_bad=$(sed -E 's/.* bad_status=([^ ]+).*/\1/' <<<"$line")
    w_sock=$(sed -E 's/.* socket_errors=([^ ]+).*/\1/' <<<"$line")
}
