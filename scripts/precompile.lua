-- scripts/precompile.lua: write the compiled-file cache of an image's
-- staging tree, so that its first boot, like every later one, loads
-- /etc/luainit from bytecode instead of running the compiler.
--
--   luainit --lua scripts/precompile.lua STAGING
--
-- Run with the staging tree's own luainit: the bytecode is that binary's.
-- Every *.lua under STAGING/etc/luainit is compiled under the name it has
-- on the machine (/etc/luainit/...) into STAGING/var/cache/luainit/compiled;
-- the files of STAGING/usr/lib/luainit that hold the library's compiled-in
-- text are recorded there too (chunk.builtin).
-- A file that does not compile is reported and left out; the boot will
-- report it again, with its line.
local chunk = require "luainit.chunk"
local fs = require "luainit.fs"

local root = assert(arg[1], "usage: luainit --lua scripts/precompile.lua STAGING")
root = root:gsub("/+$", "")

local files = {}
local function walk(rel)
	for _, n in ipairs(fs.readdir(root .. rel) or {}) do
		local p = rel .. "/" .. n
		local st = fs.lstat(root .. p)
		if st and st.type == "dir" then
			walk(p)
		elseif st and st.type == "file" and n:match("%.lua$") then
			files[#files + 1] = p
		end
	end
end
walk("/etc/luainit")
table.sort(files)

assert(fs.mkdirp(root .. "/var/cache/luainit", 493))
-- mke2fs -d copies the files' times in whole seconds: record them so, and
-- the boot finds them unchanged without reading the files
chunk.use(root .. "/var/cache/luainit/compiled", { seconds = true })
local bad = 0
for _, p in ipairs(files) do
	local fn, err = chunk.loadfile(root .. p, nil, p)
	if not fn then
		io.stderr:write("precompile: ", err, "\n")
		bad = bad + 1
	end
end
-- the library as installed: recorded when it is the text compiled in, so
-- that require checks each file with a stat instead of reading it
local lib, same = "/usr/lib/luainit", 0
for _, n in ipairs(fs.readdir(root .. lib) or {}) do
	-- a file that is not a built-in module's (pcall: builtin raises) is left
	local mod = n:match("^(.+)%.lua$")
	if mod and select(2, pcall(chunk.builtin, root .. lib .. "/" .. n, mod, lib .. "/" .. n)) == true then
		same = same + 1
	end
end
assert(chunk.save(true))
print(string.format("precompile: %d file(s) of %s/etc/luainit compiled, %d left out; %d library file(s) recorded",
	#files - bad, root, bad, same))
