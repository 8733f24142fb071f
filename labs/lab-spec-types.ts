import type { TrafficProfile } from '../handlers/shared/traffic.ts';
import type { EsmMetricGroup } from './esm-metrics.ts';
import type { SystemLogLevel } from './esm-system-log.ts';

export type { BookingStatus, TrafficProfile, TrafficShape } from '../handlers/shared/traffic.ts';
export type { EsmMetricGroup } from './esm-metrics.ts';
export type { SystemLogLevel } from './esm-system-log.ts';

/** Where a lab runs: the local sandbox or a deployed AWS stack. */
export type Place = 'local' | 'aws';
export const PLACES: readonly Place[] = ['local', 'aws'];

export type StartingPosition = 'LATEST' | 'TRIM_HORIZON' | 'AT_TIMESTAMP';

export interface PollerRange {
  minimum: number;
  maximum: number;
}

/** Kafka provisioned mode: the range, and optionally a poller group whose mappings share EPUs. */
export interface KafkaPollerConfig extends PollerRange {
  /** PollerGroupName: 1..128 of [a-zA-Z0-9_-]; up to 100 mappings and 2,000 maximum pollers per group. */
  pollerGroupName?: string;
}

export type OnFailureDestination =
  /** A queue this lab's stack creates (SSE, retention 14 days): one JSON invocation record per failed batch. */
  | { kind: 'sqs'; queueName: string }
  /** A topic this lab's stack creates: the same record as SQS, published. */
  | { kind: 'sns'; topicName: string }
  /** A bucket this lab's stack creates: the record plus the whole invocation payload, one object per failed batch. */
  | { kind: 's3'; bucketName: string }
  /** `kafka://<topic>` on the same cluster, never the source topic: one message per failed record, the record itself inside. */
  | { kind: 'kafka'; topic: string };

/** An EventBridge-syntax pattern; for Kafka only the top-level `value` key is allowed. */
export type FilterPattern = { value: Record<string, unknown> | unknown[] };

export { EVENT_RECORD_FORMATS, type EventRecordFormat } from '../handlers/shared/event-record-format.ts';

import type { EventRecordFormat } from '../handlers/shared/event-record-format.ts';
/** KafkaSchemaValidationConfig.Attribute: the part of a record validated against its schema. */
export const SCHEMA_VALIDATION_ATTRIBUTES = ['KEY', 'VALUE'] as const;
export type SchemaValidationAttribute = (typeof SCHEMA_VALIDATION_ATTRIBUTES)[number];

/**
 * The mapping validates (and, for JSON, decodes) records against a schema registry. The registry
 * itself belongs to the place: the sandbox's local one, or the lab stack's Glue registry on AWS.
 * Provisioned mode only.
 */
export interface SchemaRegistrySpec {
  /** JSON: the function receives the decoded record as JSON. SOURCE: the original bytes, schema header removed. */
  eventRecordFormat: EventRecordFormat;
  /** SchemaValidationConfigs: KEY and/or VALUE, each at most once. */
  validate: SchemaValidationAttribute[];
}

export interface KafkaEsmSpec {
  /** Records per invocation, 1..10000. AWS default 100. */
  batchSize: number;
  /** Whole seconds 0..300. Unset means the AWS default for Kafka: 500 ms. */
  batchingWindowSeconds?: number;
  startingPosition: StartingPosition;
  /** Epoch seconds; only with AT_TIMESTAMP. */
  startingPositionTimestamp?: number;
  /** Unset means a unique group per mapping (the AWS default). */
  consumerGroupId?: string;
  /** Unset means on-demand mode. */
  provisionedPollers?: KafkaPollerConfig;
  /** Up to 5 patterns, ORed. */
  filters: FilterPattern[];
  /** -1 (infinite) or 0..10000. Needs provisioned mode. */
  maximumRetryAttempts?: number;
  /** -1 (infinite) or 60..604800. Needs provisioned mode. */
  maximumRecordAgeSeconds?: number;
  /** Needs provisioned mode. */
  bisectBatchOnFunctionError?: boolean;
  /** FunctionResponseTypes [ReportBatchItemFailures]. Needs provisioned mode. */
  reportBatchItemFailures?: boolean;
  onFailure?: OnFailureDestination;
  /** MetricsConfig: the ESM metric groups to publish (labs/esm-metrics.ts). Unset or [] publishes none. */
  metrics?: EsmMetricGroup[];
  /** LoggingConfig.SystemLogLevel: the mapping's own log lines at this level and above. Needs provisioned mode. */
  systemLogLevel?: SystemLogLevel;
  /** SchemaRegistryConfig: validate and decode Avro records against a registry. Needs provisioned mode. */
  schemaRegistry?: SchemaRegistrySpec;
}

