// What an SQS mapping publishes about itself (the publishing is ../esm-metric-publisher.ts): with
// EventCount on, the five counts AWS lists for SQS each period, a 0 when nothing was counted (as
// for Kafka's EventCount); in provisioned mode, ProvisionedPollers whatever the MetricsConfig
// (monitoring-metrics-types.html#event-source-mapping-metrics).
import { type EsmMetricGroup, publishedSqsEsmMetrics } from '../../labs/esm-metrics.ts';
import type { Clock } from '../clock.ts';
import { EsmMetricPublisher } from '../esm-metric-publisher.ts';
import type { EmfMetric } from '../lambda-runtime/emf.ts';
import type { SqsEsmCounters } from './batch-handler.ts';

/** What the publisher reads from the mapping each period. */
export interface SqsEsmReading {
  counters: SqsEsmCounters;
  pollers: number;
}

export interface SqsEsmMetricsOptions {
  uuid: string;
  groups: readonly EsmMetricGroup[] | undefined;
  provisioned: boolean;
  /** Local milliseconds per metric period: an AWS minute divided by timeScale. */
  periodMs: number;
  read(): SqsEsmReading;
  emit(metric: EmfMetric): void;
  clock: Clock;
}

export class SqsEsmMetrics extends EsmMetricPublisher<SqsEsmReading> {
  constructor(options: SqsEsmMetricsOptions) {
    const published = publishedSqsEsmMetrics(options.groups, options.provisioned);
    super({
      ...options,
      dataPoints: (reading, delta) => published.map((name) => ({ name, value: name === 'ProvisionedPollers' ? reading.pollers : delta(name) })),
    });
  }
}
