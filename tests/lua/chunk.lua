-- tests/lua/chunk.lua: luainit.chunk (init/l_chunk.c), loading Lua files
-- through the cache of their compiled form: a hit runs the same code, any
-- change of the text compiles it again, a bad or untrusted cache is ignored.
local chunk = require "luainit.chunk"
local fs = require "luainit.fs"
local util = dofile("tests/lua/_util.lua")

local T = {}

local dir = "/tmp/luainit-chunk-test." .. require("luainit.sys").getpid()
local cache = dir .. "/cache/compiled"

local function fresh()
	util.sh("rm -rf " .. dir)
	assert(fs.mkdirp(dir, 448))
	chunk.use(cache)
end

local function done()
	chunk.use(nil)
	util.sh("rm -rf " .. dir)
end

-- run body with a fresh directory and cache; always clean up
local function with_dir(body)
	return function()
		fresh()
		local ok, err = xpcall(body, debug.traceback)
		done()
		assert(ok, err)
	end
end

T["a file compiled once is loaded from the cache next time, same result"] = with_dir(function()
	util.write(dir .. "/a.lua", "local x = ...\nreturn { answer = 42, arg = x }\n")
	local f = assert(chunk.loadfile(dir .. "/a.lua"))
	assert(f("one").answer == 42)
	local s = chunk.stats()
	assert(s.misses == 1 and s.hits == 0, "first load compiles")
	assert(chunk.save() == true, "a compile makes the cache dirty: written")
	assert(fs.stat(cache).mode == 420, "cache file is 0644")
	chunk.use(cache)   -- as the next boot: read it again
	f = assert(chunk.loadfile(dir .. "/a.lua"))
	local t = f("two")
	assert(t.answer == 42 and t.arg == "two")
	s = chunk.stats()
	assert(s.hits == 1 and s.misses == 0, "second load is a hit")
	assert(chunk.save() == false, "nothing compiled: nothing written")
end)

T["an edited file is compiled again, and its new text runs"] = with_dir(function()
	util.write(dir .. "/a.lua", "return 1\n")
	assert(chunk.loadfile(dir .. "/a.lua"))
	assert(chunk.save())
	util.write(dir .. "/a.lua", "return 2\n")   -- same length, other text
	chunk.use(cache)
	local f = assert(chunk.loadfile(dir .. "/a.lua"))
	assert(f() == 2, "the edit is what runs")
	assert(chunk.stats().misses == 1)
end)

T["a file whose length and times are unchanged is not read again"] = with_dir(function()
	util.write(dir .. "/a.lua", "return 'a'\n")
	assert(chunk.loadfile(dir .. "/a.lua"))
	assert(chunk.save())
	chunk.use(cache)
	assert(chunk.loadfile(dir .. "/a.lua")() == "a")
	local s = chunk.stats()
	assert(s.hits == 1 and s.unread == 1, "a hit on length and times alone")
	assert(chunk.save() == false, "nothing new to record")
end)

T["an edit that keeps the length and puts the old mtime back is still seen"] = with_dir(function()
	util.write(dir .. "/a.lua", "return 1\n")
	assert(chunk.loadfile(dir .. "/a.lua"))
	assert(chunk.save())
	assert(util.sh(string.format("touch -r %s/a.lua %s/ref", dir, dir)))   -- the old mtime, to the ns
	util.sh("sleep 0.01")
	util.write(dir .. "/a.lua", "return 2\n")
	assert(util.sh(string.format("touch -r %s/ref %s/a.lua", dir, dir)))
	chunk.use(cache)
	assert(chunk.loadfile(dir .. "/a.lua")() == 2, "the change time differs: read, compiled")
	local s = chunk.stats()
	assert(s.misses == 1 and s.unread == 0)
end)

