/* The configuration file: defaults, the example file, and every error. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blinker.h"
#include "bme280.h"
#include "bmp180.h"
#include "buf.h"
#include "button.h"
#include "config.h"
#include "driver.h"
#include "file.h"
#include "mq135.h"
#include "testutil.h"

static struct config cfg;

#define CONF(i, T) config_driver_conf(&cfg.sensors[i], struct T)
extern const struct driver blinker_driver, button_driver, bmp180_driver, bme280_driver,
        bmp280_driver, mq135_driver;

/* Parse text; return the errors (empty string when it parsed). */
static char *parse(const char *text, int *rc)
{
	struct buf e;

	buf_init(&e);
	*rc = config_parse(&cfg, "t.conf", text, &e);
	return buf_steal(&e, NULL);
}

START_TEST(embedded_default_is_the_reference_board)
{
	int rc;
	char *err = parse(config_embedded, &rc);

	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_str_eq(cfg.listen.host, "127.0.0.1");
	ck_assert_uint_eq(cfg.listen.port, 8080);
	ck_assert(!cfg.listen.given); /* the default: no notice under socket activation */
	ck_assert_uint_eq(cfg.nsensors, 4);
	ck_assert_ptr_eq(cfg.sensors[0].driver, &blinker_driver);
	ck_assert_str_eq(CONF(0, blinker_conf)->gpio.line, "GPIO17");
	ck_assert_double_eq(CONF(0, blinker_conf)->blink, 5);
	ck_assert_ptr_eq(cfg.sensors[1].driver, &button_driver);
	ck_assert_str_eq(CONF(1, button_conf)->gpio.line, "GPIO27");
	ck_assert_ptr_eq(cfg.sensors[2].driver, &bmp180_driver);
	ck_assert_str_eq(CONF(2, bmp180_conf)->i2c.bus, "/dev/i2c-1");
	ck_assert_uint_eq(CONF(2, bmp180_conf)->i2c.address, 0x77);
	ck_assert_ptr_eq(cfg.sensors[3].driver, &mq135_driver);
	ck_assert_uint_eq(CONF(3, mq135_conf)->i2c.address, 0x48);
	ck_assert_str_eq(CONF(3, mq135_conf)->temperature_from, "barometer");
	free(err);
}
END_TEST

START_TEST(example_file_loads)
{
	struct buf e;
	static struct config from_file;

	buf_init(&e);
	ck_assert_msg(config_load(&from_file, "etc/muricle.conf", &e) == 0, "%s", e.data);
	ck_assert_uint_eq(from_file.nsensors, 4);
	buf_free(&e);
}
END_TEST

