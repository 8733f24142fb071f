/**
 * Telemetry shared by every handler: Powertools Logger (JSON lines) and Metrics (CloudWatch EMF),
 * both written to stdout.
 *
 * Configuration (environment):
 *   METRICS_NAMESPACE        CloudWatch namespace, default "KafkaLambdaWorkshop"
 *   POWERTOOLS_SERVICE_NAME  service name and the `service` metric dimension (default: the handler's name)
 *   LAB_ID                   when set, a `Lab` dimension on every metric and a `lab` key on every log line
 *
 * Metric names follow the talk's dashboard:
 *   EndToEndDuration  Milliseconds  one value per processed record: completion time - intendedAt
 *   EventsProcessed   Count         per invocation
 *   EventsFailed      Count         per invocation (invalid or failed records)
 *   BatchSize         Count         one value per invocation: records in the batch
 *   EventsPublished   Count         producer, per published event
 *   SendDelay         Milliseconds  producer, per event: actual send time - intendedAt
 *   EventsForwarded   Count         sqs-forwarder, per invocation: records queued to SQS
 *
 * The "batch processed" line (a contract: the local harness parses it from stdout for exact
 * accounting by (runId, seq); keep the shape). Each processor writes exactly ONE per invocation:
 *   {"level":"INFO","message":"batch processed", ...Powertools keys...,
 *    "batchSize": number,
 *    "processed": [{"runId": string, "seq": number, "endToEndMs": number}],
 *    "failed": [{"runId"?: string, "seq"?: number, "partition"?: number, "offset"?: number,
 *                "messageId"?: string, "reason": string}]}
 * runId/seq are present on a failed entry whenever the value carried them (poison events do);
 * partition/offset identify a Kafka record, messageId an SQS message.
 * The line needs log level INFO or lower, and POWERTOOLS_DEV unset (it pretty-prints over
 * several lines). The sqs-forwarder writes a "batch forwarded" line instead (see its file).
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const METRIC_NAMES = {
  endToEndDuration: 'EndToEndDuration',
  eventsPublished: 'EventsPublished',
  sendDelay: 'SendDelay',
  eventsProcessed: 'EventsProcessed',
  batchSize: 'BatchSize',
  eventsFailed: 'EventsFailed',
  eventsForwarded: 'EventsForwarded',
} as const;

/**
 * The metrics each service writes (by POWERTOOLS_SERVICE_NAME). The dashboard and the harness read
 * them under these services; test/handlers/metric-dimensions.test.ts holds the handlers to it.
 */
export const METRICS_BY_SERVICE: Readonly<Record<string, readonly string[]>> = {
  producer: [METRIC_NAMES.eventsPublished, METRIC_NAMES.sendDelay],
  'booking-processor': [METRIC_NAMES.batchSize, METRIC_NAMES.eventsProcessed, METRIC_NAMES.eventsFailed, METRIC_NAMES.endToEndDuration],
  'sqs-processor': [METRIC_NAMES.batchSize, METRIC_NAMES.eventsProcessed, METRIC_NAMES.eventsFailed, METRIC_NAMES.endToEndDuration],
  'sqs-forwarder': [METRIC_NAMES.batchSize, METRIC_NAMES.eventsForwarded, METRIC_NAMES.eventsFailed],
};

/**
 * The dimensions of every metric a handler writes, given its environment: `service` (Powertools
 * adds it) and `Lab` when LAB_ID is set. CloudWatch SEARCH matches a schema of exactly these.
 */
export function metricDimensionNames(env: Record<string, string | undefined>): string[] {
  return env.LAB_ID?.trim() ? ['Lab', 'service'] : ['service'];
}

export const BATCH_PROCESSED_MESSAGE = 'batch processed';
export const DEFAULT_METRICS_NAMESPACE = 'KafkaLambdaWorkshop';

export interface ProcessedEntry {
  runId: string;
  seq: number;
  endToEndMs: number;
}

export interface FailedEntry {
  runId?: string;
  seq?: number;
  partition?: number;
  offset?: number;
  messageId?: string;
  reason: string;
}

export interface BatchReport {
  batchSize: number;
  processed: ProcessedEntry[];
  failed: FailedEntry[];
}

export interface Telemetry {
  logger: Logger;
  metrics: Metrics;
}

let cached: { signature: string; telemetry: Telemetry } | undefined;

/** One Logger and Metrics per execution environment, rebuilt only if their environment changes. */
export function telemetry(defaultServiceName: string, env: Record<string, string | undefined> = process.env): Telemetry {
  const namespace = env.METRICS_NAMESPACE?.trim() || DEFAULT_METRICS_NAMESPACE;
  const serviceName = env.POWERTOOLS_SERVICE_NAME?.trim() || defaultServiceName;
  const lab = env.LAB_ID?.trim() || undefined;
  const signature = JSON.stringify([namespace, serviceName, lab]);
  if (cached?.signature !== signature) {
    cached = {
      signature,
      telemetry: {
        logger: new Logger({ serviceName, persistentKeys: lab ? { lab } : {} }),
        metrics: new Metrics({ namespace, serviceName, defaultDimensions: lab ? { Lab: lab } : {} }),
      },
    };
  }
  return cached.telemetry;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The reader of the line reportBatch writes: the BatchReport in a parsed log line, or undefined
 * when the line is not a "batch processed" line. Entries without the fields a reader counts by
 * (runId, seq and endToEndMs; a failure's reason) are left out.
 */
export function readBatchReport(line: unknown): BatchReport | undefined {
  if (!isRecord(line) || line.message !== BATCH_PROCESSED_MESSAGE) return undefined;
  if (typeof line.batchSize !== 'number' || !Array.isArray(line.processed) || !Array.isArray(line.failed)) return undefined;
  const processed = line.processed.filter(
    (e): e is ProcessedEntry => isRecord(e) && typeof e.runId === 'string' && typeof e.seq === 'number' && typeof e.endToEndMs === 'number',
  );
  const failed = line.failed.filter((e): e is FailedEntry => isRecord(e) && typeof e.reason === 'string');
  return { batchSize: line.batchSize, processed, failed };
}

/** Emits a processor invocation's metrics and its one "batch processed" line (read by readBatchReport). */
export function reportBatch({ logger, metrics }: Telemetry, report: BatchReport): void {
  metrics.addMetric(METRIC_NAMES.batchSize, MetricUnit.Count, report.batchSize);
  metrics.addMetric(METRIC_NAMES.eventsProcessed, MetricUnit.Count, report.processed.length);
  metrics.addMetric(METRIC_NAMES.eventsFailed, MetricUnit.Count, report.failed.length);
  for (const entry of report.processed) {
    metrics.addMetric(METRIC_NAMES.endToEndDuration, MetricUnit.Milliseconds, entry.endToEndMs);
  }
  metrics.publishStoredMetrics();
  logger.info(BATCH_PROCESSED_MESSAGE, {
    batchSize: report.batchSize,
    processed: report.processed,
    failed: report.failed,
  });
}

export { MetricUnit };
