#!/usr/bin/env bash
# The app host's production-shape features, measured in one run so they can be compared side by side:
# how long it takes to start and to stop, what its proxy costs, what replicas buy, and how many requests
# fail during a rolling restart and when a replica is killed. Like run.sh it builds in Release, runs the
# app host from its build output with throwaway state, judges nothing and fails only when it cannot measure.
#
#   bench/apphost.sh
#   BENCH_DURATION=20s bench/apphost.sh
#
# BENCH_DURATION (10s), BENCH_CONNECTIONS (32), BENCH_THREADS (2): wrk's -d, -c, -t for the throughput runs.
# BENCH_WARMUP (25, seconds) and BENCH_WARMUP_MAX (35): each throughput target is first loaded, unmeasured,
# in 5 s slices until its req/s stops rising (two slices in a row within 5% of the one before) but for at
# least BENCH_WARMUP and at most BENCH_WARMUP_MAX seconds. On a busy 2-CPU machine the proxy path takes
# 30-40 s of load to reach its steady throughput (tiered JIT): a fixed few seconds of warm-up would make
# whichever variant runs first look much slower. The warm-up figures are printed, to show how far it got.
# BENCH_ROUNDS (4): measured rounds of the four throughput targets, alternately in one order and in reverse.
# BENCH_FAULT_AT (2) and BENCH_FAULT_TAIL (2): a rolling restart or replica kill happens BENCH_FAULT_AT
# seconds into a wrk run, which is stopped BENCH_FAULT_TAIL seconds after it is over (or after
# BENCH_FAULT_MAX, 120), so the counts cover all of it however long it takes.
# BENCH_PEOPLE (10000): rows loaded before anything is measured.
#
# These machines are noisy, so compared variants alternate instead of running all of one and then all of
# the other: the 1-replica and 4-replica app hosts run side by side (each on its own copy of the same
# data folder; the idle one costs a health check per replica per second) and the four targets are
# measured in one order, then in the reverse order.
set -euo pipefail

duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
warmup_min=${BENCH_WARMUP:-25}
warmup_max=${BENCH_WARMUP_MAX:-35}
warmup_slice=5
rounds=${BENCH_ROUNDS:-4}
people=${BENCH_PEOPLE:-10000}
fault_at=${BENCH_FAULT_AT:-2}
fault_tail=${BENCH_FAULT_TAIL:-2}
fault_max=${BENCH_FAULT_MAX:-120}
replicas=4
startup_timeout=120
stop_timeout=60

# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

[[ $people =~ ^[0-9]+$ ]] && (( people > 0 )) || { echo "BENCH_PEOPLE must be a positive number" >&2; exit 2; }
[[ $rounds =~ ^[0-9]+$ ]] && (( rounds > 0 )) || { echo "BENCH_ROUNDS must be a positive number" >&2; exit 2; }
[[ $warmup_min =~ ^[0-9]+$ && $warmup_max =~ ^[0-9]+$ ]] || { echo "BENCH_WARMUP and BENCH_WARMUP_MAX are whole seconds" >&2; exit 2; }
[[ $fault_at =~ ^[0-9]+$ && $fault_tail =~ ^[0-9]+$ && $fault_max =~ ^[0-9]+$ ]] && (( fault_at < fault_max )) \
    || { echo "BENCH_FAULT_AT, BENCH_FAULT_TAIL and BENCH_FAULT_MAX are whole seconds, the first below the last" >&2; exit 2; }

# wrk, psql and curl talk to 127.0.0.1 everywhere: "localhost" may resolve to ::1 for one target and
# 127.0.0.1 for another, and the replicas listen on 127.0.0.1 only.
loopback() { say "http://127.0.0.1:${1##*:}"; }

# The address of a replica from the app host's output (lines "api-1 | ... Now listening on: http://..."),
# the latest one, after line $2 of the log if given.
replica_url() {
    tail -n +"$(( ${2:-0} + 1 ))" "$log" | grep -E "^$1 +\|.*Now listening on: http://" | tail -n 1 \
        | grep -oE 'http://127\.0\.0\.1:[0-9]+' || true
}

# The replica (api-1, or api with one replica) a process is, from the instance id the app host gave it.
replica_name() {
    tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | sed -n 's/^OTEL_RESOURCE_ATTRIBUTES=.*service\.instance\.id=\([^,]*\)-[0-9a-f]*$/\1/p'
}

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true; }

