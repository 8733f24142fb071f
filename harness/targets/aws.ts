// `workshop run <lab> --target aws`: drives a lab deployed with `npm run deploy -- <lab>`.
//
//   prepare   reads the deploy outputs (aws-outputs.ts), checks the deployed event source
//             mappings against the LabSpec and for a PROBLEM AWS reports (aws-esm-check.ts,
//             labs/esm-health.ts), then waits until a probe event has been processed
//             (aws-readiness.ts); any of these is a UsageError.
//   publish   invokes the producer Lambda, sharded above 500 events/s (aws-producer.ts).
//   sample    CloudWatch metrics for the live view (aws-metrics.ts).
//   observe   per-event accounting from the processors' log lines, the on-failure queues and the
//             filter metric (aws-logs.ts, aws-queues.ts, aws-accounting.ts).
//
// Only the AWS SDK talks to AWS; every client can be injected (tests mock them with
// aws-sdk-client-mock). Nothing here creates, changes or deletes AWS resources.

import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ProducerResult } from '../../handlers/producer.ts';
import { expectedEventCount } from '../../handlers/shared/schedule.ts';
import { quietSdkNodeVersionWarning } from '../../labs/aws-sdk.ts';
import { mappingProblem } from '../../labs/esm-health.ts';
import { publishedEsmMetrics, publishedSqsEsmMetrics, SQS_ESM_METRIC_GROUPS } from '../../labs/esm-metrics.ts';
import { esmLogStreamName } from '../../labs/esm-system-log.ts';
import type { LabSpec, Place } from '../../labs/lab-spec.ts';
import type { DeployedOutputs } from '../../labs/stack-contract.ts';
import { UsageError } from '../errors.ts';
import type { EsmMetricTotals } from '../esm-metric-totals.ts';
import { type Accounting, accountRun, predictFilteredOut } from './aws-accounting.ts';
import { BucketPeek } from './aws-buckets.ts';
import { explainAwsErrors } from './aws-credentials.ts';
import { checkDeployedMappings, getMapping } from './aws-esm-check.ts';
import { BatchLineReader, batchLinePattern, logGroupOf } from './aws-logs.ts';
import {
  type LiveMetrics,
  type MetricScope,
  type MetricSummary,
  metricScope,
  readEsmMetrics,
  readFilteredOutCount,
  readLiveMetrics,
  readRunMetrics,
} from './aws-metrics.ts';
import { type AwsLabOutputs, loadDeployedOutputs, resolveLabOutputs } from './aws-outputs.ts';
import { PER_SHARD_RATE, publishWithProducer, shardCount } from './aws-producer.ts';
import { type DestinationRecord, parseDeadLetteredBooking, parseOnFailureRecord, QueuePeek } from './aws-queues.ts';
import { awaitFirstProcessed, probeProfile, type ReadinessOptions } from './aws-readiness.ts';
import { defaultSleep, describeError, type RetryOptions, withThrottlingRetry } from './aws-retry.ts';
import { type LabTarget, type LiveSample, type Observations, type PreparedLab, type PublishSummary, type RunPlan } from './target.ts';

/** A producer invocation may run for the function's 900 s timeout: wait that long, and a minute more. */
export const PRODUCER_REQUEST_TIMEOUT_MS = 16 * 60_000;

export interface AwsClients {
  /** Control-plane calls (GetEventSourceMapping), with the SDK's default retries. */
  lambda: LambdaClient;
  /** Producer invocations: one attempt each (a retried Invoke could publish twice). */
  producerLambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
  sqs: SQSClient;
  /** The S3 on-failure destination, when a lab uses one. */
  s3: S3Client;
}

export function createAwsClients(region: string): AwsClients {
  quietSdkNodeVersionWarning();
  return {
    lambda: new LambdaClient({ region }),
    producerLambda: new LambdaClient({ region, maxAttempts: 1, requestHandler: { requestTimeout: PRODUCER_REQUEST_TIMEOUT_MS } }),
    cloudwatch: new CloudWatchClient({ region }),
    logs: new CloudWatchLogsClient({ region }),
    sqs: new SQSClient({ region }),
    s3: new S3Client({ region }),
  };
}

