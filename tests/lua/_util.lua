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

--- Call f(...); it must raise an error whose text matches the Lua
-- pattern (a failure names the pattern, or the error it raised).
-- raises : (pattern, f, ...) -> ()
function M.raises(pattern, f, ...)
	local ok, err = pcall(f, ...)
	assert(not ok, "expected an error matching " .. pattern)
	assert(tostring(err):match(pattern), tostring(err))
end

--- Run the Lua script text in a child luainit in a network namespace of
-- its own (`unshare -n`); its output, stdout and stderr. Raises SKIP where
-- no namespace can be made, or ip(8) is missing and the script uses it.
-- in_netns : (text) -> string
function M.in_netns(text)
	local script = os.tmpname()
	M.write(script, text)
	local p = io.popen("unshare -n build/luainit --lua " .. script .. " 2>&1")
	local out = p:read("a")
	p:close()
	os.remove(script)
	if out:find("unshare failed") or out:find("Operation not permitted") then error("SKIP: no network namespace here") end
	if out:find("ip: not found") then error("SKIP: no ip(8) here") end
	return out
end

-- Call f n times with the Lua heap capped a little above what is in use
-- (more slack each time, in steps of 48 bytes up to 2 kB, then again), so
-- that calls run out of memory at different points, and measure() before
-- and after (after a first call of f with no cap when warm: what f
-- allocates once and keeps, a socket or a table, is not counted). Asserts
-- that some call ran out of memory; returns before, after and how many did.
local function under_oom(f, n, measure, warm)
	local event = require "luainit.event"
	collectgarbage()
	collectgarbage()
	local cap = select(2, event.memory())
	if warm then pcall(f) end
	local before, failed = measure(), 0
	for i = 1, n do
		collectgarbage()
		event.memory(event.memory() + 48 * (i % 40))
		if not pcall(f) then failed = failed + 1 end
		event.memory(cap)
	end
	collectgarbage()
	collectgarbage()
	assert(failed > 0, "never ran out of memory under the cap")
	return before, measure(), failed
end

--- Call f 20 times under a capped heap (under_oom, no warm-up call);
-- afterwards the process must hold as many descriptors as before. The
-- regression test of bindings that leaked a directory stream when a push
-- raised.
function M.no_fd_leak_when_oom(f)
	local fs = require "luainit.fs"
	local function nfds() return #assert(fs.readdir("/proc/self/fd")) end
	local before, after = under_oom(f, 20, nfds, false)
	assert(after == before, string.format("%d descriptors before, %d after", before, after))
end

--- The kB of resident memory this process has (VmRSS).
function M.rss_kb()
	local f = assert(io.open("/proc/self/status"))
	local s = f:read("a")
	f:close()
	return tonumber(s:match("VmRSS:%s*(%d+)"))
end

--- Call f n times (each raises: the error is expected and dropped); the
-- process's resident memory must not grow by more than kb. The
-- regression test of bindings that leaked memory of their own (libnl
-- objects) when an argument check raised after they were allocated.
function M.no_rss_growth_when_raising(f, n, kb)
	pcall(f)   -- warm up: what f allocates once and keeps (a socket)
	collectgarbage()
	local before = M.rss_kb()
	for i = 1, n do
		assert(not pcall(f), "expected an error")
		if i % 500 == 0 then collectgarbage() end
	end
	collectgarbage()
	local grew = M.rss_kb() - before
	assert(grew < kb, string.format("resident memory grew by %d kB over %d calls", grew, n))
end

--- Call f n times under a capped heap (under_oom, after a warm-up call);
-- afterwards the process's resident memory must not have grown by more
-- than kb. The regression test of bindings that leaked memory of their
-- own (malloc'd buffers, libnl objects) when a push raised: Lua's heap
-- comes back to the cap, theirs would not.
function M.no_rss_growth_when_oom(f, n, kb)
	local before, after, failed = under_oom(f, n, M.rss_kb, true)
	local grew = after - before
	assert(grew < kb, string.format("resident memory grew by %d kB over %d calls (%d ran out of memory)",
		grew, n, failed))
end

return M
