--- shutdown: the orderly way down. Run the shutdown hooks (services stop
-- here) and the farewells (clients hear that PID 1 is going), then TERM
-- every process and wait for the reaper to see them go,
-- KILL what is left, the releases, unmount fstab's network filesystems and
-- take the network down, swapoff, sync, unmount in reverse order (read-only
-- whatever stays busy), and reboot(2). The waits end on reaping events, not
-- on fixed sleeps. A second request while one runs is ignored. The whole
-- way down has a deadline (deadline_ms), past which it is forced.
local event = require "luainit.event"
local process = require "luainit.process"
local sys = require "luainit.sys"
local fs = require "luainit.fs"
local log = require "log"
local sched = require "sched"

-- the most the orderly way down may take, as systemd's 30 min for
-- poweroff.target before it forces it: a hook or a step that waits for
-- ever (a boot file's hook, a network filesystem's server gone) held the
-- machine up for good. boot.lua may set M.deadline_ms.
local DEADLINE_MS = 30 * 60 * 1000

local M = { in_progress = false, hooks = {}, farewells = {}, releases = {}, network_users = {}, network_downs = {},
	grace_ms = 5000, kill_wait_ms = 2000, deadline_ms = DEADLINE_MS }

--- Run fn(kind) at shutdown before processes are killed; hooks run in the
-- reverse order of registration.
-- hook : (fn) -> nil
function M.hook(fn) M.hooks[#M.hooks + 1] = fn end

--- Take back a hook that is no longer needed.
-- unhook : (fn) -> nil
function M.unhook(fn)
	for i = #M.hooks, 1, -1 do
		if M.hooks[i] == fn then table.remove(M.hooks, i) end
	end
end

--- Run fn(kind) once the hooks are done (the services are down) and before
-- every remaining process is killed: a last word to clients, which are
-- among those processes (the control server ends `luactl log -f` here, so
-- that a follower hears the log end and exits by itself). fn may wait.
-- farewell : (fn) -> nil
function M.farewell(fn)
	if type(fn) ~= "function" then error("shutdown.farewell: function expected, got " .. type(fn), 2) end
	M.farewells[#M.farewells + 1] = fn
end

--- Run fn() once every process is gone, before sync and unmount: it closes
-- files PID 1 itself holds open for writing (service logs), which would
-- keep a filesystem from going read-only.
-- release : (fn) -> nil
function M.release(fn) M.releases[#M.releases + 1] = fn end

--- Run fn() as the step name after the releases and before the network
-- goes down: the last work that needs the network (netmounts unmounts
-- fstab's network filesystems here; after, an NFS unmount would wait for
-- a server it can no longer reach).
-- needs_network : (name, fn) -> nil
function M.needs_network(name, fn) M.network_users[#M.network_users + 1] = { name = name, fn = fn } end

--- Run fn() after needs_network's steps, the last thing before swapoff:
-- it takes the network down (network.lua releases its DHCP leases here).
-- Every process had the network until it was gone.
-- network_down : (fn) -> nil
function M.network_down(fn) M.network_downs[#M.network_downs + 1] = fn end

local function step(name, fn)
	local t0 = event.now()
	local ok, res, detail = xpcall(fn, log.traceback)
	-- as stage.step: false, why or nil, err is a failure
	if ok and res ~= false and (res ~= nil or detail == nil) then log.ok(type(res) == "string" and res or name, event.now() - t0)
	else log.failed(name, ok and detail or res, event.now() - t0) end
end

local function run(kind)
	local t0 = event.now()
	log.info("shutdown: %s requested", kind)
	for i = #M.hooks, 1, -1 do step("shutdown hook " .. i, function() return M.hooks[i](kind) end) end
	for _, fn in ipairs(M.farewells) do
		local ok, err = xpcall(fn, log.traceback, kind)
		if not ok then log.err("shutdown: farewell: %s", err) end
	end
	if process.getpid() == 1 then
		step("stop remaining processes", function()
			process.kill(-1, "TERM")
			process.kill(-1, "CONT")
			if sched.wait_no_children(M.grace_ms) then return "all processes exited" end
			process.kill(-1, "KILL")
			sched.wait_no_children(M.kill_wait_ms)
			return "killed processes that ignored SIGTERM"
		end)
	end
	for _, fn in ipairs(M.releases) do
		local ok, err = xpcall(fn, log.traceback)
		if not ok then log.err("shutdown: release: %s", err) end
	end
	-- after the releases (a service's log file may be on a network filesystem)
	for _, u in ipairs(M.network_users) do step(u.name, u.fn) end
	for _, fn in ipairs(M.network_downs) do step("stop the network", fn) end
	local machine = event.mode() == "pid1"
	step("swapoff", function()
		-- the swap a container sees is the host's
		if not machine then return "swap left to the host (container)" end
		local n, errs = sys.swapoff_all()
		if errs and #errs > 0 then return false, table.concat(errs, "; ") end
		return string.format("swapoff (%d device(s))", n or 0)
	end)
	step("sync", function() fs.sync() return "synced filesystems" end)
	step("unmount filesystems", function()
		if not machine then return "filesystems left to the host (container)" end
		local mount = require "luainit.mount"
		local results = mount.umount_all() or {}
		local un, ro, bad = 0, 0, {}
		for _, r in ipairs(results) do
			if r.result == "unmounted" then un = un + 1
			elseif r.result == "readonly" then ro = ro + 1
			elseif r.result == "failed" then bad[#bad + 1] = r.target .. ": " .. tostring(r.error) end
		end
		if #bad > 0 then return false, table.concat(bad, "; ") end
		return string.format("unmounted %d, remounted read-only %d", un, ro)
	end)
	fs.sync()
	log.info("shutdown: %s after %.0f ms", kind, event.now() - t0)
	if not machine then
		-- a container's init just ends: reboot(2) would act on the
		-- host (or, in a PID namespace, kill us with a signal)
		event.exit(0)
		return true
	end
	local ok, err = sys.reboot(kind)
	log.err("reboot(%s): %s", kind, tostring(err))
	return ok
end

--- Go down at once, with nothing on the way that can wait (no hook, no
-- unmount: the filesystems' journals take the rest): every process
-- killed, sync, reboot(2) (a container's init exits 1). why: the log's
-- reason. For a shutdown past its deadline, or Ctrl-Alt-Del pressed
-- again and again during one (pid1.lua).
-- force : (kind, why) -> nil
function M.force(kind, why)
	log.err("shutdown: %s; forcing it: killing every process, sync, %s", why, kind)
	if process.getpid() == 1 then process.kill(-1, "KILL") end
	fs.sync()
	if event.mode() == "pid1" then sys.reboot(kind) else event.exit(1) end
end

--- Start the shutdown (kind: "poweroff", "reboot" or "halt").
-- request : (kind) -> true | (nil, "already shutting down")
function M.request(kind)
	assert(kind == "poweroff" or kind == "reboot" or kind == "halt", "shutdown: bad kind")
	if M.in_progress then
		log.info("shutdown: already in progress (%s); ignoring %s", M.in_progress, kind)
		return nil, "already shutting down"
	end
	M.in_progress = kind
	local ms = M.deadline_ms
	local function force() M.force(kind, string.format("%s not done after %g s", kind, ms / 1000)) end
	-- (a deadline_ms a boot file set wrong must not keep the shutdown
	-- from starting: said, and the default taken)
	if not pcall(sched.after, ms, force, "shutdown deadline") then
		log.err("shutdown: deadline_ms %s: a number of ms from 0 expected; %g s taken",
			tostring(ms), DEADLINE_MS / 1000)
		ms = DEADLINE_MS
		sched.after(ms, force, "shutdown deadline")
	end
	sched.spawn(function()
		local ok, err = xpcall(run, log.traceback, kind)
		if not ok then
			-- the orderly path broke: still get the data to disk and go down
			log.err("shutdown: %s", err)
			fs.sync()
			if event.mode() == "pid1" then sys.reboot(kind) else event.exit(1) end
		end
	end, "shutdown")
	return true
end

return M
