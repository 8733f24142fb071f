// The terminal report: each lab's targets, and a table comparing the labs like the talk's
// dashboard (average, maximum and minimum end-to-end duration, events published and processed,
// average messages in batch).
import type { CapacityModel } from '../labs/capacity-model.ts';
import { publishedEsmMetrics, publishedSqsEsmMetrics, SQS_ESM_METRIC_GROUPS } from '../labs/esm-metrics.ts';
import type { LabSpec } from '../labs/lab-spec.ts';
import { formatEsmMetricTotals } from './esm-metric-totals.ts';
import type { LabRunResult } from './run-result.ts';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderTargets(result: LabRunResult): string {
  const lines = [
    '',
    `${result.lab} (${result.target}) — ${result.passed ? 'PASS' : 'FAIL'}${result.overrides.length ? `  [--set ${result.overrides.join(' --set ')}]` : ''}`,
    ...result.targets.map((t) => `  ${t.pass ? 'pass' : 'FAIL'}  ${t.name}: ${t.actual} (expected ${t.expected}) — ${t.reason}`),
    ...(result.warnings ?? []).map((w) => `  warning: ${w}`),
    `  accounting: published ${result.published} = processed ${result.processed} + filtered ${result.filtered} + dead-lettered ${result.deadLettered}${result.dropped > 0 ? ` + dropped by the mapping ${result.dropped}` : ''}${result.waiting > 0 ? ` + still waiting ${result.waiting}` : ''} + lost ${result.lost}; ${result.duplicated} handled more than once`,
    ...scalingLine(result),
    ...esmMetricsLine(result),
    ...sqsEsmMetricsLine(result),
    ...esmSystemLogLine(result),
    ...schemaValidationLine(result),
    ...schemaEvolutionLine(result),
    `  model: batch ${result.model.expectedBatchSize}, latency floor ${result.model.latencyFloorMs} ms, ceiling ${result.model.maxThroughputPerSec}/s (${result.model.bottleneck}); measured: batch ${result.avgBatchSize}, p50 ${result.endToEndMs.p50} ms, ${result.throughputPerSec}/s`,
    ...result.notes.map((n) => `  note: ${n}`),
  ];
  return lines.join('\n');
}

const MAX_SCALING_STEPS = 8;

/**
 * How the Kafka ESM's pollers moved during the load, with the offset lag at each change: the
 * scale-out a participant should see when the lag stays high, next to the model's figure.
 */
export function scalingLine(result: LabRunResult): string[] {
  const kafka = result.model.stages.find((s) => s.source === 'kafka');
  const steps: string[] = [];
  let last = -1;
  for (const point of result.timeline) {
    if (point.pollers === 0 || point.pollers === last) continue;
    steps.push(`${point.pollers} at ${point.t} s (lag ${point.offsetLag})`);
    last = point.pollers;
  }
  if (steps.length === 0) return [];
  if (steps.length > MAX_SCALING_STEPS) steps.splice(4, steps.length - MAX_SCALING_STEPS + 1, '…');
  const end = result.timeline[result.timeline.length - 1];
  return [`  Kafka pollers: ${steps.join(' → ')}; lag at the end ${end.offsetLag}; the model expects ${kafka?.pollers ?? '?'} at this rate`];
}

/** The Kafka ESM's own metrics over the run, under AWS's names: what CloudWatch would show. */
export function esmMetricsLine(result: LabRunResult): string[] {
  const groups = result.config.kafkaEsm.metrics ?? [];
  const totals = result.esmMetrics ?? {};
  const order = publishedEsmMetrics(groups, result.config.kafkaEsm.provisionedPollers !== undefined);
  const shown = formatEsmMetricTotals(totals, order);
  if (!shown) return groups.length === 0 ? ['  ESM metrics: none (kafkaEsm.metrics is unset: AWS publishes no ESM metrics without a MetricsConfig)'] : [];
  return [`  ESM metrics (${groups.join(', ') || 'provisioned pollers only'}): ${shown}`];
}

/** Lab 3's SQS mapping's own metrics over the run, under AWS's names, next to the Kafka mapping's. */
export function sqsEsmMetricsLine(result: LabRunResult): string[] {
  const buffer = result.config.sqsBuffer;
  if (!buffer || !result.sqsEsmMetrics) return [];
  const shown = formatEsmMetricTotals(result.sqsEsmMetrics, publishedSqsEsmMetrics(SQS_ESM_METRIC_GROUPS, buffer.provisionedPollers !== undefined));
  return shown ? [`  SQS ESM metrics (${SQS_ESM_METRIC_GROUPS.join(', ')}): ${shown}`] : [];
}

