# The shell checks' common part: count passed and failed checks, and say
# which failed. Sourced by tests/*-checks.sh.
# shellcheck shell=sh
passed=0
failed=0

# check NAME COMMAND...: run the command, its output hidden unless
# CHECK_SHOW_OUTPUT=1, and count it.
check() {
	name=$1
	shift
	if [ "${CHECK_SHOW_OUTPUT:-0}" = 1 ]; then
		"$@"
	else
		"$@" > /dev/null 2>&1
	fi && passed=$((passed + 1)) && return 0
	failed=$((failed + 1))
	echo "FAILED: $name"
}

# summary WHAT: the counts; fails when a check did.
summary() {
	echo "$1 checks: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
