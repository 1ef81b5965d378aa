--- rescue: the rescue console. A Lua REPL on the console with the luainit
-- modules at hand; `:sh` runs /bin/sh, `:continue` resumes the boot (a
-- boot file that failed has none to resume: pid1.lua then keeps a shell
-- on the console),
-- `:reboot` / `:poweroff` shut down. It runs as a task, so PID 1 keeps
-- reaping and serving events while a person types.
local event = require "luainit.event"
local fs = require "luainit.fs"
local log = require "log"
local sched = require "sched"

local M = {}

local HELP = [[
luainit rescue console: type Lua (expressions print their value).
  loaded: fs sys process mount kmod dev event socket net, log sched
          stage shutdown services supervisor (sup) control network
  :sh         run /bin/sh on the console (exit it to come back)
  :continue   resume the boot where it stopped (after a boot file that
              failed: a shell on the console)
  :reboot     :poweroff     :halt
  :help       this text]]

local function out(s) io.stdout:write(s) io.stdout:flush() end

--- A value as the REPLs print it (tables one level deep).
-- show : (v) -> string
local function show(v, depth)
	if type(v) ~= "table" or (depth or 0) > 0 then
		return type(v) == "string" and string.format("%q", v) or tostring(v)
	end
	local parts, n = {}, 0
	for k, x in pairs(v) do
		n = n + 1
		if n > 40 then parts[#parts + 1] = "..." break end
		parts[#parts + 1] = tostring(k) .. " = " .. show(x, 1)
	end
	return "{ " .. table.concat(parts, ", ") .. " }"
end

--- A fresh REPL environment: globals plus every luainit module and the
-- boot library, under their short names (sup = supervisor). os.exit is
-- refused: in PID 1 it would panic the kernel.
-- environment : () -> table
local function environment()
	local env = setmetatable({}, { __index = _G })
	for _, m in ipairs({ "fs", "sys", "process", "mount", "kmod", "dev", "event", "socket", "net" }) do
		local ok, mod = pcall(require, "luainit." .. m)
		if ok then env[m] = mod end
	end
	for _, m in ipairs({ "log", "sched", "stage", "shutdown", "services", "supervisor", "control", "network" }) do
		local ok, mod = pcall(require, m)
		if ok then env[m] = mod end
	end
	env.sup = env.supervisor
	env.os = setmetatable({ exit = function() error("os.exit would end PID 1; use :poweroff or luactl poweroff", 2) end },
		{ __index = os })
	return env
end
M.show, M.environment = show, environment

--- Evaluate one line of Lua in env; returns the text to print.
-- eval : (line, env) -> string
function M.eval(line, env)
	local chunk, err = load("return " .. line, "=rescue", "t", env)
	if not chunk then chunk, err = load(line, "=rescue", "t", env) end
	if not chunk then return "error: " .. err end
	local r = table.pack(xpcall(chunk, log.traceback))
	if not r[1] then return "error: " .. tostring(r[2]) end
	local parts = {}
	for i = 2, r.n do parts[#parts + 1] = show(r[i]) end
	return table.concat(parts, "\t")
end

-- Read one line from the console without blocking PID 1.
local function read_line(state)
	while true do
		local nl = state.buf:find("\n", 1, true)
		if nl then
			local line = state.buf:sub(1, nl - 1)
			state.buf = state.buf:sub(nl + 1)
			return (line:gsub("\r$", ""))
		end
		if state.eof then
			-- no input (stdin at end): look again later, never spin
			state.eof = false
			sched.sleep(1000)
		end
		if not state.watch then
			state.watch = event.watch(0, "r", function()
				local data = state.fd:read(4096)
				if not data or data == "" then
					state.eof = true
					state.watch:close()
					state.watch = nil
				else
					state.buf = state.buf .. data
				end
				sched.wake(state)
			end)
		end
		sched.wait(state)
	end
end

local function shell()
	local process = require "luainit.process"
	-- the child opens the terminal: PID 1's open of a serial console
	-- without carrier would wait for the carrier
	local spec = { argv = { "/bin/sh" }, tty = require("stage").console_tty(), setsid = true,
		ctty = true, cwd = "/", env = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TERM=vt100" } }
	local pid, err = process.spawn(spec)
	if not pid then
		-- no terminal to open: the shell gets PID 1's own stdin and stdout
		spec.tty, spec.stdin, spec.stdout, spec.stderr = nil, 0, 1, 2
		pid, err = process.spawn(spec)
	end
	if not pid then out("error: " .. tostring(err) .. "\n") return end
	sched.wait_child(pid)
end

--- Open the rescue console and return when the person types :continue.
-- Called from inside a task (the boot), it pauses that task; otherwise it
-- starts a task of its own.
-- run : (reason) -> nil
function M.run(reason)
	local _, main = coroutine.running()
	if main then return sched.spawn(M.run, "rescue", reason) end
	log.err("rescue console: %s", reason)
	out(HELP .. "\n")
	local env = environment()
	local state = { buf = "", fd = fs.fdopen(0) }
	while true do
		out("rescue> ")
		local line = read_line(state)
		if line == ":continue" then break
		elseif line == ":help" then out(HELP .. "\n")
		elseif line == ":sh" then
			if state.watch then state.watch:close() state.watch = nil end
			shell()
		elseif line == ":reboot" or line == ":poweroff" or line == ":halt" then
			require("shutdown").request(line:sub(2))
			break
		elseif line:match("%S") then
			out(M.eval(line, env) .. "\n")
		end
	end
	if state.watch then state.watch:close() end
	log.notice("rescue console closed; boot resumes")
end

return M
