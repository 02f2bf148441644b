-- GET /persons/{id} for ids spread over the whole table, so the figure is one of lookups by primary
-- key across 100,000 rows rather than of one hot row served from a warm cache line.
-- Arguments (after -- on wrk's command line): the highest id loaded.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local max_id

function init(args)
  max_id = tonumber(args[1]) or 100000
  seed_random()
end

function request()
  return wrk.format("GET", "/persons/" .. math.random(1, max_id))
end
