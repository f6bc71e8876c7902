#!/bin/sh
# What a Prometheus and Grafana user installs from share/: the alerting
# rules pass promtool's checks and unit tests (tests/prometheus/), name only
# metrics the daemon exports, and the dashboard is valid JSON that asks for
# an instance variable. Usage: tests/prometheus-checks.sh BINARY
set -u
bin=$1
top=$(cd "$(dirname "$0")/.." && pwd)
rules=$top/share/prometheus/muricle-alerts.yml
dashboard=$top/share/grafana/muricle-dashboard.json
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

check "promtool check rules" promtool check rules "$rules"
check "promtool test rules" sh -c "cd '$top/tests/prometheus' && promtool test rules alerts.test.yml"

# The metrics a daemon exports, MQTT (not connected) included.
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
port=$(shuf -i 20000-60000 -n 1)
cat > "$dir/muricle.conf" <<CONF
[daemon]
listen = 127.0.0.1:$port
history = 0
[bme280 env]
[mq135 air]
[button b]
gpio = GPIO27
[mqtt]
host = 127.0.0.1
port = 1
CONF
STATE_DIRECTORY=$dir "$bin" --simulate -c "$dir/muricle.conf" 2> "$dir/log" &
pid=$!
metrics=""
for _ in $(seq 50); do
	metrics=$(curl -sf "http://127.0.0.1:$port/metrics") && break
	sleep 0.1
done
exported() { echo "$metrics" | grep -q "^# TYPE $1 "; }
names=$(grep -o 'muricle_[a-z_]*' "$rules" | sort -u)
for m in $names; do
	check "the rules' $m is exported" exported "$m"
done
# Literal metric names in the dashboard (not the parts of its regexes).
names=$(grep -o 'muricle_[a-z_]*{' "$dashboard" | tr -d '{' | sort -u)
for m in $names; do
	check "the dashboard's $m is exported" exported "$m"
done

check "the dashboard is JSON" node -e 'JSON.parse(require("fs").readFileSync(process.argv[1]))' "$dashboard"
check "the dashboard has an instance variable" grep -q '"name": "instance"' "$dashboard"

summary prometheus
