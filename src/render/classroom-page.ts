import { classroomClient, type ClassroomBoot } from "./classroom-client.js";
import { STRATEGY_DASH, STRATEGY_HEX, escapeHtml } from "./html-svg.js";

/**
 * The classroom page of `apiwh compare --serve`: a shell the script fills from the server's
 * messages. Nothing inline (the server's Content-Security-Policy allows only its own script and
 * stylesheet), nothing fetched from elsewhere, type large enough for the back of a room.
 */
export function renderClassroomPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · apiwh classroom</title>
<link rel="stylesheet" href="/classroom.css">
<script src="/classroom.js" defer></script>
</head>
<body data-state="connecting">
<header>
  <div><p class="kicker">apiwh · classroom · pull against push</p><h1 id="name">${escapeHtml(title)}</h1><p id="line"></p></div>
  <p id="status" role="status" aria-live="polite">connecting…</p>
</header>
<p id="verdict" hidden></p>
<nav class="controls" aria-label="playback">
  <button id="run" type="button" class="primary">▶ Run</button>
  <button id="pause" type="button" disabled>Pause</button>
  <button id="step" type="button" disabled>Step ▸</button>
  <button id="replay" type="button" disabled>⟲ Replay</button>
  <label class="slider">speed <input id="rate" type="range" min="0" max="4" step="1" value="2" aria-describedby="rate-out"><output id="rate-out">1×</output></label>
  <label class="slider">poll every <input id="interval" type="range" min="0" max="0" step="1" value="0" aria-describedby="interval-out"><output id="interval-out"></output></label>
  <label class="toggle"><input id="predict-toggle" type="checkbox"> predict first</label>
</nav>
<section id="predict" hidden aria-label="predictions">
  <h2>Your guesses, before the run</h2>
  <p class="hint">For each strategy: how many requests will it need in all, and how long after a payment settles will the client know (the median)?</p>
  <div id="predict-rows"></div>
</section>
<main id="board">
  <section id="cards" aria-label="counters"></section>
  <section id="lanes" aria-label="payments over time"></section>
  <section id="sequence" aria-label="the exchanges"><h2>What goes over the wire</h2><svg id="sequence-svg" viewBox="0 0 560 640" role="img" aria-label="sequence diagram of the latest exchanges"></svg><ul class="key" id="sequence-key"></ul></section>
</main>
<footer>Served by apiwh on this machine only (127.0.0.1); nothing is fetched from anywhere else. Figures in scenario time.</footer>
</body>
</html>
`;
}

/** The script the page loads: the player, with the strategies' colours and dash patterns. */
export function renderClassroomScript(): string {
  const boot: ClassroomBoot = { colors: { ...STRATEGY_HEX }, dashes: { ...STRATEGY_DASH } };
  return `"use strict";\n(${classroomClient.toString()})(${JSON.stringify(boot)});\n`;
}

/** The page's stylesheet: large type, high contrast, marks that differ by shape as well as colour. */
export const CLASSROOM_STYLE = `
:root { color-scheme: light; --fg: #111; --muted: #444; --rule: #c8c8c8; --bg: #fff; --panel: #f5f5f2; --good: #1a7f37; --bad: #c0162b; --accent: #0b57d0; }
* { box-sizing: border-box; }
html { font: 22px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0; padding: 16px 24px 24px; }
header { display: flex; justify-content: space-between; align-items: flex-end; gap: 24px; border-bottom: 3px solid var(--fg); padding-bottom: 8px; }
h1 { margin: 0; font-size: 2rem; line-height: 1.1; }
h2 { margin: 0 0 8px; font-size: 1.1rem; }
.kicker { margin: 0; text-transform: uppercase; letter-spacing: .08em; font-size: .7rem; color: var(--muted); }
#line { margin: 4px 0 0; color: var(--muted); }
#status { margin: 0; font-weight: 700; font-size: 1.1rem; text-align: right; max-width: 48%; }
#verdict { margin: 8px 0 0; font-size: .85rem; color: var(--muted); }
body[data-state="running"] #status { color: var(--accent); }
body[data-state="failed"] #status { color: var(--bad); }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 18px; padding: 12px 0; }
button { font: inherit; font-weight: 700; padding: 6px 16px; border: 2px solid var(--fg); border-radius: 8px; background: #fff; color: var(--fg); cursor: pointer; }
button.primary { background: var(--fg); color: #fff; }
button:disabled { opacity: .4; cursor: default; }
button:focus-visible, input:focus-visible { outline: 4px solid var(--accent); outline-offset: 2px; }
.slider { display: flex; align-items: center; gap: 8px; }
.slider input { width: 160px; accent-color: var(--fg); }
output { font-weight: 700; min-width: 3.2em; font-variant-numeric: tabular-nums; }
.toggle { display: flex; align-items: center; gap: 6px; }
.toggle input { width: 1.1em; height: 1.1em; accent-color: var(--fg); }
#predict { background: var(--panel); border: 2px solid var(--fg); border-radius: 10px; padding: 12px 16px; margin-bottom: 12px; }
#predict .hint { margin: 0 0 8px; color: var(--muted); }
.predict-row { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 20px; margin: 6px 0; }
.predict-row .who { min-width: 9em; font-weight: 700; }
.predict-row input { font: inherit; width: 6em; padding: 2px 6px; border: 2px solid var(--fg); border-radius: 6px; }
#board { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); grid-template-areas: "cards cards" "lanes sequence"; gap: 16px 24px; }
#cards { grid-area: cards; display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
#lanes { grid-area: lanes; min-width: 0; }
#sequence { grid-area: sequence; min-width: 0; }
.card { border: 3px solid var(--fg); border-radius: 10px; padding: 8px 12px; background: #fff; }
.card h2 { display: flex; align-items: center; gap: 8px; font-size: 1.15rem; }
.card h2 svg { flex: none; }
.card .state { margin-left: auto; font-size: .75rem; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.card[data-state="running"] .state { color: var(--accent); }
.card dl { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 2px 12px; margin: 0; }
.card dl div { min-width: 0; }
.card dt { font-size: .7rem; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.card dd { margin: 0; font-size: 1.45rem; font-weight: 800; font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card dd.guess { font-size: .75rem; font-weight: 600; color: var(--muted); }
.card dd.guess.close { color: var(--good); }
.band { margin: 0 0 10px; }
.band h3 { margin: 0; font-size: 1rem; display: flex; gap: 10px; align-items: baseline; }
.band h3 .note { font-weight: 400; color: var(--muted); font-size: .8rem; }
svg { display: block; width: 100%; height: auto; overflow: visible; }
svg.swatch { display: inline-block; width: 48px; height: 14px; flex: none; }
svg text { font-family: inherit; fill: var(--fg); }
.key { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 8px 0 0; font-size: .75rem; color: var(--muted); }
.key li { display: flex; align-items: center; gap: 6px; }
.key svg { width: 1.3em; height: 1.3em; }
footer { margin-top: 16px; color: var(--muted); font-size: .7rem; border-top: 1px solid var(--rule); padding-top: 6px; }
@media (max-width: 1000px) { #board { grid-template-columns: 1fr; grid-template-areas: "cards" "lanes" "sequence"; } }
@media (prefers-reduced-motion: reduce) { * { scroll-behavior: auto; } }
`;
