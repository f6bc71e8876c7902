// The sensor page in a real browser: headless Chromium (Debian's package)
// driven by playwright-core, against muricled on simulated hardware.
//
//   MURICLED=build/plain/muricled node tests/browser/page.test.mjs
//
// Checks: the charts show the history of a daemon that ran before (it
// survives a restart; that daemon runs 90 minutes in the past under
// faketime, so the range choice has something to leave out); MEASURE
// updates values, status, the measurement line and the LED without
// reloading the page; the charts are drawn with points, titles, value and
// time axes, and get new ones, each with a CSV download; a point is read on
// hover and with the arrow keys; the range (1 h, 24 h, 7 d, all) and the
// units (°F, inHg, ...) are chosen on the page and survive a reload, while
// the API keeps its units; labels are words, a missing value says why, the
// MQ135 card links its guide, a blinker that never goes dark is warned of,
// the button shows its last press and no chart; the stream reconnects after
// the daemon restarts; the display's mirror changes with its pages; on a phone the cards are compact and the charts open
// on request; the page works without JavaScript; with a control password, a
// wrong one is refused and the right one measures; no console errors.
// Screenshots go to $ARTIFACTS (default build/artifacts).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const daemon = process.env.MURICLED || "build/plain/muricled";
const artifacts = process.env.ARTIFACTS || "build/artifacts";
const chromePath = process.env.CHROMIUM || "/usr/bin/chromium";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "muricle-browser-"));
let failures = 0;

