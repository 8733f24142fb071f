import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handler, topicAction, validateTopicRequest } from '../../handlers/topic-admin.ts';

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
  assert.throws(() => validateTopicRequest({ topic: 'has space', partitions: 1 }), /topic must be/);
  assert.throws(() => validateTopicRequest({ topic: 't', partitions: 0 }), /partitions must be an integer >= 1/);
  assert.throws(() => validateTopicRequest({ topic: 't', partitions: 1, replicationFactor: 0 }), /replicationFactor/);
  try {
    await handler({ topic: '', partitions: 2 });
    assert.unreachable('should reject');
  } catch (error) {
    assert.match((error as Error).message, 'Invalid topic request');
  }
});

test.run();
