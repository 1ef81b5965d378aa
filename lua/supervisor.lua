--- supervisor: runs the services, one explicit state machine each.
--
-- States: stopped, starting, ready, stopping, backoff, failed, done.
-- Events: start, stop, ready, exit, timeout, retry, watchdog.
-- `M.transitions[state][event]` is the one place that decides what happens;
-- an event a state does not list is ignored (and logged in debug mode).
--
-- Each service runs in its own cgroup v2 (/sys/fs/cgroup/luainit/<name>,
-- svcgroup.lua), so stopping kills the whole group and nothing escapes by
-- double-forking.
-- Its stdout and stderr come to PID 1 through a pipe: every line goes to a
-- bounded ring and to /var/log/luainit/<name>.log (svclog.lua). Readiness
-- comes from the sd_notify socket (type "notify"), a newline on a
-- descriptor (type "fd"), a clean exit (type "oneshot"), the pid file
-- (type "forking") or at once (type "simple").
local event = require "luainit.event"
local fs = require "luainit.fs"
local process = require "luainit.process"
local log = require "log"
local sched = require "sched"
local svcgroup = require "svcgroup"
local svclog = require "svclog"

local M = {
	services = {},      -- name -> svc
	waiting = {},       -- svc -> true: starting, waiting for dependencies
	by_pid = {},        -- main pid -> svc
	down_hooks = {},    -- fn -> true: called with each service that goes down (stop_set)
	cgroup_root = "/sys/fs/cgroup/luainit",
	-- (not in /run/luainit, the control socket's 0700 directory: a
	-- service that runs as another user must reach it)
	notify_path = "/run/luainit-notify/notify",
	log_dir = "/var/log/luainit",
	path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	realtime = true,    -- stop_all at real-time priority (see M.stop_all)
	starts = 0,         -- how many starts were asked for (stop_set)
}

local now = event.now
local UP = { ready = true, done = true }
local RUNNING = { starting = true, ready = true, stopping = true }
local EMPTY = setmetatable({}, { __newindex = function() error("EMPTY is read-only", 2) end })

local function set_state(svc, state, why)
	if svc.state ~= state then
		if log.debug_enabled then
			log.debug("%s: %s -> %s%s", svc.name, tostring(svc.state), state, why and (" (" .. why .. ")") or "")
		end
		svc.state = state
		svc.since = now()
	end
	svc.why = why
	local key = svc.wake_key
	if not key then key = "svc:" .. svc.name svc.wake_key = key end
	sched.wake(key, state)
	if not RUNNING[state] then
		local hooks = M.down_hooks
		local f = next(hooks)
		if f ~= nil and next(hooks, f) == nil then
			f(svc) -- (one stop under way, the usual case: no copy)
		elseif f ~= nil then
			-- (a copy: a hook may wake a task that adds or drops one)
			local list = {}
			for h in pairs(hooks) do list[#list + 1] = h end
			for _, h in ipairs(list) do if hooks[h] then h(svc) end end
		end
	end
end

---------------------------------------------------------------- cgroups

-- (svcgroup.lua: the groups; here the supervisor's names for its calls)
local cg_pids, kill_all, owns = svcgroup.pids, svcgroup.kill, svcgroup.owns
local function cg_setup(svc) return svcgroup.setup(svc, M) end
M.cg_pids = cg_pids

---------------------------------------------------------------- logs

--- Record one line of a service's output (svclog.record: its ring, then
-- its log file). control.lua wraps it to pass lines on to `luactl log -f`.
-- log_line : (svc, line) -> nil
function M.log_line(svc, line) svclog.record(svc, line, M.log_dir, M.logs_closed) end

--- The path of a service's log file: log.file, or <log_dir>/<name>.log;
-- nil with log.file = false.
-- log_file : (svc) -> path | nil
function M.log_file(svc) return svclog.path(svc, M.log_dir) end
M.NOT_FILE = svclog.NOT_FILE

-- One output handler for every spawn (a closure made per spawn was
-- garbage at each start); it looks M.log_line up at each line, as control
-- may have wrapped it since.
local function on_line(svc, line) M.log_line(svc, line) end
local function watch_output(svc, rfd) svclog.watch(svc, rfd, on_line) end

--- Close every service's log file and stop reopening them (shutdown calls
-- this once every process is gone, before it unmounts); lines still go to
-- the rings.
-- close_logs : () -> nil
function M.close_logs()
	M.logs_closed = true
	for _, svc in pairs(M.services) do svclog.close(svc) end
end

---------------------------------------------------------------- timers

-- A timer tied to the service's current run: it fires event ev unless the
-- service moved on (its generation changed) or the timer was replaced or
-- cancelled. A callback on the loop, not a task: a service has a timer
-- running most of its life (start, stop, restart delay, watchdog).
local function cancel(svc, key)
	local t = svc.timers and svc.timers[key]
	if t then t.cancelled = true svc.timers[key] = nil end
end

local function timer(svc, ms, ev, key)
	key = key or ev
	cancel(svc, key)
	svc.timers = svc.timers or {}
	local gen, t = svc.gen, nil
	t = sched.after(ms, function()
		if svc.gen == gen and svc.timers[key] == t then
			svc.timers[key] = nil
			M.dispatch(svc, ev)
		end
	end, svc.name)
	svc.timers[key] = t
end

---------------------------------------------------------------- starting

-- "network-online": not a service, the network's readiness (network.lua)
local NETWORK_ONLINE = "network-online"

local function network_online()
	local net = package.loaded.network
	return net ~= nil and net.online == true
end

-- "remote-fs": not a service either, fstab's network mounts done
-- (netmounts.lua: each mounted or given up on). Without netmounts,
-- fstab has none and it is reached at once: boot.fstab() runs before
-- the services start, and loads netmounts when it has some.
local REMOTE_FS = "remote-fs"
local WAIT_REMOTE_FS = "waiting for network filesystems"

local function remote_fs_done()
	local nm = package.loaded.netmounts
	return nm == nil or nm.done()
end

