// A function behind an MSK event source mapping, with every knob of LabSpec.kafkaEsm mapped to
// the aws_lambda_event_source_mapping argument of the same meaning, and a role that can do
// exactly what the ESM needs (with-msk-permissions.html) and nothing else.

import { LambdaEventSourceMapping, type LambdaEventSourceMappingConfig } from '@cdktn/provider-aws/lib/lambda-event-source-mapping/index.js';
import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket/index.js';
import { S3BucketPublicAccessBlock } from '@cdktn/provider-aws/lib/s3-bucket-public-access-block/index.js';
import { SnsTopic } from '@cdktn/provider-aws/lib/sns-topic/index.js';
import { SnsTopicSubscription } from '@cdktn/provider-aws/lib/sns-topic-subscription/index.js';
import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue/index.js';
import { SqsQueuePolicy } from '@cdktn/provider-aws/lib/sqs-queue-policy/index.js';
import { Construct } from 'constructs';
import { snsSubscriptionQueueName } from '../labs/lab-spec.ts';
import type { KafkaEsmSpec } from '../labs/lab-spec-types.ts';
import { ESM_TIMEOUTS } from './esm-settle.ts';
import { type HandlerName, WorkshopFunction } from './function.ts';
import type { Statement } from './iam.ts';
import type { ClusterRef } from './kafka-cluster.ts';
import { resourceName } from './names.ts';
import { ACCEPTED } from './provider-values.ts';
import { esmSchemaRegistryStatements, type SchemaRegistryRef } from './schema-registry.ts';

/** 14 days, the SQS maximum: a parked event outlives a long weekend. */
export const FAILED_EVENT_RETENTION_SECONDS = 14 * 24 * 3600;

export interface KafkaConsumerProps {
  handler: Extract<HandlerName, 'booking-processor' | 'sqs-forwarder'>;
  /** A learner's source for the handler (WorkshopFunctionProps.source). */
  source?: string;
  functionName: string;
  description: string;
  topic: string;
  esm: KafkaEsmSpec;
  cluster: ClusterRef;
  memoryMb: number;
  timeoutSeconds: number;
  reservedConcurrency?: number;
  environment: Record<string, string>;
  /** What the function itself does besides consuming (the forwarder's sqs:SendMessage). */
  statements?: Statement[];
  /** The Glue registry the mapping validates against; required when esm.schemaRegistry is set. */
  schemaRegistry?: SchemaRegistryRef;
}

export class KafkaConsumer extends Construct {
  readonly fn: WorkshopFunction;
  readonly mapping: LambdaEventSourceMapping;
  readonly esmUuid: string;
  /**
   * Where the harness reads failed records: the destination queue, or for an SNS destination the
   * queue subscribed to its topic with raw message delivery (the records arrive as published).
   */
  readonly onFailureQueue?: SqsQueue;
  /** Set when kafkaEsm.onFailure is an S3 bucket. */
  readonly onFailureBucket?: S3Bucket;
  /** The on-failure destination as the ESM sees it: the queue's ARN, or kafka://<topic>. */
  readonly onFailureDestination?: string;