START_TEST(defaults_and_values)
{
	int rc;
	char *err = parse("; comment\n# comment\n[daemon]\ninterval = 2.5 ; inline\n"
	                  "listen = [::1]:9000\ntitle = Kitchen <Pi>\n"
	                  "[blinker]\ngpio = 4\nchip = gpiochip0\nactive_low = yes\nblink = 0.25\n"
	                  "[bmp180 roof]\naddress = 0x76\noversampling = 0\n",
	                  &rc);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_double_eq(cfg.interval, 2.5);
	ck_assert_double_eq(cfg.history, 24);
	ck_assert_double_eq(cfg.history_flush, 600);
	ck_assert_str_eq(cfg.state_dir, "");
	ck_assert_str_eq(cfg.listen.host, "::1");
	ck_assert_uint_eq(cfg.listen.port, 9000);
	ck_assert(cfg.listen.given);
	ck_assert_str_eq(cfg.title, "Kitchen <Pi>");
	ck_assert(!cfg.mqtt.enabled); /* off without its section */
	ck_assert_uint_eq(cfg.stale_after, 3);
	ck_assert_double_eq(cfg.timeout, 5);
	ck_assert_str_eq(cfg.sensors[0].name, "blinker");
	ck_assert(CONF(0, blinker_conf)->gpio.active_low);
	ck_assert_double_eq(CONF(0, blinker_conf)->blink, 0.25);
	ck_assert_str_eq(cfg.sensors[1].name, "roof");
	ck_assert_str_eq(CONF(1, bmp180_conf)->i2c.bus, "/dev/i2c-1");
	ck_assert_uint_eq(CONF(1, bmp180_conf)->i2c.address, 0x76);
	ck_assert_uint_eq(CONF(1, bmp180_conf)->oversampling, 0);
	ck_assert_double_eq(CONF(1, bmp180_conf)->sea_level, 1013.25);
	free(err);

	err = parse("[bme280 env]\noversampling_pressure = 16\n[bmp280]\naddress = 0x77\n", &rc);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_ptr_eq(cfg.sensors[0].driver, &bme280_driver);
	ck_assert_uint_eq(CONF(0, bme280_conf)->i2c.address, 0x76);
	ck_assert_uint_eq(CONF(0, bme280_conf)->os_t, 1);
	ck_assert_uint_eq(CONF(0, bme280_conf)->os_p, 16);
	ck_assert_uint_eq(CONF(0, bme280_conf)->os_h, 1);
	ck_assert_ptr_eq(cfg.sensors[1].driver, &bmp280_driver);
	ck_assert_str_eq(cfg.sensors[1].name, "bmp280");
	free(err);
}
END_TEST

static const char ok_sensor[] = "[blinker led]\ngpio = GPIO17\n";

