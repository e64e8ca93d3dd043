// The class board's page: api/state once (and every 15 s, for the roster and the flags that
// depend on time), then api/events, a stream of the tiles that change. Every text is set with
// textContent: nothing a student sends becomes markup.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const board = { summary: null, tiles: new Map(), skew: 0, show: "loss" };

function el(tag, attrs, ...children) {
  const e = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

// Numbers arrive as numbers, or "NaN"/"Infinity", or null (missing).
const num = (v) => (v === null || v === undefined ? null : Number(v));
const finite = (v) => v !== null && Number.isFinite(v);

function ago(ms) {
  if (!ms) return "활동 없음 / no activity";
  const s = Math.max(0, Math.round((Date.now() + board.skew - ms) / 1000));
  if (s < 60) return `${s}초 전 / ${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}분 전 / ${m} min ago`;
  const h = Math.floor(m / 60);
  return `${h}시간 전 / ${h} h ago`;
}

function hue(name) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.codePointAt(0)) % 360;
  return h;
}
const colour = (name) => `hsl(${hue(name)} 65% 42%)`;

function stepLabel(step) {
  const names = board.summary ? board.summary.steps : [];
  if (step < 0) return "시작 전 / not started";
  return `${step} · ${names[step] || ""}`;
}

// The tile's small loss curve: its latest training, log scale.
function miniCurve(curve) {
  const w = 190, h = 44;
  const svg = el("svg:svg", { class: "mini", viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: "none" });
  if (!curve || curve.epoch.length === 0) return svg;
  const xs = curve.epoch, ys = curve.loss.map(num);
  const logs = ys.filter((v) => finite(v) && v > 0).map(Math.log10);
  const lo = logs.length ? Math.min(...logs) : 0, hi = logs.length ? Math.max(...logs) : 1;
  const maxX = Math.max(curve.epochs, xs[xs.length - 1], 2);
  const px = (x) => ((x - 1) / (maxX - 1)) * (w - 4) + 2;
  const py = (v) => (hi === lo ? h / 2 : 3 + (1 - (Math.log10(v) - lo) / (hi - lo)) * (h - 6));
  let pts = [], nan = false;
  const flush = () => { if (pts.length) svg.append(el("svg:polyline", { points: (pts.length === 1 ? [pts[0], pts[0]] : pts).join(" ") })); pts = []; };
  ys.forEach((v, i) => {
    if (finite(v) && v > 0) pts.push(`${px(xs[i]).toFixed(1)},${py(v).toFixed(1)}`);
    else if (v !== null && !finite(v)) {
      flush();
      if (!nan) svg.append(el("svg:text", { class: "nan", x: Math.min(px(xs[i]), w - 26), y: 12, text: "NaN" }));
      nan = true;
    }
  });
  flush();
  return svg;
}

