-- ready (a line on fd 3) only once its line is in the order file: "simple"
-- would be ready at exec, and third could write before it
return { requires = { "first" }, type = "fd", ready_fd = 3, command = { "/bin/sh", "-c", "echo second >> /tmp/luainit-svc-test/order; echo >&3; exec 3>&-; exec sleep 1000" } }
