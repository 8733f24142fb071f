// The live dashboard page: the talk's CloudWatch widgets (modules/dashboard.ts), drawn with
// Chart.js from /api/live once a second. With no run in progress it says so and shows how to
// start one, instead of empty axes; after a run it keeps that run's charts under a banner.

import { esmMetricStatistic, KAFKA_ESM_METRICS, PROVISIONED_POLLER_METRICS } from '../../labs/esm-metrics.ts';

/** The widgets, in the CloudWatch dashboard's order; `data-widget` names are what tests read. */
export const WIDGETS = [
  { id: 'end-to-end', title: 'EndToEndDuration (ms): average, maximum, minimum' },
  { id: 'published', title: 'EventsPublished (per second)' },
  { id: 'batch-size', title: 'BatchSize: average messages in batch' },
  { id: 'processed', title: 'EventsProcessed (per second)' },
  { id: 'pollers-concurrency', title: 'Pollers and ConcurrentExecutions' },
  { id: 'offset-lag', title: 'OffsetLag (records behind)' },
] as const;

/** ESM metrics CloudWatch shows at their Maximum (the others are summed). */
const LEVEL_METRICS = Object.fromEntries(
  [...Object.values(KAFKA_ESM_METRICS).flat(), ...PROVISIONED_POLLER_METRICS]
    .filter((name) => esmMetricStatistic(name) === 'Maximum')
    .map((name) => [name, true]),
);

/** The ESM's own metrics (MetricsConfig), as a table: counts summed over the run, lags and pollers at their maximum. */
export const ESM_METRICS_WIDGET = { id: 'esm-metrics', title: 'Event source mapping metrics (AWS/Lambda, EventSourceMappingUUID): the run so far' } as const;

const CSS = `
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #f8fafc; --card: #fff; --pass: #15803d; --fail: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
header { background: #0f172a; color: #e2e8f0; padding: 16px 28px; }
header h1 { margin: 0; font-size: 18px; color: #fff; }
header .status { margin-top: 4px; color: #94a3b8; }
header .status b { color: #fff; }
.banner { max-width: 1240px; margin: 20px auto 0; padding: 14px 18px; border-radius: 8px; background: #fff7ed; border: 1px solid #fed7aa; color: #7c2d12; }
.banner code { background: #ffedd5; padding: 1px 5px; border-radius: 4px; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 28px 40px; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card h2 { margin: 0; font-size: 13px; font-weight: 600; }
.card .value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; margin: 2px 0 6px; }
.card .value small { font-size: 12px; font-weight: 400; color: var(--muted); }
.chart { position: relative; height: 220px; }
table.esm { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.esm td { padding: 3px 6px; border-top: 1px solid var(--line); }
table.esm td.n { text-align: right; }
.wide { grid-column: 1 / -1; }
.pass { color: var(--pass); } .fail { color: var(--fail); }
[hidden] { display: none !important; }
`;

