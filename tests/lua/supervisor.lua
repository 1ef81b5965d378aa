-- tests/lua/supervisor.lua: the supervisor's state table
-- (M.transitions[state][event], the one place that decides what an event
-- does), as STYLE asks: its shape, and the rows that had holes.
local sup = require "supervisor"

local T = {}

T["the table: every state but ready takes a start, and each with a process its exit, stop and timeout"] = function()
	local S = sup.transitions
	for _, st in ipairs({ "stopped", "starting", "ready", "stopping", "backoff", "failed", "done" }) do
		assert(S[st], "no row for state " .. st)
		-- (ready is up: a start has nothing to do)
		assert(S[st].start or st == "ready", st .. ": a start is ignored")
	end
	-- a process may run in these: its exit, a stop and a timer must each
	-- do something (a stop while stopping was ignored: stop, start, stop
	-- left the service restarting once it was down)
	for _, st in ipairs({ "starting", "ready", "stopping" }) do
		for _, ev in ipairs({ "exit", "stop", "timeout" }) do
			assert(S[st][ev], st .. ": event " .. ev .. " is ignored")
		end
	end
	-- and a stop reaches a service waiting to restart, failed or done
	for _, st in ipairs({ "backoff", "failed", "done" }) do assert(S[st].stop, st .. ": a stop is ignored") end
end

T["stopping: the last of start and stop asked for wins"] = function()
	local svc = { name = "t", state = "stopping", want = false }
	sup.dispatch(svc, "start")
	assert(svc.state == "stopping" and svc.want == true, "a start while stopping is kept for after")
	sup.dispatch(svc, "stop")
	assert(svc.state == "stopping" and svc.want == false, "a stop after it clears it")
end

return T