  constructor(scope: Construct, id: string, props: KafkaConsumerProps) {
    super(scope, id);
    const { esm, cluster } = props;
    const statements: Statement[] = [
      {
        sid: 'KafkaClusterConnect',
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
        resources: [cluster.arn],
      },
      {
        sid: 'KafkaReadTopic',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: [cluster.topicArn(props.topic)],
      },
      {
        sid: 'KafkaConsumerGroup',
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: [cluster.groupArn(esm.consumerGroupId)],
      },
      { sid: 'MskDescribeCluster', actions: ['kafka:DescribeClusterV2'], resources: [cluster.arn] },
      // Wildcard-only in the Service Authorization Reference: on the cluster ARN it would grant nothing.
      { sid: 'MskBootstrapBrokers', actions: ['kafka:GetBootstrapBrokers'], resources: ['*'] },
    ];

    if (esm.onFailure?.kind === 'sqs') {
      this.onFailureQueue = new SqsQueue(this, 'on-failure', {
        name: resourceName(this, esm.onFailure.queueName),
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: FAILED_EVENT_RETENTION_SECONDS,
      });
      this.onFailureDestination = this.onFailureQueue.arn;
      statements.push({ sid: 'OnFailureQueue', actions: ['sqs:SendMessage'], resources: [this.onFailureQueue.arn] });
    } else if (esm.onFailure?.kind === 'sns') {
      const topic = new SnsTopic(this, 'on-failure-topic', { name: resourceName(this, esm.onFailure.topicName), kmsMasterKeyId: 'alias/aws/sns' });
      const queue = (this.onFailureQueue = new SqsQueue(this, 'on-failure-subscription', {
        name: resourceName(this, snsSubscriptionQueueName(esm.onFailure.topicName)),
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: FAILED_EVENT_RETENTION_SECONDS,
      }));
      new SqsQueuePolicy(this, 'on-failure-subscription-policy', {
        queueUrl: queue.url,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'TopicDelivers',
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queue.arn,
              Condition: { ArnEquals: { 'aws:SourceArn': topic.arn } },
            },
          ],
        }),
      });
      new SnsTopicSubscription(this, 'on-failure-subscription-link', { topicArn: topic.arn, protocol: 'sqs', endpoint: queue.arn, rawMessageDelivery: true });
      this.onFailureDestination = topic.arn;
      statements.push({ sid: 'OnFailureTopic', actions: ['sns:Publish'], resources: [topic.arn] });
    } else if (esm.onFailure?.kind === 's3') {
      // A globally unique name from the spec's: Terraform appends a suffix to the prefix.
      const bucket = (this.onFailureBucket = new S3Bucket(this, 'on-failure-bucket', {
        bucketPrefix: `${resourceName(this, esm.onFailure.bucketName)}-`.slice(0, 37),
        forceDestroy: true,
      }));
      new S3BucketPublicAccessBlock(this, 'on-failure-bucket-private', {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      this.onFailureDestination = bucket.arn;
      // kafka-on-failure.html: s3:PutObject and s3:ListBucket.
      statements.push(
        { sid: 'OnFailureBucketWrite', actions: ['s3:PutObject'], resources: [`${bucket.arn}/*`] },
        { sid: 'OnFailureBucketList', actions: ['s3:ListBucket'], resources: [bucket.arn] },
      );
    } else if (esm.onFailure?.kind === 'kafka') {
      // The pollers write failed records to a topic of the same cluster with the function's role
      // (lambda/latest/dg/kafka-on-failure.html: kafka-cluster:WriteData on the destination topic).
      this.onFailureDestination = `kafka://${esm.onFailure.topic}`;
      statements.push({
        sid: 'OnFailureTopic',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resources: [cluster.topicArn(esm.onFailure.topic)],
      });
    }
    if (esm.schemaRegistry) {
      if (!props.schemaRegistry) throw new Error(`${props.functionName}: kafkaEsm.schemaRegistry is set but no Glue registry was given to validate against.`);
      // Glue takes no AccessConfigs: the pollers read it with the function's role (API_KafkaSchemaRegistryAccessConfig.html).
      statements.push(...esmSchemaRegistryStatements(props.schemaRegistry.arns));
    }
    statements.push(...(props.statements ?? []));

    this.fn = new WorkshopFunction(this, 'function', {
      handler: props.handler,
      source: props.source,
      functionName: props.functionName,
      description: props.description,
      memoryMb: props.memoryMb,
      timeoutSeconds: props.timeoutSeconds,
      reservedConcurrency: props.reservedConcurrency,
      environment: props.environment,
      statements,
      networkInterfaces: true,
    });

    this.mapping = new LambdaEventSourceMapping(this, 'esm', {
      functionName: this.fn.arn,
      eventSourceArn: cluster.arn,
      topics: [props.topic],
      ...kafkaEsmArguments(esm, this.onFailureDestination, props.schemaRegistry?.arn),
      timeouts: ESM_TIMEOUTS,
    });
    this.esmUuid = this.mapping.uuid;
  }
}

type EsmArguments = Omit<LambdaEventSourceMappingConfig, 'functionName' | 'eventSourceArn' | 'topics'>;

