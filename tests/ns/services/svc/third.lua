return { type = "oneshot", after = { "second" }, wants = { "second" }, command = { "/bin/sh", "-c", "echo third >> /tmp/luainit-svc-test/order" } }
