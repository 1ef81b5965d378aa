return { type = "oneshot", command = { "/bin/sh", "-c", "sleep 0.2; echo first >> /tmp/luainit-svc-test/order" } }
