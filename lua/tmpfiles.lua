--- tmpfiles: the boot-time part of systemd-tmpfiles, for the directories
-- and links that packages expect under /run and /var (sshd's /run/sshd,
-- /run/utmp, /var/log, the /var/run -> /run link, ...). Reads tmpfiles.d(5)
-- files from /usr/lib, /run and /etc (a file in a later directory replaces
-- one of the same name; a link to /dev/null masks it) and applies a subset:
--   d D v q Q  create a directory (D also empties it when opts.remove)
--   e          adjust mode/owner of an existing directory
--   f F w      create a file (F truncates, w writes to an existing one)
--   L L+       create a symlink (L+ replaces what is there)
--   z          adjust mode/owner of an existing path
--   x X r R    accepted and ignored (cleaning and removal exclusions)
-- The other types of tmpfiles.d(5) (c b p C a A h H t T Z), and lines whose
-- argument is base64 (~) or a credential (^), are counted and named in the
-- summary, never silently skipped. A type tmpfiles.d(5) does not have, an
-- unknown modifier, a mode that is not octal up to 07777 or a relative path
-- is an error of its file:line; the other lines are still applied. The age
-- column is ignored (no cleaning).
local fs = require "luainit.fs"
local integer = require "integer"
local log = require "log"

local M = {
	dirs = { "/usr/lib/tmpfiles.d", "/run/tmpfiles.d", "/etc/tmpfiles.d" },
}

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- /etc/passwd and /etc/group: name -> id (PID 1 has no NSS)
local function idmap(path)
	local m = {}
	for line in ((fs.readfile(path) or "") .. "\n"):gmatch("([^\n]*)\n") do
		local name, id = line:match("^([^:]+):[^:]*:(%d+):")
		if name then m[name] = tonumber(id) end
	end
	return m
end

