// `workshop run ... --html FILE`: one self-contained HTML page for a RunReport. Chart.js and the
// stylesheet are inlined, the chart data is embedded as JSON, so the file opens offline and
// renders the same bytes for the same report (no clock, no randomness, no locale).
import { sqsWindowMs } from '../../labs/aws-limits.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import type { LabRunResult, RunReport } from '../run-result.ts';
import { schemaEvolutionLine, schemaValidationLine } from '../text-report.ts';
import { CLIENT_SCRIPT, CSS, chartJsSource } from './html-assets.ts';
import { type ChartSpec, labFigures } from './html-charts.ts';
import { esc, fmtInt, fmtMs, fmtNum, fmtPercent, jsonForScript } from './html-format.ts';
import { badge, capacityTable, comparisonTable, esmMetricsTable, labAnchor, latencyTable, sqsEsmMetricsTable, targetsTable } from './html-tables.ts';

const TIME_SCALE = /time ?scale|compress/i;

/** Notes every lab of a place shares go in the header; the rest stay with their lab. */
function sharedNotes(labs: LabRunResult[]): Map<string, string[]> {
  const byPlace = new Map<string, string[]>();
  for (const place of [...new Set(labs.map((l) => l.target))]) {
    const ofPlace = labs.filter((l) => l.target === place);
    byPlace.set(
      place,
      ofPlace[0].notes.filter((n) => ofPlace.every((l) => l.notes.includes(n))),
    );
  }
  return byPlace;
}

function noteList(notes: string[], cls: string): string {
  if (notes.length === 0) return '';
  const ordered = [...notes.filter((n) => TIME_SCALE.test(n)), ...notes.filter((n) => !TIME_SCALE.test(n))];
  return `<ul class="${cls}">${ordered.map((n) => `<li${TIME_SCALE.test(n) ? ' class="timescale"' : ''}>${esc(n)}</li>`).join('')}</ul>`;
}

function header(report: RunReport, shared: Map<string, string[]>): string {
  const passed = report.labs.filter((l) => l.passed).length;
  const summary =
    report.labs.length === 0
      ? 'No lab was run.'
      : `${report.labs.length} lab${report.labs.length === 1 ? '' : 's'}, ${passed} passed, ${report.labs.length - passed} failed.`;
  const places = [...shared].map(([place, notes]) => {
    const title = place === 'local' ? 'Local sandbox: what it does not model' : `${place.toUpperCase()}: notes`;
    return `<div class="place"><h2>${esc(title)}</h2>${noteList(notes, 'run-notes') || '<p class="meta">No notes.</p>'}</div>`;
  });
  return (
    `<header class="run"><h1>Optimizing Kafka workloads with AWS Lambda: run report</h1>` +
    `<p class="meta">Generated ${esc(report.generatedAt)}. ${esc(summary)}</p>${places.join('')}</header>`
  );
}

function configLine(spec: LabSpec): string {
  const esm = spec.kafkaEsm;
  const window = esm.batchingWindowSeconds === undefined ? 'default (500 ms)' : `${esm.batchingWindowSeconds} s`;
  const pollers = esm.provisionedPollers ? `provisioned ${esm.provisionedPollers.minimum}–${esm.provisionedPollers.maximum}` : 'on demand';
  const parts = [
    `${spec.topic.partitions} partitions`,
    `batch size ${esm.batchSize}`,
    `window ${window}`,
    `pollers ${pollers}`,
    `${esm.filters.length} filter${esm.filters.length === 1 ? '' : 's'}`,
    `processor ${fmtNum(spec.processor.processingMsPerRecord)} ms/record, ${spec.processor.mode}`,
  ];
  if (spec.processor.reservedConcurrency !== undefined) parts.push(`reserved concurrency ${spec.processor.reservedConcurrency}`);
  if (spec.sqsBuffer) {
    const q = spec.sqsBuffer;
    parts.push(`SQS batch ${q.batchSize}, window ${sqsWindowMs(q.batchingWindowSeconds) / 1000} s, max concurrency ${q.maximumConcurrency ?? 'unset'}`);
  }
  const t = spec.traffic;
  const rate = t.peakRatePerSec !== undefined ? `${t.ratePerSec}→${t.peakRatePerSec}/s` : `${t.ratePerSec}/s`;
  parts.push(`traffic ${t.shape} ${rate} for ${t.durationSec} s (warm-up ${t.warmUpSec} s)`);
  return parts.map((p) => `<code>${esc(p)}</code>`).join(' ');
}