apphost_cli() { dotnet "$apphost_dll" "$@" --AppHost:StateDirectory="$state"; }

# The api line of the 'status' verb: "api  Running  Healthy  4/4 replicas running, 4 restarts http://...".
api_status() { apphost_cli status 2>&1 | grep -E '^api ' | sed -E 's/ +/ /g' || true; }

stop_or_fail() {
    stop_apphost || fail "left running after SIGINT: ${left_running:-nothing, but the app host had to be killed}"
}

load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# wrk's own breakdown of its socket errors ("connect 0, read 3, write 0, timeout 12"), when it had any.
socket_errors_of() { say "$1" | sed -n 's/^ *Socket errors: //p'; }

# How long wrk ran, in seconds, from its BENCH line (it prints "in 0.96m" itself past a minute).
wrk_seconds() { awk -v n="$w_requests" -v r="$w_rps" 'BEGIN { printf "%.1f s", (r > 0 ? n / r : 0) }'; }

make_work_folder
install_missing_tools
load_at_start=$(load_average)

say "Building (Release)..."
build_release
say "Built in ${build_seconds} s."

# --- 0. Warm-up run: a fresh data folder, loaded once ---------------------------------------------

say ""
say "== Warm-up run: fresh data folder (initdb and migrations), $people people loaded, then stopped"
launch_apphost
wait_started
find_postgres
load_people "$people"
stop_or_fail
say "    started in ${startup_seconds} s (the app host says ${reported_seconds:-?} s), loaded in ${load_seconds} s, stopped in ${stop_ms} ms"
# The 1-replica app host of the throughput comparison runs beside the 4-replica one, on a copy of this
# folder (a second app host on the same folder is refused). Not named state-something: stop_apphost
# looks for stragglers by the state folder's path, which must not be a prefix of the other one's.
one_state=$tmp/one-replica
cp -a "$state" "$one_state"
chmod 755 "$one_state"

# --- 1 and 2. Start-to-healthy and stop -----------------------------------------------------------

# One curl sends GET /health every 10 ms (--rate) on one kept-alive connection and prints each status as
# it gets it; a curl process per probe would take longer to start than the interval on a busy machine.
health_poll_config=$tmp/health.curl

