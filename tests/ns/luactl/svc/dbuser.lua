-- requires db: an explicit stop or restart of db reaches it first
return { requires = { "db" }, command = { "/bin/sh", "-c", "echo dbuser up; exec sleep 1000" } }
