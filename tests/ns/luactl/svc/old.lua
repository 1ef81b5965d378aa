return { description = "removed by the reload test", command = { "/bin/sleep", "1000" } }
