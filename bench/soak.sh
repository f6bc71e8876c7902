#!/bin/bash
# make soak: muricle on a flaky simulated bus under load for SOAK_TIME
# seconds (default 600): 1,000 keep-alive clients reading the page, measure
# requests back to back, a SIGHUP every 5 s, and injected EIO bursts, NACKs
# and stalls. Reports resident memory over the run and every error; exits
# non-zero if the daemon died, a request failed or memory kept growing.
# Not part of make check: it takes ten minutes.
# Usage: bench/soak.sh path/to/muricled
set -eu
bin=$1
seconds=${SOAK_TIME:-600}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=""
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
ulimit -n 4096

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s/^#\?listen = .*/listen = 127.0.0.1:$port/" -e 's/^interval = .*/interval = 1/' \
	-e 's/^min_gap = .*/min_gap = 0/' -e 's/^timeout = .*/timeout = 1/' \
	-e 's/^history = .*/history = 24/' -e 's/^history_flush = .*/history_flush = 5/' \
	"$here/../etc/muricle.conf" > "$tmp/muricle.conf"
# The file ends in its [simulation] section: the faults join it.
printf 'eio_rate = 0.02\nnack_rate = 0.01\nstall_rate = 0.005\nstall = 2\n' >> "$tmp/muricle.conf"
STATE_DIRECTORY=$tmp "$bin" --simulate -c "$tmp/muricle.conf" 2> "$tmp/daemon.log" &
daemon=$!
pids="$daemon"
for _ in $(seq 100); do
	curl -s -o /dev/null "http://127.0.0.1:$port/" && break
	sleep 0.1
done
rss() { awk '/^VmRSS/ {print $2}' "/proc/$daemon/status"; }
sleep 5
rss_start=$(rss)

# The measure posts and the reloads, counted.
( n=0 bad=0
  end=$(($(date +%s) + seconds))
  while [ "$(date +%s)" -lt "$end" ]; do
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST \
		"http://127.0.0.1:$port/api/v1/measure" || echo 000)
	n=$((n + 1))
	[ "$code" = 200 ] || bad=$((bad + 1))
  done
  echo "$n $bad" > "$tmp/measures" ) &
measurer=$!
pids="$pids $!"
( n=0
  end=$(($(date +%s) + seconds))
  while [ "$(date +%s)" -lt "$end" ]; do
	sleep 5
	kill -HUP "$daemon" && n=$((n + 1))
  done
  echo "$n" > "$tmp/reloads" ) &
reloader=$!
pids="$pids $!"
( while kill -0 "$daemon" 2>/dev/null; do rss >> "$tmp/rss"; sleep 10; done ) &
pids="$pids $!"
# Memory once the load is on and every connection has its buffers: the
# baseline that growth is measured from.
warm=$((seconds / 10 < 10 ? 10 : seconds / 10))
( sleep "$warm"; rss > "$tmp/rss_warm" ) &
pids="$pids $!"

wrk -t 2 -c 1000 -d "${seconds}s" --timeout 10s "http://127.0.0.1:$port/" > "$tmp/wrk.txt" 2>&1 || true
wait "$measurer" "$reloader"
alive=yes
kill -0 "$daemon" 2>/dev/null || alive=no
rss_end=$(rss 2>/dev/null || echo 0)
rss_max=$(sort -n "$tmp/rss" | tail -n 1)
rss_warm=$(cat "$tmp/rss_warm")
read -r measures measure_bad < "$tmp/measures"
reloads=$(cat "$tmp/reloads")
requests=$(awk '/requests in/ {print $1}' "$tmp/wrk.txt")
status=0
[ -n "$requests" ] || { cat "$tmp/wrk.txt" >&2; requests=0; status=1; }
socket_errors=$(sed -n 's/.*Socket errors: //p' "$tmp/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk.txt")
# Error lines that are not the injected faults' sensor errors.
others=$(grep '^<[0-3]>' "$tmp/daemon.log" | grep -cv '^<3>sensor ' || true)
faults=$(grep -c '^<3>sensor ' "$tmp/daemon.log" || true)

echo "soak: ${seconds} s on $(nproc) cores, $(uname -m)"
echo "  page: ${requests:-0} requests from 1000 keep-alive clients; non-2xx: ${non2xx:-0};" \
	"socket errors: ${socket_errors:-none}"
echo "  measure posts: $measures, failed: $measure_bad; SIGHUPs: $reloads"
echo "  sensor error lines (injected faults): $faults; other error lines: $others"
echo "  RSS: ${rss_start} kB idle, ${rss_warm} kB after ${warm} s of load, ${rss_max} kB at" \
	"most, ${rss_end} kB at the end (growth under load $((rss_end - rss_warm)) kB);" \
	"daemon alive: $alive"
[ "$alive" = yes ] || status=1
[ "${non2xx:-0}" = 0 ] || status=1
[ "$measure_bad" = 0 ] || status=1
[ "$others" = 0 ] || { grep '^<[0-3]>' "$tmp/daemon.log" | grep -v '^<3>sensor ' | head >&2; status=1; }
# Memory: at most 1 MiB more than once warm (the history fills a little).
[ $((rss_end - rss_warm)) -le 1024 ] || status=1
exit $status
