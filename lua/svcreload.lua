--- svcreload: `luactl reload` for the supervisor: comparing the service
-- definitions read again with the running ones (the plan: add, remove,
-- change, keep) and applying it, touching only the services that changed.
-- Loaded on the first reload; supervisor.reload_plan and
-- supervisor.reload call it with the supervisor.
local event = require "luainit.event"
local sched = require "sched"
local fields = require("services").fields

local M = {}

local now = event.now

local function deep_equal(a, b)
	if a == b then return true end
	if type(a) ~= "table" or type(b) ~= "table" then return false end
	for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
	for k in pairs(b) do if a[k] == nil then return false end end
	return true
end

-- The fields that say nothing about how the service runs, only what it
-- is called and whether the boot starts it: a change of these alone is
-- applied in place, to a running service too (as systemd's daemon-reload
-- after a disable: nothing stops until asked). It used to restart it.
local LIVE = { description = true, enabled = true }
M.LIVE = LIVE

-- svc takes def's LIVE fields (the definition's own value: nil leaves the
-- default to the metatable, as a definition copied at add does)
local function set_live(svc, def)
	for k in pairs(LIVE) do svc[k] = rawget(def, k) end
end

-- How a definition changed: "change" (restart) if any other field a
-- definition may set differs, "update" if only LIVE ones do, nil if none
-- (the runtime fields of the running service are not compared).
local function changed(old, new)
	local live = false
	for k in pairs(fields) do
		if not deep_equal(old[k], new[k]) then
			if not LIVE[k] then return "change" end
			live = true
		end
	end
	if old.file ~= new.file then return "change" end
	return live and "update" or nil
end

-- Whether svc is up or on its way up, what a changed service must be
-- again with its new definition: ready, starting, in backoff, or
-- stopping for a restart. Down is stopped (luactl stop, or its own exit
-- that restart does not restart), failed, a oneshot done (a reload ran a
-- finished one-time job again), or stopping for a stop. As
-- after systemd's daemon-reload (and in s6 and runit, where a service
-- brought down stays down), a reload leaves such a service down: want is
-- no guide, as it stays set after a failure or a clean exit, and enabled
-- is for the boot; a changed service that an admin had stopped was
-- started again. Ready or starting with want cleared is a stop asked for
-- that waits until what requires it is down (supervisor.stop_with): down
-- too (the reload restarted it, undoing the stop).
local UP = { ready = true, starting = true, backoff = true }
local function up(svc)
	if svc.state == "stopping" then return svc.want or false end
	return UP[svc.state] and svc.want ~= false or false
end

