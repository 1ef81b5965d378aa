-- tests/lua/all.lua: the unit-test driver. Every other tests/lua/*.lua
-- returns a table of named test functions; each runs as a task (so it may
-- sleep or wait), a raised error fails it, and error("SKIP: why") skips it.
-- Usage: luainit --lua tests/lua/all.lua DIR [PATTERN]
local fs = require "luainit.fs"
local sched = require "sched"

local dir, pattern = arg[1] or "tests/lua", arg[2]

sched.main(function()
	local pass, fail, skip = 0, 0, 0
	local files = {}
	for _, n in ipairs(assert(fs.readdir(dir))) do
		if n:match("%.lua$") and n ~= "all.lua" and not n:match("^_") then files[#files + 1] = n end
	end
	table.sort(files)
	for _, f in ipairs(files) do
		local chunk, err = loadfile(dir .. "/" .. f)
		local ok, tests = false, err
		if chunk then ok, tests = xpcall(chunk, debug.traceback) end
		if not ok or type(tests) ~= "table" then
			fail = fail + 1
			print(string.format("FAIL %s: cannot load: %s", f, tostring(tests)))
		else
			local names = {}
			for name in pairs(tests) do names[#names + 1] = name end
			table.sort(names)
			for _, name in ipairs(names) do
				local full = f:gsub("%.lua$", "") .. ": " .. name
				if not pattern or full:find(pattern, 1, true) then
					local tok, terr = xpcall(tests[name], debug.traceback)
					if tok then
						pass = pass + 1
						print("ok   " .. full)
					elseif tostring(terr):match("SKIP:") then
						skip = skip + 1
						print("skip " .. full .. ": " .. tostring(terr):match("SKIP:%s*([^\n]*)"))
					else
						fail = fail + 1
						print("FAIL " .. full .. "\n" .. tostring(terr))
					end
				end
			end
		end
	end
	print(string.format("%d passed, %d failed, %d skipped", pass, fail, skip))
	return fail > 0 and 1 or 0
end)
