-- POST /api/contacts: one insert per request. The body never changes, so wrk sends a prebuilt request
-- and spends no time in Lua per request.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"firstName":"Bench","lastName":"Load"}'