export type { ProcessingMode, WorkKind } from '../handlers/shared/processing.ts';

import type { ProcessingMode, WorkKind } from '../handlers/shared/processing.ts';

export interface ProcessorSpec {
  /** Simulated work per booking, in milliseconds (awaited, not spun). */
  processingMsPerRecord: number;
  /**
   * What the work is: `cpu` is computed on the handler's one thread, so a batch's records take
   * turns whatever the mode; `io` waits on another service, so records of different bookings can
   * overlap (parallel-by-key). Part of a lab's problem, like the time it takes.
   */
  workKind: WorkKind;
  /** Parallel by key keeps per-key order while records of different bookings overlap (io work only). */
  mode: ProcessingMode;
  /** 128..10240 MB. */
  memoryMb: number;
  /** 1..840 s: a Kafka ESM function may not time out after 14 minutes. */
  timeoutSeconds: number;
  /** 0..900 (the account's 1,000 less the 100 AWS keeps unreserved); unset means unreserved. */
  reservedConcurrency?: number;
}

export interface SqsBufferSpec {
  /** 1..10000 for a standard queue. AWS default 10. */
  batchSize: number;
  /** Whole seconds 0..300; at least 1 when batchSize > 10. */
  batchingWindowSeconds?: number;
  /** ScalingConfig.MaximumConcurrency 2..1000; unset means the standard scaling limit. */
  maximumConcurrency?: number;
  /** SQS provisioned mode: minimum 2..200, maximum 2..2000 (the API's valid range; some AWS pages say 10,000: labs/aws-limits.ts). */
  provisionedPollers?: PollerRange;
  /** 0..43200 s, and not shorter than the processor's timeout. */
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the DLQ, 1..1000. */
  maxReceiveCount: number;
}

export interface TrafficSpec extends TrafficProfile {
  /** Leading seconds excluded from every statistic. */
  warmUpSec: number;
  /** After the load ends, wait at most this long for every event to be accounted for. */
  drainTimeoutSec: number;
}

export interface TargetSpec {
  endToEndP50MaxMs?: number;
  endToEndP99MaxMs?: number;
  /** Sustained processing rate after warm-up. */
  minThroughputPerSec?: number;
  /** Expected average messages in batch, with a relative tolerance (0.2 = ±20%). */
  avgBatchSize?: { expected: number; tolerance: number };
  /** Events neither processed, filtered nor dead-lettered. Always 0: nothing may be lost. */
  maxLost: 0;
}

export interface LabSpec {
  /** Folder name, e.g. `01-baseline`. */
  id: string;
  number: number;
  title: string;
  /** One sentence: the lesson. */
  teaches: string;
  topic: { name: string; partitions: number };
  kafkaEsm: KafkaEsmSpec;
  /** The booking processor: invoked by the Kafka ESM, or by the SQS ESM when a buffer is set. */
  processor: ProcessorSpec;
  sqsBuffer?: SqsBufferSpec;
  traffic: TrafficSpec;
  targets: Record<Place, TargetSpec>;
}

/**
 * What a lab asks for and measures: its load, the work a booking takes and its targets. A
 * learner's exercise keeps it as it is and builds the rest (the mappings, the processor's mode,
 * the buffer); `workshop check` refuses a spec that changed it.
 */
export type LabProblem = Pick<LabSpec, 'id' | 'number' | 'title' | 'teaches' | 'topic' | 'traffic' | 'targets'> & {
  processor: Pick<ProcessorSpec, 'processingMsPerRecord' | 'workKind'>;
};
