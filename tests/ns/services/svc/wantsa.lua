-- wantsa and wantsb want each other: no cycle (wants orders nothing), and
-- stop_all must not hold either until the other is down
return { wants = { "wantsb" }, command = { "/bin/sleep", "1000" } }
