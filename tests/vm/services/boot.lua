-- VM: the default boot brings every service of the test image up and gets
-- eth0's address by DHCP from QEMU's user network; the guest reaches the
-- host at 10.0.2.2 (a page served by the test on the host's loopback, its
-- port given as luainit.test_port=); killing syslogd gets it restarted; the
-- host fetches a page from httpd through a hostfwd port (see `run`), then
-- powers the guest off through a CGI script.
local sched = require "sched"
local process = require "luainit.process"

dofile("/etc/luainit/boot.lua")

sched.spawn(function()
	local sup = require "supervisor"
	for _, n in ipairs({ "getty", "syslogd", "klogd", "crond", "httpd", "netwait" }) do
		local st = sup.wait_settled(n, 60000)
		print(string.format("CHECK service %s %s", n, tostring(st)))
	end
	local network = require "network"
	print("CHECK network online " .. tostring(network.wait_online(30000)))
	local addrs = {}
	for _, a in ipairs(require("luainit.net").addresses("eth0") or {}) do
		if a.family == "inet" then addrs[#addrs + 1] = a.address .. "/" .. a.prefixlen end
	end
	print("CHECK eth0 address " .. table.concat(addrs, " "))
	local port = require("stage").cmdline["luainit.test_port"]
	local pid = process.spawn({ argv = { "/usr/bin/wget", "-q", "-O", "/tmp/from-host",
		"http://10.0.2.2:" .. tostring(port) .. "/from-host.txt" } })
	print("CHECK reached the host " .. tostring(pid and (sched.wait_child(pid, 20000)) == "exited"
		and (require("luainit.fs").readfile("/tmp/from-host") or ""):match("hello guest") ~= nil))
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
