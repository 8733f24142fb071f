// The load generator: the producer function the harness invokes to publish a lab's traffic,
// and the topic-admin function that Terraform invokes once per topic at deploy time so the
// topics exist, with their partition counts, before any event source mapping points at them.
// Both run in the VPC (they talk to the brokers) and authenticate with IAM.

import { LambdaInvocation } from '@cdktn/provider-aws/lib/lambda-invocation/index.js';
import { Fn, type ITerraformDependable } from 'cdktn';
import { Construct } from 'constructs';
import { GLUE_REGISTRY_VARIABLE } from '../handlers/shared/glue-booking.ts';
import type { TopicRequest } from '../handlers/topic-admin.ts';
import { type VpcPlacement, WorkshopFunction } from './function.ts';
import type { ClusterRef } from './kafka-cluster.ts';
import { metricsNamespaceOf, resourceName } from './names.ts';
import { producerSchemaRegistryStatements, type SchemaRegistryName } from './schema-registry.ts';

export interface TopicSpec {
  name: string;
  partitions: number;
}

export interface LoadGeneratorProps {
  cluster: ClusterRef;
  bootstrapBrokers: string;
  vpc: VpcPlacement;
  /** Every topic any lab reads or writes (source topics and Kafka on-failure destinations). */
  topics: TopicSpec[];
  /** What the topics are created with: the cluster's (KafkaCluster.topicReplicationFactor). */
  replicationFactor: number;
  /** The topic the producer writes to when an invocation does not name one. */
  defaultTopic: string;
  /** What must exist before topic-admin can reach the brokers (security group rules, routes). */
  networkReady?: ITerraformDependable[];
  /** The Glue registry the producer writes Avro under, when a lab uses a schema registry (its lab stack creates it). */
  schemaRegistry?: SchemaRegistryName;
}

/** Producer sizing: it paces a whole run in one invocation, so it gets Lambda's maximum time. */
export const PRODUCER = { memoryMb: 1024, timeoutSeconds: 900 } as const;
export const TOPIC_ADMIN = { memoryMb: 256, timeoutSeconds: 120 } as const;

/**
 * The event topic-admin receives from Terraform for one topic (handlers/topic-admin.ts: it
 * creates the topic, or checks an existing one has at least that many partitions).
 */
export function createTopicEvent(topic: TopicSpec, replicationFactor: number): TopicRequest {
  return { topic: topic.name, partitions: topic.partitions, replicationFactor };
}

export class LoadGenerator extends Construct {
  readonly producer: WorkshopFunction;
  readonly topicAdmin: WorkshopFunction;
  readonly topicInvocations: LambdaInvocation[] = [];

  constructor(scope: Construct, id: string, props: LoadGeneratorProps) {
    super(scope, id);
    const { cluster } = props;
    const topicArns = props.topics.map((t) => cluster.topicArn(t.name));
    const kafkaEnvironment = {
      KAFKA_BROKERS: props.bootstrapBrokers,
      KAFKA_AUTH: 'iam',
      METRICS_NAMESPACE: metricsNamespaceOf(this),
    };
    const connect = { sid: 'KafkaClusterConnect', actions: ['kafka-cluster:Connect'], resources: [cluster.arn] };

    this.producer = new WorkshopFunction(this, 'producer', {
      handler: 'producer',
      functionName: resourceName(this, 'producer'),
      description: 'Publishes a lab traffic schedule (open loop) to Kafka',
      ...PRODUCER,
      // handlers/producer.ts reads TOPIC_NAME when an invocation names no topic.
      environment: {
        ...kafkaEnvironment,
        TOPIC_NAME: props.defaultTopic,
        POWERTOOLS_SERVICE_NAME: 'producer',
        ...(props.schemaRegistry ? { [GLUE_REGISTRY_VARIABLE]: props.schemaRegistry.name } : {}),
      },
      statements: [
        connect,
        { sid: 'KafkaWriteTopics', actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], resources: topicArns },
        ...(props.schemaRegistry ? producerSchemaRegistryStatements(props.schemaRegistry.arns) : []),
      ],
      vpc: props.vpc,
    });

    this.topicAdmin = new WorkshopFunction(this, 'topic-admin', {
      handler: 'topic-admin',
      functionName: resourceName(this, 'topic-admin'),
      description: 'Creates the workshop topics with their partition counts',
      ...TOPIC_ADMIN,
      environment: { ...kafkaEnvironment, POWERTOOLS_SERVICE_NAME: 'topic-admin' },
      statements: [
        connect,
        {
          sid: 'KafkaManageTopics',
          // listTopics / fetchTopicMetadata need DescribeTopic, createTopics needs CreateTopic.
          actions: ['kafka-cluster:CreateTopic', 'kafka-cluster:DescribeTopic'],
          resources: topicArns,
        },
      ],
      vpc: props.vpc,
    });

    for (const topic of props.topics) {
      this.topicInvocations.push(
        new LambdaInvocation(this, `topic-${topic.name}`, {
          functionName: this.topicAdmin.functionName,
          // jsonencode, not JSON.stringify: a provisioned cluster's factor is its broker count,
          // known only at plan time.
          input: Fn.jsonencode(createTopicEvent(topic, props.replicationFactor)),
          // Re-run when the partition count changes; topic-admin refuses to shrink or silently
          // repartition a topic and says how to proceed.
          triggers: { partitions: String(topic.partitions) },
          dependsOn: props.networkReady,
        }),
      );
    }
  }
}
