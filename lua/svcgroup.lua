--- svcgroup: each service's cgroup v2 group, /sys/fs/cgroup/luainit/NAME:
-- making it (anew, with its limits), the controllers delegated to it,
-- listing and signalling its processes, and which service a process
-- belongs to. The settings are the supervisor's (cfg: supervisor.cgroups,
-- cgroup_root, memory_accounting, cgroup_clone).
local fs = require "luainit.fs"
local process = require "luainit.process"
local log = require "log"

local M = {}

-- keep: leave cgroup.procs open for the next call. Stopping reads it
-- twice, to signal the group and to see it empty once the main process
-- exited; the second read through the same descriptor spares an open
-- (~0.2 ms under emulation: a path walk and a file cgroupfs makes on
-- first use, against ~0.05 ms for the read).
--- The pids in svc's group (none without one).
-- pids : (svc, keep?) -> {pid}
function M.pids(svc, keep)
	if not svc.cgroup_path then return {} end
	local fd = svc.procs_fd
	local s
	if fd then
		s = fd:reread()
		svc.procs_fd = nil
		if keep then svc.procs_fd = fd else fd:close() end
	elseif keep then
		fd = fs.open(svc.cgroup_path .. "/cgroup.procs", "r")
		s = fd and fd:reread()
		svc.procs_fd = fd
	else
		s = fs.readfile(svc.cgroup_path .. "/cgroup.procs")
	end
	local out = {}
	-- (an empty group, as after its main process exited, needs no gmatch)
	if not s or s == "" then return out end
	-- pid 0 stands for a task outside our PID namespace: never signal it
	-- (kill(0, sig) would hit PID 1's own process group)
	for p in s:gmatch("%d+") do
		local pid = tonumber(p)
		if pid > 0 then out[#out + 1] = pid end
	end
	return out
end

-- Delegate a controller to the service groups (once). pids is always on
-- (`luactl status` shows pids.current); memory when cfg.memory_accounting
-- is set or a service sets memory_max, cpu when one sets cpu_weight: every
-- controller makes each new group dearer to create (under emulation, a
-- mkdir with memory and pids 0.31 ms, with pids alone 0.16), and memory
-- accounting makes every page a service faults in dearer to charge.
-- (A controller is on for all children of a group or for none; a second
-- root for the services with a limit was measured and left: see
-- docs/performance.md.)
local CG_MOUNT = "/sys/fs/cgroup"
local cg_enabled = {} -- root -> { controller = true }
local function cg_enable(root, ctrl)
	local on = cg_enabled[root]
	if not on then on = {} cg_enabled[root] = on end
	if on[ctrl] then return end
	on[ctrl] = true
	fs.writefile(CG_MOUNT .. "/cgroup.subtree_control", "+" .. ctrl)
	fs.writefile(root .. "/cgroup.subtree_control", "+" .. ctrl)
end

-- a limit of a definition's cgroup table, and the file it is written to
local LIMITS = { memory_max = "memory.max", pids_max = "pids.max", cpu_weight = "cpu.weight" }

--- Make svc's group (anew when it is empty) with its limits; nil without
-- cgroup v2 (process groups instead). cfg: the supervisor's settings
-- (cgroups, cgroup_clone: found out here when nil; cgroup_root,
-- memory_accounting).
-- setup : (svc, cfg) -> path | nil
function M.setup(svc, cfg)
	if cfg.cgroups == nil then
		local st = fs.statfs(CG_MOUNT)
		cfg.cgroups = st and st.type == "cgroup2" or false
		if cfg.cgroups then
			-- clone3 straight into a service's group only from the root
			-- group, whose cgroup.kill count is always 0 (see below)
			if cfg.cgroup_clone == nil then
				cfg.cgroup_clone = (fs.readfile("/proc/self/cgroup") or ""):match("^0::/\n") ~= nil
			end
		else
			log.warn("no cgroup v2 at /sys/fs/cgroup: services fall back to process groups")
		end
	end
	if not cfg.cgroups then svc.cgroup_path, svc.cgroup_clone = nil, false return nil end
	if svc.procs_fd then svc.procs_fd:close() svc.procs_fd = nil end
	local root = cfg.cgroup_root
	if not (cg_enabled[root] and cg_enabled[root].pids) then
		fs.mkdirp(root, 493)
		cg_enable(root, "pids")
	end
	if cfg.memory_accounting then cg_enable(root, "memory") end
	local limits = svc.cgroup
	if limits.cpu_weight ~= nil then cg_enable(root, "cpu") end
	if limits.memory_max ~= nil then cg_enable(root, "memory") end
	local path = root .. "/" .. svc.name
	-- a new group starts with no limits: write only what is configured;
	-- a group left from an earlier run may hold old limits: reset those too
	local fresh = fs.mkdir(path, 493)
	-- a group left by an earlier run (stopped, killed with cgroup.kill) is
	-- made anew when empty: some kernels (6.18, for one) kill a child
	-- cloned into a group whose cgroup.kill count differs from its
	-- parent's group's, i.e. into any group that was ever killed
	if not fresh and fs.rmdir(path) then fresh = fs.mkdir(path, 493) end
	svc.cgroup_clone = fresh and cfg.cgroup_clone or false
	-- (a new group without limits, the usual start, has nothing to write)
	if not fresh or next(limits) ~= nil then
		for key, file in pairs(LIMITS) do
			local v = limits[key]
			if v ~= nil or not fresh then
				local ok, err = fs.writefile(path .. "/" .. file, v ~= nil and tostring(v) or (key == "cpu_weight" and "100" or "max"))
				if not ok and v ~= nil then log.warn("%s: cgroup %s: %s", svc.name, file, err) end
			end
		end
	end
	svc.cgroup_path = path
	return path
end

--- Remove the group at path, retrying for up to 1 s while it is busy: a
-- group whose last process just exited can be for a moment (rmdir fails
-- with EBUSY), and one rmdir left it. True once it is gone. From a task.
-- remove : (path) -> boolean
function M.remove(path)
	for _ = 1, 50 do
		if fs.rmdir(path) or not fs.exists(path) then return true end
		require("sched").sleep(20)
	end
	return false
end

--- Kill everything left in the service's group (or process group); true
-- when that reached the main process. keep: see pids. cont: each gets a
-- SIGCONT after sig, as systemd sends one: a stopped process holds its
-- TERM until it runs, and one of a service's helpers stopped (SIGSTOP, a
-- debugger) waited for the KILL at stop_timeout.
-- kill : (svc, sig, keep?, cont?) -> boolean | nil
function M.kill(svc, sig, keep, cont)
	if svc.cgroup_path then
		if sig == "KILL" and fs.writefile(svc.cgroup_path .. "/cgroup.kill", "1") then return end
		local main = false
		for _, p in ipairs(M.pids(svc, keep)) do
			process.kill(p, sig)
			if cont then process.kill(p, "CONT") end
			main = main or p == svc.pid
		end
		return main
	elseif svc.pgid then
		process.killpg(svc.pgid, sig)
		if cont then process.killpg(svc.pgid, "CONT") end
	end
end

-- The group path as /proc/PID/cgroup shows it ("/luainit/NAME"), when the
-- groups live under /sys/fs/cgroup.
local function cg_rel(path) return path and path:match("^/sys/fs/cgroup(/.*)$") end

--- May pid become svc's main process (MAINPID=, a forking service's pid
-- file)? Never PID 1 or a pid that names a process group (<= 1), and with
-- a group of its own only one of the group's processes: PID 1 signals the
-- main process when the service stops.
-- owns : (svc, pid) -> boolean
function M.owns(svc, pid)
	if not pid or pid <= 1 then return false end
	local rel = cg_rel(svc.cgroup_path)
	if not rel then return process.kill(pid, 0) == true end
	local cg = fs.readfile("/proc/" .. pid .. "/cgroup")
	-- the group itself, or a group the service made under it
	return cg ~= nil and (cg:find("0::" .. rel .. "\n", 1, true) or cg:find("0::" .. rel .. "/", 1, true)) ~= nil