const CLIENT = `
(function () {
  var C = window.Chart;
  C.defaults.animation = false;
  C.defaults.font.size = 12;
  C.defaults.color = '#334155';
  var palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];
  var charts = {};
  function chart(id, kind) {
    if (charts[id]) return charts[id];
    var canvas = document.getElementById('chart-' + id);
    charts[id] = new C(canvas, {
      type: kind || 'line',
      data: { labels: [], datasets: [] },
      options: {
        responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
        interaction: { mode: 'nearest', intersect: false },
        scales: { x: { type: 'linear', title: { display: true, text: 'seconds since the load started' } }, y: { beginAtZero: true } },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
        elements: { point: { radius: 0 }, line: { borderWidth: 2, tension: 0.2 } }
      }
    });
    return charts[id];
  }
  function setSeries(id, series, kind) {
    var c = chart(id, kind);
    c.data.datasets = series.map(function (s, i) {
      var color = palette[i % palette.length];
      return { label: s.label, data: s.data, borderColor: color, backgroundColor: color, spanGaps: true, stepped: !!s.stepped };
    });
    c.update('none');
  }
  function line(points, pick) {
    return points.map(function (p) { var v = pick(p); return { x: p.t, y: v === undefined ? null : v }; });
  }
  function last(points, pick) {
    for (var i = points.length - 1; i >= 0; i--) { var v = pick(points[i]); if (v !== undefined && v !== null) return v; }
    return undefined;
  }
  function setValue(id, value, text) {
    var el = document.querySelector('[data-widget="' + id + '"] .value');
    el.setAttribute('data-value', value === undefined ? '' : String(value));
    el.innerHTML = text;
  }
  function fmt(n) { return n === undefined ? '–' : Number(n).toLocaleString('en-US'); }
  function services(points) {
    var seen = {};
    points.forEach(function (p) { Object.keys(p.BatchSize || {}).forEach(function (s) { seen[s] = true; }); });
    return Object.keys(seen);
  }

  function draw(run, points, expected) {
    var e2e = function (k) { return function (p) { return p.EndToEndDuration ? p.EndToEndDuration[k] : undefined; }; };
    setSeries('end-to-end', [
      { label: 'avg', data: line(points, e2e('avg')) },
      { label: 'max', data: line(points, e2e('max')) },
      { label: 'min', data: line(points, e2e('min')) }
    ]);
    var latest = last(points, function (p) { return p.EndToEndDuration; });
    setValue('end-to-end', latest && latest.avg, latest ? fmt(latest.avg) + ' ms <small>avg · max ' + fmt(latest.max) + ' · min ' + fmt(latest.min) + ' · model floor ' + fmt(expected.latencyFloorMs) + ' ms</small>' : '– <small>no event completed yet</small>');

    setSeries('published', [{ label: 'EventsPublished', data: line(points, function (p) { return p.EventsPublished; }) }]);
    var published = last(points, function (p) { return p.totalPublished; }) || 0;
    setValue('published', published, fmt(published) + ' <small>events published so far</small>');

    var names = services(points);
    setSeries('batch-size', names.map(function (s) { return { label: s, data: line(points, function (p) { return p.BatchSize && p.BatchSize[s]; }) }; }));
    var batch = names.length ? last(points, function (p) { return p.BatchSize && p.BatchSize[names[names.length - 1]]; }) : undefined;
    setValue('batch-size', batch, (batch === undefined ? '–' : fmt(batch)) + ' <small>messages per batch · model ' + fmt(expected.batchSize) + '</small>');

    setSeries('processed', [{ label: 'EventsProcessed', data: line(points, function (p) { return p.EventsProcessed; }) }]);
    var processed = last(points, function (p) { return p.totalProcessed; }) || 0;
    setValue('processed', processed, fmt(processed) + ' <small>events processed so far</small>');

    var pc = [
      { label: 'pollers', data: line(points, function (p) { return p.Pollers; }), stepped: true },
      { label: 'ConcurrentExecutions', data: line(points, function (p) { return p.ConcurrentExecutions; }) }
    ];
    if (points.some(function (p) { return p.SqsConcurrentExecutions !== undefined; })) pc.push({ label: 'SQS processor concurrency', data: line(points, function (p) { return p.SqsConcurrentExecutions; }) });
    setSeries('pollers-concurrency', pc);
    charts['pollers-concurrency'].options.scales.y.ticks = { precision: 0 };
    var now = points[points.length - 1] || {};
    setValue('pollers-concurrency', (now.Pollers || 0) + '/' + (now.ConcurrentExecutions || 0), fmt(now.Pollers) + ' <small>pollers · concurrency ' + fmt(now.ConcurrentExecutions) + (now.SqsConcurrentExecutions !== undefined ? ' · SQS processor ' + fmt(now.SqsConcurrentExecutions) : '') + '</small>');

    var lag = [{ label: 'OffsetLag', data: line(points, function (p) { return p.OffsetLag; }) }];
    if (points.some(function (p) { return p.ApproximateNumberOfMessagesVisible !== undefined; })) lag.push({ label: 'SQS messages visible', data: line(points, function (p) { return p.ApproximateNumberOfMessagesVisible; }) });
    setSeries('offset-lag', lag);
    setValue('offset-lag', now.OffsetLag, fmt(now.OffsetLag) + ' <small>records behind the newest offset</small>');
    drawEsmMetrics(points);
  }

  var LEVELS = __LEVELS__;
  function drawEsmMetrics(points) {
    var totals = {}, order = [];
    points.forEach(function (p) {
      Object.keys(p.EsmMetrics || {}).forEach(function (name) {
        var v = p.EsmMetrics[name];
        if (!(name in totals)) { order.push(name); totals[name] = v; }
        else totals[name] = LEVELS[name] ? Math.max(totals[name], v) : totals[name] + v;
      });
    });
    var body = document.querySelector('[data-widget="esm-metrics"] tbody');
    body.innerHTML = order.map(function (name) {
      return '<tr data-metric="' + name + '"><td>' + name + '</td><td class="n">' + fmt(totals[name]) + '</td><td>' + (LEVELS[name] ? 'Maximum' : 'Sum') + '</td></tr>';
    }).join('');
    var el = document.querySelector('[data-widget="esm-metrics"] .value');
    el.setAttribute('data-value', String(order.length));
    el.innerHTML = order.length ? order.length + ' <small>metrics published</small>' : '– <small>none yet: the ESM publishes once per metric period (an AWS minute, compressed), and only the groups kafkaEsm.metrics turns on</small>';
  }

  function render(state) {
    var status = document.getElementById('status');
    var idle = document.getElementById('idle');
    var lastRun = document.getElementById('last-run');
    var grid = document.getElementById('widgets');
    document.body.setAttribute('data-status', state.status);
    if (state.status === 'running') {
      var r = state.run, p = state.points[state.points.length - 1];
      var phase = p ? (p.phase === 'drain' ? 'draining' : 'load') : 'starting';
      status.innerHTML = '<b>' + r.lab + '</b> — ' + r.title + ' · ' + phase + ' · ' + (p ? Math.round(p.t) : 0) + ' s of ' + r.durationSec + ' s load';
      idle.hidden = true; lastRun.hidden = true; grid.hidden = false;
      draw(r, state.points, r.expected);
      return;
    }
    idle.hidden = false;
    status.textContent = 'No run in progress';
    if (!state.last) { grid.hidden = true; lastRun.hidden = true; return; }
    var l = state.last, end = l.end || {};
    var verdict = end.error ? '<span class="fail">stopped: ' + end.error + '</span>'
      : '<span class="' + (end.passed ? 'pass' : 'fail') + '">' + (end.passed ? 'PASS' : 'FAIL') + '</span> · p50 ' + fmt(end.p50) + ' ms · p99 ' + fmt(end.p99) + ' ms · ' + fmt(end.published) + ' published, ' + (end.waiting ? fmt(end.waiting) + ' still waiting, ' : '') + fmt(end.lost) + ' lost';
    lastRun.innerHTML = 'Showing the last run: <b>' + l.run.lab + '</b> (' + l.run.title + '), ended ' + new Date(end.endedAt).toLocaleTimeString() + ' — ' + verdict;
    lastRun.hidden = false; grid.hidden = false;
    draw(l.run, l.points, l.run.expected);
  }

  function poll() {
    fetch('/api/live', { cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(function (state) { render(state); document.body.setAttribute('data-updated', String(Date.now())); })
      .catch(function () { document.getElementById('status').textContent = 'The dashboard server stopped (its terminal was closed?).'; })
      .then(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
`;