static const struct {
	const char *text;
	const char *error;
} bad[] = {
	{ "[sensors]\n", "t.conf:1: unknown section [sensors]" },
	{ "[daemon]\nintervall = 5\n",
	  "t.conf:2: unknown key 'intervall' (known here: listen, title" },
	{ "[daemon]\ninterval = abc\n",
	  "t.conf:2: 'interval' must be a number from 0.1 to 86400, not 'abc'" },
	{ "[daemon]\ninterval = 0\n", "t.conf:2: 'interval' must be a number" },
	{ "[daemon]\ninterval = nan\n", "t.conf:2: 'interval' must be a number" },
	{ "[daemon]\ninterval = 5s\n", "t.conf:2: 'interval' must be a number" },
	{ "[daemon]\ninterval = 5\n\ninterval = 6\n", "t.conf:4: 'interval' is given twice" },
	{ "interval = 5\n", "t.conf:1: 'interval' is outside any section" },
	{ "[daemon]\nstale_after = -1\n",
	  "t.conf:2: 'stale_after' must be a whole number from 1 to 1000" },
	{ "[daemon]\nlisten = localhost:80\n", "t.conf:2: 'listen' must be ADDRESS:PORT" },
	{ "[daemon]\nlisten = 127.0.0.1:0\n", "t.conf:2: 'listen' must be" },
	{ "[daemon]\nlisten = 127.0.0.1:65536\n", "t.conf:2: 'listen' must be" },
	{ "[daemon]\nlisten = 8080\n", "t.conf:2: 'listen' must be" },
	{ "[daemon]\nlisten = [::1:80\n", "t.conf:2: 'listen' must be" },
	{ "[daemon]\ntitle = "
	  "0123456789012345678901234567890123456789012345678901234567890123456789\n",
	  "t.conf:2: 'title' is too long (at most 64 characters)" },
	{ "[daemon x]\n", "t.conf:1: [daemon] takes no name" },
	{ "[]\n", "t.conf:1: empty section name" },
	{ "[blinker led]\ngpio = GPIO17\nactive_low = maybe\n",
	  "t.conf:3: 'active_low' must be true or false, not 'maybe'" },
	{ "[blinker led]\n", "t.conf:1: [blinker led] needs 'gpio'" },
	{ "[blinker led]\ngpio = 17\n",
	  "t.conf:1: [blinker led]: gpio = 17 is a line offset, so it needs 'chip' too" },
	{ "[blinker a]\ngpio = GPIO4\n[blinker b]\ngpio = GPIO4\n",
	  "t.conf:3: 'a' and 'b' both use GPIO line GPIO4" },
	{ "[bmp180 x]\naddress = 0x78\n",
	  "t.conf:2: 'address' must be a 7-bit I2C address from 0x03 to 0x77, not '0x78'" },
	{ "[bmp180 x]\naddress = seventy\n", "t.conf:2: 'address' must be a 7-bit I2C address" },
	{ "[bmp180 x]\noversampling = 4\n",
	  "t.conf:2: 'oversampling' must be a whole number from 0 to 3, not '4'" },
	{ "[bmp180 x]\n[bmp180 y]\n", "t.conf:2: 'x' and 'y' both use address 0x77 on /dev/i2c-1" },
	{ "[bmp180 x]\n[blinker x]\ngpio = GPIO1\n",
	  "t.conf:2: sensor name 'x' is already used at line 1" },
	{ "[bmp180 my baro]\n",
	  "t.conf:1: section [bmp180 my baro...]: a sensor section is [TYPE] or [TYPE NAME]" },
	{ "[bmp180 b@d]\n", "t.conf:1: sensor name 'b@d': use 1 to 32 letters" },
	{ "[bmp180]\nblink = 5\n", "t.conf:2: unknown key 'blink' (known here: bus, address" },
	{ "[bme280 x]\noversampling_humidity = 3\n",
	  "t.conf:2: 'oversampling_humidity' must be 1, 2, 4, 8 or 16, not '3'" },
	{ "[bmp280 x]\noversampling_humidity = 1\n",
	  "t.conf:2: unknown key 'oversampling_humidity'" },
	{ "[bme280 a]\n[bmp280 b]\n", "t.conf:2: 'a' and 'b' both use address 0x76 on /dev/i2c-1" },
	{ "[bmp180 a]\n[bme280 b]\naddress = 0x77\n",
	  "t.conf:2: 'a' and 'b' both use address 0x77" },
	{ "[mq135x air]\n", "t.conf:1: unknown section [mq135x]" },
	{ "[daemon]\n", "t.conf: no sensors configured" },
	{ "[daemon]\njust some words\n", "t.conf:2: cannot read this line" },
	{ "[daemon\n", "t.conf:1: cannot read this line" },
	{ "[simulation]\ni2c_delay = -1\n", "t.conf:2: 'i2c_delay' must be a number from 0 to 10" },
	{ "[daemon]\nhistory = -1\n", "t.conf:2: 'history' must be a number from 0 to 8760" },
	{ "[daemon]\nhistory_flush = 0\n", "t.conf:2: 'history_flush' must be a number from 1" },
	{ "[daemon]\ninterval = 1\nhistory = 48\n", "t.conf: history = 48 h at interval = 1 s is "
	                                            "172800 readings per value, more than 100000" },
	{ "[daemon]\nstate_directory = var/lib\n",
	  "t.conf: state_directory = var/lib: give an absolute path" },
	{ "[mq135 air]\ndata_rate = -1\n",
	  "t.conf:2: 'data_rate' must be one of 8, 16, 32, 64, 128, 250, 475, 860, not '-1'" },
	{ "[mq135 air]\ndata_rate = 1e10\n", "t.conf:2: 'data_rate' must be one of" },
	{ "[mq135 air]\nrange = nan\n",
	  "t.conf:2: 'range' must be one of 6.144, 4.096, 2.048, 1.024, 0.512, 0.256, not 'nan'" },
	/* Calibration. */
	{ "[bmp180 x]\nhumidity.offset = 1\n",
	  "t.conf:2: 'humidity.offset': [bmp180] has no value 'humidity' to calibrate (it has: "
	  "temperature, pressure, altitude)" },
	{ "[blinker x]\ngpio = GPIO4\nled.offset = 1\n",
	  "t.conf:3: 'led.offset': [blinker] has no value 'led' to calibrate (it has: none)" },
	{ "[bmp180 x]\ntemperature.shift = 1\n",
	  "t.conf:2: 'temperature.shift': a value takes .offset, .factor or .calibrate" },
	{ "[bmp180 x]\ntemperature.offset = warm\n",
	  "t.conf:2: 'temperature.offset' must be a number from -1e6 to 1e6, not 'warm'" },
	{ "[bmp180 x]\ntemperature.offset = inf\n", "t.conf:2: 'temperature.offset' must be" },
	{ "[bmp180 x]\ntemperature.factor = 0\n",
	  "t.conf:2: 'temperature.factor' must be a non-zero number" },
	{ "[bmp180 x]\ntemperature.offset = 1\ntemperature.offset = 2\n",
	  "t.conf:3: 'temperature.offset' is given twice in this section" },
	{ "[bmp180 x]\ntemperature.offset = 1\ntemperature.calibrate = 0 -> 1, 10 -> 11\n",
	  "t.conf:3: 'temperature.calibrate': temperature.calibrate sets the factor and offset "
	  "itself" },
	{ "[bmp180 x]\ntemperature.calibrate = 0 -> 1\n",
	  "t.conf:2: 'temperature.calibrate' must be 2 to 8 points 'RAW -> REAL'" },
	{ "[bmp180 x]\ntemperature.calibrate = 0 -> 1, 10 => 11\n",
	  "t.conf:2: 'temperature.calibrate' must be 2 to 8 points" },
	{ "[bmp180 x]\ntemperature.calibrate = 0->1,1->2,2->3,3->4,4->5,5->6,6->7,7->8,8->9\n",
	  "t.conf:2: 'temperature.calibrate' must be 2 to 8 points" },
	{ "[bmp180 x]\ntemperature.calibrate = 5 -> 1, 5 -> 2\n",
	  "t.conf:2: 'temperature.calibrate': these points give no usable line" },
	{ "[bmp180 x]\ntemperature.calibrate = 1 -> 5, 2 -> 5\n",
	  "t.conf:2: 'temperature.calibrate': these points give no usable line" },
	{ "[daemon]\ninterval.offset = 1\n", "t.conf:2: unknown key 'interval.offset'" },
	/* MQTT. */
	{ "[mqtt]\nport = 1883\n", "t.conf:1: [mqtt] needs 'host'" },
	{ "[mqtt]\nhost = b\nport = 0\n",
	  "t.conf:3: 'port' must be a whole number from 1 to 65535" },
	{ "[mqtt]\nhost = b\nqos = 3\n", "t.conf:3: 'qos' must be a whole number from 0 to 2" },
	{ "[mqtt]\nhost = b\npassword = x\n",
	  "t.conf:3: unknown key 'password' (known here: host" },
	{ "[mqtt x]\n", "t.conf:1: [mqtt] takes no name" },
	{ "[mqtt]\nhost = b\nca_file = /etc/ca.pem\n",
	  "t.conf:1: [mqtt]: ca_file, cert_file and key_file need tls = true" },
	{ "[mqtt]\nhost = b\ntls = yes\ncert_file = /c.pem\n",
	  "t.conf:1: [mqtt]: give cert_file and key_file together" },
	{ "[mqtt]\nhost = b\nprotocol = 4\n",
	  "t.conf:3: 'protocol' must be one of 3.1.1, 5, not '4'" },
};

