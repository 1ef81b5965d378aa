-- tests/lua/mount.lua: luainit.mount. Runs as root inside
-- `unshare --mount --propagation private`; every mount is made below a
-- fresh /tmp directory and umount_all is always restricted with `under`.
local mount = require "luainit.mount"

local util = dofile("tests/lua/_util.lua")
local sh, write, raises = util.sh, util.write, util.raises

local seq = 0
-- Run fn(dir) in a new directory below /tmp; unmount and remove it after.
local function in_tmp(fn)
	seq = seq + 1
	local dir = string.format("/tmp/luainit-mount-%d-%d-%d", os.time(), math.random(1e6), seq)
	assert(sh("mkdir -p " .. dir))
	local ok, err = xpcall(fn, debug.traceback, dir)
	-- lazy detach whatever a failed test left, then remove the tree
	for _ = 1, 3 do
		local left = false
		for _, m in ipairs(mount.mountinfo()) do
			if m.target == dir or m.target:sub(1, #dir + 1) == dir .. "/" then left = true end
		end
		if not left then break end
		mount.umount_all({ under = dir })
		for _, m in ipairs(mount.mountinfo()) do
			if m.target:sub(1, #dir + 1) == dir .. "/" then mount.umount(m.target, { lazy = true }) end
		end
	end
	sh("rm -rf " .. dir)
	if not ok then error(err, 0) end
end

local function find_mount(target)
	local found
	for _, m in ipairs(mount.mountinfo()) do
		if m.target == target then found = m end -- the last one is on top
	end
	return found
end

local function has_opt(optstr, name)
	return optstr ~= nil and ("," .. optstr .. ","):find("," .. name .. ",", 1, true) ~= nil
end

local FSTAB = table.concat({
	"# /etc/fstab: static file system information.",
	"#",
	"# <file system> <mount point>   <type>  <options>       <dump>  <pass>",
	"UUID=0a3b2c1d-1111-2222-3333-444455556666 /               ext4    errors=remount-ro 0       1",
	"LABEL=data\t/srv/data\txfs\tdefaults,noatime,x-systemd.device-timeout=5s\t0\t2",
	"",
	"/srv/data/www   /var/www        none    bind,ro         0       0",
	"  tmpfs  \t /tmp tmpfs size=64m,mode=1777,nosuid,nodev 0 0",
	"/dev/sdb1 /mnt/usb vfat noauto,nofail,user,uid=1000 0 0",
	"proc /proc proc",
	"PARTUUID=abcd-01 none swap sw 0 0",
	"/a\\040b /mnt/with\\040space auto defaults 0 0",
	"",
}, "\n")

return {
	["parse_fstab: realistic file"] = function()
		in_tmp(function(dir)
			write(dir .. "/fstab", FSTAB)
			local e = assert(mount.parse_fstab(dir .. "/fstab"))
			assert(#e == 8, "8 entries expected, got " .. #e)
			assert(e[1].source == "UUID=0a3b2c1d-1111-2222-3333-444455556666")
			assert(e[1].target == "/" and e[1].fstype == "ext4")
			assert(e[1].options == "errors=remount-ro" and e[1].passno == 1 and e[1].freq == 0)
			assert(e[2].source == "LABEL=data" and e[2].target == "/srv/data" and e[2].passno == 2)
			assert(e[2].user_options == "x-systemd.device-timeout=5s", e[2].user_options)
			assert(has_opt(e[2].vfs_options, "noatime"))
			assert(e[3].fstype == "none" and e[3].vfs_options == "bind,ro")
			assert(e[4].source == "tmpfs" and e[4].target == "/tmp")
			assert(e[4].fs_options == "size=64m,mode=1777" and e[4].vfs_options == "nosuid,nodev")
			assert(e[5].noauto == true and e[5].nofail == true)
			assert(e[4].noauto == false and e[4].nofail == false)
			assert(has_opt(e[5].user_options, "user") and e[5].fs_options == "uid=1000")
			assert(e[6].options == "defaults" and e[6].passno == 0, "missing options read as defaults")
			assert(e[7].fstype == "swap" and e[7].source == "PARTUUID=abcd-01")
			assert(e[8].source == "/a b" and e[8].target == "/mnt/with space", "octal escapes")
		end)
	end,

	["parse_fstab: a malformed line fails with its line number"] = function()
		in_tmp(function(dir)
			write(dir .. "/fstab", "# comment\n\ntmpfs /tmp tmpfs defaults 0 0\njunk-without-fields\nproc /proc proc defaults 0 0\n")
			local e, err, code, name = mount.parse_fstab(dir .. "/fstab")
			assert(e == nil)
			assert(err == dir .. "/fstab:4: malformed entry (expected: source target fstype options [freq [passno]])", err)
			assert(math.type(code) == "integer" and name == "EINVAL")
			-- a non-numeric freq is as bad as missing fields
			write(dir .. "/fstab", "tmpfs /tmp tmpfs defaults 0 0\n/dev/x /y ext4 defaults zz 1\n")
			e, err = mount.parse_fstab(dir .. "/fstab")
			assert(e == nil and err:find("fstab:2: malformed entry", 1, true), err)
		end)
	end,

	-- libmount keeps no line numbers; the binding finds them again so a
	-- bad value it let through can still be reported as path:LINE
	["parse_fstab: each entry of a file has its line"] = function()
		in_tmp(function(dir)
			write(dir .. "/fstab", "# c\ntmpfs mnt/x tmpfs defaults 0 0\n\n  \t\n  # indented\r\n"
				.. "/dev/sda2 none swap sw 0 0\nbad\r\n \r\ntmpfs /ok tmpfs defaults\r\ntmpfs /last tmpfs")
			local e, errs = mount.parse_fstab(dir .. "/fstab", { lenient = true })
			assert(#e == 4 and #errs == 1 and errs[1]:find("fstab:7: malformed", 1, true), #e)
			local lines = {}
			for i, x in ipairs(e) do lines[i] = x.line end
			assert(table.concat(lines, " ") == "2 6 9 10", table.concat(lines, " "))
			assert(e[1].target == "mnt/x", "a relative target is the policy's to reject (stage.fstab)")
		end)
	end,

	["parse_fstab: lenient mode returns good entries and the errors"] = function()
		in_tmp(function(dir)
			write(dir .. "/fstab", "tmpfs /a tmpfs defaults\nbad\nproc /proc proc defaults 0 0\n/x /y\n")
			local e, errs = mount.parse_fstab(dir .. "/fstab", { lenient = true })
			assert(#e == 2 and e[1].target == "/a" and e[2].target == "/proc")
			assert(#errs == 2, "two errors expected")
			assert(errs[1]:find("fstab:2: malformed", 1, true) and errs[2]:find("fstab:4: malformed", 1, true))
			write(dir .. "/fstab", "tmpfs /a tmpfs defaults\n")
			e, errs = mount.parse_fstab(dir .. "/fstab", { lenient = true })
			assert(#e == 1 and type(errs) == "table" and #errs == 0)
		end)
	end,

	-- regression: libmount reads 6 fields and ignores what follows, so
	-- "... 0 2 nofail" was mounted without its nofail, without a word; a
	-- 7th field is a malformed line (a comment after the 6th, which
	-- mount(8) ignores as well, is none)
	["parse_fstab: a line of more than 6 fields is malformed, named by its line"] = function()
		in_tmp(function(dir)
			write(dir .. "/fstab", "tmpfs /a tmpfs defaults 0 0\n"
				.. "/dev/sdz1 /data ext4 defaults 0 2 nofail\n"
				.. "tmpfs /b tmpfs defaults 0 0 # scratch\n"
				.. "bad\n"
				.. "tmpfs\t/c\ttmpfs\tdefaults\t0\t0\tx y\r\n"
				.. "tmpfs /d tmpfs defaults 0 0 \t\r\n"
				.. "tmpfs /e tmpfs defaults 0 0 x")
			local e, err, _, name = mount.parse_fstab(dir .. "/fstab")
			assert(e == nil and name == "EINVAL", tostring(e))
			assert(err == dir .. "/fstab:2: malformed entry, more than 6 fields "
				.. "(expected: source target fstype options [freq [passno]])", err)
			local errs
			e, errs = mount.parse_fstab(dir .. "/fstab", { lenient = true })
			local got = {}
			for i, x in ipairs(e) do got[i] = x.target .. ":" .. x.line end
			assert(table.concat(got, " ") == "/a:1 /b:3 /d:6", table.concat(got, " "))
			assert(#errs == 4, table.concat(errs, "\n"))
			for i, l in ipairs({ 2, 4, 5, 7 }) do
				assert(errs[i]:find("fstab:" .. l .. ": malformed entry", 1, true), errs[i])
			end
			assert(errs[1]:find("more than 6 fields", 1, true) and not errs[2]:find("more than", 1, true), errs[2])
		end)
	end,

	["parse_fstab: a missing file is a system error"] = function()
		local e, err, code, name = mount.parse_fstab("/tmp/luainit-no-such-dir/fstab")
		assert(e == nil and err == "/tmp/luainit-no-such-dir/fstab: No such file or directory", err)
		assert(code == 2 and name == "ENOENT")
		e, err = mount.parse_fstab("/tmp/luainit-no-such-dir/fstab", { lenient = true })
		assert(e == nil and err:find("No such file"))
	end,

	["mount tmpfs with options, then is_mounted, mountinfo and umount"] = function()
		in_tmp(function(dir)
			local t = dir .. "/data"
			assert(sh("mkdir " .. t))
			assert(mount.is_mounted(t) == false)
			assert(mount.mount({ source = "tmpfs", target = t, fstype = "tmpfs",
				options = "size=1m,mode=0700,nosuid" }) == true)
			assert(mount.is_mounted(t) == true)
			assert(mount.is_mounted(t .. "/") == true, "trailing slash")
			local m = assert(find_mount(t), "not in mountinfo")
			assert(m.fstype == "tmpfs" and m.source == "tmpfs")
			assert(has_opt(m.vfs_options, "nosuid") and has_opt(m.options, "nosuid"))
			assert(has_opt(m.fs_options, "size=1024k") and has_opt(m.fs_options, "mode=700"), m.fs_options)
			assert(math.type(m.id) == "integer" and math.type(m.parent) == "integer")
			assert(m.root == "/" and m.propagation == "private", m.propagation)
			assert(mount.umount(t) == true)
			assert(mount.is_mounted(t) == false)
			assert(find_mount(t) == nil)
		end)
	end,

	["mount: opts.mkdir creates the target"] = function()
		in_tmp(function(dir)
			local t = dir .. "/x/y/z"
			assert(mount.mount({ source = "tmpfs", target = t, fstype = "tmpfs" }, { mkdir = true }))
			assert(mount.is_mounted(t))
			assert(mount.umount(t))
		end)
	end,

	["mount: failures name the target and the reason"] = function()
		in_tmp(function(dir)
			local ok, err, code, name = mount.mount({ source = "tmpfs", target = dir .. "/nope", fstype = "tmpfs" })
			assert(ok == nil and err == "mount " .. dir .. "/nope: mount point does not exist", err)
			assert(code == 2 and name == "ENOENT")
			ok, err, code, name = mount.mount({ source = "none", target = dir, fstype = "luainit-nosuchfs" })
			assert(ok == nil and err:find("^mount " .. dir:gsub("%p", "%%%0") .. ": unknown filesystem type"), err)
			assert(name == "ENODEV")
			ok, err, code, name = mount.mount({ source = "UUID=00000000-luainit-none", target = dir })
			assert(ok == nil and err == "mount " .. dir .. ": can't find UUID=00000000-luainit-none", err)
			assert(name == "ENOENT")
			assert(not pcall(mount.mount, { source = "tmpfs" }), "a missing target raises")
			assert(not pcall(mount.mount, "tmpfs"), "a non-table entry raises")
			-- a number is no string option, and the entry is left as it was
			local e = { source = "tmpfs", target = dir, fstype = "tmpfs", options = 5 }
			raises("option 'options': string expected, got number", mount.mount, e)
			assert(math.type(e.options) == "integer", "the entry's options were rewritten")
		end)
	end,

	["mount: bind,ro and x-/nofail options stay out of the kernel"] = function()
		in_tmp(function(dir)
			assert(sh("mkdir " .. dir .. "/src " .. dir .. "/dst " .. dir .. "/t"))
			write(dir .. "/src/f", "hello")
			assert(mount.mount({ source = dir .. "/src", target = dir .. "/dst", fstype = "none",
				options = "bind,ro" }))
			local m = assert(find_mount(dir .. "/dst"))
			assert(has_opt(m.vfs_options, "ro"), "bind,ro must be read-only: " .. m.vfs_options)
			local f = assert(io.open(dir .. "/dst/f"))
			assert(f:read("a") == "hello")
			f:close()
			assert(io.open(dir .. "/dst/g", "w") == nil, "writable read-only bind")
			assert(mount.mount({ source = "tmpfs", target = dir .. "/t", fstype = "tmpfs",
				options = "nofail,noauto,x-systemd.automount,x-initrd.mount,size=1m" }))
			m = assert(find_mount(dir .. "/t"))
			assert(not m.options:find("x-", 1, true), m.options)
			assert(mount.umount(dir .. "/t") and mount.umount(dir .. "/dst"))
		end)
	end,

	-- the kernel takes no filesystem options or flags for a bind mount or
	-- a propagation change, and libmount lets several userspace options
	-- pass without acting on them: each was a mount without it
	["mount: an option that would have no effect fails, naming it, and nothing is mounted"] = function()
		in_tmp(function(dir)
			assert(sh("mkdir " .. dir .. "/src " .. dir .. "/dst " .. dir .. "/t"))
			local src, dst, t = dir .. "/src", dir .. "/dst", dir .. "/t"
			local function refused(e, word, why, ename)
				local ok, err, code, name = mount.mount(e)
				local want = "mount " .. e.target .. ": option '" .. word .. "' has no effect" .. why
				assert(ok == nil and err == want, err)
				assert(name == ename and math.type(code) == "integer", tostring(name))
				assert(not mount.is_mounted(e.target), "mounted with " .. word)
			end
			local bind = " on a bind mount (only the mount's own flags: ro, nosuid, nodev, noexec, noatime, nodiratime, relatime, nosymfollow)"
			refused({ source = src, target = dst, fstype = "none", options = "bind,size=1m" }, "size=1m", bind, "EINVAL")
			refused({ source = src, target = dst, options = "rbind,ro,sync" }, "sync", bind, "EINVAL")
			refused({ source = src, target = dst, options = "lazytime,bind" }, "lazytime", bind, "EINVAL")
			refused({ source = src, target = dst, options = "bind,ro=1" }, "ro=1", bind, "EINVAL")
			-- libmount does not carry strictatime to the remount after the bind
			refused({ source = src, target = dst, options = "bind,strictatime" }, "strictatime", bind, "EINVAL")
			refused({ source = "tmpfs", target = t, fstype = "tmpfs", options = "size=1m,X-mount.mode=0700" },
				"X-mount.mode=0700", ": libmount 2.38 acts on X-mount.mkdir and X-mount.subdir only", "EINVAL")
			-- libmount 2.38 bound the subdirectory inside a mount
			-- namespace of its own: the call said true, nothing was
			-- mounted here, and /run/mount/tmptgt was left
			local fs = require "luainit.fs"
			local ns, tmptgt = fs.readlink("/proc/self/ns/mnt"), fs.exists("/run/mount/tmptgt")
			local subdir = ": libmount 2.38 binds the subdirectory inside a mount namespace of its own "
				.. "(PID 1's private mounts never see it); bind it in a second entry"
			refused({ source = "tmpfs", target = t, fstype = "tmpfs", options = "size=1m,X-mount.subdir=sub" },
				"X-mount.subdir=sub", subdir, "EOPNOTSUPP")
			refused({ source = src, target = dst, options = "bind,X-mount.subdir" }, "X-mount.subdir", subdir, "EOPNOTSUPP")
			assert(fs.readlink("/proc/self/ns/mnt") == ns and fs.exists("/run/mount/tmptgt") == tmptgt)
			-- skip_newer leaves it out, as mount(8) 2.38 does, and lists it
			local ok0, skipped = mount.mount({ source = "tmpfs", target = t, fstype = "tmpfs",
				options = "size=1m,X-mount.mode=0700,x-mount.owner=1" }, { skip_newer = true })
			assert(ok0 == true and skipped[1] == "X-mount.mode=0700" and skipped[2] == "x-mount.owner=1"
				and #skipped == 2, tostring(skipped))
			assert(mount.umount(t))
			refused({ source = "tmpfs", target = t, fstype = "tmpfs", options = "helper=udisks2" },
				"helper=udisks2", ": luainit runs no /sbin/mount.<type> helper", "EOPNOTSUPP")
			refused({ source = "tmpfs", target = t, fstype = "tmpfs", options = "uhelper=udisks2" },
				"uhelper=udisks2", ": luainit runs no /sbin/umount.<type> helper", "EOPNOTSUPP")
			refused({ source = "tmpfs", target = t, fstype = "tmpfs", options = "encryption=aes" },
				"encryption=aes", ": libmount has no loop encryption any more (use dm-crypt)", "EOPNOTSUPP")
			refused({ source = "tmpfs", target = t, fstype = "tmpfs", options = "verity.roothash=00" },
				"verity.roothash=00", ": no dm-verity here (libmount is built without libcryptsetup)", "EOPNOTSUPP")
			-- libmount's parser ended at an unclosed quote: what followed was dropped
			local ok, err, _, name = mount.mount({ source = "tmpfs", target = t, fstype = "tmpfs", options = 'ro,mode="0700,size=1m' })
			assert(ok == nil and name == "EINVAL" and err == "mount " .. t .. [[: options 'ro,mode="0700,size=1m': unclosed quote in 'mode="0700,size=1m']], err)
			assert(not mount.is_mounted(t))
			-- a remount of a bind mount, and a propagation change, change
			-- the mount only: a size there was dropped
			assert(mount.mount({ source = "tmpfs", target = src, fstype = "tmpfs", options = "size=1m" }))
			assert(mount.mount({ source = src, target = dst, options = "bind" }))
			ok, err = mount.mount({ target = dst, options = "remount,bind,ro,size=2m" })
			assert(ok == nil and err:find("option 'size=2m' has no effect on a bind mount", 1, true), err)
			ok, err = mount.mount({ target = dst, options = "rprivate,size=2m" })
			assert(ok == nil and err == "mount " .. dst .. ": option 'size=2m' has no effect on a propagation change", err)
			assert(not has_opt(find_mount(dst).vfs_options, "ro"), "remounted read-only all the same")
			-- what a bind mount does take, and the words that are the
			-- caller's or comments
			assert(mount.mount({ target = dst, options = "remount,bind,ro,nosuid" }))
			assert(has_opt(find_mount(dst).vfs_options, "ro") and has_opt(find_mount(dst).vfs_options, "nosuid"))
			-- an option that clears a flag (async: in mount(8)'s defaults)
			-- is what a bind mount does anyway
			assert(mount.mount({ source = src, target = t, options = "rw,bind,async,nolazytime,nomand,noiversion,"
				.. "suid,dev,exec,nodev,noexec,noatime,defaults,nofail,noauto,"
				.. "_netdev,comment=x,x-systemd.automount,X-fstab.note" }))
			local m = find_mount(t)
			assert(has_opt(m.vfs_options, "nodev") and has_opt(m.vfs_options, "noexec") and has_opt(m.vfs_options, "noatime"), m.vfs_options)
			assert(mount.umount(t) and mount.umount(dst) and mount.umount(src))
		end)
	end,

	-- libmount reads nofail only to call some failures a success, and
	-- then gives no explanation: the message was the bare strerror
	["mount: a nofail entry's failure keeps its explanation"] = function()
		in_tmp(function(dir)
			local ok, err, _, name = mount.mount({ source = dir .. "/nodev", target = dir, fstype = "ext4", options = "nofail" })
			assert(ok == nil and name == "ENOENT" and err == "mount " .. dir .. ": special device " .. dir .. "/nodev does not exist", err)
		end)
	end,

	-- mount reads options alone: a vfs_options = "ro" beside it, or an
	-- options edited after parse_fstab, was a mount without them
	["mount: an entry's fields that repeat options must agree with them"] = function()
		in_tmp(function(dir)
			local t = dir .. "/t"
			assert(sh("mkdir " .. t))
			local function entry_raises(e, msg)
				local ok, err = pcall(mount.mount, e)
				assert(not ok and err:match("^bad argument #1 to '[%w.]*%f[%w]mount' %((.*)%)$") == msg, err)
				assert(not mount.is_mounted(t), "mounted")
			end
			entry_raises({ source = "tmpfs", target = t, fstype = "tmpfs", vfs_options = "ro" },
				"vfs_options 'ro' does not agree with options '' (which give vfs_options ''): mount reads options alone")
			entry_raises({ source = "tmpfs", target = t, fstype = "tmpfs", options = "ro,size=1m", fs_options = "size=2m" },
				"fs_options 'size=2m' does not agree with options 'ro,size=1m' (which give fs_options 'size=1m'): mount reads options alone")
			entry_raises({ source = "tmpfs", target = t, fstype = "tmpfs", noauto = true },
				"noauto = true does not agree with options '' (which give noauto = false): mount reads options alone")
			entry_raises({ source = "tmpfs", target = t, fstype = "tmpfs", options = "nofail", nofail = false },
				"nofail = false does not agree with options 'nofail' (which give nofail = true): mount reads options alone")
			write(dir .. "/fstab", "tmpfs " .. t .. " tmpfs nosuid,size=1m,x-a 0 2\n")
			local e = assert(mount.parse_fstab(dir .. "/fstab"))[1]
			e.options = e.options .. ",ro"
			entry_raises(e, "vfs_options 'nosuid' does not agree with options 'nosuid,size=1m,x-a,ro' (which give vfs_options 'nosuid,ro'): mount reads options alone")
			e.vfs_options = "nosuid,ro"
			assert(mount.mount(e), "an entry whose fields agree")
			assert(has_opt(find_mount(t).vfs_options, "ro"))
			assert(mount.umount(t))
			assert(mount.mount({ source = "tmpfs", target = t, fstype = "tmpfs", options = "noauto,size=1m", noauto = true,
				nofail = false, fs_options = "size=1m", user_options = "noauto", freq = 1, passno = 2, line = 3 }))
			assert(mount.umount(t))
		end)
	end,

	["umount: busy target, readonly_fallback, lazy, not mounted"] = function()
		in_tmp(function(dir)
			local t = dir .. "/busy"
			assert(sh("mkdir " .. t))
			assert(mount.mount({ source = "tmpfs", target = t, fstype = "tmpfs" }))
			write(t .. "/f", "x")
			local f = assert(io.open(t .. "/f"))
			local ok, err, code, name = mount.umount(t)
			assert(ok == nil and err == "umount " .. t .. ": target is busy" and name == "EBUSY", err)
			local how
			ok, how = mount.umount(t, { readonly_fallback = true })
			assert(ok == true and how == "readonly")
			assert(has_opt(find_mount(t).vfs_options, "ro"))
			assert(mount.umount(t, { lazy = true }) == true, "lazy detaches a busy mount")
			assert(not mount.is_mounted(t))
			f:close()
			ok, err, code, name = mount.umount(t)
			assert(ok == nil and name == "EINVAL" and err == "umount " .. t .. ": not mounted", err)
			ok, err, code, name = mount.umount(dir .. "/missing")
			assert(ok == nil and name == "ENOENT" and err:find("No such file", 1, true), err)
		end)
	end,

	["umount_all: under a subtree, children first, keep, busy -> readonly"] = function()
		in_tmp(function(dir)
			local function tm(t) assert(mount.mount({ source = "tmpfs", target = t, fstype = "tmpfs" }, { mkdir = true })) end
			tm(dir .. "/root")
			tm(dir .. "/root/a")
			tm(dir .. "/root/a/b")
			tm(dir .. "/root/keep")
			tm(dir .. "/root/keep/sub")
			tm(dir .. "/root/busy")
			write(dir .. "/root/busy/f", "x")
			local f = assert(io.open(dir .. "/root/busy/f"))
			local res = assert(mount.umount_all({ under = dir .. "/root", keep = { dir .. "/root/keep" } }))
			local by, order = {}, {}
			for i, r in ipairs(res) do
				assert(r.target == dir .. "/root" or r.target:sub(1, #dir + 6) == dir .. "/root/",
					"outside under: " .. r.target)
				by[r.target] = r
				order[r.target] = i
			end
			assert(#res == 6, "6 results expected, got " .. #res)
			assert(by[dir .. "/root/a/b"].result == "unmounted" and by[dir .. "/root/a"].result == "unmounted")
			assert(order[dir .. "/root/a/b"] < order[dir .. "/root/a"], "child before parent")
			assert(by[dir .. "/root/keep"].result == "skipped" and by[dir .. "/root/keep/sub"].result == "skipped")
			assert(by[dir .. "/root/busy"].result == "readonly", by[dir .. "/root/busy"].result)
			-- root holds kept mounts and a busy one: it cannot go either
			assert(by[dir .. "/root"].result ~= "unmounted")
			assert(mount.is_mounted(dir .. "/root/keep/sub") and not mount.is_mounted(dir .. "/root/a"))
			f:close()
			res = assert(mount.umount_all({ under = dir }))
			for _, r in ipairs(res) do assert(r.result == "unmounted", r.target .. ": " .. r.result) end
			assert(#res == 4, "4 left, got " .. #res)
			assert(#assert(mount.umount_all({ under = dir })) == 0)
		end)
	end,

	-- lx_opt* read an options string's fields from the string library
	-- (every option its default, without a word: parse_fstab was strict,
	-- a busy umount not remounted read-only) and a number raised "attempt
	-- to index a number value"
	["options that are not a table raise, and nothing is done"] = function()
		in_tmp(function(dir)
			write(dir .. "/fstab", "tmpfs /a tmpfs defaults\n")
			raises("^bad argument #2 to '[%w.]*%f[%w]parse_fstab' %(table expected, got string%)$",
				mount.parse_fstab, dir .. "/fstab", "lenient")
			raises("^bad argument #2 to '[%w.]*%f[%w]mount' %(table expected, got string%)$",
				mount.mount, { source = "tmpfs", target = dir .. "/t", fstype = "tmpfs" }, "mkdir")
			assert(not mount.is_mounted(dir .. "/t"), "mounted after a bad options argument")
			local t = dir .. "/m"
			assert(sh("mkdir " .. t))
			assert(mount.mount({ source = "tmpfs", target = t, fstype = "tmpfs" }))
			raises("^bad argument #2 to '[%w.]*%f[%w]umount' %(table expected, got number%)$", mount.umount, t, 1)
			raises("^bad argument #2 to '[%w.]*%f[%w]umount' %(table expected, got string%)$", mount.umount, t, "lazy")
			assert(mount.is_mounted(t), "unmounted after a bad options argument")
			assert(mount.umount(t, nil) == true, "nil options are none")
		end)
	end,

	-- an unknown key was ignored: a misspelt options mounted read-write,
	-- and umount_all with a misspelt under unmounted everything
	["an unknown key of an entry or of opts raises, and nothing is done"] = function()
		in_tmp(function(dir)
			local function key_raises(fn, key, f, ...)
				raises("^bad argument #%d to '[%w.]*%f[%w]" .. fn .. "' %(unknown key '" .. key .. "'%)$", f, ...)
			end
			write(dir .. "/fstab", "tmpfs /a tmpfs defaults\n")
			key_raises("parse_fstab", "lenint", mount.parse_fstab, dir .. "/fstab", { lenint = true })
			local t = dir .. "/t"
			assert(sh("mkdir " .. t))
			key_raises("mount", "optoins", mount.mount, { source = "tmpfs", target = t, fstype = "tmpfs", optoins = "ro" })
			key_raises("mount", "mkdri", mount.mount, { source = "tmpfs", target = dir .. "/new", fstype = "tmpfs" }, { mkdri = true })
			raises("%(unknown key %(a number%)%)$", mount.mount, { source = "tmpfs", target = t, fstype = "tmpfs", [1] = "ro" })
			assert(not mount.is_mounted(t) and not mount.is_mounted(dir .. "/new"), "mounted with an unknown key")
			-- an entry parse_fstab returned is taken whole (line, noauto,
			-- nofail, freq, passno, vfs_options, ...)
			write(dir .. "/fstab", "tmpfs " .. t .. " tmpfs ro,nofail,size=1m 0 0\n")
			local e = assert(mount.parse_fstab(dir .. "/fstab"))[1]
			assert(e.line == 1 and e.nofail == true and e.vfs_options and e.fs_options and e.user_options, "fields")
			assert(mount.mount(e))
			assert(has_opt(find_mount(t).vfs_options, "ro"), "the entry's ro was lost")
			key_raises("umount", "lazzy", mount.umount, t, { lazzy = true })
			assert(mount.is_mounted(t), "unmounted with an unknown key")
			-- nothing unmounted (under is given all the same: were the
			-- check gone, umount_all alone would remount / read-only, which
			-- a private mount namespace does not keep from the host)
			assert(sh("mkdir " .. dir .. "/u"))
			assert(mount.mount({ source = "tmpfs", target = dir .. "/u", fstype = "tmpfs" }))
			key_raises("umount_all", "undre", mount.umount_all, { under = dir, undre = dir .. "/u" })
			key_raises("umount_all", "kepp", mount.umount_all, { under = dir, kepp = { t } })
			assert(mount.is_mounted(t) and mount.is_mounted(dir .. "/u"), "umount_all unmounted with an unknown key")
			assert(mount.umount(t) and mount.umount(dir .. "/u"))
		end)
	end,

	-- under = "" matched every mount; keep was read lazily, up to its
	-- first match, so a bad entry past it raised after some unmounts, and
	-- a relative path or a map kept nothing
	["umount_all: under and keep are checked whole before any unmount"] = function()
		in_tmp(function(dir)
			local function all_raises(pattern, opts) raises(pattern, mount.umount_all, opts) end
			local a, b = dir .. "/a", dir .. "/b"
			assert(sh("mkdir " .. a .. " " .. b))
			assert(mount.mount({ source = "tmpfs", target = a, fstype = "tmpfs" }))
			assert(mount.mount({ source = "tmpfs", target = b, fstype = "tmpfs" }))
			all_raises("under: absolute path expected, got 'tmp'%)$", { under = "tmp" })
			-- only once a relative under is known to raise (were the check
			-- gone, "" would unmount everything, and remount / read-only)
			all_raises("under: absolute path expected, got ''%)$", { under = "" })
			all_raises("keep: array of paths expected%)$", { under = dir, keep = b })
			all_raises("keep: array of paths expected%)$", { under = dir, keep = { b, {} } })
			all_raises("keep: array of paths expected%)$", { under = dir, keep = { b = b } })
			all_raises("keep: array of paths expected %(it has holes%)%)$", { under = dir, keep = { [1] = b, [3] = a } })
			all_raises("keep: absolute path expected, got 'b'%)$", { under = dir, keep = { b, "b" } })
			assert(mount.is_mounted(a) and mount.is_mounted(b), "umount_all unmounted with bad options")
			local res = assert(mount.umount_all({ under = dir, keep = { b } }))
			assert(#res == 2 and not mount.is_mounted(a) and mount.is_mounted(b))
			assert(mount.umount(b))
		end)
	end,

	-- libmount and umount2 read a string up to its first NUL byte: target
	-- = t .. "\0x" mounted on t, options = "ro\0,rw" was ro, and keep =
	-- {t .. "\0x"} kept t
	["a field or argument with a NUL byte raises naming it; nothing is mounted or unmounted"] = function()
		in_tmp(function(dir)
			local t = dir .. "/t"
			local nul = "string without NUL bytes expected, got a NUL at byte "
			assert(sh("mkdir " .. t))
			raises("^option 'target': " .. nul .. (#t + 1) .. "$", mount.mount,
				{ source = "tmpfs", target = t .. "\0x", fstype = "tmpfs" })
			raises("^option 'source': " .. nul .. "6$", mount.mount, { source = "tmpfs\0x", target = t, fstype = "tmpfs" })
			raises("^option 'fstype': " .. nul .. "6$", mount.mount, { source = "tmpfs", target = t, fstype = "tmpfs\0x" })
			raises("^option 'options': " .. nul .. "3$", mount.mount,
				{ source = "tmpfs", target = t, fstype = "tmpfs", options = "ro\0,rw" })
			assert(not mount.is_mounted(t), "mounted with a NUL byte")
			assert(mount.mount({ source = "tmpfs", target = t, fstype = "tmpfs" }))
			raises("^bad argument #1 to '[%w.]*%f[%w]umount' %(" .. nul .. (#t + 1) .. "%)$", mount.umount, t .. "\0x")
			raises("^bad argument #1 to '[%w.]*%f[%w]is_mounted' %(" .. nul .. (#t + 1) .. "%)$", mount.is_mounted, t .. "\0x")
			raises("^option 'under': " .. nul .. (#dir + 1) .. "$", mount.umount_all, { under = dir .. "\0x" })
			raises("%(keep%[1%]: " .. nul .. (#t + 1) .. "%)$", mount.umount_all, { under = dir, keep = { t .. "\0x" } })
			assert(mount.is_mounted(t), "unmounted with a NUL byte")
			assert(mount.umount(t))
		end)
	end,

	["resolve: paths pass through, unknown tags fail"] = function()
		assert(mount.resolve("/dev/vda") == "/dev/vda")
		assert(mount.resolve("tmpfs") == "tmpfs")
		local dev, err, code, name = mount.resolve("UUID=00000000-luainit-none")
		assert(dev == nil and err == "resolve UUID=00000000-luainit-none: no such device", err)
		assert(code == 2 and name == "ENOENT")
		assert(mount.resolve("LABEL=luainit-no-such-label") == nil)
	end,

	["mount by UUID= and LABEL= of a loop-mounted ext4 image"] = function()
		in_tmp(function(dir)
			local uuid, label = "3e6c2f4a-0b5d-4c1e-9f0a-" .. string.format("%012x", math.random(0, 0xffffffffff)), "lxt" .. math.random(1e6)
			if not sh(string.format("mkfs.ext4 -q -F -L %s -U %s %s/img 4M", label, uuid, dir)) then
				error("SKIP: mkfs.ext4 not available")
			end
			assert(sh("mkdir " .. dir .. "/a " .. dir .. "/b"))
			local ok, err = mount.mount({ source = dir .. "/img", target = dir .. "/a", fstype = "ext4", options = "loop,ro" })
			if not ok and err:find("loop") then error("SKIP: no loop devices: " .. err) end
			assert(ok, err)
			local dev = assert(mount.resolve("LABEL=" .. label))
			assert(dev:match("^/dev/loop%d+$"), dev)
			assert(mount.resolve("UUID=" .. uuid) == dev)
			assert(mount.mount({ source = "UUID=" .. uuid, target = dir .. "/b", options = "ro" }), "mount by UUID")
			local m = assert(find_mount(dir .. "/b"))
			assert(m.source == dev and m.fstype == "ext4", "fstype probed by libblkid")
			assert(mount.umount(dir .. "/b") and mount.umount(dir .. "/a"))
		end)
	end,

	["mountinfo: / is there with its fields"] = function()
		local all = assert(mount.mountinfo())
		assert(#all > 0)
		local seen = false
		for _, m in ipairs(all) do
			assert(type(m.target) == "string" and type(m.fstype) == "string" and type(m.options) == "string")
			if m.target == "/" then seen = true end
		end
		assert(seen, "/ not in mountinfo")
		assert(mount.is_mounted("/") == true)
		assert(mount.is_mounted("/tmp/luainit-no-such-dir") == false)
	end,
}
