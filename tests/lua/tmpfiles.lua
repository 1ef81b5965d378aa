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

-- regression: a NUL byte (\x00 in an argument) raised out of fs.symlink
-- and ended the step, the lines after it not applied
T["a NUL byte in a path or an argument fails its line, the rest is applied"] = function()
	local r = scratch()
	fs.writefile(r .. "/usr/lib/tmpfiles.d/a.conf",
		"L /run/lnk - - - - /a\\x00b\nd /run/x\0y 0755 - - -\nd /run/fine 0755 - - -\n")
	local ok, err = tmpfiles.apply({ root = r })
	assert(ok == false and err:find("2 line(s) failed: ", 1, true)
		and err:find("a.conf:1: a NUL byte in the argument", 1, true), err)
	assert(fs.exists(r .. "/run/fine") and not fs.lstat(r .. "/run/lnk"))
end

-- regression: a numeric user past the uid range raised out of fs.chown
-- instead of failing its line
T["a numeric user or group out of range fails its line, the rest is applied"] = function()
	local r = scratch()
	fs.writefile(r .. "/usr/lib/tmpfiles.d/a.conf",
		"d /run/big 0755 4294967295 - -\nd /run/huge 0755 - 99999999999999999999 -\nd /run/fine 0755 - - -\n")
	local ok, err = tmpfiles.apply({ root = r })
	assert(ok == false and err:find("2 line(s) failed: ", 1, true)
		and err:find("a.conf:1: user or group id 4294967295: an integer from 0 to 4294967294 expected", 1, true), err)
	assert(fs.exists(r .. "/run/fine"))
end

-- regression: an unknown type was counted as "unsupported", a mode such
-- as 99z fell back to the default and 12345 reached chmod; each is now an
-- error of its file:line and the lines around it are still applied
T["bad types, modifiers, modes and paths are file:line errors; the rest applies"] = function()
	local r = scratch()
	fs.writefile(r .. "/usr/lib/tmpfiles.d/a.conf", table.concat({
		"K /run/k 0755 - - -",
		"d /run/ok1 0750 - - -",
		"d /run/m1 99z - - -",
		"d /run/m2 12345 - - -",
		"dx /run/x 0755 - - -",
		"d run/rel 0755 - - -",
		"f /run/m3 -0644 - - -",
		"Q /run/subvol 0700 - - -",
		"d! /run/ok2 ~0755 - - -",
		"f~ /run/b64 0644 - - - aGVsbG8=",
		"d /run/ok3 :07777 - - -",
	}, "\n") .. "\n")
	local ok, err = tmpfiles.apply({ root = r })
	assert(ok == false, "bad lines must fail the step")
	local _, errs = tmpfiles.parse(fs.readfile(r .. "/usr/lib/tmpfiles.d/a.conf"), "a.conf", {})
	local want = {
		"a.conf:1: unknown type 'K' (expected one of tmpfiles.d(5)'s: f F w d D e v q Q p L c b C x X r R z Z t T h H a A)",
		"a.conf:3: mode '99z': expected an octal mode up to 07777 (e.g. 0755), maybe after ~ or :",
		"a.conf:4: mode '12345': expected an octal mode up to 07777 (e.g. 0755), maybe after ~ or :",
		"a.conf:5: unknown modifier in 'dx' (expected the type followed by any of + ! - = ~ ^ $)",
		"a.conf:6: path 'run/rel': expected an absolute path",
		"a.conf:7: mode '-0644': expected an octal mode up to 07777 (e.g. 0755), maybe after ~ or :",
	}
	assert(#errs == #want, table.concat(errs, "\n"))
	for i, w in ipairs(want) do assert(errs[i] == w, errs[i]) end
	assert(err:find("6 line(s) failed: /usr/lib/tmpfiles.d/a.conf:1: unknown type 'K'", 1, true), err)
	assert(err:find("skipped 1 line(s) of unsupported type f~", 1, true), err)
	assert(fs.stat(r .. "/run/ok1").mode == tonumber("750", 8))
	assert(fs.stat(r .. "/run/ok2").mode == tonumber("755", 8))
	assert(fs.stat(r .. "/run/ok3").mode == tonumber("7777", 8))
	assert(fs.stat(r .. "/run/subvol").type == "dir", "Q is tmpfiles.d(5)'s: a directory here")
	for _, p in ipairs({ "k", "m1", "m2", "x", "m3", "b64" }) do
		assert(not fs.exists(r .. "/run/" .. p), p .. " was made")
	end
end

-- regression: the argument of an L, f, F or w line was taken as written,
-- specifiers and all: 'L /run/x - - - - %t/y' made a link to "%t/y"
-- (systemd-tmpfiles expands them there too, after the escapes)
T["specifiers in the argument of L f F w are expanded; an unknown one fails its line"] = function()
	local r = scratch()
	fs.writefile(r .. "/etc/tmpfiles.d/a.conf", table.concat({
		"L /run/link - - - - %t/target",
		"f /run/file 0644 - - - %S:%%:\\x25T",
		"w /run/file2 - - - - nope",
		"f /run/bad 0644 - - - %Q",
		"d /run/dir 0755 - - - %t-is-not-read",
		"L /run/after - - - - %L",
	}, "\n") .. "\n")
	local ok, err = tmpfiles.apply({ root = r })
	assert(ok == false and err:find("/etc/tmpfiles.d/a.conf:4: specifier %Q in the argument not supported", 1, true), err)
	assert(fs.readlink(r .. "/run/link") == "/run/target", fs.readlink(r .. "/run/link"))
	assert(fs.readfile(r .. "/run/file") == "/var/lib:%:/tmp", fs.readfile(r .. "/run/file"))
	assert(not fs.exists(r .. "/run/bad") and fs.stat(r .. "/run/dir").type == "dir")
	assert(fs.readlink(r .. "/run/after") == "/var/log")
end

return T