START_TEST(each_error_is_reported_with_its_line)
{
	int rc;
	char text[1024];

	/* Add a good sensor where the case needs one, after the tested lines. */
	snprintf(text, sizeof text, "%s%s", bad[_i].text,
	         strstr(bad[_i].error, "no sensors") || strstr(bad[_i].text, "[blinker") ||
	                         strstr(bad[_i].text, "[bmp180")
	                 ? ""
	                 : ok_sensor);
	char *err = parse(text, &rc);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(err, bad[_i].error) != NULL, "case %d: wanted \"%s\" in:\n%s", _i,
	              bad[_i].error, err);
	free(err);
}
END_TEST

START_TEST(long_line)
{
	int rc;
	char text[600];

	snprintf(text, sizeof text, "%s[daemon]\ntitle = %0300d\n", ok_sensor, 0);
	char *err = parse(text, &rc);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(err, "t.conf:4: line is longer than"), "%s", err);
	free(err);
}
END_TEST

START_TEST(several_errors_at_once)
{
	int rc;
	char *err = parse("[daemon]\ninterval = x\ntimeout = y\n[blinker]\n", &rc);

	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(strstr(err, "t.conf:2:"));
	ck_assert_ptr_nonnull(strstr(err, "t.conf:3:"));
	ck_assert_ptr_nonnull(strstr(err, "t.conf:4:"));
	free(err);
}
END_TEST

