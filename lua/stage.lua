--- stage: the boot steps /etc/luainit/boot.lua calls, in the order a
-- machine needs them. Each step prints one `[  OK  ]` or `[FAILED]` line with
-- what it did and how long it took, and contains its own failures: an
-- optional step that fails is reported and the boot goes on; a required one
-- opens the rescue console.
local event = require "luainit.event"
local fs = require "luainit.fs"
local sys = require "luainit.sys"
local log = require "log"

local M = {}

--- Boot timeline for `luactl analyze`: {name, kind, start, stop, ok}
-- (event.now() ms), in the order they ended. kind "step" is a boot step;
-- "module" (a driver coldplug or hotplug loaded, with its dependencies)
-- and "link" (an interface the network step configured) run inside one.
M.timeline = {}

--- Add a timed entry of another kind than a step (see M.timeline), as
-- long as the boot is not done: afterwards hotplug would grow it forever.
-- record : (kind, name, start_ms, stop_ms, ok) -> nil
function M.record(kind, name, start, stop, ok)
	if M.boot_done then return end
	M.timeline[#M.timeline + 1] = { name = name, kind = kind, start = start, stop = stop, ok = ok }
end

--- The kernel command line (set by pid1 before boot.lua runs).
M.cmdline = { words = {}, all = {}, init_args = {} }
--- The arguments the kernel started init with (PID 1's argv after argv[0]):
-- the words of the command line the kernel does not take as parameters
-- (no `=` and no `.`) and every word after `--`. Set by pid1 on a machine;
-- empty in a container, whose argv is the runtime's.
M.argv = {}

--- Milliseconds after boot.done() for the work that can wait until the
-- services have started: saving a fresh random seed, collecting the
-- boot's garbage and dropping its code from memory.
M.settle_ms = 500

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

local flag_warned = setmetatable({}, { __mode = "k" }) -- cmdline -> {key = true}

--- The on/off parameter key of the command line c (default: the
-- kernel's): on for a bare word or 1, yes, y, true, t, on; off when absent
-- or 0, no, n, false, f, off (any case: lua/boolean.lua, systemd's words).
-- Anything else is off, with a warning (once per parameter) that names it
-- and what was expected: a typo must not turn on what `=0` meant to turn
-- off.
-- flag : (key, cmdline?) -> boolean
function M.flag(key, c)
	c = c or M.cmdline
	local v = c[key]
	if v == nil or v == true then return v == true end
	v = tostring(v)
	-- required here, not at the top: most boots write no value and never
	-- need it
	local boolean = require "boolean"
	local b = boolean.parse(v)
	if b ~= nil then return b end
	flag_warned[c] = flag_warned[c] or {}
	if not flag_warned[c][key] then
		flag_warned[c][key] = true
		log.warn("kernel command line: %s=%s: expected %s; taken as off", key, v, boolean.expected)
	end
	return false
end

-- The timed part of a step: fn's call, its timeline entry and its line.
-- timed : (name, fn) -> true, result | false, why
local function timed(name, fn)
	local t0 = event.now()
	local ok, res, detail = xpcall(fn, log.traceback)
	local t1 = event.now()
	local good = ok and res ~= false and (res ~= nil or detail == nil)
	local entry = { name = name, kind = "step", start = t0, stop = t1, ok = good }
	M.timeline[#M.timeline + 1] = entry
	if good then
		log.ok(type(res) == "string" and res or name, t1 - t0)
		return true, res
	end
	local why = ok and (detail or "failed") or res
	log.failed(name, why, t1 - t0)
	return false, why
end
-- for netmounts' mounts after the boot: timed and logged, but no boot
-- step (no rescue console, no luainit.break)
M.timed = timed

--- Run fn(...) as the boot step `name`. It fails when fn raises or
-- returns false or nil with a message (false, why / nil, err: the
-- bindings' error return, so `return fs.mount(...)` is a step). required
-- (default false) makes a failure stop the boot with the rescue console.
-- step : (name, fn, opts?) -> ok, result
local step_ids = {} -- each step's id (else name), in order: for a luainit.break= never met

--- A luainit.break= that named no step run so far (a typo) stopped
-- nothing: the warning that says so and names the steps' ids (done()
-- logs it), else nil.
-- break_unmet : () -> string | nil
function M.break_unmet()
	local want = M.cmdline["luainit.break"]
	if want == nil or M.break_met then return nil end
	local steps = table.concat(step_ids, ", ")
	if type(want) ~= "string" or want == "" then
		-- the bare word, or luainit.break= with nothing after it
		return "luainit.break: expected luainit.break=STEP (a step's id), got no step, so the boot did not "
			.. "stop; the steps were: " .. steps
	end
	return string.format("luainit.break=%s: no boot step has that id, so the boot did not stop; "
		.. "the steps were: %s", want, steps)
end
function M.step(name, fn, opts)
	opts = opts or {}
	local id = opts.id or name
	local want = M.cmdline["luainit.break"]
	-- (kept only while a break waits: the warning names them)
	if want ~= nil and not M.break_met then step_ids[#step_ids + 1] = id end
	if want == id then
		M.break_met = true
		log.notice("luainit.break=%s: stopping before this step", id)
		require("rescue").run("luainit.break=" .. id)
	end
	local good, res = timed(name, fn)
	if good then return true, res end
	if opts.required then
		require("rescue").run(string.format("required boot step '%s' failed", name))
	end
	return false, res
end

local function parent_of(path)
	-- trailing slashes first: fstab's "/srv/data/" has /srv as its parent,
	-- not "/" (against "/", a directory on /srv's filesystem looked like a
	-- mount point, and the entry was not mounted: "(already)")
	local p = path:gsub("/+$", ""):match("^(.*)/[^/]+$")
	if not p or p == "" then return "/" end
	return p
end

-- Is path a mount point? Compared by device with its parent, so it works
-- before /proc is mounted.
local function is_mountpoint(path)
	if path == "/" then return true end
	local st, parent = fs.stat(path), fs.stat(parent_of(path))
	return st ~= nil and parent ~= nil and st.dev ~= parent.dev
end
M.is_mountpoint = is_mountpoint

--- The API filesystems every Linux userland expects.
M.early = {
	{ "proc", "/proc", "proc", "nosuid,nodev,noexec,relatime" },
	{ "sysfs", "/sys", "sysfs", "nosuid,nodev,noexec,relatime" },
	{ "devtmpfs", "/dev", "devtmpfs", "nosuid", "mode=0755" },
	{ "devpts", "/dev/pts", "devpts", "nosuid,noexec,relatime", "gid=5,mode=620,ptmxmode=000" },
	{ "tmpfs", "/dev/shm", "tmpfs", "nosuid,nodev", "mode=1777" },
	{ "tmpfs", "/run", "tmpfs", "nosuid,nodev", "mode=0755" },
	{ "cgroup2", "/sys/fs/cgroup", "cgroup2", "nosuid,nodev,noexec,relatime", "nsdelegate" },
}

-- mount_fn(...) at target, unless something is mounted there already,
-- its mount point made first: what M.mount and mount_here share.
local function mount_at(target, mount_fn, ...)
	if is_mountpoint(target) then return true, "already" end
	fs.mkdirp(target, 493)
	return mount_fn(...)
end

--- Mount one filesystem unless something is mounted there already.
-- mount : (src, target, fstype, flags?, data?) -> true | (nil, string)
function M.mount(src, target, fstype, flags, data)
	return mount_at(target, fs.mount, src, target, fstype, flags, data)
end

--- Mount /proc, /sys, /dev, /dev/pts, /dev/shm, /run and /sys/fs/cgroup.
-- A failure here is reported per mount; the boot goes on with what worked.
function M.early_mounts()
	for _, m in ipairs(M.early) do
		M.step("mount " .. m[2], function()
			local ok, err = M.mount(m[1], m[2], m[3], m[4], m[5])
			if not ok then return false, err end
			return (err == "already" and "mounted " .. m[2] .. " (already)") or "mounted " .. m[2]
		end, { id = "mount:" .. m[2] })
	end
	-- the console is usable now that /dev exists
	if not fs.exists("/dev/fd") then fs.symlink("/proc/self/fd", "/dev/fd") end
end

--- Is word one of the comma-separated options (an fstab entry's)?
-- has_option : (options?, word) -> boolean
local function has_option(options, word)
	return ("," .. (options or "") .. ","):find("," .. word .. ",", 1, true) ~= nil
end
M.has_option = has_option

--- Remount / read-write (or as fstab's "/" entry says).
function M.remount_root()
	return M.step("remount / read-write", function()
		if event.mode() ~= "pid1" then return "/ left as the host mounted it (container)" end
		local want = "rw"
		local ok, mount = pcall(require, "luainit.mount")
		if ok and mount.parse_fstab then
			-- kept for boot.fstab(), which comes next and reads the same file
			local entries, errors = mount.parse_fstab("/etc/fstab", { lenient = true })
			M.fstab_parsed = { path = "/etc/fstab", stat = fs.stat("/etc/fstab"), entries = entries, errors = errors }
			for _, e in ipairs(entries or {}) do
				if e.target == "/" and has_option(e.options, "ro") then want = "ro" end
			end
		end
		local flags = want == "ro" and "remount,ro" or "remount"
		local r, err = fs.mount(nil, "/", nil, flags)
		if not r then return false, err end
		return "remounted / " .. want
	end, { id = "remount-root" })
end

--- Milliseconds fstab's network entries (see netmounts.split) wait for the
-- network to be online before they are reported left unmounted: as long
-- as systemd gives a mount (DefaultTimeoutStartSec, 90 s). Counted from
-- boot.fstab(); set it in boot.lua before that.
M.netdev_timeout_ms = 90000

--- Milliseconds each of fstab's network entries has to be mounted once
-- the network is online, counted from the start of its mount child: as
-- long as systemd gives a mount unit (DefaultTimeoutStartSec, 90 s) before
-- it kills the mount helper. Then the child is killed (a mount(2) waiting
-- on a server that does not answer is killable) and the entry is failed.
M.netmount_timeout_ms = 90000

-- The filesystem types that need the network, as systemd reads fstab
-- (fstype_is_network: its "@network" set, davfs, glusterfs, lustre and
-- sshfs, after a "fuse." prefix), and util-linux's curlftpfs
-- (mnt_fstype_is_netfs). Not 9p, as systemd: over virtio it is local
-- (9p over TCP says _netdev); nor nfsd, which util-linux's "nfs*" took.
local NETWORK_FSTYPES = {}
for t in ([[afs ceph cifs curlftpfs davfs gfs gfs2 glusterfs lustre ncp ncpfs nfs nfs4
	ocfs2 orangefs pvfs2 smb3 smbfs sshfs]]):gmatch("%S+") do NETWORK_FSTYPES[t] = true end

--- Does fstab entry e need the network: `_netdev` among its options, or
-- a network filesystem type (nfs, nfs4, cifs, smb3, ceph, glusterfs,
-- sshfs or fuse.sshfs, davfs, ...; see NETWORK_FSTYPES)?
-- is_network : (entry) -> boolean
function M.is_network(e)
	if has_option(e.options, "_netdev") then return true end
	local t = e.fstype or ""
	return NETWORK_FSTYPES[t:match("^fuse%.(.+)$") or t] == true
end

--- Mount fstab entry e, unless something is mounted there already, making
-- its mount point first. An X-mount.* of a newer libmount (X-mount.mode=)
-- is left out, as mount(8) of this libmount's version ignores it: listed,
-- not fatal. netmounts' child runs this too, so that the stat of the
-- mount point and its mkdir (which wait on the server of a network
-- filesystem it lies in) happen there, not in PID 1.
-- mount_here : (entry) -> true, ("already" | {option, ...})? | (nil, string)
local function mount_here(e)
	return mount_at(e.target, require("luainit.mount").mount, e, { skip_newer = true })
end
M.mount_here = mount_here

--- What mounting fstab entry e of file path came to, as a step's result,
-- given what the mount returned (mount_here's ok, detail, or those of
-- netmounts' child, which runs it; detail: "already", the options left
-- out, or the error): the failure naming path:LINE, a warning for the
-- options left out. The caller mounts (netmounts made a closure per
-- entry when this took the function that mounts).
-- mount_result : (entry, path, ok, detail?) -> string | (false, string)
function M.mount_result(e, path, ok, detail)
	local at = e.line and string.format("%s:%d: ", path, e.line) or ""
	if not ok then return false, at .. detail end
	if detail == "already" then return "mounted " .. e.target .. " (already)" end
	if detail then
		log.warn("%soption(s) %s left out: this libmount (2.38) does not act on them", at,
			table.concat(detail, ", "))
	end
	return "mounted " .. e.target .. " (" .. e.fstype .. ")"
end

--- Mount everything in /etc/fstab except noauto entries; the ones that
-- need the network wait for it in the background (netmounts.split). A nofail
-- entry that fails is reported; any other failure opens the rescue
-- console, but for a network entry (an error in the log). A line that is
-- malformed, or whose mount point is not an absolute path, is reported as
-- path:LINE and skipped.
function M.fstab(path)
	path = path or "/etc/fstab"
	local mount = require "luainit.mount"
	local entries, errors, _, ename
	local parsed = M.fstab_parsed
	M.fstab_parsed = nil
	local st = parsed and parsed.path == path and parsed.stat and fs.stat(path)
	if st and st.mtime == parsed.stat.mtime and st.size == parsed.stat.size then
		entries, errors = parsed.entries, parsed.errors
	else
		entries, errors, _, ename = mount.parse_fstab(path, { lenient = true })
	end
	if not entries then
		-- no fstab at all (a root the kernel mounted, nothing else) is
		-- nothing to mount, as systemd's fstab-generator takes it: it was
		-- a [FAILED] line at every boot
		if ename == "ENOENT" then
			return M.step("read " .. path, function() return "no " .. path .. ": nothing to mount" end)
		end
		return M.step("read " .. path, function() return false, errors end)
	end
	for _, e in ipairs(errors or {}) do log.failed("parse " .. path, e) end
	local wanted = {}
	for _, e in ipairs(entries) do
		if e.fstype == "swap" then goto next end
		-- libmount takes any word as the mount point; a relative one
		-- would be made and mounted under PID 1's working directory
		if (e.target or ""):sub(1, 1) ~= "/" then
			log.failed("parse " .. path, string.format("%s:%s mount point '%s': expected an absolute path (or none for swap)",
				path, e.line and (e.line .. ":") or "", tostring(e.target)))
			goto next
		end
		if e.target == "/" or e.noauto then goto next end
		wanted[#wanted + 1] = e
		::next::
	end
	-- each entry asked once whether it needs the network; netmounts is
	-- loaded only when one does, and split is given the answers
	local network, any = {}, false
	for i, e in ipairs(wanted) do
		network[i] = M.is_network(e)
		any = any or network[i]
	end
	local now, late, netmounts = wanted, {}, nil
	if any then
		netmounts = require "netmounts"
		now, late = netmounts.split(wanted, network)
	end
	for _, e in ipairs(now) do
		M.step("mount " .. e.target, function() return M.mount_result(e, path, mount_here(e)) end,
			{ required = not e.nofail, id = "fstab:" .. e.target })
	end
	if #late > 0 then netmounts.mount_later(late, path) end
end

--- The hostname a hostname(5) file names: its first line that is neither
-- empty nor a comment ('#' first), trimmed, with a comment after the name
-- cut off as BusyBox's hostname -F does ('#' is in no hostname); nil when
-- there is none (an empty or missing file: the caller's default). A bad
-- name is an error of its line: 1 to 64 letters, digits, '-' and '.', no
-- leading '-', no empty label ("a..b"), as systemd checks a name.
-- parse_hostname : (text, file) -> name? | (nil, string)
function M.parse_hostname(text, file)
	local n = 0
	for line in (text .. "\n"):gmatch("([^\n]*)\n") do
		n = n + 1
		local name = trim((line:gsub("#.*$", "")))
		if name ~= "" then
			-- a trailing dot (an absolute DNS name) is not part of the name
			local bare = #name > 1 and name:gsub("%.$", "") or name
			if #bare > 64 or bare:find("[^%w%-%.]") or bare:find("^[%-%.]") or bare:find("%.$")
				or bare:find("..", 1, true) then
				return nil, string.format("%s:%d: '%s': expected a hostname of 1 to 64 letters, digits, "
					.. "'-' and '.', not starting with '-' or '.', without '..'", file, n, name)
			end
			return bare
		end
	end
	return nil
end

--- Set the hostname from /etc/hostname (see parse_hostname); "localhost"
-- when the file names none. A bad name fails the step; the hostname stays
-- as it was, or becomes "localhost" if the kernel's "(none)" is all it has.
function M.hostname(path)
	path = path or "/etc/hostname"
	return M.step("set hostname", function()
		local name, err = M.parse_hostname(fs.readfile(path) or "", path)
		if err then
			local cur = sys.hostname()
			if cur == nil or cur == "" or cur == "(none)" then
				sys.sethostname("localhost")
				cur = "localhost"
			end
			return false, err .. "; hostname left as '" .. tostring(cur) .. "'"
		end
		name = name or "localhost"
		local ok, serr = sys.sethostname(name)
		if not ok then return false, serr end
		return "hostname " .. name
	end, { id = "hostname" })
end

-- Files of a *.d configuration directory set, later directories override
-- earlier ones by file name; returned sorted by file name.
local function conf_d(dirs, suffix)
	local byname = {}
	for _, dir in ipairs(dirs) do
		for _, n in ipairs(fs.readdir(dir) or {}) do
			if n:sub(-#suffix) == suffix then byname[n] = dir .. "/" .. n end
		end
	end
	local names = {}
	for n in pairs(byname) do names[#names + 1] = n end
	table.sort(names)
	local out = {}
	for _, n in ipairs(names) do out[#out + 1] = byname[n] end
	return out
end
M.conf_d = conf_d

--- Parse a sysctl.conf-style file: returns {{key, value, line, ignore_errors}}
-- and a list of "file:line: message" errors.
function M.parse_sysctl(text, file)
	local out, errs, n = {}, {}, 0
	for line in (text .. "\n"):gmatch("([^\n]*)\n") do
		n = n + 1
		local l = trim(line)
		if l ~= "" and not l:match("^[#;]") then
			local ignore = false
			if l:sub(1, 1) == "-" then ignore = true; l = l:sub(2) end
			local k, v = l:match("^([^=]-)%s*=%s*(.*)$")
			if not k or trim(k) == "" then
				errs[#errs + 1] = string.format("%s:%d: expected 'key = value', got '%s'", file, n, line)
			elseif trim(k):find("..", 1, true) or trim(k):sub(1, 1) == "/" then
				-- a key names a file under /proc/sys: it may not leave it
				errs[#errs + 1] = string.format("%s:%d: bad key '%s' (it may not start with '/' or hold '..')",
					file, n, trim(k))
			else
				out[#out + 1] = { key = trim(k), value = v, line = n, ignore = ignore, file = file }
			end
		end
	end
	return out, errs
end

--- Apply /etc/sysctl.conf and sysctl.d files (/usr/lib, /run, /etc).
function M.sysctl()
	return M.step("apply sysctl settings", function()
		local files = conf_d({ "/usr/lib/sysctl.d", "/run/sysctl.d", "/etc/sysctl.d" }, ".conf")
		if fs.exists("/etc/sysctl.conf") then files[#files + 1] = "/etc/sysctl.conf" end
		local applied, failed = 0, {}
		for _, f in ipairs(files) do
			local items, errs = M.parse_sysctl(fs.readfile(f) or "", f)
			for _, e in ipairs(errs) do failed[#failed + 1] = e end
			for _, it in ipairs(items) do
				-- a key the binding refuses (too long for a path, one whose
				-- path would leave /proc/sys) raises: an error of its line,
				-- whatever its '-', not the end of every setting after it
				local called, ok, err = pcall(sys.sysctl_set, it.key, it.value)
				if not called then
					failed[#failed + 1] = string.format("%s:%d: bad key '%s': %s", it.file, it.line, it.key,
						(tostring(ok):gsub("^bad argument #%d+ to '[^']*' %((.*)%)$", "%1")))
				elseif ok then applied = applied + 1
				elseif not it.ignore then failed[#failed + 1] = string.format("%s:%d: %s", it.file, it.line, err) end
			end
		end
		for _, e in ipairs(failed) do log.warn("sysctl: %s", e) end
		if #failed > 0 then return false, #failed .. " setting(s) failed" end
		return string.format("applied %d sysctl setting(s)", applied)
	end, { id = "sysctl" })
end

--- Module names listed in modules-load.d files, with the file:line of
-- each, and the lines that name no module (a name with options) as errors.
-- modules_load_list : () -> {name}, {where}, {string}
function M.modules_load_list()
	local names, where, errs = {}, {}, {}
	for _, f in ipairs(conf_d({ "/usr/lib/modules-load.d", "/run/modules-load.d", "/etc/modules-load.d" }, ".conf")) do
		local n = 0
		for line in ((fs.readfile(f) or "") .. "\n"):gmatch("([^\n]*)\n") do
			n = n + 1
			local l = trim(line)
			if l == "" or l:match("^[#;]") then
				-- a comment or nothing
			elseif l:find("%s") then
				-- (it was tried as a module of that name: "not found")
				errs[#errs + 1] = string.format("%s:%d: '%s': a module name expected (its options go in "
					.. "/etc/modprobe.d, as 'options %s')", f, n, l, (l:gsub("%s+", " ")))
			else
				names[#names + 1], where[#where + 1] = l, f .. ":" .. n
			end
		end
	end
	return names, where, errs
end

--- Load the modules named in /etc/modules-load.d/*.conf; a failure names
-- the file and line that asked for it.
function M.modules()
	if event.mode() ~= "pid1" then return end -- a container's kernel is the host's
	local kmod = require "luainit.kmod"
	local names, where, errs = M.modules_load_list()
	for _, e in ipairs(errs) do log.failed("modules-load.d", e) end
	for i, name in ipairs(names) do
		M.step("load module " .. name, function()
			local ok, how = kmod.load(name)
			if not ok then return false, where[i] .. ": " .. tostring(how) end
			return "module " .. name .. " (" .. tostring(how) .. ")"
		end, { id = "module:" .. name })
	end
end

--- Load drivers for the devices present (what udev's coldplug does), then
-- keep listening for hotplug uevents.
function M.coldplug()
	if event.mode() ~= "pid1" then return end -- a container's devices are the host's
	local devices = require "devices"
	M.step("load drivers for present devices", function()
		local dev = require "luainit.dev"
		local loaded, seen, aliases = {}, {}, 0
		-- listen first: the devices that the drivers loaded here bring
		-- (virtio_pci's virtio devices, say) announce themselves with
		-- their modaliases, so one walk of /sys/bus finds what was there
		-- and the uevents the rest (handled as hotplug, device rules too)
		local listening = devices.listen()
		-- every device a bus knows is under /sys/bus/*/devices (what udev's
		-- coldplug walks); without the uevents (or if some were lost),
		-- look again, at new devices only, until a round loads nothing
		for _ = 1, 5 do
			local progress = false
			local list, lerr = dev.bus_modaliases(seen)
			if not list then return false, lerr end
			for _, alias in ipairs(list) do
				aliases = aliases + 1
				for _, m in ipairs(devices.load_for(alias, "coldplug", loaded)) do
					loaded[#loaded + 1] = m
					progress = true
				end
			end
			if listening then
				local mods, n, lost = devices.drain()
				aliases = aliases + n
				for _, m in ipairs(mods) do
					if not loaded[m] then loaded[m] = true; loaded[#loaded + 1] = m end
				end
				if not lost then break end
			end
			if not progress then break end
		end
		return string.format("coldplug: %d device alias(es), loaded %s", aliases,
			#loaded > 0 and table.concat(loaded, " ") or "nothing new")
	end, { id = "coldplug" })
	devices.listen()
end

--- Feed the saved random seed to the kernel now, and save a fresh one in
-- the background (its fsync need not hold up the boot), or at shutdown if
-- that comes first.
function M.random_seed(path)
	path = path or "/var/lib/luainit/random-seed"
	return M.step("random seed", function()
		local sched, shutdown = require "sched", require "shutdown"
		local old = fs.readfile(path)
		if old and #old > 0 then fs.writefile("/dev/urandom", old) end
		local function save(opts)
			fs.mkdirp(path:match("^(.*)/"), 448)
			return fs.writefile(path, sys.getrandom(512, "insecure"), opts)
		end
		-- a shutdown before it was saved saves it, after the services
		-- stopped, without an fsync of its own: the shutdown's sync follows
		local function at_shutdown()
			local ok, err = save({ mode = 384 })
			return ok and "saved a new random seed" or false, err
		end
		shutdown.hook(at_shutdown)
		sched.spawn(function()
			-- the new seed is for the next boot: write it (and fsync it)
			-- once this boot is done, not while services start (and
			-- anyway after 30 s, should the boot file not call done())
			if not M.boot_done then sched.wait("boot-done", 30000) end
			sched.sleep(M.settle_ms)
			if shutdown.in_progress then return end
			shutdown.unhook(at_shutdown)
			local ok, err = save({ mode = 384, atomic = true })
			if not ok then log.failed("save random seed", err) end
		end, "random-seed")
		return old and "random seed restored" or "no random seed yet; saving one"
	end, { id = "random-seed" })
end

--- The terminal behind /dev/console ("/dev/ttyS0"), for job control.
function M.console_tty()
	local active = fs.readfile("/sys/class/tty/console/active")
	local last = active and active:match("(%S+)%s*$")
	if last and fs.exists("/dev/" .. last) then return "/dev/" .. last end
	return "/dev/console"
end

--- Keep a login shell on the console, respawned when it exits (the demo
-- image's console until services bring a getty).
function M.console_shell(argv)
	argv = argv or { "/bin/sh", "-l" }
	local process = require "luainit.process"
	local sched = require "sched"
	sched.spawn(function()
		while not require("shutdown").in_progress do
			local tty = M.console_tty()
			local t0 = event.now()
			-- the child opens the terminal: PID 1's open of a serial
			-- console without carrier would wait for the carrier
			local pid, err = process.spawn({ argv = argv, tty = tty,
				setsid = true, ctty = true, env = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
				"TERM=vt100", "SHELL=" .. argv[1] }, cwd = "/root" })
			if not pid then
				log.failed("console shell", err)
				sched.sleep(5000)
			else
				log.info("console shell on %s (pid %d)", tty, pid)
				sched.wait_child(pid)
				if event.now() - t0 < 1000 then sched.sleep(1000) end
			end
		end
	end, "console-shell")
end

--- Load /etc/luainit/services/*.lua, check them all, and start the
-- enabled ones in dependency order (in parallel); shutdown stops them in
-- reverse order. Invalid definitions are reported and left out.
function M.services(dir)
	local services = require "services"
	local sup = require "supervisor"
	services.dir = dir or services.dir -- luactl reload reads the same place
	M.step("load service definitions", function()
		local set, errs = services.load_dir(dir)
		for _, e in ipairs(errs) do log.failed("service definition", e) end
		sup.add(set)
		local n = 0
		for _ in pairs(set) do n = n + 1 end
		if #errs > 0 then return false, string.format("%d service(s) loaded, %d error(s) above", n, #errs) end
		return string.format("loaded %d service definition(s)", n)
	end, { id = "services" })
	require("shutdown").hook(function()
		sup.stop_all(60000)
		return "stopped services"
	end)
	sup.start_all()
end

--- Bring up loopback and the interfaces of /etc/luainit/network.lua;
-- DHCP goes on in the background (the boot does not wait for it; a service
-- that needs the network is ordered after "network-online", boot code
-- waits with require("network").wait_online(ms)).
function M.network(path)
	return M.step("network", function() return require("network").start(path) end, { id = "network" })
end

--- Pet a hardware watchdog from the event loop (see lua/watchdog.lua);
-- opts: { device = "/dev/watchdog", interval = 10, module = "softdog", options = "soft_margin=30" }.
function M.watchdog(opts)
	if event.mode() ~= "pid1" then return end
	return M.step("watchdog", function() return require("watchdog").start(opts) end, { id = "watchdog" })
end

--- Open the control socket (/run/luainit/control) that luactl talks to;
-- it prints its own [  OK  ] or [FAILED] line.
function M.control()
	return require("control").listen()
end

-- The words that ask for the rescue console: luainit's own parameter
-- (on/off, see flag); the runlevel words of sysvinit and systemd (single,
-- s, S, 1, -s); rescue; emergency and -b (sysvinit's emergency shell,
-- systemd's emergency.target). There is one rescue console, so emergency
-- and rescue mean the same here. The kernel hands init these words as
-- arguments, and every word after `--` too, which sys.cmdline keeps apart
-- from the parameters (init_args): they count there as well.
local RESCUE_WORDS = { "luainit.rescue", "single", "s", "S", "1", "-s", "rescue", "emergency", "-b" }
local RESCUE_ARGS = {}
for i = 2, #RESCUE_WORDS do RESCUE_ARGS[RESCUE_WORDS[i]] = true end
local RESCUE_UNITS = { ["rescue.target"] = true, ["emergency.target"] = true }

local function rescue_arg(words)
	for _, w in ipairs(words or {}) do
		if RESCUE_ARGS[w] then return w end
	end
	return nil
end

--- The word that asks for the rescue console, or nil: in the parameters
-- of the command line c (default: the kernel's), in its words after `--`
-- (c.init_args), or among init's arguments argv (default: PID 1's, M.argv).
-- rescue_requested : (cmdline?, argv?) -> string | nil
function M.rescue_requested(c, argv)
	c = c or M.cmdline
	if M.flag("luainit.rescue", c) then return "luainit.rescue" end
	for i = 2, #RESCUE_WORDS do
		if c[RESCUE_WORDS[i]] then return RESCUE_WORDS[i] end
	end
	local unit = c["systemd.unit"]
	if RESCUE_UNITS[unit] then return "systemd.unit=" .. unit end
	return rescue_arg(c.init_args) or rescue_arg(argv or M.argv)
end

--- Stop at the rescue console when the kernel command line asks for it
-- (see rescue_requested), before services start.
function M.rescue_point()
	local word = M.rescue_requested()
	if word then
		require("rescue").run("rescue requested on the kernel command line (" .. word .. ")")
	end
end

--- Print the end-of-boot line with the time since the kernel started.
function M.done()
	-- the compiled files of /etc/luainit, for the next boot (a read-only
	-- root just keeps the cache it has)
	local saved, err = require("luainit.chunk").save()
	if saved == nil then log.debug("compiled cache not saved: %s", err) end
	-- the boot's temporaries (parsed files, closures) are garbage now:
	-- hand the memory back, but once the services have started, not while
	-- they start (on one CPU the collection and the trim, ~20 ms under
	-- emulation, delayed the last of them by as much)
	require("sched").after(M.settle_ms, function()
		if require("shutdown").in_progress then return end
		collectgarbage("collect")
		event.trim()
	end, "trim")
	local unmet = M.break_unmet()
	if unmet then log.warn("%s", unmet) end
	local up = sys.clock("boottime")
	log.info("luainit: boot complete (%.0f ms since kernel start)", up * 1000)
	M.boot_done = true
	require("sched").wake("boot-done")
end

return M
