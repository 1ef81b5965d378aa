--- analyze: the boot, after the fact. From the boot steps stage.lua timed
-- and the services the supervisor ran, it works out the userspace boot time,
-- what was slowest ("blame"), the chain of waits that made the last service
-- ready late (the critical chain) and a boot chart as SVG, the pictures
-- `systemd-analyze` gives. Pure Lua: collect() reads PID 1's state, the rest
-- works on the plain table it returns, so tests and tools can feed their own.
--
-- The data table (every time in ms since the kernel started):
--   { pid1 = ms PID 1 was started (nil if unknown), now = ms at collect(),
--     steps = {{name, kind?, start, stop, ok}, ...} -- by start time; kind
--       "step" (the default), or "module" / "link", timed inside a step
--     services = {{name, start, ready?, exit?, state, deps = {name...}}, ...} }
local M = {}

local function deps_of(svc)
	local out, seen = {}, {}
	for _, list in ipairs({ svc.requires or {}, svc.after or {} }) do
		for _, d in ipairs(list) do
			if not seen[d] then seen[d] = true; out[#out + 1] = d end
		end
	end
	return out
end

--- Snapshot PID 1's boot: stage.timeline, supervisor.services, anchored
-- at kernel start with CLOCK_BOOTTIME (event.now() is CLOCK_MONOTONIC; the
-- two differ only by time spent suspended, measured at collect time).
-- Services are the boot's: those supervisor.start_all started (all of
-- them when nothing called it), not ones added or started by hand later.
-- PID 1's own start is when luainit began (event.started(): the kernel's
-- hand-off); /proc/1/stat's start time would be when the kernel created
-- task 1, long before it ran /sbin/luainit.
-- collect : () -> data
function M.collect()
	local event = require "luainit.event"
	local sys = require "luainit.sys"
	local stage = require "stage"
	local ok, sup = pcall(require, "supervisor")
	local mono = event.now()
	local boot_ms = sys.clock("boottime") * 1000
	local off = boot_ms - mono
	local function at(t) return t and (t + off) or nil end
	local data = { now = boot_ms, steps = {}, services = {} }
	if event.mode() ~= "script" then data.pid1 = event.started() end
	for i, s in ipairs(stage.timeline) do
		data.steps[#data.steps + 1] = { name = s.name, kind = s.kind or "step", start = at(s.start),
			stop = at(s.stop), ok = s.ok, seq = i }
	end
	-- a module or link ends, and is recorded, before the step it ran in
	table.sort(data.steps, function(a, b)
		if a.start ~= b.start then return a.start < b.start end
		return a.seq > b.seq
	end)
	for _, s in ipairs(data.steps) do s.seq = nil end
	if ok and type(sup) == "table" then
		-- the boot's services are those start_all started; one added or
		-- started by hand later is not part of the boot (without start_all,
		-- as in a boot.lua that starts services itself, all of them are)
		local any_boot = false
		for _, svc in pairs(sup.services or {}) do
			if svc.boot then any_boot = true break end
		end
		for name, svc in pairs(sup.services or {}) do
			local start = svc.first_started_at or svc.started_at
			if start and (svc.boot or not any_boot) then
				local ready = svc.first_ready_at or svc.ready_at
				local exit = svc.last_exit and svc.last_exit.at
				data.services[#data.services + 1] = {
					name = name, start = at(start), ready = at(ready),
					exit = (exit and exit >= start) and at(exit) or nil,
					state = svc.state, deps = deps_of(svc),
				}
			end
		end
	end
	table.sort(data.services, function(a, b)
		if a.start ~= b.start then return a.start < b.start end
		return a.name < b.name
	end)
	return data
end

--- Userspace boot time: from PID 1's start (or the first step) to the end
-- of the last boot step or the last service becoming ready, whichever is
-- later. Also returns that start and end.
-- userspace : (data) -> ms, start_ms, end_ms
function M.userspace(data)
	local first, last = data.pid1, nil
	for _, s in ipairs(data.steps) do
		if not first or s.start < first then first = s.start end
		if not last or s.stop > last then last = s.stop end
	end
	for _, s in ipairs(data.services) do
		if not first or s.start < first then first = s.start end
		if s.ready and (not last or s.ready > last) then last = s.ready end
	end
	if not first or not last then return nil end
	return last - first, first, last
