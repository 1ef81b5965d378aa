# tests/lib.sh: shell helpers shared by the namespace and VM runners.
# shellcheck shell=bash

PASS=0 FAIL=0 SKIP=0

ok()   { PASS=$((PASS + 1)); echo "ok   $*"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
skip() { SKIP=$((SKIP + 1)); echo "skip $*"; }

# wait_for FILE REGEX SECONDS: poll FILE until a line matches (0) or time is up (1).
wait_for() {
	local file=$1 re=$2 secs=$3 i
	for ((i = 0; i < secs * 10; i++)); do
		grep -qE -- "$re" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# check_expect LOG EXPECTFILE: every non-comment line of EXPECTFILE is a
# regex that must match a line of LOG; a line starting with '!' must not.
# Prints what is missing; returns non-zero if anything is.
check_expect() {
	local log=$1 exp=$2 rc=0 line
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in ''|'#'*) continue ;; esac
		if [ "${line:0:1}" = "!" ]; then
			if grep -qE -- "${line:1}" "$log"; then echo "    unexpected: ${line:1}"; rc=1; fi
		elif ! grep -qE -- "$line" "$log"; then
			echo "    missing: $line"; rc=1
		fi
	done < "$exp"
	return $rc
}

summary() {
	if [ "$SKIP" -gt 0 ]; then echo "$PASS passed, $FAIL failed, $SKIP skipped"
	else echo "$PASS passed, $FAIL failed"; fi
	[ "$FAIL" -eq 0 ]
}

# The environment PID 1 starts with in a namespace test: nothing but a PATH
# and, on its package.path, tests/ for the boot files' helper (a boot file
# says `local T = require "nstest"`: tests/nstest.lua). A run script that
# starts PID 1 its own way uses it too:
#   unshare ... "${PID1_ENV[@]}" LUAINIT_BOOT="$DIR/boot.lua" [VAR=VALUE...] "$LUAINIT"
PID1_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin
	"LUAINIT_PATH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/?.lua")

# run_pid1 BOOTFILE LOG [STDIN] [TIMEOUT]: build/luainit as real PID 1 of new
# PID and mount namespaces (proc remounted for the new PID namespace), with
# BOOTFILE as its boot file, console output to LOG. LUAINIT_CMDLINE, when
# set, stands in for the kernel command line. unshare blocks SIGTERM while
# it waits, so a PID 1 that hangs is ended by timeout's SIGKILL of unshare
# and --kill-child's of PID 1 (without them the runner waited for ever).
# NETNS, when set, is a network namespace (ip netns) PID 1 starts in.
run_pid1() {
	timeout -k 5 "${4:-60}" ${NETNS:+ip netns exec "$NETNS"} unshare --pid --fork --mount --mount-proc --propagation private --kill-child \
		"${PID1_ENV[@]}" LUAINIT_BOOT="$1" \
		${LUAINIT_CMDLINE+"LUAINIT_CMDLINE=$LUAINIT_CMDLINE"} "$LUAINIT" \
		<"${3:-/dev/null}" >"$2" 2>&1
}

# pid1_hostpid UNSHARE_PID: the host PID of the namespace's PID 1.
pid1_hostpid() {
	local i c
	for ((i = 0; i < 50; i++)); do
		c=$(pgrep -P "$1" | head -n 1)
		[ -n "$c" ] && { echo "$c"; return 0; }
		sleep 0.1
	done
	return 1
}

# run_container LOG ARGS...: `luainit ARGS...` (e.g. --container -- CMD) as
# PID 1 of new PID and mount namespaces; output to LOG; returns its status.
# stdin is /dev/null: on the terminal of whoever runs the tests, the
# command would take its foreground (container-tty).
run_container() {
	local log=$1; shift
	timeout "${CTIMEOUT:-60}" unshare --pid --fork --mount --mount-proc --propagation private \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin WORK="$WORK" "$LUAINIT" "$@" </dev/null >"$log" 2>&1
}

# expect_rc WHAT WANT GOT: fail the test (exit 1) unless GOT is WANT.
expect_rc() {
	if [ "$3" != "$2" ]; then echo "$1: exit status $3, expected $2"; exit 1; fi
	echo "$1: exit status $3"
}