local ESC = { n = "\n", t = "\t", r = "\r", ["\\"] = "\\", ['"'] = '"', ["'"] = "'", s = " " }
local function unescape(s)
	return (s:gsub("\\x(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
		:gsub("\\(.)", function(c) return ESC[c] or c end))
end

-- Split a line into at most 7 fields; the 7th (argument) keeps its spaces.
local function fields(line)
	local out, rest = {}, line
	for _ = 1, 6 do
		local f, r = rest:match("^(%S+)%s*(.*)$")
		if not f then break end
		out[#out + 1], rest = f, r
	end
	if rest ~= "" then out[7] = rest end
	return out
end

-- Every type of tmpfiles.d(5) (F: the obsolete spelling of f+, which
-- systemd still reads) and the modifiers that may follow it.
local TYPES = "fFwdDevqQpLcbCxXrRzZtThHaA"
local MODIFIERS = "+!-=~^$"

--- Parse tmpfiles.d text into entries {type, path, mode, user, group, arg,
-- line, file, boot, minus, plus, encoded}; errors as "file:line: message"
-- (a line with an error is left out, the others are returned).
-- parse : (text, file, spec) -> {entry}, {string}
function M.parse(text, file, spec)
	local out, errs, n = {}, {}, 0
	local function err(fmt, ...) errs[#errs + 1] = string.format("%s:%d: " .. fmt, file, n, ...) end
	for line in (text .. "\n"):gmatch("([^\n]*)\n") do
		n = n + 1
		local l = trim(line)
		if l ~= "" and not l:match("^#") then
			local f = fields(l)
			local t = f[1]
			local e = { line = n, file = file }
			e.type = t:sub(1, 1)
			local mods = t:sub(2)
			e.plus = mods:find("+", 1, true) ~= nil
			e.boot = mods:find("!", 1, true) ~= nil
			e.minus = mods:find("-", 1, true) ~= nil
			-- an argument in base64 or naming a credential: written as it
			-- stands it would be wrong content, so such a line is skipped
			e.encoded = mods:match("[~^]")
			local bad, badarg
			local function expand(x, set)
				return (x:gsub("%%(.)", function(c)
					local r = spec[c]
					if not r then set("%" .. c) end
					return r or ""
				end))
			end
			e.path = f[2] and expand(f[2], function(b) bad = b end)
			local function opt(x) if x == nil or x == "-" then return nil end return x end
			-- ':' (only when creating) and '~' (a mask) are taken as plain values
			local mode = opt(f[3]) and f[3]:gsub("^[~:]+", "")
			local arg = opt(f[7]) and unescape(f[7])
			-- the argument of L, C, f, F and w holds specifiers too, as
			-- systemd-tmpfiles expands them (after the escapes): 'L /run/x
			-- - - - - %t/y' was a link to the literal "%t/y"
			if arg and not e.encoded and ("LCfFw"):find(e.type, 1, true) then
				arg = expand(arg, function(b) badarg = b end)
			end
			local nul = e.path and (e.path:find("\0", 1, true) and "path" or arg and arg:find("\0", 1, true) and "argument")
			if not e.path then
				err("expected 'Type Path ...', got '%s'", l)
			elseif not TYPES:find(e.type, 1, true) then
				err("unknown type '%s' (expected one of tmpfiles.d(5)'s: %s)", e.type,
					TYPES:gsub(".", "%0 "):sub(1, -2))
			elseif mods:find("[^" .. MODIFIERS:gsub(".", "%%%0") .. "]") then
				err("unknown modifier in '%s' (expected the type followed by any of %s)", t,
					MODIFIERS:gsub(".", "%0 "):sub(1, -2))
			elseif bad then
				err("specifier %s not supported", bad)
			elseif badarg then
				err("specifier %s in the argument not supported", badarg)
			elseif e.path:sub(1, 1) ~= "/" then
				err("path '%s': expected an absolute path", e.path)
			elseif nul then
				-- (systemd refuses it too; fs.* would raise and end the step)
				err("a NUL byte in the %s", nul)
			elseif mode and not (mode:match("^[0-7]+$") and tonumber(mode, 8) <= 4095) then
				err("mode '%s': expected an octal mode up to 07777 (e.g. 0755), maybe after ~ or :", f[3])
			else
				e.mode, e.user, e.group = mode, opt(f[4]), opt(f[5])
				e.arg = arg
				if e.user then e.user = e.user:gsub("^:", "") end
				if e.group then e.group = e.group:gsub("^:", "") end
				out[#out + 1] = e
			end
		end
	end
	return out, errs
end

-- The tmpfiles.d files by name; later dirs win; /dev/null links mask.
local function files_of(dirs, skip)
	local byname = {}
	for _, dir in ipairs(dirs) do
		for _, n in ipairs(fs.readdir(dir) or {}) do
			if n:match("%.conf$") then byname[n] = dir .. "/" .. n end
		end
	end
	local names = {}
	for n, p in pairs(byname) do
		if not (skip and skip[n]) and fs.readlink(p) ~= "/dev/null" then names[#names + 1] = n end
	end
	table.sort(names)
	local out = {}
	for _, n in ipairs(names) do out[#out + 1] = byname[n] end
	return out
end

-- Remove what is inside dir, staying on its filesystem, never following links.
local function empty_dir(dir)
	local top = fs.lstat(dir)
	if not top or top.type ~= "dir" then return end
	local function rm(p)
		local st = fs.lstat(p)
		if not st then return end
		if st.type == "dir" then
			if st.dev ~= top.dev then return end
			for _, n in ipairs(fs.readdir(p) or {}) do rm(p .. "/" .. n) end
			fs.rmdir(p)
		else
			fs.unlink(p)
		end
	end
	for _, n in ipairs(fs.readdir(dir) or {}) do rm(dir .. "/" .. n) end
end

--- Apply the tmpfiles.d entries.
-- opts: dirs (default M.dirs), remove (empty D directories, as
-- systemd-tmpfiles --remove at boot; default false), skip ({"name.conf"}:
-- files to leave out, e.g. systemd-nologin.conf whose remover does not run
-- under luainit), root (prefix for every path, for tests).
-- Returns a summary line, or false and a message when any line failed.
-- apply : (opts?) -> string | (false, string)
function M.apply(opts)
	opts = opts or {}
	if type(opts) == "table" and opts[1] then opts = { dirs = opts } end
	local root = opts.root or ""
	local skip = {}
	for _, n in ipairs(opts.skip or {}) do skip[n] = true end
	local users, groups = idmap(root .. "/etc/passwd"), idmap(root .. "/etc/group")
	local mid = trim(fs.readfile(root .. "/etc/machine-id") or "")
	local spec = { ["%"] = "%", t = "/run", S = "/var/lib", C = "/var/cache", L = "/var/log",
		T = "/tmp", V = "/var/tmp", E = "/etc", h = "/root", m = mid ~= "" and mid or nil,
		b = trim(fs.readfile("/proc/sys/kernel/random/boot_id") or ""):gsub("-", ""),
		H = trim(fs.readfile("/proc/sys/kernel/hostname") or ""),
		v = trim(fs.readfile("/proc/sys/kernel/osrelease") or "") }
	local dirs = {}
	for _, d in ipairs(opts.dirs or M.dirs) do dirs[#dirs + 1] = root .. d end

	local failed, made, unsupported, seen = {}, 0, {}, {}
	local unsupported_n = 0
	local function fail(e, msg)
		if e.minus then return end
		failed[#failed + 1] = string.format("%s:%d: %s", e.file, e.line, msg)
	end
	local function id(map, v, e)
		if v == nil then return nil end
		if v:match("^%d+$") then
			local n = integer.id(tonumber(v))
			if not n then fail(e, "user or group id " .. v .. ": " .. integer.id_expected .. " expected") end
			return n
		end
		local x = map[v]
		if not x then fail(e, "unknown user or group '" .. v .. "'") end
		return x
	end
	local function own(p, e, created)
		local uid, gid = id(users, e.user, e), id(groups, e.group, e)
		if created or uid or gid then
			local ok, err = fs.chown(p, uid or (created and 0) or -1, gid or (created and 0) or -1)
			if not ok then fail(e, err) end
		end
	end
	local function mode(e, default)
		return e.mode and tonumber(e.mode, 8) or default
	end
	local function parent(p) return p:match("^(.*)/[^/]+$") end

	for _, f in ipairs(files_of(dirs, skip)) do
		local entries, errs = M.parse(fs.readfile(f) or "", f:sub(#root + 1), spec)
		for _, x in ipairs(errs) do failed[#failed + 1] = x end
		for _, e in ipairs(entries) do
			-- the first line for a path wins (systemd warns about the rest)
			if seen[e.path] then goto next end
			seen[e.path] = true
			local p = root .. e.path
			local t = e.type
			if e.encoded then
				t = t .. e.encoded
				unsupported_n = unsupported_n + 1
				unsupported[t] = true
			elseif t == "d" or t == "D" or t == "v" or t == "q" or t == "Q" or t == "e" then
				local st = fs.stat(p)
				if not st then
					if t == "e" then goto next end
					fs.mkdirp(parent(p) or "/")
					local ok, err = fs.mkdir(p, mode(e, 493))
					if not ok then fail(e, err); goto next end
					fs.chmod(p, mode(e, 493)) -- past the umask
					own(p, e, true)
					made = made + 1
				elseif st.type ~= "dir" then
					fail(e, e.path .. " exists and is not a directory")
				else
					if e.mode then fs.chmod(p, mode(e)) end
					own(p, e, false)
					if t == "D" and opts.remove then empty_dir(p) end
				end
			elseif t == "f" or t == "F" or t == "w" then
				local st = fs.stat(p)
				if t == "w" then
					if st then
						local ok, err = fs.writefile(p, e.arg or "", { append = e.plus })
						if not ok then fail(e, err) end
					end
				elseif not st or t == "F" then
					fs.mkdirp(parent(p) or "/")
					local ok, err = fs.writefile(p, e.arg or "", { mode = mode(e, 420) })
					if not ok then fail(e, err); goto next end
					fs.chmod(p, mode(e, 420))
					own(p, e, true)
					made = made + 1
				else
					if e.mode then fs.chmod(p, mode(e)) end
					own(p, e, false)
				end
			elseif t == "L" then
				local target = e.arg or ("/usr/share/factory" .. e.path)
				local cur = fs.lstat(p)
				if cur and e.plus and fs.readlink(p) ~= target then
					if cur.type == "dir" then fail(e, e.path .. " is a directory; not replaced"); goto next end
					fs.unlink(p)
					cur = nil
				end
				if not cur then
					fs.mkdirp(parent(p) or "/")
					local ok, err = fs.symlink(target, p)
					if not ok then fail(e, err) else made = made + 1 end
				end
			elseif t == "z" then
				if fs.lstat(p) then
					if e.mode then fs.chmod(p, mode(e)) end
					own(p, e, false)
				end
			elseif t == "x" or t == "X" or t == "r" or t == "R" then
				-- cleaning exclusions and removals: not done at boot here
			else
				unsupported_n = unsupported_n + 1
				unsupported[t] = true
			end
			::next::
		end
	end
	local types = {}
	for t in pairs(unsupported) do types[#types + 1] = t end
	table.sort(types)
	local summary = string.format("tmpfiles: created %d path(s)%s", made,
		unsupported_n > 0 and string.format(", skipped %d line(s) of unsupported type %s",
			unsupported_n, table.concat(types, " ")) or "")
	for _, x in ipairs(failed) do log.warn("tmpfiles: %s", x) end
	if #failed > 0 then return false, string.format("%s; %d line(s) failed: %s", summary, #failed, failed[1]) end
	return summary
end

--- `luainit --lua tmpfiles.lua [--remove] [--root DIR]`: apply now.
-- main : ({string}) -> integer
function M.main(args)
	local opts = {}
	local i = 1
	while args[i] do
		if args[i] == "--remove" then opts.remove = true
		elseif args[i] == "--root" and args[i + 1] then opts.root = args[i + 1]; i = i + 1
		else io.stderr:write("usage: tmpfiles [--remove] [--root DIR]\n"); return 2 end
		i = i + 1
	end
	local ok, err = M.apply(opts)
	if not ok then io.stderr:write(err, "\n"); return 1 end
	print(ok)
	return 0
end

if (...) ~= "tmpfiles" and type(arg) == "table" and type(arg[0]) == "string"
	and arg[0]:match("tmpfiles%.lua$") then
	os.exit(M.main(arg))
end

return M