end

--- The slowest steps and services, slowest first: {{name, kind, ms}}.
-- A service's time is start to ready; one never ready is left out.
-- blame : (data, n?) -> list
function M.blame(data, n)
	local all = {}
	for _, s in ipairs(data.steps) do
		all[#all + 1] = { name = s.name, kind = s.kind or "step", ms = s.stop - s.start, ok = s.ok }
	end
	for _, s in ipairs(data.services) do
		if s.ready then all[#all + 1] = { name = s.name, kind = "service", ms = s.ready - s.start } end
	end
	table.sort(all, function(a, b)
		if a.ms ~= b.ms then return a.ms > b.ms end
		return a.name < b.name
	end)
	if n and #all > n then for i = #all, n + 1, -1 do all[i] = nil end end
	return all
end

--- The critical chain: the service ready last, then, repeatedly, the
-- dependency of the current one that became ready last before it started,
-- then the boot steps (they run one after another) back to the first;
-- modules and links are inside their steps, not links of the chain.
-- Each link: {name, kind, start, ready}, last-ready first.
-- critical_chain : (data) -> list
function M.critical_chain(data)
	local by_name, chain = {}, {}
	local last
	for _, s in ipairs(data.services) do
		by_name[s.name] = s
		if s.ready and (not last or s.ready > last.ready) then last = s end
	end
	local cur, guard = last, 0
	while cur and guard < 1000 do
		guard = guard + 1
		chain[#chain + 1] = { name = cur.name, kind = "service", start = cur.start, ready = cur.ready }
		local best
		for _, d in ipairs(cur.deps or {}) do
			local dep = by_name[d]
			if dep and dep.ready and dep.ready <= cur.start + 0.5
				and (not best or dep.ready > best.ready) then best = dep end
		end
		cur = best
	end
	local from = chain[#chain] and chain[#chain].start or math.huge
	for i = #data.steps, 1, -1 do
		local s = data.steps[i]
		if (s.kind or "step") == "step" and s.stop <= from + 0.5 then
			chain[#chain + 1] = { name = s.name, kind = "step", start = s.start, ready = s.stop }
			from = s.start
		end
	end
	return chain
end

local function ms(x) return string.format("%.0f ms", x) end

-- blame's section: its heading and the first n (all when nil) of blamed,
-- blame's list, a line each
local function blame_text(blamed, n)
	local out = { "Blame (slowest first):" }
	for i = 1, math.min(n or #blamed, #blamed) do
		local b = blamed[i]
		out[#out + 1] = string.format("%10s  %-7s %s%s", ms(b.ms), b.kind, b.name, b.ok == false and "  [FAILED]" or "")
	end
	return table.concat(out, "\n") .. "\n"
end

-- sections' result with n lines of blame (all when nil), and blame's
-- whole list (sorted once: text cuts it again)
local function sections(data, n)
	local total, first, last = M.userspace(data)
	if not total then
		local none = "nothing to analyze: no boot steps or services were recorded\n"
		return { time = none, blame = none, chain = none, empty = true }
	end
	local out = {}
	local function p(...) out[#out + 1] = string.format(...) end
	local function take()
		local s = table.concat(out, "\n") .. "\n"
		out = {}
		return s
	end
	local r = {}
	if data.pid1 then
		p("Startup finished in %s (kernel) + %s (userspace) = %s", ms(data.pid1), ms(total), ms(last))
	else
		p("Userspace boot: %s (from the first step, at %s)", ms(total), ms(first))
	end
	local never = {}
	for _, s in ipairs(data.services) do if not s.ready then never[#never + 1] = s.name end end
	if #never > 0 then p("Never ready: %s", table.concat(never, ", ")) end
	r.time = take()
	local blamed = M.blame(data)
	r.blame = blame_text(blamed, n)
	p("Critical chain (@ time since kernel start, + time it took):")
	local chain = M.critical_chain(data)
	for i, c in ipairs(chain) do
		p("%s%s%s @%s +%s", string.rep("  ", i > 1 and 1 or 0), i > 1 and "<- " or "",
			c.kind == "step" and ("step: " .. c.name) or c.name, ms(c.start), ms(c.ready - c.start))
	end
	r.chain = take()
	return r, blamed
end

--- The report to read on a terminal, by section: `time` (the boot time,
-- and the services never ready), `blame` (the slowest steps and services,
-- opts.blame of them, all when nil) and `chain` (the critical chain);
-- each says there is nothing to analyze (and `empty` is set) when nothing
-- was recorded.
-- sections : (data, {blame = n?}?) -> {time, blame, chain, empty?}
function M.sections(data, opts)
	return (sections(data, opts and opts.blame))
end

--- The whole report: the boot time, the ten slowest (opts.blame), the
-- critical chain; and the sections it was made from, sections(data)'s
-- (blame listing every entry), for a caller that wants both (luactl's
-- reply).
-- text : (data, {blame = n?}?) -> string, {time, blame, chain, empty?}
function M.text(data, opts)
	local r, blamed = sections(data)
	if r.empty then return r.time, r end
	return r.time .. "\n" .. blame_text(blamed, opts and opts.blame or 10) .. "\n" .. r.chain, r
end

---------------------------------------------------------------- SVG

local function esc(s)
	return (tostring(s):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;",
		['"'] = "&quot;", ["'"] = "&apos;" }))
end

-- A tick spacing giving 8 to 20 ticks over span ms.
local function tick_step(span)
	for _, t in ipairs({ 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 60000 }) do
		if span / t <= 20 then return t end
	end
	return 120000
end

--- A boot chart like `systemd-analyze plot`: a time axis from the kernel's
-- start, one row per boot step and per service in start order; a step's bar
-- is its run time, a service's bar is dark from start to ready and light
-- while it runs (to its exit, or now), and a thin line joins each
-- dependency's ready point to the start of the service that waited on it.
-- svg : (data) -> string
function M.svg(data)
	local rows, count = {}, {}
	for _, s in ipairs(data.steps) do count[s.kind or "step"] = (count[s.kind or "step"] or 0) + 1 end
	if data.pid1 then rows[#rows + 1] = { kind = "kernel", name = "kernel", start = 0, stop = data.pid1 } end
	for _, s in ipairs(data.steps) do
		local kind = s.kind or "step"
		rows[#rows + 1] = { kind = kind, name = kind == "step" and s.name or (kind .. " " .. s.name),
			start = s.start, stop = s.stop, ok = s.ok }
	end
	for _, s in ipairs(data.services) do
		rows[#rows + 1] = { kind = "service", name = s.name, start = s.start, stop = s.ready,
			run_to = s.exit or data.now, deps = s.deps, state = s.state }
	end
	local total, _, last = M.userspace(data)
	local t_end = math.max(last or 0, 1)
	for _, r in ipairs(rows) do t_end = math.max(t_end, r.stop or r.start) end
	t_end = t_end * 1.05
	local t0 = 0
	if not data.pid1 then
		t0 = math.huge
		for _, r in ipairs(rows) do t0 = math.min(t0, r.start) end
		if t0 == math.huge then t0 = 0 end
	end
	local span = math.max(t_end - t0, 1)
	local left, top, rowh, width = 10, 70, 20, 1200
	local scale = width / span
	local label_w = 420 -- room for the label right of the last bar
	local W, H = left + width + label_w, top + #rows * rowh + 40
	local function x(t) return left + (t - t0) * scale end
	local o = {}
	local function w(...) o[#o + 1] = string.format(...) end
	w('<?xml version="1.0" encoding="UTF-8"?>')
	w('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">',
		W, H, W, H)
	w('<style>.kernel{fill:#b0b0b0}.step{fill:#4a7fc1}.module{fill:#8a6bbf}.link{fill:#3a9d8f}'
		.. '.fail{fill:#d9534f}.wait{fill:#e08a2c}'
		.. '.run{fill:#f6d9b3}.dep{stroke:#777;stroke-width:1;fill:none}.grid{stroke:#ddd;stroke-width:1}'
		.. '.lbl{fill:#222}.hdr{font-size:16px;font-weight:bold}</style>')
	w('<rect x="0" y="0" width="%d" height="%d" fill="white"/>', W, H)
	w('<text class="hdr" x="%d" y="22">%s</text>', left,
		esc(total and string.format("Boot chart: userspace %.0f ms%s", total,
			data.pid1 and string.format(", kernel %.0f ms, total %.0f ms", data.pid1, last) or "")
			or "Boot chart: nothing recorded"))
	w('<text x="%d" y="40">%s</text>', left,
		esc("grey: kernel; blue: boot step (red: failed); purple: module loaded; green: link configured; "
			.. "orange: service starting (start to ready); "
			.. "light: service running; lines: dependency ready -> dependent start"))
	local step = tick_step(span)
	local first_tick = math.ceil(t0 / step) * step
	for t = first_tick, t0 + span, step do
		w('<line class="grid" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>', x(t), top - 8, x(t), H - 30)
		w('<text x="%.1f" y="%d" text-anchor="middle" font-size="10">%s</text>', x(t), top - 12,
			t >= 1000 and string.format("%gs", t / 1000) or string.format("%gms", t))
	end
	local ypos = {}
	for i, r in ipairs(rows) do
		local y = top + (i - 1) * rowh
		ypos[r.kind .. ":" .. r.name] = y
		local tip = r.kind == "service"
			and string.format("%s: start @%.0f ms, %s", r.name, r.start,
				r.stop and string.format("ready @%.0f ms (+%.0f ms)", r.stop, r.stop - r.start) or "never ready")
			or string.format("%s: @%.0f ms, %.0f ms", r.name, r.start, (r.stop or r.start) - r.start)
		w('<g><title>%s</title>', esc(tip))
		if r.kind == "service" then
			local run_from = r.stop or r.start
			if r.run_to and r.run_to > run_from then
				w('<rect class="run" x="%.1f" y="%d" width="%.1f" height="%d"/>', x(run_from), y + 2,
					math.max((r.run_to - run_from) * scale, 1), rowh - 4)
			end
			w('<rect class="wait" x="%.1f" y="%d" width="%.1f" height="%d"/>', x(r.start), y + 2,
				math.max(((r.stop or r.start) - r.start) * scale, 2), rowh - 4)
		else
			w('<rect class="%s" x="%.1f" y="%d" width="%.1f" height="%d"/>',
				r.ok == false and "fail" or r.kind,
				x(r.start), y + 2, math.max((r.stop - r.start) * scale, 2), rowh - 4)
		end
		local d = (r.stop or r.start) - r.start
		local lx = math.min(x(r.stop or r.start), left + width) + 4
		w('<text class="lbl" x="%.1f" y="%d">%s (%s)</text></g>', lx, y + rowh - 6,
			esc(r.kind == "service" and r.name or r.name),
			r.kind == "service" and not r.stop and "never ready" or string.format("%.0f ms", d))
	end
	for i, r in ipairs(rows) do
		if r.kind == "service" then
			local by = top + (i - 1) * rowh + rowh / 2
			for _, dn in ipairs(r.deps or {}) do
				local dy = ypos["service:" .. dn]
				local dep
				for _, s in ipairs(data.services) do if s.name == dn then dep = s end end
				if dy and dep then
					local dx = x(dep.ready or dep.start)
					w('<path class="dep" d="M%.1f %.1f L%.1f %.1f L%.1f %.1f"/>', dx, dy + rowh / 2,
						dx, by, x(r.start), by)
				end
			end
		end
	end
	w('<text x="%d" y="%d" font-size="10">%s</text>', left, H - 10,
		esc(string.format("time since kernel start; %d steps, %d modules, %d links, %d services",
			count.step or 0, count.module or 0, count.link or 0, #data.services)))
	w('</svg>')
	return table.concat(o, "\n") .. "\n"
end

return M
