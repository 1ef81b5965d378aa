-- a boot file with a syntax error on line 3
local x = 1
if x then print("unterminated"
