// The local sandbox as a place to run labs. One broker (and one ElasticMQ, when a lab needs it)
// serves every lab of a `workshop run all`; each lab gets its own sandbox pipeline. Accounting
// comes from what really happened: the processors' "batch processed" lines, the ESM's filter,
// the destination queue or topic read back, and the ledger of what the topic holds.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { DEFAULT_METRICS_NAMESPACE as METRICS_NAMESPACE, readBatchReport } from '../../handlers/shared/telemetry.ts';
import { ESM_METRIC_DIMENSION } from '../../labs/esm-metrics.ts';
import { type EsmLogRecord, parseEsmLogRecord, summarizeEsmLog } from '../../labs/esm-system-log.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { type ElasticMqSandbox, messagesHeld, startElasticMq } from '../../sandbox/elasticmq.ts';
import { DEFAULT_TIME_SCALE, type Sandbox, type SandboxOptions, startSandbox } from '../../sandbox/index.ts';
import { type KafkaSandbox, startKafka } from '../../sandbox/kafka-broker.ts';
import { type KafkaDestinationMessage, type OnFailureRecord, recordValuesOf, type S3OnFailureRecord } from '../../sandbox/kafka-esm/msk-event.ts';
import { sandboxPollerGroups } from '../../sandbox/kafka-esm/poller-group.ts';
import type { LambdaFunction } from '../../sandbox/lambda-runtime/index.ts';
import type { MetricDatum } from '../../sandbox/lambda-runtime/metric-store.ts';
import { retryTransientKafka } from '../../sandbox/transient-kafka.ts';
import { metricWindow } from '../dashboard/metric-window.ts';
import { bookingIdentity, drainQueue, recordIdentity, seqsNamedBy } from '../dead-letters.ts';
import { esmMetricTotals } from '../esm-metric-totals.ts';
import { type Ledger, readLedger } from '../ledger.ts';
import type { LabTarget, LiveSample, Observations, PreparedLab, ProcessedEvent, PublishSummary, RunPlan } from './target.ts';

export interface LocalTargetOptions {
  timeScale?: number;
  /** A broker already running (the bench's): used as it is, and left running by close(). */
  kafka?: KafkaSandbox;
  /** A learner's handler sources in place of the workshop's (`workshop check`). */
  handlerSources?: SandboxOptions['handlerSources'];
}

interface RunRecord {
  processed: ProcessedEvent[];
  filtered: Set<number>;
  dropped: Set<number>;
  batchSizes: number[];
}

/** The sandbox's honest caveats, for every local report's header (from sandbox/MODEL.md). */
export function localNotes(timeScale: number): string[] {
  return [
    'Local sandbox: a real Kafka broker and ElasticMQ; the Lambda service and event source mappings are emulated (sandbox/MODEL.md).',
    `Scaling timers are compressed: one AWS minute of on-demand poller or SQS scaling is ${(60 / timeScale).toFixed(1)} s here (timeScale ${timeScale}).`,
    'Not modelled: AWS network and invoke overheads (local latencies are lower than on AWS), undocumented poller internals, the 1 MB/s per SQS poller, IAM/TLS/VPC networking.',
  ];
}

/** What a poller group changes here: the EPUs the mapping counts, shared with the group's other mappings. */
export function pollerGroupNote(lab: LabSpec): string[] {
  const group = lab.kafkaEsm.provisionedPollers?.pollerGroupName;
  if (!group) return [];
  const mappings = sandboxPollerGroups.mappings(group);
  return [
    `Poller group ${group}: ${mappings} ${mappings === 1 ? 'mapping in this sandbox shares' : 'mappings in this sandbox share'} its Event Poller Units (each holds 10 pollers or 20 MB/s of reading, whichever fills first; EventPollerUnit is the group's, from its mappings' pollers and throughput together). A group shares EPU capacity, not pollers, so alone the run is the same as without it; it saves when several mappings with few pollers and little throughput fill the same EPU (kafka-scaling-modes.html).`,
  ];
}

export class LocalTarget implements LabTarget {
  readonly place = 'local' as const;
  private kafka?: KafkaSandbox;
  private elasticMq?: ElasticMqSandbox;
  private readonly timeScale: number;

