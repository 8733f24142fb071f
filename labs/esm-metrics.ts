// The event source mappings' own CloudWatch metrics, as AWS names them: the three MetricsConfig
// groups a Kafka mapping can opt in to, the one an SQS mapping can, the metrics each group turns
// on for each source, and the poller metrics a provisioned mapping always has. The stacks, the
// sandbox, the harness and both dashboards read the names from here
// (lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics).

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

/**
 * An SQS mapping accepts EventCount only (ErrorCount and KafkaMetrics are "Amazon MSK and
 * self-managed Apache Kafka", API_EventSourceMappingMetricsConfig.html); the lab 3 buffer's mapping
 * turns it on.
 */
export const SQS_ESM_METRIC_GROUPS = ['EventCount'] as const satisfies readonly EsmMetricGroup[];

/**
 * What EventCount publishes for an SQS mapping, in AWS's order: the Kafka list without
 * DroppedEventCount, OnFailureDestinationDeliveredEventCount and CommittedEventCount (an SQS
 * mapping has no on-failure destination and commits nothing), with DeletedEventCount, which is
 * SQS only. How the sandbox counts each: sandbox/sqs-esm/batch-handler.ts.
 */
export const SQS_ESM_METRICS = {
  EventCount: ['PolledEventCount', 'FilteredOutEventCount', 'InvokedEventCount', 'FailedInvokeEventCount', 'DeletedEventCount'],
} as const satisfies Record<(typeof SQS_ESM_METRIC_GROUPS)[number], readonly string[]>;

export type SqsEsmMetricName = (typeof SQS_ESM_METRICS)['EventCount'][number];

/** A provisioned mapping publishes these whatever its MetricsConfig (ProvisionedPollers: Maximum; the others: Sum). */
export const PROVISIONED_POLLER_METRICS = ['ProvisionedPollers', 'EventPollerUnit', 'EventPollerThroughputInBytes'] as const;
export type ProvisionedPollerMetricName = (typeof PROVISIONED_POLLER_METRICS)[number];

/** An SQS mapping in provisioned mode publishes its pollers (ProvisionedPollers, monitoring-metrics-types.html). */
export const SQS_PROVISIONED_POLLER_METRICS = ['ProvisionedPollers'] as const satisfies readonly ProvisionedPollerMetricName[];

/** Any metric a mapping of the workshop publishes about itself. */
export type EsmMetricName = KafkaEsmMetricName | SqsEsmMetricName | ProvisionedPollerMetricName;

/** The one ESM-specific dimension AWS documents (monitoring-metrics-view.html). */
export const ESM_METRIC_DIMENSION = 'EventSourceMappingUUID';

/**
 * How data points combine over time: lags, pollers and poller units are levels (their Maximum),
 * the rest are counts (their Sum). AWS says to view EventPollerUnit with SUM, which adds a
 * period's points across pollers; over a run it is still a level.
 */
export function esmMetricStatistic(name: EsmMetricName): 'Maximum' | 'Sum' {
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

/** Everything an SQS mapping publishes about itself, in AWS's order: EventCount when turned on, then ProvisionedPollers when provisioned. */
export function publishedSqsEsmMetrics(
  groups: readonly EsmMetricGroup[] | undefined,
  provisioned: boolean,
): Array<SqsEsmMetricName | (typeof SQS_PROVISIONED_POLLER_METRICS)[number]> {
  return [...((groups ?? []).includes('EventCount') ? SQS_ESM_METRICS.EventCount : []), ...(provisioned ? SQS_PROVISIONED_POLLER_METRICS : [])];
}
