-- tests/lua/analyze.lua: the boot analysis (boot time, blame, critical
-- chain, SVG chart) on hand-made timelines, and collect() on the real
-- stage timeline. No figure is a measured timing: every time is made up.
local analyze = require "analyze"

local T = {}

-- kernel 1000 ms; three steps; syslogd, then klogd (requires syslogd) and
-- httpd (after syslogd, slow to ready); a service that never became ready.
local function sample()
	return {
		pid1 = 1000, now = 2500,
		steps = {
			{ name = "mount /proc", start = 1010, stop = 1020, ok = true },
			{ name = "coldplug", start = 1020, stop = 1400, ok = true },
			{ name = "sysctl", start = 1400, stop = 1405, ok = false },
		},
		services = {
			{ name = "syslogd", start = 1410, ready = 1450, state = "ready", deps = {} },
			{ name = "klogd", start = 1450, ready = 1460, state = "ready", deps = { "syslogd" } },
			{ name = "httpd", start = 1451, ready = 1700, state = "ready", deps = { "syslogd" } },
			{ name = "web<&>\"'", start = 1412, state = "starting", deps = { "nope" } },
			{ name = "oneshot", start = 1411, ready = 1420, exit = 1420, state = "done", deps = {} },
		},
	}
end

T["userspace time runs from PID 1's start to the last ready service"] = function()
	local total, first, last = analyze.userspace(sample())
	assert(total == 700 and first == 1000 and last == 1700, tostring(total))
	-- without pid1 the first step starts the clock
	local d = sample()
	d.pid1 = nil
	assert(analyze.userspace(d) == 690)
	assert(analyze.userspace({ steps = {}, services = {} }) == nil)
end