  private readonly ownsKafka: boolean;
  private readonly handlerSources: LocalTargetOptions['handlerSources'];

  constructor(options: LocalTargetOptions = {}) {
    this.timeScale = options.timeScale ?? DEFAULT_TIME_SCALE;
    this.handlerSources = options.handlerSources;
    this.kafka = options.kafka;
    this.ownsKafka = options.kafka === undefined;
  }

  async prepare(lab: LabSpec): Promise<PreparedLab> {
    this.kafka ??= await startKafka();
    const needsSqs = lab.sqsBuffer !== undefined || lab.kafkaEsm.onFailure?.kind === 'sqs';
    if (needsSqs) this.elasticMq ??= await startElasticMq();
    const runs = new Map<string, RunRecord>();
    const runOf = (runId: string) => {
      let run = runs.get(runId);
      if (!run) runs.set(runId, (run = { processed: [], filtered: new Set(), dropped: new Set(), batchSizes: [] }));
      return run;
    };
    const sandbox = await startSandbox(lab, {
      kafka: this.kafka,
      elasticMq: this.elasticMq,
      timeScale: this.timeScale,
      handlerSources: this.handlerSources,
      onFiltered: (record) => {
        const { runId, seq } = recordIdentity(record);
        if (runId !== undefined && seq !== undefined) runOf(runId).filtered.add(seq);
      },
      onDropped: (records) => {
        for (const record of records) {
          const { runId, seq } = recordIdentity(record);
          if (runId !== undefined && seq !== undefined) runOf(runId).dropped.add(seq);
        }
      },
    });
    const processorName = sandbox.processor.name;
    let recent: number[] = [];
    sandbox.runtime.onLog((line) => {
      if (line.functionName !== processorName) return;
      const report = readBatchReport(line.json);
      if (!report) return;
      const byRun = new Map<string, RunRecord>();
      for (const p of report.processed) {
        const run = runOf(p.runId);
        byRun.set(p.runId, run);
        run.processed.push({ seq: p.seq, endToEndMs: p.endToEndMs, completedAt: line.timestamp });
        recent.push(p.endToEndMs);
      }
      for (const run of byRun.values()) run.batchSizes.push(report.batchSize);
    });

    let recentMetrics: MetricDatum[] = [];
    let recentEsmMetrics: MetricDatum[] = [];
    const esmMetrics: MetricDatum[] = [];
    const sqsEsmMetrics: MetricDatum[] = [];
    const esmLogLines: Array<{ logStreamName: string; record: EsmLogRecord }> = [];
    sandbox.runtime.logs.onLine((line) => {
      if (!line.requestId && line.logStreamName.endsWith(`/${sandbox.kafkaEsm.uuid}`)) {
        const record = parseEsmLogRecord(line.text);
        if (record) esmLogLines.push({ logStreamName: line.logStreamName, record });
      }
    });
    let lastSampleAt = Date.now();
    sandbox.runtime.metrics.onMetric((datum) => {
      if (datum.namespace === METRICS_NAMESPACE) recentMetrics.push(datum);
      else if (datum.dimensions[ESM_METRIC_DIMENSION] === sandbox.kafkaEsm.uuid) {
        recentEsmMetrics.push(datum);
        esmMetrics.push(datum);
      } else if (sandbox.sqsEsm && datum.dimensions[ESM_METRIC_DIMENSION] === sandbox.sqsEsm.uuid) sqsEsmMetrics.push(datum);
    });

    const ledgers = new Map<string, Ledger>();
    const ledgerFor = async (runId: string, published: number) => {
      let ledger = ledgers.get(runId);
      if (!ledger) {
        ledger = await readLedger({ brokers: sandbox.brokers.split(','), topic: lab.topic.name, runId, expected: published });
        ledgers.set(runId, ledger);
      }
      return ledger;
    };
    const deadLettered = new Map<string, Set<number>>();

    return {
      notes: () => [...localNotes(this.timeScale), ...pollerGroupNote(lab)],
      warnings: () => sandbox.snapshot().kafkaEsm.warnings,
      schemaValidationCost: () => sandbox.kafkaEsm.schemaValidationCost(),
      esmSystemLog: () => (lab.kafkaEsm.systemLogLevel ? summarizeEsmLog(lab.kafkaEsm.systemLogLevel, esmLogLines) : undefined),
      esmMetrics: async () => {
        sandbox.kafkaEsm.publishMetrics();
        return esmMetricTotals(esmMetrics);
      },
      sqsEsmMetrics: async () => {
        if (!sandbox.sqsEsm) return undefined;
        sandbox.sqsEsm.publishMetrics();
        return esmMetricTotals(sqsEsmMetrics);
      },
      publish: async (plan: RunPlan): Promise<PublishSummary> => {
        const result = await sandbox.produce({ runId: plan.runId, startAtMs: plan.startAtMs, profile: plan.profile });
        return {
          published: result.published,
          poison: result.poison,
          failedToPublish: result.failedToPublish,
          sendDelaysMs: result.sendDelaysMs,
          schemaEvolution: result.schemaEvolution,
        };
      },
      sample: async (): Promise<LiveSample> => {
        const snapshot = sandbox.snapshot();
        const values = recent;
        const metrics = metricWindow(recentMetrics);
        const esm = esmMetricTotals(recentEsmMetrics);
        recent = [];
        recentMetrics = [];
        recentEsmMetrics = [];
        const previousSampleAt = lastSampleAt;
        lastSampleAt = snapshot.at;
        return {
          at: snapshot.at,
          processedSoFar: [...runs.values()].reduce((sum, run) => sum + run.processed.length, 0),
          offsetLag: snapshot.kafkaEsm.offsetLag,
          pollers: snapshot.kafkaEsm.pollers,
          concurrency: peakConcurrencySince(sandbox, sandbox.functions.kafkaTarget, previousSampleAt),
          ...(snapshot.sqsEsm
            ? { sqsConcurrency: peakConcurrencySince(sandbox, sandbox.functions.sqsProcessor!, previousSampleAt), queueDepth: snapshot.sqsEsm.queueDepth }
            : {}),
          recentEndToEndMs: values,
          metrics,
          esmMetrics: esm,
        };
      },
      accountedFor: async (runId: string, published: number): Promise<boolean> => {
        const run = runOf(runId);
        const processed = new Set(run.processed.map((p) => p.seq)).size;
        const counters = sandbox.snapshot().kafkaEsm;
        const inFlight = counters.concurrency > 0 || counters.waiting > 0;
        const delivered = counters.counters.OnFailureDestinationDeliveredEventCount + counters.counters.DroppedEventCount;
        return !inFlight && processed + run.filtered.size + delivered >= published;
      },
      observe: async (runId: string, published: number): Promise<Observations> => {
        const run = runOf(runId);
        const ledger = await ledgerFor(runId, published);
        const dead = deadLettered.get(runId) ?? new Set<number>();
        deadLettered.set(runId, dead);
        for (const seq of await readDeadLetters(sandbox, lab, ledger)) dead.add(seq);
        return {
          processed: run.processed,
          filteredSeqs: [...run.filtered],
          deadLetteredSeqs: [...dead],
          droppedSeqs: [...run.dropped],
          waitingSeqs: await waitingSeqs(sandbox, ledger, new Set([...run.processed.map((p) => p.seq), ...run.filtered, ...dead, ...run.dropped])),
          batchSizes: run.batchSizes,
          publishedSeqs: ledger.entries.map((e) => e.seq),
        };
      },
      close: () => sandbox.stop(),
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.ownsKafka ? this.kafka?.stop() : undefined, this.elasticMq?.stop()]);
    if (this.ownsKafka) this.kafka = undefined;
    this.elasticMq = undefined;
  }
}