T["the same text with new times is a hit by hash, and the times are recorded"] = with_dir(function()
	util.write(dir .. "/a.lua", "return 'same'\n")
	assert(chunk.loadfile(dir .. "/a.lua"))
	assert(chunk.save())
	util.sh("sleep 0.01")
	assert(util.sh("touch " .. dir .. "/a.lua"))
	chunk.use(cache)
	assert(chunk.loadfile(dir .. "/a.lua")() == "same")
	local s = chunk.stats()
	assert(s.hits == 1 and s.unread == 0 and s.misses == 0, "read and hashed, not compiled")
	assert(chunk.save() == true, "the new times are written")
	chunk.use(cache)
	assert(chunk.loadfile(dir .. "/a.lua")() == "same")
	assert(chunk.stats().unread == 1)
end)

T["an image build records whole seconds; the image's files match them"] = with_dir(function()
	util.write(dir .. "/a.lua", "return 's'\n")
	chunk.use(cache, { seconds = true })
	assert(chunk.loadfile(dir .. "/a.lua"))
	assert(chunk.save(true))
	-- as mke2fs -d copies it: the same second, no nanoseconds (the change
	-- time cannot be set, so the copy here is checked by hash, then kept)
	assert(util.sh(string.format("touch -d @%d %s", math.floor(assert(fs.stat(dir .. "/a.lua")).mtime), dir .. "/a.lua")))
	chunk.use(cache)
	assert(chunk.loadfile(dir .. "/a.lua")() == "s")
	assert(chunk.stats().hits == 1)
	assert(not pcall(chunk.use, cache, "seconds"), "options are a table")
	-- a misspelt key was ignored (times recorded in nanoseconds, which an
	-- image mke2fs -d makes does not keep), and seconds = 1 taken for its
	-- truth; either raises now, and the cache in use stays
	util.raises("^bad argument #2 to '[%w.]*%f[%w]use' %(unknown key 'second'%)$", chunk.use, nil, { second = true })
	util.raises("option 'seconds': boolean expected, got number", chunk.use, nil, { seconds = 1 })
	assert(chunk.stats().file == cache, "a refused use changed the cache")
end)

T["errors point at the file and line, from the cache as from the text"] = with_dir(function()
	util.write(dir .. "/e.lua", "local a = 1\n\nerror('boom')\n")
	local f = assert(chunk.loadfile(dir .. "/e.lua"))
	local ok, err = pcall(f)
	assert(not ok and err:find("e.lua:3: boom", 1, true), err)
	assert(chunk.save())
	chunk.use(cache)
	f = assert(chunk.loadfile(dir .. "/e.lua"))
	assert(chunk.stats().hits == 1)
	ok, err = pcall(f)
	assert(not ok and err:find("e.lua:3: boom", 1, true), "from the cache: " .. tostring(err))
end)

T["a syntax error returns nil and file:line, and is not cached"] = with_dir(function()
	util.write(dir .. "/s.lua", "return {\n  a = 1,\n  b = = 2,\n}\n")
	local f, err = chunk.loadfile(dir .. "/s.lua")
	assert(f == nil and err:find("s.lua:3:", 1, true), err)
	assert(chunk.stats().entries == 0)
	local g, gerr = chunk.loadfile(dir .. "/missing.lua")
	assert(g == nil and gerr:find("cannot open " .. dir .. "/missing.lua", 1, true), gerr)
end)

-- regression: a FIFO named like a service definition held PID 1 in
-- open(2) until something wrote to it (luactl reload, or the boot); a
-- writer after 3 s turns a regression into a slow, failed test, not a hang
T["a FIFO, a device or a directory is refused at once, named by its type"] = with_dir(function()
	-- (in a directory of its own, gone before the writer comes: no later
	-- test meets its file, nor does it wait for a reader)
	local sub = dir .. "/fifo"
	assert(util.sh("mkdir " .. sub .. " && mkfifo " .. sub .. "/f.lua"))
	util.sh("(sleep 3; echo 'return 1' > " .. sub .. "/f.lua) >/dev/null 2>&1 &")
	local t0 = os.time()
	local f, err = chunk.loadfile(sub .. "/f.lua")
	util.sh("rm -r " .. sub)
	assert(os.time() - t0 <= 1, "loadfile waited for a writer")
	assert(f == nil and err == "cannot open " .. sub .. "/f.lua: not a regular file (a FIFO)", err)
	f, err = chunk.loadfile("/dev/null")
	assert(f == nil and err == "cannot open /dev/null: not a regular file (a character device)", err)
	f, err = chunk.loadfile(dir)
	assert(f == nil and err == "cannot open " .. dir .. ": Is a directory", err)
end)

