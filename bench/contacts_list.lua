-- GET /api/contacts?limit=N&cursor=C with the cursor of a random position in the table. Pages are
-- keyset-paged, so a page deep in the table should cost what the first one costs; random depths make
-- any dependence on depth show up in p99.
-- Arguments (after -- on wrk's command line): the highest id loaded, the page size, and "ID=CURSOR",
-- a cursor the API itself returned, to check the encoding below against.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

local function char(index)
  return alphabet:sub(index + 1, index + 1)
end

-- The API's opaque cursor (Api/Contacts/ContactCursor.cs): the last id of the previous page as a
-- big-endian 32-bit integer, base64url-encoded without padding (4 bytes -> 6 characters).
local function cursor(last_id)
  local high = math.floor(last_id / 256) -- the first three bytes: four characters
  local low = last_id % 256              -- the last byte: two characters
  return char(math.floor(high / 262144) % 64) .. char(math.floor(high / 4096) % 64)
    .. char(math.floor(high / 64) % 64) .. char(high % 64)
    .. char(math.floor(low / 4)) .. char((low % 4) * 16)
end

local max_id, page_size

function init(args)
  max_id = tonumber(args[1]) or 100000
  page_size = tonumber(args[2]) or 50
  local id, expected = (args[3] or ""):match("^(%d+)=(.+)$")
  -- A cursor that decodes to another id would still answer 200, just with the wrong page: check first.
  if id == nil or cursor(tonumber(id)) ~= expected then
    io.stderr:write("contacts_list.lua: the cursor encoding does not match the API's (" .. tostring(args[3]) .. ")\n")
    os.exit(1)
  end
  seed_random()
end

function request()
  -- Cursors up to max_id - page_size, so that every page is a full one.
  local after = math.random(0, max_id - page_size)
  return wrk.format("GET", "/api/contacts?limit=" .. page_size .. "&cursor=" .. cursor(after))
end
