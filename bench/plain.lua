-- The request given on wrk's command line (-H headers included), repeated: for routes whose cost does not
-- depend on which row they touch, such as the page, its assets, a revalidation or the view counter.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
