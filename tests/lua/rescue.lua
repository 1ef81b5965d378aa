-- tests/lua/rescue.lua: the rescue console's evaluator.
local rescue = require "rescue"

local T = {}

T["expressions print values, statements run, errors are returned"] = function()
	local env = setmetatable({}, { __index = _G })
	assert(rescue.eval("1 + 2", env) == "3")
	assert(rescue.eval("x = 5", env) == "")
	assert(rescue.eval("x * 2", env) == "10")
	assert(rescue.eval("'a', nil", env) == '"a"\tnil')
	assert(rescue.eval("error('bad')", env):match("^error: .*bad"))
	assert(rescue.eval("this is not lua", env):match("^error: "))
	-- an error value whose __tostring raises is named by its type (it
	-- raised out of eval, ending the rescue task); so in luactl eval
	local odd = "error(setmetatable({}, { __tostring = function() error('no') end }))"
	assert(rescue.eval(odd, env):match("^error: a table error value\nstack traceback:"), rescue.eval(odd, env))
	local ok, msg = require("control").eval(odd)
	assert(not ok and msg:match("^a table error value\nstack traceback:"), msg)
end

return T
