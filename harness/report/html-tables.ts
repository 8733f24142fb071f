// The report's tables: the comparison of labs (the talk's dashboard), and per lab the capacity
// model next to what was measured, the targets, and the latency summaries.
import {
  ESM_METRIC_DIMENSION,
  type EsmMetricName,
  esmMetricStatistic,
  LAMBDA_NAMESPACE,
  publishedEsmMetrics,
  publishedSqsEsmMetrics,
  SQS_ESM_METRIC_GROUPS,
} from '../../labs/esm-metrics.ts';
import type { EsmMetricTotals } from '../esm-metric-totals.ts';
import type { LabRunResult, LatencySummary } from '../run-result.ts';
import { esc, fmtInt, fmtMs, fmtNum, fmtPercent, slug } from './html-format.ts';

export function badge(pass: boolean): string {
  return pass ? '<span class="badge pass">PASS</span>' : '<span class="badge fail">FAIL</span>';
}

/** A count that should be zero is highlighted when it is not. */
function mustBeZero(n: number): string {
  return n === 0 ? fmtInt(n) : `<span class="bad">${fmtInt(n)}</span>`;
}

export function labAnchor(lab: LabRunResult, index: number): string {
  return `lab-${index + 1}-${slug(lab.lab)}`;
}

export function comparisonTable(labs: LabRunResult[]): string {
  const head = [
    'Lab',
    'Place',
    'p50',
    'p99',
    'max',
    'Avg batch',
    'Throughput / offered',
    'Published',
    'Processed',
    'Filtered',
    'Dead-lettered',
    'Lost',
    'Duplicated',
    'Result',
  ];
  const rows = labs.map((lab, i) => {
    const failed = lab.targets.filter((t) => !t.pass).map((t) => t.name);
    const title = failed.length > 0 ? ` title="${esc(`failed: ${failed.join(', ')}`)}"` : '';
    const cells = [
      `<td class="text"><a href="#${labAnchor(lab, i)}">${esc(lab.lab)}</a><div class="sub">${esc(lab.title)}</div></td>`,
      `<td class="text">${esc(lab.target)}</td>`,
      `<td>${fmtMs(lab.endToEndMs.p50)}</td>`,
      `<td>${fmtMs(lab.endToEndMs.p99)}</td>`,
      `<td>${fmtMs(lab.endToEndMs.max)}</td>`,
      `<td>${fmtNum(lab.avgBatchSize, 1)}</td>`,
      `<td>${fmtNum(lab.throughputPerSec, 1)} / ${fmtNum(lab.offeredPerSec, 1)} /s <span class="sub">${fmtPercent(lab.throughputPerSec, lab.offeredPerSec)}</span></td>`,
      `<td>${fmtInt(lab.published)}</td>`,
      `<td>${fmtInt(lab.processed)}</td>`,
      `<td>${fmtInt(lab.filtered)}</td>`,
      `<td>${fmtInt(lab.deadLettered)}</td>`,
      `<td>${mustBeZero(lab.lost)}${lab.dropped > 0 ? ` <span class="sub">${fmtInt(lab.dropped)} dropped by the mapping</span>` : ''}${lab.waiting > 0 ? ` <span class="sub">${fmtInt(lab.waiting)} still waiting</span>` : ''}</td>`,
      `<td>${mustBeZero(lab.duplicated)}</td>`,
      `<td class="result"${title}>${badge(lab.passed)}</td>`,
    ];
    return `<tr>${cells.join('')}</tr>`;
  });
  return table('comparison', head, rows);
}