export interface AwsTargetOptions {
  /** The deploy outputs; default: .deploy/outputs.json (labs/stack-contract.ts OUTPUTS_FILE). */
  outputs?: DeployedOutputs | (() => DeployedOutputs | undefined);
  /** Where the outputs came from, for messages. */
  outputsSource?: string;
  /** Clients for the deployed region; default createAwsClients. */
  clients?: (region: string) => AwsClients;
  perShardRate?: number;
  retry?: RetryOptions;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** sample() reads CloudWatch at most this often (data are per minute anyway). Default 10 s. */
  sampleIntervalMs?: number;
  /** accountedFor() reads logs and queues at most this often. Default 5 s. */
  accountIntervalMs?: number;
  /** observe() waits this long for FilteredOutEventCount to catch up with the run. Default 180 s. */
  metricsSettleMs?: number;
  /** How often observe() looks at the metric while it waits. Default 15 s. */
  metricsPollMs?: number;
  /** How prepare() waits for a probe event to be processed; false skips the wait (tests of other steps). */
  readiness?: ReadinessOptions | false;
  /** The lab runs as the learner's exercise deployed it (`workshop check --target aws`): the command that redeploys it, for the fixes. */
  exercise?: { deploy: string };
}

export class AwsTarget implements LabTarget {
  readonly place: Place = 'aws';
  private readonly created: AwsClients[] = [];

  constructor(private readonly options: AwsTargetOptions = {}) {}

  /** The lab's deploy outputs, or the one-line refusal: nothing deployed, another lab deployed, a spec AWS cannot be measured with. */
  preflight(lab: LabSpec): AwsLabOutputs {
    const source = this.options.outputsSource ?? (this.options.outputs ? 'the given deploy outputs' : undefined);
    const deployed = typeof this.options.outputs === 'function' ? this.options.outputs() : (this.options.outputs ?? loadDeployedOutputs());
    const outputs = resolveLabOutputs(lab, deployed, source);
    if (lab.kafkaEsm.filters.length > 0 && !(lab.kafkaEsm.metrics ?? []).includes('EventCount')) {
      throw new UsageError(
        `Lab ${lab.id} filters events but kafkaEsm.metrics does not include EventCount: on AWS the harness confirms the filtered count with the ESM's FilteredOutEventCount, which only that group publishes. Add 'EventCount' to kafkaEsm.metrics and redeploy (npm run deploy -- ${lab.id}).`,
      );
    }
    return outputs;
  }

  async prepare(lab: LabSpec): Promise<PreparedLab & AwsPreparedLab> {
    const outputs = this.preflight(lab);
    const clients = (this.options.clients ?? createAwsClients)(outputs.region);
    this.created.push(clients);
    await checkDeployedMappings(clients.lambda, lab, outputs, this.options.retry, this.options.exercise);
    const prepared = new AwsPreparedLab(lab, outputs, clients, this.options);
    if (this.options.readiness !== false) await prepared.awaitReady(this.options.readiness);
    return prepared;
  }

  async close(): Promise<void> {
    for (const clients of this.created.splice(0)) {
      for (const client of new Set(Object.values(clients))) client.destroy();
    }
  }
}

interface RunState {
  plan: RunPlan;
  seqs: number[];
  results?: ProducerResult[];
  reader: BatchLineReader;
  predictedFilteredOut?: Set<number>;
  accounting?: Accounting;
  accountedAt?: number;
}

export class AwsPreparedLab implements PreparedLab {
  private readonly runs = new Map<string, RunState>();
  private current?: RunState;
  private readonly scope: MetricScope;
  /** The on-failure destination: its queue (SQS, or the queue subscribed to SNS), or its bucket. */
  private readonly destination?: QueuePeek | BucketPeek;
  private readonly dlq?: QueuePeek;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private live?: { at: number; metrics: LiveMetrics; queueDepth?: number };
  private lastP50At = 0;
  private readonly runNotes = new Set<string>();

  constructor(
    readonly lab: LabSpec,
    readonly outputs: AwsLabOutputs,
    private readonly clients: AwsClients,
    private readonly options: AwsTargetOptions = {},
  ) {
    this.scope = metricScope(lab, outputs);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    if (outputs.onFailureQueueUrl) this.destination = new QueuePeek(clients.sqs, outputs.onFailureQueueUrl, options.retry);
    else if (outputs.onFailureBucket) this.destination = new BucketPeek(clients.s3, outputs.onFailureBucket, options.retry);
    if (outputs.bufferDlqUrl) this.dlq = new QueuePeek(clients.sqs, outputs.bufferDlqUrl, options.retry);
  }