function kpis(lab: LabRunResult): string {
  const tile = (value: string, key: string) => `<div class="card kpi"><div class="v">${value}</div><div class="k">${esc(key)}</div></div>`;
  const filtered = lab.filtered > 0 ? `, ${fmtPercent(lab.filtered, lab.published)} filtered` : '';
  const accounted = lab.lost === 0 && lab.duplicated === 0 ? 'none' : `${fmtInt(lab.lost)} / ${fmtInt(lab.duplicated)}`;
  return (
    `<div class="kpis">${tile(fmtMs(lab.endToEndMs.p50), 'end-to-end p50')}${tile(fmtMs(lab.endToEndMs.p99), 'end-to-end p99')}` +
    `${tile(`${fmtNum(lab.throughputPerSec, 1)} /s`, `processed (offered ${fmtNum(lab.offeredPerSec, 1)} /s${filtered})`)}` +
    `${tile(fmtNum(lab.avgBatchSize, 1), 'average batch size')}${tile(esc(accounted), 'lost / duplicated')}</div>`
  );
}

function labSection(lab: LabRunResult, index: number, shared: string[], charts: ChartSpec[]): string {
  const anchor = labAnchor(lab, index);
  const figures = labFigures(lab, anchor);
  for (const f of figures) if (f.spec) charts.push(f.spec);
  const overrides = lab.overrides.length > 0 ? ` · overrides: ${lab.overrides.map((o) => `<code>${esc(o)}</code>`).join(' ')}` : '';
  const own = lab.notes.filter((n) => !shared.includes(n));
  return (
    `<section class="lab" id="${anchor}">` +
    `<h2>${badge(lab.passed)} Lab ${esc(lab.config.number)}: ${esc(lab.title)}</h2>` +
    `<p class="meta">${esc(lab.lab)} · ${esc(lab.target)} · run ${esc(lab.runId)} · started ${esc(lab.startedAt)} · ${fmtNum(lab.wallSeconds, 1)} s wall clock${overrides}</p>` +
    `<p class="teaches">${esc(lab.config.teaches)}</p>${noteList(
      (lab.warnings ?? []).map((w) => `Warning: ${w}`),
      'notes',
    )}${noteList(own, 'notes')}${kpis(lab)}` +
    `<div class="grid">${figures.map((f) => f.html).join('')}</div>` +
    `<h3>Targets</h3>${targetsTable(lab)}` +
    `<h3>Capacity model next to the measurement</h3>${capacityTable(lab)}` +
    `<h3>Latency summary</h3>${latencyTable(lab)}` +
    (esmMetricsTable(lab) ? `<h3>Event source mapping metrics</h3>${esmMetricsTable(lab)}` : '') +
    (sqsEsmMetricsTable(lab) ? `<h3>SQS event source mapping metrics</h3>${sqsEsmMetricsTable(lab)}` : '') +
    schemaRegistrySection(lab) +
    `<h3>Configuration as run</h3><p class="config">${configLine(lab.config)}</p>` +
    `</section>`
  );
}

/** What validation cost and how the schema evolved, as the terminal report words them. */
function schemaRegistrySection(lab: LabRunResult): string {
  const lines = [...schemaValidationLine(lab), ...schemaEvolutionLine(lab)].map((line) => `<li>${esc(line.trim())}</li>`);
  return lines.length > 0 ? `<h3>Schema registry</h3><ul class="notes">${lines.join('')}</ul>` : '';
}

export function renderHtmlReport(report: RunReport): string {
  const shared = sharedNotes(report.labs);
  const charts: ChartSpec[] = [];
  const sections = report.labs.map((lab, i) => labSection(lab, i, shared.get(lab.target) ?? [], charts));
  const body =
    report.labs.length === 0
      ? '<p class="nodata">This report holds no lab results.</p>'
      : `<h2 class="section">Labs compared</h2>${comparisonTable(report.labs)}${sections.join('')}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Workshop run report ${esc(report.generatedAt)}</title>`,
    `<style>${CSS}</style></head><body>`,
    header(report, shared),
    `<main>${body}</main>`,
    `<script type="application/json" id="report-data">${jsonForScript({ charts })}</script>`,
    `<script>${chartJsSource()}</script>`,
    `<script>${CLIENT_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
