// startSandbox(labSpec): the lab's pipeline on this machine. A real Kafka broker and (when the
// lab uses SQS) a real ElasticMQ, the very handler bundles that modules/function deploys, run by
// the local Lambda runtime, and the Kafka and SQS event source mappings that invoke them.
//
//   const sandbox = await startSandbox(lab, { timeScale: 20 });
//   await sandbox.produce({ runId, startAtMs, profile });   // the producer Lambda, run locally
//   sandbox.snapshot();                                     // pollers, concurrency, lag, counters
//   await sandbox.stop();                                   // stops everything it started
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { bundleHandler, type HandlerName, LEARNER_BUNDLES } from '../handlers/bundle.ts';
import type { ProducerPayload, ProducerResult } from '../handlers/producer.ts';
import { processorEnvironment } from '../handlers/shared/settings.ts';
import { DEFAULT_METRICS_NAMESPACE as METRICS_NAMESPACE } from '../handlers/shared/telemetry.ts';
import { capacityModel } from '../labs/capacity-model.ts';
import { type LabSpec, snsSubscriptionQueueName, usesSchemaRegistry } from '../labs/lab-spec.ts';
import type { Clock } from './clock.ts';
import { type ElasticMqSandbox, sqsClientConfig, startElasticMq } from './elasticmq.ts';
import { SandboxError } from './errors.ts';
import { type KafkaSandbox, SANDBOX_REPLICATION_FACTOR, startKafka } from './kafka-broker.ts';
import type { DropReason, KafkaEsmSnapshot } from './kafka-esm/engine.ts';
import { type KafkaDestination, type KafkaEsm, startKafkaEsm } from './kafka-esm/index.ts';
import type { PolledRecord } from './kafka-esm/polled-record.ts';
import { confluentSchemaLookup } from './kafka-esm/registry-lookup.ts';
import { type InvokeResult, type LambdaFunction, LambdaRuntime } from './lambda-runtime/index.ts';
import { type SchemaRegistrySandbox, startSchemaRegistry } from './schema-registry.ts';
import { type SqsEsm, type SqsEsmSnapshot, startSqsEsm } from './sqs-esm/index.ts';

export { SandboxError } from './errors.ts';
export {
  CONFLUENT_API_PATH,
  DEFAULT_COMPATIBILITY,
  SCHEMA_REGISTRY_CONTENT_TYPE,
  type SchemaRegistryOptions,
  type SchemaRegistrySandbox,
  startSchemaRegistry,
} from './schema-registry.ts';

/** One AWS scaling minute becomes three local seconds unless a caller says otherwise. */
export const DEFAULT_TIME_SCALE = 20;

export interface SandboxOptions {
  /** AWS's per-minute scaling timers are divided by this. Reports state it. */
  timeScale?: number;
  /** A broker already running (kept running by stop()); otherwise one is started (or KAFKA_BROKERS). */
  kafka?: KafkaSandbox;
  /** An ElasticMQ already running (kept running by stop()). */
  elasticMq?: ElasticMqSandbox;
  /** A schema registry already running (kept running by stop()), for a lab that uses one. */
  schemaRegistry?: SchemaRegistrySandbox;
  /** Kafka data folder: a restart on the same folder keeps topics and committed offsets. */
  kafkaDataDir?: string;
  /** Reuse a consumer group (resume from its committed offsets), e.g. after a restart. */
  consumerGroupId?: string;
  /** Extra environment for every function (fault injection in tests). */
  functionEnv?: Record<string, string>;
  /** Told of every record the Kafka ESM's filter dropped. */
  onFiltered?: (record: PolledRecord) => void;
  /** Told of records the Kafka ESM dropped (DroppedEventCount): no destination, or delivery to it failed. */
  onDropped?: (records: PolledRecord[], reason: DropReason) => void;
  clock?: Clock;
  /**
   * How long the Lambda runtime keeps metrics, log lines, invocation records and concurrency
   * samples (RuntimeOptions.retentionMs). Default: the runtime's 15 minutes.
   */
  retentionMs?: number;
  /** A handler's source in place of handlers/<name>.ts: a learner's exercise (`workshop check`). */
  handlerSources?: Partial<Record<HandlerName, string>>;
}

export interface SandboxQueues {
  /** Lab 3's buffer between the forwarder and the SQS processor. */
  buffer?: { url: string; arn: string; dlqUrl: string };
  /** The Kafka ESM's on-failure destination when it is a queue, or the queue subscribed to its SNS topic. */
  onFailure?: { url: string; arn: string };
}

