return { type = "fd", ready_fd = 3, command = { "/bin/sh", "-c", "sleep 0.2; echo >&3; exec 3>&-; exec sleep 1000" } }
