-- tests/lua/kmod.lua: luainit.kmod against a fake module tree in /tmp
-- (set_root), so nothing is ever loaded into the host kernel: the only
-- load() calls either resolve to "builtin"/"blacklisted" or fail on a
-- module file that does not exist, before finit_module is reached.
local kmod = require "luainit.kmod"

local util = dofile("tests/lua/_util.lua")
local sh, write = util.sh, util.write

-- Names chosen not to exist on any host (is_loaded looks at the real /sys).
local DEP = [[
kernel/drivers/net/lxt_virtio_net.ko.xz: kernel/drivers/net/lxt_net_failover.ko.xz kernel/net/core/lxt_failover.ko.xz
kernel/drivers/net/lxt_net_failover.ko.xz: kernel/net/core/lxt_failover.ko.xz
kernel/net/core/lxt_failover.ko.xz:
kernel/sound/pci/hda/lxt-snd-hda-intel.ko: kernel/sound/pci/hda/lxt-snd-hda-codec.ko kernel/sound/lxt_soundcore.ko
kernel/sound/pci/hda/lxt-snd-hda-codec.ko: kernel/sound/lxt_soundcore.ko
kernel/sound/lxt_soundcore.ko:
kernel/drivers/misc/lxt_evil.ko:
kernel/drivers/misc/lxt_uses_builtin.ko: kernel/fs/lxt_ext4.ko
/abs/path/lxt_absolute.ko:
]]

local ALIAS = [[
# Aliases extracted from modules themselves.
alias virtio:d00000001v* lxt_virtio_net
alias pci:v00008086d*sv*sd*bc04sc03i00* lxt_snd_hda_intel
alias pci:v00008086d*sv*sd*bc04sc03i* lxt_evil
alias pci:v00001AF4d00001000sv*sd*bc*sc*i* lxt_virtio_net
alias fs-lxt_ext4 lxt_ext4
alias net-pf-4242 lxt_evil
alias lxt-[ab]?x lxt_soundcore
]]

local BUILTIN = "kernel/fs/lxt_ext4.ko\nkernel/fs/jbd2/lxt-jbd2.ko\n"

local CONF = [[
# modprobe.d
options lxt_virtio_net napi_tx=1
options lxt-snd-hda-intel \
	model=auto
blacklist lxt_evil
alias lxt-mynet lxt_virtio_net
install lxt_virtio_net /bin/false
]]

local seq = 0
local function with_tree(fn, opts)
	seq = seq + 1
	local dir = string.format("/tmp/luainit-kmod-%d-%d-%d", os.time(), math.random(1e6), seq)
	assert(sh("mkdir -p " .. dir .. "/root " .. dir .. "/etc " .. dir .. "/lib"))
	write(dir .. "/root/modules.dep", DEP)
	write(dir .. "/root/modules.alias", ALIAS)
	write(dir .. "/root/modules.builtin", BUILTIN)
	write(dir .. "/lib/50-lxt.conf", CONF)
	-- /etc overrides a file of the same name in /lib: this one unblacklists nothing
	write(dir .. "/etc/50-lxt.conf", CONF .. "options lxt_soundcore from=etc\n")
	write(dir .. "/lib/60-lib-only.conf", "options lxt_soundcore from=lib\n")
	write(dir .. "/lib/notconf.txt", "blacklist lxt_virtio_net\n")
	kmod.set_root(dir .. "/root", {
		confdirs = { dir .. "/etc", dir .. "/lib" },
		cmdline = (opts and opts.cmdline) or "quiet lxt_virtio_net.debug=1 lxt-failover.x=\"a b\" modprobe.blacklist=lxt_soundcore2,lxt_other -- lxt_virtio_net.init=1",
	})
	local ok, err = xpcall(fn, debug.traceback, dir)
	kmod.set_root()
	sh("rm -rf " .. dir)
	if not ok then error(err, 0) end
end

local function same(a, b)
	if #a ~= #b then return false end
	for i = 1, #a do if a[i] ~= b[i] then return false end end
	return true
end

local function show(t) return "{" .. table.concat(t, ", ") .. "}" end

