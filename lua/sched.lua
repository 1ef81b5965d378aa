--- sched: coroutine tasks on PID 1's event loop.
-- Boot code and handlers run as tasks: they can sleep, wait for a child, a
-- path or a named condition, and PID 1 never blocks. Every resume is
-- protected: a task that raises is logged with its traceback and the loop
-- goes on. One timerfd serves every sleeping task (a binary heap of
-- deadlines); child exits arrive from the C reaper through the "child" hook.
local event = require "luainit.event"
local process = require "luainit.process"
local log = require "log"

local M = {}

local now = event.now
local heap = {}            -- {at = ms, co = coroutine, seq = n}
local seq = 0
local timer                -- the one timerfd, created on first use
local waiters = {}         -- key -> {co, ...}
local child_waiters = {}   -- pid -> co
local child_listeners = {} -- fn(pid, how, code)
local nochild_waiters = {}
local names = setmetatable({}, { __mode = "k" })

local function less(a, b) return a.at < b.at or (a.at == b.at and a.seq < b.seq) end

local function heap_push(item)
	heap[#heap + 1] = item
	local i = #heap
	while i > 1 do
		local p = i // 2
		if less(heap[i], heap[p]) then heap[i], heap[p] = heap[p], heap[i]; i = p else break end
	end
end

local function heap_pop()
	local top, last = heap[1], table.remove(heap)
	if #heap > 0 then
		heap[1] = last
		local i = 1
		while true do
			local l, r, m = 2 * i, 2 * i + 1, i
			if heap[l] and less(heap[l], heap[m]) then m = l end
			if heap[r] and less(heap[r], heap[m]) then m = r end
			if m == i then break end
			heap[i], heap[m] = heap[m], heap[i]
			i = m
		end
	end
	return top
end

local resume

local function rearm()
	if heap[1] then timer:arm(math.max(0, heap[1].at - now())) else timer:disarm() end
end

local function fire_due()
	local t = now()
	while heap[1] and heap[1].at <= t do
		local item = heap_pop()
		if item.cancelled then -- nothing
		elseif item.fn then
			local ok, err = xpcall(item.fn, log.traceback)
			if not ok then log.err("timer %s: %s", item.name or "?", err) end
		else
			resume(item.co, "timeout")
		end
	end
end

local function on_timer()
	-- the one timerfd is armed again whatever happened: unarmed, every
	-- sleep and timeout of every task would wait forever
	local ok, err = pcall(fire_due)
	rearm()
	if not ok then error(err, 0) end
end

-- A time in ms a timer can take: a number, not nan (in the heap, a nan
-- "at" would break its order for every other entry). Raises at level, as
-- error counts it from the caller of check_ms. The waits check their
-- time before they register, so a refused one leaves no waiter behind.
local function check_ms(ms, level)
	if type(ms) ~= "number" or ms ~= ms then
		error("a time in ms expected, got " .. (ms ~= ms and "nan" or tostring(ms)), level + 1)
	end
end

-- An entry runs a task (co) or calls a function (fn) when it is due; its
-- time is one check_ms took.
local function add_timer(ms, co, fn, name)
	if not timer then timer = assert(event.timer(on_timer)) end
	seq = seq + 1
	local item = { at = now() + ms, co = co, fn = fn, name = name, seq = seq }
	heap_push(item)
	if heap[1] == item then rearm() end
	return item
end

--- Call fn() from the event loop in ms milliseconds, unless cancelled
-- first (timer.cancelled = true). No task: fn must not wait; an error is
-- logged with its traceback.
-- after : (ms, fn, name?) -> timer
function M.after(ms, fn, name)
	check_ms(ms, 2)
	return add_timer(ms, nil, fn, name)
end

--- Resume a task; errors are logged with the task's traceback.
function resume(co, ...)
	if coroutine.status(co) ~= "suspended" then return end
	local ok, err = coroutine.resume(co, ...)
	if not ok then
		-- the dead task's stack still holds what it allocated: after a
		-- memory error, free it before building the message
		local name, msg = names[co] or tostring(co), log.error_text(err)
		local tb_ok, tb = false, nil
		if not msg:find("not enough memory", 1, true) then tb_ok, tb = pcall(debug.traceback, co, msg) end
		coroutine.close(co)
		log.err("task %s: %s", name, tb_ok and tb or msg)
	end
end

--- Start fn(...) as a task; it runs until its first wait.
-- spawn : (fn, name?, ...) -> coroutine
function M.spawn(fn, name, ...)
	local co = coroutine.create(fn)
	names[co] = name
	resume(co, ...)
	return co
end

local function self()
	local co, main = coroutine.running()
	if main then error("sched: waiting is only possible inside a task (sched.spawn)", 3) end
	return co
end

--- Sleep ms milliseconds.
-- sleep : (ms) -> nil
function M.sleep(ms)
	check_ms(ms, 2)
	local co = self()
	add_timer(ms, co)
	coroutine.yield()
end

--- Wait until wake(key, ...) is called, or timeout_ms passes.
-- wait : (key, timeout_ms?) -> ... | (nil, "timeout")
function M.wait(key, timeout_ms)
	if timeout_ms then check_ms(timeout_ms, 2) end
	local co = self()
	local list = waiters[key]
	if not list then list = {}; waiters[key] = list end
	list[#list + 1] = co
	local t = timeout_ms and add_timer(timeout_ms, co)
	local r = table.pack(coroutine.yield())
	if t then t.cancelled = true end
	if r[1] == "timeout" and r.n == 1 then
		for i, c in ipairs(list) do if c == co then table.remove(list, i) break end end
		if #list == 0 and waiters[key] == list then waiters[key] = nil end
		return nil, "timeout"
	end
	return table.unpack(r, 2, r.n)
end

--- Wake every task waiting on key; they receive the extra values.
-- wake : (key, ...) -> number of tasks woken
function M.wake(key, ...)
	local list = waiters[key]
	if not list then return 0 end
	waiters[key] = nil
	for _, co in ipairs(list) do resume(co, "wake", ...) end
	return #list
end

--- Wait for child pid to exit (call right after spawning it).
-- wait_child : (pid, timeout_ms?) -> how, code | (nil, "timeout")
function M.wait_child(pid, timeout_ms)
	if timeout_ms then check_ms(timeout_ms, 2) end
	local co = self()
	child_waiters[pid] = co
	local t = timeout_ms and add_timer(timeout_ms, co)
	local r, how, code = coroutine.yield()
	if t then t.cancelled = true end
	if r == "timeout" then child_waiters[pid] = nil; return nil, "timeout" end
	return how, code
end

--- Wait until PID 1 has no children left (used by shutdown).
-- wait_no_children : (timeout_ms) -> true | (nil, "timeout")
function M.wait_no_children(timeout_ms)
	check_ms(timeout_ms, 2)
	if not process.has_children() then return true end
	local co = self()
	nochild_waiters[co] = true
	local t = add_timer(timeout_ms, co)
	local r = coroutine.yield()
	t.cancelled = true
	nochild_waiters[co] = nil
	if r == "timeout" then return nil, "timeout" end
	return true
end

--- Call fn(pid, how, code) for every reaped child.
-- on_child : (fn) -> nil
function M.on_child(fn) child_listeners[#child_listeners + 1] = fn end

--- The "child" hook: the C reaper calls it after each reap.
function M.child_exited(pid, how, code)
	local co = child_waiters[pid]
	if co then
		child_waiters[pid] = nil
		resume(co, "child", how, code)
	end
	for _, fn in ipairs(child_listeners) do
		local ok, err = xpcall(fn, log.traceback, pid, how, code)
		if not ok then log.err("child listener: %s", err) end
	end
	if next(nochild_waiters) and not process.has_children() then
		for c in pairs(nochild_waiters) do nochild_waiters[c] = nil; resume(c, "done") end
	end
end

--- Wait until path exists (inotify on its directory), or timeout_ms passes.
-- wait_path : (path, timeout_ms?) -> true | (nil, "timeout")
function M.wait_path(path, timeout_ms)
	if timeout_ms then check_ms(timeout_ms, 2) end
	local fs = require "luainit.fs"
	if fs.exists(path) then return true end
	local dir, base = path:match("^(.*)/([^/]+)$")
	if not dir then return nil, "wait_path: absolute path expected" end
	if dir == "" then dir = "/" end
	local co = self()
	local st = fs.statfs(dir)
	if st and (st.type == "sysfs" or st.type == "proc") then
		-- sysfs and proc make no inotify events: look every 20 ms
		local deadline = timeout_ms and (now() + timeout_ms)
		while not fs.exists(path) do
			if deadline and now() >= deadline then return nil, "timeout" end
			M.sleep(20)
		end
		return true
	end
	local ino
	ino = assert(event.inotify(function(_, _, name)
		if name == base then resume(co, "found") end
	end))
	local ok, err = ino:add(dir, "create,moved_to")
	if not ok then ino:close(); return nil, err end
	local r = "found"
	if not fs.exists(path) then
		local t = timeout_ms and add_timer(timeout_ms, co)
		r = coroutine.yield()
		if t then t.cancelled = true end
	end
	ino:close()
	if r == "timeout" then return nil, "timeout" end
	return true
end

--- Bound code that runs in PID 1's one thread: a count hook on co (the
-- running thread when nil) asks over(count) every 1000 instructions,
-- count being about how many ran; once over gives a reason, the hook
-- raises it (at level, as error counts: 2 names the line that was
-- running) at every instruction, so a pcall in the code cannot catch the
-- stop and run on. Returns the function that takes the hook off (again:
-- nothing). Lua runs no hook in a message handler, in __gc or __close,
-- nor inside one C call: a loop there it cannot stop.
-- budget : (co?, over, level) -> fn()
function M.budget(co, over, level)
	local count, reason, on = 0, nil, true
	local function hook()
		count = count + 1000
		if not reason then
			reason = over(count)
			if not reason then return end
			if co then debug.sethook(co, hook, "", 1) else debug.sethook(hook, "", 1) end
		end
		error(reason, level)
	end
	if co then debug.sethook(co, hook, "", 1000) else debug.sethook(hook, "", 1000) end
	return function()
		if not on then return end
		on = false
		if co then debug.sethook(co) else debug.sethook() end
	end
end

--- Script mode: run fn as a task and leave the loop when it ends, with
-- the integer fn returns (default 0), or 1 if it raised.
-- main : (fn) -> nil
function M.main(fn)
	M.spawn(function()
		local ok, res = xpcall(fn, log.traceback)
		if not ok then io.stderr:write(tostring(res), "\n") end
		event.exit(ok and (math.tointeger(res) or 0) or 1)
	end, "main")
end

event.hook("child", M.child_exited)

return M
