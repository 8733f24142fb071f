// The ESM's own metrics over a stretch of time, as CloudWatch would show them: counts summed,
// lags and poller counts at their maximum (labs/esm-metrics.ts names both). The live dashboard
// shows a second's worth, the report the whole run.
import { type EsmMetricName, esmMetricStatistic } from '../labs/esm-metrics.ts';

export type { EsmMetricName } from '../labs/esm-metrics.ts';
/** Metric name to its Sum or Maximum; a metric with no data point is absent. */
export type EsmMetricTotals = Partial<Record<EsmMetricName, number>>;

export function esmMetricTotals(datums: Iterable<{ name: string; values: readonly number[] }>): EsmMetricTotals {
  const totals: EsmMetricTotals = {};
  for (const datum of datums) {
    const name = datum.name as EsmMetricName;
    for (const value of datum.values) {
      const known = totals[name];
      if (known === undefined) totals[name] = value;
      else totals[name] = esmMetricStatistic(name) === 'Sum' ? known + value : Math.max(known, value);
    }
  }
  return totals;
}

/** One line for the text report, in the order given (AWS's), e.g. "PolledEventCount 3,000 · MaxOffsetLag 40 (max)". */
export function formatEsmMetricTotals(totals: EsmMetricTotals, order: readonly EsmMetricName[]): string {
  return order
    .filter((name) => totals[name] !== undefined)
    .map((name) => `${name} ${Math.round(totals[name]!).toLocaleString('en-US')}${esmMetricStatistic(name) === 'Maximum' ? ' (max)' : ''}`)
    .join(' · ');
}