START_TEST(file_problems)
{
	struct buf e;
	char *dir = tu_tempdir();

	buf_init(&e);
	ck_assert_int_eq(config_load(&cfg, "/nonexistent/muricle.conf", &e), -1);
	ck_assert_msg(strstr(e.data, "/nonexistent/muricle.conf: cannot read: No such file"), "%s",
	              e.data);
	buf_reset(&e);
	ck_assert_int_eq(config_load(&cfg, dir, &e), -1);
	ck_assert_msg(strstr(e.data, "not a regular file"), "%s", e.data);
	buf_reset(&e);
	char *path = tu_write_file(dir, "bin.conf", "[daemon]\n");
	FILE *f = fopen(path, "a");
	fputc('\0', f);
	fclose(f);
	ck_assert_int_eq(config_load(&cfg, path, &e), -1);
	ck_assert_msg(strstr(e.data, "contains a NUL byte"), "%s", e.data);
	free(path);
	free(dir);
	buf_free(&e);
}
END_TEST

/* Whatever bytes a file holds, parsing ends with a verdict, never a crash
 * (this runs under ASan and UBSan in `make check SANITIZE=1`). */
START_TEST(random_input_never_crashes)
{
	static const char *pieces[] = { "[",      "]",    "daemon",  "blinker", "bmp180",
		                        " x",     "=",    ":",       "\n",      ";",
		                        "#",      "gpio", "address", "0x",      "77",
		                        "listen", "[::",  "\t",      "\xff",    "interval",
		                        "1e999",  "-",    " " };
	unsigned seed = 12345;
	char text[512];

	for (int round = 0; round < 3000; round++) {
		size_t len = 0;
		int n = rand_r(&seed) % 60;
		for (int i = 0; i < n; i++) {
			const char *p = pieces[rand_r(&seed) % (sizeof pieces / sizeof pieces[0])];
			if (len + strlen(p) + 1 >= sizeof text)
				break;
			strcpy(text + len, p);
			len += strlen(p);
		}
		text[len] = '\0';
		int rc;
		char *err = parse(text, &rc);
		ck_assert(rc == 0 || rc == -1);
		ck_assert(rc == 0 || err[0] != '\0'); /* a rejection always says why */
		free(err);
	}
}
END_TEST

/* The fit is least squares; two points give the line through them. */
START_TEST(calibration)
{
	int rc;
	char *err = parse("[bme280 env]\ntemperature.offset = -2.5\npressure.factor = 1.001\n"
	                  "humidity.calibrate = 20 -> 22, 80 -> 79\n"
	                  "[bmp180 b]\ntemperature.calibrate = 0 -> 1, 10 -> 11.2, 20 -> 20.8\n"
	                  "pressure.offset = 1.5\npressure.factor = 2\n",
	                  &rc);
	const struct calib *c = cfg.sensors[0].calib;

	ck_assert_msg(rc == 0, "%s", err);
	/* bme280 values: temperature, pressure, humidity, altitude. */
	ck_assert(c[0].set && c[0].factor == 1 && c[0].offset == -2.5);
	ck_assert(c[1].set && c[1].factor == 1.001 && c[1].offset == 0);
	ck_assert(c[2].set);
	ck_assert_double_eq_tol(c[2].factor, 57.0 / 60.0, 1e-12);
	ck_assert_double_eq_tol(c[2].offset, 22 - 20 * 57.0 / 60.0, 1e-12);
	ck_assert(!c[3].set && c[3].factor == 1 && c[3].offset == 0);
	c = cfg.sensors[1].calib;
	/* Least squares through (0,1) (10,11.2) (20,20.8): slope 0.99, intercept 1.1. */
	ck_assert_double_eq_tol(c[0].factor, 0.99, 1e-12);
	ck_assert_double_eq_tol(c[0].offset, 1.1, 1e-12);
	ck_assert(c[1].factor == 2 && c[1].offset == 1.5);
	free(err);
}
END_TEST

