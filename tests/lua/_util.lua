-- tests/lua/_util.lua: helpers shared by the unit tests (files whose name
-- starts with "_" are not test files; all.lua skips them).
local M = {}

--- Run a shell command quietly; true if it succeeded.
function M.sh(cmd)
	local ok = os.execute(cmd .. " >/dev/null 2>&1")
	return ok == true or ok == 0
end

--- Write text to path (raises on failure).
function M.write(path, text)
	local f = assert(io.open(path, "w"))
	f:write(text)
	f:close()
end

--- Call f 20 times with the Lua heap capped a little above what is in use
-- (more slack each time), so that calls run out of memory at different
-- points; afterwards the process must hold as many descriptors as before.
-- The regression test of bindings that leaked a directory stream when a
-- push raised.
function M.no_fd_leak_when_oom(f)
	local event = require "luainit.event"
	local fs = require "luainit.fs"
	local function nfds() return #assert(fs.readdir("/proc/self/fd")) end
	collectgarbage()
	collectgarbage()
	local before, cap = nfds(), select(2, event.memory())
	local failed = 0
	for i = 1, 20 do
		collectgarbage()
		event.memory(event.memory() + 48 * i)
		if not pcall(f) then failed = failed + 1 end
		event.memory(cap)
	end
	collectgarbage()
	collectgarbage()
	assert(failed > 0, "never ran out of memory under the cap")
	local after = nfds()
	assert(after == before, string.format("%d descriptors before, %d after", before, after))
end

return M
