// The ESM's connection to a real broker: one kafkajs consumer in the mapping's consumer group
// fetches records and hands them to the engine without waiting for invocations (a batching
// window must keep collecting while other batches run). A partition holding too many records
// in memory is paused until its pollers catch up, so a slow function cannot exhaust memory.
import { type Admin, type Consumer, Kafka, logLevel } from 'kafkajs';
import type { StartingPosition } from '../../labs/lab-spec.ts';
import type { Clock } from '../clock.ts';
import { retryTransientKafka } from '../transient-kafka.ts';
import type { PolledRecord } from './polled-record.ts';

export interface FetcherOptions {
  brokers: string[];
  topic: string;
  groupId: string;
  startingPosition: StartingPosition;
  /** Epoch seconds, with AT_TIMESTAMP. */
  startingPositionTimestamp?: number;
  clock: Clock;
  /** Records per partition held in memory before the partition is paused. */
  maxWaitingPerPartition: number;
  onRecords(records: PolledRecord[]): void | Promise<void>;
  onHighWatermark(key: string, nextOffset: number): void;
  waitingIn(key: string): number;
  /** A poll or metadata request failed; kafkajs retries it (PollingErrorCount, a WARN system log line). */
  onPollingError?(error: Error): void;
}

export interface KafkaFetcher {
  commit(offsets: Map<string, number>): Promise<void>;
  stop(): Promise<void>;
}

const PAUSE_CHECK_MS = 20;
const JOIN_TIMEOUT_MS = 30_000;
const WATERMARK_REFRESH_MS = 1000;

export async function startKafkaFetcher(options: FetcherOptions): Promise<KafkaFetcher> {
  const kafka = new Kafka({
    clientId: `lambda-esm-${options.groupId}`,
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  const admin: Admin = kafka.admin();
  await Promise.all([consumer.connect(), admin.connect()]);
  await consumer.subscribe({ topics: [options.topic], fromBeginning: options.startingPosition === 'TRIM_HORIZON' });

  if (options.startingPosition === 'AT_TIMESTAMP') await seekToTimestamp(consumer, admin, options);
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  consumer.on(consumer.events.CRASH, ({ payload }) => options.onPollingError?.(payload.error));
  consumer.on(consumer.events.REQUEST_TIMEOUT, ({ payload }) =>
    options.onPollingError?.(new Error(`request ${payload.apiName} to broker ${payload.broker} timed out`)),
  );

  let stopping = false;
  const resumeTimers = new Set<NodeJS.Timeout>();
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch, pause }) => {
      const key = `${batch.topic}-${batch.partition}`;
      const now = options.clock.now();
      const records: PolledRecord[] = batch.messages.map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: Number(m.offset),
        timestamp: Number(m.timestamp),
        timestampType: timestampTypeOf(m),
        key: m.key ?? null,
        value: m.value ?? null,
        headers: separateHeaders(m.headers),
        polledAt: now,
      }));
      options.onHighWatermark(key, Number(batch.highWatermark));
      await options.onRecords(records);
      if (!stopping && options.waitingIn(key) > options.maxWaitingPerPartition) {
        const resume = pause();
        const timer = setInterval(() => {
          if (stopping || options.waitingIn(key) <= options.maxWaitingPerPartition / 2) {
            clearInterval(timer);
            resumeTimers.delete(timer);
            if (!stopping) resume();
          }
        }, PAUSE_CHECK_MS);
        resumeTimers.add(timer);
      }
    },
  });

  await withTimeout(joined, JOIN_TIMEOUT_MS, `the ESM's consumer did not join group ${options.groupId} within ${JOIN_TIMEOUT_MS / 1000} s`);
  if (options.startingPosition === 'LATEST') await pinLatest(consumer, admin, options);

  const watermarkTimer = setInterval(() => {
    admin
      .fetchTopicOffsets(options.topic)
      .then((offsets) => offsets.forEach((o) => options.onHighWatermark(`${options.topic}-${o.partition}`, Number(o.high))))
      .catch((error: Error) => options.onPollingError?.(error));
  }, WATERMARK_REFRESH_MS);

  return {
    async commit(offsets) {
      const list = [...offsets].map(([key, next]) => {
        const dash = key.lastIndexOf('-');
        return { topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)), offset: String(next) };
      });
      if (list.length > 0) await consumer.commitOffsets(list);
    },
    async stop() {
      stopping = true;
      clearInterval(watermarkTimer);
      for (const timer of resumeTimers) clearInterval(timer);
      await Promise.allSettled([consumer.disconnect(), admin.disconnect()]);
    },
  };
}