  notes(): string[] {
    const { lab, outputs } = this;
    const esm = lab.kafkaEsm;
    const notes = [
      `AWS (${outputs.region}): producer ${outputs.producerFunctionName}; Kafka ESM ${outputs.kafkaEsmUuid} -> ${outputs.kafkaConsumerFunctionName}; ` +
        `batch lines from ${logGroupOf(outputs.processorFunctionName)}${outputs.dashboardName ? `; dashboard ${outputs.dashboardName}` : ''}` +
        `${outputs.deployedFrom ? `; deployed from the exercise ${outputs.deployedFrom}` : ''}.`,
      `AWS: the producer Lambda publishes at most ${this.options.perShardRate ?? PER_SHARD_RATE} events/s per invocation; this lab's peak needs ${shardCount(lab.traffic, this.options.perShardRate)} parallel invocation(s).`,
      "AWS: send delays are rebuilt from each producer shard's summary: min, p50, p90, p99 and max are exact, values between them interpolated, so the mean is approximate.",
      "AWS: the live timeline reads CloudWatch per minute, about a minute late; latency, counts and batch sizes in the results come from the processors' log lines, per event.",
    ];
    if (esm.batchingWindowSeconds === undefined) {
      notes.push(
        'AWS: the batching window is the Kafka default, 500 ms; GetEventSourceMapping reports whole seconds only, so the pre-run check accepts it unset or 0.',
      );
    } else if (esm.batchingWindowSeconds === 0) {
      notes.push(
        'AWS: the pre-run check wants MaximumBatchingWindowInSeconds reported as 0; AWS does not document how it reports the 500 ms default, so if it reports that as 0 too, the two cannot be told apart.',
      );
    }
    if (!esm.provisionedPollers) notes.push('AWS: on-demand mode publishes no poller count; the timeline shows 0 pollers.');
    if (esm.onFailure) {
      notes.push(
        "AWS: dead-lettered events are named from the processor's failed log entries matched to the on-failure records' offset ranges; the harness cannot read MSK from outside the VPC.",
      );
    }
    if (esm.systemLogLevel) {
      notes.push(
        `AWS: the mapping's own log lines (LoggingConfig ${esm.systemLogLevel}) are in ${logGroupOf(outputs.kafkaConsumerFunctionName)}, stream ${esmLogStreamName(outputs.kafkaEsmUuid, this.now())} (one per UTC day).`,
      );
    }
    if (esm.filters.length > 0) {
      notes.push(
        "AWS: filtered events are predicted by running the lab's filter patterns on each event of the schedule, and confirmed with the ESM's FilteredOutEventCount metric.",
      );
    }
    return [...notes, ...this.runNotes];
  }

  /** Waits until the pipeline has processed a probe event (aws-readiness.ts), and notes how long it took. */
  async awaitReady(options: ReadinessOptions = {}): Promise<void> {
    const { lab, outputs, clients } = this;
    const retry = this.options.retry;
    const readers = new Map<string, BatchLineReader>();
    const profile = probeProfile(lab);
    const ready = await awaitFirstProcessed(
      lab.id,
      {
        publishProbe: async (runId) => {
          const startAtMs = this.now();
          readers.set(
            runId,
            new BatchLineReader(clients.logs, { logGroupNames: [logGroupOf(outputs.processorFunctionName)], runId, startTime: startAtMs - 60_000, retry }),
          );
          await publishWithProducer(clients.producerLambda, outputs.producerFunctionName, { runId, startAtMs, profile }, outputs.topic, { retry });
        },
        probeProcessed: async (runId) => {
          const reader = readers.get(runId)!;
          await reader.read(this.now());
          return reader.lines.some((line) => line.processed.some((p) => p.runId === runId));
        },
        mappingProblem: async () => {
          const kafka = await getMapping(clients.lambda, lab.id, outputs.kafkaEsmUuid, 'Kafka event source mapping', retry ?? {});
          const problem = mappingProblem(kafka, 'Kafka event source mapping', lab.id);
          if (problem || !outputs.sqsEsmUuid) return problem;
          return mappingProblem(
            await getMapping(clients.lambda, lab.id, outputs.sqsEsmUuid, 'SQS event source mapping', retry ?? {}),
            'SQS event source mapping',
            lab.id,
          );
        },
        now: this.now,
        sleep: this.sleep,
      },
      options,
    );
    this.runNotes.add(
      `AWS: the pipeline processed a probe event ${Math.round(ready.waitedMs / 1000)} s into preparing (${ready.probes} probe run(s) published); the measured run started after it, so no event was sent before the mapping was polling.`,
    );
  }

