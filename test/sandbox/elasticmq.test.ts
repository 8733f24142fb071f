// The embedded ElasticMQ: start, AWS SDK v3 (JSON protocol) round trips, visibility timeout,
// DLQ redrive after maxReceiveCount, SQS_ENDPOINT, persistence across a SIGKILL, and a clean stop.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ElasticMqSandbox, messagesHeld, persistedQueues, sqsClientConfig, startElasticMq } from '../../sandbox/elasticmq.ts';
import { isPidAlive, liveChildren } from '../../sandbox/process.ts';
import { rejection, sandboxChildPids } from './helpers.ts';

let server: ElasticMqSandbox | undefined;
let sqs: SQSClient | undefined;

test.after(async () => {
  sqs?.destroy();
  await server?.stop();
});

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs!.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs!.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function receive(url: string, waitSeconds = 0): Promise<Message[]> {
  const out = await sqs!.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      MessageAttributeNames: ['All'],
    }),
  );
  return out.Messages ?? [];
}

const count = (url: string): Promise<number> => messagesHeld(sqs!, url);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('starts ElasticMQ on a free 127.0.0.1 port and answers ListQueues', async () => {
  const started = Date.now();
  server = await startElasticMq({ ignoreEnv: true });
  console.log(`  elasticmq ${server.version}: start ${server.startMs} ms, call ${Date.now() - started} ms`);
  assert.match(server.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(server.pid && isPidAlive(server.pid));
  const config = readFileSync(`${server.dataDir}/elasticmq.conf`, 'utf8');
  assert.match(config, /bind-hostname = "127\.0\.0\.1"/);
  sqs = new SQSClient(server.clientConfig());
});

test('SDK v3 round trip: send, receive, delete, SendMessageBatch (and its 10-entry limit)', async () => {
  const q = await createQueue('sandbox-roundtrip');
  assert.is(q.arn, 'arn:aws:sqs:us-east-1:000000000000:sandbox-roundtrip');
  assert.ok(q.url.startsWith(`${server!.endpoint}/000000000000/`), q.url);

  const sent = await sqs!.send(
    new SendMessageCommand({ QueueUrl: q.url, MessageBody: '{"id":1}', MessageAttributes: { kind: { DataType: 'String', StringValue: 'booking' } } }),
  );
  assert.ok(sent.MessageId);
  const [message] = await receive(q.url, 1);
  assert.is(message.Body, '{"id":1}');
  assert.is(message.MessageAttributes?.kind?.StringValue, 'booking');
  assert.is(message.Attributes?.ApproximateReceiveCount, '1');
  await sqs!.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: message.ReceiptHandle }));
  assert.is(await count(q.url), 0);

  const batch = await sqs!.send(
    new SendMessageBatchCommand({ QueueUrl: q.url, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body-${i}` })) }),
  );
  assert.is(batch.Successful?.length, 10);
  assert.is(batch.Failed?.length ?? 0, 0);
  const bodies = new Set<string>();
  for (let i = 0; i < 5 && bodies.size < 10; i++) for (const m of await receive(q.url, 1)) bodies.add(m.Body!);
  assert.is(bodies.size, 10);

  const tooMany = await rejection(() =>
    sqs!.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `x${i}`, MessageBody: 'x' })) })),
  );
  assert.match(tooMany.name, /TooManyEntriesInBatchRequest/);
});

test('visibility timeout hides a received message until it expires; ChangeMessageVisibility 0 frees it', async () => {
  const q = await createQueue('sandbox-visibility', { VisibilityTimeout: '1' });
  await sqs!.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'v' }));
  const [first] = await receive(q.url, 1);
  assert.is(first.Attributes?.ApproximateReceiveCount, '1');
  assert.is((await receive(q.url)).length, 0, 'in flight: invisible');
  await sleep(1_300);
  const [second] = await receive(q.url, 1);
  assert.is(second?.Body, 'v');
  assert.is(second.Attributes?.ApproximateReceiveCount, '2');
  await sqs!.send(new ChangeMessageVisibilityCommand({ QueueUrl: q.url, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 0 }));
  const [third] = await receive(q.url);
  assert.is(third?.Attributes?.ApproximateReceiveCount, '3');
});

test('RedrivePolicy moves a message to the DLQ after maxReceiveCount receives', async () => {
  const dlq = await createQueue('sandbox-dlq');
  const q = await createQueue('sandbox-with-dlq', {
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
  });
  await sqs!.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'poison' }));
  for (let receiveCount = 1; receiveCount <= 2; receiveCount++) {
    const [m] = await receive(q.url, 2);
    assert.is(m?.Body, 'poison');
    assert.is(m.Attributes?.ApproximateReceiveCount, String(receiveCount));
    await sleep(1_200); // not deleted: the processing "failed"
  }
  assert.is((await receive(q.url, 1)).length, 0, 'moved away after 2 receives');
  const [dead] = await receive(dlq.url, 1);
  assert.is(dead?.Body, 'poison');
  assert.is(await count(q.url), 0);
});

test('SQS_ENDPOINT skips the embedded server', async () => {
  const running = liveChildren().length;
  const external = await startElasticMq({ env: { ...process.env, SQS_ENDPOINT: server!.endpoint } });
  assert.is(external.external, true);
  assert.is(external.endpoint, server!.endpoint);
  assert.is(external.pid, undefined);
  assert.is(liveChildren().length, running);
  await external.stop();
  assert.ok(server!.isRunning());
});

test('persistedQueues reads the queues a persisted ElasticMQ holds from its log', () => {
  const log = [
    '--- sandbox/elasticmq.ts: start, persist off ---',
    '12:00:00.001 [d-1] INFO  o.elasticmq.actor.QueueManagerActor - Creating queue CreateQueueData(memory-only,None,None)',
    '--- sandbox/elasticmq.ts: start, persist on ---',
    '12:00:01.001 [d-1] INFO  o.elasticmq.actor.QueueManagerActor - Creating queue CreateQueueData(kept,Some(MillisVisibilityTimeout(5000)),None)',
    '12:00:01.002 [d-1] INFO  o.elasticmq.actor.QueueManagerActor - Creating queue CreateQueueData(gone.fifo,None,None)',
    '12:00:01.003 [d-1] INFO  o.elasticmq.actor.QueueManagerActor - Deleting queue gone.fifo',
    '--- sandbox/elasticmq.ts: start, persist on ---',
    '12:00:02.001 [d-1] INFO  o.elasticmq.actor.QueueManagerActor - Creating queue CreateQueueData(kept,Some(MillisVisibilityTimeout(5000)),Some(PT0S))',
    '12:00:02.002 [d-1] INFO  o.elasticmq.actor.queue.QueueActor - Restored 3 messages in queue kept',
  ].join('\n');
  assert.equal([...persistedQueues(log)], ['kept']);
  assert.equal([...persistedQueues('')], []);
});

test('persist needs a dataDir: one sentence naming the fix', async () => {
  const error = await rejection(() => startElasticMq({ ignoreEnv: true, persist: true }));
  assert.is(error.name, 'SandboxError');
  assert.match(error.message, /^ElasticMQ persistence needs a dataDir.*\.$/);
});

test('persist: after a SIGKILL, a restart on the same dataDir has the same port, the queues with their attributes, and exactly the acknowledged messages', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'workshop-elasticmq-persist-'));
  let persisted = await startElasticMq({ ignoreEnv: true, dataDir, persist: true });
  const client = new SQSClient(sqsClientConfig(persisted.endpoint));
  try {
    const dlq = await client.send(new CreateQueueCommand({ QueueName: 'kept-dlq' }));
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({
        QueueName: 'kept',
        Attributes: {
          VisibilityTimeout: '30',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:kept-dlq', maxReceiveCount: 4 }),
        },
      }),
    );
    for (let i = 0; i < 10; i++) {
      await client.send(
        new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: `m${i * 10 + j}` })) }),
      );
    }
    // 20 received and deleted, 10 received and in flight, 70 waiting.
    const handles: Message[] = [];
    for (let i = 0; i < 3; i++) handles.push(...(await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!);
    await client.send(
      new DeleteMessageBatchCommand({ QueueUrl, Entries: handles.slice(0, 10).map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
    );
    await client.send(
      new DeleteMessageBatchCommand({ QueueUrl, Entries: handles.slice(10, 20).map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
    );
    const endpoint = persisted.endpoint;
    await persisted.kill9();

    persisted = await startElasticMq({ ignoreEnv: true, dataDir, persist: true });
    assert.is(persisted.endpoint, endpoint, 'the same port, so queue URLs stay valid');
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['VisibilityTimeout', 'RedrivePolicy', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    assert.is(Attributes!.VisibilityTimeout, '30');
    assert.is(JSON.parse(Attributes!.RedrivePolicy!).maxReceiveCount, 4);
    assert.is(Attributes!.ApproximateNumberOfMessages, '70', 'waiting messages kept, deleted ones gone');
    assert.is(Attributes!.ApproximateNumberOfMessagesNotVisible, '10', 'in-flight messages still invisible');
    // A receipt handle from before the crash still deletes its message.
    await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: handles[20].ReceiptHandle! }));
    assert.is(
      await (async () => {
        const { Attributes: a } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }));
        return a!.ApproximateNumberOfMessagesNotVisible;
      })(),
      '9',
    );
    assert.ok(dlq.QueueUrl);
  } finally {
    client.destroy();
    await persisted.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('stop() leaves no java process and removes the temp dir', async () => {
  const s = server!;
  const pid = s.pid!;
  assert.ok(sandboxChildPids().includes(pid));
  const started = Date.now();
  await s.stop();
  console.log(`  elasticmq stop: ${Date.now() - started} ms`);
  assert.not.ok(isPidAlive(pid));
  assert.equal(sandboxChildPids(), []);
  assert.not.ok(existsSync(s.dataDir!));
});

test.run();
