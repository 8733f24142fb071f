import type { ITopicConfig } from 'kafkajs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureTopic, handler, type TopicAdmin, topicAction, validateTopicRequest } from '../../handlers/topic-admin.ts';

/**
 * Stands in for the MSK cluster's admin API: holds topics by partition count and records every
 * CreateTopics request, as the broker would receive it from kafkajs.
 */
function clusterAdmin(existing: Record<string, number> = {}): { admin: TopicAdmin; created: ITopicConfig[] } {
  const topics = new Map(Object.entries(existing));
  const created: ITopicConfig[] = [];
  const admin = {
    listTopics: async () => [...topics.keys()],
    fetchTopicMetadata: async ({ topics: names = [] }: { topics?: string[] }) => ({
      topics: names.map((name) => ({
        name,
        partitions: Array.from({ length: topics.get(name) ?? 0 }, (_, partitionId) => ({
          partitionErrorCode: 0,
          partitionId,
          leader: 1,
          replicas: [1],
          isr: [1],
          offlineReplicas: [],
        })),
      })),
    }),
    createTopics: async ({ topics: requested }: { topics: ITopicConfig[] }) => {
      for (const t of requested) {
        created.push(t);
        topics.set(t.topic, t.numPartitions ?? 1);
      }
      return true;
    },
  } as unknown as TopicAdmin;
  return { admin, created };
}

test('a missing topic is created; one with enough partitions is kept', () => {
  assert.is(topicAction({ topic: 'bookings', partitions: 6 }, undefined), 'create');
  assert.is(topicAction({ topic: 'bookings', partitions: 6 }, 6), 'ok');
  assert.is(topicAction({ topic: 'bookings', partitions: 6 }, 12), 'ok');
});

test('too few partitions is an error that says what exists, what is needed and what to do', () => {
  try {
    topicAction({ topic: 'bookings', partitions: 12 }, 3);
    assert.unreachable('should throw');
  } catch (error) {
    const message = (error as Error).message;
    assert.match(message, 'has 3 partitions');
    assert.match(message, 'at least 12');
    assert.match(message, 'delete the topic');
  }
});

test('requests are validated before any connection is made', async () => {
  assert.not.throws(() => validateTopicRequest({ topic: 'lab-1.bookings_v2', partitions: 1, replicationFactor: 3 }));
  assert.throws(() => validateTopicRequest({ topic: 'has space', partitions: 1, replicationFactor: 3 }), /topic must be/);
  assert.throws(() => validateTopicRequest({ topic: 't', partitions: 0, replicationFactor: 3 }), /partitions must be an integer >= 1/);
  try {
    await handler({ topic: '', partitions: 2, replicationFactor: 3 });
    assert.unreachable('should reject');
  } catch (error) {
    assert.match((error as Error).message, 'Invalid topic request');
  }
});

test('a replication factor is required: missing, -1, 0 or fractional is refused before connecting', async () => {
  // kafkajs speaks CreateTopics v0-3, which has no "-1 = the broker's default" (KIP-464, v4).
  for (const replicationFactor of [undefined, -1, 0, 1.5, '3']) {
    const request = { topic: 'bookings', partitions: 6, replicationFactor } as never;
    assert.throws(() => validateTopicRequest(request), /replicationFactor must be an integer >= 1/, String(replicationFactor));
    // KAFKA_BROKERS is unset here, so only validation can produce this message.
    await handler(request).then(
      () => assert.unreachable('should reject'),
      (error: Error) => assert.match(error.message, /replicationFactor must be an integer >= 1 \(got .*\): send the cluster's/),
    );
  }
});

test('createTopics receives the replication factor of the request, for each kind of cluster', async () => {
  for (const replicationFactor of [3, 2, 1]) {
    const { admin, created } = clusterAdmin();
    const result = await ensureTopic(admin, { topic: 'bookings', partitions: 12, replicationFactor });
    assert.equal(result, { topic: 'bookings', partitions: 12, created: true });
    assert.equal(created, [{ topic: 'bookings', numPartitions: 12, replicationFactor }]);
  }
});

test('an existing topic with enough partitions is left alone: nothing is created', async () => {
  const { admin, created } = clusterAdmin({ bookings: 12 });
  assert.equal(await ensureTopic(admin, { topic: 'bookings', partitions: 6, replicationFactor: 3 }), { topic: 'bookings', partitions: 12, created: false });
  assert.equal(created, []);
});

test.run();
