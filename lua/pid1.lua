--- pid1: what PID 1 runs once its C core is up (signals blocked, epoll
-- loop ready, reaper running). It reads the kernel command line, installs
-- the signal policy, and runs the boot file as a task; a boot file that
-- fails to load or raises opens the rescue console. Nothing here blocks:
-- the C loop serves events as soon as main returns.
local event = require "luainit.event"
local fs = require "luainit.fs"
local sys = require "luainit.sys"
local log = require "log"
local sched = require "sched"
local stage = require "stage"
local shutdown = require "shutdown"

local M = { boot_path = "/etc/luainit/boot.lua", signal_handlers = {} }

-- BusyBox/sysvinit convention; SIGINT is Ctrl-Alt-Del (reboot(RB_DISABLE_CAD)).
local SHUTDOWN_SIGNALS = { TERM = "reboot", INT = "reboot", USR1 = "halt", USR2 = "poweroff", PWR = "poweroff" }

--- Run fn(signame, sender_pid) when PID 1 receives signal name ("HUP").
-- on_signal : (name, fn) -> nil
function M.on_signal(name, fn) M.signal_handlers[name] = fn end

-- Ctrl-Alt-Del pressed this often within this time during a shutdown
-- forces a reboot, as systemd's CtrlAltDelBurstAction: the way out of a
-- shutdown that hangs, at the console
M.cad_burst, M.cad_burst_ms = 7, 2000
local cad = {}

--- The "signal" hook: every signal PID 1 receives but SIGCHLD. One with
-- no handler goes to signal_other when set (container mode: forwarded).
function M.signal(name, sender)
	local fn = M.signal_handlers[name] or M.signal_other
	if fn then return fn(name, sender) end
	if name == "INT" and shutdown.in_progress then
		local t = event.now()
		cad[#cad + 1] = t
		while cad[1] and cad[1] < t - M.cad_burst_ms do table.remove(cad, 1) end
		if #cad >= M.cad_burst then
			return shutdown.force("reboot", string.format("Ctrl-Alt-Del pressed %d times within %g s",
				#cad, M.cad_burst_ms / 1000))
		end
	end
	local kind = SHUTDOWN_SIGNALS[name]
	if kind then
		log.info("signal %s from pid %d: %s", name, sender, kind)
		shutdown.request(kind)
	else
		log.debug("signal %s from pid %d ignored", name, sender)
	end
end

local function read_cmdline()
	-- LUAINIT_CMDLINE serves namespace tests, where /proc/cmdline is the
	-- host's: it replaces the kernel command line
	-- An unterminated quote is a warning, not a reason to drop the line:
	-- the kernel has taken the line that way too (the quote runs to the
	-- end), and the words before it must still apply.
	local override = os.getenv("LUAINIT_CMDLINE")
	if override then
		local t, err = sys.cmdline(override)
		if t then
			if err then log.warn("LUAINIT_CMDLINE: %s", err) end
			return t
		end
		log.err("LUAINIT_CMDLINE: %s; using the kernel's", err)
	end
	if not fs.exists("/proc/cmdline") then
		-- the command line lives in /proc; boot.lua's own mount step
		-- will find it mounted
		stage.mount("proc", "/proc", "proc", "nosuid,nodev,noexec,relatime")
	end
	sys.console_open() -- the console's non-blocking writer needs /proc
	local t, err = sys.cmdline()
	if not t then
		log.err("kernel command line: %s; using defaults", err)
		t = { words = {}, all = {}, init_args = {} }
	elseif err then
		log.warn("kernel command line: %s", err)
	end
	return t
end

-- :continue at the rescue console of a failed boot file: there is no boot
-- left to resume, so keep a shell on the console rather than leave it dead
-- (fix the file, then reboot, or run it again: dofile("/etc/luainit/boot.lua")).
local function after_rescue()
	if require("shutdown").in_progress then return end
	log.warn("the boot file did not finish: no boot to resume; a shell on the console instead")
	stage.console_shell()
end

local function boot()
	local cmd = read_cmdline()
	stage.cmdline = cmd
	-- the words the kernel passed to init; a container's argv is its
	-- runtime's, and container.parse has read it
	if event.mode() == "pid1" then stage.argv = { table.unpack(M.argv) } end
	log.debug_enabled = stage.flag("luainit.debug")
	-- the kernel's quiet keeps the status lines off the console, as
	-- systemd's does; luainit.show_status= says otherwise either way. Not
	-- a container's: the host's quiet is not its own (LUAINIT_CMDLINE,
	-- which stands for the kernel's, is)
	if cmd["luainit.show_status"] ~= nil then log.quiet = not stage.flag("luainit.show_status")
	else log.quiet = cmd.quiet ~= nil and (event.mode() == "pid1" or os.getenv("LUAINIT_CMDLINE") ~= nil) end
	-- LUAINIT_BOOT serves namespace tests, where /proc/cmdline is the host's.
	-- A bare luainit.boot, or one with no path, names no file: it went to
	-- /etc/luainit/boot.lua without a word, and an empty path ("booting
	-- with ") to the rescue console with "cannot open : ..."
	local path = cmd["luainit.boot"]
	if path ~= nil and (type(path) ~= "string" or path == "") then
		log.warn("kernel command line: luainit.boot%s: expected luainit.boot=PATH, the boot file to run; "
			.. "running the default", path == true and "" or "=")
		path = nil
	end
	path = path or os.getenv("LUAINIT_BOOT") or M.boot_path
	log.info("luainit: booting with %s", path)
	local chunk, err = require("luainit.chunk").loadfile(path)
	if not chunk then
		log.failed("load " .. path, err)
		return after_rescue(require("rescue").run("the boot file could not be loaded"))
	end
	local ok, berr = xpcall(chunk, log.traceback)
	if not ok then
		log.failed("boot " .. path, berr)
		return after_rescue(require("rescue").run("the boot file raised an error"))
	end
end

--- Entry point, called by the C core with the argv PID 1 was started with.
-- main : (argv) -> nil
function M.main(argv)
	M.argv = argv
	-- os.exit would end PID 1 (on a machine, a kernel panic): any Lua it
	-- runs, boot.lua or a service or network file, gets an error instead
	os.exit = function()
		error("os.exit would end PID 1; to stop the machine: require('shutdown').request('poweroff')", 2)
	end
	event.hook("signal", M.signal)
	if event.mode() == "container" then
		-- `luainit --container [-- CMD]`, or PID 1 of a PID namespace
		-- given a command: the container's init, not a boot
		local container = require "container"
		local opts, err = container.parse(argv)
		if not opts then
			log.err("luainit: %s", err)
			return event.exit(2)
		end
		if opts.explicit or #opts.cmd > 0 then
			log.kmsg = false -- /dev/kmsg is the host's
			return container.run(opts)
		end
	end
	sched.spawn(boot, "boot")
end

return M