  private runFor(plan: RunPlan): RunState {
    const known = this.runs.get(plan.runId);
    if (known) {
      known.plan = plan;
      return known;
    }
    const run: RunState = {
      plan,
      seqs: Array.from({ length: expectedEventCount(plan.profile) }, (_, i) => i),
      reader: new BatchLineReader(this.clients.logs, {
        logGroupNames: [logGroupOf(this.outputs.processorFunctionName)],
        runId: plan.runId,
        // Lambda's clock and ours may differ by a little; a minute of slack costs nothing.
        startTime: plan.startAtMs - 60_000,
        retry: this.options.retry,
      }),
    };
    this.runs.set(plan.runId, run);
    return run;
  }

  /** A run this PreparedLab did not publish (observe after a restart): seqs 0..published-1, the last hour. */
  private adoptRun(runId: string, published: number): RunState {
    const run = this.runFor({ runId, startAtMs: this.now() - 3_600_000, profile: this.lab.traffic });
    run.seqs = Array.from({ length: published }, (_, i) => i);
    this.runNotes.add(
      `AWS: run ${runId} was not published by this process; its seqs are taken as 0..${published - 1} and its logs searched over the last hour.`,
    );
    return run;
  }

  async publish(plan: RunPlan): Promise<PublishSummary> {
    batchLinePattern(plan.runId); // a run id CloudWatch Logs cannot search for fails before anything is sent
    const run = this.runFor(plan);
    this.current = run;
    const { summary, results } = await publishWithProducer(this.clients.producerLambda, this.outputs.producerFunctionName, plan, this.outputs.topic, {
      perShardRate: this.options.perShardRate,
      retry: this.options.retry,
    });
    run.results = results;
    return summary;
  }

  async sample(): Promise<LiveSample> {
    const at = this.now();
    if (!this.live || at - this.live.at >= (this.options.sampleIntervalMs ?? 10_000)) {
      const fromMs = this.current?.plan.startAtMs ?? at - 5 * 60_000;
      try {
        const metrics = await readLiveMetrics(this.clients.cloudwatch, this.scope, { fromMs, toMs: at }, this.options.retry);
        const queueDepth = this.outputs.bufferQueueUrl ? await this.readQueueDepth(this.outputs.bufferQueueUrl) : undefined;
        this.live = { at, metrics, queueDepth };
      } catch (error) {
        // The live view is a view: a failed read keeps the last values (and says so once)
        // rather than failing the run, whose results come from the logs.
        this.runNotes.add(`AWS: a live CloudWatch read failed (${describeError(error)}); the timeline keeps the last values it had.`);
        this.live = { at, metrics: this.live?.metrics ?? { processedSoFar: 0, offsetLag: 0, pollers: 0, concurrency: 0 }, queueDepth: this.live?.queueDepth };
      }
    }
    const { metrics, queueDepth } = this.live;
    const recent: number[] = [];
    // One value per minute: a minute's p50 stands for the events completed in it, once.
    if (metrics.latestEndToEndP50 && metrics.latestEndToEndP50.at > this.lastP50At) {
      recent.push(metrics.latestEndToEndP50.value);
      this.lastP50At = metrics.latestEndToEndP50.at;
    }
    const sample: LiveSample = {
      at,
      processedSoFar: metrics.processedSoFar,
      offsetLag: metrics.offsetLag,
      pollers: metrics.pollers,
      concurrency: metrics.concurrency,
      recentEndToEndMs: recent,
    };
    if (metrics.sqsConcurrency !== undefined) sample.sqsConcurrency = metrics.sqsConcurrency;
    if (queueDepth !== undefined) sample.queueDepth = queueDepth;
    return sample;
  }

