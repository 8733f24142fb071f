// The charts of one lab: each is a figure (canvas + caption) in the page and a ChartSpec in the
// embedded JSON that the inline script hands to Chart.js. A chart with nothing to plot renders
// a sentence saying so, never an empty axis.
import type { LabRunResult, TimelinePoint } from '../run-result.ts';
import { esc, fmtMs, fmtNum, round2 } from './html-format.ts';

export interface Series {
  label: string;
  color: string;
  /** Line charts: [t, value] points; bar charts: one value per label. */
  data: Array<[number, number | null]> | number[];
  /** Plot against the right-hand axis. */
  right?: boolean;
  stepped?: boolean;
  dashed?: boolean;
}

export interface ChartSpec {
  id: string;
  type: 'line' | 'bar';
  xTitle: string;
  yTitle: string;
  rightTitle?: string;
  /** Bar charts: the category of each bar. */
  labels?: string[];
  series: Series[];
  /** Line charts: shade 0..warmUpSec (excluded from every statistic). */
  warmUpSec?: number;
  /** Line charts: the last second on the x axis. */
  xMax?: number;
}

export interface Figure {
  html: string;
  spec?: ChartSpec;
}

const COLORS = {
  p50: '#2563eb',
  p99: '#ea580c',
  max: '#dc2626',
  offered: '#64748b',
  processed: '#16a34a',
  pollers: '#7c3aed',
  concurrency: '#2563eb',
  sqsConcurrency: '#0d9488',
  queueDepth: '#d97706',
  lag: '#b45309',
  bars: '#3b82f6',
};

const NO_TIMELINE = 'No timeline data: this run recorded no per-second samples.';

function figure(id: string, title: string, caption: string, spec: ChartSpec | undefined, noData: string): Figure {
  const body = spec
    ? `<div class="chart"><canvas id="${esc(id)}" role="img" aria-label="${esc(title)}"></canvas></div>`
    : `<p class="nodata">${esc(noData)}</p>`;
  const note = caption ? `<figcaption>${esc(caption)}</figcaption>` : '';
  return { html: `<figure class="card"><h4>${esc(title)}</h4>${body}${note}</figure>`, spec };
}

function points(timeline: TimelinePoint[], pick: (p: TimelinePoint) => number | undefined): Array<[number, number | null]> {
  return timeline.map((p) => [p.t, round2(pick(p))]);
}

function has(timeline: TimelinePoint[], pick: (p: TimelinePoint) => number | undefined): boolean {
  return timeline.some((p) => pick(p) !== undefined && Number.isFinite(pick(p)));
}

function lineSpec(id: string, lab: LabRunResult, yTitle: string, series: Series[], rightTitle?: string): ChartSpec {
  const xMax = Math.max(...lab.timeline.map((p) => p.t));
  return { id, type: 'line', xTitle: 'seconds since the load started', yTitle, rightTitle, series, warmUpSec: lab.config.traffic.warmUpSec, xMax };
}

function latencyOverTime(id: string, lab: LabRunResult): Figure {
  const tl = lab.timeline;
  const spec = has(tl, (p) => p.p50 ?? p.p99 ?? p.max)
    ? lineSpec(id, lab, 'end-to-end latency (ms)', [
        { label: 'p50', color: COLORS.p50, data: points(tl, (p) => p.p50) },
        { label: 'p99', color: COLORS.p99, data: points(tl, (p) => p.p99) },
        { label: 'max', color: COLORS.max, data: points(tl, (p) => p.max), dashed: true },
      ])
    : undefined;
  const noData = tl.length === 0 ? NO_TIMELINE : 'No event completed during the run, so there is no latency to plot.';
  const caption = spec ? 'Per second of completion. Shaded: warm-up, excluded from the statistics.' : '';
  return figure(id, 'End-to-end latency over time', caption, spec, noData);
}

function latencyHistogram(id: string, lab: LabRunResult): Figure {
  const buckets = lab.latencyHistogram.filter((b) => b.count > 0);
  let spec: ChartSpec | undefined;
  if (buckets.length > 0) {
    const first = lab.latencyHistogram.indexOf(buckets[0]);
    const last = lab.latencyHistogram.indexOf(buckets[buckets.length - 1]);
    const shown = lab.latencyHistogram.slice(first, last + 1);
    spec = {
      id,
      type: 'bar',
      xTitle: 'end-to-end latency (bucket upper bound)',
      yTitle: 'events',
      labels: shown.map((b) => fmtMs(b.upToMs)),
      series: [{ label: 'events', color: COLORS.bars, data: shown.map((b) => b.count) }],
    };
  }
  const caption = `Warm-up excluded. p50 ${fmtMs(lab.endToEndMs.p50)}, p99 ${fmtMs(lab.endToEndMs.p99)}, max ${fmtMs(lab.endToEndMs.max)}.`;
  return figure(id, 'End-to-end latency distribution', caption, spec, 'No latency was recorded after the warm-up.');
}

