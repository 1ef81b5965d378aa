-- Services writing output without end, in lines (`yes`) and with no
-- newline at all (/dev/zero): PID 1's memory stays bounded (VmHWM, the peak
-- resident size, grows by less than a generous bound), each service's ring
-- stays at its size, the log files rotate, and PID 1 still answers.
local fs = require "luainit.fs"
local sched = require "sched"
local sup = require "supervisor"
local T = require "nstest"
T.setup("/tmp/luainit-fault-flood")

collectgarbage()
local hwm0 = T.status_kb("VmHWM")
T.services({
	lines = 'return { command = { "yes", "a line of output from a service that never stops talking" } }',
	raw = 'return { command = { "cat", "/dev/zero" } }',
})
sup.start_all()
sched.sleep(3000)
T.responsive("during the flood")
local hwm1 = T.status_kb("VmHWM")
print(string.format("FLOOD: VmHWM %d kB before, %d kB after", hwm0, hwm1))
T.check("VmHWM bounded", hwm1 - hwm0 < 32768, (hwm1 - hwm0) .. " kB growth")
T.check("rings bounded", #sup.services.lines.ring == 200 and #sup.services.raw.ring == 200,
	#sup.services.lines.ring .. " " .. #sup.services.raw.ring)
T.check("log rotated", fs.exists(T.dir .. "/log/lines.log.1") and not fs.exists(T.dir .. "/log/lines.log.4"))
local st = fs.stat(T.dir .. "/log/lines.log")
T.check("log file bounded", st and st.size < 2 * 1048576, st and st.size)
T.finish()