local function deps_state(svc)
	if #svc.requires == 0 and #svc.after == 0 then return "go" end
	for _, d in ipairs(svc.requires) do
		if d == NETWORK_ONLINE then
			if not network_online() then return "wait", "waiting for the network" end
			goto next
		end
		if d == REMOTE_FS then
			if not remote_fs_done() then return "wait", WAIT_REMOTE_FS end
			local nm = package.loaded.netmounts
			local left = nm and nm.not_mounted()
			if left and #left > 0 then
				return "failed", "requires 'remote-fs': network filesystem(s) not mounted: " .. table.concat(left, ", ")
			end
			goto next
		end
		local dep = M.services[d]
		if not dep then return "failed", "requires '" .. d .. "', which is not defined" end
		if dep.state == "failed" then return "failed", "dependency '" .. d .. "' failed" end
		if not UP[dep.state] then return "wait", "waiting for " .. d end
		::next::
	end
	for _, d in ipairs(svc.after) do
		-- (network.started: a network module loaded by hand, say at the
		-- rescue console, configures nothing to wait for)
		local net = d == NETWORK_ONLINE and package.loaded.network
		if net and net.started and not net.settled then
			return "wait", "waiting for the network"
		end
		if d == REMOTE_FS and not remote_fs_done() then return "wait", WAIT_REMOTE_FS end
		local dep = M.services[d]
		if dep and dep.want and not UP[dep.state] and dep.state ~= "failed" then
			return "wait", "waiting for " .. d
		end
	end
	return "go"
end

-- The environment of a service that sets none of its own, shared by all
-- of them (process.spawn only reads it), for the PATH it was made with.
-- Its test names every source of variables below: a new one goes there too.
local plain_env, plain_path = nil, nil

