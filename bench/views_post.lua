-- POST /api/views: every request increments the one counter row, so this measures the hot row's contention.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

wrk.method = "POST"
