// The event source mapping's own CloudWatch metrics, as AWS names them: the three MetricsConfig
// groups a Kafka mapping can opt in to, the metrics each group turns on, and the poller metrics a
// provisioned mapping always has. The stacks, the sandbox, the harness and both dashboards read
// the names from here (lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics).

/** Lambda's own metrics and the mapping's share this namespace (monitoring-metrics-types.html). */
export const LAMBDA_NAMESPACE = 'AWS/Lambda';

export const ESM_METRICS_DOC = 'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics';

/** MetricsConfig.Metrics values (API_EventSourceMappingMetricsConfig.html: 0..3 of these). */
export const ESM_METRIC_GROUPS = ['EventCount', 'ErrorCount', 'KafkaMetrics'] as const;
export type EsmMetricGroup = (typeof ESM_METRIC_GROUPS)[number];

/** What each group publishes for an MSK or self-managed Kafka mapping (DeletedEventCount is SQS only). */
export const KAFKA_ESM_METRICS = {
  EventCount: [
    'PolledEventCount',
    'FilteredOutEventCount',
    'InvokedEventCount',
    'FailedInvokeEventCount',
    'DroppedEventCount',
    'OnFailureDestinationDeliveredEventCount',
    'CommittedEventCount',
  ],
  // "Lambda only emits this metric data when error happened."
  ErrorCount: ['PollingErrorCount', 'InvokeErrorCount', 'OnFailureDestinationDeliveryErrorCount', 'SchemaRegistryErrorCount', 'CommitErrorCount'],
  KafkaMetrics: ['MaxOffsetLag', 'SumOffsetLag'],
} as const satisfies Record<EsmMetricGroup, readonly string[]>;

export type KafkaEsmMetricName = (typeof KAFKA_ESM_METRICS)[EsmMetricGroup][number];

/** A provisioned mapping publishes these whatever its MetricsConfig (ProvisionedPollers: Maximum; the others: Sum). */
export const PROVISIONED_POLLER_METRICS = ['ProvisionedPollers', 'EventPollerUnit', 'EventPollerThroughputInBytes'] as const;
export type ProvisionedPollerMetricName = (typeof PROVISIONED_POLLER_METRICS)[number];

/** The one ESM-specific dimension AWS documents (monitoring-metrics-view.html). */
export const ESM_METRIC_DIMENSION = 'EventSourceMappingUUID';

/**
 * How data points combine over time: lags, pollers and poller units are levels (their Maximum),
 * the rest are counts (their Sum). AWS says to view EventPollerUnit with SUM, which adds a
 * period's points across pollers; over a run it is still a level.
 */
export function esmMetricStatistic(name: KafkaEsmMetricName | ProvisionedPollerMetricName): 'Maximum' | 'Sum' {
  return name === 'MaxOffsetLag' || name === 'SumOffsetLag' || name === 'ProvisionedPollers' || name === 'EventPollerUnit' ? 'Maximum' : 'Sum';
}

/** Everything a Kafka mapping publishes about itself, in AWS's order: its groups' metrics, then the poller metrics when provisioned. */
export function publishedEsmMetrics(
  groups: readonly EsmMetricGroup[] | undefined,
  provisioned: boolean,
): Array<KafkaEsmMetricName | ProvisionedPollerMetricName> {
  return [...enabledEsmMetrics(groups), ...(provisioned ? PROVISIONED_POLLER_METRICS : [])];
}

/** The metric names a MetricsConfig turns on, in AWS's order. */
export function enabledEsmMetrics(groups: readonly EsmMetricGroup[] | undefined): KafkaEsmMetricName[] {
  const on = new Set(groups ?? []);
  return ESM_METRIC_GROUPS.filter((g) => on.has(g)).flatMap((g) => [...KAFKA_ESM_METRICS[g]]);
}
