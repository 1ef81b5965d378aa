-- tests/lua/socket.lua: luainit.socket's arguments (control.lua's tests
-- use the sockets themselves).
local fs = require "luainit.fs"
local socket = require "luainit.socket"
local sys = require "luainit.sys"

local T = {}

-- the mode was read by luaL_optinteger: "0660" was the decimal 660
-- (octal 1224), and the socket file was made -w--w-r--
T["listen and dgram take a mode as fs does: an integer or an octal string"] = function()
	local d = string.format("/tmp/luainit-socket-%d", sys.getpid())
	assert(fs.mkdir(d, 448))
	local ok, err = pcall(function()
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
	for _, n in ipairs(fs.readdir(d) or {}) do fs.unlink(d .. "/" .. n) end
	fs.rmdir(d)
	assert(ok, err)
end

return T