/** Headers over text columns align left, like their cells; the first column always does. */
function table(cls: string, head: string[], rows: string[], textColumns: number[] = [0]): string {
  const ths = head.map((h, i) => `<th${textColumns.includes(i) ? ' class="text"' : ''}>${esc(h)}</th>`).join('');
  return `<div class="scroll"><table class="${cls}"><thead><tr>${ths}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function peak(lab: LabRunResult, pick: (p: LabRunResult['timeline'][number]) => number | undefined): number | undefined {
  const values = lab.timeline.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
  return values.length > 0 ? Math.max(...values) : undefined;
}

export function capacityTable(lab: LabRunResult): string {
  const m = lab.model;
  const row = (name: string, model: string, measured: string) => `<tr><th class="text">${esc(name)}</th><td>${model}</td><td>${measured}</td></tr>`;
  const rows = [
    row('Offered rate (peak)', `${fmtNum(m.offeredRatePerSec)} /s (${fmtNum(m.peakRatePerSec)} /s)`, `${fmtNum(lab.offeredPerSec, 1)} /s`),
    row('Average batch size', fmtNum(m.expectedBatchSize), fmtNum(lab.avgBatchSize)),
    row('Median end-to-end latency', `≥ ${fmtMs(m.latencyFloorMs)} (floor)`, fmtMs(lab.endToEndMs.p50)),
    row('Throughput', `≤ ${fmtNum(m.maxThroughputPerSec, 0)} /s (ceiling)`, `${fmtNum(lab.throughputPerSec, 1)} /s`),
    row('Headroom at peak', `${fmtNum(m.headroom)}×`, '–'),
  ];
  const stages = m.stages.map((s) => {
    const measured = s.source === 'kafka' ? peak(lab, (p) => p.concurrency) : peak(lab, (p) => p.sqsConcurrency);
    return (
      `<tr><th class="text">${s.source === 'kafka' ? 'Kafka ESM' : 'SQS ESM'}</th><td>${fmtMs(s.batchingWindowMs)}</td>` +
      `<td>${fmtNum(s.expectedBatchSize)}</td><td>${fmtMs(s.batchDurationMs)}</td><td>${fmtNum(s.maxThroughputPerSec, 0)} /s</td>` +
      `<td>${fmtInt(s.concurrencyLimit)}<div class="sub">${esc(s.concurrencyBound)}</div></td><td>${fmtInt(measured)}</td></tr>`
    );
  });
  return (
    `<div class="grid capacity"><div><table class="model"><thead><tr><th class="text"></th><th>Model</th><th>Measured</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>` +
    `<div>${table('stages', ['Stage', 'Window', 'Batch', 'Batch takes', 'Ceiling', 'Concurrency limit', 'Peak measured'], stages)}` +
    `<p class="sub">Bottleneck: ${esc(m.bottleneck)}</p></div></div>`
  );
}

export function targetsTable(lab: LabRunResult): string {
  if (lab.targets.length === 0) return '<p class="nodata">This lab has no targets for this place.</p>';
  const rows = lab.targets.map(
    (t) =>
      `<tr class="${t.pass ? '' : 'failed'}"><td class="text">${esc(t.name)}</td><td>${esc(t.expected)}</td><td>${esc(t.actual)}</td>` +
      `<td class="result">${badge(t.pass)}</td><td class="text reason">${esc(t.reason)}</td></tr>`,
  );
  return table('targets', ['Target', 'Expected', 'Actual', 'Result', 'What governs it'], rows, [0, 4]);
}

export function latencyTable(lab: LabRunResult): string {
  const row = (name: string, s: LatencySummary) =>
    `<tr><th class="text">${esc(name)}</th>${[s.min, s.avg, s.p50, s.p90, s.p99, s.p999, s.max].map((v) => `<td>${fmtMs(v)}</td>`).join('')}<td>${fmtInt(s.count)}</td></tr>`;
  return table(
    'latency',
    ['', 'min', 'avg', 'p50', 'p90', 'p99', 'p99.9', 'max', 'count'],
    [row('End to end', lab.endToEndMs), row('Producer send delay', lab.sendDelayMs)],
  );
}

/** The Kafka ESM's own metrics over the run, under AWS's names; empty when it published none. */
export function esmMetricsTable(lab: LabRunResult): string {
  return metricTotalsTable(lab.esmMetrics, publishedEsmMetrics(lab.config.kafkaEsm.metrics, lab.config.kafkaEsm.provisionedPollers !== undefined));
}

/** Lab 3's SQS mapping's own metrics over the run; empty without the buffer or its metrics. */
export function sqsEsmMetricsTable(lab: LabRunResult): string {
  const buffer = lab.config.sqsBuffer;
  if (!buffer) return '';
  return metricTotalsTable(lab.sqsEsmMetrics, publishedSqsEsmMetrics(SQS_ESM_METRIC_GROUPS, buffer.provisionedPollers !== undefined));
}

function metricTotalsTable(totals: EsmMetricTotals = {}, order: readonly EsmMetricName[]): string {
  const rows = order
    .filter((name) => totals[name] !== undefined)
    .map((name) => `<tr><th class="text">${esc(name)}</th><td>${fmtInt(Math.round(totals[name]!))}</td><td class="text">${esmMetricStatistic(name)}</td></tr>`);
  return rows.length === 0 ? '' : table('esm-metrics', [`${LAMBDA_NAMESPACE} metric (${ESM_METRIC_DIMENSION})`, 'over the run', 'statistic'], rows, [0, 2]);
}
