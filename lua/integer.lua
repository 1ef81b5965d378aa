--- integer: a whole number as configuration writes it, one rule for every
-- integer field of a service definition (services.lua), a device rule
-- (devices.lua), the network config (network.lua), and the uid and gid
-- rule (id) they share. Lua writes a number with a fraction point or an
-- exponent as a float (1e3, 4 * 2^20, 1000.0), so such a float with an
-- integral value counts, and the caller keeps the integer: the kernel's
-- files take no float ("1000.0"), and a rotated log would be named
-- name.log.3.0. The C bindings hold to the same rule (lx_getint in
-- init/lx.c: process.spawn's fields, lx_optinteger's options). A string is no integer
-- here, even "1000": math.tointeger("1000") is 1000, hence the type test.
-- A module of its own, as boolean.lua is: devices.lua, which the boot may
-- load without any service, does not load services.lua for it.
local M = {}

--- v as an integer when it is one from min to max (either bound may be
-- left out): an integer, or a float with an integral value; nil for
-- anything else (1.5, inf, nan, a string, out of range).
-- of : (any, min?, max?) -> integer | nil
function M.of(v, min, max)
	local i = math.type(v) and math.tointeger(v)
	if not i or (min and i < min) or (max and i > max) then return nil end
	return i
end

--- What an id is, for a message ("expected a uid, " .. integer.id_expected).
M.id_expected = "an integer from 0 to 4294967294"

--- The uid or gid v is, as an integer (see of); nil for anything else.
-- ids are 32 bits, and (uid_t)-1, 4294967295, means "no change" to
-- setresuid and chown, so the range is 0 to 4294967294. The one rule of a
-- service's user, group and groups and a device rule's owner and group;
-- names, which only a service takes, are the caller's.
-- id : (any) -> integer | nil
function M.id(v) return M.of(v, 0, 0xfffffffe) end

return M
