-- Shared by the scenario scripts (loaded with dofile): distinct random streams per thread, and one
-- line of figures at the end that run.sh parses, so every scenario reports the same way.

local threads_started = 0

-- Runs in wrk's main Lua state once per thread, before the thread's own state runs init().
function setup(thread)
  threads_started = threads_started + 1
  thread:set("thread_index", threads_started)
end

-- Every thread's Lua state starts with the same default seed: without this, all threads would
-- request the same ids in the same order and the database would see fewer distinct rows.
function seed_random()
  math.randomseed(os.time() * 1000 + (thread_index or 0))
end

-- wrk reports latency in microseconds; the figures compared between runs are milliseconds.
-- wrk counts a response with status >= 400 as a status error; the routes measured answer 200 or 201
-- when they work, so that count is the number of failed requests. Socket errors are kept apart
-- because they mean the server (or the proxy) stopped answering, not that it answered badly.
-- A request unanswered after wrk's timeout (2 s by default) counts as a socket error (timeout) and is
-- left out of the latencies, so a p99 near 2 s with timeouts means the real tail is longer.
function done(summary, latency, requests)
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f bad_status=%d socket_errors=%d\n",
    summary.requests,
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    latency.max / 1000,
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end

