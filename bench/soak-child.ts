// The sandbox under soak (bench/soak.ts): lab 1's pipeline (producer Lambda -> Kafka -> Kafka ESM
// -> booking-processor) in its own process, so the soak's bookkeeping (every processed seq, the
// samples) lives in the parent and this process's memory is the sandbox's alone.
//
// Started with `node --expose-gc --import tsx bench/soak-child.ts '<SoakChildConfig JSON>'` and an
// IPC channel; KAFKA_BROKERS names the parent's broker. What it keeps is constant in size: two
// counters and the seqs processed since the last flush (sent to the parent every 500 ms).

import type { ProducerPayload, ProducerResult } from '../handlers/producer.ts';
import { DEFAULT_METRICS_NAMESPACE as METRICS_NAMESPACE, readBatchReport } from '../handlers/shared/telemetry.ts';
import type { TrafficProfile } from '../handlers/shared/traffic.ts';
import { type Sandbox, startSandbox } from '../sandbox/index.ts';
import { startKafka } from '../sandbox/kafka-broker.ts';
import { residentMemory } from './jvm-memory.ts';
import { benchLab } from './pipeline.ts';

export interface SoakChildConfig {
  topic: string;
  /** Producer shards per run: twice as many producer environments are started before the load. */
  shards: number;
  /** Store retention of the Lambda runtime (metrics, logs, invocation records), ms; unset = the sandbox default. */
  retentionMs?: number;
}

export type SoakParentMessage =
  | { type: 'produce'; runId: string; startAtMs: number; profile: TrafficProfile; shards: number }
  | { type: 'sample' }
  | { type: 'stop' };

export interface ChildSample {
  /** After a forced full GC of the main isolate (node --expose-gc). */
  heapUsedBytes: number;
  /** V8 heap committed by the main isolate (after the GC). */
  heapTotalBytes: number;
  rssBytes: number;
  /** RssAnon and RssFile of /proc/self/status. */
  rssAnonBytes: number;
  rssFileBytes: number;
  externalBytes: number;
  /** The execution environments' (worker threads') V8 heaps, each after its own full GC. */
  lambda: {
    environments: number;
    heapUsedBytes: number;
    heapTotalBytes: number;
    collected: boolean;
    byFunction: Record<string, { environments: number; heapUsedBytes: number }>;
  };
  /** Events the producer Lambda reported published (EventsPublished EMF metric), all runs. */
  published: number;
  /** Records the processor reported processed ("batch processed" lines), duplicates included. */
  processed: number;
  offsetLag: number;
  waiting: number;
  pollers: number;
  inFlight: number;
  /** Entries the Lambda runtime holds: what a retention window bounds. */
  stores: { metrics: number; logLines: number; invocations: number; concurrencySamples: number };
  gcMs: number;
}

export type SoakChildMessage =
  | { type: 'ready'; lab: string; partitions: number; batchSize: number; processingMsPerRecord: number; pollers: number; environments: number }
  | { type: 'processed'; runs: Array<[string, number[]]> }
  | { type: 'sample'; sample: ChildSample }
  | { type: 'produced'; runId: string; results: ProducerResult[]; error?: string }
  | { type: 'error'; message: string };

const FLUSH_MS = 500;
const STOP_GRACE_MS = 8_000;