# Starts the app host the way $2 says (dll: its build output, as run.sh does; run: the README's
# 'dotnet run' without the build), finds its endpoint's port the moment it listens (the app host's one
# port that is not the dashboard's), polls GET /health on it, waits for its "started" line and stops it.
# Sets start_label[$1] and the figures below.
declare -A start_label listen_ms health_ms reported_s env_name start_stop_ms
starts=()
timed_start() {
    local key=$1 mode=$2 host='' port='' code health_at='' poll_fd poll_pid st entry dashboard_ports
    starts+=("$key")
    if [[ $mode == dll ]]; then
        start_label[$key]="AppHost.dll (build output)"
        launch_apphost
        host=$apphost_pid
    else
        start_label[$key]="dotnet run --no-build"
        : >"$log"
        launched_at=$EPOCHREALTIME
        # setsid: its own process group, so that stop_apphost's SIGINT reaches 'dotnet run' and the app host
        # together, as Ctrl+C in a terminal does. No DOTNET_ENVIRONMENT: 'dotnet run' takes the launch profile's.
        setsid env --default-signal=INT "Parameters__api-key-read-write=$api_key" \
            dotnet run --project AppHost -c Release --no-build -- --AppHost:StateDirectory="$state" --AppHost:RandomizePorts=true \
            </dev/null >"$log" 2>&1 &
        apphost_pid=$!
        apphost_group=$apphost_pid
        [[ $(ps -o pgid= -p "$apphost_pid" | tr -d ' ') == "$apphost_pid" ]] || fail "'dotnet run' is not in a process group of its own"
    fi
    local deadline=$(( SECONDS + startup_timeout ))
    until [[ -n $port ]]; do
        is_running "$apphost_pid" || fail "the app host exited before its endpoint listened"
        (( SECONDS < deadline )) || fail "the endpoint did not listen within ${startup_timeout} s"
        if [[ -z $host ]]; then host=$(pgrep -P "$apphost_pid" -f 'bin/Release/net10\.0/AppHost( |$)' || true); fi
        # The dashboard's three ports open first and are named in the output before the endpoint listens.
        if [[ -n $host ]] && grep -q 'Login to the dashboard at' "$log"; then
            dashboard_ports=$(grep -E 'OTLP receivers|Login to the dashboard' "$log" | grep -oE 'localhost:[0-9]+' | cut -d: -f2 | sort -u | paste -sd' ')
            port=$(ss -ltnpH | awk -v p="pid=$host," -v skip=" $dashboard_ports " \
                'index($0, p) { n = split($4, a, ":"); if (index(skip, " " a[n] " ") == 0) { print a[n]; exit } }')
        fi
        [[ -n $port ]] || sleep 0.01
    done
    listen_ms[$key]=$(ms_between "$launched_at")
    printf -v entry 'url = "http://127.0.0.1:%s/health"\noutput = "/dev/null"' "$port"
    { yes "$entry" || true; } | head -n $(( startup_timeout * 100 * 2 )) >"$health_poll_config"
    exec {poll_fd}< <(exec stdbuf -oL curl -s --rate 100/s --max-time 2 -w '%{http_code}\n' -K "$health_poll_config")
    poll_pid=$!
    background_pids+=("$poll_pid")
    while read -r -u "$poll_fd" code; do
        if [[ $code == 200 ]]; then health_at=$EPOCHREALTIME; break; fi
        # Read with a builtin, not is_running: this runs 100 times a second.
        read -r _ _ st _ 2>/dev/null <"/proc/$apphost_pid/stat" && [[ $st != Z ]] || break
    done
    kill "$poll_pid" 2>/dev/null || true
    exec {poll_fd}<&-
    wait "$poll_pid" 2>/dev/null || true
    forget_background "$poll_pid"
    [[ -n $health_at ]] || fail "GET /health on port $port never answered 200"
    health_ms[$key]=$(ms_between "$launched_at" "$health_at")
    wait_started
    [[ ${api_url##*:} == "$port" ]] || fail "the app host's endpoint is $api_url, but its process listened on port $port"
    reported_s[$key]=${reported_seconds:-?}
    env_name[$key]=$(grep -m1 -oE 'Hosting environment: [A-Za-z]+' "$log" | sed 's/.*: //' || true)
    stop_or_fail
    start_stop_ms[$key]=$stop_ms
    say "    $(printf '%-28s' "${start_label[$key]}") endpoint listening after ${listen_ms[$key]} ms, /health 200 after ${health_ms[$key]} ms," \
        "the app host says started in ${reported_s[$key]} s; stopped in ${stop_ms} ms (${env_name[$key]:-?})"
}

say ""
say "== Start-to-healthy and stop, warm data folder, $replicas replicas: launch -> GET /health 200 (every 10 ms); SIGINT -> app host and all its children gone"
# 'dotnet run' between the second and third start of the build output, so drift over the minute hits both.
timed_start dll1 dll
timed_start dll2 dll
timed_start run1 run
timed_start dll3 dll

# --- 3 and 4. Proxy against direct, 1 replica against 4 -------------------------------------------

declare -A rps p50 p99 bad sock sock_detail events host_us
one_pid=
one_log=$tmp/one-replica.log

title_of() {
    case $1 in
        direct4) say "4 replicas, direct to api-0" ;;
        proxy4) say "4 replicas, through the endpoint" ;;
        direct1) say "1 replica, direct to it" ;;
        proxy1) say "1 replica, through the endpoint" ;;
    esac
}

# The 1-replica app host is lib.sh's current one (its globals) while it starts, before the 4-replica one
# is launched; from then on it is one_pid, on one_state, and stopping it goes through stop_tree, so that
# lib.sh's globals never have to point at both. main_state and main_log never change.
main_state=$state main_log=$log
start_one_replica_host() {
    state=$one_state log=$one_log
    launch_apphost --Replicas:api=1
    wait_started
    one_pid=$apphost_pid one_startup_seconds=$startup_seconds
    url_of[proxy1]=$(loopback "$api_url")
    url_of[direct1]=$(replica_url api)
    log_of[proxy1]=$log log_of[direct1]=$log
    [[ -n ${url_of[direct1]} ]] || fail "no address of the replica in the app host's output"
    apphost_pid='' state=$main_state log=$main_log
}