/**
 * Seqs not handled yet when the drain ended, but still held for the pipeline (late, not lost):
 * at or past their partition's committed offset (still in the topic for the consumer group), or,
 * in lab 3, committed by the forwarder's mapping and still in the buffer queue. The forwarder only
 * succeeds once SQS holds every record, so those are in the queue; they count as waiting only
 * when the queue holds at least that many messages, otherwise they stay lost.
 */
async function waitingSeqs(sandbox: Sandbox, ledger: Ledger, handled: Set<number>): Promise<number[]> {
  const committed = (partition: number) => sandbox.committedOffset(partition);
  const inTopic: number[] = [];
  const inQueue: number[] = [];
  for (const e of ledger.entries) {
    if (!handled.has(e.seq)) (e.offset >= committed(e.partition) ? inTopic : inQueue).push(e.seq);
  }
  const sqs = sandbox.sqsClient();
  if (!sqs || !sandbox.queues.buffer || inQueue.length === 0) return inTopic;
  return inQueue.length <= (await messagesHeld(sqs, sandbox.queues.buffer.url)) ? [...inTopic, ...inQueue] : inTopic;
}

/**
 * The most concurrent invocations of a function since a time, as CloudWatch's ConcurrentExecutions
 * Maximum reports it: a point reading would miss invocations shorter than the sampling interval.
 */
