--- svclog: a service's output, as the supervisor keeps it: every line of
-- its stdout and stderr pipe goes to a bounded ring in PID 1 and to its log
-- file (/var/log/luainit/NAME.log unless log.file says otherwise),
-- timestamped and rotated by size. A log file that cannot be written (/var
-- full or read-only, not a regular file) costs the file, never the ring or
-- PID 1: it is tried again every 30 s.
local event = require "luainit.event"
local fs = require "luainit.fs"
local sys = require "luainit.sys"
local log = require "log"

local M = {}
local now = event.now

-- The log file must be a regular file. A path that is something else is
-- not even opened (opening a device can act: /dev/watchdog starts its
-- count). Between that stat and the open the path may change, so the open
-- does not wait either: a blocking open of a FIFO waits for a reader, and
-- PID 1 would wait with it; nonblock makes that ENXIO (a FIFO with a
-- reader, a device or a socket opens, and fstat tells; on a regular file
-- nonblock changes nothing). noctty: a terminal named here must not become
-- PID 1's controlling terminal. Such a path is refused with one warning
-- (not one every retry) and the output stays in the ring; the file is
-- tried again every 30 s, as after a failed open, so a path put right is
-- picked up.
local NOT_FILE = { fifo = "a FIFO", chr = "a character device", blk = "a block device",
	sock = "a socket", dir = "a directory", link = "a symlink" }
M.NOT_FILE = NOT_FILE -- what a path that is no regular file is, for messages (fs.stat's types)

--- The path of a service's log file: log.file, or <dir>/<name>.log; nil
-- with log.file = false.
-- path : (svc, dir) -> path | nil
function M.path(svc, dir)
	local f = svc.log and svc.log.file
	if f == false then return nil end
	return type(f) == "string" and f or (dir .. "/" .. svc.name .. ".log")
end

local function log_open(svc, dir)
	local path = M.path(svc, dir)
	if not path then return end
	svc.log_path = path
	svc.log_retry = now() + 30000
	fs.mkdirp(path:match("^(.*)/"), 493)
	local st = fs.stat(path)
	local fd, err, ename, _
	if not st or st.type == "file" then
		fd, err, _, ename = fs.open(path, "w,create,append,nonblock,noctty", 416)
		st = fd and fd:stat()
		if st and st.type == "file" then
			svc.log_fd, svc.log_size, svc.log_refused = fd, st.size, nil
			return
		end
		if fd then fd:close() end
	end
	local what = st and (NOT_FILE[st.type] or st.type)
		or ename == "ENXIO" and err .. " (a FIFO nobody reads, a socket or an absent device)"
	if what and svc.log_refused ~= path then
		svc.log_refused = path
		log.warn("%s: log file %s is not a regular file: %s; output kept in the ring only", svc.name, path, what)
	end
end

local function log_rotate(svc, dir)
	local keep = svc.log.keep or 3
	if svc.log_fd then svc.log_fd:close() svc.log_fd = nil end
	for i = keep - 1, 1, -1 do fs.rename(svc.log_path .. "." .. i, svc.log_path .. "." .. (i + 1)) end
	if keep > 0 then fs.rename(svc.log_path, svc.log_path .. ".1") else fs.unlink(svc.log_path) end
	log_open(svc, dir)
end

local function timestamp()
	local t = sys.clock("realtime")
	return os.date("!%Y-%m-%dT%H:%M:%S", math.floor(t)) .. string.format(".%03dZ", math.floor((t % 1) * 1000))
end

--- Record one line of a service's output: ring, then file (under dir
-- unless log.file names one; none once closed is set).
-- record : (svc, line, dir, closed?) -> nil
function M.record(svc, line, dir, closed)
	local ring, max = svc.ring, svc.log.ring or 200
	ring[#ring + 1] = line
	if #ring > max then table.remove(ring, 1) end
	if not svc.log_fd and svc.log.file ~= false and not closed and now() >= (svc.log_retry or 0) then log_open(svc, dir) end
	if svc.log_fd then
		local rec = timestamp() .. " " .. line .. "\n"
		local n = svc.log_fd:write(rec)
		if not n then
			-- /var full or read-only: keep the ring, try the file again later
			svc.log_fd:close()
			svc.log_fd = nil
			svc.log_retry = now() + 30000
		else
			svc.log_size = svc.log_size + n
			if svc.log_size >= (svc.log.max_size or 1048576) then log_rotate(svc, dir) end
		end
	end
end

local MAX_PARTIAL = 4096

--- Watch the read end of a service's stdout/stderr pipe: each line goes to
-- on_line(svc, line), a partial line at the end too; the watch ends, and
-- the log file is closed, when the last writer is gone.
-- watch : (svc, rfd, on_line) -> nil
function M.watch(svc, rfd, on_line)
	local partial = ""
	local w
	w = event.watch(rfd, "r", function()
		local data = rfd:read(65536)
		if not data or data == "" then
			if partial ~= "" then on_line(svc, partial) partial = "" end
			w:close()
			rfd:close()
			if svc.out_watch == w then
				svc.out_watch = nil
				-- nobody writes any more: do not hold the file open
				-- (an open file keeps / from going read-only at shutdown)
				if svc.log_fd then svc.log_fd:close() svc.log_fd, svc.log_retry = nil, nil end
			end
			return
		end
		data = partial .. data
		local start = 1
		while true do
			local nl = data:find("\n", start, true)
			if not nl then break end
			on_line(svc, data:sub(start, nl - 1))
			start = nl + 1
		end
		partial = data:sub(start)
		while #partial > MAX_PARTIAL do
			on_line(svc, partial:sub(1, MAX_PARTIAL))
			partial = partial:sub(MAX_PARTIAL + 1)
		end
	end)
	svc.out_watch = w
end

--- Close a service's log file (it is opened again at its next line
-- unless the caller says closed).
-- close : (svc) -> nil
function M.close(svc)
	if svc.log_fd then svc.log_fd:close() svc.log_fd = nil end
end

return M