export interface SandboxSnapshot {
  at: number;
  kafkaEsm: KafkaEsmSnapshot;
  sqsEsm?: SqsEsmSnapshot;
  /** Concurrent executions across the sandbox's functions. */
  concurrency: number;
}

export interface Sandbox {
  readonly lab: LabSpec;
  readonly brokers: string;
  readonly sqsEndpoint: string | undefined;
  /** The schema registry's Confluent API, when the lab uses one. */
  readonly schemaRegistryUrl: string | undefined;
  readonly topic: string;
  readonly queues: SandboxQueues;
  /** The folder standing in for the on-failure S3 bucket, when the destination is one. */
  readonly onFailureBucket: string | undefined;
  readonly runtime: LambdaRuntime;
  readonly kafkaEsm: KafkaEsm;
  readonly sqsEsm: SqsEsm | undefined;
  /** The function the Kafka ESM invokes (processor, or forwarder in front of SQS), and the rest. */
  readonly functions: { kafkaTarget: LambdaFunction; sqsProcessor?: LambdaFunction; producer: LambdaFunction };
  /** The function that processes bookings and writes the "batch processed" lines: the SQS processor in lab 3, else the Kafka ESM's target. */
  readonly processor: LambdaFunction;
  /** The Kafka ESM's committed offset of a partition of the lab's topic (the next offset it will read after a restart); 0 before any commit. */
  committedOffset(partition: number): number;
  readonly timeScale: number;
  /** Milliseconds from the call until the pipeline was ready. */
  readonly startMs: number;
  /** Runs the producer Lambda locally with this payload: its response and the SendDelay values it emitted. */
  produce(payload: ProducerPayload): Promise<LocalProducerResult>;
  snapshot(): SandboxSnapshot;
  sqsClient(): SQSClient | undefined;
  /** Stops the ESMs, the functions and any server this call started. */
  stop(): Promise<void>;
}

export interface LocalProducerResult extends ProducerResult {
  /** The SendDelay metric's values, from the invocation's own EMF lines. */
  sendDelaysMs: number[];
}

/** The SendDelay values (ms) one producer invocation emitted. */
export function sendDelaysOf(result: Pick<InvokeResult, 'metrics'>): number[] {
  return result.metrics.filter((m) => m.namespace === METRICS_NAMESPACE && m.name === 'SendDelay').flatMap((m) => m.values);
}

function needsSqs(lab: LabSpec): boolean {
  return lab.sqsBuffer !== undefined || lab.kafkaEsm.onFailure?.kind === 'sqs' || lab.kafkaEsm.onFailure?.kind === 'sns';
}

/**
 * Runs a lab's whole pipeline on this machine: its topic on a real Kafka broker, the ESM (and the
 * SQS buffer and its ESM in lab 3) as sandbox/MODEL.md describes, and the lab's handlers in the
 * local Lambda runtime. Starts a broker (and ElasticMQ when the lab needs SQS) unless `options`
 * passes running ones; `stop()` stops everything this call started. A spec AWS would refuse is
 * refused first (LabSpecError); a machine problem is a SandboxError naming the fix.
 *
 * @example
 * import { LABS } from '../labs/index.ts';
 * const sandbox = await startSandbox(LABS[0]);
 * try {
 *   const run = await sandbox.produce({ runId: 'try-1', startAtMs: Date.now() + 500, profile: LABS[0].traffic });
 *   console.log(run.published, sandbox.snapshot().kafkaEsm.offsetLag);
 * } finally {
 *   await sandbox.stop();
 * }
 */