return {
	["resolve: dependencies first, the last listed loads first"] = function()
		with_tree(function(dir)
			local r = dir .. "/root/"
			local want = { r .. "kernel/net/core/lxt_failover.ko.xz", r .. "kernel/drivers/net/lxt_net_failover.ko.xz",
				r .. "kernel/drivers/net/lxt_virtio_net.ko.xz" }
			local got = assert(kmod.resolve("lxt_virtio_net"))
			assert(same(got, want), show(got))
			got = assert(kmod.resolve("lxt-virtio-net"))
			assert(same(got, want), "'-' and '_' are the same: " .. show(got))
			got = assert(kmod.resolve("lxt_snd_hda_intel"))
			assert(same(got, { r .. "kernel/sound/lxt_soundcore.ko", r .. "kernel/sound/pci/hda/lxt-snd-hda-codec.ko",
				r .. "kernel/sound/pci/hda/lxt-snd-hda-intel.ko" }), show(got))
			-- a built-in dependency is not loaded
			got = assert(kmod.resolve("lxt_uses_builtin"))
			assert(same(got, { r .. "kernel/drivers/misc/lxt_uses_builtin.ko" }), show(got))
			assert(same(assert(kmod.resolve("lxt_absolute")), { "/abs/path/lxt_absolute.ko" }))
		end)
	end,

	["resolve: aliases match with fnmatch"] = function()
		with_tree(function(dir)
			local r = dir .. "/root/"
			local got = assert(kmod.resolve("virtio:d00000001v00001AF4"))
			assert(#got == 3 and got[3] == r .. "kernel/drivers/net/lxt_virtio_net.ko.xz", show(got))
			got = assert(kmod.resolve("pci:v00008086d0000A0C8sv00001043sd00001E51bc04sc03i00"))
			-- lxt_evil matches too, but it is blacklisted
			assert(got[#got] == r .. "kernel/sound/pci/hda/lxt-snd-hda-intel.ko" and #got == 3, show(got))
			got = assert(kmod.resolve("lxt-mynet"))
			assert(got[3] == r .. "kernel/drivers/net/lxt_virtio_net.ko.xz", "modprobe.d alias: " .. show(got))
			got = assert(kmod.resolve("lxt-a1x"))
			assert(same(got, { r .. "kernel/sound/lxt_soundcore.ko" }), "[ab]? pattern: " .. show(got))
			assert(same(assert(kmod.resolve("fs-lxt_ext4")), {}), "an alias of a built-in module")
		end)
	end,

	["resolve: built-in, unknown and blacklisted-only names"] = function()
		with_tree(function()
			assert(same(assert(kmod.resolve("lxt_ext4")), {}))
			assert(same(assert(kmod.resolve("lxt-jbd2")), {}))
			local r, err, code, name = kmod.resolve("lxt_nope")
			assert(r == nil and err == "resolve lxt_nope: no such module or alias: No such file or directory", err)
			assert(code == 2 and name == "ENOENT")
			r, err = kmod.resolve("net-pf-4242")
			assert(r == nil and err:find("only blacklisted modules match", 1, true), err)
			-- blacklist stops aliases, not an explicit name (as modprobe)
			assert(#assert(kmod.resolve("lxt_evil")) == 1)
		end)
	end,

	["lookup: names for an alias, blacklisted ones left out"] = function()
		with_tree(function()
			assert(same(kmod.lookup("virtio:d00000001v00001AF4"), { "lxt_virtio_net" }))
			assert(same(kmod.lookup("pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00"), { "lxt_virtio_net" }))
			assert(same(kmod.lookup("pci:v00008086d0000A0C8sv0sd0bc04sc03i00"), { "lxt_snd_hda_intel" }))
			assert(same(kmod.lookup("lxt-mynet"), { "lxt_virtio_net" }))
			assert(same(kmod.lookup("fs-lxt_ext4"), { "lxt_ext4" }), "built-in modules are named too")
			assert(same(kmod.lookup("usb:v1234p5678d0100dc00dsc00dp00ic03isc01ip01in00"), {}))
			assert(same(kmod.lookup("net-pf-4242"), {}))
		end)
	end,

	["is_builtin, is_blacklisted, is_loaded"] = function()
		with_tree(function()
			assert(kmod.is_builtin("lxt_ext4") and kmod.is_builtin("lxt_jbd2") and kmod.is_builtin("lxt-jbd2"))
			assert(not kmod.is_builtin("lxt_virtio_net") and not kmod.is_builtin("lxt_nope"))
			assert(kmod.is_blacklisted("lxt_evil"), "modprobe.d blacklist")
			assert(kmod.is_blacklisted("lxt_other") and kmod.is_blacklisted("lxt_soundcore2"), "modprobe.blacklist=")
			assert(not kmod.is_blacklisted("lxt_virtio_net"), "files not ending in .conf are ignored")
			assert(kmod.is_loaded("lxt_virtio_net") == false)
			assert(kmod.is_loaded("not a module name!") == false)
		end)
	end,

	["options: modprobe.d, then the kernel command line, then the caller's"] = function()
		with_tree(function()
			assert(kmod.options("lxt_virtio_net") == "napi_tx=1 debug=1", kmod.options("lxt_virtio_net"))
			assert(kmod.options("lxt-virtio-net", "x=2") == "napi_tx=1 debug=1 x=2")
			assert(kmod.options("lxt_snd_hda_intel") == "model=auto", "backslash continuation")
			assert(kmod.options("lxt_failover") == 'x="a b"', kmod.options("lxt_failover"))
			assert(kmod.options("lxt_soundcore") == "from=etc from=lib", "/etc wins over /lib for one file name: "
				.. kmod.options("lxt_soundcore"))
			assert(kmod.options("lxt_evil") == "")
		end)
	end,

	["load: built-in and blacklisted need no kernel call"] = function()
		with_tree(function()
			local ok, how = kmod.load("lxt_ext4")
			assert(ok == true and how == "builtin", tostring(how))
			ok, how = kmod.load("fs-lxt_ext4")
			assert(ok == true and how == "builtin", tostring(how))
			ok, how = kmod.load("net-pf-4242")
			assert(ok == true and how == "blacklisted", tostring(how))
			local err, code, name
			ok, err, code, name = kmod.load("lxt_nope")
			assert(ok == nil and err:find("^load lxt_nope: no such module or alias") and name == "ENOENT", err)
			assert(not pcall(kmod.load, ""), "an empty name raises")
		end)
	end,

	["load: dependencies are tried first (files absent: no finit_module)"] = function()
		with_tree(function(dir)
			local ok, err, code, name = kmod.load("lxt_virtio_net", "x=1")
			assert(ok == nil and code == 2 and name == "ENOENT")
			assert(err == "load lxt_virtio_net: finit_module " .. dir .. "/root/kernel/net/core/lxt_failover.ko.xz: No such file or directory", err)
			ok, err = kmod.load("virtio:d00000001v00001AF4")
			assert(ok == nil and err:find("lxt_failover.ko.xz", 1, true), err)
		end)
	end,

	["load: a module built into the host kernel"] = function()
		kmod.set_root()
		local root = kmod.root()
		local name
		local f = io.open(root .. "/modules.builtin")
		if f then
			local line = f:read("l")
			f:close()
			name = line and line:match("([^/]+)%.ko")
		else
			-- no module tree at all: built-ins show in /sys/module without initstate
			for _, n in ipairs({ "loop", "ext4", "overlay", "fuse", "printk", "kernel" }) do
				local d = io.open("/sys/module/" .. n .. "/parameters") or io.open("/sys/module/" .. n .. "/uevent")
				if d then
					d:close()
					local st = io.open("/sys/module/" .. n .. "/initstate")
					if st then st:close() else name = n break end
				end
			end
		end
		if not name then error("SKIP: no built-in module found on this host") end
		assert(kmod.is_builtin(name), name)
		local ok, how = kmod.load(name)
		assert(ok == true and how == "builtin", name .. ": " .. tostring(how))
	end,

	["flush frees the cached index; set_root validates"] = function()
		with_tree(function()
			assert(#kmod.lookup("virtio:d00000001v1") == 1)
			local freed = kmod.flush()
			assert(math.type(freed) == "integer" and freed > 0, tostring(freed))
			assert(kmod.flush() == 0)
			assert(#kmod.lookup("virtio:d00000001v1") == 1, "re-read after a flush")
			assert(not pcall(kmod.set_root, "/tmp", { confdirs = "x" }))
			-- a misspelt key was ignored: confdir = {...} read the
			-- system's modprobe.d; now it raises and nothing changes
			local root = kmod.root()
			util.raises("^bad argument #2 to '[%w.]*%f[%w]set_root' %(unknown key 'confdir'%)$",
				kmod.set_root, "/tmp", { confdir = { "/tmp" } })
			util.raises("%(table expected, got string%)$", kmod.set_root, "/tmp", "quiet")
			assert(kmod.root() == root, "set_root changed the root with a bad options table")
			assert(kmod.options("lxt_soundcore"):find("from=etc", 1, true), "set_root changed the confdirs")
			-- a path or a cmdline too long changes nothing either (the
			-- path was checked once confdirs and cmdline were set), nor
			-- does a list kmod.c cannot hold; each says which value
			local function refused(pattern, ...)
				local ok, e = pcall(kmod.set_root, ...)
				assert(not ok and e:find(pattern, 1, true), e)
			end
			refused("(path longer than 255 bytes)", string.rep("x", 256))
			refused("option 'cmdline': longer than 4095 bytes", "/tmp", { cmdline = string.rep("x", 4096) })
			refused("option 'cmdline': string expected, got number", "/tmp", { cmdline = 1 })
			refused("option 'confdirs': more than 8 directories", "/tmp", { confdirs = { "/a", "/b", "/c", "/d", "/e", "/f", "/g", "/h", "/i" } })
			refused("option 'confdirs': a path longer than 127 bytes", "/tmp", { confdirs = { "/tmp", "/" .. string.rep("y", 127) } })
			refused("option 'confdirs': path expected at [2], got number", "/tmp", { confdirs = { "/tmp", 2 } })
			assert(kmod.root() == root, "set_root changed the root with a bad argument")
			assert(kmod.options("lxt_soundcore"):find("from=etc", 1, true), "a bad argument changed the confdirs")
			assert(kmod.options("lxt_virtio_net") == "napi_tx=1 debug=1", "a bad argument changed the cmdline")
		end)
	end,
}
