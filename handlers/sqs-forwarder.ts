// Lab 3's forwarder: Kafka ESM -> this function -> SQS, so processing can scale past the
// one-poller-per-partition ceiling of the Kafka ESM. It does no booking work: it moves every
// record to the queue (body = the Kafka value; topic, partition, offset, timestamp and key as
// message attributes, see shared/sqs-message.ts) and only succeeds when every record is queued.
// Anything that still fails after bounded retries makes the invocation throw, so the Kafka ESM
// retries the batch (at-least-once: records already queued are queued again; the harness counts
// duplicates by (runId, seq)).
//
// Environment: QUEUE_URL (required); SQS_ENDPOINT (local SQS server, optional);
// SQS_MAX_MESSAGE_BYTES (default 1048576); SQS_SEND_MAX_ATTEMPTS (default 4);
// SQS_SEND_BASE_DELAY_MS (backoff base, default 100); SQS_SEND_CONCURRENCY (default 16); telemetry variables (shared/telemetry.ts).
//
// Log contract: ONE line per invocation, message "batch forwarded",
//   {"batchSize": n, "forwarded": n, "calls": n,
//    "failed": [{"runId"?, "seq"?, "partition", "offset", "reason"}]}

import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { type DecodedKafkaRecord, decodeKafkaEvent } from './shared/kafka-event.ts';
import { readNumber } from './shared/settings.ts';
import { type SendOptions, sendMessagesInBatches } from './shared/sqs-batch-send.ts';
import { SQS_MAX_MESSAGE_BYTES, toSqsMessage } from './shared/sqs-message.ts';
import { METRIC_NAMES, MetricUnit, telemetry } from './shared/telemetry.ts';

const sqs = new SQSClient(process.env.SQS_ENDPOINT ? { endpoint: process.env.SQS_ENDPOINT } : {});

export class ForwardingFailedError extends Error {
  override name = 'ForwardingFailedError';
}

/** Batch entry Id for the i-th record of an invocation: unique, and readable in logs. */
export function sqsEntryId(index: number, record: Pick<DecodedKafkaRecord, 'partition' | 'offset'>): string {
  return `r${index}-p${record.partition}-o${record.offset}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
}

export const handler = async (event: unknown, context?: Context): Promise<void> => {
  const queueUrl = process.env.QUEUE_URL?.trim();
  if (!queueUrl) throw new Error('QUEUE_URL is not set: set it to the buffer queue URL (modules/sqs-buffer outputs it).');
  const env = process.env;
  const options: SendOptions = {
    maxMessageBytes: readNumber(env, 'SQS_MAX_MESSAGE_BYTES', SQS_MAX_MESSAGE_BYTES, 1024, SQS_MAX_MESSAGE_BYTES),
    maxAttempts: readNumber(env, 'SQS_SEND_MAX_ATTEMPTS', 4, 1, 20),
    baseDelayMs: readNumber(env, 'SQS_SEND_BASE_DELAY_MS', 100, 0, 10_000),
    concurrency: readNumber(env, 'SQS_SEND_CONCURRENCY', 16, 1, 256),
  };
  const { logger, metrics } = telemetry('sqs-forwarder');
  if (context) logger.addContext(context);

  const records = decodeKafkaEvent(event);
  const outgoing = records.map((record, i) => ({ id: sqsEntryId(i, record), message: toSqsMessage(record), record }));
  const result = await sendMessagesInBatches(sqs, queueUrl, outgoing, options);

  const byId = new Map(outgoing.map((o) => [o.id, o.record]));
  const failed = result.failed.map((f) => {
    const record = byId.get(f.id) as DecodedKafkaRecord;
    const seq = Number(record.headers.seq);
    return {
      ...(record.headers.runId ? { runId: record.headers.runId } : {}),
      ...(Number.isSafeInteger(seq) && record.headers.seq !== '' ? { seq } : {}),
      partition: record.partition,
      offset: record.offset,
      reason: f.reason,
    };
  });

  metrics.addMetric(METRIC_NAMES.batchSize, MetricUnit.Count, records.length);
  metrics.addMetric(METRIC_NAMES.eventsForwarded, MetricUnit.Count, result.sent);
  metrics.addMetric(METRIC_NAMES.eventsFailed, MetricUnit.Count, failed.length);
  metrics.publishStoredMetrics();
  logger.info('batch forwarded', { batchSize: records.length, forwarded: result.sent, calls: result.calls, failed });

  if (failed.length > 0) {
    throw new ForwardingFailedError(
      `${failed.length} of ${records.length} records could not be queued; failing the batch so the Kafka ` +
        `event source mapping retries it. First: partition ${failed[0].partition} offset ${failed[0].offset}: ${failed[0].reason}`,
    );
  }
};
