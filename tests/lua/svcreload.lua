-- tests/lua/svcreload.lua: the reload plan, a pure function of the
-- running services and the definitions read again.
local services = require "services"
local svcreload = require "svcreload"

local T = {}

local function def(name, t)
	t.command = t.command or { "/bin/sleep", "1000" }
	return assert(services.check(name, t, name .. ".lua"))
end

-- a supervisor's services: the checked definitions, each in a state
local function running(list)
	local sup = { services = {} }
	for name, d in pairs(list) do
		local svc = setmetatable({}, { __index = d[1] })
		svc.name, svc.state, svc.want, svc.file = name, d[2], d[3], d[1].file
		sup.services[name] = svc
	end
	return sup
end

T["plan: a changed service is restarted when up, updated and left down when down"] = function()
	local old = { command = { "/bin/sleep", "1" } }
	local sup = running({
		up = { def("up", old), "ready", true },
		starting = { def("starting", old), "starting", true },
		backoff = { def("backoff", old), "backoff", true },
		restarting = { def("restarting", old), "stopping", true },
		stopping = { def("stopping", old), "stopping", false },
		stopped = { def("stopped", old), "stopped", false },
		failed = { def("failed", old), "failed", true },
		-- a finished oneshot: a reload ran the one-time job again
		done = { def("done", { type = "oneshot", command = { "/bin/true" } }), "done", true },
		same = { def("same", old), "ready", true },
		described = { def("described", old), "ready", true },
		gone = { def("gone", old), "ready", true },
	})
	local new = { command = { "/bin/sleep", "2" } }
	local set = {}
	for _, n in ipairs({ "up", "starting", "backoff", "restarting", "stopping", "stopped", "failed" }) do
		set[n] = def(n, new)
	end
	set.done = def("done", { type = "oneshot", command = { "/bin/false" } })
	set.same = def("same", old)
	set.described = def("described", { command = old.command, description = "now described" })
	set.added = def("added", new)
	local plan = svcreload.plan(sup, set)
	local function list(k) return table.concat(plan[k], " ") end
	assert(list("change") == "backoff restarting starting up", list("change"))
	assert(list("update_down") == "done failed stopped stopping", list("update_down"))
	assert(list("update") == "described", list("update"))
	assert(list("keep") == "same", list("keep"))
	assert(list("add") == "added" and list("remove") == "gone", list("add") .. " / " .. list("remove"))
end

return T
