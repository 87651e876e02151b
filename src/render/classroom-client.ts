/// <reference lib="dom" />
/**
 * The classroom page's player, written here in TypeScript so the compiler checks it, and sent to
 * the browser as the text of this one function (renderClassroomScript): it must stay
 * self-contained (no imports at run time, no reference to anything outside its body). The DOM
 * library referenced above is for this file; the rest of the tool never touches a document.
 *
 * It plays the server's messages: it counts nothing itself. Each message carries the counters the
 * live view would show after it; the player only decides which messages have been reached,
 * from a playback clock it can pause, step, rewind and run at 0.25–4×.
 */
import type { ClassroomCounters, ClassroomMessage, ClassroomScenario, Exchange } from "../contract/classroom.js";

export interface ClassroomBoot {
  colors: Record<string, string>;
  dashes: Record<string, string>;
}

export function classroomClient(boot: ClassroomBoot): void {
  type Msg = ClassroomMessage;
  type Timed = Extract<Msg, { type: "start" | "mark" | "tick" | "end" | "done" }>;
  interface LaneModel {
    id: string;
    created?: number;
    settled?: number;
    known?: number;
    status?: "succeeded" | "failed";
    by?: "asked" | "told";
    polls: number[];
    deliveries: number[];
  }
  interface Band {
    name: string;
    payments: number;
    startW: number;
    scale: number;
    /** Scenario ms reached: the latest mark, or the end. */
    t: number;
    endT?: number;
    lanes: Map<string, LaneModel>;
    counters: ClassroomCounters & { missed: number };
    exchanges: Array<{ t: number; x: Exchange }>;
  }
  interface Guess {
    requests: number | null;
    p50: number | null;
  }

  const RATES = [0.25, 0.5, 1, 2, 4];
  const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const el = {
    body: document.body,
    line: $("line"),
    name: $("name"),
    status: $("status"),
    verdict: $("verdict"),
    run: $<HTMLButtonElement>("run"),
    pause: $<HTMLButtonElement>("pause"),
    step: $<HTMLButtonElement>("step"),
    replay: $<HTMLButtonElement>("replay"),
    rate: $<HTMLInputElement>("rate"),
    rateOut: $<HTMLOutputElement>("rate-out"),
    interval: $<HTMLInputElement>("interval"),
    intervalOut: $<HTMLOutputElement>("interval-out"),
    predictToggle: $<HTMLInputElement>("predict-toggle"),
    predict: $("predict"),
    predictRows: $("predict-rows"),
    cards: $("cards"),
    lanes: $("lanes"),
    sequence: $("sequence-svg"),
    key: $("sequence-key"),
  };

  const state = {
    run: 0,
    scenario: undefined as ClassroomScenario | undefined,
    intervals: [] as number[],
    /** Every message of the current run, in order; `cursor` of them have been played. */
    log: [] as Timed[],
    cursor: 0,
    /** The playback clock, in playback ms from the run's start. */
    clock: 0,
    paused: false,
    /** The run is still going on the server: playback cannot pass what has happened. */
    live: false,
    /** performance.now() when the server's run started, as this page saw it. */
    epoch: 0,
    rate: 1,
    bands: new Map<string, Band>(),
    current: undefined as string | undefined,
    done: undefined as Extract<Msg, { type: "done" }> | undefined,
    failed: undefined as string | undefined,
    guesses: new Map<string, Guess>(),
    /** The guesses locked in when the shown run started. */
    locked: undefined as Map<string, Guess> | undefined,
    /** Jump to the live edge once this many messages have arrived (a page opened mid-run or after it). */
    catchUp: undefined as number | undefined,
    dirty: true,
    lastFrame: performance.now(),
    lastDraw: 0,
  };

  // ——— formatting ———
  function esc(text: string): string {
    return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
  }
  function count(n: number | null | undefined): string {
    return n === null || n === undefined ? "–" : Math.round(n).toLocaleString("en-US");
  }
  function seconds(ms: number): string {
    if (ms === 0) return "0";
    if (ms < 1000) return `${Math.round(ms)} ms`;
    const s = ms / 1000;
    return `${s < 10 ? s.toFixed(s % 1 === 0 ? 0 : 1) : Math.round(s)} s`;
  }
  function colour(name: string): string {
    return boot.colors[name] ?? "#222";
  }
  function dash(name: string): string {
    return boot.dashes[name] ?? "none";
  }

  // ——— the model, fed one message at a time ———
  function reset(): void {
    state.bands = new Map();
    state.current = undefined;
    state.done = undefined;
    state.cursor = 0;
    state.clock = 0;
    state.dirty = true;
  }

  function apply(m: Timed): void {
    state.dirty = true;
    if (m.type === "done") {
      state.done = m;
      return;
    }
    if (m.type === "start") {
      state.bands.set(m.strategy, {
        name: m.strategy,
        payments: m.payments,
        startW: m.origin,
        scale: m.scale,
        t: 0,
        lanes: new Map(),
        counters: { requests: 0, wasted: 0, settled: 0, known: 0, missed: 0, payments: m.payments, done: false, p50Text: "–", p95Text: "–" },
        exchanges: [],
      });
      state.current = m.strategy;
      return;
    }
    const band = state.bands.get(m.strategy);
    if (!band) return;
    band.counters = { ...band.counters, ...definedOnly(m.c) };
    band.t = Math.max(band.t, m.t);
    if (m.type === "end") {
      band.endT = m.t;
      return;
    }
    if (m.type !== "mark") return;
    if (m.exchange) {
      band.exchanges.push({ t: m.t, x: m.exchange });
      if (band.exchanges.length > 40) band.exchanges.shift();
    }
    if (!m.id) return;
    let lane = band.lanes.get(m.id);
    if (!lane) band.lanes.set(m.id, (lane = { id: m.id, polls: [], deliveries: [] }));
    if (m.mark === "created") lane.created = m.t;
    else if (m.mark === "settled") {
      lane.settled = m.t;
      lane.status = m.status;
    } else if (m.mark === "poll" && m.exchange?.tone !== "news") lane.polls.push(m.t);
    else if (m.mark === "delivery") lane.deliveries.push(m.t);
    else if (m.mark === "known" && lane.known === undefined) {
      lane.known = m.t;
      lane.status ??= m.status;
      lane.by = m.by;
    }
  }

  function definedOnly(c: ClassroomCounters): Partial<ClassroomCounters> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c)) if (v !== undefined) out[k] = v;
    return out as Partial<ClassroomCounters>;
  }

  // ——— playback ———
  function lastW(): number {
    return state.log.length > 0 ? state.log[state.log.length - 1]!.w : 0;
  }
  function edge(now: number): number {
    return state.live ? Math.max(lastW(), now - state.epoch) : lastW();
  }
  function advance(now: number): void {
    const dt = Math.min(250, now - state.lastFrame);
    state.lastFrame = now;
    if (state.catchUp !== undefined && state.log.length >= state.catchUp) {
      state.clock = edge(now);
      state.catchUp = undefined;
    } else if (!state.paused) state.clock = Math.min(state.clock + dt * state.rate, edge(now));
    // Paused means nothing moves, even messages that arrive stamped before the playback clock (they are held 100 ms).
    if (state.paused) return;
    while (state.cursor < state.log.length && state.log[state.cursor]!.w <= state.clock) apply(state.log[state.cursor++]!);
  }
  function stepOnce(): void {
    state.paused = true;
    const next = state.log[state.cursor];
    if (!next) return;
    apply(next);
    state.cursor++;
    state.clock = next.w;
  }

  function frame(now: number): void {
    advance(now);
    // The running band's waits grow between messages: redraw a few times a second even when nothing arrived.
    const moving = !state.paused && state.current !== undefined && state.bands.get(state.current)?.endT === undefined;
    if (state.dirty || (moving && now - state.lastDraw > 100)) {
      draw();
      state.dirty = false;
      state.lastDraw = now;
    }
    requestAnimationFrame(frame);
  }

  // ——— drawing ———
  function bandNow(band: Band): number {
    if (band.endT !== undefined) return band.endT;
    return Math.max(band.t, (state.clock - band.startW) * band.scale);
  }

  function draw(): void {
    const s = state.scenario;
    const running = state.live || state.cursor < state.log.length;
    el.body.dataset.state = state.failed ? "failed" : running && state.log.length > 0 ? "running" : state.done ? "done" : "idle";
    el.body.dataset.cursor = String(state.cursor);
    el.body.dataset.received = String(state.log.length);
    el.status.textContent = statusText();
    // At the end the headline is the decision, short enough to read from the back of a room; the
    // verdict's figures follow in a line of their own.
    const finished = !!state.done && !state.failed && !state.paused && !state.live && state.cursor >= state.log.length;
    el.verdict.textContent = finished ? state.done!.verdict : "";
    el.verdict.hidden = !finished;
    el.pause.disabled = state.log.length === 0;
    el.step.disabled = state.log.length === 0 || state.cursor >= state.log.length;
    el.replay.disabled = state.log.length === 0;
    el.pause.textContent = state.paused ? "Play ▶" : "Pause";
    el.run.disabled = state.live;
    el.run.textContent = state.log.length > 0 ? "⟳ Run again" : "▶ Run";
    if (!s) return;
    drawCards(s);
    drawLanes(s);
    drawSequence();
  }

  function statusText(): string {
    if (state.failed) return `the run failed: ${state.failed}`;
    if (state.log.length === 0) return state.live ? "starting…" : "ready: press Run";
    if (state.paused) return `paused at message ${state.cursor} of ${state.log.length}`;
    if (state.cursor < state.log.length || state.live) return state.current ? `playing ${state.current}…` : "starting…";
    return state.done ? `→ ${state.done.recommendation}` : "";
  }

  function drawCards(s: ClassroomScenario): void {
    const names = s.strategies;
    if (el.cards.dataset.names !== names.join(",")) {
      el.cards.dataset.names = names.join(",");
      el.cards.innerHTML = names
        .map(
          (name) => `<article class="card" data-strategy="${esc(name)}"><h2>${swatch(name)}<span>${esc(name)}</span><span class="state"></span></h2><dl>
          ${cell("requests", "requests")}${cell("wasted", "wasted")}${cell("known", "known")}${cell("p50", "p50 latency")}${cell("p95", "p95")}${cell("missed", "missed")}</dl></article>`,
        )
        .join("");
    }
    for (const name of names) {
      const card = el.cards.querySelector<HTMLElement>(`[data-strategy="${cssEscape(name)}"]`);
      if (!card) continue;
      const band = state.bands.get(name);
      const c = band?.counters;
      card.dataset.state = !band ? "queued" : c?.done ? "done" : "running";
      card.querySelector(".state")!.textContent = !band ? "queued" : c?.done ? "done" : "running";
      setCounter(card, "requests", c ? count(c.requests) : "–", c?.requests ?? null);
      setCounter(card, "wasted", c ? count(c.wasted) : "–", c?.wasted ?? null);
      setCounter(card, "known", c ? `${count(c.known)}/${count(c.payments)}` : "–", c?.known ?? null);
      setCounter(card, "p50", c?.p50Text ?? "–", c?.p50 ?? null);
      setCounter(card, "p95", c?.p95Text ?? "–", c?.p95 ?? null);
      setCounter(card, "missed", c ? count(c.missed) : "–", c?.missed ?? null);
      const guess = state.locked?.get(name);
      setGuess(card, "requests", guess?.requests, c?.requests ?? null, (v) => `guess ${count(v)}`);
      setGuess(card, "p50", guess?.p50, c?.p50 ?? null, (v) => `guess ${seconds(v)}`);
    }
  }

  function cell(key: string, label: string): string {
    return `<div><dt>${esc(label)}</dt><dd data-counter="${key}">–</dd><dd class="guess" data-guess="${key}"></dd></div>`;
  }
  function setCounter(card: HTMLElement, key: string, text: string, value: number | null): void {
    const dd = card.querySelector<HTMLElement>(`[data-counter="${key}"]`)!;
    if (dd.textContent !== text) dd.textContent = text;
    dd.dataset.value = value === null ? "" : String(value);
  }
  function setGuess(card: HTMLElement, key: string, guess: number | null | undefined, measured: number | null, show: (v: number) => string): void {
    const dd = card.querySelector<HTMLElement>(`[data-guess="${key}"]`)!;
    dd.textContent = guess === null || guess === undefined ? "" : show(guess);
    // Within a factor of 1.5 of the measurement counts as a good guess.
    dd.classList.toggle("close", guess !== null && guess !== undefined && measured !== null && measured > 0 && guess / measured < 1.5 && measured / guess < 1.5);
  }
  function cssEscape(text: string): string {
    return text.replace(/["\\]/g, "\\$&");
  }
  function swatch(name: string): string {
    return `<svg class="swatch" viewBox="0 0 48 14" aria-hidden="true"><line x1="1" y1="7" x2="47" y2="7" stroke="${colour(name)}" stroke-width="4" stroke-dasharray="${dash(name)}"/></svg>`;
  }

  // Lanes drawn about as wide as they show on a 1280 px screen, so their type stays large.
  const LANE = 34;
  const LEFT = 78;
  const WIDTH = 720;

  function drawLanes(s: ClassroomScenario): void {
    const bands = s.strategies.map((name) => state.bands.get(name));
    const span = Math.max(s.horizonMs, ...bands.map((b) => (b ? bandNow(b) : 0)), 1);
    const x = (t: number) => LEFT + (Math.max(0, t) / span) * (WIDTH - LEFT - 16);
    const ticks = niceTicks(span);
    const html = s.strategies
      .map((name) => {
        const band = state.bands.get(name);
        const c = colour(name);
        const shown = band ? [...band.lanes.values()].sort((a, b) => num(a.id) - num(b.id)) : [];
        const rows = Math.max(1, Math.min(s.payments, shown.length || s.payments, 30));
        const height = 40 + rows * LANE;
        const parts: string[] = [];
        for (const t of ticks) parts.push(`<line x1="${x(t)}" y1="8" x2="${x(t)}" y2="${height - 22}" stroke="#e2e2e2"/><text x="${x(t)}" y="${height - 4}" text-anchor="middle" font-size="17" fill="#444">${esc(seconds(t))}</text>`);
        if (!band) parts.push(`<text x="${LEFT}" y="${14 + LANE / 2}" font-size="18" fill="#444" dominant-baseline="middle">queued</text>`);
        const now = band ? bandNow(band) : 0;
        shown.forEach((lane, i) => {
          const y = 14 + i * LANE + LANE / 2;
          parts.push(`<text x="${LEFT - 10}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="17" fill="#444">${esc(lane.id)}</text>`);
          const from = lane.created ?? 0;
          const to = lane.known ?? now;
          parts.push(`<line x1="${x(from)}" y1="${y}" x2="${x(to)}" y2="${y}" stroke="${c}" stroke-width="2" stroke-opacity=".35" stroke-dasharray="${dash(name)}"/>`);
          // The wait that matters: the provider knows and the client does not yet.
          if (lane.settled !== undefined) parts.push(`<line class="wait" x1="${x(lane.settled)}" y1="${y}" x2="${x(lane.known ?? now)}" y2="${y}" stroke="#111" stroke-width="7" stroke-opacity=".28"/>`);
          for (const t of lane.polls) parts.push(`<circle class="poll" cx="${x(t)}" cy="${y}" r="6" fill="#fff" stroke="${c}" stroke-width="3"/>`);
          if (lane.settled !== undefined) {
            const sx = x(lane.settled);
            const failed = lane.status === "failed";
            parts.push(`<path class="settled" d="M${sx},${y - 9}L${sx + 9},${y}L${sx},${y + 9}L${sx - 9},${y}Z" fill="${failed ? "#fff" : "#111"}" stroke="${failed ? "#c0162b" : "#111"}" stroke-width="2.5"/>`);
          }
          for (const t of lane.deliveries) {
            const dx = x(t);
            parts.push(`<path class="delivery" d="M${dx - 8},${y - 12}L${dx + 8},${y - 12}L${dx},${y + 2}Z" fill="${c}"/>`);
          }
          if (lane.known !== undefined) parts.push(`<circle class="known" cx="${x(lane.known)}" cy="${y}" r="10" fill="none" stroke="${lane.status === "failed" ? "#c0162b" : c}" stroke-width="4"/>`);
        });
        const more = band && band.payments > shown.length && shown.length >= 30 ? `<span class="note">first 30 of ${count(band.payments)} payments drawn</span>` : "";
        return `<div class="band" data-strategy="${esc(name)}"><h3>${swatch(name)}<span>${esc(name)}</span>${more}</h3><svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(name)}: each payment over time">${parts.join("")}</svg></div>`;
      })
      .join("");
    el.lanes.innerHTML = html + keyHtml();
  }

  function keyHtml(): string {
    const item = (svg: string, text: string) => `<li><svg viewBox="0 0 24 24" aria-hidden="true">${svg}</svg>${esc(text)}</li>`;
    return `<ul class="key">${[
      item(`<circle cx="12" cy="12" r="6" fill="#fff" stroke="#444" stroke-width="3"/>`, "asked: still pending"),
      item(`<path d="M12,3L21,12L12,21L3,12Z" fill="#111"/>`, "settled at the provider"),
      item(`<line x1="2" y1="12" x2="22" y2="12" stroke="#111" stroke-width="7" stroke-opacity=".28"/>`, "the client does not know yet"),
      item(`<path d="M4,4L20,4L12,18Z" fill="#444"/>`, "told: a delivery"),
      item(`<circle cx="12" cy="12" r="9" fill="none" stroke="#444" stroke-width="4"/>`, "the client knows"),
    ].join("")}</ul>`;
  }

  function niceTicks(span: number): number[] {
    const raw = span / 6;
    const p = 10 ** Math.floor(Math.log10(raw));
    const f = raw / p;
    const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    const out: number[] = [];
    for (let t = 0; t <= span + 1e-9; t += step) out.push(t);
    return out;
  }
  function num(id: string): number {
    return Number(/(\d+)$/.exec(id)?.[1] ?? 0);
  }

  /** The latest exchanges of the strategy playing: client and provider as two lifelines. */
  function drawSequence(): void {
    const band = state.current ? state.bands.get(state.current) : undefined;
    const W = 560;
    const CLIENT = 90;
    const PROVIDER = 470;
    const ROW = 74;
    const recent = band ? band.exchanges.slice(-8) : [];
    const height = 80 + Math.max(8, recent.length) * ROW;
    const c = band ? colour(band.name) : "#444";
    const parts: string[] = [
      `<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0L10,5L0,10Z" fill="context-stroke"/></marker></defs>`,
      `<text x="${CLIENT}" y="26" text-anchor="middle" font-size="22" font-weight="700">client</text>`,
      `<text x="${PROVIDER}" y="26" text-anchor="middle" font-size="22" font-weight="700">provider</text>`,
      `<line x1="${CLIENT}" y1="40" x2="${CLIENT}" y2="${height - 10}" stroke="#111" stroke-width="2"/>`,
      `<line x1="${PROVIDER}" y1="40" x2="${PROVIDER}" y2="${height - 10}" stroke="#111" stroke-width="2"/>`,
    ];
    recent.forEach(({ t, x: ex }, i) => {
      const y = 70 + i * ROW;
      const stroke = ex.tone === "fail" ? "#c0162b" : ex.tone === "setup" ? "#666" : c;
      // The time in the gutter left of the client's lifeline, level with its arrow.
      const time = `<text x="4" y="${y + 5}" font-size="14" fill="#555">${esc(`${t < 0 ? "−" : "+"}${(Math.abs(t) / 1000).toFixed(3)} s`)}</text>`;
      if (ex.tone === "news" && ex.from === "provider") {
        parts.push(time, `<circle cx="${PROVIDER}" cy="${y}" r="9" fill="#111"/><text x="${PROVIDER - 18}" y="${y + 6}" text-anchor="end" font-size="18" font-weight="700">${esc(`${ex.label}: ${ex.gist}`)}</text>`);
        return;
      }
      const [x1, x2] = ex.from === "client" ? [CLIENT, PROVIDER] : [PROVIDER, CLIENT];
      const weight = ex.tone === "news" || ex.tone === "tell" ? 700 : 400;
      parts.push(
        time,
        `<line class="exchange ${ex.tone}" x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="${stroke}" stroke-width="3.5" marker-end="url(#head)"/>`,
        `<text x="${(CLIENT + PROVIDER) / 2}" y="${y - 8}" text-anchor="middle" font-size="17" font-weight="${weight}">${esc(`${ex.label} · ${ex.gist}`)}</text>`,
      );
      if (ex.reply) {
        parts.push(
          `<line x1="${x2}" y1="${y + 16}" x2="${x1}" y2="${y + 16}" stroke="${stroke}" stroke-width="2" stroke-dasharray="6 5" marker-end="url(#head)"/>`,
          `<text x="${(CLIENT + PROVIDER) / 2}" y="${y + 34}" text-anchor="middle" font-size="16" fill="#333" font-weight="${ex.tone === "news" ? 700 : 400}">${esc(ex.reply)}</text>`,
        );
      }
    });
    if (!band) parts.push(`<text x="${W / 2}" y="120" text-anchor="middle" font-size="20" fill="#666">Press Run: each request will appear here.</text>`);
    el.sequence.setAttribute("viewBox", `0 0 ${W} ${height}`);
    el.sequence.innerHTML = parts.join("");
    el.key.innerHTML = [
      `<li><svg viewBox="0 0 40 12" aria-hidden="true"><line x1="2" y1="6" x2="38" y2="6" stroke="${c}" stroke-width="3.5"/></svg>a request</li>`,
      `<li><svg viewBox="0 0 40 12" aria-hidden="true"><line x1="2" y1="6" x2="38" y2="6" stroke="${c}" stroke-width="2" stroke-dasharray="6 5"/></svg>its answer</li>`,
      `<li><svg viewBox="0 0 40 12" aria-hidden="true"><line x1="2" y1="6" x2="38" y2="6" stroke="#c0162b" stroke-width="3.5"/></svg>refused or unanswered</li>`,
    ].join("");
  }

  // ——— predictions ———
  function drawPredictRows(s: ClassroomScenario): void {
    el.predictRows.innerHTML = s.strategies
      .map(
        (name) =>
          `<div class="predict-row" data-strategy="${esc(name)}"><span class="who">${swatch(name)} ${esc(name)}</span><label>requests <input type="number" min="0" step="1" inputmode="numeric" data-guess="requests" aria-label="${esc(name)}: requests"></label><label>known after (ms) <input type="number" min="0" step="any" inputmode="decimal" data-guess="p50" aria-label="${esc(name)}: median latency in milliseconds"></label></div>`,
      )
      .join("");
  }
  function readGuesses(): Map<string, Guess> {
    const out = new Map<string, Guess>();
    for (const row of Array.from(el.predictRows.querySelectorAll<HTMLElement>(".predict-row"))) {
      const value = (key: string) => {
        const text = row.querySelector<HTMLInputElement>(`[data-guess="${key}"]`)?.value.trim() ?? "";
        const n = Number(text);
        return text === "" || !Number.isFinite(n) || n < 0 ? null : n;
      };
      out.set(row.dataset.strategy!, { requests: value("requests"), p50: value("p50") });
    }
    return out;
  }

  // ——— controls ———
  function showInterval(): void {
    const ms = state.intervals[Number(el.interval.value)];
    el.intervalOut.textContent = ms === undefined ? "" : seconds(ms);
  }
  el.rate.addEventListener("input", () => {
    state.rate = RATES[Number(el.rate.value)] ?? 1;
    el.rateOut.textContent = `${state.rate}×`;
  });
  el.interval.addEventListener("input", showInterval);
  el.predictToggle.addEventListener("change", () => {
    el.predict.hidden = !el.predictToggle.checked;
    if (!el.predictToggle.checked) state.guesses = new Map();
  });
  el.pause.addEventListener("click", () => {
    state.paused = !state.paused;
    state.lastFrame = performance.now();
    state.dirty = true;
  });
  el.step.addEventListener("click", () => {
    stepOnce();
    state.dirty = true;
  });
  el.replay.addEventListener("click", () => {
    reset();
    state.paused = false;
    state.lastFrame = performance.now();
  });
  el.run.addEventListener("click", async () => {
    el.run.disabled = true;
    state.guesses = el.predictToggle.checked ? readGuesses() : new Map();
    // The guesses are locked in: the cards show them beside the measurement; the toggle reopens the form.
    el.predict.hidden = true;
    const intervalMs = state.intervals[Number(el.interval.value)];
    try {
      const res = await fetch("/run", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(intervalMs === undefined ? {} : { intervalMs }) });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
        state.failed = body.error?.message ?? `HTTP ${res.status}`;
      }
    } catch (err) {
      state.failed = String((err as Error).message);
    }
    state.dirty = true;
  });

  // ——— the server's stream ———
  function introduce(s: ClassroomScenario): void {
    state.scenario = s;
    el.name.textContent = s.name;
    const parts = [`${count(s.payments)} ${s.payments === 1 ? "payment" : "payments"}`, `poll every ${seconds(s.intervalMs)}`, `seed ${s.seed}`];
    if (s.latencyMs > 0) parts.push(`${seconds(s.latencyMs)} network latency`);
    if (s.speed !== 1) parts.push(`speed ${s.speed}×`);
    if (s.clock === "virtual") parts.push("virtual clock: a simulation, played back");
    el.line.textContent = parts.join(" · ");
    if (el.predictRows.dataset.names !== s.strategies.join(",")) {
      el.predictRows.dataset.names = s.strategies.join(",");
      drawPredictRows(s);
    }
  }

  const source = new EventSource("/events");
  source.onmessage = (event: MessageEvent<string>) => {
    const m = JSON.parse(event.data) as Msg;
    state.dirty = true;
    if (m.type === "hello") {
      introduce(m.scenario);
      state.intervals = m.intervals;
      el.interval.max = String(Math.max(0, m.intervals.length - 1));
      if (el.interval.dataset.set !== "1") {
        el.interval.value = String(Math.max(0, m.intervals.indexOf(m.scenario.intervalMs)));
        el.interval.dataset.set = "1";
      }
      showInterval();
      if (m.run !== state.run) {
        state.run = m.run;
        state.log = [];
        reset();
      }
      state.live = m.state === "running";
      state.epoch = performance.now() - m.w;
      // Joining mid-run or after it: start at the live edge (Replay plays it from the start). Coming
      // back after a dropped connection keeps the place: the stream resumes after the last message.
      if (state.log.length === 0 && m.state !== "idle") state.catchUp = m.backlog;
      return;
    }
    if (m.type === "failed") {
      state.failed = m.message;
      state.live = false;
      return;
    }
    if (m.type === "run") {
      state.run = m.run;
      state.log = [];
      state.failed = undefined;
      reset();
      introduce(m.scenario);
      state.locked = state.guesses.size > 0 ? state.guesses : undefined;
      state.live = true;
      state.paused = false;
      state.epoch = performance.now();
      return;
    }
    if (m.run !== state.run) return;
    state.log.push(m);
    if (m.type === "done") state.live = false;
  };
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      state.failed = "the connection to apiwh closed (was it stopped?)";
      state.dirty = true;
    }
  };
  requestAnimationFrame(frame);
}
