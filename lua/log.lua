--- log: PID 1's own messages.
-- Every line goes to the console, to /dev/kmsg and to a bounded ring that
-- `luactl log` and the rescue console can read. Boot steps print the lines a
-- person scans at boot: `[  OK  ] mounted /proc (2 ms)`. And the one
-- wording of an error a configuration file raised (services, network).
local sys = require "luainit.sys"

-- quiet: the console gets warnings, errors and [FAILED] lines only (the
-- kernel's `quiet`, as systemd then shows no status lines); the ring,
-- `luactl log` and /dev/kmsg still get every line
local M = { debug_enabled = false, kmsg = true, quiet = false }

local RING_MAX = 512
local ring, ring_head, ring_len = {}, 0, 0
-- where console lines go (PID 1's fd 2 is /dev/console); tests redirect
-- it. sys.console_write waits 200 ms at most: a console that takes nothing
-- (flow control, a pipe nobody reads) loses lines, PID 1 does not stop
-- (see init/log.c).
M.console = {
	write = function(self, s) sys.console_write(s) return self end,
	flush = function(self) return self end,
}
-- called with each line (without its "\n") after the console has it;
-- control.lua sets it at the first `luactl log -f` to pass PID 1's lines
-- on to the followers (nil: nobody listens)
M.tap = nil

local function push(line)
	ring_head = ring_head % RING_MAX + 1
	ring[ring_head] = line
	if ring_len < RING_MAX then ring_len = ring_len + 1 end
end

-- chatty: a line M.quiet keeps off the console
local function emit(line, chatty)
	push(line)
	-- one write: the console is unbuffered, and each write is a trip
	-- through the tty and serial drivers
	if not (chatty and M.quiet) then
		M.console:write(line .. "\n")
		M.console:flush()
	end
	if M.tap then M.tap(line) end
	-- kmsg gets every line at debug level: the text says how bad it is,
	-- and the kernel's default console level then does not print it a
	-- second time on the console we already wrote to
	if M.kmsg then pcall(sys.kmsg, "debug", line) end
end

--- Recent lines, oldest first.
-- ring : (n?) -> {string}
function M.ring(n)
	n = math.min(n or ring_len, ring_len)
	local out = {}
	for i = ring_len - n + 1, ring_len do
		local idx = (ring_head - ring_len + i - 1) % RING_MAX + 1
		out[#out + 1] = ring[idx]
	end
	return out
end

local function fmt(...)
	if select("#", ...) > 1 then return string.format(...) end
	return tostring((...))
end

function M.info(...) emit(fmt(...), true) end
--- A line the console shows even when quiet (something the person at
-- the console asked for, as luainit.break=).
function M.notice(...) emit(fmt(...)) end
function M.warn(...) emit("warning: " .. fmt(...)) end
function M.err(...) emit("error: " .. fmt(...)) end
function M.debug(...)
	if M.debug_enabled then emit("debug: " .. fmt(...)) end
end

local function dur(ms)
	if not ms then return "" end
	if ms >= 1000 then return string.format(" (%.2f s)", ms / 1000) end
	return string.format(" (%d ms)", math.floor(ms + 0.5))
end

--- A step that worked: `[  OK  ] what (12 ms)`.
function M.ok(what, ms) emit("[  OK  ] " .. what .. dur(ms), true) end
--- A step that failed: `[FAILED] what: why`.
function M.failed(what, why, ms) emit("[FAILED] " .. what .. ": " .. tostring(why) .. dur(ms)) end
--- A step that failed but does not matter for the boot.
function M.skipped(what, why) emit("[ SKIP ] " .. what .. (why and (": " .. why) or ""), true) end

--- An error value as text: a string as it is, any other by tostring (a
-- table's __tostring), by its type when that raises or gives no string.
-- error_text : (e) -> string
local function error_text(e)
	if type(e) == "string" then return e end
	local ok, m = pcall(tostring, e)
	if not ok or type(m) ~= "string" then m = "a " .. type(e) .. " error value" end
	return m
end

--- An xpcall message handler, as debug.traceback, for any error value:
-- debug.traceback gives back a value that is no string as it is, without
-- the traceback, and a tostring of it then raised in the caller when its
-- __tostring did (the boot file's, whose rescue console never opened).
-- traceback : (e) -> string
function M.traceback(e) return debug.traceback(error_text(e), 2) end
M.error_text = error_text

--- An error value raised by the file at path, as text naming the file
-- once: a message at a line of its own ("path:3: ...") as it is, any
-- other with the path in front; a value whose __tostring raises or
-- returns no string by its type. checked: it was raised while the table
-- the file returned was checked (by a metatable's __index, __pairs or
-- __len), which is said after it. src: how Lua names the file in its
-- messages, when not path (a long path is cut: "...ices/name.lua:2:").
-- file_error : (path, e, checked?, src?) -> string
function M.file_error(path, e, checked, src)
	local m = error_text(e)
	src = src or path
	if m:sub(1, #src + 1) ~= src .. ":" then m = path .. ": " .. m end
	return checked and m .. " (raised while the returned table was checked)" or m
end

return M
