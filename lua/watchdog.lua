--- watchdog: keep a hardware watchdog (/dev/watchdog) from rebooting the
-- machine while PID 1 is alive. A timer on the event loop writes to the
-- device every `interval` seconds, so a PID 1 that stops serving its loop
-- stops petting, and the device resets the machine. At shutdown, once every
-- process is gone, the device is closed with the magic "V" so the final
-- reboot(2) is not raced by it.
--
-- boot.lua:  boot.watchdog({ device = "/dev/watchdog", interval = 10 })
local event = require "luainit.event"
local fs = require "luainit.fs"
local log = require "log"

local M = {}

local KEYS = { device = true, interval = true, module = true, options = true }

--- Open the watchdog and pet it from a timer.
-- start : (opts?) -> string | (false, string)
function M.start(opts)
	opts = opts or {}
	for k in pairs(opts) do
		if not KEYS[k] then return false, "watchdog: unknown key '" .. tostring(k) .. "'" end
	end
	local device = opts.device or "/dev/watchdog"
	local interval = opts.interval or 10
	if type(interval) ~= "number" or interval <= 0 then
		return false, "watchdog: interval must be a number of seconds > 0"
	end
	if opts.module then
		local ok, err = require("luainit.kmod").load(opts.module, opts.options)
		if not ok then return false, "watchdog: " .. tostring(err) end
		require("sched").wait_path(device, 2000)
	end
	if M.fd then return "watchdog already running" end
	local fd, err = fs.open(device, "w")
	if not fd then return false, err end
	M.fd, M.pets = fd, 0
	local function pet()
		if M.fd and M.fd:write("\0") then M.pets = M.pets + 1 end
	end
	pet()
	M.timer = assert(event.timer(pet))
	M.timer:arm(interval * 1000, interval * 1000)
	require("shutdown").release(M.stop)
	return string.format("watchdog %s, petted every %g s", device, interval)
end

--- Disarm and close the watchdog (magic close).
function M.stop()
	if M.timer then M.timer:close() M.timer = nil end
	if M.fd then
		M.fd:write("V")
		M.fd:close()
		M.fd = nil
		log.info("watchdog: disarmed")
	end
end

return M
