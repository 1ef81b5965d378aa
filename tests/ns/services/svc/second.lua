return { requires = { "first" }, command = { "/bin/sh", "-c", "echo second >> /tmp/luainit-svc-test/order; exec sleep 1000" } }
