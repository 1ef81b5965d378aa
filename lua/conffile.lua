--- conffile: a Lua file of /etc/luainit that returns a table (a service
-- definition, network.lua): loaded, run in an environment of its own and
-- its table checked, every error naming the file once, as Lua names it
-- (log.file_error words it).
local log = require "log"

local M = {}

-- How Lua names the chunk in messages and tracebacks: the path, or its
-- end after "..." when longer than LUA_IDSIZE ("...ices/name.lua:2:").
-- Asked for on an error only: debug.getinfo's table cost a service's
-- load ~8 000 instructions.
local function src_of(chunk) return debug.getinfo(chunk, "S").short_src end

-- check's results, or what it raised as the file's error
local function checked(path, chunk, ok, ...)
	if ok then return ... end
	return nil, log.file_error(path, (...), true, src_of(chunk))
end

--- Load the Lua file at path (luainit.chunk, which caches its bytecode),
-- run it in an environment of its own that reads _G (what one file sets
-- is not another's) and return check(value, ...), value being what it
-- returned. A file that does not load or raises gives nil, the message
-- (log.file_error's, as Lua names the file) and the traceback of the
-- file's own functions ("stack traceback:\n\t..."; the loader's frames
-- are noise), nil when its main chunk is all, whose line the message
-- has. check raising is the file's error too (a metatable's __index or
-- __pairs on the table it returned): nil and the message, said to have
-- been raised as the table was checked.
-- load : (path, check, ...) -> check's results | (nil, string, string?)
function M.load(path, check, ...)
	local chunk, err = require("luainit.chunk").loadfile(path, setmetatable({}, { __index = _G }))
	if not chunk then return nil, err end
	local frames
	local ok, value = xpcall(chunk, function(e)
		local src = src_of(chunk)
		local lines = {}
		for line in debug.traceback("", 2):gmatch("[^\n]+") do
			if line:find(src, 1, true) then lines[#lines + 1] = line end
		end
		if #lines >= 2 then frames = "stack traceback:\n" .. table.concat(lines, "\n") end
		return log.file_error(path, e, false, src)
	end)
	if not ok then return nil, value, frames end
	return checked(path, chunk, pcall(check, value, ...))
end

return M