  private async readQueueDepth(queueUrl: string): Promise<number> {
    const answer = await explainAwsErrors('sqs:GetQueueAttributes', () =>
      withThrottlingRetry(
        `SQS GetQueueAttributes on ${queueUrl}`,
        () => this.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] })),
        this.options.retry,
      ),
    );
    return Number(answer.Attributes?.ApproximateNumberOfMessages ?? 0) || 0;
  }

  /** Reads what is new (logs, queues, the filter metric) and accounts the run again. */
  private async account(runId: string, published: number, maxAgeMs: number): Promise<Accounting> {
    const run = this.runs.get(runId) ?? this.adoptRun(runId, published);
    const now = this.now();
    if (run.accounting && run.accountedAt !== undefined && now - run.accountedAt < maxAgeMs) return run.accounting;

    await run.reader.read(now);
    let records: DestinationRecord[] | undefined;
    if (this.destination) {
      await this.destination.scan();
      records = [...this.destination.messages.values()].map(parseOnFailureRecord).filter((r): r is DestinationRecord => r !== undefined);
    }
    let dlqSeqs: number[] | undefined;
    if (this.dlq) {
      await this.dlq.scan();
      dlqSeqs = [...this.dlq.messages.values()]
        .map(parseDeadLetteredBooking)
        .filter((b): b is { runId: string; seq: number } => b !== undefined && b.runId === runId)
        .map((b) => b.seq);
    }
    run.predictedFilteredOut ??= predictFilteredOut(this.lab, run.plan);
    const input = {
      runId,
      seqs: run.seqs,
      failedToPublish: (run.results ?? []).reduce((sum, r) => sum + r.failedToPublish, 0),
      topic: this.outputs.topic,
      lines: run.reader.lines,
      destination: records ? { records } : undefined,
      dlqSeqs,
      predictedFilteredOut: run.predictedFilteredOut,
      runStartMs: run.plan.startAtMs,
    };
    let accounting = accountRun(input);
    if (accounting.predictedFiltered.length > 0) {
      const filteredOutCount = await readFilteredOutCount(this.clients.cloudwatch, this.scope, { fromMs: run.plan.startAtMs, toMs: now }, this.options.retry);
      accounting = accountRun({ ...input, filteredOutCount });
    }
    if (run.reader.unreadable > 0) {
      accounting.notes.push(
        `AWS: ${run.reader.unreadable} log event(s) matched the run but could not be read as a "batch processed" line (truncated above CloudWatch's 256 KB event limit?); their events count as lost.`,
      );
    }
    for (const group of run.reader.missingGroups) accounting.notes.push(`AWS: log group ${group} does not exist yet: the processor has not logged anything.`);
    run.accounting = accounting;
    run.accountedAt = now;
    return accounting;
  }

  async accountedFor(runId: string, published: number): Promise<boolean> {
    const accounting = await this.account(runId, published, this.options.accountIntervalMs ?? 5_000);
    const run = this.runs.get(runId)!;
    return run.seqs.length - accounting.unaccounted.length >= published;
  }

  async observe(runId: string, published: number): Promise<Observations> {
    let accounting = await this.account(runId, published, 0);
    // CloudWatch metrics arrive a minute or two after the events: give FilteredOutEventCount time.
    const deadline = this.now() + (this.options.metricsSettleMs ?? 180_000);
    while (!accounting.filterConfirmed && this.now() < deadline) {
      await this.sleep(this.options.metricsPollMs ?? 15_000);
      accounting = await this.account(runId, published, 0);
    }
    for (const note of accounting.notes) this.runNotes.add(note);
    return accounting.observations;
  }

  /** The Kafka ESM's own metrics over the run's window (CloudWatch, about a minute late). */
  async esmMetrics(runId: string): Promise<EsmMetricTotals> {
    const names = publishedEsmMetrics(this.lab.kafkaEsm.metrics, this.scope.provisionedPollers);
    return readEsmMetrics(this.clients.cloudwatch, this.scope.kafkaEsmUuid, names, this.runWindow(runId), this.options.retry);
  }

  /** Lab 3's SQS mapping's own metrics over the run's window; none without the buffer. */
  async sqsEsmMetrics(runId: string): Promise<EsmMetricTotals | undefined> {
    if (!this.lab.sqsBuffer || !this.outputs.sqsEsmUuid) return undefined;
    const names = publishedSqsEsmMetrics(SQS_ESM_METRIC_GROUPS, this.lab.sqsBuffer.provisionedPollers !== undefined);
    return readEsmMetrics(this.clients.cloudwatch, this.outputs.sqsEsmUuid, names, this.runWindow(runId), this.options.retry);
  }

  private runWindow(runId: string): { fromMs: number; toMs: number } {
    const toMs = this.now();
    return { fromMs: this.runs.get(runId)?.plan.startAtMs ?? toMs - 3_600_000, toMs };
  }

  /** The run's CloudWatch statistics (p50, p99, avg, min, max, sum per metric) over its window. */
  async readRunMetrics(runId: string, toMs: number = this.now()): Promise<Record<string, MetricSummary>> {
    const run = this.runs.get(runId);
    const fromMs = run?.plan.startAtMs ?? toMs - 3_600_000;
    return readRunMetrics(this.clients.cloudwatch, this.scope, { fromMs, toMs }, this.options.retry);
  }

  async close(): Promise<void> {
    this.runs.clear();
    this.current = undefined;
  }
}
