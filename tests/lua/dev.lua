-- tests/lua/dev.lua: luainit.dev: coldplug over the host's /sys and a
-- fake tree, the uevent socket, the uevent parser on crafted buffers,
-- sysfs attributes.
local dev = require "luainit.dev"

local util = dofile("tests/lua/_util.lua")
local sh, write = util.sh, util.write

local GOOD = "add@/devices/pci0000:00/0000:00:03.0/virtio0/net/eth0\0ACTION=add\0"
	.. "DEVPATH=/devices/pci0000:00/0000:00:03.0/virtio0/net/eth0\0SUBSYSTEM=net\0INTERFACE=eth0\0"
	.. "IFINDEX=2\0SEQNUM=1234\0"

-- devices.rule(r) must raise at the caller's line (the pcall below) with
-- a message holding want
local function rule_raises(r, want)
	local devices = require "devices"
	local line = debug.getinfo(1, "l").currentline + 1
	local ok, err = pcall(function() devices.rule(r) end)
	assert(not ok, want .. ": accepted")
	local at = "tests/lua/dev.lua:" .. line .. ": devices.rule: "
	assert(err:sub(1, #at) == at and err:find(want, 1, true), err)
end

return {
	["coldplug: the host's /sys/devices gives unique modaliases"] = function()
		local list = assert(dev.coldplug())
		if #list == 0 then error("SKIP: no device with a modalias on this host") end
		local seen = {}
		for _, a in ipairs(list) do
			assert(type(a) == "string" and a:match("^[%w_-]+:"), "not a modalias: " .. tostring(a))
			assert(not a:find("\n"), "not trimmed")
			assert(not seen[a], "duplicate " .. a)
			seen[a] = true
		end
	end,

	["coldplug: a fake tree, symlinks not followed, duplicates once"] = function()
		local dir = string.format("/tmp/luainit-dev-%d-%d", os.time(), math.random(1e6))
		assert(sh("mkdir -p " .. dir .. "/devices/a/b/c " .. dir .. "/devices/d " .. dir .. "/elsewhere"))
		write(dir .. "/devices/a/modalias", "pci:v00001AF4d00001000sv*\n")
		write(dir .. "/devices/a/b/c/modalias", "virtio:d00000001v00001AF4\n")
		write(dir .. "/devices/d/modalias", "pci:v00001AF4d00001000sv*\n")
		write(dir .. "/devices/a/b/modalias", "\n")   -- empty: skipped
		write(dir .. "/elsewhere/modalias", "platform:behind-a-symlink\n")
		assert(sh("ln -s ../elsewhere " .. dir .. "/devices/link"))
		assert(sh("ln -s ../../.. " .. dir .. "/devices/a/b/loop"))
		local list = assert(dev.coldplug(dir .. "/devices"))
		-- regression: a memory error part-way left the streams open
		util.no_fd_leak_when_oom(function() return dev.coldplug(dir .. "/devices") end)
		sh("rm -rf " .. dir)
		table.sort(list)
		assert(#list == 2, table.concat(list, " "))
		assert(list[1] == "pci:v00001AF4d00001000sv*" and list[2] == "virtio:d00000001v00001AF4")
		local r, err, code, name = dev.coldplug(dir .. "/gone")
		assert(r == nil and err:find("^coldplug " .. dir:gsub("%p", "%%%0")) and name == "ENOENT", err)
	end,

	["bus_modaliases: a fake /sys/bus, seen devices skipped, new ones found later"] = function()
		local dir = string.format("/tmp/luainit-bus-%d-%d", os.time(), math.random(1e6))
		assert(sh("mkdir -p " .. dir .. "/devices/p1 " .. dir .. "/devices/p2 " .. dir .. "/devices/v1 "
			.. dir .. "/bus/pci/devices " .. dir .. "/bus/virtio/devices " .. dir .. "/bus/empty"))
		write(dir .. "/devices/p1/modalias", "pci:v00001AF4d00001000sv*\n")
		write(dir .. "/devices/p2/modalias", "pci:v00001AF4d00001000sv*\n") -- the same alias: once
		write(dir .. "/devices/v1/modalias", "virtio:d00000001v00001AF4\n")
		assert(sh("ln -s ../../../devices/p1 " .. dir .. "/bus/pci/devices/0000:00:01.0"))
		assert(sh("ln -s ../../../devices/p2 " .. dir .. "/bus/pci/devices/0000:00:02.0"))
		assert(sh("ln -s ../../../devices/gone " .. dir .. "/bus/pci/devices/dangling"))
		local seen = {}
		local list = assert(dev.bus_modaliases(seen, dir .. "/bus"))
		assert(#list == 1 and list[1] == "pci:v00001AF4d00001000sv*", table.concat(list, " "))
		assert(seen["pci/0000:00:01.0"] and seen["pci/0000:00:02.0"] and seen["pci/dangling"])
		-- a bus driver brings a device: only it is reported next time
		assert(sh("ln -s ../../../devices/v1 " .. dir .. "/bus/virtio/devices/virtio0"))
		list = assert(dev.bus_modaliases(seen, dir .. "/bus"))
		assert(#list == 1 and list[1] == "virtio:d00000001v00001AF4", table.concat(list, " "))
		assert(#assert(dev.bus_modaliases(seen, dir .. "/bus")) == 0)
		util.no_fd_leak_when_oom(function() return dev.bus_modaliases({}, dir .. "/bus") end)
		sh("rm -rf " .. dir)
		local r, err, _, name = dev.bus_modaliases({}, dir .. "/bus")
		assert(r == nil and err:find("^bus_modaliases ") and name == "ENOENT", err)
		assert(not pcall(dev.bus_modaliases), "seen is required")
	end,

	["bus_modaliases: the host's /sys/bus"] = function()
		local seen = {}
		local list = assert(dev.bus_modaliases(seen))
		if #list == 0 then error("SKIP: no device with a modalias on this host") end
		for _, a in ipairs(list) do assert(a:match("^[%w_-]+:") and not a:find("\n"), a) end
		assert(next(seen), "devices were recorded as seen")
	end,

	["uevent: the socket opens, reads nothing yet, closes"] = function()
		local s, err = dev.uevent()
		if not s and err:find("Permission denied") then error("SKIP: " .. err) end
		assert(s, err)
		assert(tostring(s):find("^dev.uevent %(fd %d+%)$"), tostring(s))
		assert(math.type(s:fileno()) == "integer" and s:fileno() > 2)
		-- drain whatever the host produced meanwhile, then EAGAIN
		local ev, e, code, name
		repeat ev, e, code, name = s:recv() until not ev
		assert(name == "EAGAIN", e)
		local st = s:stats()
		assert(st.received >= 0 and st.dropped == 0 and st.overruns == 0)
		s:close()
		s:close()   -- idempotent
		assert(tostring(s) == "dev.uevent (closed)")
		assert(not pcall(s.recv, s), "use after close raises")
		do
			local s2 <close> = assert(dev.uevent())
			assert(s2:fileno() >= 0)
		end
	end,

	["uevent: a loop device set up by a mount is reported"] = function()
		local mount = require "luainit.mount"
		local dir = string.format("/tmp/luainit-dev-%d-%d", os.time(), math.random(1e6))
		assert(sh("mkdir -p " .. dir .. "/mnt"))
		if not sh("mkfs.ext4 -q -F " .. dir .. "/img 4M") then
			sh("rm -rf " .. dir)
			error("SKIP: mkfs.ext4 not available")
		end
		local s <close> = assert(dev.uevent())
		repeat until not s:recv()
		local ok, err = mount.mount({ source = dir .. "/img", target = dir .. "/mnt", fstype = "ext4", options = "loop,ro" })
		local m
		for _, e in ipairs(ok and mount.mountinfo() or {}) do
			if e.target == dir .. "/mnt" then m = e end
		end
		if ok then mount.umount(dir .. "/mnt") end
		sh("rm -rf " .. dir)
		if not ok then error("SKIP: loop mount: " .. tostring(err)) end
		local loop = m.source:match("^/dev/(loop%d+)$")
		local seen
		while true do
			local ev = s:recv()
			if not ev then break end
			assert(ev.action and ev.devpath:sub(1, 1) == "/" and math.type(ev.seqnum) == "integer")
			if ev.subsystem == "block" and ev.devname == loop then seen = ev end
		end
		assert(seen, "no uevent for " .. tostring(loop))
		assert(seen.devpath == "/devices/virtual/block/" .. loop, seen.devpath)
		assert(s:stats().received >= 1 and s:stats().dropped == 0)
	end,

	["parse_uevent: a kernel message"] = function()
		local ev = assert(dev.parse_uevent(GOOD))
		assert(ev.action == "add" and ev.devpath == "/devices/pci0000:00/0000:00:03.0/virtio0/net/eth0")
		assert(ev.subsystem == "net" and ev.seqnum == 1234 and math.type(ev.seqnum) == "integer")
		assert(ev.devname == nil and ev.modalias == nil)
		assert(ev.env.INTERFACE == "eth0" and ev.env.IFINDEX == "2" and ev.env.ACTION == "add")
		ev = assert(dev.parse_uevent("add@/devices/virtual/block/loop0\0ACTION=add\0DEVPATH=/devices/virtual/block/loop0\0"
			.. "SUBSYSTEM=block\0MAJOR=7\0MINOR=0\0DEVNAME=loop0\0DEVTYPE=disk\0DISKSEQ=9\0SEQNUM=77\0"))
		assert(ev.devname == "loop0" and ev.devtype == "disk" and ev.env.MAJOR == "7")
		ev = assert(dev.parse_uevent("bind@/devices/pci0000:00/0000:00:03.0/virtio0\0ACTION=bind\0"
			.. "MODALIAS=virtio:d00000001v00001AF4\0DRIVER=virtio_net\0VALUE=a=b\0SEQNUM=5\0"))
		assert(ev.modalias == "virtio:d00000001v00001AF4" and ev.driver == "virtio_net")
		assert(ev.env.VALUE == "a=b", "only the first '=' splits")
	end,

	["parse_uevent: truncated and malformed messages are refused"] = function()
		local bad = {
			[""] = "empty",
			["add@/devices/x"] = "no NUL after the header",
			[GOOD:sub(1, -2)] = "last field cut",
			[GOOD:sub(1, 30)] = "cut inside the header",
			["libudev\0\254\237\202\254"] = "a udevd message",
			["add/devices/x\0ACTION=add\0"] = "no @",
			["@/devices/x\0"] = "no action",
			["add@\0ACTION=add\0"] = "no devpath",
			["add@devices\0"] = "relative devpath",
			["add@/devices/x\0ACTION\0"] = "field without =",
			["add@/devices/x\0=add\0"] = "empty key",
		}
		for buf, why in pairs(bad) do
			local ev, err = dev.parse_uevent(buf)
			assert(ev == nil and type(err) == "string" and err:find("^uevent: "), why)
		end
		local ev = assert(dev.parse_uevent("remove@/devices/x\0"))
		assert(ev.action == "remove" and next(ev.env) == nil, "a header alone is enough")
		ev = assert(dev.parse_uevent("change@/devices/x\0SEQNUM=abc\0"))
		assert(ev.seqnum == nil and ev.env.SEQNUM == "abc")
	end,

	["sysattr: reads and trims, refuses .. and reports errors"] = function()
		local v = dev.sysattr("/devices/virtual/net/lo", "type")
		if v == nil then error("SKIP: no /sys/devices/virtual/net/lo") end
		assert(v == "772", v)   -- ARPHRD_LOOPBACK, without the newline
		local r, err, code, name = dev.sysattr("/devices/virtual/net/lo", "no_such_attribute")
		assert(r == nil and name == "ENOENT" and err:find("^sysattr /sys/devices/virtual/net/lo/no_such_attribute"), err)
		assert(not pcall(dev.sysattr, "/devices/../../etc", "passwd"))
		assert(not pcall(dev.sysattr, "/devices/virtual/net/lo", "../../../../etc/passwd"))
		assert(not pcall(dev.sysattr, "devices/virtual/net/lo", "type"), "relative devpath")
	end,

	-- regression: devices.rule{ name = 5 } was kept and raised in the
	-- uevent handler at every device that came, not where it was written
	["devices.rule: a wrong value raises at the caller's line; a kept rule is a copy"] = function()
		local devices = require "devices"
		local saved = devices.rules
		devices.rules = {}
		local raises = rule_raises
		raises({ name = 5 }, "field 'name': expected a glob string such as \"ttyS*\" (the device's name under /dev), got 5")
		raises({ subsystem = true }, "field 'subsystem': expected a glob string")
		raises({ attrs = { idVendor = 0x1af4 } }, "field 'attrs': expected a table of sysfs attribute = glob strings, got table")
		raises({ owner = -1 }, "field 'owner': expected a uid, an integer from 0 to 4294967294, got -1")
		raises({ owner = 1000.5 }, "field 'owner': expected a uid, an integer from 0 to 4294967294, got 1000.5")
		raises({ group = 4294967295.0 }, "field 'group': expected a gid, an integer from 0 to 4294967294, got 4294967295.0")
		raises({ group = "dialout" }, "field 'group': expected a gid, an integer from 0 to 4294967294, got 'dialout'")
		raises({ mode = 4096 }, "field 'mode': expected an integer from 0 to 07777")
		raises({ mode = 6.5 }, "field 'mode': expected an integer from 0 to 07777 (e.g. tonumber(\"660\", 8)), got 6.5")
		raises({ symlink = "../etc/passwd" }, "field 'symlink': expected a name under /dev such as \"serial0\" (relative, no '..')")
		raises({ symlink = "/etc/x" }, "field 'symlink'")
		raises({ action = "added" }, "field 'action': expected a uevent action: add, remove")
		raises({ nmae = "ttyS*" }, "unknown key 'nmae'")
		raises("ttyS*", "expected a table, got string")
		assert(#devices.rules == 0, "a refused rule was kept")
		local r = { subsystem = "luainit-test-none", name = "ttyS*", attrs = { type = "4" }, owner = 0,
			group = 5, mode = tonumber("660", 8), symlink = "serial/0", action = "change" }
		devices.rule(r)
		r.name, r.attrs.type = 5, 6
		local kept = devices.rules[1]
		assert(kept ~= r and kept.name == "ttyS*" and kept.attrs.type == "4", "the rule is a copy")
		-- an id written as a float is kept as the integer, as a service's user is
		devices.rule({ name = "ttyS*", owner = 1e3, group = 5.0 })
		kept = devices.rules[2]
		assert(math.type(kept.owner) == "integer" and kept.owner == 1000 and math.type(kept.group) == "integer")
		-- so is a mode (it refused 432.0 that owner took); a fraction and a
		-- string are still refused
		devices.rule({ name = "ttyS*", mode = 432.0 })
		kept = devices.rules[3]
		assert(math.type(kept.mode) == "integer" and kept.mode == 432, tostring(kept.mode))
		raises({ mode = 4096.0 }, "field 'mode': expected an integer from 0 to 07777 (e.g. tonumber(\"660\", 8)), got 4096.0")
		raises({ mode = "660" }, "field 'mode': expected an integer from 0 to 07777 (e.g. tonumber(\"660\", 8)), got '660'")
		raises({ mode = 0 / 0 }, "field 'mode': expected an integer from 0 to 07777")
		assert(#devices.rules == 3, "a refused rule was kept")
		-- a device arrives: the rules are tried without raising
		devices.handle({ action = "change", subsystem = "tty", devname = "ttyS9", devpath = "/devices/x" }, true)
		devices.rules = saved
	end,

	-- regression: a rule's globs escaped '[', so name = "ttyS[0-3]" matched
	-- only a device named "ttyS[0-3]"; they are fnmatch's now, as in
	-- network.lua, and a glob that could match nothing raises at the rule
	["devices.rule: globs are fnmatch's, bracket classes included"] = function()
		local devices = require "devices"
		local fs = require "luainit.fs"
		local saved, chmod, sysattr = devices.rules, fs.chmod, dev.sysattr
		devices.rules = {}
		local changed = {}
		fs.chmod = function(path) changed[#changed + 1] = path return true end
		dev.sysattr = function(_, k) return k == "type" and "4" or nil end
		local ok, err = pcall(function()
			local raises = rule_raises
			raises({ name = "ttyS[3-0]" }, "field 'name': glob 'ttyS[3-0]': range '3-0' is reversed (expected 0-3)")
			raises({ subsystem = "tty[[:tty:]]" }, "field 'subsystem': glob 'tty[[:tty:]]': unknown class '[:tty:]'")
			raises({ attrs = { type = "4\\" } }, "field 'attrs.type': glob '4\\': a '\\' at the end")
			assert(#devices.rules == 0, "a refused rule was kept")
			devices.rule({ subsystem = "t[t]y", name = "ttyS[0-3]", attrs = { type = "[[:digit:]]" }, mode = 432 })
			for _, name in ipairs({ "ttyS0", "ttyS3", "ttyS4", "ttyS[0-3]", "ttyS10", "ttyUSB0" }) do
				devices.handle({ action = "add", subsystem = "tty", devname = name, devpath = "/devices/x" }, true)
			end
			devices.handle({ action = "add", subsystem = "block", devname = "ttyS1", devpath = "/devices/y" }, true)
			assert(table.concat(changed, " ") == "/dev/ttyS0 /dev/ttyS3", table.concat(changed, " "))
			-- an attribute the glob does not match, or one the device lacks
			changed = {}
			devices.rules = {}
			devices.rule({ name = "ttyS*", attrs = { type = "[!4]" }, mode = 432 })
			devices.rule({ name = "ttyS*", attrs = { id = "*" }, mode = 432 })
			devices.handle({ action = "add", subsystem = "tty", devname = "ttyS0", devpath = "/devices/x" }, true)
			assert(#changed == 0, table.concat(changed, " "))
			assert(devices.glob_match(nil, "x") and not devices.glob_match("*", nil), "nil: any; no value: none")
		end)
		devices.rules, fs.chmod, dev.sysattr = saved, chmod, sysattr
		assert(ok, err)
	end,
}
