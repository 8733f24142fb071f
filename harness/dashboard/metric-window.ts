// What the dashboard's metric widgets show for one sampling interval, computed from the EMF
// metrics the functions emitted, under the names the CloudWatch dashboard (modules/dashboard.ts)
// queries. Statistics follow CloudWatch's: Average/Maximum/Minimum over every value, Sum for counts.
import type { MetricDatum } from '../../sandbox/lambda-runtime/metric-store.ts';

export interface MetricWindow {
  /** Average, maximum and minimum of EndToEndDuration (ms); absent when nothing completed. */
  EndToEndDuration?: { avg: number; max: number; min: number };
  /** Sum of EventsPublished in the interval. */
  EventsPublished: number;
  /** Sum of EventsProcessed in the interval. */
  EventsProcessed: number;
  /** Average BatchSize per emitting service (the `service` dimension), like the SEARCH lines. */
  BatchSize: Record<string, number>;
}

export function metricWindow(datums: readonly Pick<MetricDatum, 'name' | 'values' | 'dimensions'>[]): MetricWindow {
  const endToEnd: number[] = [];
  const batchSizes = new Map<string, number[]>();
  const window: MetricWindow = { EventsPublished: 0, EventsProcessed: 0, BatchSize: {} };
  for (const datum of datums) {
    switch (datum.name) {
      case 'EndToEndDuration':
        endToEnd.push(...datum.values);
        break;
      case 'EventsPublished':
      case 'EventsProcessed':
        window[datum.name] += datum.values.reduce((sum, v) => sum + v, 0);
        break;
      case 'BatchSize': {
        const service = datum.dimensions.service ?? 'function';
        batchSizes.set(service, [...(batchSizes.get(service) ?? []), ...datum.values]);
        break;
      }
    }
  }
  if (endToEnd.length > 0) {
    let max = -Infinity;
    let min = Infinity;
    let sum = 0;
    for (const v of endToEnd) {
      sum += v;
      if (v > max) max = v;
      if (v < min) min = v;
    }
    window.EndToEndDuration = { avg: Math.round(sum / endToEnd.length), max: Math.round(max), min: Math.round(min) };
  }
  for (const [service, values] of batchSizes) {
    window.BatchSize[service] = Math.round((values.reduce((s, v) => s + v, 0) / values.length) * 10) / 10;
  }
  return window;
}
