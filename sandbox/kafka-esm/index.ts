// A Kafka event source mapping on a real broker: the LabSpec's kafkaEsm settings, a kafkajs
// fetcher, the rule engine, the local Lambda function it invokes, the on-failure destination (an
// SQS queue or SNS's subscribed queue on ElasticMQ, a folder standing in for an S3 bucket, or a
// Kafka topic on the same broker), and what the mapping reports about itself: its CloudWatch
// metrics (MetricsConfig) and its system log (LoggingConfig).
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Producer } from 'kafkajs';
import { kafkaWindowMs } from '../../labs/aws-limits.ts';
import { eventPollerUnits } from '../../labs/event-poller-units.ts';
import type { KafkaEsmSpec } from '../../labs/lab-spec.ts';
import { type Clock, systemClock } from '../clock.ts';
import { ESM_METRIC_PERIOD_MS } from '../esm-metric-publisher.ts';
import { kafkaRecordMatches, parseFilterCriteria } from '../filter/index.ts';
import type { LogStore } from '../lambda-runtime/function-logs.ts';
import type { LambdaFunction, InvokeResult as LambdaInvokeResult } from '../lambda-runtime/index.ts';
import type { MetricStore } from '../lambda-runtime/metric-store.ts';
import { JsonPayload } from '../lambda-runtime/payload-limit.ts';
import { type DestinationDelivery, type DropReason, KafkaEsmEngine, type KafkaEsmSnapshot } from './engine.ts';
import { KafkaEsmMetrics } from './esm-metrics.ts';
import type { FailureRules, InvokeResult } from './failure-policy.ts';
import { type KafkaFetcher, startKafkaFetcher } from './kafka-fetcher.ts';
import { type KafkaEventSource, kafkaEventBytes, s3OnFailureKey, toKafkaDestinationMessage, toOnFailureRecord, toS3OnFailureRecord } from './msk-event.ts';
import { groupByPartition, type PolledRecord, partitionKey } from './polled-record.ts';
import { type PollerGroups, sandboxPollerGroups } from './poller-group.ts';
import { OnDemandScaling, type PollerScaling, ProvisionedScaling } from './poller-scaling.ts';
import { SchemaDecoder, type SchemaLookup, type SchemaValidationCost } from './schema-decoder.ts';
import { EsmSystemLog } from './system-log.ts';

export type KafkaDestination =
  | { kind: 'sqs'; queueUrl: string; sqs: SQSClient }
  /** SNS, as the stacks subscribe it: a queue with raw message delivery receives each record as published. */
  | { kind: 'sns'; subscriptionQueueUrl: string; sqs: SQSClient }
  /** A local folder standing in for the bucket: one file per object, named by its key. */
  | { kind: 's3'; bucketDir: string }
  | { kind: 'kafka'; topic: string; producer: Producer };

export interface KafkaEsmOptions {
  esm: KafkaEsmSpec;
  topic: string;
  partitions: number;
  fn: LambdaFunction;
  brokers: string[];
  /** Unset: a unique group, as AWS gives a mapping without ConsumerGroupId. */
  groupId?: string;
  destination?: KafkaDestination;
  /** AWS scaling minutes are divided by this (60: one AWS minute per local second). */
  timeScale?: number;
  clock?: Clock;
  source?: KafkaEventSource;
  onFiltered?: (record: PolledRecord) => void;
  /** Told of records the Kafka ESM dropped (DroppedEventCount): no destination, or delivery to it failed. */
  onDropped?: (records: PolledRecord[], reason: DropReason) => void;
  /** Where the mapping publishes its CloudWatch metrics (the runtime's store, as AWS/Lambda). */
  metrics?: MetricStore;
  /** The poller groups a grouped mapping joins (default: the sandbox process's). */
  pollerGroups?: PollerGroups;
  /** Where its system log lines go (the runtime's log store: the function's log group), with LoggingConfig set. */
  logs?: LogStore;
  /** The registry the mapping validates records against, when the spec sets kafkaEsm.schemaRegistry. */
  schemaLookup?: SchemaLookup;
}