--- What a reload to newset would do in sup: names to add, remove, change
-- (restart: it is up), update (description or enabled, in place),
-- update_down (changed, but down: the new definition, left down) and
-- keep, each sorted; and restart_with, the unchanged services that are
-- up and require a changed one (directly or not), restarted with it as
-- luactl restart does (supervisor.stop_with), with because[name], the
-- changed service that brings each (the first by name).
-- plan : (sup, {name = def}) -> {add, remove, change, update, update_down, keep, restart_with, because}
function M.plan(sup, newset)
	local plan = { add = {}, remove = {}, change = {}, update = {}, update_down = {}, keep = {},
		restart_with = {}, because = {} }
	for name, def in pairs(newset) do
		local cur = sup.services[name]
		local how = cur and changed(cur, def)
		if how == "change" and not up(cur) then how = "update_down" end
		if not cur then plan.add[#plan.add + 1] = name
		elseif how then plan[how][#plan[how] + 1] = name
		else plan.keep[#plan.keep + 1] = name end
	end
	for name in pairs(sup.services) do
		if not newset[name] then plan.remove[#plan.remove + 1] = name end
	end
	table.sort(plan.change)
	local restarted = {}
	for _, name in ipairs(plan.change) do restarted[name] = true end
	for _, list in ipairs({ plan.remove, plan.update_down }) do
		for _, name in ipairs(list) do restarted[name] = true end
	end
	for _, name in ipairs(plan.change) do
		for _, r in ipairs(sup.requirers(name)) do
			-- (requirers lists one stopping for a stop asked for too: apply
			-- leaves it down, so it is no restart)
			if not restarted[r] and not plan.because[r] and up(sup.services[r]) then
				plan.because[r] = name
				plan.restart_with[#plan.restart_with + 1] = r
			end
		end
	end
	-- what comes with a restart is no longer unchanged or only updated
	for _, key in ipairs({ "keep", "update" }) do
		local kept = {}
		for _, name in ipairs(plan[key]) do if not plan.because[name] then kept[#kept + 1] = name end end
		plan[key] = kept
	end
	for key, l in pairs(plan) do if key ~= "because" then table.sort(l) end end
	return plan
end

local DOWN = { stopped = true, failed = true, done = true, backoff = true }

local function wait_down(sup, name, timeout_ms)
	local deadline = now() + timeout_ms
	while true do
		local svc = sup.services[name]
		if not svc or (DOWN[svc.state] and not svc.pid) then return true end
		if now() >= deadline then return false end
		sched.wait("svc:" .. name, math.min(1000, deadline - now()))
	end
end

--- Apply a reload plan (from plan) in a task: stop removed and changed
-- services, drop the removed ones, replace the changed ones' definitions
-- and start those that were up again (change; update_down ones stay
-- down, in the state they were in), set the updated ones' LIVE fields,
-- add and start (if enabled) the new ones. Unchanged and updated
-- services are not stopped or started.
-- progress(msg) is told each step.
-- apply : (sup, newset, plan, progress?) -> {failed = {name}}
function M.apply(sup, newset, plan, progress)
	progress = progress or function() end
	local failed = {}
	local down = plan.update_down or {}
	-- until the new definitions are in, a start of one of these (luactl
	-- start, a service pulling it in) is refused (supervisor.start): made
	-- between its stop and its replacement, it ran the old definition,
	-- which the reload then left as it was. Dropped however apply returns;
	-- then a service that waits for one of them, its pull refused, pulls
	-- it again (kick): it waited for good when the reload left it down
	local held = {}
	for _, list in ipairs({ plan.remove, plan.change, down, plan.restart_with or {} }) do
		for _, name in ipairs(list) do held[name] = true end
	end
	sup.held = held
	local function release()
		if sup.held == held then sup.held = nil sup.kick() end
	end
	local _ <close> = setmetatable({}, { __close = release })
	-- what requires a changed service goes down before it and comes back
	-- after it, as with luactl restart: the changed services that have
	-- such with those, in one ordered stop (supervisor.stop_with). One
	-- that was on its way down for a stop asked for before stays down.
	local with, again = plan.restart_with or {}, {}
	for _, name in ipairs(with) do
		local svc = sup.services[name]
		again[name] = svc ~= nil and svc.want
		if svc then progress(string.format("stopping %s (it requires %s)", name, tostring(plan.because[name]))) end
	end
	if #with > 0 then
		local names, ms = {}, 5000
		for _, name in ipairs(plan.change) do
			local svc = sup.services[name]
			if svc and #sup.requirers(name) > 0 then
				-- (down once stop_with returns: the loop below, which tells
				-- the others' stops, passes over it)
				progress("stopping " .. name)
				names[#names + 1] = name
				ms = ms + svc.stop_timeout * 1000
			end
		end
		for _, a in ipairs(with) do ms = ms + sup.services[a].stop_timeout * 1000 end
		-- (a raise, a memory error, must not end the reload between its
		-- stops and its starts)
		local ok, err = pcall(sup.stop_with, names, ms)
		if not ok then progress(table.concat(names, ", ") .. ": stop: " .. tostring(err)) end
	end
	-- (a down service may still be stopping: replaced once it is down)
	local stopping = { plan.remove, plan.change, down, with }
	for _, list in ipairs(stopping) do
		for _, name in ipairs(list) do
			local svc = sup.services[name]
			if svc.pid or not DOWN[svc.state] then progress("stopping " .. name) end
			sup.stop(name)
		end
	end
	for _, list in ipairs(stopping) do
		for _, name in ipairs(list) do
			local svc = sup.services[name]
			if not wait_down(sup, name, (svc.stop_timeout + 5) * 1000) then
				failed[#failed + 1] = name
				progress(name .. ": did not stop")
			end
		end
	end
	sched.sleep(0) -- act from the loop, not from inside a wake-up
	for _, name in ipairs(plan.remove) do
		local svc = sup.services[name]
		if svc and not svc.pid then
			if svc.cgroup_path then require("svcgroup").remove(svc.cgroup_path) end
			sup.remove(name)
			progress("removed " .. name)
		end
	end
	for _, name in ipairs(plan.update or {}) do
		local svc, def = sup.services[name], newset[name]
		if svc then
			set_live(svc, def)
			progress("updated " .. name)
		end
	end
	local to_start = {}
	for _, list in ipairs({ plan.change, down }) do
		for _, name in ipairs(list) do
			local old = sup.services[name]
			if old and not old.pid then
				sup.remove(name)
				sup.add({ [name] = newset[name] })
				local svc = sup.services[name]
				svc.ring, svc.restarts = old.ring, old.restarts
				-- the boot's picture (luactl analyze) stays the boot's
				svc.boot, svc.first_started_at, svc.first_ready_at = old.boot, old.first_started_at, old.first_ready_at
				progress("replaced the definition of " .. name)
				if list == down then
					-- stopped or failed as it was, and why, until luactl
					-- start (a failed one is not made "stopped")
					svc.state, svc.why, svc.since, svc.last_exit = old.state, old.why, old.since, old.last_exit
				else
					to_start[#to_start + 1] = name
				end
			end
		end
	end
	for _, name in ipairs(plan.add) do
		sup.add({ [name] = newset[name] })
		progress("added " .. name)
		if newset[name].enabled then to_start[#to_start + 1] = name end
	end
	for _, name in ipairs(with) do
		local svc, def = sup.services[name], newset[name]
		if svc and def then
			set_live(svc, def)
			if again[name] then to_start[#to_start + 1] = name end
		end
	end
	release()
	for _, name in ipairs(to_start) do
		progress("starting " .. name)
		sup.start(name)
	end
	for _, name in ipairs(to_start) do
		local st = sup.wait_settled(name, (sup.services[name].start_timeout + 5) * 1000)
		if st ~= "ready" and st ~= "done" then
			failed[#failed + 1] = name
			progress(name .. ": " .. tostring(st))
		end
	end
	return { failed = failed }
end

return M
