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
	# The daemon saves its history into $tmp as it stops: let it finish.
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# Servers on the first core, load generators on the others, so that the
# load's own CPU time does not show up as the server's latency.
cores=$(nproc)
if [ "$cores" -ge 2 ]; then
	server="taskset -c 0"
	client="taskset -c 1-$((cores - 1))"
else
	server="" client=""
fi

# The reference board, simulated; sampling every minute as installed.
# min_gap = 0: the "while measuring" rows keep the sensors measuring back to
# back (with the installed 5 s gap those posts would be answered from the
# last round and measure almost nothing).
sed -e "s/^#\?listen = .*/listen = 127.0.0.1:$mport/" -e 's/^min_gap = .*/min_gap = 0/' \
	"$here/../etc/muricle.conf" > "$tmp/muricle.conf"
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
STATE_DIRECTORY=$tmp NOTIFY_SOCKET=$tmp/notify $server "$bin" --simulate -c "$tmp/muricle.conf" 2> "$tmp/daemon.log" &
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
$server nginx -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
pids="$pids $!"
sleep 0.5

# wrk's latency line ("50%  1.47ms") in ms, whatever unit wrk chose.
wrk_ms() {
	awk -v q="$1" '$1 == q { v = $2; f = 1
		if (v ~ /us$/) f = 0.001; else if (v ~ /ms$/) f = 1; else if (v ~ /s$/) f = 1000
		sub(/[a-z]+$/, "", v); printf "%.2f", v * f; exit }' "$2"
}
# wrk: keep-alive, 64 connections, 2 threads. Prints "rps p50_ms p99_ms".
load() {
	$client wrk -t2 -c64 -d"${dur}s" --latency "$1" > "$tmp/wrk.out" 2>&1
	echo "$(awk '/Requests\/sec/ { print $2 }' "$tmp/wrk.out")" \
		"$(wrk_ms 50% "$tmp/wrk.out")" "$(wrk_ms 99% "$tmp/wrk.out")"
}
# The median of the numbers in column $1 of file $2.
median() { sort -g -k "$1" "$2" | awk -v c="$1" '{ a[NR] = $c } END { print a[int((NR + 1) / 2)] }'; }
rss_kb() { awk '/^Rss:/ { print $2 }' "/proc/$mpid/smaps_rollup"; }
anon_kb() { awk '/^Private_Dirty:/ { print $2 }' "/proc/$mpid/smaps_rollup"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$mpid/stat"; }

idle_rss=$(rss_kb)
idle_anon=$(anon_kb)

# The reference for footprint: libmicrohttpd in a libevent loop and nothing
# else (bench/bare.c), built with the same compiler flags.
bport=18082
# shellcheck disable=SC2046 # pkg-config's flags are words
cc -O2 -o "$tmp/bare" "$here/bare.c" $(pkg-config --cflags --libs libevent_core libmicrohttpd)
$server "$tmp/bare" "$bport" &
bpid=$!
pids="$pids $bpid"
# The same answering the page's bytes (saved for nginx above): the library's
# ceiling for a body of the page's size.
bpport=18087
$server "$tmp/bare" "$bpport" "$tmp/www/index.html" &
bppid=$!
pids="$pids $bppid"
while ! curl -s -o /dev/null "http://127.0.0.1:$bport/"; do sleep 0.01; done
while ! curl -s -o /dev/null "http://127.0.0.1:$bpport/"; do sleep 0.01; done
bare_rss=$(awk '/^Rss:/ { print $2 }' "/proc/$bpid/smaps_rollup")
bare_anon=$(awk '/^Private_Dirty:/ { print $2 }' "/proc/$bpid/smaps_rollup")
# Where muricled's RSS goes, by mapping: the five largest.
rss_top=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { n = ($6 == "" ? "[anon]" : $6); sub(/.*\//, "", n) }
	/^Rss:/ { r[n] += $2 } END { for (n in r) print r[n], n }' "/proc/$mpid/smaps" |
	sort -rn | head -n 5 | awk '{ printf "%s%s %s kB", (NR > 1 ? ", " : ""), $2, $1 }')

# Idle: CPU and wakeups (epoll_wait returns) over a quiet minute.
idle_secs=${BENCH_IDLE_SECONDS:-60}
t_before=$(ticks)
timeout "$idle_secs" strace -f -c -e trace=epoll_wait -p "$mpid" -o "$tmp/strace.out" 2> /dev/null || true
t_after=$(ticks)
wakeups=$(awk '/epoll_wait/ { print $4 }' "$tmp/strace.out")
idle_cpu_ms=$(( (t_after - t_before) * 1000 / $(getconf CLK_TCK) ))

# shellcheck disable=SC2046 # "rps p50 p99"
set -- $(load "http://127.0.0.1:$mport/api/v1/sensors")
api_rps=$1 api_p50=$2 api_p99=$3
# shellcheck disable=SC2046 # "rps p50 p99"
set -- $(load "http://127.0.0.1:$mport/metrics")
met_rps=$1 met_p50=$2 met_p99=$3

# GET / alone, then while 4 clients measure back to back (wrk posting, so
# the load generator costs little), three times each, interleaved, with
# nginx's reference in the same rounds: medians, so one noisy run on a
# shared machine does not decide a ratio.
printf 'wrk.method = "POST"\n' > "$tmp/post.lua"
: > "$tmp/alone"
: > "$tmp/busy"
: > "$tmp/ngx"
: > "$tmp/bare.rps"
: > "$tmp/barepage.rps"
: > "$tmp/rtt"
for _ in 1 2 3; do
	load "http://127.0.0.1:$mport/" >> "$tmp/alone"
	load "http://127.0.0.1:$nport/" >> "$tmp/ngx"
	load "http://127.0.0.1:$bport/" >> "$tmp/bare.rps"
	load "http://127.0.0.1:$bpport/" >> "$tmp/barepage.rps"
	$client wrk -t1 -c4 -d"$((dur + 2))s" --latency -s "$tmp/post.lua" \
		"http://127.0.0.1:$mport/api/v1/measure" > "$tmp/measure.out" 2>&1 &
	measurer=$!
	sleep 1
	load "http://127.0.0.1:$mport/" >> "$tmp/busy"
	wait "$measurer"
	echo "$(wrk_ms 50% "$tmp/measure.out")" \
		"$(awk '/requests in/ { print $1 }' "$tmp/measure.out")" >> "$tmp/rtt"
done
page_rps=$(median 1 "$tmp/alone") page_p50=$(median 2 "$tmp/alone") page_p99=$(median 3 "$tmp/alone")
ngx_rps=$(median 1 "$tmp/ngx") ngx_p50=$(median 2 "$tmp/ngx") ngx_p99=$(median 3 "$tmp/ngx")
bare_rps=$(median 1 "$tmp/bare.rps") bare_p50=$(median 2 "$tmp/bare.rps") bare_p99=$(median 3 "$tmp/bare.rps")
bp_rps=$(median 1 "$tmp/barepage.rps") bp_p50=$(median 2 "$tmp/barepage.rps") bp_p99=$(median 3 "$tmp/barepage.rps")
kill "$bpid" "$bppid"
busy_rps=$(median 1 "$tmp/busy") busy_p50=$(median 2 "$tmp/busy") busy_p99=$(median 3 "$tmp/busy")
measure_median_ms=$(median 1 "$tmp/rtt")
measures=$(awk '{ n += $2 } END { print n }' "$tmp/rtt")
# The same measuring with nothing else going on.
$client wrk -t1 -c4 -d"${dur}s" --latency -s "$tmp/post.lua" \
	"http://127.0.0.1:$mport/api/v1/measure" > "$tmp/measure.out" 2>&1
quiet_rtt_ms=$(wrk_ms 50% "$tmp/measure.out")
# The floor: the slowest sensor's datasheet time, the BMP180 at oversampling 3.
floor_ms=30.0

# Bus sharing: the display and the sensors on one simulated bus that
# carries a transfer at a time at 100 kHz (bus_khz), one client measuring
# back to back, with the reference board's display and without it.
# Prints "p50_ms avg_ms p99_ms rounds".
bus_rtt() {
	sed -e "s/^#\?listen = .*/listen = 127.0.0.1:18083/" -e 's/^min_gap = .*/min_gap = 0/' \
		-e 's/^bus_khz = .*/bus_khz = 100/' "$here/../etc/muricle.conf" > "$tmp/bus.conf"
	if [ "$1" = without ]; then
		awk '/^\[/ { skip = ($0 == "[display]") } !skip' "$tmp/bus.conf" > "$tmp/bus2.conf"
		mv "$tmp/bus2.conf" "$tmp/bus.conf"
	fi
	mkdir -p "$tmp/bus"
	STATE_DIRECTORY=$tmp/bus $server "$bin" --simulate -c "$tmp/bus.conf" 2> "$tmp/bus.log" &
	bus_pid=$!
	while ! curl -s -o /dev/null "http://127.0.0.1:18083/"; do sleep 0.01; done
	$client wrk -t1 -c1 -d"${dur}s" --latency -s "$tmp/post.lua" \
		"http://127.0.0.1:18083/api/v1/measure" > "$tmp/bus.out" 2>&1
	kill "$bus_pid"
	wait "$bus_pid" || true
	echo "$(wrk_ms 50% "$tmp/bus.out")" "$(wrk_ms Latency "$tmp/bus.out")" \
		"$(wrk_ms 99% "$tmp/bus.out")" "$(awk '/requests in/ { print $1 }' "$tmp/bus.out")"
}
# shellcheck disable=SC2046 # "p50 avg p99 rounds"
set -- $(bus_rtt without)
nodisp_p50=$1 nodisp_avg=$2 nodisp_p99=$3 nodisp_n=$4
# shellcheck disable=SC2046 # "p50 avg p99 rounds"
set -- $(bus_rtt with)
disp_p50=$1 disp_avg=$2 disp_p99=$3 disp_n=$4
bus_ratio=$(awk -v a="$disp_avg" -v b="$nodisp_avg" 'BEGIN { printf "%.3f", a / b }')

# RSS with 1,000 keep-alive connections open.
python3 - "$mport" "$mpid" > "$tmp/conns" <<'PY'
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
socks = []
for _ in range(1000):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /api/v1/sensors HTTP/1.1\r\nHost: localhost\r\n\r\n")
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
	$client wrk -t2 -c64 -d"${dur}s" "http://127.0.0.1:$mport/api/v1/sensors" > "$tmp/wrk.out" 2>&1
	n=$(awk '/requests in/ { print $1 }' "$tmp/wrk.out")
	total=$((total + n))
done
after_m=$(rss_kb)
size=$(stat -c %s "$bin")

# Instructions per request, counted by callgrind: the same for the same
# binaries and requests whatever else the machine does, unlike req/s. Each
# server runs under valgrind; after 200 requests to warm it up, the count
# is zeroed, 2,000 requests are made one after another on one keep-alive
# connection (bench/requests.py), and the count dumped.
# instr PORT PATH COMMAND...: prints instructions per request.
instr() {
	iport=$1 ipath=$2
	shift 2
	rm -f "$tmp"/cg.out*
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$@" > /dev/null 2> "$tmp/cg.log" &
	ipid=$!
	while ! curl -s -o /dev/null "http://127.0.0.1:$iport$ipath"; do sleep 0.1; done
	python3 "$here/requests.py" "$iport" "$ipath" 200
	callgrind_control -z "$ipid" > /dev/null 2>&1
	python3 "$here/requests.py" "$iport" "$ipath" 2000
	callgrind_control -d "$ipid" > /dev/null 2>&1
	kill "$ipid"
	wait "$ipid" || true
	awk '/^summary:/ { printf "%.0f", $2 / 2000 }' "$tmp/cg.out.1"
}
# muricled without the display and sampling hourly, so that nothing but
# the requests runs while they are counted.
sed -e "s/^#\?listen = .*/listen = 127.0.0.1:18084/" -e 's/^interval = .*/interval = 3600/' \
	"$here/../etc/muricle.conf" | awk '/^\[/ { skip = ($0 == "[display]") } !skip' > "$tmp/instr.conf"
mkdir -p "$tmp/instr"
ins_page=$(STATE_DIRECTORY=$tmp/instr instr 18084 / "$bin" --simulate -c "$tmp/instr.conf")
ins_api=$(STATE_DIRECTORY=$tmp/instr instr 18084 /api/v1/sensors "$bin" --simulate -c "$tmp/instr.conf")
ins_bare=$(instr 18086 / "$tmp/bare" 18086)
# nginx closes a connection after 1,000 requests unless told otherwise.
sed -e "s/127.0.0.1:$nport/127.0.0.1:18085/" -e "s|nginx.pid|nginx-cg.pid|" \
	-e "s|access_log off;|access_log off; keepalive_requests 1000000;|" \
	"$tmp/nginx/nginx.conf" > "$tmp/nginx/instr.conf"
ins_ngx=$(instr 18085 / nginx -c "$tmp/nginx/instr.conf" -g 'daemon off; master_process off;')

ratio=$(awk -v a="$page_rps" -v b="$ngx_rps" 'BEGIN { printf "%.2f", a / b }')
bare_ratio=$(awk -v a="$page_rps" -v b="$bare_rps" 'BEGIN { printf "%.2f", a / b }')
bp_ratio=$(awk -v a="$page_rps" -v b="$bp_rps" 'BEGIN { printf "%.2f", a / b }')
api_bare=$(awk -v a="$api_rps" -v b="$bare_rps" 'BEGIN { printf "%.2f", a / b }')
api_ngx=$(awk -v a="$api_rps" -v b="$ngx_rps" 'BEGIN { printf "%.2f", a / b }')
ins_ratio=$(awk -v a="$ins_page" -v b="$ins_bare" 'BEGIN { printf "%.2f", a / b }')
ins_api_ratio=$(awk -v a="$ins_api" -v b="$ins_bare" 'BEGIN { printf "%.2f", a / b }')
p99_ratio=$(awk -v a="$busy_p99" -v b="$page_p99" 'BEGIN { printf "%.2f", a / b }')
rtt_ratio=$(awk -v a="$measure_median_ms" -v b="$floor_ms" 'BEGIN { printf "%.2f", a / b }')
quiet_ratio=$(awk -v a="$quiet_rtt_ms" -v b="$floor_ms" 'BEGIN { printf "%.2f", a / b }')
machine="$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(uname -r)"

{
	echo "# muricle benchmark"
	echo
	echo "$(date -u +%Y-%m-%d), $machine; wrk -t2 -c64 -d${dur}s keep-alive; simulated reference board; servers pinned to core 0${client:+, load to the others}."
	echo
	echo "| what | result |"
	echo "|---|---|"
	echo "| GET / (median of 3) | $page_rps req/s, p50 $page_p50 ms, p99 $page_p99 ms |"
	echo "| GET /api/v1/sensors | $api_rps req/s, p50 $api_p50 ms, p99 $api_p99 ms |"
	echo "| GET /metrics | $met_rps req/s, p50 $met_p50 ms, p99 $met_p99 ms |"
	echo "| nginx, the same page as a static file, 1 worker (median of 3) | $ngx_rps req/s, p50 $ngx_p50 ms, p99 $ngx_p99 ms |"
	echo "| bench/bare.c: libmicrohttpd in a libevent loop answering a 3-byte body, the library's ceiling (median of 3) | $bare_rps req/s, p50 $bare_p50 ms, p99 $bare_p99 ms |"
	echo "| the same answering the page's $(stat -c %s "$tmp/www/index.html") bytes (saved from GET /; median of 3) | $bp_rps req/s, p50 $bp_p50 ms, p99 $bp_p99 ms |"
	echo "| GET / as a share of nginx / of bare / of bare with the page | $ratio / $bare_ratio / $bp_ratio |"
	echo "| GET /api/v1/sensors as a share of nginx / of bare | $api_ngx / $api_bare |"
	echo "| instructions per request (callgrind, 2,000 in a row on one connection): GET /, GET /api/v1/sensors | $ins_page ($ins_ratio x bare), $ins_api ($ins_api_ratio x bare) |"
	echo "| the same for bench/bare.c, nginx (GET / from the saved page) | $ins_bare, $ins_ngx |"
	echo "| GET / while 4 clients measure back to back (median of 3) | $busy_rps req/s, p50 $busy_p50 ms, p99 $busy_p99 ms; p99 $p99_ratio x alone |"
	echo "| measure round trip during that, median over $measures | $measure_median_ms ms, $rtt_ratio x the hardware floor of $floor_ms ms |"
	echo "| measure round trip with no other load | $quiet_rtt_ms ms, $quiet_ratio x the floor |"
	echo "| measure round trip, one client, on a 100 kHz bus without the display | p50 $nodisp_p50 ms, mean $nodisp_avg ms, p99 $nodisp_p99 ms ($nodisp_n rounds) |"
	echo "| the same with the display on that bus | p50 $disp_p50 ms, mean $disp_avg ms, p99 $disp_p99 ms ($disp_n rounds); mean $bus_ratio x without |"
	echo "| idle RSS / private dirty | $idle_rss kB / $idle_anon kB (largest: $rss_top) |"
	echo "| the same for bench/bare.c (libmicrohttpd + libevent, nothing else) | $bare_rss kB / $bare_anon kB |"
	echo "| RSS with 1,000 keep-alive connections | $conn_rss kB |"
	echo "| RSS before / after $total requests | $before_m kB / $after_m kB |"
	echo "| idle ${idle_secs} s: CPU, epoll_wait returns | $idle_cpu_ms ms, ${wakeups:-0} |"
	echo "| start to READY=1 (notify) / to first answer | $notify_ready_ms ms / $ready_ms ms |"
	echo "| binary size | $size bytes |"
} > "$tmp/table.md"
cat "$tmp/table.md"
# results.md: this run's table, then the notes kept by hand (bench/notes.md).
cat "$tmp/table.md" "$here/notes.md" > "$here/results.md"