T["env becomes the chunk's globals, from the cache too"] = with_dir(function()
	util.write(dir .. "/g.lua", "return value * 2\n")
	assert(chunk.loadfile(dir .. "/g.lua", { value = 21 })() == 42)
	assert(chunk.save())
	chunk.use(cache)
	assert(chunk.loadfile(dir .. "/g.lua", { value = 5 })() == 10)
	assert(chunk.stats().hits == 1)
end)

T["name: compiled in a staging tree, found under the machine's path"] = with_dir(function()
	util.write(dir .. "/boot.lua", "error('here')\n")
	assert(chunk.loadfile(dir .. "/boot.lua", nil, "/etc/luainit/boot.lua"))
	assert(chunk.save(true))
	chunk.use(cache)
	local f = assert(chunk.loadfile(dir .. "/boot.lua", nil, "/etc/luainit/boot.lua"))
	assert(chunk.stats().hits == 1)
	local _, err = pcall(f)
	assert(err:find("/etc/luainit/boot.lua:1: here", 1, true), err)
	-- the same text under another name is not that entry
	chunk.loadfile(dir .. "/boot.lua")
	assert(chunk.stats().misses == 1)
end)

T["a first line starting with # is skipped, line numbers kept"] = with_dir(function()
	util.write(dir .. "/h.lua", "#!/sbin/luainit\nerror('two')\n")
	local _, err = pcall(assert(chunk.loadfile(dir .. "/h.lua")))
	assert(err:find("h.lua:2: two", 1, true), err)
end)

T["bytecode in a source file is refused, as loadfile(path, 't') does"] = with_dir(function()
	util.write(dir .. "/b.lua", string.dump(function() return 1 end))
	local f, err = chunk.loadfile(dir .. "/b.lua")
	assert(f == nil and err:find("binary", 1, true), err)
end)