/* Keys live in tables, so a kind may have as many as it needs: a section
 * with every key of the MQ135 (23) given once parses, and each repeated
 * one is caught, the last as well as the first. */
START_TEST(every_key_counts_once)
{
	struct buf text;
	int rc;

	for (const struct driver *const *d = drivers; *d != NULL; d++) {
		buf_init(&text);
		buf_printf(&text, "[%s x]\n", (*d)->kind);
		size_t n = 0;
		for (const struct conf_key *k = (*d)->keys; k->name != NULL; k++, n++)
			buf_printf(&text, "%s = %s\n", k->name,
			           k->def                         ? k->def
			           : strcmp(k->name, "gpio") == 0 ? "GPIO5"
			                                          : "");
		/* The driver's validation may want more than defaults (a source
		 * sensor); only the key accounting is checked here. */
		char *err = parse(text.data, &rc);
		ck_assert_msg(strstr(err, "given twice") == NULL, "%s: %s", (*d)->kind, err);
		free(err);
		const struct conf_key *last = &(*d)->keys[n - 1];
		buf_printf(&text, "%s = %s\n", last->name, last->def ? last->def : "");
		err = parse(text.data, &rc);
		ck_assert_int_eq(rc, -1);
		ck_assert_msg(strstr(err, "is given twice") != NULL, "%s: %s", (*d)->kind, err);
		free(err);
		buf_free(&text);
	}
	for (const struct driver *const *d = drivers; *d != NULL; d++)
		if (strcmp((*d)->kind, "mq135") == 0) {
			size_t n = 0;
			for (const struct conf_key *k = (*d)->keys; k->name != NULL; k++)
				n++;
			ck_assert_uint_ge(n, 23);
		}
}
END_TEST

/* muricle.conf(5) lists every key with its default and range: the part
 * between the KEYS markers is config_describe's output (make man writes it). */
START_TEST(man_page_lists_every_key)
{
	char *page = tu_read_file("man/man5/muricle.conf.5");
	struct buf want;

	ck_assert_ptr_nonnull(page);
	buf_init(&want);
	config_describe(&want, true);
	const char *begin = strstr(page, ".\\\" BEGIN KEYS\n");
	const char *end = strstr(page, ".\\\" END KEYS\n");
	ck_assert_msg(begin != NULL && end != NULL, "no KEYS markers in muricle.conf.5");
	begin += strlen(".\\\" BEGIN KEYS\n");
	ck_assert_msg(
	        (size_t)(end - begin) == want.len && memcmp(begin, want.data, want.len) == 0,
	        "man/man5/muricle.conf.5 is not up to date with the key tables: run make man");
	/* And the tables themselves: every key has a doc line. */
	for (const struct driver *const *d = drivers; *d != NULL; d++)
		for (const struct conf_key *k = (*d)->keys; k->name != NULL; k++) {
			ck_assert_msg(k->doc != NULL && k->doc[0] != '\0', "%s.%s", (*d)->kind,
			              k->name);
			ck_assert_msg(strstr(want.data, k->name) != NULL, "%s", k->name);
		}
	buf_free(&want);
	free(page);
}
END_TEST

