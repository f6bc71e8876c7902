#!/bin/sh
# make bench: muricle on simulated hardware on loopback, measured the same
# way each time, beside nginx serving a saved copy of its page in the same
# run. Prints a table and writes it, with the machine and bench/notes.md,
# to bench/results.md.
# A benchmark, not a test: nothing here fails on a slow machine.
#
# Usage: bench/run.sh MURICLED
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
dur=${BENCH_SECONDS:-10}
tmp=$(mktemp -d /tmp/muricle-bench.XXXXXX)
mport=18080
nport=18081
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# The reference board, simulated; sampling every minute as installed.
sed -e "s/^listen = .*/listen = 127.0.0.1:$mport/" "$here/../etc/muricle.conf" > "$tmp/muricle.conf"
# Readiness through a notify socket, timed from the start.
python3 - "$tmp/notify" > "$tmp/ready" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while b"READY=1" not in s.recv(4096):
    pass
print("%.6f" % time.time())
PY
pids="$pids $!"
sleep 0.5
start=$(date +%s%N)
NOTIFY_SOCKET=$tmp/notify "$bin" --simulate -c "$tmp/muricle.conf" 2> "$tmp/daemon.log" &
mpid=$!
pids="$pids $mpid"
while ! curl -s -o /dev/null "http://127.0.0.1:$mport/"; do sleep 0.01; done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 1
notify_ready_ms=$(awk -v r="$(cat "$tmp/ready")" -v s="$start" 'BEGIN { printf "%.1f", (r - s / 1e9) * 1000 }')

# nginx with a copy of the page, one worker like muricle's one loop.
mkdir -p "$tmp/www" "$tmp/nginx"
curl -s "http://127.0.0.1:$mport/" > "$tmp/www/index.html"
cat > "$tmp/nginx/nginx.conf" <<NGX
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx;
	proxy_temp_path $tmp/nginx;
	fastcgi_temp_path $tmp/nginx;
	uwsgi_temp_path $tmp/nginx;
	scgi_temp_path $tmp/nginx;
	server {
		listen 127.0.0.1:$nport;
		root $tmp/www;
		location = / { default_type "text/html; charset=utf-8"; try_files /index.html =404; }
	}
}
NGX
nginx -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
pids="$pids $!"
sleep 0.5

# wrk: keep-alive, 64 connections, 2 threads. Prints "rps p50 p99".
load() {
	wrk -t2 -c64 -d"${dur}s" --latency "$1" > "$tmp/wrk.out" 2>&1
	awk '/Requests\/sec/ { rps = $2 }
	     /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
	     END { print rps, p50, p99 }' "$tmp/wrk.out"
}
rss_kb() { awk '/^Rss:/ { print $2 }' "/proc/$mpid/smaps_rollup"; }
anon_kb() { awk '/^Private_Dirty:/ { print $2 }' "/proc/$mpid/smaps_rollup"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$mpid/stat"; }

idle_rss=$(rss_kb)
idle_anon=$(anon_kb)

# Idle: CPU and wakeups (epoll_wait returns) over a quiet minute.
idle_secs=${BENCH_IDLE_SECONDS:-60}
t_before=$(ticks)
timeout "$idle_secs" strace -f -c -e trace=epoll_wait -p "$mpid" -o "$tmp/strace.out" 2> /dev/null || true
t_after=$(ticks)
wakeups=$(awk '/epoll_wait/ { print $4 }' "$tmp/strace.out")
idle_cpu_ms=$(( (t_after - t_before) * 1000 / $(getconf CLK_TCK) ))

# shellcheck disable=SC2046 # "rps p50 p99"
set -- $(load "http://127.0.0.1:$mport/")
page_rps=$1 page_p50=$2 page_p99=$3
# shellcheck disable=SC2046 # "rps p50 p99"
set -- $(load "http://127.0.0.1:$mport/api/v1/sensors")
api_rps=$1 api_p50=$2 api_p99=$3
# shellcheck disable=SC2046 # "rps p50 p99"
set -- $(load "http://127.0.0.1:$nport/")
ngx_rps=$1 ngx_p50=$2 ngx_p99=$3

# GET / while 4 clients measure back to back; their round trips.
clients=""
for i in 1 2 3 4; do
	(end=$(($(date +%s) + dur + 2))
	 while [ "$(date +%s)" -lt "$end" ]; do
		curl -s -o /dev/null -w '%{time_total}\n' -X POST "http://127.0.0.1:$mport/api/v1/measure"
	 done) > "$tmp/measure.$i" &
	clients="$clients $!"
done
sleep 1
# shellcheck disable=SC2046 # "rps p50 p99"
set -- $(load "http://127.0.0.1:$mport/")
busy_rps=$1 busy_p50=$2 busy_p99=$3
# shellcheck disable=SC2086 # a list of pids
wait $clients
measure_median_ms=$(cat "$tmp"/measure.* | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] * 1000 }')
measures=$(cat "$tmp"/measure.* | wc -l)
# The floor: the slowest sensor's datasheet time, the BMP180 at oversampling 3.
floor_ms=30.0

