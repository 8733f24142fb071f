// Lab 3's buffer: the Kafka ESM invokes a forwarder that moves each batch to an SQS queue, and
// an SQS ESM (which scales past the partition count) invokes the booking processor.
//   MSK -> Kafka ESM -> sqs-forwarder -> SQS (SSE, DLQ) -> SQS ESM -> sqs-processor

import { LambdaEventSourceMapping, type LambdaEventSourceMappingConfig } from '@cdktn/provider-aws/lib/lambda-event-source-mapping/index.js';
import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue/index.js';
import { SqsQueueRedriveAllowPolicy } from '@cdktn/provider-aws/lib/sqs-queue-redrive-allow-policy/index.js';
import { SqsQueueRedrivePolicy } from '@cdktn/provider-aws/lib/sqs-queue-redrive-policy/index.js';
import { Construct } from 'constructs';
import { SQS_ESM_METRIC_GROUPS } from '../labs/esm-metrics.ts';
import type { KafkaEsmSpec, ProcessorSpec, SqsBufferSpec } from '../labs/lab-spec-types.ts';
import { ESM_TIMEOUTS } from './esm-settle.ts';
import { WorkshopFunction } from './function.ts';
import type { ClusterRef } from './kafka-cluster.ts';
import { FAILED_EVENT_RETENTION_SECONDS, KafkaConsumer } from './kafka-consumer.ts';
import type { SchemaRegistryRef } from './schema-registry.ts';

/** The forwarder only batches and sends; it does no booking work. */
export const FORWARDER = { memoryMb: 512, timeoutSeconds: 60 } as const;

export interface SqsBufferProps {
  /** e.g. `klw-03-sqs-buffer`; the queues and functions are named from it. */
  namePrefix: string;
  topic: string;
  kafkaEsm: KafkaEsmSpec;
  buffer: SqsBufferSpec;
  processor: ProcessorSpec;
  cluster: ClusterRef;
  /** Variables both functions get (LAB_ID, METRICS_NAMESPACE, ...). */
  environment: Record<string, string>;
  /** The processor's own variables, from processorEnvironment (handlers/shared/settings.ts), REPORT_BATCH_ITEM_FAILURES true. */
  processorEnvironment: Record<string, string>;
  /** A learner's sources for the forwarder or the processor (WorkshopFunctionProps.source). */
  sources?: Partial<Record<'sqs-forwarder' | 'sqs-processor', string>>;
  /** The Glue registry the Kafka mapping validates against (kafkaEsm.schemaRegistry). */
  schemaRegistry?: SchemaRegistryRef;
}

export class SqsBuffer extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly forwarder: KafkaConsumer;
  readonly processor: WorkshopFunction;
  readonly mapping: LambdaEventSourceMapping;
  readonly sqsEsmUuid: string;

  constructor(scope: Construct, id: string, props: SqsBufferProps) {
    super(scope, id);
    const { buffer } = props;

    this.deadLetterQueue = new SqsQueue(this, 'dlq', {
      name: `${props.namePrefix}-buffer-dlq`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: FAILED_EVENT_RETENTION_SECONDS,
    });
    this.queue = new SqsQueue(this, 'queue', {
      name: `${props.namePrefix}-buffer`,
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: buffer.visibilityTimeoutSeconds,
    });
    new SqsQueueRedrivePolicy(this, 'redrive', {
      queueUrl: this.queue.url,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: buffer.maxReceiveCount }),
    });
    new SqsQueueRedriveAllowPolicy(this, 'redrive-allow', {
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [this.queue.arn] }),
    });

    this.forwarder = new KafkaConsumer(this, 'forwarder', {
      handler: 'sqs-forwarder',
      source: props.sources?.['sqs-forwarder'],
      functionName: `${props.namePrefix}-sqs-forwarder`,
      description: `Moves ${props.topic} records to the SQS buffer`,
      topic: props.topic,
      esm: props.kafkaEsm,
      cluster: props.cluster,
      memoryMb: FORWARDER.memoryMb,
      timeoutSeconds: FORWARDER.timeoutSeconds,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: 'sqs-forwarder',
        QUEUE_URL: this.queue.url,
        REPORT_BATCH_ITEM_FAILURES: String(props.kafkaEsm.reportBatchItemFailures ?? false),
      },
      // SendMessageBatch is authorized by sqs:SendMessage.
      statements: [{ sid: 'SendToBuffer', actions: ['sqs:SendMessage'], resources: [this.queue.arn] }],
      schemaRegistry: props.schemaRegistry,
    });

    this.processor = new WorkshopFunction(this, 'processor', {
      handler: 'sqs-processor',
      source: props.sources?.['sqs-processor'],
      functionName: `${props.namePrefix}-sqs-processor`,
      description: `Processes bookings from the SQS buffer`,
      memoryMb: props.processor.memoryMb,
      timeoutSeconds: props.processor.timeoutSeconds,
      reservedConcurrency: props.processor.reservedConcurrency,
      environment: {
        ...props.environment,
        ...props.processorEnvironment,
        POWERTOOLS_SERVICE_NAME: 'sqs-processor',
      },
      statements: [
        {
          sid: 'ConsumeBuffer',
          actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
          resources: [this.queue.arn],
        },
      ],
    });

    this.mapping = new LambdaEventSourceMapping(this, 'esm', {
      functionName: this.processor.arn,
      eventSourceArn: this.queue.arn,
      ...sqsEsmArguments(buffer),
      timeouts: ESM_TIMEOUTS,
    });
    this.sqsEsmUuid = this.mapping.uuid;
  }
}

type EsmArguments = Omit<LambdaEventSourceMappingConfig, 'functionName' | 'eventSourceArn'>;

/**
 * LabSpec.sqsBuffer as aws_lambda_event_source_mapping arguments. Provisioned mode for SQS
 * (GA November 2025) uses the same provisioned_poller_config block as Kafka; provider 6.25.0
 * has the block and does not restrict it to a source type, so it is passed through as is.
 */
export function sqsEsmArguments(buffer: SqsBufferSpec): EsmArguments {
  const args: { -readonly [K in keyof EsmArguments]: EsmArguments[K] } = {
    batchSize: buffer.batchSize,
    functionResponseTypes: ['ReportBatchItemFailures'],
    metricsConfig: { metrics: [...SQS_ESM_METRIC_GROUPS] },
  };
  if (buffer.batchingWindowSeconds !== undefined) args.maximumBatchingWindowInSeconds = buffer.batchingWindowSeconds;
  if (buffer.maximumConcurrency !== undefined) args.scalingConfig = { maximumConcurrency: buffer.maximumConcurrency };
  if (buffer.provisionedPollers !== undefined) {
    args.provisionedPollerConfig = { minimumPollers: buffer.provisionedPollers.minimum, maximumPollers: buffer.provisionedPollers.maximum };
  }
  return args;
}