stop_one_replica_host() {
    local outcome=0
    state=$one_state
    stop_tree "$one_pid" "" || outcome=1
    state=$main_state one_pid=''
    return "$outcome"
}

# Called by lib.sh's cleanup: the 4-replica app host is lib.sh's own.
before_cleanup() {
    is_running "$one_pid" || return 0
    stop_one_replica_host || { say "error: left running: ${left_running:-nothing, but the app host had to be killed}" >&2; return 1; }
}

# wrk in a session of its own. The kernel shares the CPU fairly between sessions (autogroups) before threads,
# and the app host runs in this script's session: wrk beside it would take its CPU from the proxy's share and
# not from the replica's, so the proxied path would lose twice. A client on another machine takes neither.
load_wrk() { setsid -w wrk "$@"; }

# warm_up KEY: GET /persons/{id} on the target in slices until its req/s levels off (see BENCH_WARMUP).
declare -A warmup_trace
warm_up() {
    local key=$1 elapsed=0 prev='' prev_rise='' output trace=''
    while (( elapsed < warmup_max )); do
        output=$(load_wrk -t"$threads" -c"$connections" -d"${warmup_slice}s" -H "$api_key_header" -s "$bench_dir/persons_get.lua" "${url_of[$key]}" -- "$people" 2>&1) \
            || { say "$output" | indent; fail "wrk failed during the warm-up"; }
        parse_bench_line "$output" || fail "wrk printed no figures during the warm-up"
        elapsed=$(( elapsed + warmup_slice ))
        trace+="${w_rps%.*} "
        local flat=''
        if [[ -n $prev ]] && awk -v a="$prev" -v b="$w_rps" 'BEGIN { exit !(b < a * 1.05) }'; then flat=1; fi
        if [[ -n $flat && -n $prev_rise ]] && (( elapsed >= warmup_min )); then break; fi
        prev_rise=$flat prev=$w_rps
    done
    warmup_trace[$key]="${trace% } (${elapsed} s)"
    say "    warm-up, $(title_of "$key"), req/s per ${warmup_slice} s: ${warmup_trace[$key]}"
}

# The CPU time a process has used, user and system, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || say 0; }
clock_ticks=$(getconf CLK_TCK)

# measure KEY ROUND: GET /persons/{id} with random ids. Also the app host's CPU time per request: through the
# endpoint that is the proxy's work and the dashboard's intake of the replicas' telemetry; direct, the intake only.
measure() {
    local key=$1 round=$2 events_before output host_pid ticks_before
    if [[ $key == *1 ]]; then host_pid=$one_pid; else host_pid=$apphost_pid; fi
    events_before=$(log=${log_of[$key]} replica_events)
    ticks_before=$(cpu_ticks "$host_pid")
    output=$(load_wrk -t"$threads" -c"$connections" -d"$duration" -H "$api_key_header" -s "$bench_dir/persons_get.lua" "${url_of[$key]}" -- "$people" 2>&1) \
        || { say "$output" | indent; fail "wrk failed"; }
    parse_bench_line "$output" || { say "$output" | indent; fail "wrk printed no figures"; }
    host_us[$key,$round]=$(awk -v a="$ticks_before" -v b="$(cpu_ticks "$host_pid")" -v n="$w_requests" -v hz="$clock_ticks" \
        'BEGIN { printf "%.0f", (n > 0 ? (b - a) / hz / n * 1e6 : 0) }')
    rps[$key,$round]=$w_rps p50[$key,$round]=$w_p50 p99[$key,$round]=$w_p99 bad[$key,$round]=$w_bad sock[$key,$round]=$w_sock
    sock_detail[$key,$round]=$(socket_errors_of "$output")
    events[$key,$round]=$(( $(log=${log_of[$key]} replica_events) - events_before ))
    say "    round $round, $(printf '%-34s' "$(title_of "$key")") $(printf '%9s' "$w_rps") req/s, p50 $w_p50 ms, p99 $w_p99 ms," \
        "$w_bad bad status, $w_sock socket errors${sock_detail[$key,$round]:+ (${sock_detail[$key,$round]})}," \
        "${events[$key,$round]} replica replacements/restarts, app host CPU ${host_us[$key,$round]} us/request; load average $(load_average | cut -d' ' -f1)"
}

