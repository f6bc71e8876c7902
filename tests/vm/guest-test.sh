#!/bin/sh
# Runs inside the test VM, chrooted into the host's root (for arm64, a root
# of Debian's arm64 packages), as root. The kernel's gpio-sim and i2c-stub
# stand in for a Raspberry Pi's GPIO header and I2C bus; the daemon is the
# host-built (or cross-built) binary, unchanged.
#
# Expected values come from the datasheets' formulas for the preloaded
# registers (worked out with their floating-point versions), not from the
# daemon's own code.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
work=$1
daemon=$work/muricled
mods=/run/muricle-vm
url=http://127.0.0.1:8080
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
# near A B TOLERANCE
near() {
	[ -n "$1" ] && awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(d <= t && -d <= t) }'
}
# The JSON of one sensor, from the API's single line.
sensor() {
	curl -s --max-time 20 "$url/api/v1/sensors" |
		sed 's/},{"name":/}\n{"name":/g' | grep "\"name\":\"$1\""
}
value() { sensor "$1" | sed -n "s/.*\"$2\":{\"value\":\([^,]*\),.*/\1/p"; }
status() { sensor "$1" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'; }
is_status() { [ "$(status "$1")" = "$2" ]; }
measurements() { curl -s --max-time 20 "$url/api/v1/sensors" | sed -n 's/^{"measurements":\([0-9]*\),.*/\1/p'; }

# --- GPIO: a gpio-sim chip whose lines carry the Pi's names -----------------
cfs=/sys/kernel/config/gpio-sim/pi
mkdir "$cfs" "$cfs/bank0"
echo 28 > "$cfs/bank0/num_lines"
for n in 17 27; do
	mkdir "$cfs/bank0/line$n"
	echo "GPIO$n" > "$cfs/bank0/line$n/name"
done
echo 1 > "$cfs/live"
line() { echo "/sys/devices/platform/$(cat "$cfs/dev_name")/$(cat "$cfs/bank0/chip_name")/sim_gpio$1"; }
check "gpio-sim chip is live" test -d "$(line 17)"

# --- I2C: i2c-stub with a BMP180, a BME280 and an ADS1115 -------------------
# The BMP180 (first address) has its result registers 0xF4-0xF8 banked on
# the command written to 0xF4, so the temperature and the pressure
# conversions each read their own result. Banks work with byte transfers
# only: the stub offers no I2C-block transfers, and the daemon falls back.
load_stub() {
	"$mods/busybox" insmod "$mods/i2c-stub.ko" chip_addr="$1" bank_reg=0xf4 bank_mask=0xf0 \
		bank_start=0xf4 bank_end=0xf8 functionality=0x007f0000
}
set_bytes() { # ADDR REG BYTE...
	a=$1
	r=$2
	shift 2
	for b in "$@"; do
		i2cset -y 0 "$a" "$r" "$b"
		r=$((r + 1))
	done
}
preload() {
	# BMP180: the datasheet's worked example (AC1..MD, UT=27898, UP=23843 at oss 0).
	set_bytes 0x77 0xd0 0x55
	set_bytes 0x77 0xaa 0x01 0x98 0xff 0xb8 0xc7 0xd1 0x7f 0xe5 0x7f 0xf5 0x5a 0x71 \
		0x18 0x2e 0x00 0x04 0x80 0x00 0xdd 0xf9 0x0b 0x34
	set_bytes 0x77 0xf4 0x2e 0x00 0x6c 0xfa        # bank 2: temperature
	set_bytes 0x77 0xf4 0x34 0x00 0x5d 0x23 0x00   # bank 3: pressure, oss 0
	set_bytes 0x77 0xf4 0x00
	# BME280 and BMP280: the BMP280 datasheet's example trimming and raw
	# values (adc_T=519888, adc_P=415148), humidity trimming of a real chip,
	# adc_H=0x7000.
	for a in 0x76 $1; do
		set_bytes "$a" 0x88 0x70 0x6b 0x43 0x67 0x18 0xfc 0x7d 0x8e 0x43 0xd6 0xd0 0x0b \
			0x27 0x0b 0x8c 0x00 0xf9 0xff 0x8c 0x3c 0xf8 0xc6 0x70 0x17 0x00 0x4b
		set_bytes "$a" 0xf7 0x65 0x5a 0xc0 0x7e 0xed 0x00 0x70 0x00
	done
	set_bytes 0x76 0xd0 0x60
	set_bytes 0x76 0xe1 0x6a 0x01 0x00 0x14 0x24 0x03 0x1e
	[ -n "$1" ] && set_bytes "$1" 0xd0 0x58
	# ADS1115: conversion result 8000 (1.000 V at 4.096 V full scale), most
	# significant byte first, so the SMBus word (low byte first) is 0x401f.
	i2cset -y 0 0x48 0x00 0x401f w
}
load_stub 0x77,0x76,0x48,0x3c
check "i2c-stub is /dev/i2c-0" test -c /dev/i2c-0
preload ""

# --- The daemon -------------------------------------------------------------
cat > "$work/muricle.conf" << 'CONF'
[daemon]
listen = 127.0.0.1:8080
interval = 30
min_gap = 0
[blinker led]
gpio = GPIO17
blink = 3
[button push]
gpio = GPIO27
[bmp180 baro]
bus = /dev/i2c-0
address = 0x77
oversampling = 0
[bme280 env]
bus = /dev/i2c-0
address = 0x76
[mq135 air]
bus = /dev/i2c-0
address = 0x48
temperature_from = env
humidity_from = env
[bmp280 late]
bus = /dev/i2c-0
address = 0x70
[display]
bus = /dev/i2c-0
address = 0x3c
values = env.temperature
page_seconds = 3600
pixel_shift = false
CONF
"$daemon" -v -c "$work/muricle.conf" > "$work/daemon.log" 2>&1 &
pid=$!
check "daemon serves" wait_for 60 curl -s -o /dev/null --max-time 5 "$url/"
echo "daemon: $(grep -o 'GPIO through libgpiod [0-9.]*' "$work/daemon.log")"

# A measurement that waits for every sensor, then the values.
curl -s --max-time 60 -X POST "$url/api/v1/measure" > /dev/null
check "BMP180 ok" is_status baro ok
check "BMP180 temperature 15.0 degC" near "$(value baro temperature)" 15.0 0.001
check "BMP180 pressure 699.64 hPa" near "$(value baro pressure)" 699.64 0.001
check "BME280 ok" is_status env ok
check "BME280 temperature 25.08 degC" near "$(value env temperature)" 25.08 0.001
check "BME280 pressure 1006.53 hPa" near "$(value env pressure)" 1006.53 0.011
check "BME280 humidity 43.7 %" near "$(value env humidity)" 43.68 0.1
check "ADS1115 voltage 1.000 V" near "$(value air voltage)" 1.000 0.0005
check "MQ135 resistance 40.00 kOhm" near "$(value air resistance)" 40.00 0.005
check "MQ135 ppm 706" near "$(value air ppm)" 705.5 1
check "MQ135 rzero 62.27 kOhm" near "$(value air rzero)" 62.27 0.01
check "MQ135 corrected ppm 635 (25.08 degC, 43.7 %)" near "$(value air corrected_ppm)" 634.7 2

# --- The display: i2c-stub at 0x3c takes its transfers ----------------------
# The stub has no I2C-block transfers, so each byte goes in a transfer of
# its own after its control byte: commands after 0x00, display data after
# 0x40. The stub keeps the last byte written after each: 0x00 ends up
# holding the last command, 0x40 a data byte, and the registers after them
# stay untouched (a write to reg+i, as for a sensor, would fill them).
disp() { curl -s --max-time 20 "$url/api/v1/sensors" | sed -n 's/.*"display":{\([^}]*\)}.*/\1/p'; }
disp_has() { disp | grep -q "$1"; }
disp_count() { disp | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
check "display ok" wait_for 60 disp_has '"status":"ok"'
check "display shows env temperature" disp_has '"page":"env/temperature"'
check "a whole frame went: set-up, 8 page commands, 32 chunks" test "$(disp_count transfers)" -ge 41
reg_is() { [ "$(i2cget -y 0 0x3c "$1")" = "$2" ]; }
check "commands went after control byte 0x00 (the last: a page's column, 0x10)" wait_for 20 reg_is 0x00 0x10
untouched() {
	for r in 0x01 0x02 0x20 0x3f 0x41 0x42 0x5f 0x80; do reg_is "$r" 0x00 || return 1; done
}
check "the bytes after the control bytes were not written to registers after them" untouched
mirror_lit() { curl -s --max-time 20 "$url/api/v1/display" | grep -q '<rect x='; }
check "the mirror shows the frame" mirror_lit
# Hours off, around now: the display is told so, and says so.
sed -i "/^pixel_shift/a off_between = $(date -d '-1 min' +%H:%M)-$(date -d '+3 min' +%H:%M)" "$work/muricle.conf"
kill -HUP "$pid"
check "display off for its off hours" wait_for 30 disp_has '"status":"off"'
check "the last command it got: display off (0xae)" wait_for 20 reg_is 0x00 0xae

# A device that does not answer: an error that says so, and no number.
check "absent BMP280 is in error" is_status late error
late_json() { sensor late | grep -q "$1"; }
check "its error names the address" late_json 'no device answers at 0x70 on /dev/i2c-0'
check "its values are null" late_json '"pressure":{"value":null'

# --- The LED: lit while measuring, dark after the blink time ----------------
led_is() { [ "$(cat "$(line 17)/value")" = "$1" ]; }
check "LED dark before" wait_for 10 led_is 0 # the last measurement's blink ends
# Watched while the request runs: on a loaded machine the answer can come
# after the blink is over.
curl -s --max-time 60 -X POST "$url/measure" > /dev/null &
post=$!
check "LED lit while measuring" wait_for 20 led_is 1
lit_at=$(date +%s.%N)
wait "$post"
# A loaded machine can only make the blink look shorter from here (it was
# seen lit a little after it started): a lower bound that still catches a
# LED going dark early.
check "LED dark again" wait_for 20 led_is 0
lit_for=$(awk -v a="$lit_at" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
check "LED stayed lit for its 3 s (${lit_for} s)" awk -v t="$lit_for" 'BEGIN { exit !(t >= 2.0) }'

# --- The button: pulling its line low measures everything -------------------
check "button line pulled up by the daemon's bias" test "$(cat "$(line 27)/value")" = 1
before=$(measurements)
echo pull-down > "$(line 27)/pull"
logged() { grep -q "$1" "$work/daemon.log"; }
value_is() { [ "$(value "$1" "$2")" = "$3" ]; }
measured_since() { [ "$(measurements)" -gt "$1" ]; }
check "press is seen" wait_for 10 logged 'button push pressed: measuring'
check "press counted" wait_for 5 value_is push presses 1
check "press measured (after $before)" wait_for 10 measured_since "$before"
echo pull-up > "$(line 27)/pull"
check "release seen" wait_for 5 value_is push pressed false

# --- The missing device appears: the sensor recovers by itself --------------
# The daemon lets go of the bus when idle, so the stub can be reloaded.
check "i2c-stub unloads" wait_for 20 "$mods/busybox" rmmod i2c_stub
load_stub 0x77,0x76,0x48,0x70,0x3c
# Preloading is byte by byte: a BMP180 command the daemon writes meanwhile
# would switch the stub's register bank under it. Freeze the daemon for it.
kill -STOP "$pid"
preload 0x70
kill -CONT "$pid"
check "BMP280 recovers without a restart" wait_for 40 is_status late ok
check "BMP280 temperature 25.08 degC" near "$(value late temperature)" 25.08 0.001
check "BMP280 pressure 1006.53 hPa" near "$(value late pressure)" 1006.53 0.011
check "BMP180 ok again" wait_for 40 is_status baro ok
check "the failure was logged once" test "$(grep -c '<3>sensor late' "$work/daemon.log")" = 1
check "the recovery was logged" grep -q '<5>sensor late: recovered after error' "$work/daemon.log"

# --- Shutdown ----------------------------------------------------------------
kill -TERM "$pid"
wait "$pid"
check "daemon exits 0 on SIGTERM" test $? = 0
check "LED dark after shutdown" test "$(cat "$(line 17)/value")" = 0

echo "--- daemon log"
cat "$work/daemon.log"
echo "vm checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
