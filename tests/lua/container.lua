-- container.lua: option parsing and the exit status it reports.
local container = require "container"
local process = require "luainit.process"

local T = {}

function T.parse_command()
	local o = assert(container.parse({ [0] = "luainit", "--container", "--", "sh", "-c", "exit 3" }))
	assert(o.explicit and not o.pgroup and #o.cmd == 3 and o.cmd[1] == "sh" and o.cmd[3] == "exit 3")
	o = assert(container.parse({ [0] = "luainit", "--container", "--pgroup", "--services", "/x", "cmd", "--not-an-option" }))
	assert(o.pgroup and o.services == "/x" and o.cmd[1] == "cmd" and o.cmd[2] == "--not-an-option")
	o = assert(container.parse({ [0] = "luainit", "--", "cmd" }))
	assert(not o.explicit and o.cmd[1] == "cmd")
	o = assert(container.parse({ [0] = "luainit" }))
	assert(not o.explicit and #o.cmd == 0)
end

-- what the kernel hands init for `init=/sbin/luainit -- --container`
-- (the words after --, without it) asks for container mode, which
-- main.c refuses the machine's init; after a -- of luainit's own the word
-- is the command
function T.parse_container_word()
	local o = assert(container.parse({ [0] = "/sbin/luainit", "--container" }))
	assert(o.explicit and #o.cmd == 0)
	o = assert(container.parse({ [0] = "luainit", "--", "--container" }))
	assert(not o.explicit and #o.cmd == 1 and o.cmd[1] == "--container")
end

function T.parse_errors()
	local o, err = container.parse({ [0] = "luainit", "--container", "--bogus" })
	assert(o == nil and err:match("unknown option '%-%-bogus'") and err:match("usage:"))
	o, err = container.parse({ [0] = "luainit", "--services" })
	assert(o == nil and err:match("needs a directory"))
end

function T.status()
	assert(container.status("exited", 0) == 0)
	assert(container.status("exited", 7) == 7)
	assert(container.status("killed", "KILL") == 137)
	assert(container.status("killed", "TERM") == 143)
	assert(process.signum("SIGUSR1") == 10 and process.signum(15) == 15)
	assert(not pcall(process.signum, "NOPE"))
end

function T.environ()
	local env = process.environ()
	local path
	for _, e in ipairs(env) do path = path or e:match("^PATH=(.*)") end
	assert(path == os.getenv("PATH"))
end

return T
