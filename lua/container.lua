--- container: luainit as the init of a container (what `docker run --init`,
-- tini or dumb-init do). It runs one main command, reaps every zombie,
-- forwards the signals a runtime sends to that command (or to its process
-- group; every signal but CHLD, TTIN, TTOU and PWR, which stops it), can run services from /etc/luainit/services beside it, and exits
-- with the command's exit status, or 128+signal when a signal killed it.
-- Machine set-up is skipped entirely: the runtime has mounted what is
-- there, and reboot(2) and module loading are not ours to do.
--
--   luainit --container [--pgroup] [--services DIR] [--] CMD ARGS...
--
-- When luainit is not PID 1 the C core has made it a child subreaper, so
-- orphans of the command's subtree still come to it to be reaped.
local event = require "luainit.event"
local fs = require "luainit.fs"
local process = require "luainit.process"
local log = require "log"
local sched = require "sched"

local M = {
	-- what a runtime or a person sends that the command must see
	forward = { "TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "WINCH" },
	services_dir = "/etc/luainit/services",
	grace_ms = 5000,     -- for what is left once the command has ended
	kill_wait_ms = 2000,
}

local USAGE = "usage: luainit --container [--pgroup] [--services DIR] [--] CMD ARGS..."

--- Read the container options from PID 1's argv (argv[0] is the program).
-- A word that is not an option starts the command.
-- parse : (argv) -> {explicit, pgroup, services, cmd} | (nil, string)
function M.parse(argv)
	local o = { cmd = {}, pgroup = os.getenv("LUAINIT_FORWARD_PGROUP") == "1" }
	local i = 1
	while argv[i] do
		local a = argv[i]
		if a == "--" then i = i + 1 break
		elseif a == "--container" then o.explicit = true
		elseif a == "--pgroup" then o.pgroup = true
		elseif a == "--services" then
			i = i + 1
			if not argv[i] then return nil, "--services needs a directory; " .. USAGE end
			o.services = argv[i]
		elseif a:sub(1, 1) == "-" then return nil, "unknown option '" .. a .. "'; " .. USAGE
		else break end
		i = i + 1
	end
	while argv[i] do o.cmd[#o.cmd + 1] = argv[i]; i = i + 1 end
	return o
end

--- The exit status a shell would report: code, or 128+signal.
-- status : (how, code) -> integer
function M.status(how, code)
	if how == "exited" then return code end
	return 128 + process.signum(code)
end

-- What errno a failed exec maps to, as shells do: 127 not found, 126 not
-- executable.
local function exec_status(errno) return (errno == 2 or errno == 20) and 127 or 126 end

-- Our descendants, found by their parent pids: outside a PID namespace
-- kill(-1) would reach the whole host, so a subreaper signals only these.
-- All of them, not only our children: a child's own child, reparented to
-- us once the TERM ended its parent, never had the TERM, and was KILLed
-- after grace_ms.
local function descendants()
	local me, kids, out = process.getpid(), {}, {}
	for _, pid in ipairs(process.pids() or {}) do
		local st = fs.readfile("/proc/" .. pid .. "/stat")
		local ppid = st and tonumber(st:match("^%d+ %b() %S+ (%d+)"))
		if ppid then
			kids[ppid] = kids[ppid] or {}
			table.insert(kids[ppid], pid)
		end
	end
	local queue, i = { me }, 1
	while queue[i] do
		for _, pid in ipairs(kids[queue[i]] or {}) do
			out[#out + 1] = pid
			queue[#queue + 1] = pid
		end
		i = i + 1
	end
	return out
end

local function signal_rest(sig)
	if process.getpid() == 1 then
		process.kill(-1, sig)
	else
		for _, pid in ipairs(descendants()) do process.kill(pid, sig) end
	end
end

-- Everything the command left behind: TERM, wait for the reaper, KILL.
local function stop_rest()
	if not process.has_children() then return end
	signal_rest("TERM")
	signal_rest("CONT")
	if sched.wait_no_children(M.grace_ms) then return end
	log.warn("container: processes left after %d ms; killing them", M.grace_ms)
	signal_rest("KILL")
	sched.wait_no_children(M.kill_wait_ms)
end

local function start_services(dir, explicit)
	-- the default directory may well be missing; one named by --services
	-- is expected (a typo there ran no services without a word)
	if not explicit and not fs.exists(dir) then return nil end
	local services = require "services"
	local sup = require "supervisor"
	local set, errs = services.load_dir(dir)
	for _, e in ipairs(errs) do log.failed("service definition", e) end
	sup.add(set)
	sup.start_all()
	return sup
end

local finishing = false
local function finish(code, sup)
	-- once: a second stop signal, or the command's exit during a stop,
	-- would run the way out again beside the first
	if finishing then return end
	finishing = true
	if sup then sup.stop_all(60000) end
	stop_rest()
	log.debug("container: exit %d", code)
	event.exit(code)
end

-- The signals pid1.lua takes as the machine's shutdown (SIGTERM reboot,
-- SIGPWR poweroff, ...). A container's ends its own way (finish): the
-- machine's shutdown.lua, left to them, TERMed every process at once,
-- services and command alike, without the services' stop order and
-- stop_signal, and exited 0 in a race with finish and the command's status.
M.stop_signals = { "TERM", "INT", "PWR", "USR1", "USR2" }

--- Run the container: services, the main command, signal forwarding; the
-- process ends with the command's status. Without a command luainit runs
-- the services until a TERM, INT, PWR, USR1 or USR2, then exits 0.
-- run : (opts from parse) -> nil (starts a task)
function M.run(o)
	local pid1 = require "pid1"
	sched.spawn(function()
		local sup = start_services(o.services or M.services_dir, o.services ~= nil)
		if #o.cmd == 0 then
			local function stop(name)
				log.info("container: signal %s: stopping", name)
				finish(0, sup)
			end
			for _, n in ipairs(M.stop_signals) do pid1.on_signal(n, function(n2) sched.spawn(stop, "container-stop", n2) end) end
			return
		end
		local pid, err, errno = process.spawn({
			argv = o.cmd, env = process.environ(), cwd = ".",
			stdin = "inherit", stdout = "inherit", stderr = "inherit",
			-- its own process group, so a group-wide forward reaches
			-- its helpers but never us
			setsid = false, pgroup = true,
			-- and the terminal's foreground (`docker run -it`, as tini
			-- does): a background group stopped at its first read
			foreground = true,
		})
		if not pid then
			log.err("container: %s", err)
			return finish(exec_status(errno), sup)
		end
		log.debug("container: %s is pid %d", o.cmd[1], pid)
		local alive = true
		local function forward(sig)
			-- once reaped, its pid may belong to someone else
			if not alive then return end
			log.debug("container: forwarding %s to %s %d", sig, o.pgroup and "group" or "pid", pid)
			if o.pgroup then process.killpg(pid, sig) else process.kill(pid, sig) end
		end
		for _, name in ipairs(M.forward) do pid1.on_signal(name, forward) end
		-- and every other one (ALRM, CONT, TSTP, the real-time ones, ...),
		-- as tini does: a runtime's `kill -s` is meant for the command, and
		-- dropped it reached no one. Not the terminal's TTIN and TTOU.
		pid1.signal_other = function(sig)
			if sig ~= "TTIN" and sig ~= "TTOU" then forward(sig) end
		end
		-- a shutdown signal that is not forwarded (SIGPWR, LXC's stop)
		-- stops the container as `docker stop` does: the command gets
		-- TERM, and its exit ends the rest
		for _, name in ipairs(M.stop_signals) do
			if not pid1.signal_handlers[name] then
				pid1.on_signal(name, function(sig)
					log.info("container: signal %s: stopping %s", sig, o.cmd[1])
					forward("TERM")
				end)
			end
		end
		local how, code = sched.wait_child(pid)
		alive = false
		local status = M.status(how, code)
		log.debug("container: %s %s %s", o.cmd[1], how, tostring(code))
		finish(status, sup)
	end, "container")
end

return M
