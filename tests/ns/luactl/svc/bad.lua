return { enabled = false, type = "oneshot", restart = "never", command = { "/bin/sh", "-c", "echo bad fails; exit 1" } }