T["blame lists the slowest first and leaves out services never ready"] = function()
	local b = analyze.blame(sample())
	assert(b[1].name == "coldplug" and b[1].ms == 380 and b[1].kind == "step")
	assert(b[2].name == "httpd" and b[2].ms == 249 and b[2].kind == "service")
	for _, x in ipairs(b) do assert(not x.name:find("web", 1, true)) end
	assert(#analyze.blame(sample(), 2) == 2)
end

T["the critical chain follows the dependency ready last, then the steps"] = function()
	local c = analyze.critical_chain(sample())
	local names = {}
	for _, x in ipairs(c) do names[#names + 1] = x.name end
	assert(table.concat(names, ",") == "httpd,syslogd,sysctl,coldplug,mount /proc", table.concat(names, ","))
	assert(c[1].kind == "service" and c[3].kind == "step")
end

T["the text report has the boot time, blame and chain"] = function()
	local s = analyze.text(sample())
	assert(s:find("Startup finished in 1000 ms (kernel) + 700 ms (userspace) = 1700 ms", 1, true), s)
	assert(s:find("380 ms  step    coldplug", 1, true), s)
	assert(s:find("sysctl  [FAILED]", 1, true), s)
	assert(s:find("Never ready: web", 1, true), s)
	assert(s:find("httpd @1451 ms +249 ms", 1, true), s)
	assert(s:find("<- syslogd @1410 ms +40 ms", 1, true), s)
	assert(analyze.text({ steps = {}, services = {} }):find("nothing to analyze", 1, true))
end

T["the report by section: luactl analyze time, blame and critical-chain"] = function()
	local d = sample()
	local r = analyze.sections(d)
	assert(r.time == "Startup finished in 1000 ms (kernel) + 700 ms (userspace) = 1700 ms\nNever ready: web<&>\"'\n", r.time)
	-- blame by itself lists all (six steps and services ready), the whole report ten
	local _, lines = r.blame:gsub("\n", "")
	assert(lines == 1 + #analyze.blame(d) and r.blame:find("^Blame %(slowest first%):\n"), r.blame)
	assert(select(2, analyze.text(d, { blame = 2 }):gsub(" ms  ", "")) == 2)
	assert(r.chain:find("^Critical chain") and r.chain:find("<- syslogd @1410 ms +40 ms\n", 1, true), r.chain)
	-- the whole text is the three, a blank line between, with blame cut
	-- to ten; with it, the sections it was made from (luactl's reply sends
	-- both), blame listing every entry
	local function same(a, b) return a.time == b.time and a.blame == b.blame and a.chain == b.chain end
	local text, sec = analyze.text(d)
	assert(text == r.time .. "\n" .. r.blame .. "\n" .. r.chain and same(sec, r))
	text, sec = analyze.text(d, { blame = 2 })
	assert(same(sec, r) and text == r.time .. "\n" .. analyze.sections(d, { blame = 2 }).blame .. "\n" .. r.chain, text)
	for i = 1, 12 do d.steps[#d.steps + 1] = { name = "s" .. i, start = 1400, stop = 1400 + i, ok = true } end
	text, sec = analyze.text(d)
	r = analyze.sections(d)
	local _, blamed = r.blame:gsub("\n", "")
	assert(blamed == 1 + #analyze.blame(d) and blamed > 11 and same(sec, r), r.blame)
	assert(text == r.time .. "\n" .. analyze.sections(d, { blame = 10 }).blame .. "\n" .. r.chain, text)
	local none = analyze.sections({ steps = {}, services = {} })
	assert(none.empty and none.blame:find("nothing to analyze", 1, true))
	text, sec = analyze.text({ steps = {}, services = {} })
	assert(text == none.time and sec.empty)
end

-- A small XML well-formedness check: every tag closes in order, attribute
-- values are quoted, and text holds no raw '<' or bare '&'.
local function well_formed(x)
	local stack, pos = {}, 1
	x = x:gsub("^<%?xml[^>]*%?>", "")
	while true do
		local s, e, tag = x:find("<([^>]*)>", pos)
		local text = x:sub(pos, (s or #x + 1) - 1)
		if text:find("&", 1, true) then
			for amp in text:gmatch("&[^;]*;?") do
				if not amp:match("^&%a+;$") and not amp:match("^&#%d+;$") then return false, "bare & in " .. text end
			end
		end
		if not s then break end
		if tag:sub(1, 1) == "/" then
			local name = tag:sub(2)
			if stack[#stack] ~= name then return false, "</" .. name .. "> closes " .. tostring(stack[#stack]) end
			stack[#stack] = nil
		else
			local name = tag:match("^([%w:]+)")
			if not name then return false, "bad tag <" .. tag .. ">" end
			local attrs = tag:sub(#name + 1):gsub("/$", "")
			local rest = attrs:gsub('%s+[%w:-]+="[^"<]*"', "")
			if rest:match("%S") then return false, "bad attributes in <" .. tag .. ">" end
			if tag:sub(-1) ~= "/" then stack[#stack + 1] = name end
		end
		pos = e + 1
	end
	if #stack > 0 then return false, "unclosed <" .. stack[#stack] .. ">" end
	return true
end

T["the SVG chart is well-formed, escapes names, and draws every row"] = function()
	local svg = analyze.svg(sample())
	assert(svg:match("^<%?xml"))
	assert(well_formed(svg))
	assert(svg:find("web&lt;&amp;&gt;&quot;&apos;", 1, true))
	assert(not svg:find("web<&", 1, true))
	-- one bar per step, the kernel, and per service (running services get two)
	local bars = select(2, svg:gsub('<rect class="', ""))
	assert(bars == 1 + 3 + 5 + 4, bars)
	-- two dependency lines (klogd and httpd on syslogd; "nope" is unknown)
	assert(select(2, svg:gsub('<path class="dep"', "")) == 2)
	assert(svg:find("Boot chart: userspace 700 ms, kernel 1000 ms, total 1700 ms", 1, true))
	assert(well_formed(analyze.svg({ steps = {}, services = {} })))
end

T["modules and links are blamed and drawn, inside their steps, not chain links"] = function()
	local d = sample()
	-- coldplug loaded a driver; the sysctl step stands in for a network step
	table.insert(d.steps, 3, { name = "virtio_net", kind = "module", start = 1100, stop = 1390, ok = true })
	d.steps[#d.steps + 1] = { name = "eth0", kind = "link", start = 1401, stop = 1404, ok = true }
	local kinds = {}
	for _, b in ipairs(analyze.blame(d)) do kinds[b.name] = b.kind end
	assert(kinds.virtio_net == "module" and kinds.eth0 == "link" and kinds.coldplug == "step")
	local names = {}
	for _, c in ipairs(analyze.critical_chain(d)) do names[#names + 1] = c.name end
	names = table.concat(names, ",")
	assert(names == "httpd,syslogd,sysctl,coldplug,mount /proc", names)
	local text = analyze.text(d)
	assert(text:find("ms  module  virtio_net", 1, true), text)
	local svg = analyze.svg(d)
	assert(well_formed(svg))
	assert(svg:find('<rect class="module"', 1, true) and svg:find(">module virtio_net (290 ms)<", 1, true))
	assert(svg:find('<rect class="link"', 1, true) and svg:find(">link eth0 (3 ms)<", 1, true))
end

T["collect puts a module recorded inside a step after that step"] = function()
	local stage = require "stage"
	local event = require "luainit.event"
	local n0 = #stage.timeline
	stage.step("analyze test step 2", function()
		local t = event.now()
		stage.record("module", "analyze-test-mod", t, event.now(), true)
	end)
	local d = analyze.collect()
	local s, m = d.steps[#d.steps - 1], d.steps[#d.steps]
	assert(s.name == "analyze test step 2" and s.kind == "step", s.name)
	assert(m.name == "analyze-test-mod" and m.kind == "module" and m.start >= s.start, m.name)
	for _ = n0 + 1, #stage.timeline do table.remove(stage.timeline) end
end

T["the checker catches what the SVG must never have"] = function()
	assert(not well_formed("<svg><g></svg>"))
	assert(not well_formed("<svg>a & b</svg>"))
	assert(not well_formed("<svg x=1></svg>"))
	assert(well_formed('<svg x="1"><g/>a &amp; b</svg>'))
end

T["collect anchors stage.timeline at kernel start"] = function()
	local stage = require "stage"
	local sys = require "luainit.sys"
	local n0 = #stage.timeline
	stage.step("analyze test step", function() return "done" end)
	local d = analyze.collect()
	local s = d.steps[#d.steps]
	assert(#d.steps == n0 + 1 and s.name == "analyze test step" and s.ok == true)
	local up = sys.clock("boottime") * 1000
	assert(s.start > 0 and s.start <= s.stop and s.stop <= up + 1, string.format("%s %s %s", s.start, s.stop, up))
	assert(d.now <= up + 1)
	assert(type(d.services) == "table")
	table.remove(stage.timeline)
end

T["collect leaves out a service started after the boot, by hand or reload"] = function()
	local sup = require "supervisor"
	local event = require "luainit.event"
	local saved = sup.services
	local t = event.now()
	local function rec(boot, at) return { boot = boot, first_started_at = at, first_ready_at = at + 1, state = "ready", requires = {}, after = {} } end
	sup.services = { early = rec(true, t - 50), late = rec(nil, t) }
	local ok, d = pcall(analyze.collect)
	sup.services = { a = rec(nil, t - 50), b = rec(nil, t) }   -- no start_all: all are the boot's
	local ok2, d2 = pcall(analyze.collect)
	sup.services = saved
	assert(ok, d) assert(ok2, d2)
	assert(#d.services == 1 and d.services[1].name == "early", #d.services)
	assert(#d2.services == 2, #d2.services)
end

return T