function renderTile(t) {
  const flags = [];
  if (t.diverged) flags.push(["diverged", "발산 / diverged", t.diverged]);
  if (t.stuck) flags.push(["stuck", "막힘 / stuck", t.stuck]);
  if (t.other_model) flags.push(["other", "다른 모델 / other model", t.other_model]);
  if (t.rate_limited) flags.push(["limited", "제한 / rate-limited", `${t.rate_limited} reports`]);
  const cls = ["tile"];
  if (t.never_started && t.step < 0) cls.push("never");
  for (const f of ["other", "stuck", "diverged"]) if (flags.some(([k]) => k === f)) cls.push("flag-" + f);

  const dots = el("div", { class: "dots", title: stepLabel(t.step) });
  for (let i = 0; i < (board.summary ? board.summary.steps.length : 8); i++) dots.append(el("i", { class: i <= t.step ? "done" : "" }));

  const acc = t.test_accuracy;
  const curve = t.curve;
  let training = "";
  if (curve) {
    const loss = num(curve.loss[curve.loss.length - 1]);
    training = `${curve.done}/${curve.epochs}` + (loss === null ? "" : ` · ${finite(loss) ? loss.toPrecision(3) : "NaN"}`);
    if (curve.ended && curve.reason !== "done") training += ` · ${curve.reason}`;
  }
  const tile = el("article", { class: cls.join(" "), "data-name": t.name },
    el("div", { class: "top" },
      el("a", { class: "name", href: t.server, target: "_blank", rel: "noopener", title: `${t.name}의 서버 열기 / open ${t.name}'s server`, text: t.name + (t.admin ? " (교사 / teacher)" : "") }),
      el("span", { class: "step", text: t.step < 0 ? "—" : `${t.step}/7` })),
    dots,
    el("div", { class: "note", text: t.never_started && t.step < 0 ? "아직 로그인 안 함 / never logged in" : stepLabel(t.step) }),
    miniCurve(curve),
    el("div", { class: "facts" },
      el("span", { title: "학습: 에폭 · 손실 / training: epoch · loss", text: training ? `학습 / train ${training}` : "" }),
    ),
    el("div", { class: "facts" },
      el("span", {}, "시험 / test ", el("b", { class: "acc", text: acc === null ? "—" : acc.toFixed(3) })),
      el("span", {}, "연습 / checks ", el("b", { text: `${t.checks_passed}/${t.checks_total}` }))),
    t.errors ? el("div", { class: "err", title: t.last_error, text: `오류 / errors ${t.errors}: ${t.last_error}` }) : null,
    ...flags.map(([k, label, why]) => el("div", { class: "flag-row " + k, title: `${label}: ${why}` },
      el("span", { class: "flag " + k, text: label }), " ", el("span", { class: "why", text: why }))),
    el("div", { class: "age", "data-ms": t.last_ms || "", text: "최근 / last " + ago(t.last_ms) }));
  return tile;
}

function render() {
  const s = board.summary;
  if (!s) return;
  const box = document.getElementById("tiles");
  const order = s.tiles.map((t) => t.name);
  const seen = new Set();
  let prev = null;
  for (const name of order) {
    const t = board.tiles.get(name);
    if (!t) continue;
    seen.add(name);
    let node = box.querySelector(`article[data-name="${CSS.escape(name)}"]`);
    if (!node || node._tile !== t) {
      const fresh = renderTile(t);
      fresh._tile = t;
      if (node) node.replaceWith(fresh); else box.append(fresh);
      node = fresh;
    }
    if (prev ? prev.nextSibling !== node : box.firstChild !== node) box.insertBefore(node, prev ? prev.nextSibling : box.firstChild);
    prev = node;
  }
  for (const node of [...box.children]) if (!seen.has(node.dataset.name)) node.remove();
  renderCounts();
  renderOverlay();
  renderSteps();
}

function renderCounts() {
  const tiles = [...board.tiles.values()].filter((t) => t.on_roster);
  const c = { active: 0, stuck: 0, diverged: 0, other: 0, done: 0 };
  for (const t of tiles) {
    if (t.step >= 0) c.active++;
    if (t.stuck) c.stuck++;
    if (t.diverged) c.diverged++;
    if (t.other_model) c.other++;
    if (t.test_accuracy !== null) c.done++;
  }
  const box = document.getElementById("counts");
  box.replaceChildren(
    el("span", {}, "학생 / students ", el("span", { class: "n", text: tiles.length })),
    el("span", {}, "시작 / started ", el("span", { class: "n", text: c.active })),
    el("span", {}, "평가 완료 / evaluated ", el("span", { class: "n", text: c.done })),
    el("span", { class: "stuck" }, "막힘 / stuck ", el("span", { class: "n", text: c.stuck })),
    el("span", { class: "diverged" }, "발산 / diverged ", el("span", { class: "n", text: c.diverged })),
    el("span", { class: "other" }, "다른 모델 / other model ", el("span", { class: "n", text: c.other })));
  const k = board.summary.counters || {};
  const rejected = Object.entries(k.rejected || {}).map(([s, n]) => `${s}: ${n}`).join(", ");
  document.getElementById("foot").textContent =
    `저장된 보고 / reports stored: ${k.stored ?? 0} · 속도 제한 / rate-limited: ${k.rate_limited ?? 0} · 거부된 요청 / requests refused: ${rejected || "0"}`;
}

