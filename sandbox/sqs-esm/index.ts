// An SQS event source mapping on a real queue (ElasticMQ): long-polling loops, one per
// concurrent batch, as many as the scaling rule allows; each receives a batch (waiting up to
// the batching window for more when the window is set), invokes the local function with the
// SQS event shape, and deletes what succeeded (batch-handler.ts, which also counts what AWS's
// EventCount metrics count); the mapping publishes those metrics as AWS/Lambda (esm-metrics.ts).
// Visibility timeouts and DLQ redrive are the queue's own (ElasticMQ applies the redrive policy),
// not emulated here.

import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sqsWindowMs } from '../../labs/aws-limits.ts';
import { SQS_ESM_METRIC_GROUPS } from '../../labs/esm-metrics.ts';
import type { SqsBufferSpec } from '../../labs/lab-spec.ts';
import { type Clock, systemClock } from '../clock.ts';
import { ESM_METRIC_PERIOD_MS } from '../esm-metric-publisher.ts';
import type { LambdaFunction } from '../lambda-runtime/index.ts';
import type { MetricStore } from '../lambda-runtime/metric-store.ts';
import { SqsBatchHandler, type SqsEsmCounters } from './batch-handler.ts';
import type { SqsInvokeOutcome } from './batch-response.ts';
import { ProvisionedSqsScaling, type SqsConcurrencyScaling, StandardSqsScaling } from './concurrency-scaling.ts';
import { SqsEsmMetrics } from './esm-metrics.ts';
import { cutAtPayloadLimit } from './payload-cut.ts';

export interface SqsEsmOptions {
  spec: SqsBufferSpec;
  queueUrl: string;
  queueArn: string;
  sqs: SQSClient;
  fn: LambdaFunction;
  reportBatchItemFailures: boolean;
  timeScale?: number;
  clock?: Clock;
  region?: string;
  /** Where the mapping publishes its CloudWatch metrics (the runtime's store, as AWS/Lambda). */
  metrics?: MetricStore;
  /** The mapping's FilterCriteria as a test on each message; lab 3's mapping has none (SqsBufferSpec holds no filters). */
  matches?(message: Message): boolean;
}

export type { SqsEsmCounters } from './batch-handler.ts';

export interface SqsEsmSnapshot {
  at: number;
  pollers: number;
  concurrency: number;
  allowedConcurrency: number;
  queueDepth: number;
  inFlightMessages: number;
  counters: SqsEsmCounters;
}

export interface SqsEsm {
  /** The mapping's UUID: the EventSourceMappingUUID dimension of its metrics. */
  uuid: string;
  snapshot(): SqsEsmSnapshot;
  /** Publishes the metric period so far (the harness calls it before reading the run's totals). */
  publishMetrics(): void;
  stop(): Promise<void>;
}

/** AWS long-polls for up to 20 s. */
const LONG_POLL_SECONDS = 20;
const SUPERVISE_MS = 100;
const MAX_MESSAGES_PER_RECEIVE = 10;

export function sqsScaling(spec: SqsBufferSpec, timeScale: number): SqsConcurrencyScaling {
  return spec.provisionedPollers
    ? new ProvisionedSqsScaling(spec.provisionedPollers.minimum, spec.provisionedPollers.maximum, timeScale)
    : new StandardSqsScaling(spec.maximumConcurrency, timeScale);
}

/** The event Lambda passes a function for SQS (services-sqs.html "Example event"). */
export function toSqsEvent(messages: Message[], queueArn: string, region: string) {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? '',
      attributes: { ...(m.Attributes ?? {}) },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([name, a]) => [
          name,
          {
            dataType: a.DataType,
            ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
            ...(a.BinaryValue !== undefined ? { binaryValue: Buffer.from(a.BinaryValue).toString('base64') } : {}),
            stringListValues: [],
            binaryListValues: [],
          },
        ]),
      ),
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: region,
    })),
  };
}

