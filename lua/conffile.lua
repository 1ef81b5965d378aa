--- conffile: a Lua file of /etc/luainit that returns a table (a service
-- definition, network.lua): loaded, run in an environment of its own and
-- its table checked, every error naming the file once, as Lua names it
-- (log.file_error words it).
local log = require "log"
local now = require("luainit.event").now
local sched = require "sched"

local M = {
	-- what a file and the check of its table may run: one that does not
	-- end (a loop whose condition never changes) held PID 1 in it for
	-- ever, reaping nothing, at boot or at a `luactl reload`. Counted in
	-- Lua instructions and, for a loop of costly calls (string.rep of
	-- large strings), in time.
	max_instructions = 10000000,
	max_ms = 2000,
}

-- How Lua names the chunk in messages and tracebacks: the path, or its
-- end after "..." when longer than LUA_IDSIZE ("...ices/name.lua:2:").
-- Asked for on an error only: debug.getinfo's table cost a service's
-- load ~8 000 instructions.
local function src_of(chunk) return debug.getinfo(chunk, "S").short_src end

-- sched.budget on the running thread (a task's: a file may wait, as
-- sched.sleep does) stops a file and the check of its table past
-- M.max_instructions or M.max_ms, at the line it was running. Returns
-- the function that takes the hook off, which may run more than once;
-- past the limit any instruction outside the protected call would raise,
-- so it runs before that call returns as well as after. A thread that has
-- a hook already keeps it and is not limited here: an eval's limits its
-- own code, a profiler counts (and a hook set and put back around it
-- counted none of the file). A task the file starts shares the budget
-- while the file runs (Lua copies the hook into a new coroutine); after
-- the load its copy finds no Lua hook and does nothing.
-- limit : () -> fn()
local function nothing() end
local STOPPED = "stopped after %d %s: expected the file to return its table (a loop that does not end?)"
local function limit()
	if debug.gethook() then return nothing end
	local t0 = now()
	return sched.budget(nil, function(count)
		if count > M.max_instructions then return string.format(STOPPED, M.max_instructions, "instructions") end
		if now() - t0 > M.max_ms then return string.format(STOPPED, M.max_ms, "ms") end
	end, 2)
end

-- its arguments, once the hook is off
local function unlimited(unlimit, ...)
	unlimit()
	return ...
end

--- Load the Lua file at path (luainit.chunk, which caches its bytecode),
-- run it in an environment of its own that reads _G (what one file sets
-- is not another's) and return check(value, ...), value being what it
-- returned (check's first two results). A file that does not load or
-- raises gives nil, the message (log.file_error's, as Lua names the file)
-- and the traceback of the file's own functions ("stack traceback:\n\t...";
-- the loader's frames are noise), nil when its main chunk is all, whose
-- line the message has. check raising is the file's error too (a
-- metatable's __index or __pairs on the table it returned): nil and the
-- message, said to have been raised as the table was checked. Running
-- and checking together may take M.max_instructions and M.max_ms: past
-- that the file fails with the line it was at. (The check stays under the
-- hook: a file may have changed what the checker calls, _G.type or the
-- string library, not only its table's metatables.)
-- load : (path, check, ...) -> check's results | (nil, string, string?)
function M.load(path, check, ...)
	local chunk, err = require("luainit.chunk").loadfile(path, setmetatable({}, { __index = _G }))
	if not chunk then return nil, err end
	-- worded: a handler made the message (it names the file once)
	local unlimit, frames, worded = limit(), nil, false
	-- the file's own protected call, straight from xpcall: its traceback
	-- calls it "main chunk"
	local function run(...)
		local ok, value = xpcall(chunk, function(e)
			unlimit()
			local src = src_of(chunk)
			local lines = {}
			for line in debug.traceback("", 2):gmatch("[^\n]+") do
				if line:find(src, 1, true) then lines[#lines + 1] = line end
			end
			if #lines >= 2 then frames = "stack traceback:\n" .. table.concat(lines, "\n") end
			worded = true
			return log.file_error(path, e, false, src)
		end)
		if not ok then return false, value end
		return true, unlimited(unlimit, check(value, ...))
	end
	local ok, ran, a, b = xpcall(run, function(e)
		unlimit()
		worded = true
		return log.file_error(path, e, true, src_of(chunk))
	end, ...)
	-- Lua calls no message handler for a memory error: the hook would
	-- have stayed on the task, to stop whatever it ran next, and the
	-- message would not name the file
	unlimit()
	if not ok then return nil, worded and ran or log.file_error(path, ran, false, src_of(chunk)) end
	if not ran then return nil, worded and a or log.file_error(path, a, false, src_of(chunk)), frames end
	return a, b
end

return M
