--- netmounts: fstab's entries that need the network (stage.is_network),
-- mounted once it is online, each by a child luainit so that a server
-- that does not answer never holds PID 1, and unmounted at shutdown before
-- the network goes down. Loaded by boot.fstab() only when fstab has one.
local fs = require "luainit.fs"
local log = require "log"
local stage = require "stage"

local M = {}

--- The targets fstab's network entries mounted, in the order they were
-- mounted: shutdown unmounts them before the network goes down.
M.mounted = {}

--- The targets of entries without nofail that were tried and not
-- mounted (failed, or the network did not come in time), in the order
-- they failed: what a service that requires "remote-fs" is told.
M.failed = {}

-- mount_later's tasks still at work (boot.fstab calls it once, a test
-- may call it again): "remote-fs" is reached when none is
local pending = 0

-- path t as mountinfo writes a target: no trailing "/" ("/" stays "/");
-- under and the mount table lookups both compare paths through it
local function key(t) return (t:gsub("(.)/+$", "%1")) end

-- path is dir or below it (whole components)
local function under(path, dir)
	path, dir = key(path or ""), key(dir)
	local prefix = dir == "/" and dir or dir .. "/"
	return path == dir or path:sub(1, #prefix) == prefix
end

local function binds(e) return stage.has_option(e.options, "bind") or stage.has_option(e.options, "rbind") end

--- Split fstab entries into those mounted at once and those that wait for
-- the network, each in fstab order. An entry waits when it needs the
-- network (stage.is_network), when its mount point is below one that waits
-- (mounted now, the network filesystem would hide it), and when it binds
-- a path below one (it would bind the empty directory). network:
-- stage.is_network of each entry, by index, when the caller has asked
-- already (boot.fstab has).
-- split : (entries, network?) -> now, late
function M.split(entries, network)
	local now, late = {}, {}
	for i, e in ipairs(entries) do
		local wait
		if network then wait = network[i] else wait = stage.is_network(e) end
		local bind = binds(e)
		for _, l in ipairs(late) do
			if wait then break end
			wait = under(e.target, l.target) or (bind and under(e.source, l.target))
		end
		if wait then late[#late + 1] = e else now[#now + 1] = e end
	end
	return now, late
end

-- The first mount registers the unmount with the shutdown.
local registered = false
local function mounted(target)
	if not registered then
		registered = true
		require("shutdown").needs_network("unmount network filesystems", M.umount)
	end
	M.mounted[#M.mounted + 1] = target
end

-- stage.mount_here in a child luainit (`--lua /dev/stdin`, the script
-- on a pipe), all of it: a network filesystem's mount(2) can wait minutes
-- on its server, and so can the stat that asks whether the mount point is
-- one already and the mkdir that makes it (one below another network
-- filesystem, or one whose server stopped answering), while PID 1 goes on
-- reaping, restarting and answering luactl. Only from a task
-- (sched.wait_child). The child writes "already", or the options left out
-- (X-mount.* names: never "already"), or its error. A mount done is
-- recorded (mounted); one found there already is not ours to unmount. One
-- not done within its time (mount_timeout) is killed, and fails.
local MOUNT_CHILD = [[
local a = function(i) return arg[i] ~= "" and arg[i] or nil end
local ok, r = require("stage").mount_here({ source = a(1), target = arg[2], fstype = a(3),
	options = a(4) })
io.stdout:write(ok and (r == "already" and r or table.concat(r or {}, ",")) or r)
os.exit(ok and 0 or 1)
]]
-- how long a mount child killed at its time is waited for
local KILL_WAIT_MS = 2000

--- The time entry e's mount child has, in ms, and what set it:
-- x-systemd.mount-timeout= as systemd reads it (a time span: "30",
-- "2min", "500ms"; 0 or "infinity": no limit, nil returned), else
-- stage.netmount_timeout_ms, read now. A value that is no time span
-- gives the default too, and is returned third (mount_later warns of it
-- at boot, with the line, as systemd ignores it with a warning).
-- mount_timeout : (e) -> ms | nil, what, bad?
function M.mount_timeout(e)
	local v
	for o in (e.options or ""):gmatch("[^,]+") do
		v = o:match("^x%-systemd%.mount%-timeout=(.*)$") or v
	end
	local sec = v and require("unitfile").seconds(v)
	if not sec then return stage.netmount_timeout_ms, "stage.netmount_timeout_ms", v end
	if sec == 0 or sec == math.huge then return nil, "x-systemd.mount-timeout" end
	return sec * 1000, "x-systemd.mount-timeout"
end

local function mount_in_child(e, timeout, what)
	local process, sched = require "luainit.process", require "sched"
	local script_r, script_w = fs.pipe()
	local out_r, out_w = fs.pipe()
	script_w:write(MOUNT_CHILD)
	script_w:close()
	local pid, err = process.spawn({ path = "/proc/self/exe",
		argv = { "luainit", "--lua", "/dev/stdin", e.source or "", e.target, e.fstype or "", e.options or "" },
		stdin = script_r, stdout = out_w, stderr = out_w })
	script_r:close()
	out_w:close()
	if not pid then out_r:close() return nil, err end
	local how, code = sched.wait_child(pid, timeout)
	if not how then
		-- a server that does not answer: the child waits in mount(2), which
		-- SIGKILL ends (NFS and CIFS wait killably); the reaper takes it,
		-- and this task waits for that a bounded time only: a child stuck
		-- past SIGKILL is reaped whenever it ends, with nothing waiting
		process.kill(pid, "KILL")
		how, code = sched.wait_child(pid, KILL_WAIT_MS)
		-- (one that mounted as the time ran out has exited 0: mounted)
		if how ~= "exited" or code ~= 0 then
			-- not read: a child still alive holds the pipe, and the read would wait
			out_r:close()
			return nil, string.format("mount %s: not done after %g s (%s); "
				.. "the mounting child (pid %d) was killed%s", e.target, timeout / 1000, what, pid,
				how and "" or string.format(", and is not gone after %g s more", KILL_WAIT_MS / 1000))
		end
	end
	local text = out_r:read(4096) or ""
	out_r:close()
	if how ~= "exited" or code ~= 0 then
		return nil, text ~= "" and text or string.format("mount %s: the mounting child %s %s", e.target,
			how == "exited" and "exited with" or "was killed by signal", tostring(code))
	end
	if text == "already" then return true, "already" end
	mounted(e.target)
	local skipped = {}
	for o in text:gmatch("[^,]+") do skipped[#skipped + 1] = o end
	return true, #skipped > 0 and skipped or nil
end

--- Is the work done: every entry that waits for the network mounted or
-- given up on? True at once when fstab has no such entry (mount_later
-- was never called). The supervisor's "remote-fs" (systemd's
-- remote-fs.target); when it becomes true, sched.wake("remote-fs") and
-- the supervisor's kick.
-- done : () -> boolean
function M.done() return pending == 0 end

-- How many mounts each target of the mount table has, read once, without
-- a stat or a realpath of any: one of a network filesystem whose server
-- no longer answers would hold PID 1 there. A target fstab wrote through
-- a symlink is not resolved: it is not found.
-- mounted_targets : () -> {[target] = integer}
local function mounted_targets()
	local now = {}
	for _, m in ipairs(require("luainit.mount").mountinfo() or {}) do
		now[m.target] = (now[m.target] or 0) + 1
	end
	return now
end

--- The targets of M.failed that are still not mount points (one mounted
-- by hand since is left out), in order: a service that requires
-- "remote-fs" fails when this is not empty. From the mount table
-- (mounted_targets), not a stat of each target.
-- not_mounted : () -> {target}
function M.not_mounted()
	-- the mount table is read only when one failed
	if #M.failed == 0 then return {} end
	local now = mounted_targets()
	local out = {}
	for _, t in ipairs(M.failed) do
		if not now[key(t)] then out[#out + 1] = t end
	end
	return out
end

-- Entries whose mounts meet wait for one another, in fstab order: a
-- mount point below or above the other's, or a bind of a path below the
-- other's mount point. Mounted side by side, the outcome would depend on
-- which child is quicker (one hidden under the other, a bind of the empty
-- directory).
local function related(a, b)
	return under(a.target, b.target) or under(b.target, a.target)
		or (binds(a) and under(a.source, b.target)) or (binds(b) and under(b.source, a.target))
end

--- Mount fstab's entries that wait for the network (split), once
-- network.online says so, or report them left unmounted after
-- stage.netdev_timeout_ms. Each is mounted by a child (mount_in_child),
-- all at once but for the entries that meet an earlier one (related),
-- which wait for it: a server that does not answer holds its own entries,
-- not the ones after it. A service ordered after "network-online" may
-- start before its mount is done; one ordered after "remote-fs" waits
-- until every entry was tried (M.done). A child not done within its time
-- (mount_timeout: x-systemd.mount-timeout=, else
-- stage.netmount_timeout_ms) is killed and its entry fails, so a server
-- that does not answer holds "remote-fs" that long, not forever. A failure never opens the rescue console:
-- services may be running by then; one without nofail is an error in the
-- log, and in M.failed. path: the fstab file, for the messages.
-- mount_later : (entries, path) -> nil
function M.mount_later(late, path)
	local sched = require "sched"
	local targets = {}
	for _, e in ipairs(late) do
		targets[#targets + 1] = e.target
		-- a bad x-systemd.mount-timeout= is said at boot, with its line
		-- (the time itself is read again as the mount starts: a boot file
		-- may set stage.netmount_timeout_ms after boot.fstab())
		local ms, _, bad = M.mount_timeout(e)
		if bad then
			log.warn("%s%s: x-systemd.mount-timeout=%s: expected a time span such as 30, 2min or infinity; "
				.. "%g s (stage.netmount_timeout_ms) used", e.line and (path .. ":" .. e.line .. ": ") or "",
				e.target, bad, ms / 1000)
		end
	end
	log.info("fstab: waiting for the network to mount %s", table.concat(targets, ", "))
	local timeout = stage.netdev_timeout_ms
	-- counted before the task runs: boot.fstab returns with "remote-fs"
	-- not reached, and the services start after it
	pending = pending + 1
	sched.spawn(function()
		-- however the task ends (a shutdown, an error), it is done
		local _ <close> = setmetatable({}, { __close = function()
			pending = pending - 1
			if pending == 0 then
				sched.wake("remote-fs")
				-- services waiting for it (no watch task of the
				-- supervisor's for one event a boot, if any)
				local sup = package.loaded.supervisor
				if sup then sup.kick() end
			end
		end })
		-- (boot.fstab() comes before boot.network(): this may be the
		-- first require of network, which is online only once started)
		local why = not require("network").wait_online(timeout) and string.format("network not online "
			.. "after %g s (stage.netdev_timeout_ms); left unmounted", timeout / 1000)
		-- tried[i]: entry i was tried (or passed over); woken on that key
		local tried, left = {}, #late
		for i, e in ipairs(late) do
			local before = {}
			for j = 1, i - 1 do
				if related(e, late[j]) then before[#before + 1] = j end
			end
			sched.spawn(function()
				local _ <close> = setmetatable({}, { __close = function()
					tried[i], left = true, left - 1
					sched.wake(tried)
				end })
				for _, j in ipairs(before) do
					while not tried[j] do sched.wait(tried) end
				end
				-- a shutdown that came meanwhile (it killed the last child) gets
				-- no new one: it would mount after the network filesystems'
				-- unmount, or hang the wait for the last processes
				if require("shutdown").in_progress then return end
				local ok = stage.timed("mount " .. e.target, function()
					if why then return false, why end
					return stage.mount_result(e, path, mount_in_child(e, M.mount_timeout(e)))
				end)
				if not ok and not e.nofail then
					M.failed[#M.failed + 1] = e.target
					-- (a shutdown's kill of the child: the [FAILED] line says it)
					if not require("shutdown").in_progress then
						log.err("fstab: %s is not mounted and has no nofail; the boot goes on (a network "
							.. "mount opens no rescue console)", e.target)
					end
				end
			end, "fstab: mount " .. e.target)
		end
		while left > 0 do sched.wait(tried) end
	end, "fstab: network mounts")
end

--- Unmount what fstab's network entries mounted (M.mounted), last
-- mounted first: shutdown calls it once every process is gone, before
-- the network goes down (an NFS unmount needs its server). One that
-- fails is tried again with force (MNT_FORCE: an NFS or CIFS client gives
-- up the requests it waits on); what is left goes with every other mount.
-- One no longer in the mount table (mounted_targets: no stat of a path a
-- silent server holds) is passed over. The table is read once: each
-- unmount takes one off its target's count, so a target recorded twice
-- (two binds there) of which one was unmounted by hand is unmounted once.
-- umount : () -> string | (false, string)
function M.umount()
	local mount = require "luainit.mount"
	local now = mounted_targets()
	local n, bad = 0, {}
	for i = #M.mounted, 1, -1 do
		local t = M.mounted[i]
		local k = key(t)
		if (now[k] or 0) > 0 then
			now[k] = now[k] - 1
			local ok, err = mount.umount(t)
			if not ok then ok, err = mount.umount(t, { force = true }) end
			if ok then n = n + 1 else bad[#bad + 1] = err end
		end
	end
	M.mounted = {}
	if #bad > 0 then return false, table.concat(bad, "; ") end
	return string.format("unmounted %d network filesystem(s)", n)
end

return M
