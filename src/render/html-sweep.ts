import type { SweepPoint, SweepResult } from "../contract/result.js";
import { formatDurationShort } from "../scenario/duration.js";
import { formatCount, formatMs, formatPercent } from "../contract/format.js";
import { page } from "./html.js";
import { autoScale, axes, escapeHtml, n, strategyHex, svg, tickCount, tickMs, type Frame } from "./html-svg.js";
import { spaced, sweepLine, sweepVerdict } from "./sweep.js";

const WIDTH = 960;

/**
 * `apiwh sweep --report <file.html>`: the trade-off curve as a self-contained page: requests
 * across, latency up (p50 solid, p95 dashed), one dot per poll interval, the webhook as the
 * reference point, then the table of figures.
 */
export function renderSweepHtml(sweep: SweepResult): string {
  const s = sweep.scenario;
  const body = [
    `<header><p class="kicker">apiwh ${escapeHtml(sweep.tool.version)} · poll interval sweep</p><h1>${escapeHtml(s.name)}</h1></header>`,
    s.description ? `<p class="description">${escapeHtml(s.description)}</p>` : "",
    `<p class="description">${escapeHtml(sweepLine(sweep))} · settlement delay ${escapeHtml(s.settlementDelay)} · failure rate ${formatPercent(s.failureRate, 1)}</p>`,
    sweep.partial ? `<p class="warn">Partial results: the sweep was interrupted, so some intervals did not run.</p>` : "",
    `<p class="verdict">${escapeHtml(sweepVerdict(sweep))}</p>`,
    sweepChart(sweep),
    sweepTable(sweep),
  ];
  return page(`apiwh sweep · ${s.name}`, body.join("\n"));
}

/** The chart alone, as a `<figure>`, for a page that has the sweep beside other things. */
export function sweepChart(sweep: SweepResult): string {
  const polled = sweep.points.filter((p) => p.latencyMs !== null).sort((a, b) => a.intervalMs! - b.intervalMs!);
  const w = sweep.webhook?.latencyMs ? sweep.webhook : null;
  const all = [...polled, ...(w ? [w] : [])];
  if (all.length === 0) return `<p class="caption">No latency to chart: nothing was detected.</p>`;
  const frame: Frame = { width: WIDTH, height: 520, left: 104, right: 40, top: 24, bottom: 64 };
  const x = autoScale(all.map((p) => p.requests.total), frame.left, WIDTH - frame.right);
  const y = autoScale(all.flatMap((p) => [p.latencyMs!.p50, p.latencyMs!.p95]), frame.height - frame.bottom, frame.top);
  const poll = strategyHex(sweep.strategy);
  const path = (pick: (p: SweepPoint) => number) => polled.map((p, i) => `${i === 0 ? "M" : "L"}${n(x(p.requests.total))},${n(y(pick(p)))}`).join("");
  const parts = [
    axes(frame, x, y, tickCount, tickMs, { x: `requests${x.log ? " (log scale)" : ""}`, y: `detection latency${y.log ? " (log scale)" : ""}` }),
    `<path class="series" d="${path((p) => p.latencyMs!.p95)}" stroke="${poll}" stroke-dasharray="10 8" stroke-opacity="0.6"/>`,
    `<path class="series" d="${path((p) => p.latencyMs!.p50)}" stroke="${poll}"/>`,
  ];
  for (const p of polled) {
    const px = x(p.requests.total);
    const py = y(p.latencyMs!.p50);
    parts.push(
      `<g><title>${escapeHtml(`${sweep.strategy} every ${spaced(p.intervalMs!)}: ${formatCount(p.requests.total)} requests, p50 ${formatMs(p.latencyMs!.p50)}, p95 ${formatMs(p.latencyMs!.p95)}`)}</title>` +
        `<circle cx="${n(px)}" cy="${n(y(p.latencyMs!.p95))}" r="5" fill="#fff" stroke="${poll}" stroke-width="2"/>` +
        `<circle cx="${n(px)}" cy="${n(py)}" r="8" fill="${poll}" stroke="#111" stroke-width="1.5"/>` +
        `<text class="point-label" x="${n(px + 12)}" y="${n(py - 10)}">${escapeHtml(formatDurationShort(p.intervalMs!))}</text></g>`,
    );
  }
  if (w) {
    const px = x(w.requests.total);
    const py = y(w.latencyMs!.p50);
    const c = strategyHex("webhook");
    parts.push(
      `<g><title>${escapeHtml(`webhook: ${formatCount(w.requests.total)} requests, p50 ${formatMs(w.latencyMs!.p50)}, p95 ${formatMs(w.latencyMs!.p95)}`)}</title>` +
        `<path d="M${n(px)},${n(py - 12)}L${n(px + 12)},${n(py)}L${n(px)},${n(py + 12)}L${n(px - 12)},${n(py)}Z" fill="${c}" stroke="#111" stroke-width="1.5"/>` +
        `<text class="point-label" x="${n(px + 16)}" y="${n(py - 12)}" fill="${c}">webhook</text></g>`,
    );
  }
  const legend = [
    `<li><span class="swatch" style="background:${poll}"></span>${escapeHtml(sweep.strategy)} p50, each dot labelled by its poll interval</li>`,
    `<li><span class="swatch" style="background:${poll};opacity:0.5"></span>${escapeHtml(sweep.strategy)} p95 (dashed, open dots)</li>`,
    w ? `<li><span class="swatch" style="background:${strategyHex("webhook")}"></span>webhook (reference)</li>` : "",
  ];
  const caption = `Each run faced the same settlements (seed ${sweep.scenario.seed}). Down and to the left is better: fewer requests, outcomes known sooner.${x.log || y.log ? " Axes marked log scale span orders of magnitude." : ""}`;
  return `<figure class="chart"><figcaption>Requests against latency</figcaption><ul class="legend">${legend.join("")}</ul>${svg(WIDTH, frame.height, "Requests against detection latency for each poll interval, with the webhook as reference", parts.join(""))}<p class="caption">${escapeHtml(caption)}</p></figure>`;
}

function sweepTable(sweep: SweepResult): string {
  const rows = [...sweep.points.map((p) => ({ name: sweep.strategy, p })), ...(sweep.webhook ? [{ name: "webhook", p: sweep.webhook }] : [])];
  const body = rows.map(({ name, p }) => {
    const l = p.latencyMs;
    const label = p.intervalMs === null ? name : `${name} every ${spaced(p.intervalMs)}`;
    const cells = [formatCount(p.requests.total), formatCount(p.requests.wasted), l ? formatMs(l.p50) : "–", l ? formatMs(l.p95) : "–", l ? formatMs(l.mean) : "–", `${formatCount(p.payments.detected)}/${formatCount(p.payments.total)}`];
    return `<tr><th scope="row"><span class="swatch" style="background:${strategyHex(name)}"></span>${escapeHtml(label)}</th>${cells.map((c) => `<td class="num${c.startsWith("0/") ? " bad" : ""}">${escapeHtml(c)}</td>`).join("")}</tr>`;
  });
  return `<table class="compare"><thead><tr><th></th><th class="num">requests</th><th class="num">wasted</th><th class="num">p50</th><th class="num">p95</th><th class="num">mean</th><th class="num">detected</th></tr></thead><tbody>${body.join("")}</tbody></table>`;
}