/** Contiguous sizes when there are few, equal-width ranges when there are many. */
function batchBins(sizes: Array<{ size: number; count: number }>): { labels: string[]; counts: number[] } {
  const used = sizes.filter((b) => b.count > 0).sort((a, b) => a.size - b.size);
  const min = used[0].size;
  const max = used[used.length - 1].size;
  const width = Math.max(1, Math.ceil((max - min + 1) / 40));
  const labels: string[] = [];
  const counts: number[] = [];
  for (let lo = min; lo <= max; lo += width) {
    const hi = Math.min(max, lo + width - 1);
    labels.push(hi === lo ? String(lo) : `${lo}–${hi}`);
    counts.push(used.filter((b) => b.size >= lo && b.size <= hi).reduce((sum, b) => sum + b.count, 0));
  }
  return { labels, counts };
}

function batchSizes(id: string, lab: LabRunResult): Figure {
  let spec: ChartSpec | undefined;
  if (lab.batchSizes.some((b) => b.count > 0)) {
    const { labels, counts } = batchBins(lab.batchSizes);
    spec = {
      id,
      type: 'bar',
      xTitle: 'records in the batch',
      yTitle: 'invocations',
      labels,
      series: [{ label: 'invocations', color: COLORS.bars, data: counts }],
    };
  }
  const caption = `Measured average ${fmtNum(lab.avgBatchSize)}; the capacity model expects ${fmtNum(lab.model.expectedBatchSize)}.`;
  return figure(id, 'Batch size distribution', caption, spec, 'No invocation was recorded.');
}

function scaling(id: string, lab: LabRunResult): Figure {
  const tl = lab.timeline;
  let spec: ChartSpec | undefined;
  if (tl.length > 0) {
    const series: Series[] = [
      { label: 'Kafka pollers', color: COLORS.pollers, data: points(tl, (p) => p.pollers), stepped: true },
      { label: 'Kafka ESM concurrency', color: COLORS.concurrency, data: points(tl, (p) => p.concurrency), stepped: true },
    ];
    if (has(tl, (p) => p.sqsConcurrency))
      series.push({ label: 'SQS ESM concurrency', color: COLORS.sqsConcurrency, data: points(tl, (p) => p.sqsConcurrency), stepped: true });
    const depth = has(tl, (p) => p.queueDepth);
    if (depth) series.push({ label: 'queue depth', color: COLORS.queueDepth, data: points(tl, (p) => p.queueDepth), right: true, dashed: true });
    spec = lineSpec(id, lab, 'pollers / concurrent invocations', series, depth ? 'messages in the queue' : undefined);
  }
  const limits = lab.model.stages.map((s) => `${s.source === 'kafka' ? 'Kafka' : 'SQS'} limit ${s.concurrencyLimit} (${s.concurrencyBound})`).join('; ');
  return figure(id, 'Pollers and concurrency over time', `Model: ${limits}.`, spec, NO_TIMELINE);
}

function throughput(id: string, lab: LabRunResult): Figure {
  const tl = lab.timeline;
  const spec =
    tl.length > 0
      ? lineSpec(id, lab, 'events per second', [
          { label: 'offered', color: COLORS.offered, data: points(tl, (p) => p.offered), dashed: true },
          { label: 'processed', color: COLORS.processed, data: points(tl, (p) => p.processed) },
        ])
      : undefined;
  const caption = `Sustained after warm-up: ${fmtNum(lab.throughputPerSec, 1)} processed/s against ${fmtNum(lab.offeredPerSec, 1)} offered/s; model ceiling ${fmtNum(lab.model.maxThroughputPerSec, 0)}/s.`;
  return figure(id, 'Throughput against offered load', caption, spec, NO_TIMELINE);
}

function offsetLag(id: string, lab: LabRunResult): Figure {
  const tl = lab.timeline;
  const spec =
    tl.length > 0 ? lineSpec(id, lab, 'records behind', [{ label: 'offset lag', color: COLORS.lag, data: points(tl, (p) => p.offsetLag) }]) : undefined;
  return figure(id, 'Offset lag over time', 'Records published but not yet committed by the Kafka ESM, summed over partitions.', spec, NO_TIMELINE);
}

/** The six charts of a lab, with ids unique in the page. */
export function labFigures(lab: LabRunResult, prefix: string): Figure[] {
  return [
    latencyOverTime(`${prefix}-latency`, lab),
    latencyHistogram(`${prefix}-histogram`, lab),
    throughput(`${prefix}-throughput`, lab),
    batchSizes(`${prefix}-batches`, lab),
    scaling(`${prefix}-scaling`, lab),
    offsetLag(`${prefix}-lag`, lab),
  ];
}