/** How long the mapping waits before asking a registry that did not answer again. */
const REGISTRY_RETRY_MS = 1_000;

/** The mapping's ARN as AWS names it (esm-logging.html: the `resourceArn` of each log line). */
export function esmArn(uuid: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${uuid}`;
}

/** One AWS minute: the period of the ESM's metrics and of its DEBUG offset log lines. */
const AWS_MINUTE_MS = 60_000;

export interface KafkaEsm {
  readonly uuid: string;
  readonly groupId: string;
  readonly engine: KafkaEsmEngine;
  snapshot(): KafkaEsmSnapshot;
  /** With a SchemaRegistryConfig: what validating the records has cost so far. */
  schemaValidationCost(): SchemaValidationCost | undefined;
  /** Publishes the metric period so far now (a report reads the metrics without waiting for the period to end). */
  publishMetrics(): void;
  /** Stops polling; invocations in flight finish and their offsets are committed. */
  stop(): Promise<void>;
}

/** Per partition, records held in memory before the fetcher pauses it. */
const MAX_WAITING_PER_PARTITION = 5_000;

export function failureRules(esm: KafkaEsmSpec, hasDestination: boolean): FailureRules {
  return {
    maximumRetryAttempts: esm.maximumRetryAttempts ?? -1,
    maximumRecordAgeSeconds: esm.maximumRecordAgeSeconds ?? -1,
    bisectBatchOnFunctionError: esm.bisectBatchOnFunctionError ?? false,
    reportBatchItemFailures: esm.reportBatchItemFailures ?? false,
    hasDestination,
  };
}

export function pollerScaling(esm: KafkaEsmSpec, partitions: number, timeScale: number): PollerScaling {
  const provisioned = esm.provisionedPollers;
  return provisioned ? new ProvisionedScaling(provisioned.minimum, provisioned.maximum, partitions) : new OnDemandScaling(partitions, timeScale, esm.batchSize);
}

export function toInvokeResult(result: LambdaInvokeResult): InvokeResult {
  switch (result.outcome) {
    case 'ok':
      return { kind: 'success', response: result.response };
    case 'throttled':
      return { kind: 'throttled', message: result.error?.errorMessage ?? 'Rate exceeded' };
    case 'timeout':
      return { kind: 'timeout', message: result.error?.errorMessage ?? 'Task timed out' };
    default:
      return { kind: 'function-error', message: result.error?.errorMessage ?? 'Unhandled' };
  }
}

export async function startKafkaEsm(options: KafkaEsmOptions): Promise<KafkaEsm> {
  const clock = options.clock ?? systemClock;
  const uuid = randomUUID();
  // AWS names the group after the mapping unless the spec sets one (esm-logging.html's example:
  // consumerGroupId is the mapping's UUID).
  const groupId = options.esm.consumerGroupId ?? uuid;
  const source: KafkaEventSource = options.source ?? {
    kind: 'msk',
    clusterArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/sandbox/00000000-0000-0000-0000-000000000000-1',
    bootstrapServers: options.brokers.join(','),
  };
  const patterns = parseFilterCriteria(options.esm.filters);
  const logStore = options.logs;
  const systemLog =
    logStore && options.esm.systemLogLevel
      ? new EsmSystemLog({
          level: options.esm.systemLogLevel,
          uuid,
          resourceArn: esmArn(uuid),
          eventSourceArn: source.clusterArn ?? `self-managed:${source.bootstrapServers}`,
          clock,
          write: (line) =>
            logStore.add({
              functionName: options.fn.name,
              requestId: '',
              logStreamName: line.logStreamName,
              stream: 'stdout',
              text: line.text,
              timestamp: line.timestamp,
              json: line.record as unknown as Record<string, unknown>,
            }),
        })
      : undefined;
  // The sandbox's broker listens in plain text without SASL; on MSK the log says SASL_SSL and AWS_MSK_IAM.
  const connection = {
    brokers: options.brokers,
    topic: options.topic,
    groupId,
    totalPartitionCount: options.partitions,
    securityProtocol: 'PLAINTEXT',
    saslMechanism: null,
  };
  // The engine commits through the fetcher, which starts after the engine exists.
  let fetcher: KafkaFetcher | undefined;
  const engine: KafkaEsmEngine = new KafkaEsmEngine(
    {
      batchSize: options.esm.batchSize,
      windowMs: kafkaWindowMs(options.esm.batchingWindowSeconds),
      failure: failureRules(options.esm, options.destination !== undefined),
      matches: (record) => kafkaRecordMatches(patterns, record.filterValue ?? record.value),
    },
    pollerScaling(options.esm, options.partitions, options.timeScale ?? 1),
    {
      invoke: async (records) => toInvokeResult(await options.fn.invoke(new JsonPayload(kafkaEventBytes(records, source)), { records: records.length })),
      commit: async (offsets) => {
        if (!fetcher) throw new Error('the fetcher is not connected yet');
        await fetcher.commit(offsets);
      },
      deliverToDestination: options.destination ? destinationSender(options.destination, options.fn, source, clock, uuid) : undefined,
      onFiltered: options.onFiltered,
      onDropped: options.onDropped,
      onRebalanced: () => systemLog?.pollersAssigned(engine.assignments(), connection),
      onWarning: (message, code, poller) => systemLog?.warning(message, code, poller),
    },
    clock,
  );
  engine.knowPartitions(Array.from({ length: options.partitions }, (_, i) => `${options.topic}-${i}`));
  // Refused before anything connects, as CreateEventSourceMapping refuses it.
  const groupName = options.esm.provisionedPollers?.pollerGroupName;
  const groups = options.pollerGroups ?? sandboxPollerGroups;
  // EPUs are sized on the pollers and on the bytes a second read over the last metric period.
  let periodBytesPerSec = 0;
  const pollerLoad = () => ({ pollers: engine.pollerCount(), bytesPerSec: periodBytesPerSec });
  if (groupName) groups.join(groupName, uuid, options.esm.provisionedPollers!.maximum, pollerLoad);
  const registry = options.esm.schemaRegistry;
  if (registry && !options.schemaLookup) throw new Error('kafkaEsm.schemaRegistry is set but the sandbox started no schema registry for the mapping');
  const decoder = registry && options.schemaLookup ? new SchemaDecoder(registry, options.schemaLookup) : undefined;
  let stopping = false;
  /**
   * Each record validated before the filter sees it. A registry that cannot be asked holds the
   * partition's records back, retried each second while the mapping runs: nothing is invoked or
   * dead-lettered on a guess.
   */
  const validated = async (records: PolledRecord[]): Promise<PolledRecord[]> => {
    const checked: PolledRecord[] = [];
    for (const record of records) {
      for (;;) {
        try {
          const result = await decoder!.decode(record);
          checked.push('record' in result ? result.record : { ...record, schemaFailure: result.failure });
          break;
        } catch (error) {
          engine.schemaRegistryFailed();
          systemLog?.warning(`schema registry unreachable: ${(error as Error).message}`, 'SchemaRegistryUnavailable');
          if (stopping) return checked;
          await new Promise<void>((resolve) => clock.after(REGISTRY_RETRY_MS, resolve));
        }
      }
    }
    return checked;
  };
  const fetcherStarted = startKafkaFetcher({
    brokers: options.brokers,
    topic: options.topic,
    groupId,
    startingPosition: options.esm.startingPosition,
    startingPositionTimestamp: options.esm.startingPositionTimestamp,
    clock,
    maxWaitingPerPartition: MAX_WAITING_PER_PARTITION,
    onRecords: decoder ? (records) => validated(records).then((checked) => engine.push(checked)) : (records) => engine.push(records),
    onHighWatermark: (key, next) => engine.setHighWatermark(key, next),
    waitingIn: (key) => engine.waitingIn(key),
    onPollingError: (error) => {
      engine.pollingFailed();
      systemLog?.warning(error.message, error.name || 'KafkaJSError');
    },
  });
  try {
    fetcher = await fetcherStarted;
  } catch (error) {
    if (groupName) groups.leave(groupName, uuid);
    await engine.stop();
    throw error;
  }
  systemLog?.pollersAssigned(engine.assignments(), connection);
  const offsetsTimer = systemLog ? every(clock, AWS_MINUTE_MS / (options.timeScale ?? 1), () => systemLog.offsets(engine.partitionOffsets())) : undefined;
  const metricStore = options.metrics;
  const metrics = metricStore
    ? new KafkaEsmMetrics({
        uuid,
        groups: options.esm.metrics,
        provisioned: options.esm.provisionedPollers !== undefined,
        periodMs: ESM_METRIC_PERIOD_MS / (options.timeScale ?? 1),
        read: () => ({ counters: { ...engine.counters }, offsetLagByPartition: engine.offsetLagByPartition(), pollers: engine.pollerCount() }),
        eventPollerUnits: (bytesPerSec) => {
          periodBytesPerSec = bytesPerSec;
          return groupName ? groups.eventPollerUnits(groupName) : eventPollerUnits(pollerLoad());
        },
        emit: (metric) => metricStore.add({ ...metric, functionName: options.fn.name, requestId: '' }),
        clock,
      })
    : undefined;
  metrics?.start();
  return {
    uuid,
    groupId,
    engine,
    snapshot: () => engine.snapshot(),
    schemaValidationCost: () => (decoder ? { ...decoder.cost } : undefined),
    publishMetrics: () => metrics?.publish(),
    async stop() {
      stopping = true;
      offsetsTimer?.cancel();
      await engine.stop();
      metrics?.stop();
      if (groupName) groups.leave(groupName, uuid);
      await fetcher?.stop();
    },
  };
}

/** Calls `fn` every `ms` of the clock's time until cancelled. */
function every(clock: Clock, ms: number, fn: () => void): { cancel(): void } {
  let timer = clock.after(ms, tick);
  function tick(): void {
    fn();
    timer = clock.after(ms, tick);
  }
  return { cancel: () => timer.cancel() };
}

/**
 * One destination message per contiguous run of offsets in a partition, so the offset range it
 * names holds exactly the records that failed (AWS sends one per failed batch; a run is the same
 * information without the records in between that did not fail).
 */
export function contiguousRuns(records: PolledRecord[]): PolledRecord[][] {
  const runs: PolledRecord[][] = [];
  for (const list of groupByPartition(records).values()) {
    list.sort((a, b) => a.offset - b.offset);
    let run: PolledRecord[] = [];
    for (const r of list) {
      if (run.length > 0 && r.offset !== run[run.length - 1].offset + 1) {
        runs.push(run);
        run = [];
      }
      run.push(r);
    }
    if (run.length > 0) runs.push(run);
  }
  return runs;
}

function destinationSender(destination: KafkaDestination, fn: LambdaFunction, source: KafkaEventSource, clock: Clock, esmUuid: string) {
  return async (delivery: DestinationDelivery): Promise<void> => {
    const common = {
      condition: delivery.condition,
      invokeCount: delivery.invokeCount,
      lastResult: delivery.lastResult,
      functionArn: fn.invokedFunctionArn,
      source,
      now: clock.now(),
    };
    if (destination.kind === 'kafka') {
      await destination.producer.send({
        topic: destination.topic,
        messages: delivery.records.map((record) => toKafkaDestinationMessage({ ...common, record, requestId: randomUUID() })),
      });
      return;
    }
    for (const run of contiguousRuns(delivery.records)) {
      const input = { ...common, records: run, requestId: randomUUID() };
      if (destination.kind === 's3') {
        const key = s3OnFailureKey(esmUuid, partitionKey(run[0]), common.now, randomUUID());
        const file = join(destination.bucketDir, ...key.split('/'));
        await mkdir(dirname(file), { recursive: true });
        // Written whole, then renamed: a reader never sees half an object.
        await writeFile(`${file}.partial`, JSON.stringify(toS3OnFailureRecord(input)));
        await rename(`${file}.partial`, file);
      } else {
        const queueUrl = destination.kind === 'sns' ? destination.subscriptionQueueUrl : destination.queueUrl;
        await destination.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(toOnFailureRecord(input)) }));
      }
    }
  };
}
