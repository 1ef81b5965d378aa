--- ids: a uid or gid as configuration writes it, one rule for a service's
-- user, group and groups (services.lua) and a device rule's owner and
-- group (devices.lua). A module of its own, as boolean.lua is, so that
-- devices.lua, which the boot may load without any service, does not load
-- services.lua for it. Names, which only a service takes, are the caller's.
local integer = require "integer"

local M = {}

--- What an id is, for a message ("expected a uid, " .. ids.expected).
M.expected = "an integer from 0 to 4294967294"

--- The id v is, as an integer; nil for anything else. ids are 32 bits, and
-- (uid_t)-1, 4294967295, means "no change" to setresuid and chown, so the
-- range is 0 to 4294967294. A float with an integral value counts (1e3,
-- 1000.0) and is returned as the integer, as every integer field of a
-- definition takes one (lua/integer.lua). A string is no id here.
-- id : (any) -> integer | nil
function M.id(v) return integer.of(v, 0, 0xfffffffe) end

return M