function renderSteps() {
  const names = board.summary.steps;
  const counts = names.map(() => 0);
  let total = 0;
  for (const t of board.tiles.values()) if (t.on_roster) { total++; if (t.step >= 0) counts[t.step]++; }
  const box = document.getElementById("steps");
  box.replaceChildren(...names.map((n, i) => {
    const bar = el("div", { class: "bar" });
    bar.style.width = total ? `${(100 * counts[i]) / total}%` : "0";
    return el("div", { class: "row" }, el("span", { text: `${i} ${n}` }), el("div", {}, bar), el("span", { class: "count", text: counts[i] }));
  }));
  const s = board.summary;
  const cls = s.class_lesson_accuracy;
  document.getElementById("lesson").textContent =
    `수업 모델 / the lesson's model: ${s.lesson_layers}, ${s.lesson_params.toLocaleString("en")} parameters; ` +
    `test accuracy ${s.lesson_accuracy.toFixed(4)} (docs/benchmarks.md)` + (cls === null ? "" : `, this class: ${cls.toFixed(3)}`);
}

// Every student's latest training on one chart. Pointing at a curve names its student.
function renderOverlay() {
  const svg = document.getElementById("overlay");
  const W = 380, H = 250, L = 44, R = 8, T = 8, B = 26;
  const acc = board.show === "accuracy";
  const curves = [...board.tiles.values()].filter((t) => t.curve && t.curve.epoch.length);
  let maxX = 2, lo = Infinity, hi = -Infinity;
  for (const t of curves) {
    maxX = Math.max(maxX, t.curve.epochs, t.curve.epoch[t.curve.epoch.length - 1]);
    for (const v of (acc ? t.curve.accuracy : t.curve.loss).map(num)) {
      if (!finite(v) || (!acc && v <= 0)) continue;
      const y = acc ? v : Math.log10(v);
      lo = Math.min(lo, y); hi = Math.max(hi, y);
    }
  }
  if (!Number.isFinite(lo)) { lo = acc ? 0 : -2; hi = acc ? 1 : 0; }
  if (acc) { lo = Math.min(lo, 0.8); hi = 1; }
  else { lo = Math.floor(lo * 2) / 2; hi = Math.ceil(hi * 2) / 2; if (hi === lo) hi = lo + 0.5; }
  const px = (x) => L + ((x - 1) / (maxX - 1)) * (W - L - R);
  const py = (y) => T + (1 - (y - lo) / (hi - lo)) * (H - T - B);
  const parts = [];
  // Axes, with ticks: powers of ten (loss) or tenths (accuracy).
  const ticks = [];
  if (acc) for (let y = Math.ceil(lo * 20) / 20; y <= hi + 1e-9; y += 0.05) ticks.push([y, y.toFixed(2)]);
  else {
    // Powers of ten; with less than two decades shown, 2× and 5× too.
    const steps = hi - lo < 2 ? [1, 2, 5] : [1];
    for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) {
      for (const m of steps) {
        const y = d + Math.log10(m);
        if (y >= lo - 1e-9 && y <= hi + 1e-9) ticks.push([y, String(Number((m * 10 ** d).toPrecision(1)))]);
      }
    }
  }
  for (const [y, label] of ticks) {
    parts.push(el("svg:line", { class: "grid", x1: L, x2: W - R, y1: py(y), y2: py(y) }));
    parts.push(el("svg:text", { x: L - 4, y: py(y) + 4, "text-anchor": "end", text: label }));
  }
  parts.push(el("svg:line", { class: "axis", x1: L, x2: L, y1: T, y2: H - B }));
  parts.push(el("svg:line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }));
  for (const x of [1, Math.round(maxX / 2), maxX]) parts.push(el("svg:text", { x: px(x), y: H - B + 14, "text-anchor": "middle", text: x }));
  parts.push(el("svg:text", { x: W - R, y: H - 2, "text-anchor": "end", text: "에폭 / epoch" }));
  for (const t of curves) {
    const vals = (acc ? t.curve.accuracy : t.curve.loss).map(num);
    const segs = [];
    let pts = [];
    const nans = [];
    vals.forEach((v, i) => {
      const x = t.curve.epoch[i];
      if (finite(v) && (acc || v > 0)) pts.push(`${px(x).toFixed(1)},${py(acc ? v : Math.log10(v)).toFixed(1)}`);
      else { if (pts.length) segs.push(pts); pts = []; if (v !== null) nans.push(x); }
    });
    if (pts.length) segs.push(pts);
    const g = el("svg:g", { "data-name": t.name });
    const last = vals[vals.length - 1];
    const label = `${t.name}: ${acc ? "정확도 / accuracy" : "손실 / loss"} ${finite(last) ? last.toPrecision(3) : "NaN"} (${t.curve.done}/${t.curve.epochs})`;
    g.append(el("svg:title", { text: label }));
    for (const s of segs) {
      const p = s.length === 1 ? [s[0], s[0]] : s;
      g.append(el("svg:polyline", { class: "curve", points: p.join(" "), stroke: colour(t.name) }));
      g.append(el("svg:polyline", { class: "hit", points: p.join(" ") }));
    }
    for (const x of nans.slice(0, 1)) {
      const at = Math.min(px(x), W - R - 24);
      g.append(el("svg:text", { class: "nan", x: Math.max(at, L + 24), y: T + 12, "text-anchor": "middle", text: "✕ NaN" }));
    }
    g.addEventListener("pointerenter", () => { g.classList.add("hot"); svg.classList.add("hovering"); showTip(label); });
    g.addEventListener("pointermove", (e) => moveTip(e));
    g.addEventListener("pointerleave", () => { g.classList.remove("hot"); svg.classList.remove("hovering"); hideTip(); });
    parts.push(g);
  }
  if (!curves.length) parts.push(el("svg:text", { x: W / 2, y: H / 2, "text-anchor": "middle", text: "아직 학습 없음 / no training yet" }));
  svg.replaceChildren(...parts);
  svg.classList.remove("hovering");
}

const tip = () => document.getElementById("tip");
function showTip(text) { const t = tip(); t.textContent = text; t.hidden = false; }
function moveTip(e) { const t = tip(); t.style.left = `${e.clientX + 14}px`; t.style.top = `${e.clientY - 30}px`; }
function hideTip() { tip().hidden = true; }

function apply(summary, full) {
  board.skew = summary.now_ms - Date.now();
  if (full) board.tiles = new Map();
  for (const t of summary.tiles) {
    t.test_accuracy = num(t.test_accuracy);
    board.tiles.set(t.name, t);
  }
  if (full || !board.summary) board.summary = summary;
  else {
    board.summary.counters = summary.counters;
    board.summary.class_lesson_accuracy = summary.class_lesson_accuracy;
    // A student the last full state did not list: add them at the end until the next one.
    for (const t of summary.tiles) if (!board.summary.tiles.some((o) => o.name === t.name)) board.summary.tiles.push(t);
  }
  render();
}

async function load() {
  try {
    const r = await fetch("api/state", { credentials: "same-origin", cache: "no-store" });
    if (r.status === 401 || r.status === 403) { location.reload(); return; }
    if (!r.ok) return;
    apply(await r.json(), true);
  } catch (e) {
    setLive(false);
  }
}

function setLive(on) {
  const live = document.getElementById("live");
  live.className = on ? "on" : "off";
  live.textContent = on ? "● 실시간 / live" : "● 다시 연결 중 / reconnecting";
}

function connect() {
  const events = new EventSource("api/events");
  events.addEventListener("open", () => { setLive(true); load(); });
  events.addEventListener("error", () => setLive(false));
  events.addEventListener("tiles", (e) => apply(JSON.parse(e.data), false));
}

function ages() {
  for (const a of document.querySelectorAll(".tile .age")) a.textContent = "최근 / last " + ago(Number(a.dataset.ms) || 0);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const [id, show] of [["show-loss", "loss"], ["show-acc", "accuracy"]]) {
    document.getElementById(id).addEventListener("click", () => {
      board.show = show;
      document.getElementById("show-loss").classList.toggle("on", show === "loss");
      document.getElementById("show-acc").classList.toggle("on", show === "accuracy");
      document.getElementById("curve-kind").textContent = show === "loss" ? "(손실 / loss, log)" : "(정확도 / accuracy)";
      renderOverlay();
    });
  }
  load();
  connect();
  setInterval(load, 15000);
  setInterval(ages, 1000);
});