const send = (message: SoakChildMessage) => process.send?.(message);

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as SoakChildConfig;
  if (typeof global.gc !== 'function') throw new Error('soak-child needs node --expose-gc');
  const gc = global.gc;
  // Lab 1 (batch 100, 500 ms window, 2 ms per record) on its own topic, in a steady shape: the
  // pollers fixed at one per partition (provisioned, minimum = maximum: where on-demand scaling
  // ends up under this load) and every execution environment the pipeline can use started before
  // the load. Otherwise a scale-up or a new environment late in the run (each bounded: at most one
  // poller and one environment per partition) adds memory after the warm-up, which a slope cannot
  // tell from a leak. The sample lines show pollers and environments, so a change is visible.
  const lab = benchLab(1, config.topic, (l) => {
    l.id = '01-soak';
    l.kafkaEsm.startingPosition = 'TRIM_HORIZON';
    l.kafkaEsm.provisionedPollers = { minimum: l.topic.partitions, maximum: l.topic.partitions };
  });
  const kafka = await startKafka(); // KAFKA_BROKERS: the parent's broker
  const sandbox: Sandbox = await startSandbox(lab, { kafka, ...(config.retentionMs !== undefined ? { retentionMs: config.retentionMs } : {}) });
  const processorName = sandbox.functions.kafkaTarget.name;
  const producerName = sandbox.functions.producer.name;
  const warmUpRunId = `${config.topic}-warmup`;
  await startEnvironments(sandbox, lab.topic.partitions, 2 * config.shards, warmUpRunId);

  let published = 0;
  let processed = 0;
  let pending = new Map<string, number[]>();
  sandbox.runtime.metrics.onMetric((datum) => {
    if (datum.functionName === producerName && datum.namespace === METRICS_NAMESPACE && datum.name === 'EventsPublished') {
      for (const v of datum.values) published += v;
    }
  });
  sandbox.runtime.onLog((line) => {
    if (line.functionName !== processorName) return;
    const report = readBatchReport(line.json);
    if (!report) return;
    for (const p of report.processed) {
      if (p.runId === warmUpRunId) continue;
      let list = pending.get(p.runId);
      if (!list) pending.set(p.runId, (list = []));
      list.push(p.seq);
      processed++;
    }
  });
  const flush = () => {
    if (pending.size === 0) return;
    send({ type: 'processed', runs: [...pending] });
    pending = new Map();
  };
  const flusher = setInterval(flush, FLUSH_MS);

  const produce = async (message: Extract<SoakParentMessage, { type: 'produce' }>) => {
    const { runId, startAtMs, profile, shards } = message;
    try {
      const results = await Promise.all(
        Array.from({ length: shards }, async (_, index) => {
          const payload: ProducerPayload = { runId, startAtMs, profile, shard: { index, count: shards } };
          const result = await sandbox.functions.producer.invoke(payload);
          if (result.outcome !== 'ok') throw new Error(`producer shard ${index} of ${shards} (run ${runId}): ${result.error?.errorMessage ?? result.outcome}`);
          return result.response as ProducerResult;
        }),
      );
      send({ type: 'produced', runId, results });
    } catch (error) {
      send({ type: 'produced', runId, results: [], error: error instanceof Error ? error.message : String(error) });
    }
  };

  // Every isolate of the process is collected before it is measured, so the figures are what is
  // retained, not garbage waiting for a collection: first each execution environment (a worker
  // thread: its heap is in this process's RSS), then the main isolate.
  const sample = async (): Promise<ChildSample> => {
    flush();
    const t0 = performance.now();
    const lambda = await sandbox.runtime.memoryUsage({ gc: true });
    gc();
    const gcMs = Math.round(performance.now() - t0);
    const memory = process.memoryUsage();
    const resident = residentMemory('self');
    const esm = sandbox.snapshot().kafkaEsm;
    return {
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      rssBytes: memory.rss,
      rssAnonBytes: resident?.anonBytes ?? memory.rss,
      rssFileBytes: resident?.fileBytes ?? 0,
      externalBytes: memory.external,
      lambda: {
        environments: lambda.environments,
        heapUsedBytes: lambda.heapUsedBytes,
        heapTotalBytes: lambda.heapTotalBytes,
        collected: lambda.collected,
        byFunction: lambda.byFunction,
      },
      published,
      processed,
      offsetLag: esm.offsetLag,
      waiting: esm.waiting,
      pollers: esm.pollers,
      inFlight: esm.concurrency,
      stores: {
        metrics: sandbox.runtime.metrics.size,
        logLines: sandbox.runtime.logs.size,
        invocations: sandbox.runtime.invocations.size,
        concurrencySamples: sandbox.runtime.concurrencyTimeline.length,
      },
      gcMs,
    };
  };

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(flusher);
    flush();
    // After Ctrl-C the parent's broker is already gone (sandbox/process.ts stops it from a signal
    // hook) and kafkajs would retry its goodbyes for a long time: give the stop a few seconds.
    await Promise.race([sandbox.stop().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS))]);
    process.exit(0);
  };
  process.on('message', (message: SoakParentMessage) => {
    if (message.type === 'produce') void produce(message);
    if (message.type === 'sample') void sample().then((s) => send({ type: 'sample', sample: s }));
    if (message.type === 'stop') void stop();
  });
  // The parent went away (killed, Ctrl-C twice): stop the sandbox rather than run on alone.
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  send({
    type: 'ready',
    lab: lab.id,
    partitions: lab.topic.partitions,
    batchSize: lab.kafkaEsm.batchSize,
    processingMsPerRecord: lab.processor.processingMsPerRecord,
    pollers: sandbox.snapshot().kafkaEsm.pollers,
    environments: sandbox.runtime.functions.reduce((n, fn) => n + fn.environmentCount, 0),
  });
}

/**
 * Starts the execution environments the load will use: one per partition for the processor (the
 * most batches the mapping can have in flight), and two per producer shard (a run's invocation
 * starts while the previous one returns). Concurrent invocations on no idle environment each start
 * one. The processor gets empty Kafka events; the producers publish one event of their own run.
 */
async function startEnvironments(sandbox: Sandbox, processors: number, producers: number, runId: string): Promise<void> {
  const { kafkaTarget, producer } = sandbox.functions;
  const emptyBatch = {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/soak/warmup',
    bootstrapServers: sandbox.brokers,
    records: {},
  };
  const profile: TrafficProfile = {
    shape: 'steady',
    ratePerSec: 1,
    durationSec: 1,
    eventBytes: 512,
    statusMix: { CONFIRMED: 1, PENDING: 0, CANCELLED: 0 },
    poisonShare: 0,
    seed: 1,
  };
  const results = await Promise.all([
    ...Array.from({ length: processors }, () => kafkaTarget.invoke(emptyBatch)),
    ...Array.from({ length: producers }, (_, index) =>
      producer.invoke({ runId, startAtMs: Date.now() + 500, profile, shard: { index, count: producers } } satisfies ProducerPayload),
    ),
  ]);
  const failed = results.find((r) => r.outcome !== 'ok');
  if (failed) throw new Error(`starting the execution environments: ${failed.functionName} ${failed.outcome}: ${failed.error?.errorMessage ?? ''}`);
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
