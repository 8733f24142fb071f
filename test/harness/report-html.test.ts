// The HTML report without a browser: structure, escaping, no external URL, the chart data
// embedded, empty timelines, determinism. test/browser/report.test.ts checks it renders.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderHtmlReport } from '../../harness/report/html.ts';
import type { ChartSpec } from '../../harness/report/html-charts.ts';
import { esc, fmtInt, fmtMs, fmtNum, jsonForScript } from '../../harness/report/html-format.ts';
import type { RunReport } from '../../harness/run-result.ts';
import { renderTargets } from '../../harness/text-report.ts';
import { FIXTURE_NOTES, makeRunReport } from './support/report-fixture.ts';

function charts(html: string): ChartSpec[] {
  const json = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  assert.ok(json, 'the chart data is embedded as JSON');
  return (JSON.parse(json[1]) as { charts: ChartSpec[] }).charts;
}

function sections(html: string): string[] {
  return html
    .split('<section class="lab"')
    .slice(1)
    .map((s) => s.slice(0, s.indexOf('</section>')));
}

function count(haystack: string, needle: string | RegExp): number {
  return typeof needle === 'string' ? haystack.split(needle).length - 1 : (haystack.match(new RegExp(needle, 'g')) ?? []).length;
}

test('one page: the comparison table, then a section per lab with six charts and the tables', () => {
  const report = makeRunReport();
  const html = renderHtmlReport(report);
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.is(count(html, '<html'), 1);
  const comparison = html.slice(html.indexOf('<table class="comparison">'), html.indexOf('</table>', html.indexOf('<table class="comparison">')));
  assert.is(count(comparison, '<tr>'), report.labs.length + 1, 'a header row and a row per lab');
  for (const lab of report.labs) assert.ok(comparison.includes(`>${lab.lab}</a>`));
  assert.is(count(comparison, 'badge fail'), 1, 'lab 2 misses its p99 target');
  const labs = sections(html);
  assert.is(labs.length, report.labs.length);
  for (const [i, section] of labs.entries()) {
    assert.is(count(section, '<canvas'), 6, `lab ${i + 1} has six charts`);
    for (const heading of ['Targets', 'Capacity model next to the measurement', 'Latency summary']) assert.ok(section.includes(`<h3>${heading}</h3>`));
    assert.is(count(section, '<tr class="'), report.labs[i].targets.length, 'a row per target');
  }
  assert.ok(labs[1].includes('<tr class="failed"><td class="text">end-to-end p99</td>'));
  assert.ok(labs[0].includes('6,000 /s'), 'the model ceiling is printed');
  assert.ok(labs[2].includes('SQS ESM') && labs[2].includes('MaximumConcurrency 40'), 'both stages of lab 3');
});

test('the header carries what the place does not model, the time scale first', () => {
  const html = renderHtmlReport(makeRunReport());
  const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
  for (const note of FIXTURE_NOTES) assert.ok(header.includes(esc(note)), note);
  assert.ok(header.indexOf('class="timescale"') < header.indexOf(esc(FIXTURE_NOTES[1])), 'the time scale note leads');
  const own = 'SQS standard scaling: +300 concurrent batches a minute';
  assert.not.ok(header.includes(own), 'a note of one lab stays with that lab');
  assert.ok(sections(html)[2].includes(own));
});

test('lab text is escaped everywhere and cannot open a script', () => {
  const report = makeRunReport();
  const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
  Object.assign(report.labs[0], { title: hostile, lab: `01-<b>`, runId: `"'><svg onload=alert(1)>` });
  report.labs[0].targets[0].reason = hostile;
  report.labs[0].targets[0].actual = '</td></tr></table>';
  report.labs[0].notes = [...report.labs[0].notes, `</script><!-- ${hostile}`];
  report.labs[0].overrides = [hostile];
  const html = renderHtmlReport(report);
  assert.not.ok(html.includes('<img src=x'));
  assert.not.ok(html.includes('<svg onload'));
  assert.not.ok(html.includes('<b>'));
  assert.not.ok(html.includes('</td></tr></table></td>'));
  assert.ok(html.includes(esc(hostile)));
  assert.is(count(html, /<script[\s>]/i), 3, 'the data, Chart.js and the drawing script');
  assert.is(count(html, /<\/script/i), 3);
  assert.is(count(html, '<!--'), 0);
});

