-- a boot file that raises: :continue at the rescue console has no boot to
-- resume, so PID 1 keeps a shell on the console instead of leaving it dead
print("CHECK before the error")
error("this boot file fails on purpose")
