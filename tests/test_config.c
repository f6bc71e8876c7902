/* The configuration file: defaults, the example file, and every error. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "testutil.h"

static struct config cfg;

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
	ck_assert_str_eq(cfg.listen_host, "127.0.0.1");
	ck_assert_uint_eq(cfg.listen_port, 8080);
	ck_assert_uint_eq(cfg.nsensors, 4);
	ck_assert_int_eq(cfg.sensors[0].kind, KIND_BLINKER);
	ck_assert_str_eq(cfg.sensors[0].gpio, "GPIO17");
	ck_assert_double_eq(cfg.sensors[0].blink, 5);
	ck_assert_int_eq(cfg.sensors[1].kind, KIND_BUTTON);
	ck_assert_str_eq(cfg.sensors[1].gpio, "GPIO27");
	ck_assert_int_eq(cfg.sensors[2].kind, KIND_BMP180);
	ck_assert_str_eq(cfg.sensors[2].bus, "/dev/i2c-1");
	ck_assert_uint_eq(cfg.sensors[2].address, 0x77);
	ck_assert_int_eq(cfg.sensors[3].kind, KIND_MQ135);
	ck_assert_uint_eq(cfg.sensors[3].address, 0x48);
	ck_assert_str_eq(cfg.sensors[3].temperature_from, "barometer");
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
	ck_assert_str_eq(cfg.listen_host, "::1");
	ck_assert_uint_eq(cfg.listen_port, 9000);
	ck_assert_str_eq(cfg.title, "Kitchen <Pi>");
	ck_assert_uint_eq(cfg.stale_after, 3);
	ck_assert_double_eq(cfg.timeout, 5);
	ck_assert_str_eq(cfg.sensors[0].name, "blinker");
	ck_assert(cfg.sensors[0].active_low);
	ck_assert_double_eq(cfg.sensors[0].blink, 0.25);
	ck_assert_str_eq(cfg.sensors[1].name, "roof");
	ck_assert_str_eq(cfg.sensors[1].bus, "/dev/i2c-1");
	ck_assert_uint_eq(cfg.sensors[1].address, 0x76);
	ck_assert_uint_eq(cfg.sensors[1].oversampling, 0);
	ck_assert_double_eq(cfg.sensors[1].sea_level, 1013.25);
	free(err);

	err = parse("[bme280 env]\noversampling_pressure = 16\n[bmp280]\naddress = 0x77\n", &rc);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_int_eq(cfg.sensors[0].kind, KIND_BME280);
	ck_assert_uint_eq(cfg.sensors[0].address, 0x76);
	ck_assert_uint_eq(cfg.sensors[0].os_t, 1);
	ck_assert_uint_eq(cfg.sensors[0].os_p, 16);
	ck_assert_uint_eq(cfg.sensors[0].os_h, 1);
	ck_assert_int_eq(cfg.sensors[1].kind, KIND_BMP280);
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

START_TEST(lists)
{
	ck_assert(config_list_has("a, bar ,c", "bar"));
	ck_assert(config_list_has("a,bar", "a"));
	ck_assert(!config_list_has("a,bar", "ba"));
	ck_assert(!config_list_has("", "a"));
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
	tcase_add_test(tc, lists);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
