-- VM: the default boot brings every service of the test image up; killing
-- syslogd gets it restarted; the host fetches a page from httpd through a
-- hostfwd port (see `run`), then powers the guest off through a CGI script.
local sched = require "sched"
local process = require "luainit.process"

dofile("/etc/luainit/boot.lua")

-- until the default boot configures the network itself (netconf), give
-- eth0 QEMU's user-network address by hand
if not package.loaded.network then
	for _, argv in ipairs({ { "ip", "link", "set", "eth0", "up" },
		{ "ip", "addr", "add", "10.0.2.15/24", "dev", "eth0" },
		{ "ip", "route", "add", "default", "via", "10.0.2.2" } }) do
		local pid = process.spawn({ argv = argv })
		if pid then sched.wait_child(pid) end
	end
end

sched.spawn(function()
	local sup = require "supervisor"
	for _, n in ipairs({ "getty", "syslogd", "klogd", "crond", "httpd" }) do
		local st = sup.wait_settled(n, 60000)
		print(string.format("CHECK service %s %s", n, tostring(st)))
	end
	local svc = sup.services.syslogd
	local old = svc.pid
	process.kill(old, "KILL")
	for _ = 1, 100 do
		if svc.state == "ready" and svc.pid ~= old then break end
		sched.sleep(100)
	end
	print(string.format("CHECK syslogd restarted %s (restarts %d)",
		tostring(svc.state == "ready" and svc.pid ~= old), svc.restarts))
	print("CHECK ready for the host")
end, "vm-services-test")
