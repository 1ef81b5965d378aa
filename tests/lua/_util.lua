-- tests/lua/_util.lua: helpers shared by the unit tests (files whose name
-- starts with "_" are not test files; all.lua skips them).
local M = {}

--- Run a shell command quietly; true if it succeeded.
function M.sh(cmd)
	local ok = os.execute(cmd .. " >/dev/null 2>&1")
	return ok == true or ok == 0
end

--- Write text to path (raises on failure).
function M.write(path, text)
	local f = assert(io.open(path, "w"))
	f:write(text)
	f:close()
end

return M