/**
 * LabSpec.kafkaEsm as aws_lambda_event_source_mapping arguments. An unset spec field is left
 * out, so the AWS default applies (for the batching window: 500 ms for Kafka, which no whole
 * number of seconds can express). A window of 0 is written as 0, but the provider drops a zero
 * window on create; the deploy sets it after apply (labs/deploy/plan.ts postApplySettings), as it does
 * LoggingConfig, which the pinned provider has no argument for. A schema registry is the
 * mapping's SchemaRegistryConfig (API_KafkaSchemaRegistryConfig.html), under
 * amazon_managed_kafka_event_source_config next to the consumer group id: the Glue registry's ARN
 * as its URI, the spec's EventRecordFormat and one SchemaValidationConfig per attribute.
 */
export function kafkaEsmArguments(esm: KafkaEsmSpec, onFailureDestination?: string, schemaRegistryArn?: string): EsmArguments {
  const args: { -readonly [K in keyof EsmArguments]: EsmArguments[K] } = {
    batchSize: esm.batchSize,
    startingPosition: esm.startingPosition,
  };
  if (esm.metrics !== undefined && esm.metrics.length > 0) args.metricsConfig = { metrics: providerMetricGroups(esm.metrics) };
  if (esm.batchingWindowSeconds !== undefined) args.maximumBatchingWindowInSeconds = esm.batchingWindowSeconds;
  if (esm.startingPositionTimestamp !== undefined) args.startingPositionTimestamp = rfc3339(esm.startingPositionTimestamp);
  if (esm.schemaRegistry !== undefined && schemaRegistryArn === undefined) {
    throw new Error('kafkaEsm.schemaRegistry is set but no Glue registry ARN was given for the mapping to validate against.');
  }
  const schemaRegistryConfig =
    esm.schemaRegistry === undefined
      ? undefined
      : {
          schemaRegistryUri: schemaRegistryArn,
          eventRecordFormat: esm.schemaRegistry.eventRecordFormat,
          schemaValidationConfig: esm.schemaRegistry.validate.map((attribute) => ({ attribute })),
        };
  if (esm.consumerGroupId !== undefined || schemaRegistryConfig !== undefined) {
    args.amazonManagedKafkaEventSourceConfig = {
      ...(esm.consumerGroupId !== undefined ? { consumerGroupId: esm.consumerGroupId } : {}),
      ...(schemaRegistryConfig !== undefined ? { schemaRegistryConfig } : {}),
    };
  }
  if (esm.provisionedPollers !== undefined) {
    const { minimum, maximum, pollerGroupName } = esm.provisionedPollers;
    args.provisionedPollerConfig = { minimumPollers: minimum, maximumPollers: maximum, ...(pollerGroupName !== undefined ? { pollerGroupName } : {}) };
  }
  if (esm.filters.length > 0) args.filterCriteria = { filter: esm.filters.map((f) => ({ pattern: JSON.stringify(f) })) };
  if (esm.reportBatchItemFailures) args.functionResponseTypes = ['ReportBatchItemFailures'];
  if (esm.bisectBatchOnFunctionError !== undefined) args.bisectBatchOnFunctionError = esm.bisectBatchOnFunctionError;
  if (esm.maximumRetryAttempts !== undefined) args.maximumRetryAttempts = esm.maximumRetryAttempts;
  if (esm.maximumRecordAgeSeconds !== undefined) args.maximumRecordAgeInSeconds = esm.maximumRecordAgeSeconds;
  if (onFailureDestination !== undefined) args.destinationConfig = { onFailure: { destinationArn: onFailureDestination } };
  return args;
}

/**
 * MetricsConfig groups, refused here when the pinned provider would refuse them at plan time
 * (modules/provider-values.ts), rather than after a participant has waited for terraform.
 */
function providerMetricGroups(groups: readonly string[]): string[] {
  const refused = groups.filter((g) => !ACCEPTED.esmMetrics.values.includes(g));
  if (refused.length > 0) {
    throw new Error(
      `kafkaEsm.metrics: the pinned Terraform AWS provider does not accept ${refused.join(', ')}; it takes ${ACCEPTED.esmMetrics.values.join(', ')} (${ACCEPTED.esmMetrics.source}).`,
    );
  }
  return [...groups];
}

/** Epoch seconds as the RFC 3339 timestamp the provider expects (whole seconds, UTC). */
function rfc3339(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