T["a corrupt or truncated cache is ignored and replaced"] = with_dir(function()
	util.write(dir .. "/a.lua", "return 'fine'\n")
	assert(chunk.loadfile(dir .. "/a.lua"))
	assert(chunk.save())
	local good = assert(fs.readfile(cache))
	for _, bad in ipairs({ good:sub(1, #good - 7), "LXCHUNK1" .. string.rep("\255", 40), "",
		good:sub(1, 40) .. string.rep("x", #good - 40) }) do
		util.write(cache, bad)
		chunk.use(cache)
		local f = assert(chunk.loadfile(dir .. "/a.lua"))
		assert(f() == "fine")
	end
	-- one changed byte in the bytecode: its hash no longer matches
	local last = good:byte(#good)
	util.write(cache, good:sub(1, #good - 1) .. string.char((last + 1) % 256))
	chunk.use(cache)
	assert(chunk.loadfile(dir .. "/a.lua")() == "fine")
	assert(chunk.stats().hits == 0, "damaged bytecode is not loaded")
	assert(chunk.save(true))
	chunk.use(cache)
	assert(chunk.loadfile(dir .. "/a.lua")() == "fine")
	assert(chunk.stats().hits == 1, "the rewritten cache is good again")
end)

T["a cache others may write is not used"] = with_dir(function()
	util.write(dir .. "/a.lua", "return 7\n")
	assert(chunk.loadfile(dir .. "/a.lua"))
	assert(chunk.save())
	assert(util.sh("chmod 666 " .. cache))
	chunk.use(cache)
	assert(chunk.loadfile(dir .. "/a.lua")() == 7)
	local s = chunk.stats()
	assert(s.hits == 0 and s.misses == 1, "a world-writable cache is not trusted")
end)

T["after save, loads compile and nothing more is written"] = with_dir(function()
	util.write(dir .. "/a.lua", "return 3\n")
	assert(chunk.loadfile(dir .. "/a.lua"))
	assert(chunk.save())
	assert(chunk.stats().entries == 0, "the cache is let go")
	assert(chunk.loadfile(dir .. "/a.lua")() == 3)
	assert(chunk.save() == false)
end)

T["no cache file: plain loading, save writes nothing"] = function()
	chunk.use(nil)
	local f = assert(chunk.loadfile("tests/lua/_util.lua"))
	assert(type(f()) == "table")
	assert(chunk.save(true) == false)
	assert(chunk.stats().file == nil)
end

T["many files with a common prefix: each finds its own entry, a changed one replaces it"] = with_dir(function()
	local n = 60
	local function path(i) return string.format("%s/service-definition-%03d.lua", dir, i) end
	for i = 1, n do util.write(path(i), "return " .. i .. "\n") end
	for i = 1, n do assert(assert(chunk.loadfile(path(i)))() == i) end
	assert(chunk.save() == true)
	chunk.use(cache)   -- read back from the file
	for i = n, 1, -1 do assert(assert(chunk.loadfile(path(i)))() == i) end
	local s = chunk.stats()
	assert(s.hits == n and s.misses == 0, "every file found in the cache")
	util.write(path(7), "return 'seven'\n")
	assert(assert(chunk.loadfile(path(7)))() == "seven")
	assert(assert(chunk.loadfile(path(8)))() == 8)
	assert(chunk.stats().entries == n, "the changed file's entry replaced, not added")
	assert(chunk.save() == true)
	chunk.use(cache)
	assert(assert(chunk.loadfile(path(7)))() == "seven")
	assert(chunk.stats().misses == 0)
end)

T["builtin: the library's own text is recorded and then found by its times; an edit is seen"] = with_dir(function()
	local text = assert(fs.readfile("lua/glob.lua"))
	local p = dir .. "/glob.lua"
	util.write(p, text)
	assert(chunk.builtin(p, "glob") == true)
	assert(chunk.save() == true, "a new record: written")
	chunk.use(cache)
	assert(chunk.builtin(p, "glob") == true)
	local s = chunk.stats()
	assert(s.hits == 1 and s.unread == 1, "found by length and times alone")
	assert(chunk.builtin(p, "integer") == false, "another module's text")
	-- the same length, one byte changed: the change time differs
	util.sh("sleep 0.01")
	util.write(p, text:gsub("glob", "GLOB", 1))
	assert(chunk.builtin(p, "glob") == false, "the edit is seen")
	assert(chunk.builtin(dir .. "/none.lua", "glob") == false)
	local ok, err = pcall(chunk.builtin, p, "no-such-module")
	assert(not ok and err:find("no built-in module 'no-such-module'", 1, true), err)
	-- a library record has no code: loadfile compiles the file
	util.write(p, text)
	assert(chunk.builtin(p, "glob") == true)
	assert(type(assert(chunk.loadfile(p))()) == "table")
	assert(chunk.stats().misses == 1)
end)

T["require: an installed file that differs from the built-in module is what loads"] = with_dir(function()
	local path, loaded = package.path, package.loaded.glob
	local ok, err = pcall(function()
		package.path = dir .. "/?.lua"
		local function load()
			package.loaded.glob = nil
			return require "glob"
		end
		util.write(dir .. "/glob.lua", "return 'edited'\n")
		assert(load() == "edited")
		util.write(dir .. "/glob.lua", assert(fs.readfile("lua/glob.lua")))
		local g, where = load()
		assert(type(g) == "table" and where == dir .. "/glob.lua", tostring(where))
		assert(os.remove(dir .. "/glob.lua"))
		g, where = load()
		assert(type(g) == "table" and where == "(built in)", tostring(where))
	end)
	package.path, package.loaded.glob = path, loaded
	assert(ok, err)
end)

return T
