-- a shell with a child in its process group, both ignoring nothing
return { command = { "/bin/sh", "-c", "sleep 1000 & exec sleep 1001" } }
