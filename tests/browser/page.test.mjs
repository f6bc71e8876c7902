// The sensor page in a real browser: headless Chromium (Debian's package)
// driven by playwright-core, against muricled on simulated hardware.
//
//   MURICLED=build/plain/muricled node tests/browser/page.test.mjs
//
// Checks: the charts show the history of a daemon that ran before (it
// survives a restart); MEASURE updates values, status, the measurement line
// and the LED without reloading the page; the charts are drawn with points
// and get new ones, each with a CSV download; the stream reconnects after
// the daemon restarts; the page works without JavaScript; with a control
// password, a wrong one is refused and the right one measures; no console
// errors. Screenshots go to
// $ARTIFACTS (default build/artifacts).
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

function config(port, interval, blink, i2cDelay, passwordFile = "") {
	const file = path.join(dir, `muricle-${interval}${passwordFile ? "-pw" : ""}.conf`);
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
[bmp180 barometer]
[mq135 air]
temperature_from = barometer
[simulation]
i2c_delay = ${i2cDelay}
`,
	);
	return file;
}

// Start muricled and wait until it answers.
async function start(conf, port) {
	const log = fs.openSync(path.join(dir, "daemon.log"), "a");
	const child = spawn(daemon, ["--simulate", "-c", conf], { stdio: ["ignore", log, log] });
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
		for (const sel of ["h1", ".status", ".meta", "th", ".value", "button", "figcaption", ".live", ".sim"]) {
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

	step("a first daemon measures every second for 4.5 s, then stops (and saves its history)");
	let d = await start(config(port, 1, 0.2, 0), port);
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
		const charts = await page.$$eval("svg.chart", (els) => els.map((e) => ({ v: e.dataset.value, n: Number(e.dataset.points), path: (e.querySelector("path.line") || {}).getAttribute?.("d") || "" })));
		assert.ok(charts.length >= 9, `a chart per value (${charts.length})`);
		for (const c of charts) {
			assert.ok(c.n >= 1, `chart ${c.v} has points`);
			assert.match(c.path, /^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)*/, `chart ${c.v} has a line`);
		}
		const label = await page.getAttribute(chart, "aria-label");
		assert.match(label, /^pressure over .* h: min .* hPa, max .* hPa, now .* hPa$/, "the chart says what it shows");
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
		await small.waitForSelector('svg.chart[data-points]:not([data-points="0"])');
		const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow} px too wide)`);
		await small.screenshot({ path: path.join(artifacts, "page-phone.png"), fullPage: true });
		await phone.close();

		step("keyboard: MEASURE and the charts can be reached with Tab");
		await page.focus("#measure button");
		await page.keyboard.press("Tab");
		const focused = await page.evaluate(() => document.activeElement.tagName.toLowerCase());
		assert.equal(focused, "svg", "Tab moves from MEASURE to the first chart");

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
