--- float: the text a float is written as where a person reads it and a
-- program may read it back: luactl's JSON (proto.lua), a service's
-- environment (services.lua) and the service files unitimport writes.
-- One rule, so that 0.1 is 0.1 in all three, not 0.10000000000000001.
-- What inf and nan become (JSON null, math.huge, a refused value) and how
-- an integral float is written are each caller's. A module of its own, as
-- integer.lua is: luactl loads proto.lua and this, none of the library
-- the other two callers belong to.
local M = {}

local fmt, tonumber = string.format, tonumber

--- The fewest of v's 15, 16 or 17 significant digits that read back as
-- v (0.1, 46.012, 1/3 as 0.3333333333333333); 17 always do. v is a
-- finite float: an integer (math.type) beyond 2^53 has no float text that
-- reads back as it, and inf and nan have none at all.
-- Fewer than 15 digits need not be tried: when p < 15 of them read back
-- as v, v is the double nearest that p-digit decimal, and any decimal of
-- at most 15 digits (DBL_DIG) comes back from its nearest double as
-- itself, so %.15g gives those p digits, %g dropping the trailing zeros.
-- Only two kinds of float are written otherwise than %.<p>g would: a
-- whole number from 10 to 1e15 ending in zeros, in digits (8080, not
-- 8.08e+03), and a subnormal (below 2.2e-308), which has fewer bits than
-- 15 digits carry (4.94065645841247e-324, not 5e-324).
-- text : (float) -> string
function M.text(v)
	local s = fmt("%.15g", v)
	if tonumber(s) == v then return s end
	s = fmt("%.16g", v)
	if tonumber(s) == v then return s end
	return fmt("%.17g", v)
end

return M
