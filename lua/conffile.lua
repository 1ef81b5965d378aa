--- conffile: a Lua file of /etc/luainit that returns a table (a service
-- definition, network.lua): loaded, run in an environment of its own and
-- its table checked, every error naming the file once, as Lua names it
-- (log.file_error words it).
local log = require "log"

local M = {
	-- what a file and the check of its table may run: one that does not
	-- end (a loop whose condition never changes) held PID 1 in it for
	-- ever, reaping nothing, at boot or at a `luactl reload`
	max_instructions = 10000000,
}

-- How Lua names the chunk in messages and tracebacks: the path, or its
-- end after "..." when longer than LUA_IDSIZE ("...ices/name.lua:2:").
-- Asked for on an error only: debug.getinfo's table cost a service's
-- load ~8 000 instructions.
local function src_of(chunk) return debug.getinfo(chunk, "S").short_src end

-- A count hook on the running thread (a task's: a file may wait, as
-- sched.sleep does) stops a file and the check of its table past
-- M.max_instructions, at the line it was running. Once over, it raises at
-- every instruction, so a pcall in the file cannot catch the stop and
-- run on. Returns the function that puts back the thread's own hook (an
-- eval's, when eval loads a file); it must run before the protected call
-- returns, as past the limit any instruction outside it would raise.
-- limit : () -> fn()
local function limit()
	local saved = table.pack(debug.gethook())
	local count, live = 0, true
	local function hook()
		if not live then return end
		count = count + 1000
		if count > M.max_instructions then
			debug.sethook(hook, "", 1)
			error(string.format("stopped after %d instructions: expected the file to return its table "
				.. "(a loop that does not end?)", M.max_instructions), 2)
		end
	end
	debug.sethook(hook, "", 1000)
	return function()
		if not live then return end
		live = false
		if saved[1] then debug.sethook(table.unpack(saved, 1, saved.n)) else debug.sethook() end
	end
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
-- and checking together may take M.max_instructions: past that the file
-- fails with the line it was at.
-- load : (path, check, ...) -> check's results | (nil, string, string?)
function M.load(path, check, ...)
	local chunk, err = require("luainit.chunk").loadfile(path, setmetatable({}, { __index = _G }))
	if not chunk then return nil, err end
	local unlimit, frames = limit(), nil
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
			return log.file_error(path, e, false, src)
		end)
		if not ok then return false, value end
		return true, unlimited(unlimit, check(value, ...))
	end
	local ok, ran, a, b = xpcall(run, function(e)
		unlimit()
		return log.file_error(path, e, true, src_of(chunk))
	end, ...)
	if not ok then return nil, ran end
	if not ran then return nil, a, frames end
	return a, b
end

return M
