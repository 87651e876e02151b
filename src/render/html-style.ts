/**
 * The reports' stylesheet, inlined into each page. Large type and near-black on white for a
 * projector at the back of a room; system fonts only (nothing to fetch); a print section that
 * keeps charts whole on a page and the strategy colours on paper.
 */
export const STYLE = `
:root { color-scheme: light; --fg: #111; --muted: #3d3d3d; --rule: #c8c8c8; --grid: #e2e2e2; --good: #1a7f37; --bad: #c0162b; --warn: #8a5a00; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; color: var(--fg); background: #fff;
  font: 20px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 2.2em; margin: 0 0 8px; line-height: 1.1; }
h2 { font-size: 1.6em; margin: 40px 0 12px; border-bottom: 3px solid var(--fg); padding-bottom: 4px; }
h3 { font-size: 1.2em; margin: 28px 0 8px; }
h4.panel { font-size: 1.1em; margin: 16px 0 0; }
.kicker { margin: 0; color: var(--muted); font-size: 0.9em; text-transform: uppercase; letter-spacing: 0.08em; }
.description { font-size: 1.1em; margin: 4px 0 16px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.9em; }
pre.error { white-space: pre-wrap; border-left: 6px solid var(--bad); padding: 8px 12px; background: #fff5f5; }
.file { margin: 0 0 12px; color: var(--muted); }
dl.params { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 4px 32px; margin: 0 0 16px; }
dl.params div { display: flex; gap: 12px; border-bottom: 1px solid var(--rule); padding: 2px 0; }
dl.params dt { color: var(--muted); flex: 0 0 7.5em; }
dl.params dd { margin: 0; font-weight: 600; min-width: 0; overflow-wrap: anywhere; }
.verdict { font-size: 1.35em; font-weight: 700; border-left: 8px solid var(--fg); padding: 4px 0 4px 14px; margin: 20px 0; }
.recommendation { font-size: 1.15em; font-weight: 700; margin: -8px 0 20px 22px; }
.verdict.good { border-color: var(--good); } .verdict.bad { border-color: var(--bad); }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 8px 0 16px; max-width: 100%; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: 14px; margin: 8px 0 20px; }
.card { border: 2px solid var(--rule); border-top: 8px solid var(--fg); border-radius: 8px; padding: 8px 14px 10px; break-inside: avoid; page-break-inside: avoid; }
.card h3 { margin: 0 0 6px; display: flex; align-items: center; gap: 10px; font-size: 1.15em; }
.card dl { display: grid; grid-template-columns: repeat(3, auto); justify-content: space-between; gap: 4px 14px; margin: 0; }
.card dt { color: var(--muted); font-size: 0.75em; text-transform: uppercase; letter-spacing: 0.05em; }
.card dd { margin: 0; font-size: 1.35em; font-weight: 800; font-variant-numeric: tabular-nums; white-space: nowrap; }
.card dd.sub { font-size: 0.75em; font-weight: 400; color: var(--muted); white-space: normal; }
.card dd.sub.bad { color: var(--bad); font-weight: 700; }
th, td { padding: 3px 16px; text-align: left; vertical-align: top; }
thead th { border-bottom: 3px solid var(--fg); font-size: 1.05em; }
.num { text-align: right; white-space: nowrap; }
table.compare tr.section th { padding-top: 14px; font-size: 1.05em; border-bottom: 1px solid var(--rule); }
table.compare th.label { font-weight: 400; padding-left: 32px; }
table.compare th.label.sub { padding-left: 56px; color: var(--muted); }
table.compare tbody tr:not(.section):nth-child(even) { background: #f4f4f4; }
table.summary td { border-bottom: 1px solid var(--rule); }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.35em; border-radius: 2px; vertical-align: -0.05em; }
.good, .mark.passed { color: var(--good); } .bad, .mark.failed, .mark.error { color: var(--bad); } .warn { color: var(--warn); font-weight: 600; } .dim { color: var(--muted); }
.mark { font-weight: 700; }
ul.notes li, ul.expectations li { margin: 4px 0; }
ul.expectations { list-style: none; padding-left: 0; } ul.expectations ul { color: var(--muted); }
figure.chart { margin: 28px 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 1.3em; font-weight: 700; margin-bottom: 4px; }
.caption { color: var(--muted); margin: 4px 0 0; }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 28px; padding: 0; margin: 6px 0 10px; }
ul.legend li { display: flex; align-items: center; gap: 8px; }
svg { display: block; max-width: 100%; height: auto; overflow: visible; }
svg.symbol { display: inline-block; width: 1.2em; height: 1.2em; }
svg.symbol.wide { width: 2.4em; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--fg); }
svg .tick { font-size: 18px; }
svg .lane { font-size: 15px; fill: var(--muted); }
svg .axis-title { font-size: 18px; font-weight: 600; }
svg .grid { stroke: var(--grid); stroke-width: 1; }
svg .axis { stroke: var(--fg); stroke-width: 2; }
svg .series { fill: none; stroke-width: 4; stroke-linejoin: round; }
svg .span { stroke-width: 2; stroke-opacity: 0.35; }
svg .wait { stroke: #111; stroke-width: 7; stroke-opacity: 0.22; }
svg .end-label { font-size: 17px; font-weight: 700; }
svg .leader { stroke: #888; stroke-width: 1; }
svg .poll { fill: #fff; stroke-width: 2; }
svg .settle { fill: #111; stroke: #111; stroke-width: 1.5; }
svg .settle.failed { fill: #fff; stroke: var(--bad); stroke-width: 2.5; }
svg .known { fill: none; stroke-width: 3.5; }
svg .point-label { font-size: 17px; font-weight: 600; }
footer { margin-top: 48px; color: var(--muted); font-size: 0.85em; border-top: 1px solid var(--rule); padding-top: 8px; }
@media print {
  /* Readable from a grey printer: black text and rules, series told apart by dash and label, not hue alone. */
  :root { --muted: #222; --rule: #777; --grid: #bbb; }
  body { max-width: none; padding: 0; font-size: 11pt; color: #000; }
  .card { border-color: #000; }
  table.compare tbody tr:not(.section):nth-child(even) { background: none; }
  svg .series { stroke-width: 3; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, figure.chart, dl.params { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;
