// How a mapping's own CloudWatch metrics leave it, as AWS publishes them whatever the source:
// once per metric period (an AWS minute, compressed by timeScale), namespace AWS/Lambda, exactly
// the EventSourceMappingUUID dimension, counts as what was added since the last period
// (monitoring-metrics-types.html#event-source-mapping-metrics). Which metrics a source publishes,
// and from what, is its own: kafka-esm/esm-metrics.ts, sqs-esm/esm-metrics.ts.
import { ESM_METRIC_DIMENSION, type EsmMetricName, LAMBDA_NAMESPACE } from '../labs/esm-metrics.ts';
import type { Clock, Timer } from './clock.ts';
import type { EmfMetric } from './lambda-runtime/emf.ts';

/** "Lambda sends metric data to CloudWatch in 1-minute intervals" (monitoring-metrics.html): one period, in AWS time. */
export const ESM_METRIC_PERIOD_MS = 60_000;

/** A mapping's running totals, named as AWS names the metric each feeds where there is one. */
export type EsmCounters = object;

/** The numeric counters of a reading, by name. */
type CounterName<R extends { counters: EsmCounters }> = {
  [K in keyof R['counters']]: R['counters'][K] extends number ? K : never;
}[keyof R['counters']] &
  string;

export interface EsmDataPoint {
  name: EsmMetricName;
  value: number;
}

export interface EsmMetricPublisherOptions<R extends { counters: EsmCounters }> {
  uuid: string;
  /** Local milliseconds per metric period: an AWS minute divided by timeScale. */
  periodMs: number;
  /** What the mapping has counted so far (read once a period). */
  read(): R;
  /** One period's data points, from the reading and what each counter added since the last period. */
  dataPoints(reading: R, delta: (name: CounterName<R>) => number): EsmDataPoint[];
  emit(metric: EmfMetric): void;
  clock: Clock;
}

export class EsmMetricPublisher<R extends { counters: EsmCounters }> {
  private previous: R['counters'];
  private timer?: Timer;

  constructor(private readonly options: EsmMetricPublisherOptions<R>) {
    this.previous = { ...options.read().counters };
  }

  start(): void {
    this.timer = this.options.clock.after(this.options.periodMs, () => {
      this.publish();
      this.start();
    });
  }

  /** Publishes the last, partial period, so nothing counted is left out. */
  stop(): void {
    this.timer?.cancel();
    this.publish();
  }

  /** One period's data points. */
  publish(): void {
    const reading = this.options.read();
    const now = reading.counters as Record<string, number>;
    const before = this.previous as Record<string, number>;
    const delta = (name: CounterName<R>) => now[name] - before[name];
    for (const point of this.options.dataPoints(reading, delta)) this.emit(point);
    this.previous = { ...reading.counters };
  }

  private emit({ name, value }: EsmDataPoint): void {
    this.options.emit({
      namespace: LAMBDA_NAMESPACE,
      name,
      unit: name === 'EventPollerThroughputInBytes' ? 'Bytes' : 'Count',
      dimensions: { [ESM_METRIC_DIMENSION]: this.options.uuid },
      values: [value],
      timestamp: this.options.clock.now(),
      storageResolution: 60,
    });
  }
}
