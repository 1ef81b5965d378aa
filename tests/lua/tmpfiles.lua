-- tests/lua/tmpfiles.lua: tmpfiles.d lines create directories, files and
-- links under a scratch root; later directories override by file name, a
-- /dev/null link masks, unsupported types are named in the summary.
local tmpfiles = require "tmpfiles"
local fs = require "luainit.fs"
local process = require "luainit.process"

local T = {}

local function scratch()
	local r = "/tmp/luainit-test-tmpfiles." .. process.getpid() .. "." .. math.random(1e9)
	fs.mkdirp(r .. "/etc/tmpfiles.d")
	fs.mkdirp(r .. "/usr/lib/tmpfiles.d")
	fs.writefile(r .. "/etc/passwd", "root:x:0:0::/root:/bin/sh\ndaemon:x:1:1::/:/bin/false\n")
	fs.writefile(r .. "/etc/group", "root:x:0:\nutmp:x:43:\n")
	return r
end

T["d f F L L+ w create what they say, with modes and owners"] = function()
	local r = scratch()
	fs.mkdirp(r .. "/var")
	fs.mkdirp(r .. "/proc/sys/x")
	fs.writefile(r .. "/proc/sys/x/y", "0")
	fs.writefile(r .. "/usr/lib/tmpfiles.d/a.conf", table.concat({
		"# comment",
		"d /run/sshd 0750 daemon root -",
		"f /run/utmp 0664 root utmp -",
		"F /run/motd 0644 - - - hello\\nworld",
		"L /var/run - - - - ../run",
		"w /proc/sys/x/y - - - - 1",
		"w /proc/sys/x/missing - - - - 1",
		"d- /run/x 0755 nobody-such-user - -",
		"Z /var/log 0755 - - -",
	}, "\n") .. "\n")
	local s = assert(tmpfiles.apply({ root = r }))
	assert(s:find("skipped 1 line%(s%) of unsupported type Z"), s)
	local st = fs.stat(r .. "/run/sshd")
	assert(st.type == "dir" and st.mode == tonumber("750", 8) and st.uid == 1, st.mode)
	st = fs.stat(r .. "/run/utmp")
	assert(st.type == "file" and st.gid == 43 and st.mode == tonumber("664", 8))
	assert(fs.readfile(r .. "/run/motd") == "hello\nworld")
	assert(fs.readfile(r .. "/proc/sys/x/y") == "1" and not fs.exists(r .. "/proc/sys/x/missing"))
	assert(fs.readlink(r .. "/var/run") == "../run")
end

T["/etc overrides /usr/lib by name; a /dev/null link masks; skip leaves out"] = function()
	local r = scratch()
	fs.writefile(r .. "/usr/lib/tmpfiles.d/a.conf", "d /run/from-usr 0755 - - -\n")
	fs.writefile(r .. "/etc/tmpfiles.d/a.conf", "d /run/from-etc 0755 - - -\n")
	fs.writefile(r .. "/usr/lib/tmpfiles.d/b.conf", "d /run/masked 0755 - - -\n")
	fs.symlink("/dev/null", r .. "/etc/tmpfiles.d/b.conf")
	fs.writefile(r .. "/usr/lib/tmpfiles.d/c.conf", "F /run/nologin 0644 - - - no\n")
	assert(tmpfiles.apply({ root = r, skip = { "c.conf" } }))
	assert(fs.exists(r .. "/run/from-etc") and not fs.exists(r .. "/run/from-usr"))
	assert(not fs.exists(r .. "/run/masked") and not fs.exists(r .. "/run/nologin"))
end

T["a bad line fails the step and names file:line; D with remove empties"] = function()
	local r = scratch()
	fs.mkdirp(r .. "/tmp/old/deep")
	fs.writefile(r .. "/tmp/old/deep/f", "x")
	fs.writefile(r .. "/usr/lib/tmpfiles.d/a.conf", "D /tmp 1777 root root -\nd /run/y 0755 ghost - -\n")
	local ok, err = tmpfiles.apply({ root = r, remove = true })
	assert(ok == false and err:find("a.conf:2: unknown user or group 'ghost'"), err)
	assert(fs.exists(r .. "/tmp") and not fs.exists(r .. "/tmp/old"))
end

return T