START_TEST(same_sensor)
{
	static struct config other;
	struct buf e;
	int rc;

	free(parse("[bmp180 b]\noversampling = 2\n[blinker led]\ngpio = GPIO4\n", &rc));
	buf_init(&e);
	ck_assert_int_eq(config_parse(&other, "u",
	                              "[blinker led]\ngpio = GPIO4\n\n"
	                              "[bmp180 b]\noversampling = 2\n",
	                              &e),
	                 0);
	ck_assert(config_sensor_same(&cfg.sensors[0], &other.sensors[1]));
	ck_assert(config_sensor_same(&cfg.sensors[1], &other.sensors[0]));
	ck_assert_int_eq(config_parse(&other, "u", "[bmp180 b]\noversampling = 1\n", &e), 0);
	ck_assert(!config_sensor_same(&cfg.sensors[0], &other.sensors[0]));
	ck_assert_int_eq(config_parse(&other, "u",
	                              "[bmp180 b]\noversampling = 2\npressure.offset = 1\n", &e),
	                 0);
	ck_assert(!config_sensor_same(&cfg.sensors[0], &other.sensors[0]));
	buf_free(&e);
}
END_TEST

START_TEST(lists)
{
	ck_assert(config_list_has("a, bar ,c", "bar"));
	ck_assert(config_list_has("a,bar", "a"));
	ck_assert(!config_list_has("a,bar", "ba"));
	ck_assert(!config_list_has("", "a"));
}
END_TEST

/* Secrets (the MQTT and control passwords): a named file, else the
 * systemd credential, else none; unreadable, empty or too long is an error. */
START_TEST(secrets)
{
	char *dir = tu_tempdir(), out[16], err[4200];
	char *good = tu_write_file(dir, "control-password", "s3cret\nnot this\n");
	char *empty = tu_write_file(dir, "empty", "\n");
	char *big = tu_write_file(dir, "big", "far longer than sixteen bytes\n");

	unsetenv("CREDENTIALS_DIRECTORY");
	ck_assert_int_eq(
	        file_read_secret(good, "control-password", out, sizeof out, err, sizeof err), 1);
	ck_assert_str_eq(out, "s3cret");
	ck_assert_int_eq(file_read_secret("", "control-password", out, sizeof out, err, sizeof err),
	                 0);
	ck_assert_int_eq(file_read_secret(NULL, "x", out, sizeof out, err, sizeof err), 0);
	ck_assert_int_eq(file_read_secret("/nonexistent/pw", "x", out, sizeof out, err, sizeof err),
	                 -1);
	ck_assert_str_eq(err, "cannot read /nonexistent/pw: No such file or directory");
	ck_assert_int_eq(file_read_secret(empty, "x", out, sizeof out, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "is empty"));
	ck_assert_int_eq(file_read_secret(big, "x", out, sizeof out, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than 15 bytes"));
	/* The credential: read when given; none when that one was not passed. */
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	out[0] = '\0';
	ck_assert_int_eq(file_read_secret("", "control-password", out, sizeof out, err, sizeof err),
	                 1);
	ck_assert_str_eq(out, "s3cret");
	ck_assert_int_eq(file_read_secret("", "mqtt-password", out, sizeof out, err, sizeof err),
	                 0);
	unsetenv("CREDENTIALS_DIRECTORY");
	free(good);
	free(empty);
	free(big);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, embedded_default_is_the_reference_board);
	tcase_add_test(tc, example_file_loads);
	tcase_add_test(tc, defaults_and_values);
	tcase_add_loop_test(tc, each_error_is_reported_with_its_line, 0,
	                    (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, several_errors_at_once);
	tcase_add_test(tc, file_problems);
	tcase_add_test(tc, random_input_never_crashes);
	tcase_add_test(tc, calibration);
	tcase_add_test(tc, every_key_counts_once);
	tcase_add_test(tc, man_page_lists_every_key);
	tcase_add_test(tc, same_sensor);
	tcase_add_test(tc, lists);
	tcase_add_test(tc, secrets);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
