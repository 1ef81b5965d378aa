-- Services that misbehave toward the readiness protocols and the state
-- machine, as real daemons do; each case a bug PID 1 had. PID 1 must
-- keep its state right, stay cheap, and answer afterwards.
local event = require "luainit.event"
local fs = require "luainit.fs"
local process = require "luainit.process"
local sched = require "sched"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-fault-misbehave")
local D = T.dir
local function py(src) return ("{ \"/usr/bin/python3\", \"-c\", %q }"):format(src) end
local NOTIFY = [[
import os, socket, time
addr = os.environ["NOTIFY_SOCKET"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
def send(m): s.sendto(m.encode(), addr)
]]
-- a notify service whose MAINPID= child exits and is reaped by the main
-- process itself, so PID 1 never sees its main process exit
local REAPED = NOTIFY .. [[
child = os.fork()
if child == 0:
    time.sleep(0.3)
    os._exit(0)
send("MAINPID=%d\nREADY=1" % child)
os.waitpid(child, 0)
print("reaped", child, flush=True)
time.sleep(1000)
]]

T.services({
	-- type fd: 8 MiB without a newline on its ready_fd, then the newline.
	-- PID 1 kept everything before the newline and copied it at each read:
	-- quadratic, 100 % of a CPU and a growing heap for as long as it wrote
	fdgarbage = [[return { type = "fd", ready_fd = 3, start_timeout = 10,
		command = { "/bin/sh", "-c", "head -c 8388608 /dev/zero >&3; echo >&3; exec sleep 1000" } }]],
	-- EXTEND_TIMEOUT_USEC may only lengthen the start (systemd): 1 ms,
	-- 0 and a negative or infinite value made the start time out at once
	-- ("not ready within 10 s" after 1 ms)
	extendshort = ([[return { type = "notify", start_timeout = 10, command = %s }]]):format(py(NOTIFY .. [[
for v in ("1000", "0", "-5000000", "1e400", "0x10", " 7"): send("EXTEND_TIMEOUT_USEC=" + v)
time.sleep(1.5)
send("READY=1")
time.sleep(1000)
]])),
	-- and a longer one does lengthen it: ready after 2.5 s of a 1 s timeout
	extendlong = ([[return { type = "notify", start_timeout = 1, command = %s }]]):format(py(NOTIFY .. [[
send("EXTEND_TIMEOUT_USEC=3000000")
time.sleep(2.5)
send("READY=1")
time.sleep(1000)
]])),
	-- takes 1 s to stop: a start, then a stop, while it stops
	slowstop = [[return { stop_timeout = 5, command = { "/bin/sh", "-c", "trap 'sleep 1; exit 0' TERM; while :; do sleep 0.1; done" } }]],
	-- MAINPID= names a child, which exits; the main process reaps it
	-- itself, so PID 1 never sees its main process exit
	-- (with process.pidfd failing as before Linux 5.3, ENOSYS: below)
	reaped = ([[return { type = "notify", stop_timeout = 2, enabled = false, command = %s }]]):format(py(REAPED)),
	-- forking: the parent exits 0 before its daemon writes the pid file
	-- (daemon(3), then the file): failed, and restarted, at the parent's exit
	latepid = ([[return { type = "forking", pid_file = "%s/latepid.pid", start_timeout = 10, restart = "never",
		command = { "/bin/sh", "-c", "sh -c 'sleep 0.5; echo $$ > %s/latepid.pid; exec sleep 1000' & exit 0" } }]]):format(D, D),
	-- one that never writes it is stopped at its start_timeout, its daemon too
	nopid = ([[return { type = "forking", pid_file = "%s/nopid.pid", start_timeout = 1, restart = "never",
		command = { "/bin/sh", "-c", "sleep 1000 & exit 0" } }]]):format(D),
	-- one whose daemon exits without writing it fails then, not at its start_timeout
	diepid = ([[return { type = "forking", pid_file = "%s/diepid.pid", start_timeout = 20, restart = "never",
		command = { "/bin/sh", "-c", "sleep 0.3 & exit 0" } }]]):format(D),
	-- the same with a watchdog, and no pings (and no pidfd, ENOSYS): its
	-- missed ping must not send SIGABRT to whoever has that pid now
	wdreaped = ([[return { type = "notify", watchdog = 1, restart = "never", enabled = false, command = %s }]]):format(py(REAPED)),
	-- MAINPID= names a child that exits 0.5 s later, reaped by the main
	-- process (its first run; later ones keep it): the service stayed
	-- "ready" with that dead pid until a stop. Its pidfd tells PID 1
	mainexit = ([[return { type = "notify", enabled = false, command = %s }]]):format(py(NOTIFY .. [[
n = os.path.join("]] .. D .. [[", "mainexit.runs")
runs = int(open(n).read()) + 1 if os.path.exists(n) else 1
open(n, "w").write(str(runs))
child = os.fork()
if child == 0:
    time.sleep(0.5 if runs == 1 else 1000)
    os._exit(0)
print("child", child, flush=True)
send("MAINPID=%d\nREADY=1" % child)
os.waitpid(child, 0)
time.sleep(1000)
]])),
	-- forking: the pid file names a process whose parent lives and reaps
	-- it (not PID 1's child), and that process exits 0.5 s later
	forkgone = ([[return { type = "forking", pid_file = "%s/forkgone.pid", restart = "never", enabled = false,
		command = { "/bin/sh", "-c", "sh -c 'sleep 0.5 & echo $! > %s/forkgone.pid; wait; exec sleep 1000' & exit 0" } }]]):format(D, D),
	-- STATUS= with a terminal's escape sequences, a bell and a carriage
	-- return: `luactl status NAME` printed them raw to the terminal; and
	-- the same in its output, which `luactl log` printed raw
	-- PID 1's own child that moves itself out of its group (as cgexec
	-- would): its stop was taken for a main process gone unseen, which
	-- was sent no signal, and it ran on after "stopped"
	leaver = ([[return { enabled = false, stop_timeout = 5,
		command = { "/bin/sh", "-c", "echo $$ > %s/away/cgroup.procs && exec sleep 1000" } }]]):format(sup.cgroup_root),
	ansi = ([[return { type = "notify", command = %s }]]):format(py(NOTIFY .. [[
s.sendto(b"STATUS=\x1b]0;owned\x07\x1b[2J\x1b[31mred\rok\nREADY=1", addr)
print("out:\x1b]0;owned\x07\x1b[31mred\tok\u009b2J", flush=True)
time.sleep(1000)
]])),
})

local t0, ticks0 = event.now(), T.cpu_ticks(1)
sup.start_all()

local fdg = sup.services.fdgarbage
T.check("fd: ready after 8 MiB without a newline", sup.wait_settled("fdgarbage", 10000) == "ready", fdg.why)
local cpu_ms, wall_ms = (T.cpu_ticks(1) - ticks0) * 10, event.now() - t0
T.check("fd: PID 1 cpu below 50 % meanwhile", cpu_ms < wall_ms / 2 + 100, string.format("%.0f/%.0f ms", cpu_ms, wall_ms))

T.check("notify: a short EXTEND_TIMEOUT_USEC does not shorten the start",
	sup.wait_settled("extendshort", 10000) == "ready", sup.services.extendshort.why)
T.check("notify: a long EXTEND_TIMEOUT_USEC lengthens the start",
	sup.wait_settled("extendlong", 10000) == "ready", sup.services.extendlong.why)

local lp = sup.services.latepid
T.check("forking: a pid file written after the parent's exit is waited for", sup.wait_settled("latepid", 10000) == "ready"
	and lp.pid ~= nil and lp.pid == tonumber(fs.readfile(D .. "/latepid.pid")), lp.why)
local np = sup.services.nopid
T.check("forking: no pid file by start_timeout: failed", sup.wait_settled("nopid", 5000) == "failed", np.why)
T.check("forking: no pid file by start_timeout: its daemon killed", T.wait_until(function() return #sup.cg_pids(np) == 0 end, 2000))
local dp = sup.services.diepid
T.check("forking: the daemon exits without a pid file: failed at once",
	T.wait_until(function() return dp.state == "failed" end, 5000) and event.now() - t0 < 10000, dp.why)
-- its parent exited 0: the reason is the pid file, not an "exit code 1"
local nopid_text = "no live pid in " .. D .. "/diepid.pid (its parent: exit code 0)"
T.check("forking: the daemon exits without a pid file: said so", dp.why == nopid_text
	and sup.status("diepid").last_exit == nopid_text, dp.why)

-- the cases a kernel without pidfds (ENOSYS) leaves to a stop or a
-- missed watchdog ping: process.pidfd fails as it would there
local real_pidfd = process.pidfd
process.pidfd = function(pid) return nil, "pidfd_open " .. pid .. ": Function not implemented", 38, "ENOSYS" end

local wd = sup.services.wdreaped
sup.start("wdreaped")
local wgone = T.wait_until(function() return tonumber(table.concat(wd.ring, "\n"):match("reaped (%d+)")) end, 5000)
local wby
if wgone and wd.pid == wgone then
	fs.writefile("/proc/sys/kernel/ns_last_pid", tostring(wgone - 1))
	wby = process.spawn({ argv = { "/bin/sleep", "60" } })
end
T.check("watchdog: the bystander has the gone main pid", wby ~= nil and wby == wgone, tostring(wby) .. " " .. tostring(wgone))
T.check("watchdog, main gone: failed", T.wait_until(function() return wd.state == "failed" end, 5000), wd.state .. " " .. tostring(wd.why))
T.check("watchdog, main gone: the bystander was not signalled", wby and process.kill(wby, 0) == true)
T.check("watchdog, main gone: its group is empty", T.wait_until(function() return #sup.cg_pids(wd) == 0 end, 2000))
if wby then process.kill(wby, "KILL") sched.wait_child(wby, 5000) end

sup.wait_settled("ansi", 5000)
T.wait_until(function() return sup.services.ansi.status end, 3000)
do
	local out = T.dir .. "/ansi.out"
	local pid = process.spawn({ path = "/proc/self/exe", argv = { "luactl", "status", "ansi" },
		env = { "LUAINIT_CONTROL=" .. T.control }, stdout = { file = out }, stderr = "stdout" })
	sched.wait_child(pid, 10000)
	local text = fs.readfile(out) or ""
	local line = text:match("status:[^\n]*") or ""
	T.check("STATUS= shown without its control characters", line ~= "" and not line:find("[\27\7\r]"),
		(line:gsub("%c", "?")))
	T.check("STATUS= shown escaped", line:find("\\x1b[31mred\\x0dok", 1, true) ~= nil, (line:gsub("%c", "?")))
	local logged = text:match("\n    (out:[^\n]*)") or ""
	T.check("status NAME shows its log lines escaped", logged == "out:\\x1b]0;owned\\x07\\x1b[31mred\tok\\xc2\\x9b2J",
		(logged:gsub("%c", "?")))
	pid = process.spawn({ path = "/proc/self/exe", argv = { "luactl", "log", "ansi" },
		env = { "LUAINIT_CONTROL=" .. T.control }, stdout = { file = out }, stderr = "stdout" })
	sched.wait_child(pid, 10000)
	text = fs.readfile(out) or ""
	T.check("luactl log shows a service's output escaped, tabs kept",
		text:find("out:\\x1b]0;owned\\x07\\x1b[31mred\tok\\xc2\\x9b2J\n", 1, true) ~= nil and not text:find("[\27\7]"),
		(text:gsub("[%c]", "?")))
end

-- the last word is the stop: it was ignored while stopping, and the
-- start asked for before it restarted the service
sup.wait_settled("slowstop", 5000)
sched.sleep(300) -- its trap is set
sup.stop("slowstop")
sched.sleep(100)
sup.start("slowstop")
sched.sleep(100)
sup.stop("slowstop")
T.check("stop, start, stop while stopping: stopped", sup.wait_settled("slowstop", 10000) == "stopped"
	and sup.services.slowstop.pid == nil, sup.services.slowstop.why)
sched.sleep(300)
T.check("stop, start, stop while stopping: not restarted", sup.services.slowstop.state == "stopped", sup.services.slowstop.why)

-- its stop: the main pid is no process of its group any more, and is
-- given to a bystander (ns_last_pid) the stop must not signal; the stop
-- waited for that pid's exit for ever ("stopping") after signalling it
local rp = sup.services.reaped
sup.start("reaped")
sup.wait_settled("reaped", 5000)
local gone = T.wait_until(function() return tonumber(table.concat(rp.ring, "\n"):match("reaped (%d+)")) end, 5000)
T.check("MAINPID: the child was taken, and reaped by its parent", gone ~= nil and rp.pid == gone, tostring(rp.pid) .. " " .. tostring(gone))
local bystander
if gone then
	fs.writefile("/proc/sys/kernel/ns_last_pid", tostring(gone - 1))
	bystander = process.spawn({ argv = { "/bin/sleep", "60" } })
end
T.check("MAINPID: the bystander has its pid", bystander == gone, tostring(bystander) .. " " .. tostring(gone))
local t1 = event.now()
sup.stop("reaped")
local st = sup.wait_settled("reaped", 6000)
T.check("MAINPID gone: stopped", st == "stopped" and rp.pid == nil, rp.state .. " " .. tostring(rp.why))
T.check("MAINPID gone: within its stop_timeout", event.now() - t1 < 3000, event.now() - t1)
T.check("MAINPID gone: the group is empty", #sup.cg_pids(rp) == 0, #sup.cg_pids(rp))
T.check("MAINPID gone: the bystander was not signalled", bystander and process.kill(bystander, 0) == true)
if bystander then process.kill(bystander, "KILL") sched.wait_child(bystander, 5000) end
T.check("MAINPID gone: the bystander's exit is not the service's", rp.state == "stopped", rp.state)
process.pidfd = real_pidfd

-- a main process that is not PID 1's child: its exit, seen through its
-- pidfd, is the service's, and the restart policy applies
local me = sup.services.mainexit
sup.start("mainexit")
sup.wait_settled("mainexit", 5000)
local first = me.pid
local child = T.wait_until(function() return tonumber(table.concat(me.ring, "\n"):match("child (%d+)")) end, 5000)
T.check("MAINPID exits, reaped by its parent: the child was taken", first ~= nil and child == first,
	tostring(first) .. " " .. tostring(child))
T.check("MAINPID exits: seen as the service's exit", T.wait_until(function()
	return me.last_exit and me.last_exit.how == "gone" and me.last_exit.code == first end, 3000),
	me.state .. " " .. tostring(me.why))
T.check("MAINPID exits: restarted, ready with its new main process", T.wait_until(function()
	return me.state == "ready" and me.restarts == 1 end, 5000) and me.pid ~= nil and me.pid ~= first, me.state .. " " .. tostring(me.pid) .. " " .. tostring(me.why))
local fg = sup.services.forkgone
sup.start("forkgone")
T.check("forking: its daemon not PID 1's child: ready", T.wait_until(function() return fg.state == "ready" end, 5000),
	fg.state .. " " .. tostring(fg.why))
local fgpid = fg.pid
T.check("forking: that daemon's exit is the service's", T.wait_until(function() return fg.state == "failed" end, 3000)
	and fg.last_exit and fg.last_exit.how == "gone" and fg.last_exit.code == fgpid, fg.state .. " " .. tostring(fg.why))
T.check("forking: its group killed", T.wait_until(function() return #sup.cg_pids(fg) == 0 end, 2000))
sup.stop("mainexit")
T.check("MAINPID: stopped at its main process's exit", sup.wait_settled("mainexit", 5000) == "stopped", me.why)
-- each pidfd closed with the run it watched, or when its main process went
local function pidfds()
	local n = 0
	for _, f in ipairs(fs.readdir("/proc/self/fd") or {}) do
		if (fs.readlink("/proc/self/fd/" .. f) or ""):find("pidfd", 1, true) then n = n + 1 end
	end
	return n
end
T.check("no pidfd left open", pidfds() == 0, pidfds())

fs.mkdirp(sup.cgroup_root .. "/away")
local lv = sup.services.leaver
sup.start("leaver")
local lvpid = T.wait_until(function()
	return lv.pid and (fs.readfile(sup.cgroup_root .. "/away/cgroup.procs") or ""):find(lv.pid, 1, true) and lv.pid
end, 5000)
T.check("own child out of its group: it left", lvpid ~= nil, tostring(lv.pid))
sup.stop("leaver")
T.check("own child out of its group: stopped by its signal", sup.wait_settled("leaver", 8000) == "stopped"
	and lv.last_exit and lv.last_exit.how == "killed" and lv.last_exit.code == "TERM", lv.why)
T.check("own child out of its group: gone", lvpid and process.kill(lvpid, 0) ~= true)
fs.rmdir(sup.cgroup_root .. "/away")

T.responsive("after the misbehaving services")
T.finish()
