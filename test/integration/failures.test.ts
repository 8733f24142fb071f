// A handler that fails on chosen records (poison events) on the real broker and ElasticMQ:
// retries, bisect, then the SQS on-failure destination, and nothing is lost.

import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readLedger } from '../../harness/ledger.ts';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import type { OnFailureRecord } from '../../sandbox/kafka-esm/msk-event.ts';
import { collectProcessed, labVariant, waitFor } from './support.ts';

let sandbox: Sandbox | undefined;
test.after(async () => {
  await sandbox?.stop();
});

test('poison events are retried, isolated by bisect and delivered to the destination; the rest is processed', async () => {
  const lab = labVariant(4, 'it-failures', {
    traffic: { ratePerSec: 300, durationSec: 3, poisonShare: 0.02, warmUpSec: 0 },
    processor: { processingMsPerRecord: 1 },
  });
  sandbox = await startSandbox(lab);
  const runId = 'failures';
  const processed = collectProcessed(sandbox.runtime, runId);
  const produced = await sandbox.produce({ runId, startAtMs: Date.now() + 200, profile: lab.traffic });
  assert.ok(produced.poison > 5, `some poison events (${produced.poison})`);
  const ledger = await readLedger({ brokers: sandbox.brokers.split(','), topic: lab.topic.name, runId, expected: produced.published });

  const sqs = sandbox.sqsClient()!;
  const deadLettered = new Set<number>();
  const readDestination = async () => {
    const response = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sandbox!.queues.onFailure!.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const message of response.Messages ?? []) {
      const record = JSON.parse(message.Body!) as OnFailureRecord;
      assert.is(record.requestContext.condition, 'RetryAttemptsExhausted');
      assert.is(record.requestContext.approximateInvokeCount, 3, 'the first try and 2 retries');
      for (const [key, range] of Object.entries(record.KafkaBatchInfo.recordsInfo)) {
        const partition = Number(key.slice(key.lastIndexOf('-') + 1));
        for (let offset = Number(range.firstRecordOffset); offset <= Number(range.lastRecordOffset); offset++) {
          deadLettered.add(ledger.byPosition.get(`${partition}:${offset}`)!);
        }
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: sandbox!.queues.onFailure!.url, ReceiptHandle: message.ReceiptHandle! }));
    }
  };
  const counters = () => sandbox!.snapshot().kafkaEsm.counters;
  await waitFor(
    () =>
      counters().PolledEventCount === produced.published &&
      sandbox!.snapshot().kafkaEsm.concurrency === 0 &&
      processed.counts.size + counters().FilteredOutEventCount + counters().OnFailureDestinationDeliveredEventCount >= produced.published,
    60_000,
    'every event to be accounted for',
  );
  while (deadLettered.size < counters().OnFailureDestinationDeliveredEventCount) await readDestination();

  const filtered = counters().FilteredOutEventCount;
  assert.is(processed.counts.size + filtered + deadLettered.size, produced.published, 'published = processed + filtered + dead-lettered');
  assert.is(deadLettered.size, produced.poison, 'exactly the poison events are dead-lettered');
  for (const seq of deadLettered) assert.not.ok(processed.counts.has(seq), `dead-lettered seq ${seq} was not also processed`);
  assert.ok(filtered > 0.25 * produced.published, 'non-confirmed bookings were filtered before invoking');
  // Each poison event was invoked 3 times (reported as a batch item failure each time).
  assert.ok(counters().InvokedEventCount >= processed.counts.size + 3 * produced.poison, `invoked ${counters().InvokedEventCount}`);
});

test.run();
