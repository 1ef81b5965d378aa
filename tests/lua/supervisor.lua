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

-- a service as the supervisor holds one, with the defaults a definition
-- gets, in state st with a main process that is no real one
local function fake(name, st, fields)
	local svc = { name = name, state = st, want = true, pid = 999999999, gen = 1, type = "notify",
		restart = "on-failure", restart_delay = 0.1, restart_max_delay = 30, crash_limit = { 5, 10 },
		requires = {}, after = {}, wants = {}, ring = {}, restarts = 0, start_timeout = 30, stop_timeout = 5 }
	for k, v in pairs(fields or {}) do svc[k] = v end
	return svc
end

T["starting: an exit before ready is a failed start, even with code 0"] = function()
	-- a notify daemon that exited 0 before READY=1 was "stopped": not
	-- restarted, not failed, and what required it waited for ever
	for _, ty in ipairs({ "notify", "fd" }) do
		local svc = fake("t", "starting", { type = ty, restart = "never" })
		sup.dispatch(svc, "exit", "exited", 0)
		assert(svc.state == "failed", ty .. ": " .. svc.state)
		assert(svc.why == "exited before it was ready: exit code 0", svc.why)
		svc = fake("t", "starting", { type = ty })
		sup.dispatch(svc, "exit", "exited", 0)
		assert(svc.state == "backoff", ty .. ", on-failure: " .. svc.state)
		svc.timers.retry.cancelled = true
	end
	-- what requires it fails with it, instead of waiting
	local dep = fake("dep", "starting", { type = "notify", restart = "never" })
	local user = fake("user", "stopped", { pid = false, requires = { "dep" }, type = "simple" })
	sup.services.dep, sup.services.user = dep, user
	local _ <close> = setmetatable({}, { __close = function() sup.services.dep, sup.services.user = nil, nil end })
	sup.dispatch(dep, "exit", "exited", 0)
	sup.dispatch(user, "start")
	assert(user.state == "failed" and user.why == "dependency 'dep' failed", user.state .. " " .. tostring(user.why))
	-- a oneshot's clean exit is its readiness
	local one = fake("one", "starting", { type = "oneshot", started_at = 0 })
	sup.dispatch(one, "exit", "exited", 0)
	assert(one.state == "done", one.state)
end

return T
