// The keys a LabSpec may hold, at every depth. Each list is typed against its interface in
// lab-spec-types.ts, so a field added there without being listed here (or listed here but not
// there) fails `tsc`. validateLabSpec refuses any other key with the nearest valid one: a
// misspelt `batchingWindowSecond` would otherwise be ignored and the AWS default run in its place.
import type {
  KafkaEsmSpec,
  KafkaPollerConfig,
  LabSpec,
  OnFailureDestination,
  PollerRange,
  ProcessorSpec,
  SchemaRegistrySpec,
  SqsBufferSpec,
  TargetSpec,
  TrafficSpec,
} from './lab-spec-types.ts';

type KeySet<T> = { readonly [K in keyof Required<T>]: true };
const keys = <T>(set: KeySet<T>): readonly string[] => Object.keys(set);

const LAB = keys<LabSpec>({
  id: true,
  number: true,
  title: true,
  teaches: true,
  topic: true,
  kafkaEsm: true,
  processor: true,
  sqsBuffer: true,
  traffic: true,
  targets: true,
});
const TOPIC = keys<LabSpec['topic']>({ name: true, partitions: true });
const KAFKA_ESM = keys<KafkaEsmSpec>({
  batchSize: true,
  batchingWindowSeconds: true,
  startingPosition: true,
  startingPositionTimestamp: true,
  consumerGroupId: true,
  provisionedPollers: true,
  filters: true,
  maximumRetryAttempts: true,
  maximumRecordAgeSeconds: true,
  bisectBatchOnFunctionError: true,
  reportBatchItemFailures: true,
  onFailure: true,
  metrics: true,
  systemLogLevel: true,
  schemaRegistry: true,
});
const SCHEMA_REGISTRY = keys<SchemaRegistrySpec>({ eventRecordFormat: true, validate: true });
const KAFKA_POLLERS = keys<KafkaPollerConfig>({ minimum: true, maximum: true, pollerGroupName: true });
const PROCESSOR = keys<ProcessorSpec>({
  processingMsPerRecord: true,
  workKind: true,
  mode: true,
  memoryMb: true,
  timeoutSeconds: true,
  reservedConcurrency: true,
});
const SQS_BUFFER = keys<SqsBufferSpec>({
  batchSize: true,
  batchingWindowSeconds: true,
  maximumConcurrency: true,
  provisionedPollers: true,
  visibilityTimeoutSeconds: true,
  maxReceiveCount: true,
});
const SQS_POLLERS = keys<PollerRange>({ minimum: true, maximum: true });
const TRAFFIC = keys<TrafficSpec>({
  shape: true,
  ratePerSec: true,
  peakRatePerSec: true,
  durationSec: true,
  spikeStartSec: true,
  spikeDurationSec: true,
  eventBytes: true,
  statusMix: true,
  poisonShare: true,
  seed: true,
  valueFormat: true,
  evolveSchemaAt: true,
  warmUpSec: true,
  drainTimeoutSec: true,
});
const TARGETS = keys<LabSpec['targets']>({ local: true, aws: true });
const TARGET = keys<TargetSpec>({ endToEndP50MaxMs: true, endToEndP99MaxMs: true, minThroughputPerSec: true, avgBatchSize: true, maxLost: true });
const BATCH_SIZE_TARGET = keys<NonNullable<TargetSpec['avgBatchSize']>>({ expected: true, tolerance: true });

type DestinationKind = OnFailureDestination['kind'];
/** Each destination kind's one field besides `kind`. */
const DESTINATION_FIELD: { readonly [K in DestinationKind]: Exclude<keyof Extract<OnFailureDestination, { kind: K }>, 'kind'> } = {
  sqs: 'queueName',
  sns: 'topicName',
  s3: 'bucketName',
  kafka: 'topic',
};

/** The keys of the object at each path of a spec (`''` is the spec itself), in the order a spec is written. */
const KEYS_AT: Record<string, readonly string[] | ((node: Record<string, unknown>) => readonly string[] | undefined)> = {
  '': LAB,
  topic: TOPIC,
  kafkaEsm: KAFKA_ESM,
  'kafkaEsm.provisionedPollers': KAFKA_POLLERS,
  'kafkaEsm.schemaRegistry': SCHEMA_REGISTRY,
  // A destination's keys depend on its kind; an unknown kind is refused by its own check.
  'kafkaEsm.onFailure': (node) => {
    const field = DESTINATION_FIELD[node.kind as DestinationKind];
    return field ? ['kind', field] : undefined;
  },
  processor: PROCESSOR,
  sqsBuffer: SQS_BUFFER,
  'sqsBuffer.provisionedPollers': SQS_POLLERS,
  traffic: TRAFFIC,
  targets: TARGETS,
  'targets.local': TARGET,
  'targets.local.avgBatchSize': BATCH_SIZE_TARGET,
  'targets.aws': TARGET,
  'targets.aws.avgBatchSize': BATCH_SIZE_TARGET,
};

/**
 * The keys allowed in the object at `path` of a spec, or undefined when that object's keys are
 * free (a filter pattern's, checked as a pattern) or checked elsewhere (traffic.statusMix).
 */
export function allowedKeys(path: string, node: Record<string, unknown>): readonly string[] | undefined {
  const keys = KEYS_AT[path];
  return typeof keys === 'function' ? keys(node) : keys;
}

/** Every path whose object allowedKeys knows. */
export const KEYED_PATHS: readonly string[] = Object.keys(KEYS_AT);
