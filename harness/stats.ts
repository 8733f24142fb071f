// Latency and throughput statistics, OpenMessaging-Benchmark style: HdrHistogram for every
// latency (recorded in microseconds, 3 significant digits, reported in ms), warm-up excluded by
// the caller, throughput judged on what was processed, not on what was offered.
import { build } from 'hdr-histogram-js';
import type { LatencySummary } from './run-result.ts';

const MICROS_PER_MS = 1000;

export const EMPTY_SUMMARY: LatencySummary = { min: 0, avg: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, count: 0 };

export function summarize(valuesMs: readonly number[]): LatencySummary {
  if (valuesMs.length === 0) return { ...EMPTY_SUMMARY };
  const histogram = build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3, autoResize: true });
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const value of valuesMs) {
    min = Math.min(min, value);
    max = Math.max(max, value);
    // Negative values (clock skew between hosts) would be rejected: they count as zero.
    const micros = Math.max(0, Math.round(value * MICROS_PER_MS));
    histogram.recordValue(micros);
    sum += Math.max(0, value);
  }
  const at = (p: number) => round(histogram.getValueAtPercentile(p) / MICROS_PER_MS);
  const summary: LatencySummary = {
    min: round(Math.max(0, min)),
    avg: round(sum / valuesMs.length),
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: round(max),
    count: histogram.totalCount,
  };
  histogram.destroy();
  return summary;
}

/** Buckets for a latency histogram chart: 1-2-5 steps from 1 ms, plus everything above. */
export function latencyHistogram(valuesMs: readonly number[]): Array<{ upToMs: number; count: number }> {
  if (valuesMs.length === 0) return [];
  const bounds: number[] = [];
  const max = valuesMs.reduce((a, b) => Math.max(a, b), 0);
  for (let decade = 1; ; decade *= 10) {
    for (const step of [1, 2, 5]) bounds.push(step * decade);
    if (decade * 10 > max) break;
  }
  bounds.push(bounds[bounds.length - 1] * 2);
  const counts = bounds.map((upToMs) => ({ upToMs, count: 0 }));
  for (const value of valuesMs) {
    const bucket = counts.find((c) => value <= c.upToMs) ?? counts[counts.length - 1];
    bucket.count++;
  }
  while (counts.length > 1 && counts[counts.length - 1].count === 0) counts.pop();
  return counts;
}

/** How many invocations carried each batch size, smallest size first. */
export function batchSizeDistribution(sizes: readonly number[]): Array<{ size: number; count: number }> {
  const counts = new Map<number, number>();
  for (const size of sizes) counts.set(size, (counts.get(size) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([size, count]) => ({ size, count }));
}

export function average(values: readonly number[]): number {
  return values.length === 0 ? 0 : round(values.reduce((a, b) => a + b, 0) / values.length);
}

/**
 * The sustained processing rate: completions inside the measured window (after warm-up, until
 * the load ended), each window edge shifted by the median latency so that events in flight at
 * either edge are not miscounted.
 */
export function sustainedThroughput(completedAt: readonly number[], window: { from: number; to: number }, medianLatencyMs: number): number {
  const from = window.from + medianLatencyMs;
  const to = window.to + medianLatencyMs;
  if (to <= from) return 0;
  const inside = completedAt.filter((t) => t >= from && t < to).length;
  return round((inside * 1000) / (to - from));
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
