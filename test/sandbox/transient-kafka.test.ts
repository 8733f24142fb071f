// Transient broker errors are retried, bounded; anything else passes through at once.

import kafkajs from 'kafkajs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SandboxError } from '../../sandbox/errors.ts';
import { isTransientKafkaError, retryTransientKafka } from '../../sandbox/transient-kafka.ts';

const notLeader = () =>
  new KafkaJSProtocolError({
    message: 'This server is not the leader for that topic-partition',
    type: 'NOT_LEADER_FOR_PARTITION',
    code: 6,
    retriable: true,
  } as never);
const loading = () =>
  new KafkaJSProtocolError({
    message: "The coordinator is loading and hence can't process requests",
    type: 'COORDINATOR_LOAD_IN_PROGRESS',
    code: 14,
    retriable: true,
  } as never);
const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
// kafkajs exports its errors from CommonJS by spreading, which ESM named imports cannot see.
const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } = kafkajs;
const noSleep = async () => {};

test("leader elections, a loading coordinator, a reset connection, and those wrapped by kafkajs's own retries are transient", () => {
  for (const error of [
    notLeader(),
    loading(),
    reset(),
    new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'),
    new KafkaJSNumberOfRetriesExceeded(notLeader(), { retryCount: 5, retryTime: 3000 }),
  ]) {
    assert.ok(isTransientKafkaError(error), (error as Error).message);
  }
  for (const error of [
    new KafkaJSProtocolError({ message: 'Topic authorization failed', type: 'TOPIC_AUTHORIZATION_FAILED', code: 29, retriable: false } as never),
    new TypeError('x is undefined'),
    'a string',
  ]) {
    assert.not.ok(isTransientKafkaError(error), String(error));
  }
});

test('each transient kind is retried until the call succeeds', async () => {
  for (const make of [notLeader, loading, reset]) {
    let calls = 0;
    const delays: number[] = [];
    const value = await retryTransientKafka(
      'listOffsets',
      async () => {
        if (++calls < 4) throw make();
        return 'ends';
      },
      { sleep: async (ms) => void delays.push(ms) },
    );
    assert.is(value, 'ends');
    assert.is(calls, 4);
    assert.equal(delays, [200, 400, 800], 'growing delays');
  }
});

test('a non-transient error is thrown at once, unchanged', async () => {
  let calls = 0;
  const bug = new TypeError('cannot read properties of undefined');
  try {
    await retryTransientKafka(
      'listOffsets',
      async () => {
        calls++;
        throw bug;
      },
      { sleep: noSleep },
    );
    assert.unreachable();
  } catch (error) {
    assert.is(error, bug);
    assert.is(calls, 1);
  }
});

test('still failing after the bound: one SandboxError line that says what and how long, with the cause kept', async () => {
  let calls = 0;
  try {
    await retryTransientKafka(
      'Reading the end offsets of bookings',
      async () => {
        calls++;
        throw notLeader();
      },
      { attempts: 5, sleep: noSleep },
    );
    assert.unreachable();
  } catch (error) {
    assert.instance(error, SandboxError);
    assert.is(calls, 5);
    assert.match(
      (error as Error).message,
      /^Reading the end offsets of bookings kept failing with a broker error that usually passes in seconds \(This server is not the leader for that topic-partition\); retried 5 times over 3\.0 s/,
    );
    assert.not.match((error as Error).message, '\n');
    assert.ok((error as Error).cause);
  }
});

test.run();