/**
 * LATEST means the end of the topic when the mapping is created. A new group pins that point by
 * committing it at once, so every event published after startKafkaEsm() returns is seen, and a
 * restart resumes there rather than at a later "latest".
 */
async function pinLatest(consumer: Consumer, admin: Admin, options: FetcherOptions): Promise<void> {
  const committed = await retryTransientKafka(`Reading group ${options.groupId}'s offsets`, () =>
    admin.fetchOffsets({ groupId: options.groupId, topics: [options.topic] }),
  );
  const uncommitted = new Set(committed.flatMap((t) => t.partitions.filter((p) => Number(p.offset) < 0).map((p) => p.partition)));
  if (uncommitted.size === 0) return;
  // Right after the topic is created its partitions may still be electing leaders.
  const ends = await retryTransientKafka(`Reading the end offsets of ${options.topic}`, () => admin.fetchTopicOffsets(options.topic));
  const pinned = ends.filter((p) => uncommitted.has(p.partition)).map((p) => ({ topic: options.topic, partition: p.partition, offset: p.high }));
  for (const { partition, offset } of pinned) consumer.seek({ topic: options.topic, partition, offset });
  await retryTransientKafka(`Committing the starting offsets of ${options.groupId}`, () => consumer.commitOffsets(pinned));
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise.finally(() => clearTimeout(timer)), new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
}

/**
 * kafkajs keeps the record batch's timestamp type (attribute bit 3) on each message's batch
 * context, outside its types; LOG_APPEND_TIME means the timestamp is the broker's append time.
 */
export function timestampTypeOf(message: object): PolledRecord['timestampType'] {
  const context = (message as { batchContext?: { timestampType?: number } }).batchContext;
  return context?.timestampType === 1 ? 'LOG_APPEND_TIME' : 'CREATE_TIME';
}

/**
 * AWS's event lists each header as its own {key: bytes} object. kafkajs folds a repeated key
 * into one array: unfold it, one entry per value.
 */
export function separateHeaders(headers: Record<string, unknown> | undefined): Array<Record<string, Buffer>> {
  const toBuffer = (v: unknown) => (Buffer.isBuffer(v) ? v : Buffer.from(v === undefined || v === null ? '' : String(v)));
  return Object.entries(headers ?? {}).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((one) => ({ [name]: toBuffer(one) })));
}

/** AT_TIMESTAMP: a new group starts at the first offset at or after the timestamp. */
async function seekToTimestamp(consumer: Consumer, admin: Admin, options: FetcherOptions): Promise<void> {
  const committed = await retryTransientKafka(`Reading group ${options.groupId}'s offsets`, () =>
    admin.fetchOffsets({ groupId: options.groupId, topics: [options.topic] }),
  );
  const hasCommits = committed.some((t) => t.partitions.some((p) => Number(p.offset) >= 0));
  if (hasCommits) return;
  const offsets = await retryTransientKafka(`Reading ${options.topic}'s offsets at the starting timestamp`, () =>
    admin.fetchTopicOffsetsByTimestamp(options.topic, (options.startingPositionTimestamp ?? 0) * 1000),
  );
  consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const { partition, offset } of offsets) consumer.seek({ topic: options.topic, partition, offset });
  });
}
