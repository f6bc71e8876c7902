/* muricle's page, made live: values, status, ages and the LED follow the
 * event stream (GET /events); each value the history keeps gets a chart
 * drawn from GET /api/v1/history, with axes, a readout on hover and on
 * keyboard focus, and min/max/mean for the chosen range; units and the
 * range are chosen on the page (GET /api/v1/quantities says which units
 * exist) and kept in the browser's storage. MEASURE works without
 * reloading. Without this script the page still works: the form posts and
 * the page reloads. */
"use strict";

(function () {
	const SVG = "http://www.w3.org/2000/svg";
	const CHART_H = 132;
	const PAD = { l: 46, r: 8, t: 8, b: 18 };
	const RANGES = [
		[3600, "1 h"],
		[86400, "24 h"],
		[604800, "7 d"],
		[0, "all kept"],
	];
	const TIME_STEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
	const phone = window.matchMedia("(max-width: 40rem)");
	const series = new Map(); /* "sensor/value" -> chart state */
	const quantities = new Map(); /* name -> {label, unit, units: [...]} */
	const lastOk = new Map(); /* sensor -> ms on the server's clock, or null */
	const lastState = new Map(); /* sensor -> its latest object from the API */
	let units = load("muricle.units", {}); /* quantity -> chosen unit */
	let range = load("muricle.range", 86400); /* seconds shown; 0: all kept */
	let span = 86400; /* seconds the server keeps */
	let every = 60; /* seconds between the server's periodic readings */
	let clockSkew = 0; /* server clock minus ours, ms */
	let round = { measurements: 0, measuring: false, last: null };
	let source = null;
	let hadState = false; /* a later "state" event means a reconnect */

	const $ = (sel, root) => (root || document).querySelector(sel);
	const key = (s, v) => s + "/" + v;
	const serverNow = () => Date.now() + clockSkew;

	function load(name, fallback) {
		try {
			const v = JSON.parse(localStorage.getItem(name));
			return v === null || typeof v !== typeof fallback ? fallback : v;
		} catch {
			return fallback;
		}
	}

	function save(name, v) {
		try {
			localStorage.setItem(name, JSON.stringify(v));
		} catch {
			/* private mode: the choice lasts until the page closes */
		}
	}

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

	/* How a quantity is shown: the API's unit, or the one chosen on the page. */
	function unitOf(quantity, apiUnit) {
		const q = quantities.get(quantity);
		const want = units[quantity];
		if (q && want && want !== q.unit) {
			const c = q.units.find((u) => u.unit === want);
			if (c) return { unit: c.unit, scale: c.scale, offset: c.offset, extra: c.extra_decimals };
		}
		return { unit: apiUnit || "", scale: 1, offset: 0, extra: 0 };
	}

	/* A number in the chosen unit, with the value's decimals (and the
	 * unit's extra ones). */
	function shown(u, decimals, v, withUnit = true) {
		if (v === null || v === undefined) return "—";
		const text = (v * u.scale + u.offset).toFixed(Math.max(0, decimals + u.extra));
		return withUnit && u.unit ? text + " " + u.unit : text;
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
		lastState.set(s.name, s);
		const st = $(".status", sec);
		st.textContent = s.status;
		st.className = "status status-" + s.status;
		for (const [name, val] of Object.entries(s.values)) {
			const tr = row(sec, name);
			if (!tr) continue;
			const td = $(".value", tr);
			const numeric = typeof val.value === "number" && val.quantity !== "timestamp";
			td.textContent = numeric ? shown(unitOf(val.quantity, val.unit), val.decimals, val.value) : val.text;
			td.classList.toggle("on-state", "boolean" in tr.dataset && val.value === true);
			$(".why", tr).textContent = val.value === null && s.status !== "error" && val.why ? val.why : "";
		}
		const err = $(".error", sec);
		err.hidden = s.status !== "error";
		err.textContent = s.error ? s.error + " (" + s.errors + " failed reads)" : "";
		const warn = $(".warning", sec);
		warn.hidden = !s.warning;
		warn.textContent = s.warning || "";
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

	/* The display's card: its state, and its mirror, fetched anew for each
	 * frame that reached the panel. */
	function applyDisplay(d) {
		const card = $("#display");
		if (!card || !d) return;
		const st = $(".status", card);
		st.textContent = d.status;
		st.className = "status status-" + d.status;
		const err = $(".error", card);
		err.hidden = d.status !== "error";
		err.textContent = d.error || "";
		const img = $("img.mirror", card);
		if (img.dataset.frames !== String(d.frames)) {
			img.dataset.frames = String(d.frames);
			img.src = "/api/v1/display?frame=" + d.frames;
		}
		img.alt = d.page ? "The display shows " + d.page.replace("/", " ") : "The display shows nothing yet";
	}

	function applyState(state) {
		applyRound(state);
		const mqtt = $("#mqtt");
		if (mqtt && state.mqtt) mqtt.textContent = state.mqtt.text;
		applyDisplay(state.display);
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

	const two = (n) => String(n).padStart(2, "0");
	const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

	function clock(t, seconds) {
		const d = new Date(t * 1000);
		return two(d.getHours()) + ":" + two(d.getMinutes()) + (seconds ? ":" + two(d.getSeconds()) : "");
	}

	function dayName(t) {
		const d = new Date(t * 1000);
		return MONTHS[d.getMonth()] + " " + d.getDate();
	}

	/* A point's time in a readout: with the day when it is not today. */
	function when(t) {
		const d = new Date(t * 1000);
		const today = new Date(serverNow()).toDateString() === d.toDateString();
		return (today ? "" : dayName(t) + ", ") + clock(t, true);
	}

	/* Time ticks on local time: the smallest step that leaves room for each
	 * label; a tick at midnight, or any tick of a step of a day, shows the day. */
	function timeTicks(t0, t1, width) {
		const most = Math.max(2, Math.floor(width / 64));
		const zone = (t) => -new Date(t * 1000).getTimezoneOffset() * 60;
		let i = TIME_STEPS.findIndex((s) => (t1 - t0) / s <= most);
		if (i < 0) i = TIME_STEPS.length - 1;
		for (;;) {
			const step = TIME_STEPS[i];
			const ticks = [];
			for (let t = Math.ceil((t0 + zone(t0)) / step) * step - zone(t0); t <= t1; t += step) {
				const midnight = (t + zone(t)) % 86400 === 0;
				ticks.push([t, step >= 86400 || midnight ? dayName(t) : clock(t, step < 60)]);
			}
			/* Two labels at least, so that the axis can be read. */
			if (ticks.length >= 2 || i === 0) return ticks;
			i--;
		}
	}

	/* Value ticks: 1, 2 or 5 times a power of ten, about three of them and
	 * never fewer than two. */
	function valueTicks(lo, hi) {
		const raw = (hi - lo) / 3;
		let mag = Math.pow(10, Math.floor(Math.log10(raw)));
		let m = [1, 2, 5, 10].find((f) => f * mag >= raw);
		for (;;) {
			const step = m * mag;
			const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
			const ticks = [];
			for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push([v, v.toFixed(decimals)]);
			if (ticks.length >= 2) return ticks;
			/* The next smaller step: 5 -> 2 -> 1 -> 0.5 ... */
			if (m === 1 || m === 10) {
				mag /= m === 1 ? 10 : 1;
				m = 5;
			} else {
				m = m === 5 ? 2 : 1;
			}
		}
	}

	/* The points a chart shows now: those of the chosen range. */
	function visible(se) {
		if (!range) return se.points;
		const from = serverNow() / 1000 - range;
		return se.points.filter((p) => p[0] >= from);
	}

	/* Draw one chart: y and time axes, the line (broken where a reading
	 * failed), the newest point, and the caption's min/max/mean/now. */
	function draw(se) {
		const svg = se.svg;
		const w = Math.max(svg.clientWidth || 0, 200);
		const h = CHART_H;
		const u = unitOf(se.quantity, se.unit);
		const conv = (v) => v * u.scale + u.offset;
		svg.setAttribute("viewBox", "0 0 " + w + " " + h);
		while (svg.firstChild) svg.removeChild(svg.firstChild);
		/* A reader on an older point stays on it; on the newest, follows it. */
		const kept = se.cursor !== null && se.cursor < se.shown.length - 1 ? se.shown[se.cursor][0] : null;
		se.shown = visible(se);
		const good = se.shown.filter((p) => p[1] !== null);
		svg.dataset.points = String(good.length);
		se.title.textContent = se.label;
		se.cursor = null;
		showReadout(se, null);
		if (good.length === 0) {
			el("text", { x: w / 2, y: h / 2, "text-anchor": "middle", class: "empty" }, svg).textContent = "no readings in this range";
			se.stats.textContent = "";
			svg.setAttribute("aria-label", se.label + ": no readings in this range");
			return;
		}
		let min = Infinity, max = -Infinity, sum = 0;
		for (const p of good) {
			min = Math.min(min, p[1]);
			max = Math.max(max, p[1]);
			sum += p[1];
		}
		const mean = sum / good.length;
		let lo = conv(min), hi = conv(max);
		if (lo > hi) [lo, hi] = [hi, lo];
		if (hi - lo < Math.pow(10, -se.decimals - u.extra) * 4) {
			const mid = (hi + lo) / 2, half = Math.pow(10, -se.decimals - u.extra) * 2;
			lo = mid - half;
			hi = mid + half;
		}
		const margin = (hi - lo) * 0.08;
		lo -= margin;
		hi += margin;
		const now = serverNow() / 1000;
		let t0 = range ? Math.max(now - range, se.shown[0][0]) : se.shown[0][0];
		let t1 = Math.max(now, se.shown[se.shown.length - 1][0]);
		if (t1 - t0 < 120) t0 = t1 - 120;
		const x = (t) => PAD.l + ((t - t0) / (t1 - t0)) * (w - PAD.l - PAD.r);
		const y = (v) => PAD.t + (1 - (conv(v) - lo) / (hi - lo)) * (h - PAD.t - PAD.b);
		se.x = x;
		se.y = y;
		for (const [v, label] of valueTicks(lo, hi)) {
			const py = PAD.t + (1 - (v - lo) / (hi - lo)) * (h - PAD.t - PAD.b);
			el("line", { x1: PAD.l, x2: w - PAD.r, y1: py, y2: py, class: "grid" }, svg);
			el("text", { x: PAD.l - 4, y: py + 3.5, "text-anchor": "end", class: "y" }, svg).textContent = label;
		}
		for (const [t, label] of timeTicks(t0, t1, w - PAD.l - PAD.r)) {
			const px = x(t);
			el("line", { x1: px, x2: px, y1: h - PAD.b, y2: h - PAD.b + 3, class: "tick" }, svg);
			const anchor = px - PAD.l < 20 ? "start" : w - PAD.r - px < 20 ? "end" : "middle";
			el("text", { x: px, y: h - 4, "text-anchor": anchor, class: "x" }, svg).textContent = label;
		}
		/* Broken where a reading failed, and where readings are missing
		 * (the daemon was not running). */
		let d = "";
		let pen = false;
		let prev = -Infinity;
		for (const p of se.shown) {
			if (p[0] - prev > 2.5 * every) pen = false;
			prev = p[0];
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
		const cursor = el("g", { class: "cursor", visibility: "hidden" }, svg);
		el("line", { y1: PAD.t, y2: h - PAD.b, class: "rule" }, cursor);
		el("circle", { r: 4, class: "mark" }, cursor);
		se.cursorEl = cursor;
		const fmt = (v) => shown(u, se.decimals, v);
		const latest = se.shown[se.shown.length - 1][1];
		se.stats.textContent = "";
		const b = document.createElement("b");
		b.textContent = fmt(latest);
		se.stats.append("min " + fmt(min) + " · max " + fmt(max) + " · mean " + fmt(mean) + " · now ", b);
		const rangeText = range ? "the last " + RANGES.find((r) => r[0] === range)[1] : "all kept readings";
		svg.setAttribute("aria-label", se.label + " over " + rangeText + ": min " + fmt(min) + ", max " + fmt(max) + ", mean " + fmt(mean) + ", now " + fmt(latest) + ". Arrow keys read the points.");
		if (se.focused) {
			const i = kept === null ? -1 : se.shown.findIndex((p) => p[0] === kept);
			moveCursor(se, i >= 0 ? i : se.shown.length - 1);
		}
	}

	/* The readout under a chart: a point's time and value, or nothing. */
	function showReadout(se, i) {
		if (i === null) {
			se.readout.textContent = "";
			if (se.cursorEl) se.cursorEl.setAttribute("visibility", "hidden");
			return;
		}
		const p = se.shown[i];
		const u = unitOf(se.quantity, se.unit);
		se.readout.textContent = when(p[0]) + " — " + (p[1] === null ? "reading failed" : shown(u, se.decimals, p[1]));
		if (p[1] === null) {
			se.cursorEl.setAttribute("visibility", "hidden");
			return;
		}
		const px = se.x(p[0]).toFixed(1), py = se.y(p[1]).toFixed(1);
		const [rule, mark] = se.cursorEl.children;
		rule.setAttribute("x1", px);
		rule.setAttribute("x2", px);
		mark.setAttribute("cx", px);
		mark.setAttribute("cy", py);
		se.cursorEl.setAttribute("visibility", "visible");
	}

	function moveCursor(se, i) {
		if (!se.shown || se.shown.length === 0 || !se.x) return;
		se.cursor = Math.max(0, Math.min(se.shown.length - 1, i));
		showReadout(se, se.cursor);
	}

	/* The point nearest to a pointer's x. */
	function nearest(se, clientX) {
		const box = se.svg.getBoundingClientRect();
		const vx = ((clientX - box.left) / box.width) * (se.svg.viewBox.baseVal.width || box.width);
		let best = 0;
		for (let i = 1; i < se.shown.length; i++) if (Math.abs(se.x(se.shown[i][0]) - vx) < Math.abs(se.x(se.shown[best][0]) - vx)) best = i;
		return best;
	}

	function attachReadout(se) {
		const svg = se.svg;
		svg.addEventListener("pointermove", (e) => moveCursor(se, nearest(se, e.clientX)));
		svg.addEventListener("pointerleave", () => {
			if (se.focused) return;
			se.cursor = null;
			showReadout(se, null);
		});
		svg.addEventListener("focus", () => {
			se.focused = true;
			moveCursor(se, se.cursor === null ? se.shown.length - 1 : se.cursor);
		});
		svg.addEventListener("blur", () => {
			se.focused = false;
			showReadout(se, null);
		});
		svg.addEventListener("keydown", (e) => {
			const moves = { ArrowLeft: -1, ArrowRight: 1, PageUp: -10, PageDown: 10 };
			const at = se.cursor === null ? se.shown.length - 1 : se.cursor;
			if (e.key in moves) moveCursor(se, at + moves[e.key]);
			else if (e.key === "Home") moveCursor(se, 0);
			else if (e.key === "End") moveCursor(se, se.shown.length - 1);
			else return;
			e.preventDefault();
		});
	}

	function csvHref(se) {
		let href = "/api/v1/history.csv?sensor=" + encodeURIComponent(se.sensor) + "&value=" + encodeURIComponent(se.value);
		if (range) href += "&since=" + Math.floor(serverNow() / 1000 - range);
		return href;
	}

	/* A figure for each value the history has, in its sensor's charts; on a
	 * later call (after a reconnect) only the points are replaced. */
	function showHistory(hist) {
		span = hist.capacity * hist.interval || span;
		every = hist.interval || every;
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
			const title = document.createElement("span");
			title.className = "title";
			const stats = document.createElement("span");
			stats.className = "stats";
			caption.append(title, stats);
			const svg = el("svg", { class: "chart", role: "img", tabindex: "0", preserveAspectRatio: "none" });
			svg.dataset.sensor = s.sensor;
			svg.dataset.value = s.value;
			const foot = document.createElement("div");
			foot.className = "foot";
			const readout = document.createElement("output");
			readout.className = "readout";
			readout.setAttribute("aria-live", "polite");
			const csv = document.createElement("a");
			csv.className = "csv";
			csv.download = "";
			csv.textContent = "CSV";
			csv.title = "Download the readings of this range as CSV";
			csv.setAttribute("aria-label", "Download the " + s.label + " readings of " + s.sensor + " as CSV");
			foot.append(readout, csv);
			fig.append(caption, svg, foot);
			$(".charts", sec).appendChild(fig);
			const trends = $(".trends", sec);
			if (trends.hidden) {
				trends.hidden = false;
				trends.open = !phone.matches;
				trends.addEventListener("toggle", () => {
					for (const se of series.values()) if (se.sensor === s.sensor) draw(se);
				});
			}
			const se = { sensor: s.sensor, value: s.value, label: s.label || s.value, quantity: s.quantity, points: s.points, svg, title, stats, readout, csv, decimals: s.decimals, unit: s.unit, cursor: null, focused: false };
			attachReadout(se);
			series.set(key(s.sensor, s.value), se);
		}
		redraw();
	}

	function redraw() {
		for (const se of series.values()) {
			se.csv.href = csvHref(se);
			draw(se);
		}
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

	/* The range and unit choices, above the sensors; only for quantities
	 * the page shows that have another unit. */
	function buildControls() {
		const form = document.createElement("form");
		form.id = "view";
		form.className = "view";
		form.addEventListener("submit", (e) => e.preventDefault());
		const pick = (labelText, name, options, current, onChange) => {
			const label = document.createElement("label");
			const select = document.createElement("select");
			select.name = name;
			for (const [value, text] of options) {
				const o = document.createElement("option");
				o.value = String(value);
				o.textContent = text;
				o.selected = String(value) === String(current);
				select.appendChild(o);
			}
			select.addEventListener("change", () => onChange(select.value));
			label.append(labelText + " ", select);
			form.appendChild(label);
		};
		if (!RANGES.some((r) => r[0] === range)) range = 86400;
		pick("Charts show", "range", RANGES, range, (v) => {
			range = Number(v);
			save("muricle.range", range);
			redraw();
		});
		const present = new Set([...document.querySelectorAll("tr[data-quantity]")].map((tr) => tr.dataset.quantity));
		for (const [name, q] of quantities) {
			if (!present.has(name) || q.units.length === 0 || !q.unit) continue;
			const options = [[q.unit, q.unit], ...q.units.map((u) => [u.unit, u.unit])];
			pick(q.label, "unit-" + name, options, units[name] || q.unit, (v) => {
				units = Object.assign({}, units, { [name]: v });
				save("muricle.units", units);
				for (const s of lastState.values()) applySensor(s);
				redraw();
			});
		}
		$("#measure").after(form);
	}

	async function loadQuantities() {
		try {
			const r = await fetch("/api/v1/quantities");
			if (!r.ok) throw new Error("the daemon answered " + r.status);
			for (const q of (await r.json()).quantities) quantities.set(q.name, q);
		} catch (e) {
			setLive(false, "no units: " + e.message);
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
		source.addEventListener("display", (e) => applyDisplay(JSON.parse(e.data)));
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
		await loadQuantities();
		buildControls();
		connect();
		await loadHistory();
		setInterval(() => {
			showRound();
			for (const name of lastOk.keys()) showAge(name);
		}, 1000);
		/* Ranges slide with time: redraw each minute. */
		setInterval(redraw, 60000);
		let pending = 0;
		window.addEventListener("resize", () => {
			clearTimeout(pending);
			pending = setTimeout(redraw, 150);
		});
	}

	document.addEventListener("DOMContentLoaded", start);
})();