local function build_env(svc)
	if not svc.env and svc.type ~= "notify" and not (svc.watchdog and svc.watchdog > 0) and not svc.user then
		if plain_path ~= M.path then plain_env, plain_path = { "PATH=" .. M.path }, M.path end
		return plain_env
	end
	local env = { "PATH=" .. M.path }
	-- a service with a user gets its HOME, USER, LOGNAME and SHELL, as
	-- systemd's User= gives them (a daemon that reads $HOME found none);
	-- its env wins. An unknown user: the spawn says so.
	local pw = svc.user and process.getpwnam(svc.user)
	local own = svc.env or EMPTY
	if pw then
		for k, v in pairs({ HOME = pw.home, USER = pw.name, LOGNAME = pw.name, SHELL = pw.shell }) do
			if own[k] == nil and v ~= "" then env[#env + 1] = k .. "=" .. v end
		end
	end
	for k, v in pairs(own) do
		if k == "PATH" then env[1] = "PATH=" .. v else env[#env + 1] = k .. "=" .. tostring(v) end
	end
	if svc.type == "notify" then env[#env + 1] = "NOTIFY_SOCKET=" .. M.notify_path end
	if svc.watchdog and svc.watchdog > 0 then
		env[#env + 1] = "WATCHDOG_USEC=" .. math.floor(svc.watchdog * 1e6)
	end
	table.sort(env)
	return env
end

-- A watch on a descriptor of the service's current run, svc[key] = {watch,
-- fd}: "ready_watch", the ready_fd of a type "fd" service; "main_watch",
-- the pidfd of a main process that is not PID 1's child (watch_main).
-- Closed, descriptor and all, when the run ends (after_exit).
-- m: the watch to close (default svc[key]); a callback closes its own,
-- whatever svc holds by then: left open on a descriptor that stays
-- readable (EOF, an exited pidfd) it was called at every loop pass.
local function unwatch(svc, key, m)
	m = m or svc[key]
	if m then
		if svc[key] == m then svc[key] = nil end
		m.watch:close()
		m.fd:close()
	end
end

-- pid is no longer svc's: its entry goes, unless it is another service's
-- by now (a main process reaped unseen, its pid taken by a new spawn)
local function forget_pid(svc, pid)
	if pid and M.by_pid[pid] == svc then M.by_pid[pid] = nil end
end

-- One spawn table, filled again for every start (process.spawn only reads
-- it): a new one was 17 keys of garbage per start.
local spec = {}

local function spawn(svc)
	-- the start counts from here: the group, the pipes and the exec are
	-- part of what "started X (N ms)" and the time to ready measure
	local t0 = now()
	svc.gen = (svc.gen or 0) + 1
	cg_setup(svc)
	local rfd, wfd
	local tty = svc.tty
	if not tty then rfd, wfd = fs.pipe() end
	local spec = spec
	spec.argv, spec.env, spec.cwd, spec.user = svc.command, build_env(svc), svc.cwd, svc.user
	spec.group, spec.groups, spec.umask, spec.rlimits = svc.group, svc.groups, svc.umask, svc.rlimits
	spec.no_new_privs, spec.capbset, spec.nice = svc.no_new_privs, svc.capabilities, svc.nice
	spec.stdin, spec.stdout, spec.stderr = "null", wfd or "null", wfd or "null"
	spec.cgroup, spec.cgroup_clone, spec.setsid = svc.cgroup_path, svc.cgroup_clone, true
	spec.ctty, spec.fds, spec.tty = nil, nil, nil
	if tty then
		-- the child opens the terminal (one descriptor for all three, as
		-- getty expects): PID 1's open of a serial line without carrier
		-- would wait for the carrier, and stop the reaping with it
		spec.stdin, spec.stdout, spec.stderr = nil, nil, nil
		spec.tty, spec.ctty = tty, true
	end
	local ready_r, ready_w
	if svc.type == "fd" then
		ready_r, ready_w = fs.pipe()
		spec.fds = { [svc.ready_fd] = ready_w }
	end
	-- a spec the binding refuses (a value out of range) raises: a failed
	-- start, not an error through whoever asked for it
	local ok, pid, err = pcall(process.spawn, spec)
	if not ok then pid, err = nil, tostring(pid) end
	spec.stdin, spec.stdout, spec.stderr, spec.fds = nil, nil, nil, nil   -- no closed descriptors kept
	if wfd then wfd:close() end
	if ready_w then ready_w:close() end
	if not pid then
		if rfd then rfd:close() end
		if ready_r then ready_r:close() end
		return nil, err
	end
	svc.pid, svc.pgid, svc.main_child = pid, pid, true
	svc.started_at, svc.ready_at, svc.status = t0, nil, nil
	svc.first_started_at = svc.first_started_at or svc.started_at
	M.by_pid[pid] = svc
	if rfd then watch_output(svc, rfd) end
	if ready_r then
		-- only the newline counts: what comes before it is read and
		-- dropped (kept and copied at each read, a service writing without
		-- end to its ready_fd made PID 1's work quadratic and its heap grow).
		-- Only for this run: a process that escaped the last one's stop
		-- (without cgroups, by setsid) keeps its ready_fd, and its newline
		-- marked the next run ready
		local gen, m = svc.gen, nil
		local w, werr = event.watch(ready_r, "r", function()
			local d = ready_r:read(4096)
			local nl = d and d:find("\n", 1, true)
			if nl or not d or d == "" then
				unwatch(svc, "ready_watch", m)
				if nl and svc.gen == gen then M.dispatch(svc, "ready", "fd") end
			end
		end)
		if w then
			m = { watch = w, fd = ready_r }
			svc.ready_watch = m
		else
			ready_r:close()
			log.warn("%s: ready_fd: %s", svc.name, werr)
		end
	end
	return pid
end

local function begin_start(svc)
	local st, why = deps_state(svc)
	if st == "failed" then
		set_state(svc, "failed", why)
		log.failed(svc.name, why)
		return
	end
	-- pull in what is required or wanted (only that can change the answer)
	local pulled = false
	for _, list in ipairs(#svc.requires + #svc.wants > 0 and { svc.requires, svc.wants } or EMPTY) do
		for _, d in ipairs(list) do
			local dep = M.services[d]
			if dep and not dep.want and dep.state ~= "failed" then
				-- pulled in by a boot service: the boot's too (analyze)
				dep.boot = dep.boot or svc.boot
				M.start(d)
				pulled = true
			end
		end
	end
	if pulled then st, why = deps_state(svc) end
	if st == "wait" then
		M.waiting[svc] = true
		-- still waiting for the same thing: nothing to tell (kick() asks
		-- again after every start, exit and readiness)
		if svc.state ~= "starting" or svc.why ~= why then set_state(svc, "starting", why) end
		return
	end
	if st == "failed" then set_state(svc, "failed", why) log.failed(svc.name, why) return end
	local pid, err = spawn(svc)
	if not pid then
		set_state(svc, "failed", err)
		log.failed(svc.name, err)
		return
	end
	set_state(svc, "starting", "started, pid " .. pid)
	if svc.type == "simple" then
		M.dispatch(svc, "ready", "simple")
	else
		svc.start_by, svc.start_extended = now() + svc.start_timeout * 1000, nil
		timer(svc, svc.start_timeout * 1000, "timeout", "start")
	end
end

---------------------------------------------------------------- exits

local function restart_delay(svc)
	local d = svc.restart_delay * (2 ^ math.max(0, (svc.consecutive or 1) - 1))
	return math.min(d, svc.restart_max_delay)
end

local function crash_looping(svc)
	local n, window = svc.crash_limit[1], svc.crash_limit[2] * 1000
	local t = now()
	local recent = {}
	for _, at in ipairs(svc.restarts_at or {}) do
		if t - at <= window then recent[#recent + 1] = at end
	end
	svc.restarts_at = recent
	return #recent >= n
end

local function exit_text(how, code)
	if how == "gone" then return "main process " .. tostring(code) .. " gone, its exit unseen" end
	-- (code: the pid file; only a parent that exited 0 has its file waited for)
	if how == "nopid" then return "no live pid in " .. tostring(code) .. " (its parent: exit code 0)" end
	return how == "exited" and ("exit code " .. tostring(code)) or ("killed by SIG" .. tostring(code))
end

local own_pid = process.getpid()

-- A main process PID 1 did not spawn (MAINPID= naming a child of the
-- service's, a pid file naming a process whose parent lives) is reaped by
-- its own parent: the reaper never sees it exit, and the service stayed
-- "ready" with a dead pid until a stop. Its pidfd becomes readable when it
-- exits, whoever reaps it: the service's exit, its status unknown ("gone",
-- so the restart policy applies). PID 1's own child needs none: the reaper
-- tells, with the status. Without pidfds (ENOSYS, before Linux 5.3) a stop
-- or a missed watchdog ping finds it gone (main_gone).
local function watch_main(svc, pid)
	unwatch(svc, "main_watch")
	svc.main_child = svcgroup.ppid_of(pid) == own_pid
	if svc.main_child then return end
	local gen, m = svc.gen, nil
	local function gone()
		if m then unwatch(svc, "main_watch", m) end
		if svc.gen ~= gen or svc.pid ~= pid then return end
		-- its parent exited first, and it was reparented to PID 1: now
		-- PID 1's zombie, whose exit and status the reaper is about to tell
		if svcgroup.ppid_of(pid) == own_pid then return end
		M.dispatch(svc, "exit", "gone", pid)
	end
	local fd, err, _, ename = process.pidfd(pid)
	if not fd then
		-- gone already: after whoever made it the main process is done
		if ename == "ESRCH" then sched.after(0, gone, svc.name) return end
		if not M.pidfd_warned then
			M.pidfd_warned = true
			log.warn("%s: %s: a main process PID 1 did not spawn is not watched", svc.name, err)
		end
		return
	end
	-- the pidfd names whoever had pid when it was opened: the main process
	-- may have exited (and been reaped by its parent) since the caller
	-- found it in the group, and its pid been taken. Checked again now,
	-- with the pidfd holding the process, a pid outside the group is not
	-- the service's: its main process is gone
	if svc.cgroup_path and not owns(svc, pid) then
		fd:close()
		sched.after(0, function()
			if svc.gen == gen and svc.pid == pid then M.dispatch(svc, "exit", "gone", pid) end
		end, svc.name)
		return
	end
	local w, werr = event.watch(fd, "r", gone)
	if not w then
		fd:close()
		log.warn("%s: main process %d: %s: its exit is not watched", svc.name, pid, werr)
		return
	end
	m = { fd = fd, watch = w }
	svc.main_watch = m
end

-- Returns whether the service's group is empty (true without a group).
local function after_exit(svc, how, code)
	unwatch(svc, "main_watch")
	unwatch(svc, "ready_watch")
	forget_pid(svc, svc.pid)
	svc.pid = nil
	-- every timer of this run (start, stop, watchdog) ends with it: one
	-- firing later would act on the next attempt, waiting for its
	-- dependencies under the same generation
	svc.gen = (svc.gen or 0) + 1
	svc.last_exit = { how = how, code = code, at = now() }
	-- what the main process left behind goes with it; an empty group
	-- (the usual case) needs no cgroup.kill: nothing in it can fork
	if svc.cgroup_path and #cg_pids(svc) == 0 then return true end
	kill_all(svc, "KILL")
	-- without a group: the process group went with its leader; once its
	-- last process is reaped its id may name another's group, which no
	-- later stop may signal
	if not svc.cgroup_path then svc.pgid = nil end
	return not svc.cgroup_path
end

-- pid becomes svc's main process (a forking service's pid file,
-- MAINPID=). Without a group, its process group is the one to signal
-- from now on (a daemon's setsid made it its own); the spawned one may
-- be gone already and its id taken by another group.
local function new_main(svc, pid)
	forget_pid(svc, svc.pid)
	svc.pid = pid
	M.by_pid[pid] = svc
	if not svc.cgroup_path then svc.pgid = svcgroup.pgid_of(pid) end
	watch_main(svc, pid)
end

-- unready: the exit came before the service said it was ready (notify,
-- fd, forking's "nopid"): a failed start whatever its code, as systemd's
-- result 'protocol'. Taken as clean, a notify daemon that exited 0 before
-- its READY=1 was "stopped", neither failed nor restarted, and whatever
-- required it waited for it for ever.
local function on_exit(svc, how, code, unready)
	after_exit(svc, how, code)
	local clean = how == "exited" and code == 0 and not unready
	if svc.type == "oneshot" and clean and svc.state == "starting" then
		svc.ready_at = now()
		svc.first_ready_at = svc.first_ready_at or svc.ready_at
		set_state(svc, "done", "finished")
		log.ok(svc.name .. " finished", svc.ready_at - svc.started_at)
		return
	end
	if not svc.want then set_state(svc, "stopped", exit_text(how, code)) return end
	local again = svc.restart == "always" or (svc.restart == "on-failure" and not clean)
	if not again then
		-- a clean exit ends what was wanted of it: still wanted, it was
		-- neither pulled in again by a start of what requires it nor
		-- passed by what starts after it, and both waited for it for ever
		if clean then svc.want = false end
		-- (an unready exit was said as such: starting's exit; "exit code
		-- 0" alone would not say why it failed)
		set_state(svc, clean and "stopped" or "failed", (unready and how == "exited" and code == 0
			and "exited before it was ready: " or "") .. exit_text(how, code))
		if not clean and not unready then log.failed(svc.name, exit_text(how, code)) end
		return
	end
	svc.restarts = (svc.restarts or 0) + 1
	svc.restarts_at = svc.restarts_at or {}
	svc.restarts_at[#svc.restarts_at + 1] = now()
	if svc.ready_at and now() - svc.ready_at > 10000 then svc.consecutive = 0 end
	svc.consecutive = (svc.consecutive or 0) + 1
	if crash_looping(svc) then
		local why = string.format("crash loop: %d restarts within %g s (last: %s)",
			svc.crash_limit[1], svc.crash_limit[2], exit_text(how, code))
		set_state(svc, "failed", why)
		log.failed(svc.name, why)
		return
	end
	local delay = restart_delay(svc)
	set_state(svc, "backoff", string.format("%s; restarting in %.1f s", exit_text(how, code), delay))
	log.info("%s: %s", svc.name, svc.why)
	timer(svc, delay * 1000, "retry")
end

---------------------------------------------------------------- stopping

-- Is svc's main process gone unseen: not PID 1's child (the reaper tells
-- a child's exit, one that left its group too), not watched by a pidfd
-- (which tells; none before Linux 5.3), and no longer a process of its
-- group (a zombie its parent has yet to reap still is, by
-- /proc/PID/cgroup). Its pid may be another process's by now. Without a
-- group there is no telling.
local function main_unseen(svc)
	return svc.cgroup_path and not svc.main_child and not svc.main_watch and not owns(svc, svc.pid)
end

-- A stop found the main process outside its group: gone, and PID 1 never
-- saw it exit (MAINPID= named a child that its parent reaped). Its pid
-- may be another process's by now: no signal for it, and its exit is not
-- the service's. The rest of the group had the stop signal; the stop ends
-- when the group is empty, or is killed after stop_timeout (it waited for
-- the exit of that pid for ever, and signalled whoever had it).
local function main_gone(svc)
	local pid, gen = svc.pid, svc.gen
	-- (the stop timer the watchdog's SIGABRT armed: no stop to end)
	if svc.state ~= "stopping" then return M.dispatch(svc, "exit", "gone", pid) end
	forget_pid(svc, pid)
	log.warn("%s: its main process %d is gone (its exit was not PID 1's to see)", svc.name, pid)
	sched.spawn(function()
		local deadline = now() + svc.stop_timeout * 1000
		while svc.gen == gen and #cg_pids(svc) > 0 and now() < deadline do sched.sleep(20) end
		if svc.gen ~= gen or svc.state ~= "stopping" then return end
		if #cg_pids(svc) > 0 then
			log.warn("%s: did not stop within %g s; killing its processes", svc.name, svc.stop_timeout)
		end
		M.dispatch(svc, "exit", "gone", pid)
	end, svc.name .. ":main-gone")
end

local function begin_stop(svc)
	svc.want = false
	cancel(svc, "start")
	if not svc.pid then
		-- (waiting for its dependencies, or a forking daemon's pid file:
		-- its group is killed, and whatever waits for that run ends)
		kill_all(svc, "KILL")
		svc.gen = (svc.gen or 0) + 1
		set_state(svc, "stopped", "stopped")
		return
	end
	local sig = svc.stop_signal:gsub("^SIG", "")
	set_state(svc, "stopping", "sent SIG" .. sig)
	-- the main process is in the group (or process group) as a rule
	local main = kill_all(svc, sig, true, true)
	if main == false and main_unseen(svc) then return main_gone(svc) end
	-- (still its own, in a group it made under its own, or without a
	-- group; nil with a group: cgroup.kill reached it)
	if main == false or not svc.cgroup_path then
		process.kill(svc.pid, sig)
		process.kill(svc.pid, "CONT")
	end
	timer(svc, svc.stop_timeout * 1000, "timeout", "stop")
end

local function stop_timeout(svc)
	log.warn("%s: did not stop within %g s; killing its processes", svc.name, svc.stop_timeout)
	-- (the main process itself too: one in a group it made below its own
	-- is not in cgroup.procs, which a kernel without cgroup.kill signals)
	local unseen = svc.pid and main_unseen(svc)
	if svc.pid and not unseen then process.kill(svc.pid, "KILL") end
	kill_all(svc, "KILL")
	if unseen then main_gone(svc) end
end

---------------------------------------------------------------- the table

-- (how it told, "simple", "notify", "fd", "pid file", is its type's way:
-- status showed it as "ready (simple)" beside "type: simple")
local function ready(svc)
	svc.ready_at = now()
	svc.first_ready_at = svc.first_ready_at or svc.ready_at
	cancel(svc, "start")
	set_state(svc, "ready", "ready")
	log.ok("started " .. svc.name, svc.ready_at - (svc.started_at or svc.ready_at))
	if svc.watchdog and svc.watchdog > 0 then
		svc.watchdog_at = now()
		timer(svc, svc.watchdog * 1000, "watchdog")
	end
	M.kick()
end

-- The process of svc's group that its pid file names, or nil.
local function pid_file_main(svc)
	local s = fs.readfile(svc.pid_file)
	local pid = s and math.tointeger(tonumber(s:match("%d+")))
	if owns(svc, pid) then return pid end
end

local function forking_exit(svc, how, code)
	-- the parent of a forking daemon exits once the daemon is up
	forget_pid(svc, svc.pid)
	if how == "exited" and code == 0 then
		local pid = pid_file_main(svc)
		if pid then
			new_main(svc, pid)
			return ready(svc)
		end
		-- a daemon may write its pid file after its parent exited
		-- (daemon(3), then the file; that failed the start): wait for it,
		-- as systemd does, until start_timeout, while the group has a
		-- process (without a group: until start_timeout). No main process
		-- meanwhile; a stop or the timeout kills the group
		local gen = svc.gen
		svc.pid, svc.pid_wait = nil, gen
		set_state(svc, "starting", "waiting for its pid file " .. svc.pid_file)
		sched.spawn(function()
			while true do
				sched.sleep(50)
				if svc.gen ~= gen or svc.state ~= "starting" or svc.pid then return end
				local main = pid_file_main(svc)
				if main then
					new_main(svc, main)
					return M.dispatch(svc, "ready", "pid file")
				end
				-- the parent's exit was clean: what failed is the pid file
				-- (reported as "exit code 1", which nothing had exited with)
				if svc.cgroup_path and #cg_pids(svc) == 0 then
					return M.dispatch(svc, "exit", "nopid", svc.pid_file)
				end
			end
		end, svc.name .. ":pid-file")
		return
	end
	on_exit(svc, how, code)
end

M.transitions = {
	stopped = {
		start = begin_start,
	},
	starting = {
		ready = ready,
		exit = function(svc, how, code)
			if svc.type == "forking" and how ~= "nopid" then return forking_exit(svc, how, code) end
			if svc.type == "oneshot" then return on_exit(svc, how, code) end
			log.failed(svc.name, "exited before it was ready: " .. exit_text(how, code))
			on_exit(svc, how, code, true)
		end,
		stop = begin_stop,
		timeout = function(svc)
			log.failed(svc.name, string.format("not ready within %g s", svc.start_timeout)
				.. (svc.start_extended and svc.started_at
					and string.format(" (extended to %.1f s)", (svc.start_by - svc.started_at) / 1000) or ""))
			if not svc.pid then
				-- (a forking daemon that wrote no pid file: its group)
				kill_all(svc, "KILL")
				svc.gen = svc.gen + 1
				svc.want = false
				set_state(svc, "failed", "not ready in time")
				return
			end
			svc.want_after_stop = "failed"
			begin_stop(svc)
			svc.want = true
		end,
		start = function(svc) if not svc.pid and svc.pid_wait ~= svc.gen then begin_start(svc) end end,
	},
	ready = {
		exit = on_exit,
		stop = begin_stop,
		watchdog = function(svc)
			if now() - (svc.watchdog_at or 0) >= svc.watchdog * 1000 then
				-- a main process MAINPID= named may be gone unseen (its
				-- parent reaped it), and its pid another's: see main_gone
				if main_unseen(svc) then
					log.failed(svc.name, "watchdog timeout: its main process " .. svc.pid .. " is gone")
					return M.dispatch(svc, "exit", "gone", svc.pid)
				end
				log.failed(svc.name, "watchdog timeout; restarting")
				process.kill(svc.pid, "ABRT")
				timer(svc, svc.stop_timeout * 1000, "timeout", "stop")
			else
				timer(svc, svc.watchdog * 1000 - (now() - svc.watchdog_at), "watchdog")
			end
		end,
		timeout = stop_timeout,
	},
	stopping = {
		exit = function(svc, how, code)
			local empty = after_exit(svc, how, code)
			cancel(svc, "stop")
			local function finish()
				if svc.want_after_stop == "failed" then
					svc.want_after_stop = nil
					svc.want = false
					set_state(svc, "failed", "not ready in time")
				elseif svc.want then
					set_state(svc, "stopped", "restarting")
					begin_start(svc)
				else
					set_state(svc, "stopped", "stopped (" .. exit_text(how, code) .. ")")
				end
				M.kick()
			end
			if empty or #cg_pids(svc) == 0 then return finish() end
			-- stopped means the whole group is gone, not only the main pid
			sched.spawn(function()
				for _ = 1, 200 do
					if #cg_pids(svc) == 0 then break end
					kill_all(svc, "KILL")
					sched.sleep(10)
				end
				finish()
			end, svc.name .. ":reap-group")
		end,
		timeout = stop_timeout,
		start = function(svc) svc.want = true end,
		-- the last of start and stop asked for wins: ignored, a stop after
		-- a start left the service restarting once it was down
		stop = function(svc) svc.want = false end,
	},
	backoff = {
		retry = begin_start,
		stop = function(svc) svc.want = false set_state(svc, "stopped", "stopped") end,
		start = begin_start,
	},
	failed = {
		start = function(svc) svc.restarts_at, svc.consecutive = {}, 0 begin_start(svc) end,
		stop = function(svc) svc.want = false end,
	},
	done = {
		start = function() end,
		stop = function(svc) svc.want = false set_state(svc, "stopped", "stopped") end,
	},
}

--- Feed event ev to svc's state machine.
-- dispatch : (svc, ev, ...) -> nil
function M.dispatch(svc, ev, ...)
	local row = M.transitions[svc.state]
	local fn = row and row[ev]
	if not fn then
		log.debug("%s: event %s ignored in state %s", svc.name, ev, svc.state)
		return
	end
	if ev == "start" then svc.want = true end
	fn(svc, ...)
	if svc.state ~= "starting" or not svc.pid then M.kick() end
end

--- Re-check the services waiting for their dependencies (only those: a
-- boot with many services must not rescan all of them on every event).
function M.kick()
	if next(M.waiting) == nil then return end
	if M.kicking then M.kick_again = true return end
	M.kicking = true
	repeat
		M.kick_again = false
		local list = {}
		for svc in pairs(M.waiting) do list[#list + 1] = svc end
		M.waiting = {}
		table.sort(list, function(a, b) return a.name < b.name end)
		for _, svc in ipairs(list) do
			if svc.state == "starting" and not svc.pid and svc.want then
				local ok, err = xpcall(begin_start, log.traceback, svc)
				if not ok then
					log.err("%s: start: %s", svc.name, err)
					set_state(svc, "failed", "start raised an error (see PID 1's log)")
				end
			end
		end
	until not M.kick_again
	M.kicking = false
end

---------------------------------------------------------------- notify

--- Handle one sd_notify datagram from pid.
function M.notify(data, pid)
	local svc = M.by_pid[pid]
	if not svc then
		-- any process of the service's cgroup may speak for it
		svc = svcgroup.service_of(M, M.services, pid)
	end
	if not svc then
		log.debug("notify from pid %d, which belongs to no service: dropped", pid)
		M.notify_dropped = (M.notify_dropped or 0) + 1
		return
	end
	for line in data:gmatch("[^\n]+") do
		local k, v = line:match("^([A-Z_]+)=(.*)$")
		if k == "READY" and v == "1" then M.dispatch(svc, "ready", "notify")
		elseif k == "STATUS" then svc.status = v
		elseif k == "MAINPID" and tonumber(v) then
			local main = math.tointeger(tonumber(v))
			if owns(svc, main) then
				new_main(svc, main)
			else
				log.warn("%s: MAINPID=%s is not one of its processes: ignored", svc.name, v)
			end
		elseif k == "STOPPING" and v == "1" then svc.stopping_notified = true
		elseif k == "WATCHDOG" and v == "1" then svc.watchdog_at = now()
		elseif k == "EXTEND_TIMEOUT_USEC" and svc.state == "starting" and svc.start_by then
			-- as systemd: the start may go on until that long from now if
			-- that is later than its deadline; it never shortens it (1 ms,
			-- 0, a negative or an infinite value timed it out at once).
			-- Digits only, as systemd's safe_atou64
			local usec = v:match("^%d+$") and tonumber(v)
			local at = usec and now() + usec / 1000
			if at and at > svc.start_by then
				svc.start_by, svc.start_extended = at, true
				timer(svc, at - now(), "timeout", "start")
			end
		end
	end
end

function M.listen_notify()
	if M.notify_sock then return true end
	local socket = require "luainit.socket"
	-- 0755: every service's user may reach the socket (0666, as
	-- systemd's); 0700 refused a READY=1 from a service with a user
	fs.mkdirp(M.notify_path:match("^(.*)/"), 493)
	local sock, err = socket.dgram(M.notify_path, 438)
	if not sock then log.warn("notify socket: %s", err) return nil, err end
	M.notify_sock = sock
	M.notify_watch = event.watch(sock, "r", function()
		for _ = 1, 64 do
			local data, pid = sock:recvfrom()
			if not data then break end
			M.notify(data, pid)
		end
	end)
	return true
end

---------------------------------------------------------------- API

local defaults_mt -- services.defaults_mt, looked up once (not a require per service)

local function new_runtime(def)
	-- room for the definition's own fields and the runtime ones, made at
	-- once rather than grown a key at a time; the defaults stay behind the
	-- metatable (services.defaults_mt), so a running service fits in 32
	local svc = table.create(0, 32)
	for k, v in pairs(def) do svc[k] = v end
	svc.state, svc.since, svc.ring, svc.restarts, svc.want = "stopped", now(), {}, 0, false
	defaults_mt = defaults_mt or require("services").defaults_mt
	return setmetatable(svc, defaults_mt)
end

--- Add services (from services.load_dir) to the supervisor, stopped.
-- add : ({name = def}) -> nil
function M.add(set)
	for name, def in pairs(set) do
		if not M.services[name] then M.services[name] = new_runtime(def) end
	end
end

--- Remove a stopped service.
function M.remove(name)
	local svc = M.services[name]
	if svc and svc.procs_fd then svc.procs_fd:close() svc.procs_fd = nil end
	M.services[name] = nil
end

--- Start a service (and what it requires); returns at once.
-- start : (name) -> true | (nil, string)
function M.start(name)
	local svc = M.services[name]
	if not svc then return nil, "unknown service '" .. name .. "'" end
	-- (the only place a "start" is dispatched from)
	local sd = package.loaded.shutdown
	if sd and sd.in_progress then
		log.info("%s: not started: shutting down (%s)", name, sd.in_progress)
		return nil, "shutting down (" .. sd.in_progress .. ")"
	end
	-- a reload is replacing its definition (svcreload.apply): started
	-- now, on the old one, it kept running that, and the reload skipped it
	if M.held and M.held[name] then
		return nil, "being reloaded: luactl reload is replacing its definition"
	end
	-- (a ready one takes no start, but is wanted: a stop that stop_set
	-- holds back until what requires it is down must not undo this start)
	svc.want = true
	M.starts = M.starts + 1
	M.dispatch(svc, "start")
	return true
end

--- Stop a service; returns at once.
function M.stop(name)
	local svc = M.services[name]
	if not svc then return nil, "unknown service '" .. name .. "'" end
	M.dispatch(svc, "stop")
	return true
end

--- Send sig (a name or number, as process.kill takes it) to a running
-- service's main process, or with all to every process of its group (its
-- process group without cgroups, the one a stop signals: the main
-- process's, which a forking daemon's setsid made its own; see new_main),
-- as `sv hup` and `systemctl kill` do. The supervisor is not told: an
-- exit this causes is handled as any other (its restart policy applies).
-- Returns whom it was sent to ("pid 85", "3 processes", "process group
-- 85"), or nil, why and, when there is no main process, "not-running"
-- (why: "not running (backoff: ...)").
-- signal : (name, sig, all?) -> string | (nil, string, "not-running"?)
function M.signal(name, sig, all)
	local svc = M.services[name]
	if not svc then return nil, "unknown service '" .. name .. "'" end
	local pid = svc.pid
	if not pid then
		return nil, "not running (" .. svc.state .. (svc.why and svc.why ~= svc.state and ": " .. svc.why or "") .. ")",
			"not-running"
	end
	-- a main process MAINPID= named may have been reaped by its own
	-- parent, which PID 1 does not see: with a group, it must be in it
	if svc.cgroup_path and not owns(svc, pid) then
		return nil, "its main pid " .. pid .. " is no longer one of its processes"
	end
	local ok, err = process.kill(pid, sig)
	if all and not svc.cgroup_path then
		-- the group a stop signals (svcgroup.kill)
		local pgid = svc.pgid
		if pgid and process.killpg(pgid, sig) then return "process group " .. pgid end
	elseif all then
		local n = ok and 1 or 0
		for _, p in ipairs(cg_pids(svc)) do
			if p ~= pid and process.kill(p, sig) then n = n + 1 end
		end
		if n > 0 then return n == 1 and "1 process" or n .. " processes" end
	end
	if not ok then return nil, err end
	return "pid " .. pid
end

--- Wait until svc leaves the transient states (for luactl and tests).
-- wait_settled : (name, timeout_ms) -> state
function M.wait_settled(name, timeout_ms)
	local svc = M.services[name]
	local deadline = now() + (timeout_ms or 30000)
	while svc and (svc.state == "starting" or svc.state == "stopping") and now() < deadline do
		sched.wait("svc:" .. name, deadline - now())
	end
	return svc and svc.state
end

--- Start every enabled service, in dependency order, in parallel.
function M.start_all()
	M.listen_notify()
	if not M.network_watch then
		-- services waiting for "network-online" start when it comes
		-- (those waiting for "remote-fs": netmounts kicks when it is done)
		M.network_watch = sched.spawn(function()
			while true do
				sched.wait(NETWORK_ONLINE)
				M.kick()
			end
		end, "network-online watch")
	end
	local names = {}
	for n, svc in pairs(M.services) do if svc.enabled then names[#names + 1] = n end end
	table.sort(names)
	-- everything enabled is wanted before anything starts, so `after`
	-- orders services whatever their names' order; `boot` marks them as
	-- the boot's for analyze (a service started later is not boot time)
	for _, n in ipairs(names) do
		local svc = M.services[n]
		svc.want, svc.boot = true, true
	end
	for _, n in ipairs(names) do M.start(n) end
end

local function down(s) return not RUNNING[s.state] end

-- Stop the services of list (records), each once every other one of the
-- list that requires it or starts after it is down, in parallel where
-- the graph allows; returns once all are down or timeout_ms passed, with
-- the ones not sent their stop by then (svc -> true).
-- No task per service: a service is sent its stop when the last one that
-- holds it is down (set_state calls the hook). wants orders nothing at
-- start, so it orders nothing here: two services that want each other
-- (no cycle, services.cycles) would each wait for the other to go first
-- until the timeout.
-- through: one also holds what it requires through a service that is
-- down (t requires r, stopped, which requires db: t holds db), as
-- stop_with's list reaches it through those.
local function stop_set(list, timeout_ms, through)
	local left, blocked, sent, pending = {}, {}, {}, 0
	for _, svc in ipairs(list) do
		svc.want = false
		-- a service in backoff is told too: its retry must not start it
		if not left[svc] and (not down(svc) or svc.pid or svc.state == "backoff") then
			left[svc] = true
			pending = pending + 1
		end
	end
	local holds = {} -- svc -> its dependencies' names: it is up, they wait for it
	for svc in pairs(left) do
		if not down(svc) then
			local names = {}
			for _, l in ipairs(#svc.requires + #svc.after > 0
					and { svc.requires, svc.after } or EMPTY) do
				for _, d in ipairs(l) do
					names[#names + 1] = d
					blocked[d] = (blocked[d] or 0) + 1
				end
			end
			if through then
				local seen, queue, i = {}, { svc.name }, 1
				while queue[i] do
					local q = M.services[queue[i]]
					if q and (q == svc or down(q)) then
						for _, d in ipairs(q.requires) do
							if not seen[d] then
								seen[d] = true
								queue[#queue + 1] = d
								if q ~= svc then
									names[#names + 1] = d
									blocked[d] = (blocked[d] or 0) + 1
								end
							end
						end
					end
					i = i + 1
				end
			end
			holds[svc] = names
		end
	end
	local all_down = {} -- the wake key of this call
	local stop
	local function settled(svc)
		if not left[svc] then return end
		left[svc] = nil
		local names = holds[svc]
		holds[svc] = nil
		for _, d in ipairs(names or EMPTY) do
			blocked[d] = blocked[d] - 1
			local ds = M.services[d]
			if blocked[d] == 0 and ds and left[ds] then stop(ds) end
		end
		pending = pending - 1
		if pending == 0 then sched.wake(all_down) end
	end
	-- Asked to start since this began (want is cleared above, and only a
	-- start sets it again; want_after_stop: its start timed out), or
	-- required by one of the list that was: the last request wins, and it
	-- stays up (`luactl stop --no-block db` then `luactl start db` left db
	-- stopped once what requires it was down).
	local starts = M.starts
	local function wanted(svc)
		if svc.want and not svc.want_after_stop then return true end
		for _, x in ipairs(list) do
			if x.want and not x.want_after_stop then
				for _, d in ipairs(x.requires) do if d == svc.name then return true end end
			end
		end
		return false
	end
	function stop(svc)
		if sent[svc] then return end
		sent[svc] = true
		if M.starts ~= starts and wanted(svc) then
			-- (wanted for what requires it, which holds it in turn)
			if svc.state ~= "stopping" then svc.want = true end
			return settled(svc)
		end
		M.dispatch(svc, "stop")
		if down(svc) then settled(svc) end
	end
	local function hook(svc) if (left[svc] and sent[svc]) or holds[svc] then settled(svc) end end
	M.down_hooks[hook] = true
	-- dropped however this returns: a hook left behind by a raise would
	-- stop services at their next exit, long after
	local _ <close> = setmetatable({}, { __close = function() M.down_hooks[hook] = nil end })
	for svc in pairs(left) do
		-- one that runs nothing (in backoff) is told at once, whatever
		-- holds it: its retry, due before what requires it is down, started
		-- it again and pulled in what it requires, which was stopped by then
		if (blocked[svc.name] or 0) == 0 or (not svc.pid and down(svc)) then stop(svc) end
	end
	if pending > 0 then sched.wait(all_down, timeout_ms or 60000) end
	local unsent = {}
	for svc in pairs(left) do if not sent[svc] then unsent[svc] = true end end
	return unsent
end

--- Stop every service in reverse dependency order, in parallel where the
-- graph allows (stop_set); returns when all are stopped or timeout_ms
-- passed.
--
-- PID 1 runs it at real-time priority (unless M.realtime is false): on one
-- CPU each service it signals would otherwise preempt it, exit, and only
-- then let it signal the next, a context switch per service on the way
-- down. Boosted, PID 1 sends what it can and sleeps; the services get the
-- CPU whenever it waits. What it spawns meanwhile is an ordinary process
-- (SCHED_RESET_ON_FORK), and the kernel's real-time throttling keeps 5 %
-- of each second for the rest.
function M.stop_all(timeout_ms)
	-- dropped however this returns: a raise below must not leave PID 1
	-- at real-time priority for the rest of its life
	local _ <close> = M.realtime and process.realtime(true)
		and setmetatable({}, { __close = function() process.realtime(false) end }) or nil
	local list = {}
	for _, svc in pairs(M.services) do list[#list + 1] = svc end
	stop_set(list, timeout_ms)
end

-- name -> the services whose requires list it (requirers, status)
local function requiring()
	local by = {}
	for _, svc in pairs(M.services) do
		for _, d in ipairs(svc.requires) do
			local l = by[d]
			if not l then l = {} by[d] = l end
			l[#l + 1] = svc
		end
	end
	return by
end

--- The services that require name, directly or through another, and are
-- not down (starting, ready, stopping, or waiting to restart), sorted:
-- an explicit stop or restart of name reaches them too (stop_with), as
-- systemd's Requires= does. The graph is followed through services that
-- are down: one that requires a stopped service which requires name
-- still needs name. all: the down ones too (the order of a restart of
-- several services).
-- requirers : (name, all?) -> {name}
function M.requirers(name, all)
	local by = requiring()
	local seen, out, queue, i = {}, {}, { name }, 1
	while queue[i] do
		for _, svc in ipairs(by[queue[i]] or EMPTY) do
			if not seen[svc] and svc.name ~= name then
				seen[svc] = true
				queue[#queue + 1] = svc.name
				if all or not down(svc) or svc.pid or svc.state == "backoff" then out[#out + 1] = svc.name end
			end
		end
		i = i + 1
	end
	table.sort(out)
	return out
end

--- Stop the named services (a name or a list) and, first, every service
-- that requires one of them (M.requirers), each once what requires it is
-- down; returns the names stopped along with them (sorted) once all are
-- down. After timeout_ms (default 60 s) what was not sent its stop yet is
-- sent it at once, whatever the order: the named ones are stopped as
-- asked. Only a stop asked for propagates: a service that exits, fails or
-- restarts by its policy leaves what requires it running (systemd's
-- Requires= too; its BindsTo= has no equivalent here). Waits, so it runs
-- in a task.
-- stop_with : (name | {name}, timeout_ms?) -> {name} | (nil, string)
function M.stop_with(names, timeout_ms)
	if type(names) == "string" then names = { names } end
	local list, listed, also = {}, {}, {}
	for _, n in ipairs(names) do
		local svc = M.services[n]
		if not svc then return nil, "unknown service '" .. n .. "'" end
		if not listed[svc] then listed[svc] = true list[#list + 1] = svc end
	end
	for _, n in ipairs(names) do
		for _, r in ipairs(M.requirers(n)) do
			local svc = M.services[r]
			if not listed[svc] then listed[svc] = true list[#list + 1] = svc also[#also + 1] = r end
		end
	end
	table.sort(also)
	for s in pairs(stop_set(list, timeout_ms, true)) do
		log.warn("%s: its stop was held past %d ms by what requires it; stopping it now", s.name, timeout_ms or 60000)
		M.dispatch(s, "stop")
	end
	return also
end

-- The resident memory of the processes in svc's group, in bytes (when
-- the memory controller is off: no memory.current).
local function rss(svc)
	local sum
	for _, pid in ipairs(cg_pids(svc)) do
		local kb = tonumber((fs.readfile("/proc/" .. pid .. "/status") or ""):match("\nVmRSS:%s*(%d+)"))
		if kb then sum = (sum or 0) + kb * 1024 end
	end
	return sum
end

--- A status table for one service (what luactl status shows). detail:
-- true (one service asked for) adds the resident memory of its processes
-- when memory accounting is off; false leaves out the group's counters
-- (memory, tasks), two cgroupfs reads a service that a list of every
-- service does not show.
function M.status(name, detail)
	local svc = M.services[name]
	if not svc then return nil end
	local mem, mem_rss, pids
	if svc.cgroup_path and detail ~= false then
		mem = tonumber((fs.readfile(svc.cgroup_path .. "/memory.current") or ""):match("%d+"))
		pids = tonumber((fs.readfile(svc.cgroup_path .. "/pids.current") or ""):match("%d+"))
		if not mem and detail then
			mem = rss(svc)
			mem_rss = mem ~= nil or nil
		end
	end
	-- what a stop of it reaches, and what it needs (one service asked for:
	-- a scan of every service)
	local requires, needed_by
	if detail then
		if #svc.requires > 0 then requires = table.move(svc.requires, 1, #svc.requires, 1, {}) end
		local seen = {}
		for _, other in ipairs(requiring()[name] or EMPTY) do
			if not seen[other] then
				seen[other], needed_by = true, needed_by or {}
				needed_by[#needed_by + 1] = other.name
			end
		end
		if needed_by then table.sort(needed_by) end
	end
	return {
		requires = requires, needed_by = needed_by,
		name = svc.name, state = svc.state, why = svc.why, pid = svc.pid, type = svc.type,
		enabled = svc.enabled, restarts = svc.restarts,
		-- seconds and ms to the ms and the µs: the clock's last digits are noise
		uptime = (svc.state == "ready" and svc.ready_at) and (now() - svc.ready_at) // 1 / 1000 or nil,
		ready_ms = (svc.ready_at and svc.started_at) and (svc.ready_at - svc.started_at) * 1000 // 1 / 1000 or nil,
		last_exit = svc.last_exit and exit_text(svc.last_exit.how, svc.last_exit.code) or nil,
		status = svc.status, memory = mem, memory_rss = mem_rss, tasks = pids, cgroup = svc.cgroup_path,
		description = svc.description, log = svc.ring,
	}
end

require("shutdown").release(M.close_logs)

sched.on_child(function(pid, how, code)
	local svc = M.by_pid[pid]
	if svc then M.dispatch(svc, "exit", how, code) end
end)

---------------------------------------------------------------- reload

--- What reload(newset) would do: names to add, remove, change (restart),
-- update (in place), update_down (changed but down: left down) and keep,
-- each sorted (svcreload.lua, loaded when first asked: a boot never
-- reloads).
-- reload_plan : ({name = def}) -> {add, remove, change, update, update_down, keep}
function M.reload_plan(newset) return require("svcreload").plan(M, newset) end

--- Apply a reload plan (from reload_plan) in a task (svcreload.apply).
-- reload : (newset, plan, progress?) -> {failed = {name}}
function M.reload(newset, plan, progress) return require("svcreload").apply(M, newset, plan, progress) end

return M
