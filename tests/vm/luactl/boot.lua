-- VM: every luactl command against the real PID 1 of the demo image, as a
-- person at the console would type them; each prints its exit code and
-- output, and the last one powers the machine off.
local sched = require "sched"
local process = require "luainit.process"
local fs = require "luainit.fs"

dofile("/etc/luainit/boot.lua")

local function luactl(...)
	local out = "/run/luactl.out"
	local pid = assert(process.spawn({ argv = { "/sbin/luactl", ... }, stdout = { file = out },
		stderr = "stdout", env = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin" } }))
	local _, code = sched.wait_child(pid, 30000)
	local text = fs.readfile(out) or ""
	print(string.format("CHECK luactl %s -> %s", table.concat({ ... }, " "), tostring(code)))
	for line in text:gmatch("[^\n]+") do print("  | " .. line) end
	return code, text
end

sched.spawn(function()
	local sup = require "supervisor"
	for _, n in ipairs({ "syslogd", "httpd", "crond" }) do sup.wait_settled(n, 30000) end
	-- httpd's memory_max is in its group's memory.max
	local httpd = sup.services.httpd
	print(string.format("CHECK group %s memory.max %s", httpd.cgroup_path,
		(fs.readfile(httpd.cgroup_path .. "/memory.max") or "none"):match("%S*")))
	luactl("status")
	luactl("status", "httpd")
	luactl("status", "nosuch")
	luactl("--json", "status") -- with the groups' counters, which the table leaves out
	luactl("list", "--json")
	luactl("stop", "crond")
	luactl("start", "crond")
	luactl("restart", "httpd")
	-- started again in their groups (made anew: a group once killed
	-- with cgroup.kill would kill a child cloned into it), still up
	sched.sleep(500)
	for _, n in ipairs({ "crond", "httpd" }) do
		local s = sup.services[n]
		print(string.format("CHECK %s again: %s, restarts %d", n, s.state, s.restarts))
	end
	luactl("log", "-n", "3")
	luactl("eval", "return 6 * 7")
	luactl("eval", "while true do end")
	luactl("reload", "--dry-run")
	luactl("analyze", "--svg", "/run/boot.svg")
	local svg = fs.readfile("/run/boot.svg") or ""
	print("CHECK svg " .. tostring(svg:match("^<%?xml") ~= nil or svg:match("^<svg") ~= nil) .. " " .. #svg)
	-- the drivers coldplug loaded and the links the network step set up
	print(string.format("CHECK svg rows: module virtio_net %s, link eth0 %s",
		tostring(svg:find(">module virtio_net (", 1, true) ~= nil), tostring(svg:find(">link eth0 (", 1, true) ~= nil)))
	luactl("poweroff")
end, "vm-luactl-test")
