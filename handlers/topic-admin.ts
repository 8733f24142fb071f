// Makes sure a lab's topic exists with enough partitions before traffic starts.
// Payload: {topic, partitions, replicationFactor}. Creates the topic, or verifies that an existing
// one has at least `partitions` (partitions cap Kafka ESM pollers and so concurrency; too few
// would silently change what the lab measures). The replication factor is always the caller's:
// "-1, the broker's default" exists only from CreateTopics v4 (KIP-464), and kafkajs speaks v0-3,
// so the deploy (modules/kafka-cluster.ts) and the sandbox send the factor their cluster takes.
// Connection: KAFKA_BROKERS, KAFKA_AUTH (shared/kafka-client.ts).

import { type Admin, Kafka } from 'kafkajs';
import { kafkaConfigFromEnv } from './shared/kafka-client.ts';

export interface TopicRequest {
  topic: string;
  partitions: number;
  replicationFactor: number;
}

export interface TopicResult {
  topic: string;
  partitions: number;
  created: boolean;
}

export function validateTopicRequest(request: TopicRequest): void {
  const problems: string[] = [];
  if (typeof request?.topic !== 'string' || !/^[A-Za-z0-9._-]{1,249}$/.test(request.topic)) {
    problems.push('topic must be 1-249 characters of letters, digits, ".", "_" or "-"');
  }
  if (!Number.isInteger(request?.partitions) || request.partitions < 1) problems.push('partitions must be an integer >= 1');
  if (!Number.isInteger(request?.replicationFactor) || request.replicationFactor < 1) {
    problems.push(
      `replicationFactor must be an integer >= 1 (got ${JSON.stringify(request?.replicationFactor)}): send the cluster's (3 on MSK Serverless, the broker count on provisioned MSK, 1 on the sandbox's single broker)`,
    );
  }
  if (problems.length > 0) throw new Error(`Invalid topic request: ${problems.join('; ')}.`);
}

/** What to do about a topic given how many partitions it has now (undefined: it does not exist). */
export function topicAction(request: Pick<TopicRequest, 'topic' | 'partitions'>, existingPartitions: number | undefined): 'create' | 'ok' {
  if (existingPartitions === undefined) return 'create';
  if (existingPartitions >= request.partitions) return 'ok';
  throw new Error(
    `Topic ${request.topic} has ${existingPartitions} partitions but this lab needs at least ${request.partitions}. ` +
      `Adding partitions to a topic with data moves keys to other partitions, so it is not done automatically: ` +
      `delete the topic (or choose a new topic name) and run again.`,
  );
}

/** What topic-admin asks of the cluster's admin API. */
export type TopicAdmin = Pick<Admin, 'listTopics' | 'fetchTopicMetadata' | 'createTopics'>;

/** Creates the requested topic on a connected admin client, or checks the one that exists. */
export async function ensureTopic(admin: TopicAdmin, request: TopicRequest): Promise<TopicResult> {
  validateTopicRequest(request);
  const existing = async () => {
    const topics = await admin.listTopics();
    if (!topics.includes(request.topic)) return undefined;
    const metadata = await admin.fetchTopicMetadata({ topics: [request.topic] });
    return metadata.topics[0]?.partitions.length;
  };
  const current = await existing();
  if (topicAction(request, current) === 'ok') return { topic: request.topic, partitions: current as number, created: false };
  const created = await admin.createTopics({
    topics: [{ topic: request.topic, numPartitions: request.partitions, replicationFactor: request.replicationFactor }],
    waitForLeaders: true,
  });
  // false: someone created it meanwhile (another harness run); verify what they created.
  const partitions = (await existing()) ?? request.partitions;
  topicAction(request, partitions);
  return { topic: request.topic, partitions, created };
}

export const handler = async (request: TopicRequest): Promise<TopicResult> => {
  validateTopicRequest(request);
  const admin = new Kafka(kafkaConfigFromEnv(process.env, 'workshop-topic-admin')).admin();
  await admin.connect();
  try {
    return await ensureTopic(admin, request);
  } finally {
    await admin.disconnect();
  }
};
