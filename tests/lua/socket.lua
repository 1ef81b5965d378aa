-- tests/lua/socket.lua: luainit.socket's arguments (control.lua's tests
-- use the sockets themselves).
local fs = require "luainit.fs"
local socket = require "luainit.socket"
local sys = require "luainit.sys"
local raises = dofile("tests/lua/_util.lua").raises

local T = {}

-- fn(d) with a fresh directory d, removed after whatever fn did
local function in_dir(fn)
	local d = string.format("/tmp/luainit-socket-%d", sys.getpid())
	assert(fs.mkdir(d, 448))
	local ok, err = pcall(fn, d)
	for _, n in ipairs(fs.readdir(d) or {}) do fs.unlink(d .. "/" .. n) end
	fs.rmdir(d)
	assert(ok, err)
end

-- the mode was read by luaL_optinteger: "0660" was the decimal 660
-- (octal 1224), and the socket file was made -w--w-r--
T["listen and dgram take a mode as fs does: an integer or an octal string"] = function()
	in_dir(function(d)
		local l = assert(socket.listen(d .. "/l", "0660"))
		assert(fs.stat(d .. "/l").mode == tonumber("660", 8), fs.stat(d .. "/l").mode)
		l:close()
		local g = assert(socket.dgram(d .. "/g", "640"))
		assert(fs.stat(d .. "/g").mode == tonumber("640", 8), fs.stat(d .. "/g").mode)
		g:close()
		l = assert(socket.listen(d .. "/f", 384.0))
		assert(fs.stat(d .. "/f").mode == tonumber("600", 8))
		l:close()
		for _, f in ipairs({ socket.listen, socket.dgram }) do
			local ok2, e = pcall(f, d .. "/x", "rw")
			assert(not ok2 and e:find("(mode: octal string or integer expected, got 'rw')", 1, true), e)
			ok2, e = pcall(f, d .. "/x", 420.5)
			assert(not ok2 and e:find("(mode: octal string or integer expected, got non-integer number 420.5)", 1, true), e)
		end
	end)
end

-- a decimal 660 written for 0660 is 01224: it was taken (07777), and made
-- the socket -w--w-r-- (listen) or a sticky -w--w-r-- (dgram). A socket's
-- mode is its permission bits, 0..0777, as spawn's modes and fs.umask's
T["listen and dgram refuse a mode past 0777: a decimal 660 meant as 0660"] = function()
	in_dir(function(d)
		for _, f in ipairs({ socket.listen, socket.dgram }) do
			for _, c in ipairs({
				{ 660, "(mode: 660 out of range 0..511 (0..0777 in octal; Lua has no octal literals: write \"0644\" or 420))" },
				{ 512.0, "(mode: 512 out of range 0..511" },
				{ "1660", "(mode: '1660' out of range 0..0777)" },
				{ -1, "(mode: -1 out of range 0..511 (0..0777 in octal))" } }) do
				local ok2, e = pcall(f, d .. "/x", c[1])
				assert(not ok2 and e:find(c[2], 1, true), e)
			end
			assert(not fs.exists(d .. "/x"), "a refused mode made the socket")
			local s = assert(f(d .. "/x", 511))
			assert(fs.stat(d .. "/x").mode == 511)
			s:close()
			assert(fs.unlink(d .. "/x"))
		end
	end)
end

-- a socket path stopped at its first NUL byte (d .. "/s\0x" was d/s);
-- an abstract name is bytes, and may hold NULs
T["a socket path with a NUL byte raises; an abstract name may hold one"] = function()
	in_dir(function(d)
		for _, f in ipairs({ socket.listen, socket.dgram, socket.connect }) do
			local ok, e = pcall(f, d .. "/s\0x")
			assert(not ok and e:find("(string without NUL bytes expected, got a NUL at byte " .. (#d + 3) .. ")", 1, true), e)
		end
		raises("got a NUL at byte " .. (#d + 3), socket.sendto, d .. "/s\0x", "data\0")
		assert(#fs.readdir(d) == 0, "a socket file was made")
		local name = string.format("@luainit-test-%d\0x", sys.getpid())
		local g = assert(socket.dgram(name))
		assert(socket.sendto(name, "a\0b"))
		assert(g:recvfrom() == "a\0b")
		g:close()
	end)
end

return T
