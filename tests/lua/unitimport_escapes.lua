-- tests/lua/unitimport_escapes.lua: C escapes in Environment= and
-- ExecStart= words give the text systemd's give, or are refused saying
-- why. systemd decodes them with cunescape_one (src/basic/escape.c):
-- \a \b \f \n \r \t \v \\ \" \' \s, \xHH, \uHHHH, \UHHHHHHHH and three
-- octal digits, and refuses any other, a NUL and an octal above \377.
-- Environment= (extract_first_word) then ignores the line from that word
-- on; ExecStart= (extract_first_word_and_warn) tries again keeping the
-- escape as written, backslash and all, and warns. The converter made
-- \101 the text 101 and \q the text q, and split "a\ b" in two.
local U = dofile("tests/lua/_unitimport.lua")

local T = {}

local function convert(lines)
	local src, notes, errs = U.convert("[Service]\n" .. lines)
	return src and U.def_of(src), notes, errs, src
end

-- the notes of line, "kind Key=value: reason", joined
local function said(notes, line)
	return U.said(notes, line, function(n) return n.kind .. " " .. n.key .. "=" .. n.value .. ": " .. n.reason end)
end

T["octal, \\u and \\U escapes are decoded as systemd decodes them"] = function()
	local d, notes, errs = convert([[
ExecStart=/bin/echo \101\102 f\u00f6o pi\U0001F4A9le \s \x41 "\t"
Environment=A=\101 B=\u00e9 C=\U0001F4A9 D=\176
]])
	assert(#errs == 0, table.concat(errs, "; "))
	assert(#notes == 0, said(notes, 2) .. said(notes, 3))
	local c = d.command
	assert(c[2] == "AB" and c[3] == "f\xc3\xb6o" and c[4] == "pi\xf0\x9f\x92\xa9le" and c[5] == " "
		and c[6] == "A" and c[7] == "\t", table.concat(c, "|"))
	assert(d.env.A == "A" and d.env.B == "\xc3\xa9" and d.env.C == "\xf0\x9f\x92\xa9" and d.env.D == "~")
end

-- Environment=: the words before the refused escape stand, the rest of the
-- line is listed
T["Environment= with an escape systemd refuses keeps the words before it"] = function()
	local why = "; systemd ignores the line from this word on, and keeps the words before it"
	for value, reason in pairs({
		["A=1 B=\\q C=3"] = "B=\\q C=3: '\\q': no escape systemd knows",
		["A=1 B=a\\ b"] = "B=a\\ b: '\\ ': no escape systemd knows",
		["A=1 B=\\400"] = "B=\\400: '\\400': above \\377",
		["A=1 B=\\19"] = "B=\\19: '\\19': three octal digits expected",
		["A=1 B=\\000"] = "B=\\000: '\\000': a NUL, which no value can hold",
		["A=1 B=\\u0000"] = "B=\\u0000: '\\u0000': a NUL, which no value can hold",
		["A=1 B=\\u12g4"] = "B=\\u12g4: '\\u12g4': four hex digits expected after \\u",
		["A=1 B=\\U00110000"] = "B=\\U00110000: '\\U00110000': no Unicode character",
		["A=1 B=\\UD800"] = "B=\\UD800: '\\UD800': eight hex digits expected after \\U",
		['A=1 "B=x \\q"'] = '"B=x \\q": \'\\q\': no escape systemd knows',
	}) do
		local d, notes, errs = convert("ExecStart=/bin/d\nEnvironment=" .. value .. "\n")
		assert(#errs == 0, value .. ": " .. table.concat(errs, "; "))
		assert(d.env.A == "1" and d.env.B == nil and d.env.C == nil, value)
		assert(said(notes, 3) == "unsupported Environment=" .. reason .. why, said(notes, 3))
	end
end

-- a value systemd's env_assignment_is_valid refuses: not UTF-8 (a byte
-- \xff, a surrogate from \uD800, which systemd encodes all the same)
T["Environment= of a value that is not UTF-8 is listed, as systemd ignores it"] = function()
	local d, notes = convert("ExecStart=/bin/d\nEnvironment=A=\\xff B=\\ud800 C=\\uFFFE D=1 E=\\xc3\\xa9\n")
	assert(d.env.A == nil and d.env.B == nil and d.env.C == nil and d.env.D == "1" and d.env.E == "\xc3\xa9")
	local why = ": the value is not UTF-8: systemd ignores this assignment"
	local line = "unsupported Environment=A=\\xff B=\\ud800 C=\\uFFFE D=1 E=\\xc3\\xa9: "
	assert(said(notes, 3) == line .. "A" .. why .. " | " .. line .. "B" .. why .. " | " .. line .. "C" .. why,
		said(notes, 3))
end

-- ExecStart=: systemd keeps an escape it refuses as written (a regex
-- for grep -P, say) and warns; so does the converter, with a note
T["ExecStart= keeps an escape systemd does not know as written, with a note"] = function()
	local d, notes, errs, src = convert([[
ExecStart=/bin/grep -oP \w+@\K[\d.]+ fooo\ bar \xZZ \400 \U00110000 \xff
]])
	assert(#errs == 0, table.concat(errs, "; "))
	local c = d.command
	assert(c[2] == "-oP" and c[3] == "\\w+@\\K[\\d.]+" and c[4] == "fooo\\ bar" and c[5] == "\\xZZ"
		and c[6] == "\\400" and c[7] == "\\U00110000" and c[8] == "\xff" and #c == 8, table.concat(c, "|"))
	local why = "kept as written, backslash and all, as systemd keeps an escape it does not know (with a warning): "
		.. "'\\w' '\\K' '\\d' '\\ ' '\\x' '\\4' '\\U'"
	assert(said(notes, 2) == "note ExecStart=" .. src:match("ExecStart=([^\n]*): kept") .. ": " .. why, said(notes, 2))
	assert(src:find("-- note: line 2: ExecStart=", 1, true), src)
end

-- a NUL stays refused: an error naming the line (systemd passes the text
-- \x00 as written); a path with a backslash, a quote or a control
-- character is refused by systemd, and the unit with it
T["ExecStart= with a NUL, or a path systemd refuses, is an error"] = function()
	for value, why in pairs({
		["/bin/d a\\000"] = "'\\000': a NUL, which no argument can hold (systemd passes the text as written, "
			.. "with a warning)",
		["/bin/d a\\U00000000"] = "'\\U00000000': a NUL, which no argument can hold (systemd passes the text as "
			.. "written, with a warning)",
		["/bin/fo\\o"] = "the command's path '/bin/fo\\o' has a control character, a quote or a backslash: "
			.. "systemd refuses the line, and the unit with it",
		["/bin/a\\x27b x"] = "the command's path '/bin/a'b' has a control character, a quote or a backslash: "
			.. "systemd refuses the line, and the unit with it",
		["-/bin/a\\tb"] = "the command's path '/bin/a\tb' has a control character, a quote or a backslash: "
			.. "systemd refuses the line, and the unit with it",
		["\\; /bin/d"] = "the command's path '\\;' has a control character, a quote or a backslash: "
			.. "systemd refuses the line, and the unit with it",
	}) do
		local d, _, errs = convert("ExecStart=" .. value .. "\n")
		assert(d == nil and errs[1] == "line 2: ExecStart: " .. why, value .. ": " .. table.concat(errs, "; "))
	end
	-- words says it so itself, relaxed as ExecStart= reads them, and
	-- of a value otherwise
	local ui = require "unitimport"
	local _, why = ui.words("/bin/d a\\x00", true)
	assert(why == "'\\x00': a NUL, which no argument can hold (systemd passes the text as written, with a warning)", why)
	_, why = ui.words("/bin/d a\\x00")
	assert(why == "'\\x00': a NUL, which no value can hold", why)
end

-- a lone ; separates commands (a quoted one too where a command's first
-- word is expected); \; is the word ; (find -exec ... \;), and so is a
-- quoted ";" as an argument; a ; inside a word is part of it
T["ExecStart= reads ; and \\; as systemd does"] = function()
	local d, _, errs = convert("ExecStart=/bin/find /x -exec rm {} \\;\n")
	assert(#errs == 0 and table.concat(d.command, " ") == "/bin/find /x -exec rm {} ;", table.concat(d.command, " "))
	d, _, errs = convert("ExecStart=/bin/echo \";\" a;b ;c\n")
	assert(#errs == 0 and table.concat(d.command, "|") == "/bin/echo|;|a;b|;c", table.concat(d.command, "|"))
	d, _, errs = convert("Type=oneshot\nExecStart=/bin/a \\; ; /bin/b ; \";\" /bin/c\n")
	assert(#errs == 0, table.concat(errs, "; "))
	assert(d.command[3] == "/bin/a ';' && /bin/b && exec /bin/c", d.command[3])
end

return T