end

-- A process's parent and process group, from its /proc/PID/stat ("pid
-- (comm) state ppid pgrp ...": comm may hold spaces and ")"); nil once
-- it is gone.
local function stat_ids(path)
	local s = fs.readfile(path)
	if not s then return nil end
	local p, g = s:match("^.*%) %S+ (%-?%d+) (%-?%d+) ")
	if p then return math.tointeger(tonumber(p)), math.tointeger(tonumber(g)) end
end

--- The parent of pid now; nil once it is gone.
-- ppid_of : (pid) -> integer | nil
function M.ppid_of(pid) return (stat_ids("/proc/" .. pid .. "/stat")) end

--- The process group pid is in now, from /proc/PID/stat; nil for none
-- PID 1 may signal: 0 (outside this PID namespace), 1, or PID 1's own.
-- pgid_of : (pid) -> integer | nil
local own_pgid
local function stat_pgid(path) return select(2, stat_ids(path)) end
function M.pgid_of(pid)
	own_pgid = own_pgid or stat_pgid("/proc/self/stat") or 0
	local g = stat_pgid("/proc/" .. pid .. "/stat")
	if not g or g <= 1 or g == own_pgid then return nil end
	return g
end

--- The service whose group pid is in (any process of a service's group
-- may send sd_notify messages for it): nil for none.
-- service_of : (cfg, services, pid) -> svc | nil
function M.service_of(cfg, services, pid)
	local cg, rel = fs.readfile("/proc/" .. pid .. "/cgroup") or "", cg_rel(cfg.cgroup_root)
	local at = rel and cg:find("0::" .. rel .. "/", 1, true)
	local name = at and cg:match("^([^/\n]+)", at + #rel + 4)
	return name and services[name] or nil
end

return M
