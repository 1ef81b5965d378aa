-- Descriptor limits: PID 1 raises its own (a log pipe per service; the
-- kernel starts init at 1024), and a child gets the limits PID 1 started
-- with, unless its spec sets nofile. The run script starts PID 1 with
-- init's limits, 1024 soft and 4096 hard.
local fs = require "luainit.fs"
local process = require "luainit.process"
local sched = require "sched"
local T = require "nstest"
local check = T.check

local function nofile(limits)
	local soft, hard = (limits or ""):match("Max open files%s+(%S+)%s+(%S+)")
	return soft, hard
end

local soft, hard = nofile(fs.readfile("/proc/self/limits"))
check("PID 1 raised its limit", tonumber(soft) and tonumber(soft) >= 4096, soft)

-- more descriptors than init's 1024
local pipes, failed = {}, nil
for i = 1, 600 do
	local r, w = fs.pipe()
	if not r then failed = w break end
	pipes[#pipes + 1] = r
	pipes[#pipes + 1] = w
end
check("1200 descriptors open", #pipes == 1200, failed)

local dir = T.tmpfs("/tmp/luainit-nofile-test", "mode=1777")
local function child_limits(spec)
	spec.argv = { "/bin/cat", "/proc/self/limits" }
	spec.stdout = { file = dir .. "/limits" }
	local pid = assert(process.spawn(spec))
	sched.wait_child(pid, 10000)
	return nofile(fs.readfile(dir .. "/limits"))
end
local cs, ch = child_limits({})
check("a child gets init's limits", cs == "1024" and ch == "4096", tostring(cs) .. " " .. tostring(ch))
cs, ch = child_limits({ rlimits = { nofile = 2048 } })
check("a spec's nofile wins", cs == "2048" and ch == "2048", tostring(cs) .. " " .. tostring(ch))
for _, fd in ipairs(pipes) do fd:close() end
T.finish("NOFILE: done")
