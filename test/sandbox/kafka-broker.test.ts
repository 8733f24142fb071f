// The embedded Kafka broker: start, kafkajs produce/consume in a consumer group with committed
// offsets, restart and crash-restart on the same data dir, KAFKA_BROKERS, and a clean stop.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type KafkaSandbox, startKafka } from '../../sandbox/kafka-broker.ts';
import { separateHeaders, timestampTypeOf } from '../../sandbox/kafka-esm/kafka-fetcher.ts';
import { isPidAlive, liveChildren } from '../../sandbox/process.ts';
import { rejection, sandboxChildPids } from './helpers.ts';

const TOPIC = 'sandbox-bookings';
const GROUP = 'sandbox-test-group';
const PARTITIONS = 6;
const dataDir = mkdtempSync(join(tmpdir(), 'workshop-kafka-test-'));
let broker: KafkaSandbox | undefined;

function client(b: KafkaSandbox): Kafka {
  return new Kafka({ clientId: 'sandbox-test', brokers: b.brokerList, logLevel: logLevel.NOTHING });
}

async function withAdmin<T>(b: KafkaSandbox, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = client(b).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

async function produce(b: KafkaSandbox, count: number, prefix: string): Promise<void> {
  const producer = client(b).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({
      topic: TOPIC,
      messages: Array.from({ length: count }, (_, i) => ({ key: `${prefix}-${i}`, value: JSON.stringify({ prefix, i }) })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Consumes in GROUP until `count` messages arrived; offsets are committed on disconnect. */
async function consume(b: KafkaSandbox, count: number, timeoutMs = 30_000): Promise<{ values: string[]; partitions: Set<number> }> {
  const consumer = client(b).consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const values: string[] = [];
  const partitions = new Set<number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${values.length} of ${count} within ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          values.push(message.value!.toString());
          partitions.add(partition);
          if (values.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect(); // commits the resolved offsets
  }
  return { values, partitions };
}

async function committedTotal(b: KafkaSandbox): Promise<Map<number, number>> {
  const [topic] = await withAdmin(b, (admin) => admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }));
  return new Map(topic.partitions.map((p) => [p.partition, Number(p.offset)]));
}

test.after(async () => {
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('starts a KRaft broker on a free 127.0.0.1 port and answers admin calls', async () => {
  const started = Date.now();
  broker = await startKafka({ dataDir, ignoreEnv: true });
  console.log(`  kafka ${broker.version}: first start ${broker.startMs} ms (with storage format), call ${Date.now() - started} ms`);
  assert.is(broker.external, false);
  assert.match(broker.brokers, /^127\.0\.0\.1:\d+$/);
  assert.ok(broker.pid && isPidAlive(broker.pid));
  assert.ok(existsSync(broker.logFile!));
  const props = readFileSync(join(dataDir, 'server.properties'), 'utf8');
  assert.match(props, /^listeners=PLAINTEXT:\/\/127\.0\.0\.1:\d+,CONTROLLER:\/\/127\.0\.0\.1:\d+$/m);
  assert.match(props, /^auto\.create\.topics\.enable=false$/m);
  const cluster = await withAdmin(broker, (admin) => admin.describeCluster());
  assert.is(cluster.brokers.length, 1);
  assert.is(`${cluster.brokers[0].host}:${cluster.brokers[0].port}`, broker.brokers);
});

test('kafkajs produces and consumes a 6-partition topic in a consumer group and commits offsets', async () => {
  const b = broker!;
  await withAdmin(b, (admin) => admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true }));
  const meta = await withAdmin(b, (admin) => admin.fetchTopicMetadata({ topics: [TOPIC] }));
  assert.is(meta.topics[0].partitions.length, PARTITIONS);

  await produce(b, 120, 'first');
  const { values, partitions } = await consume(b, 120);
  assert.is(values.length, 120);
  assert.is(partitions.size, PARTITIONS, 'keys spread over all partitions');

  const committed = await committedTotal(b);
  const ends = await withAdmin(b, (admin) => admin.fetchTopicOffsets(TOPIC));
  for (const end of ends) assert.is(committed.get(end.partition), Number(end.high), `partition ${end.partition} committed to its end`);
  assert.is(
    [...committed.values()].reduce((a, n) => a + n, 0),
    120,
  );
});

test("what the ESM reads from a real record: the topic's timestamp type, and each header (a repeated key too) on its own", async () => {
  const b = broker!;
  const topics = { create: 'sandbox-create-time', append: 'sandbox-log-append-time' };
  await withAdmin(b, (admin) =>
    admin.createTopics({
      topics: [
        { topic: topics.create, numPartitions: 1 },
        { topic: topics.append, numPartitions: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] },
      ],
      waitForLeaders: true,
    }),
  );
  const producer = client(b).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const sentAt = Date.now();
  const message = { value: 'x', timestamp: String(sentAt - 3_600_000), headers: { trace: ['a', 'b'], source: 'web' } };
  await producer.send({ topic: topics.create, messages: [message] });
  await producer.send({ topic: topics.append, messages: [message] });
  await producer.disconnect();
  const read = async (topic: string) => {
    const consumer = client(b).consumer({ groupId: `${topic}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got = await new Promise<{ timestamp: string; type: string; headers: Array<Record<string, Buffer>> }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message: m }) => resolve({ timestamp: m.timestamp, type: timestampTypeOf(m), headers: separateHeaders(m.headers) }),
      });
    });
    await consumer.disconnect();
    return got;
  };
  const created = await read(topics.create);
  assert.is(created.type, 'CREATE_TIME');
  assert.is(Number(created.timestamp), sentAt - 3_600_000, "the producer's timestamp");
  const appended = await read(topics.append);
  assert.is(appended.type, 'LOG_APPEND_TIME');
  assert.ok(Number(appended.timestamp) >= sentAt - 1000, "the broker's append time, not the producer's");
  assert.equal(
    appended.headers.map((h) => Object.entries(h).map(([k, v]) => `${k}=${v.toString()}`)[0]),
    ['trace=a', 'trace=b', 'source=web'],
  );
});

test('topics are not auto-created (as on MSK by default)', async () => {
  const producer = client(broker!).producer({ retry: { retries: 1, initialRetryTime: 50 } });
  await producer.connect();
  try {
    const error = await rejection(() => producer.send({ topic: 'no-such-topic', messages: [{ value: 'x' }] }));
    assert.match(error.message, /does not host this topic-partition|UNKNOWN_TOPIC|unknown topic/i);
  } finally {
    await producer.disconnect();
  }
});

test('a restart on the same data dir keeps topics and committed offsets (same port)', async () => {
  const before = broker!;
  const committedBefore = await committedTotal(before);
  await before.stop();
  assert.not.ok(isPidAlive(before.pid!), 'old broker is gone');
  assert.ok(existsSync(dataDir), 'a given data dir is kept');

  broker = await startKafka({ dataDir, ignoreEnv: true });
  console.log(`  kafka restart (graceful stop before): ${broker.startMs} ms`);
  assert.is(broker.brokers, before.brokers, 'the previous port is reused');
  const topics = await withAdmin(broker, (admin) => admin.listTopics());
  assert.ok(topics.includes(TOPIC));
  assert.equal(await committedTotal(broker), committedBefore);

  // The group resumes from its committed offsets: only the new records arrive.
  await produce(broker, 12, 'second');
  const { values } = await consume(broker, 12);
  assert.is(values.length, 12);
  assert.ok(
    values.every((v) => JSON.parse(v).prefix === 'second'),
    'no record of the first round is redelivered',
  );
});

test('a second start on a data dir in use fails at once and touches nothing', async () => {
  const props = readFileSync(join(dataDir, 'server.properties'), 'utf8');
  const error = await rejection(() => startKafka({ dataDir, ignoreEnv: true }));
  assert.is(error.name, 'SandboxError');
  assert.match(error.message, new RegExp(`in use by a running broker \\(pid ${broker!.pid}\\)`));
  assert.is(readFileSync(join(dataDir, 'server.properties'), 'utf8'), props);
  assert.ok(broker!.isRunning());
});

test('kill9 crashes the broker; a restart on its data dir recovers topics and offsets', async () => {
  const crashed = broker!;
  const committedBefore = await committedTotal(crashed);
  await crashed.kill9();
  assert.not.ok(isPidAlive(crashed.pid!));
  assert.not.ok(crashed.isRunning());

  broker = await startKafka({ dataDir, ignoreEnv: true });
  console.log(`  kafka restart after kill -9: ${broker.startMs} ms`);
  assert.is(broker.brokers, crashed.brokers);
  assert.equal(await committedTotal(broker), committedBefore);
  await crashed.stop(); // idempotent after a crash
});

test('KAFKA_BROKERS skips the embedded broker', async () => {
  const running = liveChildren().length;
  const external = await startKafka({ env: { ...process.env, KAFKA_BROKERS: broker!.brokers } });
  assert.is(external.external, true);
  assert.is(external.brokers, broker!.brokers);
  assert.is(external.pid, undefined);
  assert.is(liveChildren().length, running, 'nothing was started');
  await external.stop(); // a no-op
  assert.ok(broker!.isRunning());
  const error = await rejection(() => external.kill9());
  assert.is(error.name, 'SandboxError');
});

test('stop() leaves no java process behind', async () => {
  const b = broker!;
  const pid = b.pid!;
  assert.ok(sandboxChildPids().includes(pid));
  await b.stop();
  assert.not.ok(isPidAlive(pid));
  assert.equal(sandboxChildPids(), []);
  assert.equal(liveChildren(), []);
  assert.not.ok(existsSync(join(tmpdir(), 'kafka-lambda-workshop-pids', `${pid}.json`)), 'registry entry removed');
  await b.stop(); // idempotent
});

test.run();