export function dashboardPage(): string {
  const cards = WIDGETS.map(
    (w) =>
      `<section class="card" data-widget="${w.id}"><h2>${w.title}</h2><div class="value" data-value="">–</div><div class="chart"><canvas id="chart-${w.id}" role="img" aria-label="${w.title}"></canvas></div></section>`,
  ).join('\n');
  const esm = `<section class="card wide" data-widget="${ESM_METRICS_WIDGET.id}"><h2>${ESM_METRICS_WIDGET.title}</h2><div class="value" data-value="">–</div><table class="esm"><tbody></tbody></table></section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Live dashboard · Optimizing Kafka workloads with AWS Lambda</title>
<style>${CSS}</style>
</head>
<body data-status="loading">
<header><h1>Live dashboard · local sandbox</h1><div class="status" id="status">Connecting…</div></header>
<div class="banner" id="idle" hidden>No run in progress. Start one in another terminal, for example <code>npx workshop run 1</code>; this page follows it as soon as its load starts.</div>
<div class="banner" id="last-run" hidden></div>
<main><div class="grid" id="widgets" hidden>
${cards}
${esm}
</div></main>
<script src="/chart.js"></script>
<script>${CLIENT.replace('__LEVELS__', JSON.stringify(LEVEL_METRICS))}</script>
</body>
</html>
`;
}