test('JSON inside a script tag cannot close it', () => {
  const value = { label: '</script><!-- \u2028 & <b>' };
  const json = jsonForScript(value);
  assert.not.ok(/[<>&\u2028]/.test(json));
  assert.equal(JSON.parse(json), value);
});

test('no external resource: Chart.js and the styles are inlined', () => {
  const html = renderHtmlReport(makeRunReport());
  assert.is(count(html, /(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i), 0, 'no src or href leaves the file');
  assert.is(count(html, /<link\b/i), 0);
  assert.is(count(html, /@import|url\(/i), 0);
  assert.ok(html.includes('Chart.js v4'), 'the Chart.js build is inlined');
  assert.ok(/<style>[^<]*\.badge/.test(html));
  for (const href of html.match(/href="([^"]*)"/g) ?? []) assert.ok(href.startsWith('href="#'), `${href} is an anchor in the page`);
});

test("a schema registry lab's section shows what validation cost and how the schema evolved, escaped", () => {
  const report = makeRunReport();
  const html = renderHtmlReport(report);
  const lab5 = sections(html).find((section) => section.includes('05-schema-registry'))!;
  assert.ok(lab5.includes('<h3>Schema registry</h3>'));
  assert.match(lab5, /schema validation \(the sandbox&#39;s pollers\): [\d,]+ records decoded in \d+ ms \(50 µs a record\), 60 registry lookups/);
  assert.match(lab5, /version 2 \(a new optional field, fareClass\) registered as schema id 2/);
  assert.ok(lab5.includes('HTTP 409: Incompatible artifact: bookings-value &lt;script&gt;'));
  assert.not.ok(sections(html)[3].includes('<h3>Schema registry</h3>'), 'lab 4 has no registry');
});

test('the chart data follows the report', () => {
  const report = makeRunReport();
  const html = renderHtmlReport(report);
  const specs = charts(html);
  assert.is(specs.length, 6 * report.labs.length);
  for (const spec of specs) assert.ok(html.includes(`<canvas id="${spec.id}"`), spec.id);
  const [lab1, , lab3] = report.labs;
  const latency = specs.find((s) => s.id === 'lab-1-01-baseline-latency')!;
  assert.equal(
    latency.series.map((s) => s.label),
    ['p50', 'p99', 'max'],
  );
  assert.equal(
    latency.series[0].data,
    lab1.timeline.map((p) => [p.t, p.p50 ?? null]),
  );
  assert.is(latency.warmUpSec, lab1.config.traffic.warmUpSec);
  const throughput = specs.find((s) => s.id === 'lab-1-01-baseline-throughput')!;
  assert.equal(
    throughput.series[0].data,
    lab1.timeline.map((p) => [p.t, p.offered]),
  );
  assert.equal(
    throughput.series[1].data,
    lab1.timeline.map((p) => [p.t, p.processed]),
  );
  const histogram = specs.find((s) => s.id === 'lab-1-01-baseline-histogram')!;
  const total = (data: number[]) => data.reduce((a, b) => a + b, 0);
  assert.is(total(histogram.series[0].data as number[]), total(lab1.latencyHistogram.map((b) => b.count)));
  const batches = specs.find((s) => s.id === 'lab-1-01-baseline-batches')!;
  assert.is(total(batches.series[0].data as number[]), total(lab1.batchSizes.map((b) => b.count)));
  const scaling3 = specs.find((s) => s.id === 'lab-3-03-sqs-buffer-scaling')!;
  assert.equal(
    scaling3.series.map((s) => s.label),
    ['Kafka pollers', 'Kafka ESM concurrency', 'SQS ESM concurrency', 'queue depth'],
  );
  assert.equal(
    scaling3.series[2].data,
    lab3.timeline.map((p) => [p.t, p.sqsConcurrency!]),
  );
  assert.ok(scaling3.rightTitle, 'queue depth has its own axis');
  const scaling1 = specs.find((s) => s.id === 'lab-1-01-baseline-scaling')!;
  assert.is(scaling1.series.length, 2, 'no SQS series without a buffer');
});

test('batch sizes bin into ranges when there are many', () => {
  const report = makeRunReport();
  report.labs[0].batchSizes = Array.from({ length: 100 }, (_, i) => ({ size: i + 1, count: 1 }));
  const spec = charts(renderHtmlReport(report)).find((s) => s.id === 'lab-1-01-baseline-batches')!;
  assert.ok(spec.labels!.length <= 40);
  assert.is(spec.labels![0], '1–3');
  assert.is(
    (spec.series[0].data as number[]).reduce((a, b) => a + b, 0),
    100,
  );
});

test('an empty timeline says so instead of drawing empty axes', () => {
  const report = makeRunReport();
  Object.assign(report.labs[0], { timeline: [], latencyHistogram: [], batchSizes: [] });
  report.labs[1].timeline = report.labs[1].timeline.map(({ p50, p99, max, ...rest }) => rest);
  const html = renderHtmlReport(report);
  const [first, second] = sections(html);
  assert.is(count(first, '<canvas'), 0);
  assert.is(count(first, 'No timeline data'), 4);
  assert.ok(first.includes('No latency was recorded') && first.includes('No invocation was recorded'));
  assert.is(count(second, '<canvas'), 5);
  assert.ok(second.includes('No event completed during the run'));
  assert.is(charts(html).length, 6 * report.labs.length - 6 - 1);
  const empty: RunReport = { generatedAt: '2026-03-12T00:00:00.000Z', labs: [] };
  assert.ok(renderHtmlReport(empty).includes('This report holds no lab results.'));
  assert.equal(charts(renderHtmlReport(empty)), []);
});

test('the same report renders the same bytes', () => {
  const a = renderHtmlReport(makeRunReport());
  const b = renderHtmlReport(structuredClone(makeRunReport()));
  assert.is(a, b);
  const ours = a.slice(0, a.indexOf('<script>'));
  assert.ok(ours.includes('id="report-data"'));
  assert.not.ok(/NaN|undefined|Infinity|\[object/.test(ours), 'no unformatted value');
});

test('numbers are formatted without the machine locale', () => {
  assert.is(fmtInt(1234567), '1,234,567');
  assert.is(fmtInt(-1500), '-1,500');
  assert.is(fmtNum(1.04), '1.04');
  assert.is(fmtNum(6000, 0), '6,000');
  assert.is(fmtNum(50.6, 1), '50.6');
  assert.is(fmtNum(2, 2), '2');
  assert.is(fmtMs(0.42), '0.42 ms');
  assert.is(fmtMs(3.44), '3.4 ms');
  assert.is(fmtMs(312.4), '312 ms');
  assert.is(fmtMs(2350), '2.35 s');
  assert.is(fmtMs(12_340), '12.3 s');
  assert.is(fmtMs(undefined), '–');
  assert.is(fmtMs(Number.NaN), '–');
});

test("lab 3's SQS mapping's metrics get their own table next to the Kafka mapping's, in AWS's order, and a line in the terminal report", () => {
  const report = makeRunReport();
  const lab3 = report.labs.find((lab) => lab.config.sqsBuffer !== undefined)!;
  lab3.esmMetrics = { PolledEventCount: 3000 };
  lab3.sqsEsmMetrics = { DeletedEventCount: 2990, PolledEventCount: 3010, FailedInvokeEventCount: 20, InvokedEventCount: 3010, FilteredOutEventCount: 0 };
  const section = sections(renderHtmlReport(report))[report.labs.indexOf(lab3)];
  const sqs = section.slice(section.indexOf('<h3>SQS event source mapping metrics</h3>'));
  assert.ok(section.indexOf('<h3>Event source mapping metrics</h3>') < section.indexOf('<h3>SQS event source mapping metrics</h3>'));
  const rows = [...sqs.slice(0, sqs.indexOf('</table>')).matchAll(/<tr><th class="text">(\w+)<\/th><td>([\d,]+)<\/td>/g)].map((m) => [m[1], m[2]]);
  assert.equal(rows, [
    ['PolledEventCount', '3,010'],
    ['FilteredOutEventCount', '0'],
    ['InvokedEventCount', '3,010'],
    ['FailedInvokeEventCount', '20'],
    ['DeletedEventCount', '2,990'],
  ]);
  assert.ok(
    renderTargets(lab3).includes(
      '  SQS ESM metrics (EventCount): PolledEventCount 3,010 · FilteredOutEventCount 0 · InvokedEventCount 3,010 · FailedInvokeEventCount 20 · DeletedEventCount 2,990',
    ),
  );
  const lab1 = report.labs[0];
  assert.not.ok(sections(renderHtmlReport(report))[0].includes('SQS event source mapping metrics'), 'no buffer, no SQS table');
  assert.not.ok(renderTargets(lab1).includes('SQS ESM metrics'));
});

test.run();