export function startSqsEsm(options: SqsEsmOptions): SqsEsm {
  const clock = options.clock ?? systemClock;
  const scaling = sqsScaling(options.spec, options.timeScale ?? 1);
  const abort = new AbortController();
  // Every poll loop's long poll listens on this one signal.
  setMaxListeners(Infinity, abort.signal);
  const uuid = randomUUID();
  const region = options.region ?? 'us-east-1';
  const handler = new SqsBatchHandler({
    matches: options.matches,
    invoke: invokeFunction,
    remove: deleteMessages,
    reportBatchItemFailures: options.reportBatchItemFailures,
  });
  const metricStore = options.metrics;
  const metrics = metricStore
    ? new SqsEsmMetrics({
        uuid,
        groups: SQS_ESM_METRIC_GROUPS,
        provisioned: options.spec.provisionedPollers !== undefined,
        periodMs: ESM_METRIC_PERIOD_MS / (options.timeScale ?? 1),
        read: () => ({ counters: { ...handler.counters }, pollers: scaling.pollers() }),
        emit: (metric) => metricStore.add({ ...metric, functionName: options.fn.name, requestId: '' }),
        clock,
      })
    : undefined;
  const loops = new Set<Promise<void>>();
  let loopCount = 0;
  let busy = 0;
  let allowed = scaling.allowed(clock.now(), 'steady');
  let queueDepth = 0;
  let emptyPolls = 0;
  let inFlightMessages = 0;
  let stopped = false;
  const windowMs = sqsWindowMs(options.spec.batchingWindowSeconds);

  async function receive(max: number, waitSeconds: number): Promise<Message[]> {
    const response = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(MAX_MESSAGES_PER_RECEIVE, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    const messages = response.Messages ?? [];
    handler.received(messages);
    return messages;
  }

  /**
   * A batch closes at the batch size or when the window (from its first message) ends; it starts
   * with what the previous batch of this loop could not carry under the payload limit.
   */
  async function collectBatch(carried: Message[]): Promise<Message[]> {
    const batch = [...carried];
    if (batch.length < options.spec.batchSize)
      batch.push(...(await receive(options.spec.batchSize - batch.length, carried.length > 0 ? 0 : LONG_POLL_SECONDS)));
    if (batch.length === 0 || windowMs === 0) return batch;
    const closesAt = clock.now() + windowMs;
    while (batch.length < options.spec.batchSize && !stopped) {
      const remaining = closesAt - clock.now();
      if (remaining <= 0) break;
      batch.push(...(await receive(options.spec.batchSize - batch.length, Math.min(LONG_POLL_SECONDS, Math.floor(remaining / 1000)))));
    }
    return batch;
  }

  async function deleteMessages(messages: Message[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const result = await options.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })) }),
      );
      deleted += result.Successful?.length ?? 0;
    }
    return deleted;
  }

  async function invokeFunction(messages: Message[]): Promise<SqsInvokeOutcome> {
    const result = await options.fn.invoke(toSqsEvent(messages, options.queueArn, region), { records: messages.length });
    if (result.outcome === 'ok') return { kind: 'success', response: result.response };
    return {
      kind: result.outcome === 'throttled' ? 'throttled' : result.outcome === 'timeout' ? 'timeout' : 'function-error',
      message: result.error?.errorMessage ?? '',
    };
  }

  async function pollLoop(): Promise<void> {
    let carried: Message[] = [];
    // A loop scaled away still invokes what it carried, rather than leave it to the visibility timeout.
    while (!stopped && (loopCount <= allowed || carried.length > 0)) {
      let messages: Message[] = [];
      try {
        messages = await collectBatch(carried);
      } catch {
        if (stopped) break;
        await new Promise<void>((resolve) => clock.after(200, resolve));
        continue;
      }
      if (messages.length === 0) {
        emptyPolls++;
        continue;
      }
      const records = toSqsEvent(messages, options.queueArn, region).Records;
      const cut = cutAtPayloadLimit(records);
      carried = messages.slice(cut.batch.length);
      messages = messages.slice(0, cut.batch.length);
      busy++;
      inFlightMessages += messages.length;
      try {
        await handler.handle(messages);
      } catch {
        // A failed delete leaves the messages to reappear after the visibility timeout.
      } finally {
        busy--;
        inFlightMessages -= messages.length;
      }
    }
  }

  function startLoop(): void {
    loopCount++;
    const loop = pollLoop().finally(() => {
      loopCount--;
      loops.delete(loop);
    });
    loops.add(loop);
  }

  async function refreshDepth(): Promise<void> {
    try {
      const attributes = await options.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: options.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
        { abortSignal: abort.signal },
      );
      queueDepth = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
    } catch {
      // The next tick asks again.
    }
  }

  let supervising = false;
  const supervisor = setInterval(() => {
    if (stopped || supervising) return;
    supervising = true;
    void refreshDepth().then(() => {
      supervising = false;
      if (stopped) return;
      const signal = queueDepth > 0 ? 'backlog' : emptyPolls > 0 ? 'idle' : 'steady';
      emptyPolls = 0;
      allowed = scaling.allowed(clock.now(), signal);
      while (loopCount < allowed) startLoop();
    });
  }, SUPERVISE_MS);
  while (loopCount < allowed) startLoop();
  metrics?.start();

  return {
    uuid,
    publishMetrics: () => metrics?.publish(),
    snapshot: () => ({
      at: clock.now(),
      pollers: scaling.pollers(),
      concurrency: busy,
      allowedConcurrency: allowed,
      queueDepth,
      inFlightMessages,
      counters: { ...handler.counters },
    }),
    async stop() {
      stopped = true;
      clearInterval(supervisor);
      // Batches being processed finish; long polls waiting for messages are cut short.
      const deadline = Date.now() + 30_000;
      while (busy > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      abort.abort();
      await Promise.allSettled([...loops]);
      metrics?.stop();
    },
  };
}