declare -A url_of log_of
say ""
say "== GET /persons/{id}, random ids 1..$people: wrk -t$threads -c$connections -d$duration, a 1-replica and a $replicas-replica app host side by side"
start_one_replica_host
launch_apphost
wait_started
url_of[proxy4]=$(loopback "$api_url")
url_of[direct4]=$(replica_url api-0)
log_of[proxy4]=$log log_of[direct4]=$log
[[ -n ${url_of[direct4]} ]] || fail "no address of api-0 in the app host's output"
say "    1 replica: started in ${one_startup_seconds} s, endpoint ${url_of[proxy1]}, the replica ${url_of[direct1]}"
say "    $replicas replicas: started in ${startup_seconds} s, endpoint ${url_of[proxy4]}, api-0 ${url_of[direct4]}"
# Through the endpoints first: that warms every replica as well as the proxy. api-0 then gets its own,
# since it had only its share of the endpoint's.
for key in proxy1 proxy4 direct4; do warm_up "$key"; done
order=(proxy4 direct4 proxy1 direct1)
for (( round = 1; round <= rounds; round++ )); do
    # Odd rounds in this order, even ones in reverse: each pair runs back to back, and neither side always goes first.
    if (( round % 2 )); then
        for key in "${order[@]}"; do measure "$key" "$round"; done
    else
        for (( i = ${#order[@]} - 1; i >= 0; i-- )); do measure "${order[i]}" "$round"; done
    fi
done
stop_one_replica_host || fail "left running after SIGINT: ${left_running:-nothing, but the app host had to be killed}"
# The 4-replica app host stays up for the faults, last, since the POSTs add rows.

# --- 5 and 6. Failed requests during a rolling restart and a replica kill -------------------------

declare -A f_title f_requests f_bad f_sock f_sock_detail f_seconds f_event_ms f_event_end f_status_ms f_note f_covered
faults=()

# Waits until 'status' says api is Healthy with every replica running; sets status_line to what it said.
wait_all_healthy() {
    local deadline=$(( SECONDS + 60 ))
    until status_line=$(api_status) && [[ $status_line == *" Healthy "* && $status_line == *"$replicas/$replicas replicas running"* ]]; do
        (( SECONDS < deadline )) || fail "api is not healthy with $replicas/$replicas replicas running: $status_line"
        sleep 0.2
    done
}

do_restart() {
    local key=$1 started=$EPOCHREALTIME output
    output=$(apphost_cli restart api 2>&1) || fail "'restart api' failed: $output"
    f_event_end[$key]=$EPOCHREALTIME
    f_event_ms[$key]=$(ms_between "$started" "${f_event_end[$key]}")
    f_note[$key]=$(sed -E 's/ +/ /g' <<<"$output")
}

# Kills replica $2 with SIGKILL; "back" is when $replicas Api.dll processes run again, the new one answers
# GET /health on its own address, and so does the endpoint. Polled every 50 ms: curl and pgrep compete
# with the load for the CPU.
do_kill() {
    local key=$1 name=$2 victim='' pid lines_before killed_at new_pid='' new_at='' url='' healthy_at='' back_at='' deadline
    for pid in $(api_pids); do
        if [[ $(replica_name "$pid") == "$name" ]]; then victim=$pid; fi
    done
    [[ -n $victim ]] || fail "no process of replica $name"
    lines_before=$(wc -l <"$log")
    kill -KILL "$victim"
    killed_at=$EPOCHREALTIME
    deadline=$(( SECONDS + 60 ))
    until [[ -n $back_at ]]; do
        (( SECONDS < deadline )) || fail "replica $name was not back within 60 s of being killed"
        sleep 0.05
        if [[ -z $new_pid ]]; then
            for pid in $(api_pids); do
                if [[ $pid != "$victim" && $(replica_name "$pid") == "$name" ]]; then new_pid=$pid new_at=$EPOCHREALTIME; fi
            done
            continue
        fi
        [[ -n $url ]] || url=$(replica_url "$name" "$lines_before")
        [[ -n $url ]] || continue
        if [[ -z $healthy_at ]]; then
            [[ $(http_code "$url/health") == 200 ]] && healthy_at=$EPOCHREALTIME
            continue
        fi
        if (( $(api_pids | wc -l) == replicas )) && [[ $(http_code "$(loopback "$api_url")/health") == 200 ]]; then
            back_at=$EPOCHREALTIME
        fi
    done
    f_event_end[$key]=$back_at
    f_event_ms[$key]=$(ms_between "$killed_at" "$back_at")
    # The app host's own view: 'status' until api is Healthy with every replica running.
    wait_all_healthy
    f_status_ms[$key]=$(ms_between "$killed_at")
    f_note[$key]="pid $victim; new process after $(ms_between "$killed_at" "$new_at") ms, its /health 200 after $(ms_between "$killed_at" "$healthy_at") ms; status: $status_line"
}

# fault_run KEY TITLE EVENT EVENT_ARG SCRIPT PATH [ARGS...]: wrk through the endpoint, the event
# $fault_at s in, and wrk stopped with SIGINT (it then reports as at the end of its -d) $fault_tail s
# after the event is over.
fault_run() {
    local key=$1 title=$2 event=$3 event_arg=$4 script=$5 path=$6 wrk_pid output
    shift 6
    faults+=("$key")
    f_title[$key]=$title
    wait_all_healthy
    # SIGINT's default back, as for the app host: a background job starts with it ignored. wrk waits up to 10 s for an
    # answer (its default is 2 s): a fresh replica's first requests are slow while it compiles, and a slow answer is
    # counted in p99 rather than as a failure; socket errors then are requests that really got no answer.
    env --default-signal=INT wrk -t"$threads" -c"$connections" -d"${fault_max}s" --timeout 10s -H "$api_key_header" -s "$bench_dir/$script" \
        "$(loopback "$api_url")$path" -- "$@" >"$tmp/fault.out" 2>&1 &
    wrk_pid=$!
    background_pids+=("$wrk_pid")
    sleep "$fault_at"
    case $event in
        restart) do_restart "$key" ;;
        kill) do_kill "$key" "$event_arg" ;;
    esac
    # The counts cover the event only if wrk was still running when it was over.
    if is_running "$wrk_pid"; then f_covered[$key]=yes; else f_covered[$key]=NO; fi
    sleep "$fault_tail"
    kill -INT "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" || { forget_background "$wrk_pid"; indent <"$tmp/fault.out"; fail "wrk failed"; }
    forget_background "$wrk_pid"
    output=$(<"$tmp/fault.out")
    parse_bench_line "$output" || { say "$output" | indent; fail "wrk printed no figures"; }
    f_requests[$key]=$w_requests f_bad[$key]=$w_bad f_sock[$key]=$w_sock f_seconds[$key]=$(wrk_seconds)
    f_sock_detail[$key]=$(socket_errors_of "$output")
    say "    $title: $w_requests requests in ${f_seconds[$key]} ($w_rps req/s, p99 $w_p99 ms), $w_bad non-2xx," \
        "$w_sock socket errors${f_sock_detail[$key]:+ (${f_sock_detail[$key]})};" \
        "$( [[ $event == restart ]] && say "'restart api' took ${f_event_ms[$key]} ms" || say "back after ${f_event_ms[$key]} ms, status Healthy $replicas/$replicas after ${f_status_ms[$key]} ms" );" \
        "load running throughout: ${f_covered[$key]}"
    say "        ${f_note[$key]}"
}

say ""
say "== Faults under load through the endpoint, $replicas replicas: wrk -t$threads -c$connections from ${fault_at} s before the event to ${fault_tail} s after it"
fault_run restart_get "rolling restart, GET /persons/{id}" restart - persons_get.lua / "$people"
fault_run restart_post "rolling restart, POST /api/contacts" restart - contacts_post.lua /api/contacts
fault_run kill_get "kill -9 api-1, GET /persons/{id}" kill api-1 persons_get.lua / "$people"
fault_run kill_post "kill -9 api-2, POST /api/contacts" kill api-2 contacts_post.lua /api/contacts
wait_all_healthy
stop_or_fail
last_stop_ms=$stop_ms

# --- Summary --------------------------------------------------------------------------------------

mean() { awk 'BEGIN { s = 0; for (i = 1; i < ARGC; i++) s += ARGV[i]; printf "%.1f", s / (ARGC - 1) }' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

say ""
say "== Summary ($(nproc) CPUs, load average $load_at_start at the start and $(load_average) at the end; $people people)"
printf '%-36s %12s %12s %12s %14s  %s\n' "start, warm data folder" "listening" "/health 200" "app host says" "stop (SIGINT)" environment
for key in "${starts[@]}"; do
    printf '%-36s %9s ms %9s ms %10s s %11s ms  %s\n' "  ${start_label[$key]}" "${listen_ms[$key]}" "${health_ms[$key]}" \
        "${reported_s[$key]}" "${start_stop_ms[$key]}" "${env_name[$key]:-?}"
done
# per_round ARRAY KEY [SEPARATOR]: the figures of ARRAY[KEY,1..rounds], joined.
per_round() {
    local -n figures=$1
    local r out=''
    for (( r = 1; r <= rounds; r++ )); do out+="${out:+${3:- }}${figures[$2,$r]}"; done
    say "$out"
}
printf '\n%-36s %-40s %10s %24s %24s %10s\n' "GET /persons/{id}, req/s" "round 1..$rounds" "mean" "p50 ms" "p99 ms" "errors"
for key in direct4 proxy4 direct1 proxy1; do
    errors=0 replaced=0
    for (( r = 1; r <= rounds; r++ )); do errors=$(( errors + bad[$key,$r] + sock[$key,$r] )) replaced=$(( replaced + events[$key,$r] )); done
    # shellcheck disable=SC2046 # one argument per round
    printf '%-36s %-40s %10s %24s %24s %10s\n' "  $(title_of "$key")" "$(per_round rps "$key")" "$(mean $(per_round rps "$key"))" \
        "$(per_round p50 "$key" /)" "$(per_round p99 "$key" /)" "$errors$( (( replaced > 0 )) && say " ($replaced repl.)" )"
done
# Each round's ratio is of two runs back to back; the median of them is the figure least moved by a burst of load from elsewhere.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
printf '%-36s %-40s %10s %10s\n' "ratios" "round 1..$rounds" "of means" "median"
for pair in "proxy/direct, 4 replicas:proxy4:direct4" "proxy/direct, 1 replica:proxy1:direct1" "4 replicas/1, through the endpoint:proxy4:proxy1"; do
    IFS=: read -r label a b <<<"$pair"
    ratios=()
    for (( r = 1; r <= rounds; r++ )); do ratios+=("$(ratio "${rps[$a,$r]}" "${rps[$b,$r]}")"); done
    # shellcheck disable=SC2046
    printf '%-36s %-40s %10s %10s\n' "  $label" "${ratios[*]}" "$(ratio "$(mean $(per_round rps "$a"))" "$(mean $(per_round rps "$b"))")" "$(median "${ratios[@]}")"
done
printf '%-36s %-40s %10s\n' "app host CPU per request, us" "round 1..$rounds" "mean"
for key in direct4 proxy4 direct1 proxy1; do
    # shellcheck disable=SC2046
    printf '%-36s %-40s %10s\n' "  $(title_of "$key")" "$(per_round host_us "$key")" "$(mean $(per_round host_us "$key"))"
done
printf '%s\n' "  warm-up before round 1, req/s per ${warmup_slice} s slice:"
for key in proxy1 proxy4 direct4; do
    printf '%-36s %s\n' "    $(title_of "$key")" "${warmup_trace[$key]}"
done
printf '\n%-38s %8s %9s %8s %10s  %s\n' "faults (event ${fault_at} s into the load)" "load" requests non-2xx "sock errs" "event"
for key in "${faults[@]}"; do
    if [[ $key == restart_* ]]; then event="'restart api' took ${f_event_ms[$key]} ms"; else event="back after ${f_event_ms[$key]} ms (status Healthy after ${f_status_ms[$key]} ms)"; fi
    [[ ${f_covered[$key]} == yes ]] || event+=" - NOT covered: wrk had ended"
    printf '%-38s %8s %9s %8s %10s  %s\n' "  ${f_title[$key]}" "${f_seconds[$key]}" "${f_requests[$key]}" "${f_bad[$key]}" "${f_sock[$key]}" "$event"
done
say ""
printf '%-38s %s\n' "stop after the faults (SIGINT)" "${last_stop_ms} ms" "build (Release)" "${build_seconds} s" \
    "left running" "$( { pattern=$(state_pattern) && pgrep -af -- "$pattern"; } || say nothing)"