function peakConcurrencySince(sandbox: Sandbox, fn: LambdaFunction, since: number): number {
  const timeline = sandbox.runtime.concurrencyTimeline;
  let peak = fn.concurrency;
  for (let i = timeline.length - 1; i >= 0 && timeline[i].at >= since; i--) {
    if (timeline[i].functionName === fn.name) peak = Math.max(peak, timeline[i].concurrency);
  }
  return peak;
}

/** Seqs in the on-failure destination (queue or topic) and in the SQS buffer's DLQ. */
async function readDeadLetters(sandbox: Sandbox, lab: LabSpec, ledger: Ledger): Promise<number[]> {
  const seqs: number[] = [];
  const sqs = sandbox.sqsClient();
  // An SQS destination, or the queue subscribed to an SNS one: the same invocation record.
  if (sqs && sandbox.queues.onFailure) {
    for (const body of await drainQueue(sqs, sandbox.queues.onFailure.url)) seqs.push(...seqsNamedBy(JSON.parse(body) as OnFailureRecord, ledger));
  }
  if (sandbox.onFailureBucket) {
    for (const record of await takeBucketObjects(sandbox.onFailureBucket)) seqs.push(...seqsNamedBy(record, ledger));
  }
  if (sqs && sandbox.queues.buffer) {
    for (const body of await drainQueue(sqs, sandbox.queues.buffer.dlqUrl)) {
      const { runId, seq } = bookingIdentity(body);
      if (runId === ledger.runId && seq !== undefined) seqs.push(seq);
    }
  }
  const onFailure = lab.kafkaEsm.onFailure;
  if (onFailure?.kind === 'kafka') seqs.push(...(await readTopicSeqs(sandbox.brokers.split(','), onFailure.topic, ledger.runId)));
  return seqs;
}

/** Every object in the local bucket, removed once read (like a drained queue). */
async function takeBucketObjects(dir: string): Promise<S3OnFailureRecord[]> {
  const records: S3OnFailureRecord[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.endsWith('.partial')) continue;
    const file = join(entry.parentPath, entry.name);
    records.push(JSON.parse(await readFile(file, 'utf8')) as S3OnFailureRecord);
    await rm(file);
  }
  return records;
}

/** A Kafka destination holds one message per failed record, the record itself in its payload. */
async function readTopicSeqs(brokers: string[], topic: string, runId: string): Promise<number[]> {
  const kafka = new Kafka({ clientId: 'workshop-destination-reader', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await retryTransientKafka('Connecting to the broker to read the destination topic', () => admin.connect());
  const ends = await retryTransientKafka(`Reading the end offsets of ${topic}`, () => admin.fetchTopicOffsets(topic)).finally(() => admin.disconnect());
  const total = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  if (total === 0) return [];
  const consumer = kafka.consumer({ groupId: `workshop-destination-${runId}-${Date.now()}` });
  const seqs: number[] = [];
  let read = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 10_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        read++;
        for (const value of recordValuesOf(JSON.parse(message.value!.toString()) as KafkaDestinationMessage)) {
          const booking = bookingIdentity(value);
          if (booking.runId === runId && booking.seq !== undefined) seqs.push(booking.seq);
        }
        if (read >= total) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return seqs;
}
