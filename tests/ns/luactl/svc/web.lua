return { description = "a pretend web server", command = { "/bin/sh", "-c", "echo web says hello; exec sleep 1000" } }
