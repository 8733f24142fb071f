// What a Kafka mapping publishes about itself (the publishing is ../esm-metric-publisher.ts): only
// the MetricsConfig groups the spec turns on; error counts only in a period with an error; the
// poller metrics whenever the mapping is provisioned (monitoring-metrics-types.html).
import { type EsmMetricGroup, enabledEsmMetrics, KAFKA_ESM_METRICS, type KafkaEsmMetricName } from '../../labs/esm-metrics.ts';
import type { Clock } from '../clock.ts';
import { type EsmDataPoint, EsmMetricPublisher } from '../esm-metric-publisher.ts';
import type { EmfMetric } from '../lambda-runtime/emf.ts';
import type { KafkaEsmCounters } from './engine.ts';

/** What the publisher reads from the engine each period. */
export interface EsmReading {
  counters: KafkaEsmCounters;
  offsetLagByPartition: Map<string, number>;
  pollers: number;
}

export interface EsmMetricsOptions {
  uuid: string;
  groups: readonly EsmMetricGroup[] | undefined;
  provisioned: boolean;
  /** Local milliseconds per metric period: an AWS minute divided by timeScale. */
  periodMs: number;
  read(): EsmReading;
  /**
   * The EPUs the mapping runs on in a period, given the bytes a second it read over that period:
   * its own, or its poller group's shared ones (../../labs/event-poller-units.ts).
   */
  eventPollerUnits(bytesPerSec: number): number;
  emit(metric: EmfMetric): void;
  clock: Clock;
}

const ERROR_METRICS = new Set<string>(KAFKA_ESM_METRICS.ErrorCount);

export class KafkaEsmMetrics extends EsmMetricPublisher<EsmReading> {
  constructor(options: EsmMetricsOptions) {
    const enabled: KafkaEsmMetricName[] = enabledEsmMetrics(options.groups);
    super({
      ...options,
      dataPoints: (reading, delta) => {
        const points: EsmDataPoint[] = [];
        const lags = [...reading.offsetLagByPartition.values()];
        for (const name of enabled) {
          let value: number;
          if (name === 'MaxOffsetLag') value = lags.length > 0 ? Math.max(...lags) : 0;
          else if (name === 'SumOffsetLag') value = lags.reduce((sum, lag) => sum + lag, 0);
          else value = delta(name);
          if (ERROR_METRICS.has(name) && value === 0) continue;
          points.push({ name, value });
        }
        if (options.provisioned) {
          const bytes = delta('PolledBytes');
          // EPUs follow throughput as well as pollers; the window is the data point's own period, so
          // EventPollerUnit agrees with the EventPollerThroughputInBytes beside it. A partial last
          // period is averaged over a whole one, as its data point stands for the whole minute.
          points.push(
            { name: 'ProvisionedPollers', value: reading.pollers },
            { name: 'EventPollerUnit', value: options.eventPollerUnits(bytes / (options.periodMs / 1000)) },
            { name: 'EventPollerThroughputInBytes', value: bytes },
          );
        }
        return points;
      },
    });
  }
}
