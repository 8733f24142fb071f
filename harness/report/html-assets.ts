// What the report inlines so it opens offline: Chart.js read from node_modules at render time,
// the stylesheet, and the small script that turns the embedded ChartSpecs into charts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let chartJs: string | undefined;

/** Chart.js's UMD build (it defines `window.Chart`), made safe to sit inside <script>. */
export function chartJsSource(): string {
  if (chartJs === undefined) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    const source = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
    chartJs = source.replace(/<\/(script)/gi, '<\\/$1');
  }
  return chartJs;
}

/** Runs in the page: reads #report-data and draws every chart; sets data-charts-drawn when done. */
export const CLIENT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var C = window.Chart;
  C.defaults.animation = false;
  C.defaults.font.family = getComputedStyle(document.body).fontFamily;
  C.defaults.font.size = 12;
  C.defaults.color = '#334155';
  var warmUp = {
    id: 'warmUp',
    beforeDatasetsDraw: function (chart, args, opts) {
      if (!opts || !opts.until) return;
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      var end = Math.min(Math.max(x.getPixelForValue(opts.until), area.left), area.right);
      ctx.save();
      ctx.fillStyle = 'rgba(148, 163, 184, 0.18)';
      ctx.fillRect(area.left, area.top, end - area.left, area.bottom - area.top);
      ctx.restore();
    }
  };
  function dataset(s, type) {
    var d = {
      label: s.label,
      borderColor: s.color,
      backgroundColor: type === 'bar' ? s.color + 'cc' : s.color,
      borderWidth: type === 'bar' ? 0 : 1.75,
      pointRadius: 0,
      pointHoverRadius: 3,
      stepped: s.stepped ? 'before' : false,
      borderDash: s.dashed ? [5, 3] : [],
      yAxisID: s.right ? 'y2' : 'y',
      spanGaps: false
    };
    d.data = type === 'bar' ? s.data : s.data.map(function (p) { return { x: p[0], y: p[1] }; });
    return d;
  }
  function axis(title, extra) {
    var a = { title: { display: true, text: title }, grid: { color: '#e2e8f0' }, border: { display: false } };
    for (var k in extra) a[k] = extra[k];
    return a;
  }
  var drawn = 0;
  data.charts.forEach(function (spec) {
    var scales = { y: axis(spec.yTitle, { beginAtZero: true, ticks: { precision: 0 } }) };
    if (spec.type === 'line') scales.x = axis(spec.xTitle, { type: 'linear', min: 0, max: spec.xMax, ticks: { precision: 0 } });
    else scales.x = axis(spec.xTitle, { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 6 } });
    if (spec.rightTitle) scales.y2 = axis(spec.rightTitle, { beginAtZero: true, position: 'right', grid: { display: false }, ticks: { precision: 0 } });
    new C(document.getElementById(spec.id), {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.series.map(function (s) { return dataset(s, spec.type); }) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { display: spec.series.length > 1, position: 'top', align: 'end', labels: { boxWidth: 12, boxHeight: 2 } },
          warmUp: { until: spec.warmUpSec }
        },
        scales: scales
      },
      plugins: [warmUp]
    });
    drawn++;
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();
`;

export const CSS = `
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #f8fafc; --card: #fff; --pass: #15803d; --fail: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.run { background: #0f172a; color: #e2e8f0; padding: 24px 32px; }
header.run h1 { margin: 0 0 4px; font-size: 22px; color: #fff; }
header.run .meta { color: #94a3b8; margin: 0 0 12px; }
header.run .place { margin-top: 12px; }
header.run .place h2 { font-size: 14px; margin: 0 0 4px; color: #fff; font-weight: 600; }
header.run ul { margin: 0; padding-left: 20px; }
header.run .timescale { background: #1e293b; border-left: 3px solid #f59e0b; padding: 6px 10px; margin: 6px 0; list-style: none; margin-left: -20px; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 32px 48px; }
h2.section { font-size: 18px; margin: 8px 0 12px; }
section.lab { margin-top: 40px; padding-top: 8px; border-top: 1px solid var(--line); }
section.lab h2 { font-size: 20px; margin: 8px 0 4px; display: flex; align-items: center; gap: 10px; }
section.lab .meta, .sub { color: var(--muted); font-size: 12px; }
section.lab .teaches { margin: 6px 0 12px; font-style: italic; }
section.lab h3 { font-size: 15px; margin: 20px 0 8px; }
ul.notes { margin: 6px 0 12px; padding-left: 20px; color: #92400e; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin: 0; }
.card h4 { margin: 0 0 6px; font-size: 13px; }
.chart { position: relative; height: 240px; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 6px; }
.nodata { height: 240px; display: flex; align-items: center; justify-content: center; text-align: center; color: var(--muted); background: var(--bg); border: 1px dashed var(--line); border-radius: 6px; margin: 0; padding: 12px; }
.card .nodata, td .nodata { height: auto; min-height: 60px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: var(--card); font-variant-numeric: tabular-nums; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; white-space: nowrap; }
thead th { font-size: 12px; color: var(--muted); font-weight: 600; border-bottom: 2px solid var(--line); }
.text { text-align: left; }
td.reason { white-space: normal; color: #334155; min-width: 260px; }
td.result { text-align: center; }
tr.failed td { background: #fef2f2; }
table.comparison td.text .sub, table.stages .sub { white-space: normal; }
table.comparison td.text:first-child { min-width: 200px; }
table.model { margin-bottom: 4px; }
.grid.capacity { grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); }
thead th { white-space: normal; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 11px; font-weight: 700; letter-spacing: .04em; color: #fff; }
.badge.pass { background: var(--pass); }
.badge.fail { background: var(--fail); }
.bad { color: var(--fail); font-weight: 700; }
.kpis { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 12px; margin: 12px 0 16px; }
.kpi .v { font-size: 20px; font-weight: 600; }
.kpi .k { color: var(--muted); font-size: 12px; }
.config { color: #334155; font-size: 12px; margin: 8px 0 0; }
.config code { background: #f1f5f9; padding: 1px 4px; border-radius: 4px; }
a { color: #1d4ed8; }
@media (max-width: 900px) { .grid, .grid.capacity, .kpis { grid-template-columns: minmax(0, 1fr); } }
`;
