/* muricle's page, made live: values, status, ages and the LED follow the
 * event stream (GET /events), each value gets a trend chart drawn from
 * GET /api/v1/history, and MEASURE works without reloading. Without this
 * script the page still works: the form posts and the page reloads. */
"use strict";

(function () {
	const SVG = "http://www.w3.org/2000/svg";
	const CHART_H = 88;
	const series = new Map(); /* "sensor/value" -> {points: [[t, v]], ...} */
	let span = 86400; /* seconds the server keeps */
	let clockSkew = 0; /* server clock minus ours, ms */
	let round = { measurements: 0, measuring: false, last: null };
	const lastOk = new Map(); /* sensor -> ms on the server's clock, or null */
	let source = null;
	let hadState = false; /* a later "state" event means a reconnect */

	const $ = (sel, root) => (root || document).querySelector(sel);
	const key = (s, v) => s + "/" + v;
	const serverNow = () => Date.now() + clockSkew;

	function section(name) {
		for (const el of document.querySelectorAll("section[data-sensor]"))
			if (el.dataset.sensor === name) return el;
		return null;
	}

	function row(sec, value) {
		for (const el of sec.querySelectorAll("tr[data-value]"))
			if (el.dataset.value === value) return el;
		return null;
	}

	function ago(ms) {
		const s = Math.max(0, ms / 1000);
		if (s < 60) return Math.round(s) + " s ago";
		if (s < 3600) return Math.round(s / 60) + " min ago";
		return (s / 3600).toFixed(1) + " h ago";
	}

	/* A chart's number, with the decimals and unit the API gives its series
	 * (the cards show the API's own "text"). */
	function format(se, v) {
		if (v === null || v === undefined) return "—";
		const text = Number(v).toFixed(se.decimals);
		return se.unit ? text + " " + se.unit : text;
	}

	function setLive(on, text) {
		const el = $("#live");
		el.textContent = text;
		el.className = "live " + (on ? "on" : "off");
	}

	/* One sensor object, as in /api/v1/sensors. */
	function applySensor(s) {
		const sec = section(s.name);
		if (!sec) return;
		const st = $(".status", sec);
		st.textContent = s.status;
		st.className = "status status-" + s.status;
		for (const [name, val] of Object.entries(s.values)) {
			const tr = row(sec, name);
			if (!tr) continue;
			const td = $(".value", tr);
			td.textContent = val.text;
			td.classList.toggle("on-state", "boolean" in tr.dataset && val.value === true);
		}
		const err = $(".error", sec);
		err.hidden = s.status !== "error";
		err.textContent = s.error ? s.error + " (" + s.errors + " failed reads)" : "";
		lastOk.set(s.name, s.last_update ? Date.parse(s.last_update) : null);
		showAge(s.name);
	}

	function showAge(name) {
		const sec = section(name);
		if (!sec) return;
		const t = lastOk.get(name);
		$(".age", sec).textContent = t ? "Last good reading " + ago(serverNow() - t) + "." : "No good reading yet.";
	}

	function applyRound(r) {
		round = { measurements: r.measurements, measuring: r.measuring, last: r.last_measurement ? Date.parse(r.last_measurement) : null };
		if (r.time) clockSkew = Date.parse(r.time) - Date.now();
		showRound();
	}

	function showRound() {
		let text = round.measurements === 0 || round.last === null ? "No measurement yet." : "Measurement " + round.measurements + ", " + ago(serverNow() - round.last) + ".";
		if (round.measuring) text += " Measuring now…";
		$("#round").textContent = text;
	}

	function applyState(state) {
		applyRound(state);
		const mqtt = $("#mqtt");
		if (mqtt && state.mqtt)
			mqtt.textContent = state.mqtt.text;
		for (const s of state.sensors) applySensor(s);
	}

	/* A finished reading: the card, then a point on each of its charts. */
	function applyReading(ev) {
		applySensor(ev.sensor);
		const failed = ev.sensor.status === "error";
		for (const [name, val] of Object.entries(ev.sensor.values)) {
			const se = series.get(key(ev.sensor.name, name));
			if (!se) continue;
			se.points.push([ev.t, failed ? null : val.value]);
			const oldest = ev.t - span;
			while (se.points.length > 1 && se.points[0][0] < oldest) se.points.shift();
			draw(se);
		}
	}

	function el(tag, attrs, parent) {
		const e = document.createElementNS(SVG, tag);
		for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
		if (parent) parent.appendChild(e);
		return e;
	}

	/* A time axis label: with seconds when the chart spans minutes. */
	function clock(t, seconds) {
		const d = new Date(t * 1000);
		const two = (n) => String(n).padStart(2, "0");
		return two(d.getHours()) + ":" + two(d.getMinutes()) + (seconds ? ":" + two(d.getSeconds()) : "");
	}

	/* Draw one chart: the line (broken where a reading failed), the newest
	 * point, min and max, and a time axis. */
	function draw(se) {
		const svg = se.svg;
		const w = Math.max(svg.clientWidth || 0, 160);
		const h = CHART_H;
		const pad = { l: 4, r: 6, t: 8, b: 16 };
		svg.setAttribute("viewBox", "0 0 " + w + " " + h);
		while (svg.firstChild) svg.removeChild(svg.firstChild);
		const good = se.points.filter((p) => p[1] !== null);
		svg.dataset.points = String(good.length);
		if (good.length === 0) {
			el("text", { x: w / 2, y: h / 2, "text-anchor": "middle", class: "empty" }, svg).textContent = "no readings yet";
			se.caption.textContent = "";
			svg.setAttribute("aria-label", se.value + ": no readings yet");
			return;
		}
		let min = Infinity, max = -Infinity;
		for (const p of good) {
			min = Math.min(min, p[1]);
			max = Math.max(max, p[1]);
		}
		const t0 = se.points[0][0];
		const t1 = Math.max(se.points[se.points.length - 1][0], t0 + 1);
		const lo = min === max ? min - 1 : min;
		const hi = min === max ? max + 1 : max;
		const x = (t) => pad.l + ((t - t0) / (t1 - t0)) * (w - pad.l - pad.r);
		const y = (v) => pad.t + (1 - (v - lo) / (hi - lo)) * (h - pad.t - pad.b);
		el("line", { x1: pad.l, x2: w - pad.r, y1: y(hi), y2: y(hi), class: "grid" }, svg);
		el("line", { x1: pad.l, x2: w - pad.r, y1: y(lo), y2: y(lo), class: "grid" }, svg);
		let d = "";
		let pen = false;
		for (const p of se.points) {
			if (p[1] === null) {
				pen = false;
				continue;
			}
			d += (pen ? "L" : "M") + x(p[0]).toFixed(1) + " " + y(p[1]).toFixed(1);
			pen = true;
		}
		el("path", { d: d, class: "line" }, svg);
		const last = good[good.length - 1];
		el("circle", { cx: x(last[0]), cy: y(last[1]), r: 3, class: "dot" }, svg);
		const ticks = [[t0, "start"], [(t0 + t1) / 2, "middle"], [t1, "end"]];
		for (const [t, anchor] of ticks) el("text", { x: x(t), y: h - 3, "text-anchor": anchor }, svg).textContent = clock(t, t1 - t0 < 600);
		const now = se.points[se.points.length - 1][1];
		se.caption.textContent = "";
		const label = document.createElement("span");
		label.textContent = se.value;
		const nums = document.createElement("span");
		const b = document.createElement("b");
		b.textContent = format(se, now === null ? null : now);
		nums.append("min " + format(se, min) + " · max " + format(se, max) + " · now ", b);
		se.caption.append(label, nums);
		const hours = ((t1 - t0) / 3600).toFixed(1);
		svg.setAttribute("aria-label", se.value + " over " + hours + " h: min " + format(se, min) + ", max " + format(se, max) + ", now " + format(se, now));
	}

	/* A figure for each value the history has, under its sensor's table;
	 * on a later call (after a reconnect) only the points are replaced. */
	function showHistory(hist) {
		span = hist.capacity * hist.interval || span;
		for (const s of hist.series) {
			const known = series.get(key(s.sensor, s.value));
			if (known) {
				known.points = s.points;
				continue;
			}
			const sec = section(s.sensor);
			const tr = sec && row(sec, s.value);
			if (!tr) continue;
			const fig = document.createElement("figure");
			const caption = document.createElement("figcaption");
			const svg = el("svg", { class: "chart", role: "img", tabindex: "0", preserveAspectRatio: "none" });
			svg.dataset.sensor = s.sensor;
			svg.dataset.value = s.value;
			const csv = document.createElement("a");
			csv.className = "csv";
			csv.href = "/api/v1/history.csv?sensor=" + encodeURIComponent(s.sensor) + "&value=" + encodeURIComponent(s.value);
			csv.download = "";
			csv.textContent = "CSV";
			csv.title = "Download these readings as CSV";
			csv.setAttribute("aria-label", "Download the " + s.value + " readings of " + s.sensor + " as CSV");
			fig.append(caption, svg, csv);
			$(".charts", sec).appendChild(fig);
			const se = { sensor: s.sensor, value: s.value, points: s.points, svg: svg, caption: caption, decimals: s.decimals, unit: s.unit };
			series.set(key(s.sensor, s.value), se);
		}
		for (const se of series.values()) draw(se);
	}

	async function loadHistory() {
		try {
			const r = await fetch("/api/v1/history");
			if (!r.ok) throw new Error("the daemon answered " + r.status);
			showHistory(await r.json());
		} catch (e) {
			setLive(false, "no history: " + e.message);
		}
	}

	function connect() {
		source = new EventSource("/events");
		source.addEventListener("open", () => setLive(true, "live"));
		source.addEventListener("state", (e) => {
			applyState(JSON.parse(e.data));
			/* Back after a break: readings may have been missed. */
			if (hadState) loadHistory();
			hadState = true;
		});
		source.addEventListener("reading", (e) => applyReading(JSON.parse(e.data)));
		source.addEventListener("sensor", (e) => applySensor(JSON.parse(e.data)));
		source.addEventListener("measurement", (e) => applyRound(JSON.parse(e.data)));
		source.addEventListener("error", () => {
			setLive(false, "reconnecting…");
			/* The browser retries by itself unless the server refused. */
			if (source.readyState === EventSource.CLOSED) {
				source.close();
				setTimeout(connect, 5000);
			}
		});
	}

	async function measure(ev) {
		ev.preventDefault();
		const button = $("#measure button");
		button.disabled = true;
		try {
			const r = await fetch("/api/v1/measure", { method: "POST" });
			if (r.status === 401) {
				/* A control password is set: the form itself, whose answer
				 * makes the browser ask for it (and remember it). */
				$("#measure").submit();
				return;
			}
			if (!r.ok) throw new Error("the daemon answered " + r.status);
			applyState(await r.json());
		} catch (e) {
			setLive(false, "measure failed: " + e.message);
		} finally {
			button.disabled = false;
		}
	}

	async function start() {
		$("#measure").addEventListener("submit", measure);
		setLive(false, "connecting…");
		connect();
		await loadHistory();
		setInterval(() => {
			showRound();
			for (const name of lastOk.keys()) showAge(name);
		}, 1000);
		let pending = 0;
		window.addEventListener("resize", () => {
			clearTimeout(pending);
			pending = setTimeout(() => series.forEach(draw), 150);
		});
	}

	document.addEventListener("DOMContentLoaded", start);
})();
