# Shared by the VM test scripts (sourced): counting checks and waiting.
# shellcheck shell=sh
passed=0
failed=0
t0=$(date +%s)

ok() {
	passed=$((passed + 1))
	echo "ok [$(($(date +%s) - t0)) s]: $*"
}
fail() {
	failed=$((failed + 1))
	echo "FAILED [$(($(date +%s) - t0)) s]: $*"
}
# check DESCRIPTION COMMAND...
check() {
	d=$1
	shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}
# wait_for SECONDS COMMAND...: until the command succeeds, by the clock
# (under emulation every process start is slow, so no counting of tries).
wait_for() {
	end=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}
