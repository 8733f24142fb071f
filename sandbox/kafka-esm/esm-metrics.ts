// The mapping's own CloudWatch metrics, published as AWS does: once per metric period (an AWS
// minute, compressed by timeScale), namespace AWS/Lambda, dimension EventSourceMappingUUID, only
// for the MetricsConfig groups the spec turns on; error counts only in a period with an error;
// the poller metrics whenever the mapping is provisioned (monitoring-metrics-types.html).
import {
  ESM_METRIC_DIMENSION,
  type EsmMetricGroup,
  enabledEsmMetrics,
  KAFKA_ESM_METRICS,
  type KafkaEsmMetricName,
  LAMBDA_NAMESPACE,
  type ProvisionedPollerMetricName,
} from '../../labs/esm-metrics.ts';
import type { Clock, Timer } from '../clock.ts';
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

export class EsmMetricsPublisher {
  private previous: KafkaEsmCounters | undefined;
  private timer?: Timer;
  private readonly enabled: KafkaEsmMetricName[];

  constructor(private readonly options: EsmMetricsOptions) {
    this.enabled = enabledEsmMetrics(options.groups);
    this.previous = options.read().counters;
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
    const delta = (name: keyof KafkaEsmCounters) => reading.counters[name] - (this.previous?.[name] ?? 0);
    const lags = [...reading.offsetLagByPartition.values()];
    for (const name of this.enabled) {
      let value: number;
      if (name === 'MaxOffsetLag') value = lags.length > 0 ? Math.max(...lags) : 0;
      else if (name === 'SumOffsetLag') value = lags.reduce((sum, lag) => sum + lag, 0);
      // The workshop uses no schema registry, so this error never happens.
      else if (name === 'SchemaRegistryErrorCount') value = 0;
      else value = delta(name);
      if (ERROR_METRICS.has(name) && value === 0) continue;
      this.emit(name, value);
    }
    if (this.options.provisioned) {
      const bytes = delta('PolledBytes');
      this.emit('ProvisionedPollers', reading.pollers);
      // EPUs follow throughput as well as pollers; the window is the data point's own period, so
      // EventPollerUnit agrees with the EventPollerThroughputInBytes beside it. A partial last
      // period is averaged over a whole one, as its data point stands for the whole minute.
      this.emit('EventPollerUnit', this.options.eventPollerUnits(bytes / (this.options.periodMs / 1000)));
      this.emit('EventPollerThroughputInBytes', bytes);
    }
    this.previous = reading.counters;
  }

  private emit(name: KafkaEsmMetricName | ProvisionedPollerMetricName, value: number): void {
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