function step(name) {
	console.log("-- " + name);
}

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.on("error", reject);
		srv.listen(0, "127.0.0.1", () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

function config(port, interval, blink, i2cDelay, passwordFile = "", simulation = "") {
	const file = path.join(dir, `muricle-${interval}${passwordFile ? "-pw" : ""}${simulation ? "-sim" : ""}.conf`);
	fs.writeFileSync(
		file,
		`[daemon]
listen = 127.0.0.1:${port}
min_gap = 0
control_password_file = ${passwordFile}
title = muricle
interval = ${interval}
state_directory = ${dir}
history = 2
history_flush = 60
[blinker led]
gpio = GPIO17
blink = ${blink}
[button measure]
gpio = GPIO27
action = none
[bmp180 barometer]
[mq135 air]
temperature_from = barometer
[display]
page_seconds = 1
[simulation]
i2c_delay = ${i2cDelay}
${simulation}
`,
	);
	return file;
}

// libfaketime (Debian's faketime package), preloaded so that the daemon
// itself is the process that gets the signals.
const faketimeLib = fs
	.readdirSync("/usr/lib")
	.map((d) => `/usr/lib/${d}/faketime/libfaketimeMT.so.1`)
	.find((f) => fs.existsSync(f));

// Start muricled and wait until it answers; `past` runs it that many
// seconds ago.
async function start(conf, port, past = 0) {
	const log = fs.openSync(path.join(dir, "daemon.log"), "a");
	const env = { ...process.env };
	if (past) {
		assert.ok(faketimeLib, "libfaketime is installed (scripts/install-deps.sh test)");
		env.LD_PRELOAD = faketimeLib;
		env.FAKETIME = `-${past}s`;
		/* An AddressSanitizer build wants its runtime first; libfaketime only wraps clocks. */
		env.ASAN_OPTIONS = (env.ASAN_OPTIONS ? env.ASAN_OPTIONS + ":" : "") + "verify_asan_link_order=0";
	}
	const child = spawn(daemon, ["--simulate", "-c", conf], { stdio: ["ignore", log, log], env });
	for (let i = 0; i < 100 && child.exitCode === null; i++) {
		try {
			const r = await fetch(`http://127.0.0.1:${port}/api/v1/sensors`);
			if (r.ok) return child;
		} catch {
			/* not listening yet */
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error("muricled did not answer; see " + path.join(dir, "daemon.log"));
}

function stop(child) {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
	return new Promise((resolve) => {
		child.on("exit", (code, sig) => resolve(code ?? sig));
		child.kill("SIGTERM");
	});
}

// WCAG contrast of the page's text against what is behind it.
function contrasts(page) {
	return page.evaluate(() => {
		const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
		const lum = ([r, g, b]) => {
			const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
			return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
		};
		const behind = (el) => {
			for (let e = el; e; e = e.parentElement) {
				const c = getComputedStyle(e).backgroundColor;
				if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") return c;
			}
			return "rgb(255, 255, 255)";
		};
		const out = {};
		for (const sel of ["h1", ".status", ".meta", "th", ".value", ".why", ".note", ".warning", ".view", "summary", "button", "figcaption", ".readout", ".live", ".sim"]) {
			const el = document.querySelector(sel);
			if (!el) continue;
			const a = lum(rgb(getComputedStyle(el).color));
			const b = lum(rgb(behind(el)));
			out[sel] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
		}
		return out;
	});
}

function enoughContrast(ratios, scheme) {
	for (const [sel, r] of Object.entries(ratios)) assert.ok(r >= 4.5, `${scheme}: ${sel} has contrast ${r.toFixed(2)}:1, under 4.5:1`);
}

async function main() {
	fs.mkdirSync(artifacts, { recursive: true });
	const port = await freePort();

	step("a first daemon, 90 minutes ago, measures every second for 4.5 s, then stops (and saves its history)");
	let d = await start(config(port, 1, 0.2, 0), port, 5400);
	await new Promise((r) => setTimeout(r, 4500));
	assert.equal(await stop(d), 0, "the first daemon exits cleanly");
	assert.ok(fs.existsSync(path.join(dir, "history-simulated")), "the history file exists");

	const browser = await chromium.launch({
		executablePath: chromePath,
		args: ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
	});
	try {
		const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, colorScheme: "light" });
		const page = await context.newPage();
		const problems = [];
		page.on("console", (m) => {
			if (m.type() === "error") problems.push("console: " + m.text());
		});
		page.on("pageerror", (e) => problems.push("page error: " + e.message));
		// A console line about a failed load names no address: this one does.
		page.on("response", (r) => {
			if (r.status() >= 500) console.log(`   (answer ${r.status()} to ${r.request().method()} ${r.url()})`);
		});
		page.on("requestfailed", (r) => {
			// An event stream cut by the daemon's restart is expected below.
			if (!r.url().endsWith("/events")) problems.push("request failed: " + r.url());
		});

		step("a second daemon starts from that history; its I2C is slow (0.4 s a transfer)");
		const conf = config(port, 30, 1, 0.4);
		d = await start(conf, port);
		await page.goto(`http://127.0.0.1:${port}/`);
		await page.waitForSelector("#live.on", { timeout: 10000 });
		await page.evaluate(() => (window.stayed = true));

		step("the barometer's status goes from pending to ok without a reload");
		const baroStatus = 'section[data-sensor="barometer"] .status';
		assert.equal(await page.textContent(baroStatus), "pending");
		await page.waitForFunction((sel) => document.querySelector(sel).textContent === "ok", baroStatus, { timeout: 15000 });
		assert.equal(await page.getAttribute(baroStatus, "class"), "status status-ok");
		assert.match(await page.textContent('section[data-sensor="barometer"] .age'), /^Last good reading \d+ s ago\.$/);
		assert.equal(await page.evaluate(() => window.stayed), true, "the page did not reload");

		step("the charts show the earlier history");
		const chart = 'svg.chart[data-sensor="barometer"][data-value="pressure"]';
		await page.waitForSelector(chart);
		const before = Number(await page.getAttribute(chart, "data-points"));
		assert.ok(before >= 4, `the pressure chart has the first daemon's points (${before})`);
		const charts = await page.$$eval("svg.chart", (els) => els.map((e) => ({ v: e.dataset.value, n: Number(e.dataset.points), path: (e.querySelector("path.line") || {}).getAttribute?.("d") || "", title: e.closest("figure").querySelector(".title").textContent, label: e.closest("section").querySelector(`tr[data-value="${e.dataset.value}"] th`).firstChild.textContent, ys: [...e.querySelectorAll("text.y")].map((t) => t.textContent), xs: [...e.querySelectorAll("text.x")].map((t) => t.textContent) })));
		assert.ok(charts.length >= 9, `a chart per value (${charts.length})`);
		for (const c of charts) {
			assert.ok(c.n >= 1, `chart ${c.v} has points`);
			assert.match(c.path, /^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)*/, `chart ${c.v} has a line`);
			assert.equal(c.title, c.label, `chart ${c.v} is titled as its row`);
			assert.ok(c.ys.length >= 2 && c.ys.every((y) => /^-?\d+(\.\d+)?$/.test(y)), `chart ${c.v} has y-axis values (${c.ys})`);
			assert.ok(c.xs.length >= 2 && new Set(c.xs).size === c.xs.length, `chart ${c.v} has distinct time labels (${c.xs})`);
		}
		assert.equal(await page.$$eval('svg.chart[data-value="presses"], svg.chart[data-value="last_press"], svg.chart[data-value="led"]', (e) => e.length), 0, "no chart of a count, a time or an on/off");
		const label = await page.getAttribute(chart, "aria-label");
		assert.match(label, /^Pressure over the last 24 h: min .* hPa, max .* hPa, mean .* hPa, now .* hPa\./, "the chart says what it shows");
		const links = await page.$$eval("figure a.csv", (els) => els.map((e) => e.href));
		assert.equal(links.length, charts.length, "a CSV link under every chart");
		const pressureCsv = links.find((h) => h.includes("sensor=barometer&value=pressure"));
		const csvAnswer = await page.request.get(pressureCsv);
		assert.equal(csvAnswer.status(), 200);
		assert.match(csvAnswer.headers()["content-disposition"] || "", /attachment; filename="muricle-barometer-pressure.csv"/);
		const csvLines = (await csvAnswer.text()).trim().split("\r\n");
		assert.equal(csvLines[0], "sensor,value,unit,time,unix_time,reading", "the CSV's header");
		assert.ok(csvLines.length - 1 >= 4, `the CSV has the first daemon's points (${csvLines.length - 1})`);
		assert.match(csvLines[1], /^barometer,pressure,hPa,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,\d+,\d+\.\d\d$/);

		step("labels are words; the MQ135 card links its guide; the button has a last press and no chart");
		assert.equal(await page.textContent('section[data-sensor="air"] tr[data-value="rzero"] th'), "Resistance R₀ (clean-air reference)");
		assert.equal(await page.getAttribute('section[data-sensor="air"] tr[data-value="rzero"] th', "title"), "rzero");
		assert.match(await page.textContent('section[data-sensor="air"] tr[data-value="ppm"] th'), /estimate/);
		const guide = await page.getAttribute('section[data-sensor="air"] .note a', "href");
		assert.equal(guide, "/static/mq135.html");
		const guidePage = await page.request.get(`http://127.0.0.1:${port}${guide}`);
		assert.equal(guidePage.status(), 200);
		assert.match(await guidePage.text(), /<title>The MQ135 and what its "ppm" means<\/title>/);
		assert.equal(await page.textContent('section[data-sensor="measure"] tr[data-value="last_press"] .value'), "—");
		assert.equal(await page.textContent('section[data-sensor="measure"] tr[data-value="last_press"] .why'), "not pressed since muricle started");

		step("the display's mirror follows the display from page to page (on this slow bus a frame takes seconds)");
		const mirrorAlt = () => page.getAttribute("#display img.mirror", "alt");
		const firstAlt = await mirrorAlt();
		await page.waitForFunction((a) => document.querySelector("#display img.mirror").alt !== a, firstAlt, { timeout: 45000 });
		assert.match(await mirrorAlt(), /^The display shows \w+ \w+$/);
		await page.waitForFunction(() => document.querySelector("#display img.mirror").complete && document.querySelector("#display img.mirror").naturalWidth === 256, null, { timeout: 10000 });
		assert.equal(await page.textContent("#display .status"), "ok");
		const svg = await page.request.get(`http://127.0.0.1:${port}/api/v1/display`);
		assert.equal(svg.status(), 200);
		assert.equal(svg.headers()["content-type"], "image/svg+xml");
		assert.match(await svg.text(), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 128 64"/);

		step("the range: 1 h leaves out the readings of 90 minutes ago, and survives a reload");
		const points = () => page.getAttribute(chart, "data-points").then(Number);
		const day = await points();
		await page.selectOption('select[name="range"]', "3600");
		const hour = await points();
		assert.ok(hour < day, `1 h shows fewer points than 24 h (${hour} < ${day})`);
		assert.match(await page.getAttribute(chart, "aria-label"), /^Pressure over the last 1 h:/);
		assert.match(await page.getAttribute('figure:has(svg[data-value="pressure"]) a.csv', "href"), /&since=\d+$/, "the CSV link follows the range");
		await page.selectOption('select[name="range"]', "0");
		assert.ok((await points()) >= day, "all kept shows at least the 24 h points");
		await page.selectOption('select[name="range"]', "3600");
		await page.reload();
		await page.waitForSelector(chart);
		await page.waitForFunction((sel) => document.querySelector(sel).dataset.points !== undefined, chart);
		assert.equal(await page.inputValue('select[name="range"]'), "3600", "the range survives a reload");
		assert.equal(await points(), hour);
		await page.selectOption('select[name="range"]', "86400");
		await page.evaluate(() => (window.stayed = true));

		step("a point is read on hover and with the keyboard");
		await page.locator(chart).scrollIntoViewIfNeeded();
		const box = await page.locator(chart).boundingBox();
		await page.mouse.move(box.x + box.width - 12, box.y + box.height / 2);
		const readout = 'figure:has(svg[data-value="pressure"]) .readout';
		const hovered = await page.textContent(readout);
		assert.match(hovered, /^\d\d:\d\d:\d\d — \d+\.\d\d hPa$/, `hovering near the end reads the newest point (${hovered})`);
		await page.mouse.move(box.x + 50, box.y + box.height / 2);
		assert.match(await page.textContent(readout), /^(\w{3} \d+, )?\d\d:\d\d:\d\d — \d+\.\d\d hPa$/);
		await page.mouse.move(0, 0);
		assert.equal(await page.textContent(readout), "", "the readout goes with the pointer");
		await page.focus(chart);
		const newest = await page.textContent(readout);
		assert.match(newest, /— \d+\.\d\d hPa$/, "focus reads the newest point");
		await page.keyboard.press("Home");
		const oldest = await page.textContent(readout);
		assert.notEqual(oldest, newest, "Home goes to the oldest point");
		await page.keyboard.press("ArrowRight");
		const second = await page.textContent(readout);
		assert.notEqual(second, oldest, "an arrow moves the readout");
		const drawn = await points();
		assert.equal((await page.request.post(`http://127.0.0.1:${port}/api/v1/measure`)).status(), 200);
		await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel).dataset.points) > n, [chart, drawn], { timeout: 15000 });
		assert.equal(await page.textContent(readout), second, "a new reading leaves the reader on the point read");
		await page.keyboard.press("End");
		const last = await page.textContent(readout);
		assert.ok(last !== newest && /— \d+\.\d\d hPa$/.test(last), `End reads the newest point, the new reading's (${last})`);

		step("units: inHg and °F on the page, kept after a reload; the API keeps hPa and °C");
		const pressureCell = 'section[data-sensor="barometer"] tr[data-value="pressure"] .value';
		await page.selectOption('select[name="unit-pressure"]', "inHg");
		await page.selectOption('select[name="unit-temperature"]', "°F");
		assert.match(await page.textContent(pressureCell), /^(2[89]|3[01])\.\d\d inHg$/);
		assert.match(await page.textContent('section[data-sensor="barometer"] tr[data-value="temperature"] .value'), /^\d+\.\d °F$/);
		assert.match(await page.textContent('figure:has(svg[data-value="pressure"]) .stats'), /inHg/);
		await page.reload();
		await page.waitForFunction((sel) => / inHg$/.test(document.querySelector(sel).textContent), pressureCell, { timeout: 10000 });
		assert.equal(await page.inputValue('select[name="unit-pressure"]'), "inHg", "the unit survives a reload");
		const api = await (await page.request.get(`http://127.0.0.1:${port}/api/v1/sensors`)).json();
		assert.equal(api.sensors.find((x) => x.name === "barometer").values.pressure.unit, "hPa", "the API keeps its unit");
		await page.screenshot({ path: path.join(artifacts, "page-units.png"), fullPage: true });
		await page.selectOption('select[name="unit-pressure"]', "hPa");
		await page.selectOption('select[name="unit-temperature"]', "°C");
		await page.evaluate(() => (window.stayed = true));

		step("MEASURE updates the page without a reload");
		const round = await page.textContent("#round");
		const n0 = Number((round.match(/Measurement (\d+)/) || [0, 0])[1]);
		assert.equal(await page.textContent('section[data-sensor="led"] tr[data-value="led"] .value'), "off");
		await page.click("#measure button");
		await page.waitForFunction(() => document.querySelector('section[data-sensor="led"] tr[data-value="led"] .value').textContent === "on", null, { timeout: 5000 });
		await page.waitForFunction((n) => (document.querySelector("#round").textContent.match(/Measurement (\d+)/) || [0, 0])[1] > n, n0, { timeout: 15000 });
		assert.equal(await page.evaluate(() => window.stayed), true, "the page did not reload");
		const status = await page.textContent('section[data-sensor="barometer"] .status');
		assert.equal(status, "ok");
		const pressure = await page.textContent('section[data-sensor="barometer"] tr[data-value="pressure"] .value');
		assert.match(pressure, /^\d+\.\d\d hPa$/, "pressure shown with its unit");
		await page.waitForFunction((b) => Number(document.querySelector('svg.chart[data-sensor="barometer"][data-value="pressure"]').dataset.points) > b, before, { timeout: 15000 });
		await page.screenshot({ path: path.join(artifacts, "page-led-on.png"), fullPage: true });
		step("the LED goes off again by itself, and the page shows it");
		await page.waitForFunction(() => document.querySelector('section[data-sensor="led"] tr[data-value="led"] .value').textContent === "off", null, { timeout: 5000 });
		await page.screenshot({ path: path.join(artifacts, "page.png"), fullPage: true });

		step("the stream reconnects after the daemon restarts");
		assert.equal(await stop(d), 0);
		await page.waitForSelector("#live.off", { timeout: 10000 });
		d = await start(conf, port);
		await page.waitForSelector("#live.on", { timeout: 15000 });
		assert.equal(await page.evaluate(() => window.stayed), true, "still the same page");

		step("contrast of at least 4.5:1 in light and dark, a phone-sized screen");
		enoughContrast(await contrasts(page), "light");
		await page.emulateMedia({ colorScheme: "dark" });
		enoughContrast(await contrasts(page), "dark");
		await page.screenshot({ path: path.join(artifacts, "page-dark.png"), fullPage: true });
		const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, colorScheme: "light" });
		const small = await phone.newPage();
		await small.goto(`http://127.0.0.1:${port}/`);
		await small.waitForSelector("details.trends:not([hidden])");
		const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow} px too wide)`);
		assert.equal(await small.$$eval("details.trends[open]", (e) => e.length), 0, "on a phone the charts are closed");
		const tall = await small.evaluate(() => document.documentElement.scrollHeight);
		assert.ok(tall <= 1500, `the phone page is compact (${tall} CSS px for five sensors)`);
		await small.screenshot({ path: path.join(artifacts, "page-phone.png"), fullPage: true });
		await small.click('section[data-sensor="barometer"] details.trends summary');
		await small.waitForSelector('section[data-sensor="barometer"] svg.chart[data-value="pressure"]:not([data-points="0"])');
		const drawnWidth = await small.$eval('section[data-sensor="barometer"] svg.chart', (e) => e.viewBox.baseVal.width);
		assert.ok(drawnWidth >= 300, `charts opened on a phone are drawn to its width (${drawnWidth})`);
		await small.screenshot({ path: path.join(artifacts, "page-phone-charts.png"), fullPage: true });
		await phone.close();

		step("keyboard: MEASURE, the choices and the charts can be reached with Tab");
		await page.focus("#measure button");
		await page.keyboard.press("Tab");
		assert.equal(await page.evaluate(() => document.activeElement.name), "range", "Tab moves from MEASURE to the range");
		let reached = false;
		for (let i = 0; i < 12 && !reached; i++) {
			await page.keyboard.press("Tab");
			reached = await page.evaluate(() => document.activeElement.tagName.toLowerCase() === "svg");
		}
		assert.ok(reached, "Tab reaches the first chart");

		step("without JavaScript the form still measures");
		const plain = await browser.newContext({ javaScriptEnabled: false });
		const nojs = await plain.newPage();
		await nojs.goto(`http://127.0.0.1:${port}/`);
		const m0 = Number(((await nojs.textContent("#round")).match(/Measurement (\d+)/) || [0, 0])[1]);
		await Promise.all([nojs.waitForNavigation(), nojs.click("#measure button")]);
		const m1 = Number(((await nojs.textContent("#round")).match(/Measurement (\d+)/) || [0, 0])[1]);
		assert.ok(m1 > m0, `the posted form measured (${m0} -> ${m1})`);
		assert.equal(await nojs.$$eval("svg.chart", (e) => e.length), 0, "no charts without JavaScript");
		await plain.close();

		assert.deepEqual(problems, [], "no console errors or failed requests");

		step("a barometer that does not answer: its charts keep their titles, the corrected values say why; blink >= interval is warned of");
		assert.equal(await stop(d), 0);
		d = await start(config(port, 2, 3, 0, "", "absent = barometer"), port);
		const failing = await browser.newPage();
		await failing.goto(`http://127.0.0.1:${port}/`);
		await failing.waitForFunction(() => document.querySelector('section[data-sensor="barometer"] .status').textContent === "error", null, { timeout: 10000 });
		await failing.waitForSelector('section[data-sensor="barometer"] svg.chart');
		const titles = await failing.$$eval('section[data-sensor="barometer"] figcaption .title', (e) => e.map((x) => x.textContent));
		assert.deepEqual(titles, ["Temperature", "Pressure", "Altitude"], "a failed sensor's charts keep their titles");
		await failing.waitForFunction(() => document.querySelector('section[data-sensor="air"] tr[data-value="corrected_ppm"] .why').textContent !== "", null, { timeout: 10000 });
		assert.equal(await failing.textContent('section[data-sensor="air"] tr[data-value="corrected_ppm"] .why'), "no temperature: barometer is failing");
		assert.equal(await failing.textContent('section[data-sensor="air"] tr[data-value="corrected_ppm"] .value'), "—");
		assert.match(await failing.textContent('section[data-sensor="led"] .warning'), /^blink \(3 s\) is not shorter than interval \(2 s\)/);
		assert.ok(fs.readFileSync(path.join(dir, "daemon.log"), "utf8").includes("sensor led: blink (3 s) is not shorter than interval (2 s)"), "the warning is logged");
		await failing.screenshot({ path: path.join(artifacts, "page-failing.png"), fullPage: true });
		await failing.close();

		step("with a control password MEASURE asks for it, and measures once given");
		assert.equal(await stop(d), 0);
		const pw = path.join(dir, "control-password");
		fs.writeFileSync(pw, "green house\n", { mode: 0o600 });
		d = await start(config(port, 3600, 0.2, 0, pw), port);
		const count = async () => (await (await fetch(`http://127.0.0.1:${port}/api/v1/sensors`)).json()).measurements;
		const beforePw = await count();
		// Playwright answers the browser's login prompt as a person would.
		const stranger = await browser.newContext({ httpCredentials: { username: "pi", password: "wrong" } });
		const sp = await stranger.newPage();
		await sp.goto(`http://127.0.0.1:${port}/`);
		const [answer] = await Promise.all([
			sp.waitForResponse((r) => r.url().endsWith("/measure") && r.request().method() === "POST", { timeout: 10000 }),
			sp.click("#measure button"),
		]);
		assert.equal(answer.status(), 401, "a wrong password is refused");
		assert.match(answer.headers()["www-authenticate"] || "", /^Basic realm="muricle"/, "and asked for again");
		assert.equal(await count(), beforePw, "nothing measured without the password");
		await stranger.close();
		const owner = await browser.newContext({ httpCredentials: { username: "pi", password: "green house" } });
		const op = await owner.newPage();
		await op.goto(`http://127.0.0.1:${port}/`);
		await op.click("#measure button");
		await op.waitForFunction((n) => /Measurement (\d+)/.test(document.querySelector("#round").textContent) && Number(document.querySelector("#round").textContent.match(/Measurement (\d+)/)[1]) > n, beforePw, { timeout: 10000 });
		assert.ok((await count()) > beforePw, "with the password MEASURE measured");
		await owner.close();
	} finally {
		await browser.close();
		await stop(d);
	}
}

try {
	await main();
	console.log("browser test passed; screenshots in " + artifacts);
} catch (e) {
	failures++;
	console.error("browser test FAILED: " + (e.stack || e));
	const log = path.join(dir, "daemon.log");
	if (fs.existsSync(log)) console.error("daemon log:\n" + fs.readFileSync(log, "utf8"));
}
fs.rmSync(dir, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
