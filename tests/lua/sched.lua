-- tests/lua/sched.lua: the coroutine scheduler on the real event loop.
local sched = require "sched"
local event = require "luainit.event"
local process = require "luainit.process"
local fs = require "luainit.fs"

local T = {}

T["sleep resumes after the delay, in deadline order"] = function()
	local order = {}
	local done = 0
	for _, ms in ipairs({ 30, 10, 20 }) do
		sched.spawn(function()
			sched.sleep(ms)
			order[#order + 1] = ms
			done = done + 1
			if done == 3 then sched.wake("sleepers") end
		end)
	end
	local t0 = event.now()
	sched.wait("sleepers", 2000)
	assert(table.concat(order, ",") == "10,20,30", table.concat(order, ","))
	assert(event.now() - t0 >= 25)
end

T["wait returns woken values, or nil and timeout"] = function()
	sched.spawn(function() sched.sleep(5) sched.wake("k", 1, "two") end)
	local a, b = sched.wait("k", 1000)
	assert(a == 1 and b == "two")
	local r, why = sched.wait("nobody-wakes-this", 20)
	assert(r == nil and why == "timeout")
end

T["wait_child reports exit code and signal"] = function()
	local pid = assert(process.spawn({ argv = { "/bin/sh", "-c", "exit 7" } }))
	local how, code = sched.wait_child(pid, 5000)
	assert(how == "exited" and code == 7, tostring(how) .. " " .. tostring(code))
	pid = assert(process.spawn({ argv = { "/bin/sleep", "10" } }))
	process.kill(pid, "TERM")
	how, code = sched.wait_child(pid, 5000)
	assert(how == "killed" and code == "TERM", tostring(how) .. " " .. tostring(code))
end

T["wait_path wakes when the file appears"] = function()
	local dir = "/tmp/luainit-test-waitpath." .. process.getpid()
	fs.mkdirp(dir)
	sched.spawn(function() sched.sleep(20) fs.writefile(dir .. "/ready", "x") end)
	assert(sched.wait_path(dir .. "/ready", 2000))
	local r, why = sched.wait_path(dir .. "/never", 20)
	assert(r == nil and why == "timeout")
	fs.unlink(dir .. "/ready")
	fs.rmdir(dir)
end

T["after calls back on the loop; a cancelled one never; an error is contained"] = function()
	local got = {}
	sched.after(20, function() got[#got + 1] = "b" end)
	sched.after(5, function() got[#got + 1] = "a" end)
	local c = sched.after(10, function() got[#got + 1] = "cancelled" end)
	c.cancelled = true
	sched.after(1, function() error("boom in a timer") end, "raiser")
	sched.after(30, function() sched.wake("after-done", true) end)
	assert(sched.wait("after-done", 2000))
	assert(table.concat(got, ",") == "a,b", table.concat(got, ","))
end

-- a nan time broke the heap's order for every timer (its comparisons are
-- all false), and armed the timerfd with an undefined conversion in C;
-- math.huge, "never", armed one with a time past time_t's range
T["a time that is nan or no number raises at the caller; math.huge never fires"] = function()
	for _, bad in ipairs({ 0 / 0, "5", true }) do
		local want = "a time in ms expected, got " .. (bad ~= bad and "nan" or tostring(bad))
		local ok, err = pcall(function() sched.after(bad, function() end) end)
		assert(not ok and err:match("^tests/lua/sched%.lua:%d+: ") and err:find(want, 1, true), err)
		ok, err = pcall(function() sched.sleep(bad) end)
		assert(not ok and err:match("^tests/lua/sched%.lua:%d+: ") and err:find(want, 1, true), err)
		-- a wait refuses it before it registers: no waiter is left to be
		-- woken later at another yield of the task
		ok, err = pcall(function() sched.wait("refused-wait", bad) end)
		assert(not ok and err:match("^tests/lua/sched%.lua:%d+: ") and err:find(want, 1, true), err)
		assert(sched.wake("refused-wait") == 0, "a refused wait left its waiter")
		ok, err = pcall(function() sched.wait_path("/nonexistent/luainit-test/x", bad) end)
		assert(not ok and err:find(want, 1, true), err)
	end
	local fired = false
	local t = sched.after(math.huge, function() fired = true end)
	sched.after(1e300, function() fired = true end).cancelled = true
	local ok, err = pcall(function() event.timer(function() end):arm(0 / 0) end)
	assert(not ok and err:find("a time in ms expected, got nan", 1, true), err)
	assert(event.timer(function() end):arm(math.huge) == true)
	sched.sleep(30)
	t.cancelled = true
	assert(not fired)
end

T["a task that raises is contained"] = function()
	sched.spawn(function() error("boom in a task") end, "raiser")
	sched.sleep(1)
end

-- an error value that is no string, even one whose __tostring raises, is
-- logged with the task's name (tostring(err) raised out of resume, and the
-- task was neither closed nor logged); a timer's too, with a traceback
T["a task or timer raising a value that is no string is logged"] = function()
	local log = require "log"
	local bad = setmetatable({}, { __tostring = function() error("no text for you") end })
	local co = sched.spawn(function() error(bad) end, "odd-raiser")
	assert(coroutine.status(co) == "dead")
	sched.after(0, function() error(setmetatable({}, { __tostring = function() return "a timer's own words" end })) end,
		"odd-timer")
	sched.sleep(20)
	local text = table.concat(log.ring(10), "\n")
	assert(text:find("task odd-raiser: a table error value", 1, true), text)
	assert(text:find("timer odd-timer: a timer's own words\nstack traceback:", 1, true), text)
end

return T