# RSS with 1,000 keep-alive connections open.
python3 - "$mport" "$mpid" > "$tmp/conns" <<'PY'
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
socks = []
for _ in range(1000):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /api/v1/sensors HTTP/1.1\r\nHost: b\r\n\r\n")
    socks.append(s)
time.sleep(1)
for s in socks:
    s.recv(65536)
rss = [l.split()[1] for l in open("/proc/%s/smaps_rollup" % pid) if l.startswith("Rss:")][0]
print(rss)
PY
conn_rss=$(cat "$tmp/conns")

# RSS after at least 1,000,000 requests.
before_m=$(rss_kb)
total=0
while [ "$total" -lt 1000000 ]; do
	wrk -t2 -c64 -d"${dur}s" "http://127.0.0.1:$mport/api/v1/sensors" > "$tmp/wrk.out" 2>&1
	n=$(awk '/requests in/ { print $1 }' "$tmp/wrk.out")
	total=$((total + n))
done
after_m=$(rss_kb)
size=$(stat -c %s "$bin")

ratio=$(awk -v a="$page_rps" -v b="$ngx_rps" 'BEGIN { printf "%.2f", a / b }')
machine="$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(uname -r)"

{
	echo "# muricle benchmark"
	echo
	echo "$(date -u +%Y-%m-%d), $machine; wrk -t2 -c64 -d${dur}s keep-alive; simulated reference board."
	echo
	echo "| what | result |"
	echo "|---|---|"
	echo "| GET / | $page_rps req/s, p50 $page_p50, p99 $page_p99 |"
	echo "| GET /api/v1/sensors | $api_rps req/s, p50 $api_p50, p99 $api_p99 |"
	echo "| nginx, the same page as a static file (1 worker) | $ngx_rps req/s, p50 $ngx_p50, p99 $ngx_p99 |"
	echo "| GET / as a share of nginx | $ratio |"
	echo "| GET / while 4 clients measure back to back | $busy_rps req/s, p50 $busy_p50, p99 $busy_p99 |"
	echo "| measure round trip, median of $measures | $measure_median_ms ms (hardware floor $floor_ms ms) |"
	echo "| idle RSS / private dirty | $idle_rss kB / $idle_anon kB |"
	echo "| RSS with 1,000 keep-alive connections | $conn_rss kB |"
	echo "| RSS before / after $total requests | $before_m kB / $after_m kB |"
	echo "| idle ${idle_secs} s: CPU, epoll_wait returns | $idle_cpu_ms ms, ${wakeups:-0} |"
	echo "| start to READY=1 (notify) / to first answer | $notify_ready_ms ms / $ready_ms ms |"
	echo "| binary size | $size bytes |"
} > "$tmp/table.md"
cat "$tmp/table.md"
# results.md: this run's table, then the notes kept by hand (bench/notes.md).
cat "$tmp/table.md" "$here/notes.md" > "$here/results.md"