export async function startSandbox(lab: LabSpec, options: SandboxOptions = {}): Promise<Sandbox> {
  const started = Date.now();
  const timeScale = options.timeScale ?? DEFAULT_TIME_SCALE;
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    const bundles = bundleAll(
      ['producer', 'topic-admin', ...(lab.sqsBuffer ? (['sqs-forwarder', 'sqs-processor'] as const) : (['booking-processor'] as const))],
      options.handlerSources,
    );
    const [kafka, elasticMq, schemaRegistry] = await Promise.all([
      options.kafka ?? startKafka({ dataDir: options.kafkaDataDir }),
      needsSqs(lab) ? (options.elasticMq ?? startElasticMq()) : undefined,
      usesSchemaRegistry(lab) ? (options.schemaRegistry ?? startSchemaRegistry()) : undefined,
    ]);
    if (!options.kafka) cleanups.push(() => kafka.stop());
    if (elasticMq && !options.elasticMq) cleanups.push(() => elasticMq.stop());
    if (schemaRegistry && !options.schemaRegistry) cleanups.push(() => schemaRegistry.stop());
    const sqs = elasticMq ? new SQSClient(sqsClientConfig(elasticMq.endpoint)) : undefined;
    if (sqs) cleanups.push(async () => sqs.destroy());

    const runtime = new LambdaRuntime({ retentionMs: options.retentionMs });
    cleanups.push(() => runtime.close());
    const built = await bundles;
    // The SDK's Node 20 end-of-support notice would land in every cold start's logs.
    const common = { METRICS_NAMESPACE, LAB_ID: lab.id, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...options.functionEnv };
    const kafkaEnv = { KAFKA_BROKERS: kafka.brokers, KAFKA_AUTH: 'none', TOPIC_NAME: lab.topic.name };
    const fn = (
      name: HandlerName,
      env: Record<string, string>,
      settings: { memoryMb?: number; timeoutSeconds?: number; reservedConcurrency?: number } = {},
    ): LambdaFunction =>
      runtime.createFunction({
        name: `${lab.id}-${name}`,
        bundleFile: built.get(name)!,
        env: { POWERTOOLS_SERVICE_NAME: name, ...common, ...env },
        memoryMb: settings.memoryMb ?? 512,
        timeoutSeconds: settings.timeoutSeconds ?? 60,
        reservedConcurrency: settings.reservedConcurrency,
      });

    const topicAdmin = fn('topic-admin', kafkaEnv);
    await ensureTopic(topicAdmin, lab.topic.name, lab.topic.partitions);
    const onFailure = lab.kafkaEsm.onFailure;
    if (onFailure?.kind === 'kafka') await ensureTopic(topicAdmin, onFailure.topic, 1);

    const queues: SandboxQueues = {};
    if (sqs && lab.sqsBuffer) queues.buffer = await createBufferQueue(sqs, lab);
    if (sqs && onFailure?.kind === 'sqs') queues.onFailure = await createQueue(sqs, onFailure.queueName, {});
    if (sqs && onFailure?.kind === 'sns') queues.onFailure = await createQueue(sqs, snsSubscriptionQueueName(onFailure.topicName), {});
    let onFailureBucket: string | undefined;
    if (onFailure?.kind === 's3') {
      const bucketDir = await mkdtemp(join(tmpdir(), `klw-s3-${onFailure.bucketName}-`));
      onFailureBucket = bucketDir;
      cleanups.push(() => rm(bucketDir, { recursive: true, force: true }));
    }

    const processorSettings = {
      processingMsPerRecord: lab.processor.processingMsPerRecord,
      mode: lab.processor.mode,
      workKind: lab.processor.workKind,
      eventRecordFormat: lab.kafkaEsm.schemaRegistry?.eventRecordFormat,
    };
    const processorLimits = {
      memoryMb: lab.processor.memoryMb,
      timeoutSeconds: lab.processor.timeoutSeconds,
      reservedConcurrency: lab.processor.reservedConcurrency,
    };
    const kafkaTarget = lab.sqsBuffer
      ? fn('sqs-forwarder', { QUEUE_URL: queues.buffer!.url, SQS_ENDPOINT: elasticMq!.endpoint, SQS_MAX_MESSAGE_BYTES: '262144' })
      : fn(
          'booking-processor',
          processorEnvironment({ ...processorSettings, reportBatchItemFailures: lab.kafkaEsm.reportBatchItemFailures ?? false }),
          processorLimits,
        );
    const producerFn = fn('producer', { ...kafkaEnv, ...(schemaRegistry ? { SCHEMA_REGISTRY_URL: schemaRegistry.url } : {}) }, { timeoutSeconds: 900 });

    let destinationProducer: Producer | undefined;
    let destination: KafkaDestination | undefined;
    if (onFailure?.kind === 'sqs') destination = { kind: 'sqs', queueUrl: queues.onFailure!.url, sqs: sqs! };
    if (onFailure?.kind === 'sns') destination = { kind: 'sns', subscriptionQueueUrl: queues.onFailure!.url, sqs: sqs! };
    if (onFailure?.kind === 's3') destination = { kind: 's3', bucketDir: onFailureBucket! };
    if (onFailure?.kind === 'kafka') {
      destinationProducer = new Kafka({ clientId: 'lambda-esm-destination', brokers: kafka.brokerList, logLevel: logLevel.NOTHING }).producer();
      await destinationProducer.connect();
      cleanups.push(() => destinationProducer!.disconnect());
      destination = { kind: 'kafka', topic: onFailure.topic, producer: destinationProducer };
    }

    const processor =
      lab.sqsBuffer && sqs ? fn('sqs-processor', processorEnvironment({ ...processorSettings, reportBatchItemFailures: true }), processorLimits) : undefined;
    const [kafkaStage, sqsStage] = capacityModel(lab).stages;
    await runtime.prepareColdStarts([
      { fn: kafkaTarget, environments: kafkaStage.concurrencyLimit },
      ...(processor && sqsStage ? [{ fn: processor, environments: sqsStage.concurrencyLimit }] : []),
    ]);

    const kafkaEsm = await startKafkaEsm({
      esm: options.consumerGroupId ? { ...lab.kafkaEsm, consumerGroupId: options.consumerGroupId } : lab.kafkaEsm,
      topic: lab.topic.name,
      partitions: lab.topic.partitions,
      fn: kafkaTarget,
      brokers: kafka.brokerList,
      destination,
      timeScale,
      clock: options.clock,
      onFiltered: options.onFiltered,
      onDropped: options.onDropped,
      metrics: runtime.metrics,
      logs: runtime.logs,
      schemaLookup: schemaRegistry ? confluentSchemaLookup(schemaRegistry.url) : undefined,
    });
    cleanups.push(() => kafkaEsm.stop());

    let sqsEsm: SqsEsm | undefined;
    if (lab.sqsBuffer && sqs && processor) {
      sqsEsm = startSqsEsm({
        spec: lab.sqsBuffer,
        queueUrl: queues.buffer!.url,
        queueArn: queues.buffer!.arn,
        sqs,
        fn: processor,
        reportBatchItemFailures: true,
        timeScale,
        clock: options.clock,
        metrics: runtime.metrics,
      });
      cleanups.push(() => sqsEsm!.stop());
    }

    let stopped = false;
    return {
      lab,
      brokers: kafka.brokers,
      sqsEndpoint: elasticMq?.endpoint,
      schemaRegistryUrl: schemaRegistry?.url,
      topic: lab.topic.name,
      queues,
      onFailureBucket,
      runtime,
      kafkaEsm,
      sqsEsm,
      functions: { kafkaTarget, sqsProcessor: processor, producer: producerFn },
      processor: processor ?? kafkaTarget,
      committedOffset: (partition) => kafkaEsm.engine.committedOffset(`${lab.topic.name}-${partition}`) ?? 0,
      timeScale,
      startMs: Date.now() - started,
      async produce(payload) {
        const result = await producerFn.invoke(payload);
        if (result.outcome !== 'ok') {
          throw new SandboxError(
            `The producer failed: ${result.error?.errorMessage ?? result.outcome}. Its logs: ${result.logs
              .map((l) => l.text)
              .slice(-3)
              .join(' | ')}`,
          );
        }
        return { ...(result.response as ProducerResult), sendDelaysMs: sendDelaysOf(result) };
      },
      snapshot: () => ({
        at: Date.now(),
        kafkaEsm: kafkaEsm.snapshot(),
        sqsEsm: sqsEsm?.snapshot(),
        concurrency: runtime.concurrency,
      }),
      sqsClient: () => sqs,
      async stop() {
        if (stopped) return;
        stopped = true;
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function bundleAll(names: readonly HandlerName[], sources: Partial<Record<HandlerName, string>> = {}): Promise<Map<HandlerName, string>> {
  const results = await Promise.all(names.map((name) => bundleHandler(name, sources[name] ? { entry: sources[name], outRoot: LEARNER_BUNDLES } : {})));
  return new Map(results.map((r) => [r.name, r.file]));
}

/** The topic-admin handler, run locally exactly as it runs at deploy time on AWS. */
async function ensureTopic(topicAdmin: LambdaFunction, topic: string, partitions: number): Promise<void> {
  const result = await topicAdmin.invoke({ topic, partitions, replicationFactor: SANDBOX_REPLICATION_FACTOR });
  if (result.outcome !== 'ok') {
    throw new SandboxError(`Could not create topic ${topic}: ${result.error?.errorMessage ?? result.outcome}`);
  }
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = created.QueueUrl!;
  const described = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: described.Attributes!.QueueArn! };
}

/** The buffer queue with its DLQ and redrive policy, as modules/sqs-buffer creates them on AWS. */
async function createBufferQueue(sqs: SQSClient, lab: LabSpec): Promise<{ url: string; arn: string; dlqUrl: string }> {
  const buffer = lab.sqsBuffer!;
  const dlq = await createQueue(sqs, `${lab.id}-buffer-dlq`, {});
  const queue = await createQueue(sqs, `${lab.id}-buffer`, {
    VisibilityTimeout: String(buffer.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: buffer.maxReceiveCount }),
  });
  return { ...queue, dlqUrl: dlq.url };
}