/** What the mapping wrote to its own log stream (LoggingConfig.SystemLogLevel). */
export function esmSystemLogLine(result: LabRunResult): string[] {
  const log = result.esmSystemLog;
  if (!log) return [];
  const counts = Object.entries(log.lines).map(([type, n]) => `${n} ${type}`);
  const where = log.logStreamName ? ` in stream ${log.logStreamName} of the function's log group` : '';
  const warning = log.firstWarning ? `; first warning: ${log.firstWarning}` : '';
  return [`  ESM system log (${log.level}): ${counts.length ? counts.join(', ') : 'no lines'}${where}${warning}`];
}

/** What validating against the registry cost the sandbox's pollers: measured, since AWS gives no figure. */
export function schemaValidationLine(result: LabRunResult): string[] {
  const cost = result.schemaValidation;
  if (!cost) return [];
  const each = cost.records > 0 ? ` (${Math.round((cost.decodeMs * 1000) / cost.records)} µs a record)` : '';
  return [
    `  schema validation (the sandbox's pollers): ${cost.records.toLocaleString('en-US')} records decoded in ${Math.round(cost.decodeMs)} ms${each}, ${cost.registryLookups} registry lookup${cost.registryLookups === 1 ? '' : 's'} (an id the registry does not have is asked again) in ${Math.round(cost.registryMs)} ms; AWS publishes no cost per record, only that a registry "may increase your EPU usage": watch EventPollerUnit`,
  ];
}

/** The producer's schema evolution step: what the registry accepted and refused, and what was written with it. */
export function schemaEvolutionLine(result: LabRunResult): string[] {
  const evolution = result.schemaEvolution;
  if (!evolution) return [];
  const share = result.config.traffic.evolveSchemaAt;
  const refused = evolution.incompatibleChange.refused
    ? `a version with a new required field (seat) refused, ${evolution.incompatibleChange.answer}`
    : `a version with a new required field (seat) ACCEPTED (${evolution.incompatibleChange.answer}): the registry is not checking BACKWARD compatibility`;
  return [
    `  schema evolution: ${share !== undefined ? `from ${Math.round(share * 100)}% of the run ` : ''}version 2 (a new optional field, fareClass) registered as schema id ${evolution.version2SchemaId} and ${evolution.writtenWithVersion2} bookings written with it; ${refused}`,
  ];
}

export function renderComparison(results: LabRunResult[]): string {
  if (results.length === 0) return '';
  const rows = results.map((r) => [
    r.lab,
    r.target,
    `${r.endToEndMs.min}`,
    `${r.endToEndMs.avg}`,
    `${r.endToEndMs.p50}`,
    `${r.endToEndMs.p99}`,
    `${r.endToEndMs.max}`,
    `${r.avgBatchSize}`,
    `${r.throughputPerSec}/${r.offeredPerSec}`,
    `${r.published}`,
    `${r.processed}`,
    `${r.filtered}`,
    `${r.deadLettered}`,
    `${r.lost}${[r.dropped > 0 ? `${r.dropped} dropped` : '', r.waiting > 0 ? `${r.waiting} waiting` : '']
      .filter(Boolean)
      .map((x) => ` (${x})`)
      .join('')}`,
    r.passed ? 'PASS' : 'FAIL',
  ]);
  return `\nEnd-to-end duration (ms) and throughput (events/s), warm-up excluded:\n${table(
    ['lab', 'place', 'min', 'avg', 'p50', 'p99', 'max', 'avg batch', 'rate/offered', 'published', 'processed', 'filtered', 'dead-lettered', 'lost', 'targets'],
    rows,
  )}`;
}

export function renderModels(entries: Array<{ lab: LabSpec; model: CapacityModel }>): string {
  const rows = entries.map(({ lab, model }) => [
    lab.id,
    `${model.offeredRatePerSec}/${model.peakRatePerSec}`,
    model.stages.map((s) => `${s.source}: ${s.batchingWindowMs} ms`).join(', '),
    `${model.stages.find((s) => s.source === 'kafka')?.pollers ?? ''}`,
    `${model.stages.find((s) => s.source === 'kafka')?.eventPollerUnits?.count ?? ''}`,
    `${model.expectedBatchSize}`,
    `${model.latencyFloorMs}`,
    `${model.maxThroughputPerSec}`,
    `${model.headroom}×`,
    model.bottleneck,
  ]);
  return `Capacity models (computed from each lab's spec):\n${table(['lab', 'rate/peak', 'batching window', 'Kafka pollers', 'EPUs at peak', 'avg batch', 'latency floor ms', 'ceiling/s', 'headroom', 'bottleneck'], rows)}`;
}
